"""The ontology, the SKOS vocabularies and the shapes' messages: every term labelled in Danish
and English, defined, and reusing the standard vocabularies where they fit; every message of
every constraint in both languages."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS

from initiative_kg.assets import layout
from initiative_kg.namespaces import IKG, ONTOLOGY_IRI

ONTOLOGY = Graph().parse(layout().ontology_dir / "initiative-kg.ttl")
VOCABULARIES = {
    path.stem: Graph().parse(path) for path in sorted(layout().vocabulary_dir.glob("*.ttl"))
}
TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
TERMS = sorted(
    {s for t in TERM_TYPES for s in ONTOLOGY.subjects(RDF.type, t) if str(s).startswith(str(IKG))}
)


def test_every_vocabulary_and_term_is_found() -> None:
    """The tests below loop over the vocabularies and terms found at run time; this pins how
    many there are, so that a missing file or a term that lost its type fails here instead of
    leaving a loop with less (or nothing) to check. Update it when a term or scheme is added."""
    assert sorted(VOCABULARIES) == ["intervention-elements", "organisation-types", "roles",
                                    "target-groups"]  # fmt: skip
    assert len(TERMS) == 84


def test_the_ontology_header() -> None:
    ontology = URIRef(ONTOLOGY_IRI)
    assert (ontology, RDF.type, OWL.Ontology) in ONTOLOGY
    assert str(ONTOLOGY_IRI).startswith("https://w3id.org/")
    assert ONTOLOGY.value(ontology, OWL.versionInfo) is not None
    assert ONTOLOGY.value(ontology, OWL.versionIRI) is not None
    assert ONTOLOGY.value(ontology, URIRef("http://purl.org/dc/terms/license")) is not None


@pytest.mark.parametrize("term", TERMS, ids=[t.split("#")[1] for t in TERMS])
def test_every_term_is_labelled_in_danish_and_english_and_defined(term: URIRef) -> None:
    languages = {label.language for label in ONTOLOGY.objects(term, RDFS.label)}  # type: ignore[attr-defined]
    assert {"da", "en"} <= languages
    assert ONTOLOGY.value(term, SKOS.definition) is not None
    assert ONTOLOGY.value(term, RDFS.isDefinedBy) == URIRef(ONTOLOGY_IRI)


def test_the_ontology_reuses_the_standard_vocabularies() -> None:
    superclass = {
        IKG.Initiative: URIRef("http://www.w3.org/ns/prov#Activity"),
        IKG.Municipality: URIRef("http://www.w3.org/ns/org#FormalOrganization"),
        IKG.Participation: URIRef("http://www.w3.org/ns/prov#Association"),
        IKG.Grant: URIRef("https://schema.org/Grant"),
        IKG.EvidenceClaim: URIRef("https://schema.org/Claim"),
        IKG.ContactPerson: URIRef("https://schema.org/Person"),
    }
    for ours, theirs in superclass.items():
        assert (ours, RDFS.subClassOf, theirs) in ONTOLOGY
    assert (IKG.partOf, RDFS.subPropertyOf, URIRef("http://purl.org/dc/terms/isPartOf")) in ONTOLOGY
    assert (
        IKG.period,
        RDFS.subPropertyOf,
        URIRef("http://www.w3.org/2006/time#hasTime"),
    ) in ONTOLOGY
    # the standard terms are used as they are, not re-invented under our namespace
    ours = {str(term).split("#")[1] for term in TERMS}
    assert not ours & {
        "Organization",
        "Organisation",
        "Concept",
        "MonetaryAmount",
        "wasDerivedFrom",
    }


@pytest.mark.parametrize("name", sorted(VOCABULARIES))
def test_every_concept_is_labelled_defined_and_in_its_scheme(name: str) -> None:
    graph = VOCABULARIES[name]
    (scheme,) = list(graph.subjects(RDF.type, SKOS.ConceptScheme))
    concepts = list(graph.subjects(RDF.type, SKOS.Concept))
    assert concepts
    for concept in concepts:
        assert {label.language for label in graph.objects(concept, SKOS.prefLabel)} == {"da", "en"}  # type: ignore[attr-defined]
        assert graph.value(concept, SKOS.definition) is not None
        assert (concept, SKOS.inScheme, scheme) in graph
        for broader in graph.objects(concept, SKOS.broader):
            assert (broader, SKOS.narrower, concept) in graph, (concept, broader)


def test_the_seven_intervention_elements_of_page_003() -> None:
    graph = VOCABULARIES["intervention-elements"]
    labels = sorted(
        (str(graph.value(c, SKOS.notation)), str(label))
        for c in graph.subjects(RDF.type, SKOS.Concept)
        for label in graph.objects(c, SKOS.prefLabel)
        if label.language == "da"  # type: ignore[attr-defined]
    )
    # page 003: "På tværs af de udvalgte indsatser identificeres i alt syv indsatselementer"
    assert [label for _, label in labels] == [
        "Individuelt tilbud",
        "Gruppetilbud",
        "Undervisning (mestring)",
        "Peer to peer",
        "Vejledning og koordinering",
        "Familie- og netværkstilbud",
        "Organisationsudvikling",
    ]


def test_target_groups_have_the_relatives_hierarchy() -> None:
    graph = VOCABULARIES["target-groups"]
    tg = "https://w3id.org/initiative-kg/vocab/target-group/"
    narrower = {str(n) for n in graph.objects(URIRef(tg + "relatives"), SKOS.narrower)}
    assert narrower == {tg + "child-relatives", tg + "young-relatives", tg + "adult-relatives"}


def test_every_role_the_issue_names_is_in_the_role_scheme() -> None:
    graph = VOCABULARIES["roles"]
    role = "https://w3id.org/initiative-kg/vocab/role/"
    for name in (
        "lead",
        "co-operating-authority",
        "partner-municipality",
        "reference-network-member",
        "grant-recipient",
        "external-supplier",
        "funder",
    ):
        assert (URIRef(role + name), RDF.type, SKOS.Concept) in graph, name


def test_every_constraint_has_its_message_in_danish_and_english() -> None:
    """Each property shape and SPARQL constraint (not only the node shapes) carries exactly
    one message in Danish and one in English, or inherits both from its node shape: a report in
    --lang da must never fall back to English, nor show two messages for one result."""
    shapes = Graph()
    for path in layout().shape_files():
        shapes.parse(path)
    node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape))
    constraints = [(node, constraint) for node in node_shapes
                   for predicate in (SH.property, SH.sparql)
                   for constraint in shapes.objects(node, predicate)]  # fmt: skip
    assert (len(node_shapes), len(constraints)) == (31, 68)  # update when a shape is added

    def languages(subject: object) -> list[str | None]:
        return sorted(m.language or "" for m in shapes.objects(subject, SH.message))  # type: ignore[attr-defined]

    for node, constraint in constraints:
        own = languages(constraint)
        assert (own or languages(node)) == ["da", "en"], (node, constraint)
    for subject in set(shapes.subjects(SH.message, None)):
        assert languages(subject) == ["da", "en"], subject


def test_the_vocabularies_provenance_points_at_described_shipped_resources(shipped) -> None:  # type: ignore[no-untyped-def]
    """The no-dangling-links shape leaves out the vocabularies' own provenance links (so that
    --standalone works without the shipped pages); this checks them on the shipped graph."""
    from rdflib.namespace import DCTERMS, PROV

    links = {
        (concept, target)
        for graph in VOCABULARIES.values()
        for predicate in (PROV.wasDerivedFrom, DCTERMS.source)
        for concept, target in graph.subject_objects(predicate)
    }
    assert len(links) >= 8  # the scheme and the seven elements cite page 003
    undescribed = {
        (concept, target) for concept, target in links if not any(shipped.objects(target, RDF.type))
    }
    assert undescribed == set()
