"""The fast validation path (shapes compiled to whole-graph queries on Oxigraph) gives the same
report as pySHACL, the reference, result for result."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from rdflib import Graph

from initiative_kg.queries import checks
from initiative_kg.shape_queries import compile_shapes, targeted_shapes
from initiative_kg.store import KnowledgeGraph
from initiative_kg.validation import ValidationReport, compiled_shapes, load_shapes, validate
from tests.conftest import REPO, TEST_DATA
from tests.test_bench import generate

CASES = sorted((TEST_DATA / "invalid").glob("*.ttl")) + sorted((TEST_DATA / "valid").glob("*.ttl"))


def assert_same_report(kg: KnowledgeGraph, shapes: Graph | None = None) -> ValidationReport:
    reference = validate(kg, engine="rdflib", relative_to=REPO, shapes=shapes)
    fast = validate(kg, engine="oxigraph", relative_to=REPO, shapes=shapes)
    assert fast.results == reference.results
    return fast


def test_every_project_shape_is_compiled() -> None:
    """Nothing of the project's own shapes is left to the slow path."""
    compiled = compiled_shapes()
    assert compiled.unsupported == ()
    assert compiled.refused == ()
    targeted = targeted_shapes(load_shapes())
    assert len(targeted) == 28
    assert {c.node_shape for c in compiled.constraints} == targeted


@pytest.mark.parametrize("path", CASES, ids=[f"{p.parent.name}/{p.stem}" for p in CASES])
def test_both_engines_report_the_same_on_each_test_case(path: Path) -> None:
    report = assert_same_report(KnowledgeGraph.load([path]))
    if path.parent.name == "invalid":
        assert report.results, "an invalid case must give results"


def test_both_engines_report_the_same_on_the_shipped_graph(shipped: KnowledgeGraph) -> None:
    assert len(assert_same_report(shipped).results) == 1  # page 004's missing date


def test_both_engines_report_the_same_on_a_generated_catalogue_with_errors(
    tmp_path: Path,
) -> None:
    broken = generate(tmp_path, 40, "--inject-errors", "3")
    report = assert_same_report(KnowledgeGraph.load([broken]))
    assert sum(r.shape == "ikgsh:PeriodShape" for r in report.results) == 3


EXTRA_SHAPE = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ikg: <https://w3id.org/initiative-kg/ontology#> .
@prefix ex: <https://example.org/shapes#> .
# A SPARQL-based constraint component: the compiler leaves shapes that use one to pySHACL.
ex:LowerCaseStartComponent a sh:ConstraintComponent ;
    sh:parameter [ sh:path ex:lowerCaseStart ] ;
    sh:propertyValidator [
        a sh:SPARQLSelectValidator ;
        sh:select \"\"\"
            SELECT $this ?value WHERE {
                $this $PATH ?value .
                FILTER ($lowerCaseStart && !REGEX(STR(?value), "^[a-z]"))
            }
            \"\"\" ;
    ] .
ex:TitleCaseShape a sh:NodeShape ;
    sh:targetClass ikg:Initiative ;
    sh:property [
        sh:path rdfs:label ;
        ex:lowerCaseStart true ;
        sh:message "The title must start in lower case (a test of an uncompiled constraint)."@en ;
    ] .
"""


def test_a_shape_the_compiler_cannot_translate_is_checked_by_pyshacl(
    shipped: KnowledgeGraph, caplog: pytest.LogCaptureFixture
) -> None:
    shapes = Graph()
    for triple in load_shapes():
        shapes.add(triple)
    shapes.parse(data=EXTRA_SHAPE, format="turtle")
    compiled = compile_shapes(shapes)
    assert [str(shape) for shape, _ in compiled.unsupported] == [
        "https://example.org/shapes#TitleCaseShape"
    ]
    with caplog.at_level(logging.INFO, logger="initiative_kg.validation"):
        report = assert_same_report(shipped, shapes)
    shape = "<https://example.org/shapes#TitleCaseShape>"
    flagged = {r.focus for r in report.results if r.shape == shape}
    assert "initiative:systematisk-inddragelse-af-paaroerende" in flagged
    assert "TitleCaseShape> is checked by pySHACL: the custom constraint component" in caplog.text


def test_an_unknown_engine_is_refused(shipped: KnowledgeGraph) -> None:
    from initiative_kg.errors import ValidationError

    with pytest.raises(ValidationError, match="unknown validation engine"):
        validate(shipped, engine="jena")  # type: ignore[arg-type]


def test_the_fast_path_reports_progress_per_query(shipped: KnowledgeGraph) -> None:
    seen: list[tuple[int, int]] = []
    validate(shipped, progress=lambda done, total: seen.append((done, total)))
    total = len(compiled_shapes().constraints) + len(checks())
    assert seen == [(done, total) for done in range(1, total + 1)]


def test_the_report_has_a_total_order() -> None:
    """Two results on one value that differ only in their component (the amount written as
    text breaks both the datatype and the lower bound) come out in one order on both engines."""
    case = TEST_DATA / "invalid" / "MonetaryAmountShape--amount-as-text.ttl"
    report = assert_same_report(KnowledgeGraph.load([case]))
    components = [r.component for r in report.results if r.shape == "ikgsh:MonetaryAmountShape"]
    assert components == sorted(components) and len(components) == 2
