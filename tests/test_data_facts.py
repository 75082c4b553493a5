"""Every key fact of the five seed pages is in the graph. The expected values are written
here, from the pages (each test names its page and quotes the words it relies on); nothing is
read from outside the repository."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, XSD
from rdflib.term import Node

from initiative_kg.store import KnowledgeGraph
from tests.conftest import REFERENCE_SOURCES, REPO

PREFIXES = """
PREFIX ikg: <https://w3id.org/initiative-kg/ontology#>
PREFIX initiative: <https://w3id.org/initiative-kg/id/initiative/>
PREFIX source: <https://w3id.org/initiative-kg/id/source/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX role: <https://w3id.org/initiative-kg/vocab/role/>
PREFIX orgtype: <https://w3id.org/initiative-kg/vocab/organisation-type/>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""
ID = "https://w3id.org/initiative-kg/id/"


def rows(kg: KnowledgeGraph, query: str, **bindings: object) -> list[tuple[object, ...]]:
    result = kg.dataset.query(PREFIXES + query, initBindings=bindings)  # type: ignore[arg-type]
    return [tuple(row) for row in result]  # type: ignore[arg-type]


def described_by(kg: KnowledgeGraph, seed: str) -> URIRef:
    found = rows(
        kg,
        "SELECT ?i WHERE { ?page dcterms:identifier ?id ; schema:mainEntity ?i }",
        id=Literal(seed),
    )
    assert len(found) == 1, f"page {seed} describes exactly one initiative"
    return found[0][0]  # type: ignore[return-value]


def period(kg: KnowledgeGraph, initiative: URIRef) -> tuple[int, int]:
    (found,) = rows(
        kg,
        """SELECT ?b ?e WHERE { ?i ikg:period [ time:hasBeginning/time:inXSDgYear ?b ;
                                              time:hasEnd/time:inXSDgYear ?e ] }""",
        i=initiative,
    )
    return int(str(found[0])), int(str(found[1]))


def participants(
    kg: KnowledgeGraph, initiative: URIRef, *, stated: bool = True
) -> set[tuple[str, str]]:
    """(organisation label, role IRI tail) pairs; stated=True keeps to the pages' own graphs."""
    graph_filter = "FILTER NOT EXISTS { ?g a ikg:CodedGraph }" if stated else ""
    found = rows(
        kg,
        f"""SELECT ?label ?role WHERE {{
              GRAPH ?g {{ ?i prov:qualifiedAssociation ?p }}
              ?p prov:agent ?org ; prov:hadRole ?role .
              ?org rdfs:label ?label .
              {graph_filter}
            }}""",
        i=initiative,
    )
    return {(str(label), str(role).rsplit("/", 1)[-1]) for label, role in found}


def grants(kg: KnowledgeGraph, initiative: URIRef) -> dict[str, Decimal]:
    found = rows(
        kg,
        """SELECT ?label ?value WHERE {
              ?grant a ikg:Grant ; schema:fundedItem ?i ; rdfs:label ?label ;
                     schema:amount [ schema:value ?value ; schema:currency "DKK" ] }""",
        i=initiative,
    )
    return {str(label): Decimal(str(value)) for label, value in found}


def agreement_of(kg: KnowledgeGraph, initiative: URIRef) -> set[str]:
    found = rows(
        kg,
        """SELECT ?label WHERE { ?grant schema:fundedItem ?i ; ikg:fundingAgreement/rdfs:label ?label }""",
        i=initiative,
    )
    return {str(label) for (label,) in found}


def last_updated(kg: KnowledgeGraph, seed: str) -> str | None:
    found = rows(
        kg,
        "SELECT ?d WHERE { ?page dcterms:identifier ?id ; schema:dateModified ?d }",
        id=Literal(seed),
    )
    return str(found[0][0]) if found else None


def unnamed(kg: KnowledgeGraph, initiative: URIRef) -> set[tuple[int | None, str | None, str]]:
    found = rows(
        kg,
        """SELECT ?count ?type ?role WHERE {
              ?i ikg:unnamedParticipants ?g . ?g prov:hadRole ?role .
              OPTIONAL { ?g ikg:participantCount ?count }
              OPTIONAL { ?g ikg:participantType ?type } }""",
        i=initiative,
    )
    return {
        (
            int(str(count)) if count is not None else None,
            str(kind).rsplit("/", 1)[-1] if kind is not None else None,
            str(role).rsplit("/", 1)[-1],
        )
        for count, kind, role in found
    }


def parents(kg: KnowledgeGraph, initiative: URIRef, *, stated: bool = True) -> set[str]:
    graph_filter = "FILTER NOT EXISTS { ?g a ikg:CodedGraph }" if stated else ""
    found = rows(
        kg,
        f"""SELECT ?label WHERE {{ GRAPH ?g {{ ?i ikg:partOf ?parent }} ?parent rdfs:label ?label .
              {graph_filter} }}""",
        i=initiative,
    )
    return {str(label) for (label,) in found}


def municipality_names() -> dict[str, str]:
    with (REFERENCE_SOURCES / "dk-municipalities.csv").open(encoding="utf-8", newline="") as f:
        return {row["code"]: row["name"] for row in csv.DictReader(f)}


# ---------------------------------------------------------------------- 000


def test_page_000_systematic_involvement_of_relatives(shipped: KnowledgeGraph) -> None:
    initiative = described_by(shipped, "000_d6f20d3739e1d98e")
    assert shipped.label(initiative) == (
        "Koncept for systematisk inddragelse af pårørende til borgere med psykiske vanskeligheder"
    )
    assert period(shipped, initiative) == (2014, 2017)  # "Projektperiode: 2014 - 2017"
    # "Der er i alt afsat 9,6 mio. kr." from "satspuljen 2014-2017"
    assert sum(grants(shipped, initiative).values()) == Decimal("9600000")
    assert agreement_of(shipped, initiative) == {"Satspuljen 2014-2017"}
    assert participants(shipped, initiative) == {
        ("Socialstyrelsen", "lead"),  # "Socialstyrelsen gennemfører ... et projekt"
        ("Sundhedsstyrelsen", "co-operating-authority"),  # "i samarbejde med Sundhedsstyrelsen"
        ("Region Nordjylland", "participant"),  # "Projektdeltagere: Region Nordjylland ..."
        ("Thisted", "participant"),
        ("Aalborg", "participant"),
        ("Region Syddanmark", "participant"),
        ("Vejle", "participant"),
    }
    # "Region Nordjylland i samarbejde med Thisted og Aalborg Kommuner"
    pairs = rows(
        shipped,
        """SELECT ?a ?b WHERE { ?i prov:qualifiedAssociation ?p . ?p prov:agent/rdfs:label ?a ;
              ikg:inCollaborationWith/rdfs:label ?b }""",
        i=initiative,
    )
    pairs_found = {(str(a), str(b)) for a, b in pairs}
    assert {("Region Nordjylland", "Thisted"), ("Region Nordjylland", "Aalborg")} <= pairs_found
    assert ("Region Syddanmark", "Vejle") in pairs_found
    assert last_updated(shipped, "000_d6f20d3739e1d98e") == "2016-12-05"  # "05/12 2016"
    claims = rows(
        shipped,
        "SELECT ?v ?u WHERE { ?i ikg:citesEvidence [ schema:value ?v ; schema:unitText ?u ] }",
        i=initiative,
    )
    # "reduceret risiko for tilbagefald på 45 pct. og ... genindlæggelse på 22 pct."
    assert {(Decimal(str(v)), str(u)) for v, u in claims} == {
        (Decimal(45), "percent"),
        (Decimal(22), "percent"),
    }
    assert parents(shipped, initiative, stated=False) == set()


def test_page_000_municipality_codes_match_the_reference_data(shipped: KnowledgeGraph) -> None:
    names = municipality_names()
    initiative = described_by(shipped, "000_d6f20d3739e1d98e")
    codes = rows(
        shipped,
        """SELECT ?code WHERE { ?i prov:qualifiedAssociation/prov:agent ?m .
              ?m ikg:municipalityCode ?code }""",
        i=initiative,
    )
    assert {names[str(code)] for (code,) in codes} == {"Thisted", "Aalborg", "Vejle"}


# ---------------------------------------------------------------------- 001


def test_page_001_partnership_for_social_psychiatry(shipped: KnowledgeGraph) -> None:
    initiative = described_by(shipped, "001_15b5f8f7d08a8e6b")
    assert period(shipped, initiative) == (2019, 2022)
    # "Rudersdal, Roskilde, Herning og Randers der er udvalgte partnerskabskommuner";
    # "PwC, der er ekstern leverandør". The page names no lead.
    assert participants(shipped, initiative) == {
        ("Rudersdal", "partner-municipality"),
        ("Roskilde", "partner-municipality"),
        ("Herning", "partner-municipality"),
        ("Randers", "partner-municipality"),
        ("PwC", "external-supplier"),
    }
    # "et referencenetværk bestående af 14 kommuner samt aktører fra relevante
    # interesseorganisationer": counts, not names.
    assert unnamed(shipped, initiative) == {
        (14, "municipality", "reference-network-member"),
        (None, "interest-organisation", "reference-network-member"),
    }
    named_network = rows(
        shipped,
        """SELECT ?org WHERE { ?i prov:qualifiedAssociation [ prov:agent ?org ;
              prov:hadRole role:reference-network-member ] }""",
        i=initiative,
    )
    assert named_network == []
    # "Initiativet er finansieret med 8,8 mio. kr." (the 13 mio. kr. pool that comes "derudover"
    # is the partner municipalities', see test_page_001s_pool_is_not_the_initiatives_money)
    assert sorted(grants(shipped, initiative).values()) == [Decimal("8800000")]
    assert agreement_of(shipped, initiative) == {"Satspuljeaftalen på sundhedsområdet 2019-2022"}
    # "er et af de seks delinitiativerne der høre under initiativet 'Styrket kvalitet i
    # socialpsykiatrien'"
    # page 006 names its track: "1. En strategisk udvikling og omlægning samt styrkelse af viden og
    # kompetencer"
    assert parents(shipped, initiative) == {
        "Styrket kvalitet i socialpsykiatrien",
        "En strategisk udvikling og omlægning samt styrkelse af viden og kompetencer",
    }
    (count,) = rows(
        shipped,
        "SELECT ?n WHERE { ?p rdfs:label 'Styrket kvalitet i socialpsykiatrien'@da ; ikg:statedPartCount ?n }",
    )[0]
    assert int(str(count)) == 6
    assert last_updated(shipped, "001_15b5f8f7d08a8e6b") == "2021-03-11"  # "11-03-2021"


def test_page_001_lead_is_coded_not_stated(shipped: KnowledgeGraph) -> None:
    initiative = described_by(shipped, "001_15b5f8f7d08a8e6b")
    stated = participants(shipped, initiative, stated=True)
    everything = participants(shipped, initiative, stated=False)
    assert ("Socialstyrelsen", "lead") not in stated
    assert everything - stated == {("Socialstyrelsen", "lead")}


# ---------------------------------------------------------------------- 002


def test_page_002_generic_model_for_care_pathways(shipped: KnowledgeGraph) -> None:
    initiative = described_by(shipped, "002_16b4a428f24da617")
    assert period(shipped, initiative) == (2014, 2017)
    # "Samarbejdsparter: Sundhedsstyrelsen, Beskæftigelsesministeriet, Børne- og
    # Socialministeriet, Uddannelses- og Forskningsministeriet." and "De tre regioner er:
    # Region Sjælland, Region Syddanmark, Region Nordjylland."
    assert participants(shipped, initiative) == {
        ("Socialstyrelsen", "lead"),
        ("Sundhedsstyrelsen", "co-operating-authority"),
        ("Beskæftigelsesministeriet", "partner"),
        ("Børne- og Socialministeriet", "partner"),
        ("Uddannelses- og Forskningsministeriet", "partner"),
        ("Region Sjælland", "grant-recipient"),
        ("Region Syddanmark", "grant-recipient"),
        ("Region Nordjylland", "grant-recipient"),
    }
    # "i alt afsat 13 mio. kr. ..., hvoraf 1 mio. kr. ... og 12 mio. kr. udmeldes i en
    # ansøgningspulje": one grant of 13 mio., split in two.
    assert list(grants(shipped, initiative).values()) == [Decimal("13000000")]
    assert agreement_of(shipped, initiative) == {"Satspuljen på psykiatriområdet 2014-2017"}
    parts = rows(
        shipped,
        """SELECT ?value WHERE { ?part ikg:allocationOf [ schema:fundedItem ?i ] ;
              schema:amount/schema:value ?value }""",
        i=initiative,
    )
    assert sorted(Decimal(str(v)) for (v,) in parts) == [Decimal("1000000"), Decimal("12000000")]
    # "Der er ikke planlagt en evaluering af den generiske model"
    assert (
        initiative,
        URIRef("https://w3id.org/initiative-kg/ontology#evaluationPlanned"),
        Literal(False),
    ) in shipped.union()
    assert last_updated(shipped, "002_16b4a428f24da617") == "2017-09-25"  # "25/09 2017"


# ---------------------------------------------------------------------- 003


def test_page_003_knowledge_mapping_of_interventions_for_relatives(shipped: KnowledgeGraph) -> None:
    initiative = described_by(shipped, "003_2c1dc067afd214bc")
    # "Socialstyrelsen har derfor bedt VIVE om afdække viden"
    assert participants(shipped, initiative) == {
        ("Socialstyrelsen", "lead"),
        ("VIVE", "external-supplier"),
    }
    (count,) = rows(shipped, "SELECT ?n WHERE { ?i ikg:mappedInterventionCount ?n }", i=initiative)[
        0
    ]
    assert int(str(count)) == 18  # "kortlægning af 18 indsatser fra Danmark"
    published = rows(
        shipped,
        "SELECT ?d WHERE { ?page dcterms:identifier '003_2c1dc067afd214bc' ; schema:datePublished ?d }",
    )
    assert [str(d) for (d,) in published] == ["2022-04-07"]
    elements = rows(
        shipped,
        """SELECT ?label WHERE { ?e skos:inScheme ?scheme ; skos:prefLabel ?label .
              ?scheme prov:wasDerivedFrom source:003_2c1dc067afd214bc .
              FILTER (LANG(?label) = "da") }""",
    )
    assert {str(label) for (label,) in elements} == {
        "Individuelt tilbud",
        "Gruppetilbud",
        "Undervisning (mestring)",
        "Peer to peer",
        "Vejledning og koordinering",
        "Familie- og netværkstilbud",
        "Organisationsudvikling",
    }


# ---------------------------------------------------------------------- 004


def test_page_004_spreading_the_use_of_peers(shipped: KnowledgeGraph) -> None:
    initiative = described_by(shipped, "004_3f2385aee20403ac")
    assert period(shipped, initiative) == (2023, 2026)
    assert participants(shipped, initiative) == {("Social- og Boligstyrelsen", "lead")}
    # "støtte 20 kommuner" and "En ekstern leverandør": counts, not names
    assert unnamed(shipped, initiative) == {
        (20, "municipality", "partner-municipality"),
        (1, None, "external-supplier"),
    }
    assert list(grants(shipped, initiative).values()) == [Decimal("10500000")]  # "10,5 mio. kr."
    assert agreement_of(shipped, initiative) == {
        "Reserven til foranstaltninger på social-, sundheds- og arbejdsmarkedsområdet 2023-2026 (SSA23)"
    }
    # "er en del af Aftale om en 10-årsplan ... og udgør ét af to delinitiativer under
    # Kvalitetsløft i socialpsykiatrien. Det andet initiativ er 'Etablering af et tværgående
    # indsatsteam'."
    assert parents(shipped, initiative) == {
        "Kvalitetsløft i socialpsykiatrien",
        "Aftale om en 10-årsplan for psykiatrien og mental sundhed",
    }
    siblings = rows(
        shipped,
        """SELECT ?label WHERE { ?s ikg:partOf ?p . ?i ikg:partOf ?p . ?s rdfs:label ?label .
              ?p rdfs:label 'Kvalitetsløft i socialpsykiatrien'@da . FILTER (?s != ?i) }""",
        i=initiative,
    )
    assert [str(label) for (label,) in siblings] == ["Etablering af et tværgående indsatsteam"]
    plan_date = rows(
        shipped,
        "SELECT ?d WHERE { ?p rdfs:label 'Aftale om en 10-årsplan for psykiatrien og mental sundhed'@da ; dcterms:date ?d }",
    )
    assert plan_date == [(Literal("2022-09", datatype=XSD.gYearMonth),)]  # "fra september 2022"
    assert last_updated(shipped, "004_3f2385aee20403ac") is None  # the page gives no date


# ---------------------------------------------------------------------- across pages


def test_the_agency_leads_all_five_described_initiatives_through_its_rename(
    shipped: KnowledgeGraph,
) -> None:
    """A query for "initiatives led by the agency" follows the ORG change event both ways."""
    found = rows(
        shipped,
        """SELECT DISTINCT ?i WHERE {
              ?page schema:mainEntity ?i ; ikg:seedFile ?file .
              ?i prov:qualifiedAssociation [ prov:hadRole role:lead ; prov:agent ?lead ] .
              ?event a org:ChangeEvent ; org:originalOrganization ?old ; org:resultingOrganization ?new .
              ?new rdfs:label "Social- og Boligstyrelsen"@da .
              FILTER (?lead IN (?old, ?new)) }""",
    )
    assert len(found) == 5


def test_only_coded_links_use_intervention_elements(shipped: KnowledgeGraph) -> None:
    """Linking page 000's project to 'Organisationsudvikling' is coding, not a statement."""
    initiative = described_by(shipped, "000_d6f20d3739e1d98e")
    query = """SELECT ?label WHERE { GRAPH ?g { ?i ikg:usesInterventionElement ?e }
                 ?e skos:prefLabel ?label . FILTER (LANG(?label) = "da") %s }"""
    coded = rows(shipped, query % "?g a ikg:CodedGraph .", i=initiative)
    stated = rows(shipped, query % "FILTER NOT EXISTS { ?g a ikg:CodedGraph }", i=initiative)
    assert [str(label) for (label,) in coded] == ["Organisationsudvikling"]
    assert stated == []
    rationale = rows(
        shipped,
        """SELECT ?why WHERE { ?c rdf:subject ?i ; rdf:predicate ikg:usesInterventionElement ;
              ikg:rationale ?why ; prov:wasDerivedFrom source:000_d6f20d3739e1d98e }""",
        i=initiative,
    )
    assert len(rationale) == 1


# The five seed pages, by their file names (the source identifiers the data uses).
SEEDS = (
    "000_d6f20d3739e1d98e",
    "001_15b5f8f7d08a8e6b",
    "002_16b4a428f24da617",
    "003_2c1dc067afd214bc",
    "004_3f2385aee20403ac",
)


def untraced_statements(kg: KnowledgeGraph, seed: str) -> list[tuple[Node, Node, Node]]:
    """The statements of a page's graph that do not trace to that page: each statement's
    subject (a blank node is followed up to the resource that holds it) must be the graph
    itself, the source page, or a resource that says it was derived from the page."""
    graph_name = URIRef(f"{ID}graph/{seed}")
    source = URIRef(f"{ID}source/{seed}")
    named = kg.dataset.graph(graph_name)
    holder = {o: s for s, _, o in named if isinstance(o, BNode)}

    def resource(node: Node) -> Node:
        seen: set[Node] = set()
        while isinstance(node, BNode) and node in holder and node not in seen:
            seen.add(node)
            node = holder[node]
        return node

    traced = {graph_name, source} | set(named.subjects(PROV.wasDerivedFrom, source))
    return [(s, p, o) for s, p, o in named if resource(s) not in traced]


@pytest.mark.parametrize("seed", SEEDS)
def test_every_statement_of_a_page_graph_traces_to_that_page(
    shipped: KnowledgeGraph, seed: str
) -> None:
    """Guards the provenance rule: a statement added to a page's file about a resource that
    does not say it comes from that page (or a blank node held by nothing) fails here."""
    graph_name = URIRef(f"{ID}graph/{seed}")
    source = URIRef(f"{ID}source/{seed}")
    named = shipped.dataset.graph(graph_name)
    assert len(named) > 20
    assert set(named.objects(graph_name, PROV.wasDerivedFrom)) == {source}
    # no resource in the page's graph claims another source
    assert set(named.objects(None, PROV.wasDerivedFrom)) == {source}
    assert (source, DCTERMS.identifier, Literal(seed)) in named
    assert untraced_statements(shipped, seed) == []


def test_a_statement_that_does_not_trace_to_its_page_is_found(tmp_path: Path) -> None:
    """The check above can fail: a page file with one stray statement about a resource that
    is not derived from the page, and one blank node nothing holds."""
    seed = SEEDS[4]
    original = REPO / "data" / "initiatives" / "004-udbrede-anvendelse-af-peers.ttl"
    edited = tmp_path / original.name
    edited.write_text(
        original.read_text(encoding="utf-8")
        + '\norganisation:pwc rdfs:comment "stray" .\n[] rdfs:comment "loose" .\n',
        encoding="utf-8",
    )
    kg = KnowledgeGraph.load([edited], background="none")
    found = {str(o) for _, _, o in untraced_statements(kg, seed)}
    assert found == {"stray", "loose"}


def test_every_seed_page_is_a_source(shipped: KnowledgeGraph) -> None:
    identifiers = rows(
        shipped,
        "SELECT ?id ?file WHERE { ?page a ikg:SourcePage ; dcterms:identifier ?id ; ikg:seedFile ?file }",
    )
    assert sorted(str(i) for (i, _) in identifiers) == list(SEEDS)
    assert all(str(file) == f"{i}.txt" for (i, file) in identifiers)


# ---------------------------------------------------------------------- corrections (issue 15)


def in_graphs(kg: KnowledgeGraph, pattern: str, **bindings: object) -> set[str]:
    """The kinds of graph ('coded' or 'stated') that hold a triple pattern over ?s ?p ?o."""
    found = rows(
        kg,
        f"""SELECT DISTINCT ?coded WHERE {{ GRAPH ?g {{ {pattern} }}
              BIND (EXISTS {{ ?g a ikg:CodedGraph }} AS ?coded) }}""",
        **bindings,
    )
    return {"coded" if coded.toPython() else "stated" for (coded,) in found}  # type: ignore[attr-defined]


def test_page_001_states_no_legal_basis_and_page_004_does(shipped: KnowledgeGraph) -> None:
    """Page 001 names serviceloven only in a national statistic; page 004 says its target group
    'modtager støtte efter serviceloven'."""
    law = URIRef(f"{ID}legislation/serviceloven")
    pattern = "?s ikg:legalBasis ?o"
    page_001 = described_by(shipped, "001_15b5f8f7d08a8e6b")
    page_004 = described_by(shipped, "004_3f2385aee20403ac")
    assert in_graphs(shipped, pattern, s=page_001, o=law) == set()
    assert in_graphs(shipped, pattern, s=page_004, o=law) == {"stated"}


def test_page_003_gives_the_news_item_a_date_and_the_report_none(shipped: KnowledgeGraph) -> None:
    report = URIRef(f"{ID}publication/vidensafdaekning-indsatser-til-paaroerende")
    assert rows(shipped, "SELECT ?d WHERE { ?r dcterms:issued ?d }", r=report) == []
    published = rows(
        shipped,
        "SELECT ?d WHERE { ?p dcterms:identifier '003_2c1dc067afd214bc' ; schema:datePublished ?d }",
    )
    assert [str(d) for (d,) in published] == ["2022-04-07"]  # the news item's "07-04-2022"


def test_the_element_definitions_are_the_curators_not_page_003s(shipped: KnowledgeGraph) -> None:
    """Page 003 gives the seven elements' names only: the vocabulary says no more, and the
    curators' working definitions are scope notes in the coded graph."""
    definitions = rows(
        shipped,
        """SELECT ?e ?d WHERE { ?e skos:inScheme ?scheme ; skos:definition ?d .
              ?scheme prov:wasDerivedFrom source:003_2c1dc067afd214bc . ?e a skos:Concept }""",
    )
    assert len(definitions) == 14  # seven elements, in Danish and English
    for _, definition in definitions:
        assert "kun elementets navn" in str(definition) or "only its name" in str(definition)
    for element, _ in definitions:
        assert in_graphs(shipped, "?s skos:scopeNote ?o", s=element) == {"coded"}
    codings = rows(
        shipped,
        "SELECT ?c WHERE { ?c a ikg:Coding ; rdf:predicate skos:scopeNote }",
    )
    assert len(codings) == 14


@pytest.mark.parametrize(
    "seed", ["001_15b5f8f7d08a8e6b", "002_16b4a428f24da617", "004_3f2385aee20403ac"]
)
def test_pages_not_about_relatives_are_not_coded_with_the_relatives_scheme(
    shipped: KnowledgeGraph, seed: str
) -> None:
    initiative = described_by(shipped, seed)
    assert in_graphs(shipped, "?s ikg:usesInterventionElement ?o", s=initiative) == set()


def test_vive_is_an_independent_state_institution(shipped: KnowledgeGraph) -> None:
    vive = URIRef(f"{ID}organisation/vive")
    broader = rows(
        shipped,
        "SELECT ?b WHERE { ?v org:classification/skos:broader* ?b }",
        v=vive,
    )
    kinds = {str(b).rsplit("/", 1)[-1] for (b,) in broader}
    assert kinds == {"state-institution", "public-authority"}
    assert "private-organisation" not in kinds


def test_page_001s_pool_is_not_the_initiatives_money(shipped: KnowledgeGraph) -> None:
    """ "Initiativet er finansieret med 8,8 mio. kr. Derudover oprettes en social
    investeringspulje på 13 mio. kr. til ... partnerskabskommunerne"."""
    initiative = described_by(shipped, "001_15b5f8f7d08a8e6b")
    assert grants(shipped, initiative) == {
        "Satspuljemidler til partnerskab om omlægning af socialpsykiatrien": Decimal("8800000")
    }
    (total,) = [
        row["totalDKK"]
        for row in shipped.query("funding-by-initiative").records()
        if row["initiative"] == str(initiative)
    ]
    assert total == Decimal("8800000")
    pools = rows(
        shipped,
        "SELECT ?value WHERE { ?pool a ikg:FundingPool ; ikg:poolFor ?i ; schema:amount/schema:value ?value }",
        i=initiative,
    )
    assert [Decimal(str(v)) for (v,) in pools] == [Decimal("13000000")]


def test_the_rename_is_coded_because_no_stored_page_states_it(shipped: KnowledgeGraph) -> None:
    event = URIRef(f"{ID}event/socialstyrelsen-renamed")
    assert in_graphs(shipped, "?s ?p ?o", s=event) == {"coded"}
    assert in_graphs(shipped, "?s org:changedBy ?o", o=event) == {"coded"}
    reasons = rows(shipped, "SELECT ?c WHERE { ?c a ikg:Coding ; rdf:subject ?e }", e=event)
    assert len(reasons) == 2  # its original and its resulting organisation


def test_page_000s_goals_and_evidence(shipped: KnowledgeGraph) -> None:
    initiative = described_by(shipped, "000_d6f20d3739e1d98e")
    outcomes = rows(shipped, "SELECT ?o WHERE { ?i ikg:expectedOutcome ?o }", i=initiative)
    # "fremme livskvalitet, reducere tilbagefald og genindlæggelser samt øge livskvaliteten hos
    # de pårørende"
    assert len(outcomes) == 3
    claims = rows(
        shipped,
        """SELECT ?label WHERE { ?i ikg:citesEvidence ?c . ?c rdfs:label ?label .
              FILTER NOT EXISTS { ?c schema:value ?v } }""",
        i=initiative,
    )
    # the reduced burden and the cost-effectiveness: claims without figures
    assert len(claims) == 2


def test_page_003s_findings_and_method(shipped: KnowledgeGraph) -> None:
    initiative = described_by(shipped, "003_2c1dc067afd214bc")
    (count,) = rows(shipped, "SELECT ?n WHERE { ?i ikg:interviewCount ?n }", i=initiative)
    assert int(str(count[0])) == 18  # "18 telefoninterviews"
    findings = rows(shipped, "SELECT ?c WHERE { ?i ikg:citesEvidence ?c }", i=initiative)
    assert len(findings) == 3


def test_page_002s_four_purposes(shipped: KnowledgeGraph) -> None:
    initiative = described_by(shipped, "002_16b4a428f24da617")
    purposes = rows(shipped, "SELECT ?o WHERE { ?i ikg:expectedOutcome ?o }", i=initiative)
    assert len(purposes) == 4  # "Formålet med forløbsprogrammer er: (1) ... (4)"


def test_page_001s_implementation_teams_and_programme_agreement(shipped: KnowledgeGraph) -> None:
    initiative = described_by(shipped, "001_15b5f8f7d08a8e6b")
    teams = rows(
        shipped,
        "SELECT ?m WHERE { ?i ikg:implementationTeam/org:unitOf ?m }",
        i=initiative,
    )
    # "Alle er repræsenteret i kommunernes implementeringsteams": the four partner municipalities
    assert {names for names in (municipality_names()[str(m).rsplit("/", 1)[-1]] for (m,) in teams)} == {
        "Rudersdal", "Roskilde", "Herning", "Randers"
    }  # fmt: skip
    programme = URIRef(f"{ID}initiative/styrket-kvalitet-i-socialpsykiatrien")
    agreement = URIRef(f"{ID}funding-agreement/satspuljeaftalen-sundhed-2019-2022")
    assert in_graphs(shipped, "?s ikg:underAgreement ?o", s=programme, o=agreement) == {"coded"}


def test_page_004_refers_to_page_001s_concept(shipped: KnowledgeGraph) -> None:
    found = rows(
        shipped,
        "SELECT ?p WHERE { source:004_3f2385aee20403ac dcterms:references ?p }",
    )
    assert [str(p) for (p,) in found] == [f"{ID}publication/001-konceptbeskrivelse"]


# ---------------------------------------------------------------------- the targets of issue 15

# The described initiatives with a title, a period, a lead (stated or coded) and a target group.
# The issue asks for at least 30; the stored pages read give these 31 (docs/ingest-accuracy.md
# lists the pages). The test holds the list, so that losing or gaining one is seen.
DESCRIBED = {
    # the five seed pages (003 is a knowledge mapping without a period)
    "systematisk-inddragelse-af-paaroerende", "partnerskab-om-omlaegning-af-socialpsykiatrien",
    "generisk-model-for-forloebsprogrammer", "udbrede-anvendelse-af-peers",
    # Styrket kvalitet i socialpsykiatrien and its parts (005-009)
    "styrket-kvalitet-i-socialpsykiatrien", "kompetenceudvikling-i-socialpsykiatrien",
    "guidelines-til-god-faglig-ledelse", "indsatskatalog-om-god-kvalitet-paa-botilbud",
    # the agency's other pages (010-015, 023, 024, 027, 031, 032)
    "19m-kvalitet-i-den-kommunale-indsats", "peer-stoette-initiativet",
    "kortlaegning-psykiske-vanskeligheder-og-misbrug", "bedre-indsats-misbrug-paa-botilbud",
    "sammen-paa-sporet", "modning-forebyggende-metoder-unge",
    "etablering-af-et-tvaergaaende-indsatsteam", "stoette-til-familier-med-boern-og-unge",
    "via-family-2-0", "udbredelse-af-sociale-akuttilbud", "isolerede-sindslidende-i-egen-bolig",
    # Sundhedsstyrelsen's pages (026, 033-035)
    "kompetencecenter-boern-som-paaroerende", "mere-fremskudt-regional-funktion",
    "bedre-inddragelse-gennem-civilsamfundet", "tidlig-indsats-og-forebyggelse-boern-og-unge",
    # the agency's and SUS's pages read in the second batch (036-043; 036b, 041b and 042b give
    # the leads of 036, 041 and 042; the others are coded)
    "faglige-pejlemaerker-for-kvalitet-i-den-socialpaedagogiske-bistand", "15m-puljen-2013-2016",
    "afklaringspladser", "aabne-raadgivningstilbud-til-psykisk-saarbare-unge",
    "kortlaegning-selvskade-og-spiseforstyrrelse",
    "indsats-til-unge-med-selvskade-og-spiseforstyrrelse",
    "udbredelse-af-aaben-dialog-paa-ungeomraadet", "forebyggende-social-mentorordning",
}  # fmt: skip


def test_issue_15_described_initiatives(shipped: KnowledgeGraph) -> None:
    found = rows(
        shipped,
        """SELECT DISTINCT ?i WHERE { ?page schema:mainEntity ?i .
              ?i rdfs:label ?title ; ikg:period ?period ; ikg:targetGroup ?group ;
                 prov:qualifiedAssociation [ prov:hadRole role:lead ] }""",
    )
    assert {str(i).rsplit("/", 1)[-1] for (i,) in found} == DESCRIBED
    assert len(DESCRIBED) >= 30  # the issue's target


def test_issue_15_at_least_eight_funding_agreements(shipped: KnowledgeGraph) -> None:
    found = rows(shipped, "SELECT DISTINCT ?a WHERE { ?a a ikg:FundingAgreement }")
    assert len(found) >= 8, sorted(str(a) for (a,) in found)


def test_issue_15_every_programme_is_connected_to_the_parts_it_counts(
    shipped: KnowledgeGraph,
) -> None:
    programmes = rows(
        shipped,
        """SELECT ?p (SAMPLE(?n) AS ?count) (COUNT(DISTINCT ?part) AS ?parts) WHERE {
              ?p ikg:statedPartCount ?n .
              OPTIONAL { ?part ikg:partOf ?p . FILTER NOT EXISTS { ?part a ikg:Programme } }
            } GROUP BY ?p""",
    )
    # Styrket kvalitet (6, page 006), its two tracks (3 each), Kvalitetsløft (2, page 004)
    assert len(programmes) == 4
    for programme, count, parts in programmes:
        assert int(str(count)) == int(str(parts)), programme


def test_issue_15_municipalities_and_amounts_the_pages_name_are_linked(
    shipped: KnowledgeGraph,
) -> None:
    def agents(initiative: str) -> set[str]:
        found = rows(
            shipped,
            "SELECT ?a WHERE { ?i prov:qualifiedAssociation/prov:agent ?a }",
            i=URIRef(f"{ID}initiative/{initiative}"),
        )
        return {str(a).split("/id/", 1)[1] for (a,) in found}

    # page 019: "Psykiatrien i Region Nordjylland", "Køge Kommune", "Lejre Kommune", "Psykiatrien i
    # Region Syddanmark", "Hillerød Kommune", "Favrskov Kommune", "Thisted Kommune", "Psykiatrisk
    # Center Amager, Region Hovedstadens"
    assert agents("udbredelse-og-forankring-af-peers-indsatser") >= {
        "region/1081", "municipality/259", "municipality/350", "region/1083",
        "municipality/219", "municipality/710", "municipality/787", "region/1084",
    }  # fmt: skip
    # page 025: "i samarbejde med Viborg, Skive, Herning og Århus Kommuner"
    assert agents("naar-cykelhjelm-ikke-er-nok") >= {
        "municipality/791", "municipality/779", "municipality/657", "municipality/751"
    }  # fmt: skip
    amounts = rows(
        shipped,
        """SELECT DISTINCT ?thing ?value WHERE {
              ?thing (schema:amount|ikg:totalAmount)/schema:value ?value ;
              prov:wasDerivedFrom ?page . ?page dcterms:identifier ?id .
              FILTER (STRSTARTS(?id, "0") && ?id >= "005") }""",
    )
    # 016 410 mio.; 017 6 mio.; 019 20,5 mio.; 024 7 mio.; 025 11.136.245 kr.; 026 11 mio.;
    # 029 140 mio.; 030 2 x 5,9 mio.; 033 22,2 mio.; 034 12,8 mio.; 035 13,2 mio. split 12 + 1,2;
    # 018 "13,0 mio. kr.", the pool of page 001; the pools of 038b "27.160.000 kr.", 041b "10,0 mio.
    # kr." and 043b "14,55 mio. kr."
    assert sorted(Decimal(str(v)) for (_, v) in amounts) == sorted(
        Decimal(x)
        for x in (
            "410000000", "6000000", "20500000", "7000000", "11136245", "11000000", "140000000",
            "5900000", "5900000", "22200000", "12800000", "13200000", "12000000", "1200000",
            "13000000", "27160000", "10000000", "14550000",
        )
    )  # fmt: skip
