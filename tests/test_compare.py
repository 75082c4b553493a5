"""ikg diff: blank nodes under the resource that holds them, the files' own prefixes, and two
drafts of one page lined up; the matching of blank nodes exact on trees, shared nodes, cycles and
symmetric structures (checked against rdflib's isomorphism test), linear on the data files'
trees, and bounded where a structure is too symmetric."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic as rdflib_isomorphic
from typer.testing import CliRunner

from initiative_kg import compare
from initiative_kg.cli import app
from initiative_kg.compare import TooSymmetric, Triple, diff, isomorphic, label
from initiative_kg.store import KnowledgeGraph

runner = CliRunner()

HEADER = """@prefix ikg: <https://w3id.org/initiative-kg/ontology#> .
@prefix initiative: <https://w3id.org/initiative-kg/id/initiative/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
PROJECT = """initiative:{slug} a ikg:Project ;
    rdfs:label "{title}"@da ;
    ikg:period [ a time:ProperInterval ;
        time:hasBeginning [ a time:Instant ; time:inXSDgYear "{start}"^^xsd:gYear ] ;
        time:hasEnd [ a time:Instant ; time:inXSDgYear "2017"^^xsd:gYear ] ] .
"""


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _diff(first: Path, second: Path) -> list[str]:
    result = runner.invoke(app, ["diff", str(first), str(second)])
    assert result.exit_code == 1, result.stderr
    return result.stdout.splitlines()


def test_a_blank_node_is_shown_under_the_resource_that_holds_it(tmp_path: Path) -> None:
    """Guards that a change inside a blank node (a period's start) appears under its
    initiative with the path to it, not under a bare "[]" shared by every blank node."""
    projects = [
        PROJECT.format(slug="a", title="Projekt A", start="2014"),
        PROJECT.format(slug="b", title="Projekt B", start="2015"),
    ]
    first = _write(tmp_path / "a.ttl", HEADER + "".join(projects))
    second = _write(tmp_path / "b.ttl", HEADER + projects[0] + projects[1].replace("2015", "2016"))
    assert _diff(first, second) == [
        "initiative:b (Projekt B)",
        '  - ikg:period/time:hasBeginning/time:inXSDgYear "2015"^^xsd:gYear',
        '  + ikg:period/time:hasBeginning/time:inXSDgYear "2016"^^xsd:gYear',
    ]


def test_blank_nodes_that_swapped_values_are_never_a_silent_pass(tmp_path: Path) -> None:
    """Guards the other side of showing only what changed inside blank nodes: two amounts
    that swapped their currencies read the same path by path, yet the graphs differ; the diff
    must say so (exit 1) and show what differs, though every line has its twin."""
    amounts = """@prefix schema: <https://schema.org/> .
@prefix grant: <https://w3id.org/initiative-kg/id/grant/> .
grant:g schema:amount [ schema:value 1 ; schema:currency "DKK" ] ,
                      [ schema:value 2 ; schema:currency "EUR" ] .
"""
    first = _write(tmp_path / "a.ttl", amounts)
    second = _write(
        tmp_path / "b.ttl",
        amounts.replace('"DKK"', '"X"').replace('"EUR"', '"DKK"').replace('"X"', '"EUR"'),
    )
    lines = _diff(first, second)
    assert lines[0] == "grant:g"
    assert '  - schema:amount/schema:currency "DKK"' in lines
    assert '  + schema:amount/schema:currency "DKK"' in lines
    # Which lines show depends on how the blank nodes are matched up; what must hold is that
    # the currencies that moved are shown on both sides, and nothing but the two amounts.
    assert {
        '  + schema:amount/schema:currency "DKK"',
        '  + schema:amount/schema:currency "EUR"',
        '  - schema:amount/schema:currency "DKK"',
        '  - schema:amount/schema:currency "EUR"',
    } <= set(lines[1:])
    assert all(line.startswith(("  - schema:amount", "  + schema:amount")) for line in lines[1:])


def test_only_the_prefixes_the_files_declare_are_used(tmp_path: Path) -> None:
    """Guards against names with the project's display prefixes that the files never declare:
    an IRI outside the declared namespaces is written in full."""
    header = HEADER.replace("@prefix time: <http://www.w3.org/2006/time#> .\n", "")
    header = header.replace("@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n", "")
    header = header.replace("@prefix initiative:", "@prefix proj:").replace(
        "initiative/> .", "initiative/> ."
    )
    text = header + (
        'proj:a a ikg:Project ; rdfs:label "A"@da ; '
        "<http://www.w3.org/ns/prov#wasDerivedFrom> <https://w3id.org/initiative-kg/id/source/s> .\n"
    )
    first = _write(tmp_path / "a.ttl", text)
    second = _write(tmp_path / "b.ttl", text.replace('"A"@da', '"B"@da'))
    lines = _diff(first, second)
    assert lines == ["proj:a (A)", '  - rdfs:label "A"@da', '  + rdfs:label "B"@da']
    whole = "\n".join(_diff(first, _write(tmp_path / "c.ttl", header)))
    assert (
        "<http://www.w3.org/ns/prov#wasDerivedFrom> <https://w3id.org/initiative-kg/id/source/s>"
        in whole
    )
    assert "prov:" not in whole and "source:" not in whole and "initiative:" not in whole


DRAFT = """@prefix grant: <https://w3id.org/initiative-kg/id/grant/> .
@prefix ikg: <https://w3id.org/initiative-kg/ontology#> .
@prefix initiative: <https://w3id.org/initiative-kg/id/initiative/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .
@prefix source: <https://w3id.org/initiative-kg/id/source/> .

source:page-7 a ikg:SourcePage ; ikg:draftMainEntity initiative:{slug} .
initiative:{slug} a ikg:Project ; rdfs:label "{title}"@da .
grant:draft-{slug} a ikg:Grant ; schema:fundedItem initiative:{slug} ; rdfs:label "Bevilling"@da .
"""


def test_two_drafts_of_one_page_with_different_slugs_are_lined_up(tmp_path: Path) -> None:
    """Guards that the initiatives two drafts of the same page name differently are compared
    as one (its grant with it), so that the diff shows the title that changed, not two whole
    initiatives."""
    first = _write(tmp_path / "a.ttl", DRAFT.format(slug="et-projekt", title="Et projekt"))
    second = _write(tmp_path / "b.ttl", DRAFT.format(slug="et-nyt-projekt", title="Et nyt projekt"))
    assert _diff(first, second) == [
        "initiative:et-nyt-projekt in B is lined up with initiative:et-projekt in A: the main "
        "initiative of source:page-7 in both",
        "",
        "initiative:et-projekt (Et projekt)",
        '  - rdfs:label "Et projekt"@da',
        '  + rdfs:label "Et nyt projekt"@da',
    ]


def test_the_same_graph_is_no_difference(tmp_path: Path) -> None:
    draft = _write(tmp_path / "a.ttl", DRAFT.format(slug="x", title="X"))
    before = KnowledgeGraph.load([draft], background="none")
    assert not diff(before, before)
    same = runner.invoke(app, ["diff", str(draft), str(draft)])
    assert same.exit_code == 0 and same.stdout == "the graphs are isomorphic\n"


# ---------------------------------------------------------------------- matching blank nodes

EX = "http://example.org/"


def triples_of(graph: Graph) -> set[Triple]:
    def term(node: object) -> tuple[str, str]:
        if isinstance(node, BNode):
            return ("b", str(node))
        return ("t", node.n3())  # type: ignore[attr-defined]

    return {(term(s), f"<{p}>", term(o)) for s, p, o in graph}


def relabelled(graph: Graph, seed: int) -> Graph:
    """The same graph with fresh blank node labels, its statements in another order."""
    rename: dict[BNode, BNode] = {}
    statements = list(graph)
    random.Random(seed).shuffle(statements)
    copy = Graph()
    for s, p, o in statements:
        copy.add(
            tuple(rename.setdefault(n, BNode()) if isinstance(n, BNode) else n for n in (s, p, o))
        )  # type: ignore[arg-type]
    return copy


def parse(text: str) -> Graph:
    return Graph().parse(data=f"@prefix ex: <{EX}> .\n{text}", format="turtle")


PAIRS = [
    # (first, second, isomorphic)
    ("ex:a ex:p [ ex:q 1 ] .", "ex:a ex:p [ ex:q 1 ] .", True),
    ("ex:a ex:p [ ex:q 1 ] .", "ex:a ex:p [ ex:q 2 ] .", False),
    ("ex:a ex:p [ ex:q 1 ], [ ex:q 1 ] .", "ex:a ex:p [ ex:q 1 ] .", False),  # twins counted
    ("ex:a ex:p [ ex:q 1 ], [ ex:q 1 ] .", "ex:a ex:p [ ex:q 1 ], [ ex:q 1 ] .", True),
    (
        "ex:a ex:p _:x . ex:b ex:p _:x . _:x ex:q 1 .",
        "ex:a ex:p [ ex:q 1 ] . ex:b ex:p [ ex:q 1 ] .",
        False,
    ),
    (
        "ex:a ex:p _:x . ex:b ex:p _:x . _:x ex:q 1 .",
        "ex:b ex:p _:y . ex:a ex:p _:y . _:y ex:q 1 .",
        True,
    ),
    (
        "_:a ex:p _:b . _:b ex:p _:c . _:c ex:p _:a . _:a ex:v 1 .",
        "_:x ex:p _:y . _:y ex:p _:z . _:z ex:p _:x . _:y ex:v 1 .",
        True,
    ),
    (
        "_:a ex:p _:b . _:b ex:p _:c . _:c ex:p _:a . _:a ex:v 1 .",
        "_:x ex:p _:y . _:y ex:p _:x . _:x ex:v 1 .",
        False,
    ),
    (  # two triangles against one hexagon: colour refinement alone cannot tell them apart
        "_:a ex:p _:b . _:b ex:p _:c . _:c ex:p _:a . _:d ex:p _:e . _:e ex:p _:f . _:f ex:p _:d .",
        "_:a ex:p _:b . _:b ex:p _:c . _:c ex:p _:d . _:d ex:p _:e . _:e ex:p _:f . _:f ex:p _:a .",
        False,
    ),
    (
        "ex:r ex:n [ ex:n [ ex:n [ ex:v 1 ] ; ex:v 2 ] ; ex:w [ ex:v 1 ] ] .",
        "ex:r ex:n [ ex:w [ ex:v 1 ] ; ex:n [ ex:v 2 ; ex:n [ ex:v 1 ] ] ] .",
        True,
    ),
    (
        "ex:r ex:n [ ex:n [ ex:n [ ex:v 1 ] ; ex:v 2 ] ; ex:w [ ex:v 1 ] ] .",
        "ex:r ex:n [ ex:n [ ex:n [ ex:v 2 ] ; ex:v 1 ] ; ex:w [ ex:v 1 ] ] .",
        False,
    ),
    (
        'ex:a ex:p [ ex:q "1"^^<http://www.w3.org/2001/XMLSchema#string> ] .',
        'ex:a ex:p [ ex:q "1"@da ] .',
        False,
    ),
]


@pytest.mark.parametrize(("first", "second", "expected"), PAIRS)
def test_the_verdict_is_exact(first: str, second: str, expected: bool) -> None:
    one, other = parse(first), parse(second)
    assert rdflib_isomorphic(one, other) is expected  # the reference agrees with the case
    assert isomorphic(triples_of(one), triples_of(other)) is expected
    assert isomorphic(triples_of(one), triples_of(relabelled(other, 1))) is expected


def random_graph(seed: int) -> Graph:
    """Small graphs with every shape: trees, twins, shared nodes and cycles."""
    chooser = random.Random(seed)
    blanks = [BNode() for _ in range(chooser.randint(1, 9))]
    iris = [URIRef(f"{EX}i{i}") for i in range(3)]
    predicates = [URIRef(f"{EX}p{i}") for i in range(2)]
    graph = Graph()
    for _ in range(chooser.randint(1, 16)):
        subject = chooser.choice(blanks + iris[:1])
        value = chooser.choice([*blanks, *iris, Literal(chooser.randint(0, 2))])
        graph.add((subject, chooser.choice(predicates), value))
    return graph


@pytest.mark.parametrize("seed", range(120))
def test_random_graphs_agree_with_rdflib(seed: int) -> None:
    """A differential test: the same verdict as rdflib's isomorphism on relabelled copies and
    on copies with one statement changed."""
    graph = random_graph(seed)
    copy = relabelled(graph, seed)
    assert isomorphic(triples_of(graph), triples_of(copy))
    changed = Graph()
    statements = sorted(copy, key=str)
    for index, (s, p, o) in enumerate(statements):
        if index == seed % len(statements):
            o = Literal("changed")
        changed.add((s, p, o))
    assert isomorphic(triples_of(graph), triples_of(changed)) == rdflib_isomorphic(graph, changed)


def nested_file(path: Path, count: int, *, change_at: int | None = None) -> Path:
    """``count`` initiatives, each with a participation holding a period (2 blank nodes and
    4 statements per initiative), in shuffled order."""
    lines = []
    for i in range(count):
        role = "ex:other" if i == change_at else f"ex:role{i % 3}"
        lines.append(
            f"ex:i{i} ex:part [ ex:agent ex:a{i % 50} ; ex:role {role} ; "
            f"ex:when [ ex:year {2000 + i % 7} ] ] .\n"
        )
    random.Random(count + (change_at or 0)).shuffle(lines)
    path.write_text(f"@prefix ex: <{EX}> .\n" + "".join(lines), encoding="utf-8")
    return path


def test_diff_of_thousands_of_nested_blank_nodes(tmp_path: Path) -> None:
    """The issue's size: 2,000 blank nodes and 4,000 statements a file (it took minutes)."""
    first = nested_file(tmp_path / "a.ttl", 1000)
    same = nested_file(tmp_path / "b.ttl", 1000)
    changed = nested_file(tmp_path / "c.ttl", 1000, change_at=417)
    result = runner.invoke(app, ["diff", str(first), str(same)])
    assert result.exit_code == 0 and "isomorphic" in result.stdout
    result = runner.invoke(app, ["diff", str(first), str(changed)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "ex:i417",
        "  - ex:part/ex:role ex:role0",
        "  + ex:part/ex:role ex:other",
    ]


def chain(path: Path, end: str, depth: int = 2000) -> Path:
    path.write_text(
        f"@prefix ex: <{EX}> .\nex:root ex:next "
        + "[ ex:next " * depth
        + end
        + " ]" * depth
        + " .\n",
        encoding="utf-8",
    )
    return path


def test_a_chain_two_thousand_deep_is_matched(tmp_path: Path) -> None:
    first, second = chain(tmp_path / "a.ttl", "ex:end"), chain(tmp_path / "b.ttl", "ex:end")
    result = runner.invoke(app, ["diff", str(first), str(second)])
    assert result.exit_code == 0 and "isomorphic" in result.stdout
    other = chain(tmp_path / "c.ttl", "ex:elsewhere")
    assert not isomorphic(parsed(first), parsed(other))  # rdflib's parser recurses too deep
    assert isomorphic(parsed(first), parsed(second))


def parsed(path: Path) -> set[Triple]:
    import pyoxigraph

    def term(node: object) -> tuple[str, str]:
        kind = type(node).__name__
        return ("b", node.value) if kind == "BlankNode" else ("t", str(node))  # type: ignore[attr-defined]

    quads = pyoxigraph.parse(path=path, format=pyoxigraph.RdfFormat.TURTLE)
    return {(term(q.subject), str(q.predicate), term(q.object)) for q in quads}


def test_a_structure_too_symmetric_is_an_error_not_a_guess(monkeypatch: pytest.MonkeyPatch) -> None:
    """The search over tied blank nodes has a budget; past it the comparison says so."""
    monkeypatch.setattr(compare, "SEARCH_BUDGET", 5_000)
    ring = Graph()
    nodes = [BNode() for _ in range(300)]
    for first, second in zip(nodes, nodes[1:] + nodes[:1], strict=True):
        ring.add((first, URIRef(f"{EX}next"), second))
    with pytest.raises(TooSymmetric, match="too symmetric"):
        label(triples_of(ring))
        assert runner.invoke(app, ["diff", "--help"]).exit_code == 0
