"""Network projections and metrics, checked against values worked out by hand from the pages."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from initiative_kg.cli import app
from initiative_kg.namespaces import shorten
from initiative_kg.network import PROJECTIONS, metrics, project, shortest_path
from initiative_kg.store import KnowledgeGraph

runner = CliRunner()


def test_initiative_actor_is_bipartite_with_roles(shipped: KnowledgeGraph) -> None:
    graph = project(shipped, "initiative-actor")
    initiatives = {n for n, d in graph.nodes(data=True) if d["part"] == "initiative"}
    actors = {n for n, d in graph.nodes(data=True) if d["part"] == "actor"}
    # every initiative that names an organisation, and every organisation named, from the RDF
    named = shipped.dataset.query(
        """PREFIX prov: <http://www.w3.org/ns/prov#>
           PREFIX org: <http://www.w3.org/ns/org#>
           SELECT DISTINCT ?i ?a WHERE { ?i prov:qualifiedAssociation/prov:agent ?a }"""
    )
    pairs = {(shorten(str(i)), shorten(str(a))) for i, a in named}  # type: ignore[misc]
    assert initiatives == {i for i, _ in pairs} and actors == {a for _, a in pairs}
    assert len(initiatives) > 5
    assert all((a in initiatives) != (b in initiatives) for a, b in graph.edges)
    # 001: "PwC, der er ekstern leverandør"
    assert graph.edges[
        "initiative:partnerskab-om-omlaegning-af-socialpsykiatrien", "organisation:pwc"
    ]["role"] == ("role:external-supplier")


def test_nodes_carry_iri_label_type_and_source(shipped: KnowledgeGraph) -> None:
    graph = project(shipped, "initiative-actor")
    thisted = graph.nodes["municipality:787"]
    assert thisted["iri"] == "https://w3id.org/initiative-kg/id/municipality/787"
    assert thisted["label"] == "Thisted"
    assert thisted["type"] == "ikg:Municipality"
    assert thisted["source"] == "dk-municipalities.csv"
    peers = graph.nodes["initiative:udbrede-anvendelse-af-peers"]
    assert peers["source"] == "004_3f2385aee20403ac"


@pytest.mark.parametrize("name", PROJECTIONS)
def test_no_projection_invents_nodes(shipped: KnowledgeGraph, name: str) -> None:
    union = shipped.union()
    subjects_and_objects = {str(t) for triple in union for t in (triple[0], triple[2])}
    for node, data in project(shipped, name).nodes(data=True):
        assert data["iri"] in subjects_and_objects or str(node).startswith("_:"), node


def test_co_participation_degrees_from_the_pages(shipped: KnowledgeGraph) -> None:
    rows = {m.node: m for m in metrics(project(shipped, "actor-co-participation"))}
    # an organisation's degree is the number of others it shares an initiative with, and its
    # weighted degree the number of (initiative, other) pairs, counted here from the RDF
    named = shipped.dataset.query(
        """PREFIX prov: <http://www.w3.org/ns/prov#>
           SELECT DISTINCT ?i ?a WHERE { ?i prov:qualifiedAssociation/prov:agent ?a }"""
    )
    members: dict[str, set[str]] = {}
    for initiative, agent in named:  # type: ignore[misc]
        members.setdefault(str(initiative), set()).add(shorten(str(agent)))
    for node in ("organisation:socialstyrelsen", "organisation:sundhedsstyrelsen", "region:1081",
                 "organisation:social-og-boligstyrelsen"):  # fmt: skip
        shared = [group - {node} for group in members.values() if node in group]
        assert rows[node].degree == len(set().union(*shared)), node
        assert rows[node].weighted_degree == sum(len(others) for others in shared), node
    # page 027: Social- og Boligstyrelsen with Forskningscenter for FamilieBaserede Indsatser
    assert rows["organisation:social-og-boligstyrelsen"].degree == 1
    top = metrics(project(shipped, "actor-co-participation"))[0]
    assert top.label == "Socialstyrelsen"
    assert top.betweenness == max(m.betweenness for m in rows.values())


def test_stated_only_leaves_out_the_coded_lead(shipped: KnowledgeGraph) -> None:
    stated = {m.node: m for m in metrics(project(shipped, "actor-co-participation", stated=True))}
    everything = {m.node: m for m in metrics(project(shipped, "actor-co-participation"))}
    # without the coded lead of page 001, Socialstyrelsen no longer meets its four partner
    # municipalities and PwC there
    assert (
        everything["organisation:socialstyrelsen"].degree
        - stated["organisation:socialstyrelsen"].degree
        >= 5
    )
    # 001's partners form a group of their own when the coded lead is left out
    assert stated["organisation:pwc"].component != stated["organisation:socialstyrelsen"].component
    assert (
        everything["organisation:pwc"].component
        == everything["organisation:socialstyrelsen"].component
    )


def test_shortest_path_names_the_initiatives_along_it(shipped: KnowledgeGraph) -> None:
    steps = shortest_path(shipped, "municipality:787", "PwC")
    assert [(s.name, s.kind) for s in steps] == [
        ("municipality:787", "organisation"),
        ("initiative:systematisk-inddragelse-af-paaroerende", "initiative"),
        ("organisation:socialstyrelsen", "organisation"),
        ("initiative:partnerskab-om-omlaegning-af-socialpsykiatrien", "initiative"),
        ("organisation:pwc", "organisation"),
    ]
    assert [s.label for s in steps][::2] == ["Thisted", "Socialstyrelsen", "PwC"]
    # Only analyst coding makes Socialstyrelsen the lead of page 001: that link, and no
    # other, is marked as coded.
    assert [s.coded for s in steps] == [False, False, False, True, False]
    assert shortest_path(shipped, "Thisted", "PwC", stated=True) == []


@pytest.mark.parametrize(
    "reference",
    [
        "thisted",  # a label in another case
        "  THISTED ",
        "municipality:787",  # a prefixed name
        "https://w3id.org/initiative-kg/id/municipality/787",  # an IRI
        "<https://w3id.org/initiative-kg/id/municipality/787>",
    ],
)
def test_a_path_end_is_found_by_label_in_any_case_iri_or_prefixed_name(
    shipped: KnowledgeGraph, reference: str
) -> None:
    assert shortest_path(shipped, reference, "pwc")[0].name == "municipality:787"


def test_a_path_can_start_at_an_initiative(shipped: KnowledgeGraph) -> None:
    steps = shortest_path(shipped, "Udbrede anvendelse af peers", "social- og boligstyrelsen")
    assert [s.name for s in steps] == [
        "initiative:udbrede-anvendelse-af-peers",
        "organisation:social-og-boligstyrelsen",
    ]


def test_an_unknown_name_suggests_the_closest_labels(shipped: KnowledgeGraph) -> None:
    from initiative_kg.errors import QueryError

    with pytest.raises(QueryError) as raised:
        shortest_path(shipped, "Thistd", "PwC")
    message = str(raised.value)
    assert message.startswith("no organisation or initiative named 'Thistd'")
    assert "did you mean Thisted?" in message
    assert "projection" not in message
    with pytest.raises(QueryError, match=r"no organisation or initiative named 'Atlantis'$"):
        shortest_path(shipped, "Atlantis", "PwC")


def test_element_and_target_group_projections(shipped: KnowledgeGraph) -> None:
    elements = project(shipped, "initiative-element")
    assert sum(1 for _, d in elements.nodes(data=True) if d["kind"] == "element") == 7
    # the one coded link of an initiative: page 000's project ("Organisationsudvikling")
    assert elements.number_of_edges() == 1
    assert project(shipped, "initiative-element", stated=True).number_of_edges() == 0
    groups = project(shipped, "initiative-target-group")
    assert groups.degree["initiative:systematisk-inddragelse-af-paaroerende"] == 6


def test_programme_hierarchy_is_directed(shipped: KnowledgeGraph) -> None:
    graph = project(shipped, "programme-hierarchy")
    assert graph.is_directed()
    assert graph.has_edge(
        "initiative:udbrede-anvendelse-af-peers", "initiative:kvalitetsloeft-i-socialpsykiatrien"
    )


def test_full_projection_keeps_literals_as_attributes(shipped: KnowledgeGraph) -> None:
    graph = project(shipped, "full")
    assert graph.nodes["region:1081"]["ikg:regionCode"] == "1081"
    assert graph.has_edge("municipality:851", "region:1081")


def test_cli_metrics_path_and_communities() -> None:
    result = runner.invoke(app, ["network", "metrics", "--top", "1", "--format", "csv"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1].startswith("organisation:socialstyrelsen,Socialstyrelsen,")
    result = runner.invoke(app, ["network", "path", "Thisted", "PwC", "--stated"])
    assert result.exit_code == 1 and "no path" in result.stdout
    result = runner.invoke(app, ["network", "path", "thisted", "pwc"])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "Thisted (municipality:787)",
        "  via Koncept for systematisk inddragelse af pårørende til borgere med psykiske "
        "vanskeligheder (initiative:systematisk-inddragelse-af-paaroerende)",
        "Socialstyrelsen (organisation:socialstyrelsen)",
        "  via Partnerskab om strategisk udvikling og omlægning af socialpsykiatrien "
        "(initiative:partnerskab-om-omlaegning-af-socialpsykiatrien)  (coded)",
        "PwC (organisation:pwc)",
    ]
    result = runner.invoke(app, ["network", "path", "Thistd", "PwC"])
    assert result.exit_code == 2
    assert "ikg: error: no organisation or initiative named 'Thistd'; did you mean Thisted?" in (
        result.stderr
    )
    result = runner.invoke(app, ["network", "communities"])
    assert result.exit_code == 0 and "Social- og Boligstyrelsen" in result.stdout
