"""pySHACL's SPARQL texts parsed once per process (initiative_kg.sparql_parse_cache): the same
answers as rdflib's own processor, each binding its own answer, and rdflib's processor back
afterwards."""

from __future__ import annotations

from pathlib import Path

import pyshacl
from rdflib import Graph, Literal, URIRef
from rdflib.compare import to_isomorphic
from rdflib.namespace import SH
from rdflib.plugin import get as plugin_get
from rdflib.plugins.sparql.processor import SPARQLProcessor
from rdflib.query import Processor

from initiative_kg.assets import layout
from initiative_kg.namespaces import IKGSH
from initiative_kg.sparql_parse_cache import (
    CachingSPARQLProcessor,
    forget_parses,
    parsed_once,
    parses_so_far,
)
from initiative_kg.store import KnowledgeGraph
from initiative_kg.validation import validate
from tests.conftest import REPO, TEST_DATA
from tests.test_validation import expected_shape

EX = "http://example.org/"

# a SPARQL target and a SPARQL constraint with pre-bound $this (the uses the cache is for)
SPARQL_CASE = TEST_DATA / "invalid" / "DeclaredTermShape--misspelled-property.ttl"
# another case beside the ontology only (it names no municipality)
OTHER_CASE = TEST_DATA / "invalid" / "DataGraphShape--no-source.ttl"


def test_each_binding_gets_its_own_answer_from_one_parse() -> None:
    graph = Graph()
    graph.add((URIRef(EX + "a"), URIRef(EX + "p"), Literal(1)))
    graph.add((URIRef(EX + "b"), URIRef(EX + "p"), Literal(2)))
    text = f"SELECT ?v WHERE {{ ?this <{EX}p> ?v }} # {__name__} one parse"
    with parsed_once():
        before = parses_so_far()
        answers = [
            [row[0] for row in graph.query(text, initBindings={"this": URIRef(EX + name)})]
            for name in ("a", "b", "a")
        ]
        assert parses_so_far() - before == 1
    assert answers == [[Literal(1)], [Literal(2)], [Literal(1)]]


def test_rdflibs_processor_is_back_after_the_block_and_in_it_only_once_nested() -> None:
    assert plugin_get("sparql", Processor) is SPARQLProcessor
    with parsed_once():
        with parsed_once():
            assert plugin_get("sparql", Processor) is CachingSPARQLProcessor
        assert plugin_get("sparql", Processor) is CachingSPARQLProcessor
    assert plugin_get("sparql", Processor) is SPARQLProcessor


def _pyshacl_report(case: Path) -> Graph:
    data = Graph()
    for path in [*layout().ontology_files(), case]:
        data.parse(path)
    shapes = Graph()
    for path in layout().shape_files():
        shapes.parse(path)
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True)
    assert isinstance(report, Graph)
    return report


def test_pyshacl_reports_the_same_with_the_cache_as_without() -> None:
    plain = _pyshacl_report(SPARQL_CASE)
    with parsed_once():
        cached = _pyshacl_report(SPARQL_CASE)
    # the case breaks its rule, which a SPARQL constraint checks
    assert (None, SH.sourceShape, IKGSH["DeclaredTermShape"]) in plain
    assert to_isomorphic(cached) == to_isomorphic(plain)


def test_the_reference_engine_parses_each_text_once_across_runs() -> None:
    forget_parses()
    first = KnowledgeGraph.load([SPARQL_CASE], background="none")
    report = validate(first, engine="rdflib", relative_to=REPO)
    assert expected_shape(SPARQL_CASE) in {r.shape for r in report.results}
    parsed = parses_so_far()
    assert parsed >= 5  # the shapes' SPARQL targets and constraints
    # the same shapes on other data: every text is already parsed
    again = validate(KnowledgeGraph.load([OTHER_CASE], background="none"), engine="rdflib")
    assert expected_shape(OTHER_CASE) in {r.shape for r in again.results}
    assert parses_so_far() == parsed
