"""Data comes out as it went in: every literal keeps its lexical form, datatype and language tag
through the views, validation, query results and the release dumps, although Oxigraph's store
rewrites numbers, booleans and dates into canonical form (issue 12, point 5)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph
import pyshacl
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import to_isomorphic
from rdflib.namespace import SH, XSD

from initiative_kg.release import build
from initiative_kg.store import KnowledgeGraph, parse_rdf_file
from initiative_kg.terms import to_rdflib
from initiative_kg.validation import validate

EX = "http://example.org/"

# Each literal below is one Oxigraph's store would keep in another form (or, for the gYear and
# the well-formed xsd:byte beside an ill-formed one, the control that it keeps as it is).
DATA = """\
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

ex:a ex:int "5"^^xsd:int ;
    ex:byte "127"^^xsd:byte ;
    ex:notAByte "c"^^xsd:byte ;
    ex:positive "007"^^xsd:positiveInteger ;
    ex:year "2020"^^xsd:gYear ;
    ex:amount "10500000.00"^^xsd:decimal ;
    ex:flag "1"^^xsd:boolean , true ;
    ex:label "Hej"@DA-dk .

ex:b ex:amount [ ex:value 1.0 ] .
"""

SHAPES = """\
@prefix ex: <http://example.org/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

ex:TypesShape a sh:NodeShape ;
    sh:targetNode ex:a ;
    sh:property [ sh:path ex:int ; sh:datatype xsd:int ] ,
        [ sh:path ex:int ; sh:datatype xsd:integer ] ,
        [ sh:path ex:byte ; sh:datatype xsd:byte ] ,
        [ sh:path ex:byte ; sh:datatype xsd:integer ] ,
        [ sh:path ex:notAByte ; sh:datatype xsd:byte ] ,
        [ sh:path ex:positive ; sh:datatype xsd:positiveInteger ] ,
        [ sh:path ex:year ; sh:datatype xsd:gYear ] ,
        [ sh:path ex:amount ; sh:datatype xsd:decimal ] ,
        [ sh:path ex:flag ; sh:datatype xsd:boolean ] ,
        [ sh:path ex:label ; sh:datatype rdf:langString ] .
"""


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    path = tmp_path / "literals.ttl"
    path.write_text(DATA, encoding="utf-8")
    return path


@pytest.fixture
def shapes_file(tmp_path: Path) -> Path:
    path = tmp_path / "literals.shapes.ttl"
    path.write_text(SHAPES, encoding="utf-8")
    return path


def as_written(path: Path) -> Graph:
    """The file's triples exactly as written (Oxigraph's parser keeps every lexical form; only
    language tags are lower-cased, which RDF 1.1 allows: they compare case-insensitively)."""
    graph = Graph()
    parse_rdf_file(graph, path)
    return graph


def test_the_written_forms_are_the_expected_terms(data_file: Path) -> None:
    """Guards the fixture itself: the reference graph holds the forms the file writes."""
    graph = as_written(data_file)
    objects = set(graph.objects())
    for lexical, datatype in [
        ("5", XSD.int),
        ("127", XSD.byte),
        ("007", XSD.positiveInteger),
        ("10500000.00", XSD.decimal),
        ("1", XSD.boolean),
        ("true", XSD.boolean),
        ("1.0", XSD.decimal),
    ]:
        assert Literal(lexical, datatype=datatype, normalize=False) in objects
    assert len(graph) == 11


def test_the_store_says_it_is_not_exact_and_why(data_file: Path) -> None:
    kg = KnowledgeGraph.load([data_file], background="bare")
    assert not kg.exact
    rewritten = {(example.written, example.stored) for example in kg.rewritten_literals()}
    assert (f'"127"^^<{XSD.byte}>', f'"127"^^<{XSD.integer}>') in rewritten
    assert (f'"10500000.00"^^<{XSD.decimal}>', f'"10500000"^^<{XSD.decimal}>') in rewritten
    assert all(example.path == data_file for example in kg.rewritten_literals())
    assert f"{data_file}:" in kg.inexact_reason()


def test_canonical_data_is_exact(tmp_path: Path) -> None:
    path = tmp_path / "canonical.ttl"
    path.write_text(
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        '<http://example.org/a> <http://example.org/p> "10500000"^^xsd:decimal , 7 , true ,\n'
        '    "2020"^^xsd:gYear , "2020-01-01"^^xsd:date , "x"@da .\n',
        encoding="utf-8",
    )
    assert KnowledgeGraph.load([path], background="bare").exact


def test_the_shipped_graph_is_exact(shipped: KnowledgeGraph) -> None:
    """The shipped data is written in canonical form, so the default engines run on it."""
    assert shipped.exact, shipped.rewritten_literals()[:3]


def test_the_views_hold_every_literal_as_written(data_file: Path) -> None:
    kg = KnowledgeGraph.load([data_file], background="bare")
    assert to_isomorphic(kg.union()) == to_isomorphic(as_written(data_file))
    assert len(kg.union()) == 11  # "1" and true stay two booleans


def test_query_results_keep_the_written_literals(data_file: Path) -> None:
    kg = KnowledgeGraph.load([data_file], background="bare")
    text = f"SELECT ?o WHERE {{ <{EX}a> ?p ?o }}"
    expected = Counter(o for o in as_written(data_file).objects(URIRef(f"{EX}a"), None))
    for engine in ("oxigraph", "rdflib"):
        rows = kg.engine(engine).execute(text).rows
        assert Counter(row[0] for row in rows) == expected, engine


def test_a_query_on_rewritten_data_warns_and_uses_the_exact_engine(
    data_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    kg = KnowledgeGraph.load([data_file], background="bare")
    assert kg.engine("oxigraph").name == "rdflib"
    assert "Oxigraph would store" in caplog.text


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_datatype_verdicts_are_pyshacls_on_the_original_file(
    data_file: Path, shapes_file: Path, engine: str
) -> None:
    reference_data = Graph().parse(data_file)
    shapes = Graph().parse(shapes_file)
    _, report_graph, _ = pyshacl.validate(reference_data, shacl_graph=shapes, inference="none")
    expected = Counter(
        (str(report_graph.value(r, SH.resultPath)), str(report_graph.value(r, SH.value)))
        for r in report_graph.objects(None, SH.result)
    )
    # On the file as written: xsd:int is not xsd:integer, "c" is no byte; nothing else fails.
    assert expected == Counter(
        {(f"{EX}int", "5"): 1, (f"{EX}byte", "127"): 1, (f"{EX}notAByte", "c"): 1}
    )
    report = validate(data=[data_file], shapes=[shapes_file], engine=engine)  # type: ignore[arg-type]
    found = Counter(
        (str(r.raw.path), str(r.raw.value)) for r in report.results if r.raw is not None
    )
    assert found == expected


def test_a_release_dump_gives_the_literals_back_as_written(data_file: Path, tmp_path: Path) -> None:
    release = tmp_path / "release"
    # The writer of `ikg build` (the command also validates against the project's shapes,
    # which this file is not written for).
    build(KnowledgeGraph.load([data_file], background="bare"), release)
    graph_name = data_file.resolve().as_uri()
    for dump in ("initiative-kg.nq",):
        quads = pyoxigraph.parse(path=str(release / dump))
        mine = Graph()
        for quad in quads:
            if getattr(quad.graph_name, "value", None) == graph_name:
                mine.add(
                    (to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object))
                )  # type: ignore[arg-type]
        assert to_isomorphic(mine) == to_isomorphic(as_written(data_file)), dump
    turtle = Graph()
    parse_rdf_file(turtle, release / "initiative-kg.ttl")
    for triple in as_written(data_file).triples((URIRef(f"{EX}a"), None, None)):
        assert triple in turtle, triple


def test_a_number_beyond_oxigraphs_range_is_handed_to_the_exact_engines(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A grant of 1E21 kroner is a well-formed xsd:decimal that Oxigraph keeps as written but
    cannot compare or add; the engines must not call it ill-typed or below zero."""
    data = tmp_path / "big.ttl"
    data.write_text(
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        '<http://example.org/a> <http://example.org/amount> "1000000000000000000000"^^xsd:decimal .\n',
        encoding="utf-8",
    )
    shapes = tmp_path / "big.shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "<http://example.org/S> a sh:NodeShape ; sh:targetNode <http://example.org/a> ;\n"
        "  sh:property [ sh:path <http://example.org/amount> ; sh:datatype xsd:decimal ;\n"
        "                sh:minExclusive 0 ; sh:maxInclusive 100000000000000000000000 ] .\n",
        encoding="utf-8",
    )
    kg = KnowledgeGraph.load([data], background="bare")
    assert not kg.exact
    assert "cannot compute with" in kg.inexact_reason() and f"{data}:2" in kg.inexact_reason()
    for engine in ("oxigraph", "rdflib"):
        assert validate(data=[data], shapes=[shapes], engine=engine).results == ()  # type: ignore[arg-type]
    too_big = data.read_text(encoding="utf-8").replace(
        '"1000000000000000000000"', '"1' + "0" * 24 + '"'
    )
    data.write_text(too_big, encoding="utf-8")
    for engine in ("oxigraph", "rdflib"):
        report = validate(data=[data], shapes=[shapes], engine=engine)  # type: ignore[arg-type]
        assert [str(r.raw.component) for r in report.results if r.raw] == [
            str(SH.MaxInclusiveConstraintComponent)
        ]
