"""The fast validation path (shapes compiled to whole-graph queries on Oxigraph) gives the same
report as pySHACL, the reference, result for result."""

from __future__ import annotations

import logging
import re
from collections import Counter
from pathlib import Path

import pyshacl
import pytest
from rdflib import BNode, Graph
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from initiative_kg.assets import layout
from initiative_kg.queries import checks
from initiative_kg.shape_queries import RawResult, compile_shapes, targeted_shapes
from initiative_kg.store import KnowledgeGraph
from initiative_kg.validation import ValidationReport, compiled_shapes, load_shapes, validate
from tests.conftest import REPO, TEST_DATA
from tests.test_bench import generate
from tests.test_validation import expected_shape

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
    assert len(targeted) == 29
    assert {c.node_shape for c in compiled.constraints} == targeted


# Each case is compared beside the ontology (and the reference data where it names a municipality
# or region), not the whole shipped graph: pySHACL takes seconds per case on that, and how the
# cases meet all of the shipped data is compared once, on all the cases together, in
# test_validation_reference. These cases break a rule only beside a shipped file (a title, a
# label or an agreement's period that the file gives), so they are loaded with that file.
NEEDS_A_SHIPPED_FILE = {
    "UniqueDanishLabelShape--duplicate-title": "initiatives/004-udbrede-anvendelse-af-peers.ttl",
    "duplicate-statement-violation--label-in-two-graphs": "actors/organisations.ttl",
    "grant-outside-agreement-period-violation--starts-before-agreement": "funding/agreements.ttl",
}


# A case that names a municipality or region (municipality:851) is loaded beside the reference
# data; the others beside the ontology only, which halves pySHACL's time per case.
NAMES_A_MUNICIPALITY_OR_REGION = re.compile(r"\b(?:municipality|region):\d")


@pytest.mark.parametrize("path", CASES, ids=[f"{p.parent.name}/{p.stem}" for p in CASES])
def test_both_engines_report_the_same_on_each_test_case(path: Path) -> None:
    files = [path]
    if path.stem in NEEDS_A_SHIPPED_FILE:
        files.append(REPO / "data" / NEEDS_A_SHIPPED_FILE[path.stem])
    names_reference = NAMES_A_MUNICIPALITY_OR_REGION.search(path.read_text(encoding="utf-8"))
    background = "reference" if names_reference or path.stem in NEEDS_A_SHIPPED_FILE else "none"
    report = assert_same_report(KnowledgeGraph.load(files, background=background))
    if path.parent.name == "invalid":
        # the comparison covers the rule the case breaks, not only results of its surroundings
        assert expected_shape(path) in {r.shape for r in report.results}


def test_the_cases_are_found_and_those_that_need_a_shipped_file_exist() -> None:
    assert len(CASES) == 43
    names_reference = [
        case.stem
        for case in CASES
        if NAMES_A_MUNICIPALITY_OR_REGION.search(case.read_text(encoding="utf-8"))
    ]
    assert "MunicipalityShape--two-regions" in names_reference
    assert len(names_reference) == 6
    assert {case.stem for case in CASES} >= NEEDS_A_SHIPPED_FILE.keys()
    assert all((REPO / "data" / name).is_file() for name in NEEDS_A_SHIPPED_FILE.values())


@pytest.mark.long
def test_both_engines_report_the_same_on_the_shipped_graph(shipped: KnowledgeGraph) -> None:
    results = assert_same_report(shipped).results
    # only the pages that give no last-updated date (page 004 and several stored pages)
    assert results and {(r.shape, r.path) for r in results} == {
        ("ikgsh:SourcePageShape", "schema:dateModified")
    }


def test_both_engines_report_the_same_on_a_generated_catalogue_with_errors(
    tmp_path: Path,
) -> None:
    broken = generate(tmp_path, 12, "--inject-errors", "3")
    report = assert_same_report(KnowledgeGraph.load([broken], background="reference"))
    assert sum(r.shape == "ikgsh:PeriodShape" for r in report.results) == 3


def _signature(graph: Graph, node: Node | None) -> str:
    """A term for comparing results across loadings: IRIs and literals as themselves, a blank
    node by what it holds (its own statements), since each loading names blank nodes anew."""
    if not isinstance(node, BNode):
        return "-" if node is None else node.n3()
    held = sorted(
        f"{p.n3()} {'[]' if isinstance(o, BNode) else o.n3()}"
        for p, o in graph.predicate_objects(node)
    )
    return "[" + " ; ".join(held) + "]"


def _key(graph: Graph, raw: RawResult) -> tuple[str, ...]:
    return (
        _signature(graph, raw.focus),
        _signature(graph, raw.path),
        _signature(graph, raw.value),
        str(raw.component),
        str(raw.severity),
    )


@pytest.mark.long
def test_every_shape_fires_on_a_generated_catalogue_and_pyshacl_agrees(tmp_path: Path) -> None:
    """Guards the parity of the engines where both could be wrong the same way: a generated
    catalogue with every invalid case beside it (so an error of every shape and every check),
    compared as a multiset of RDF terms: the shapes' results with pySHACL on the files as rdflib
    parses them, which shares nothing of the project's loading, views or result handling, and
    the quality checks' rows with rdflib's engine on the same loaded graph. (pySHACL on the
    project's loading path is compared case by case above and on the shipped graph.)"""
    catalogue = generate(tmp_path, 12, "--inject-errors", "3")
    cases = sorted((TEST_DATA / "invalid").glob("*.ttl"))
    assert len(cases) == 41
    # Each case's resources renamed apart (test-project becomes t7-test-project), so that no
    # case completes what another leaves out.
    invalid = []
    for number, case in enumerate(cases):
        renamed = tmp_path / case.name
        text = case.read_text(encoding="utf-8")
        renamed.write_text(re.sub(r"([:/])test-", rf"\1t{number}-test-", text), encoding="utf-8")
        invalid.append(renamed)
    # beside the reference data and the shipped files some cases need (how the cases meet all
    # of the shipped data is compared in test_validation_reference)
    needed = [REPO / "data" / name for name in NEEDS_A_SHIPPED_FILE.values()]
    kg = KnowledgeGraph.load([catalogue, *needed, *invalid], background="reference")
    fast = validate(kg, engine="oxigraph")
    union = kg.union()
    assert all(r.raw is not None for r in fast.results)
    # the quality checks' rows, each once, on rdflib's engine
    rdflib_engine = kg.engine("rdflib")
    for check_id, check in checks().items():
        rows = {tuple(row.items()) for row in rdflib_engine.execute(check.text)}
        expected_rows = Counter(
            tuple(_signature(union, dict(row).get(name)) for name in ("focus", "path", "value"))
            for row in rows
        )
        reported = Counter(
            (_signature(union, r.raw.focus), _signature(union, r.raw.path),
             _signature(union, r.raw.value))
            for r in fast.results
            if r.shape == f"check:{check_id}" and r.raw is not None
        )  # fmt: skip
        assert reported == expected_rows, check_id
    # an error of every targeted shape and every quality check is in the graph
    fired = {r.shape for r in fast.results}
    shapes = load_shapes()
    expected = {shapes.namespace_manager.normalizeUri(s) for s in targeted_shapes(shapes)}
    expected |= {f"check:{check_id}" for check_id in checks()}
    assert expected - fired == set()
    # pySHACL on the files as rdflib reads them
    independent_data = Graph()
    assets = layout()
    for path in [*assets.ontology_files(), *assets.reference_files(), catalogue, *needed, *invalid]:
        independent_data.parse(path)
    independent_shapes = Graph()
    for path in assets.shape_files():
        independent_shapes.parse(path)
    _, report_graph, _ = pyshacl.validate(
        independent_data, shacl_graph=independent_shapes, inference="none", advanced=True,
        allow_warnings=True, allow_infos=True,
    )  # fmt: skip
    independent = Counter(
        (
            _signature(independent_data, report_graph.value(r, SH.focusNode)),
            _signature(independent_data, report_graph.value(r, SH.resultPath)),
            _signature(independent_data, report_graph.value(r, SH.value)),
            str(report_graph.value(r, SH.sourceConstraintComponent)),
            str(report_graph.value(r, SH.resultSeverity)),
        )
        for report in report_graph.subjects(RDF.type, SH.ValidationReport)
        for r in report_graph.objects(report, SH.result)
    )
    shape_results = Counter(
        _key(union, r.raw)
        for r in fast.results
        if r.raw is not None and not r.shape.startswith("check:")
    )
    assert sum(independent.values()) > 40
    assert shape_results == independent


EXTRA_SHAPE = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ikg: <https://w3id.org/initiative-kg/ontology#> .
@prefix ex: <https://example.org/shapes#> .
# LIMIT applies per focus node under pre-binding, but to all focus nodes at once in a whole-graph
# query: the compiler leaves this shape to the hand-over engine.
ex:TitleCaseShape a sh:NodeShape ;
    sh:targetClass ikg:Initiative ;
    sh:sparql [
        sh:message "The title must start in lower case (a test of an uncompiled constraint)."@en ;
        sh:select \"\"\"
            SELECT $this ?value WHERE {
                $this <http://www.w3.org/2000/01/rdf-schema#label> ?value .
                FILTER (!REGEX(STR(?value), "^[a-z]"))
            } LIMIT 1
            \"\"\" ;
    ] .
"""


def test_a_shape_the_compiler_cannot_translate_is_checked_by_pyshacl(
    caplog: pytest.LogCaptureFixture,
) -> None:
    shapes = Graph()
    for triple in load_shapes():
        shapes.add(triple)
    shapes.parse(data=EXTRA_SHAPE, format="turtle")
    compiled = compile_shapes(shapes)
    assert [str(shape) for shape, _ in compiled.unsupported] == [
        "https://example.org/shapes#TitleCaseShape"
    ]
    # one page's file is enough for the shape to flag it (pySHACL is slow on the whole graph)
    page = REPO / "data" / "initiatives" / "000-systematisk-inddragelse-af-paaroerende.ttl"
    with caplog.at_level(logging.INFO, logger="initiative_kg.validation"):
        report = assert_same_report(KnowledgeGraph.load([page], background="reference"), shapes)
    shape = "<https://example.org/shapes#TitleCaseShape>"
    flagged = {r.focus for r in report.results if r.shape == shape}
    assert "initiative:systematisk-inddragelse-af-paaroerende" in flagged
    assert "TitleCaseShape> is handed over: LIMIT or OFFSET" in caplog.text


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
    report = assert_same_report(KnowledgeGraph.load([case], background="reference"))
    components = [r.component for r in report.results if r.shape == "ikgsh:MonetaryAmountShape"]
    assert components == sorted(components) and len(components) == 2
