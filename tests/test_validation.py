"""The shapes: the shipped graph conforms, every shape catches its invalid cases, and the report
says where each problem is."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import RDF, SH

from initiative_kg.queries import checks
from initiative_kg.store import KnowledgeGraph
from initiative_kg.validation import Severity, ValidationReport, load_shapes, validate
from tests.conftest import REPO, TEST_DATA

INVALID = sorted((TEST_DATA / "invalid").glob("*.ttl"))
VALID = sorted((TEST_DATA / "valid").glob("*.ttl"))


def expected_shape(path: Path) -> str:
    """Cases are named <Shape>--<case> for SHACL shapes, <check-id>--<case> for query checks."""
    name = path.stem.split("--")[0]
    return f"ikgsh:{name}" if name.endswith("Shape") else f"check:{name}"


def expected_severity(path: Path) -> str:
    """A case may say '# severity: warning'; most cases are violations."""
    match = re.search(r"^# severity: (\w+)$", path.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return match.group(1) if match else "violation"


def expected_message(path: Path) -> str:
    match = re.search(r"^# message: (.+)$", path.read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert match, f"{path.name} has no '# message:' line"
    return match.group(1).strip()


def test_the_shipped_graph_conforms(shipped_report: ValidationReport) -> None:
    assert shipped_report.conforms
    assert shipped_report.counts()["violation"] == 0
    assert shipped_report.counts()["warning"] == 0


def test_the_only_remark_on_the_shipped_graph_is_the_missing_date_of_page_004(
    shipped_report: ValidationReport,
) -> None:
    """Page 004 prints no 'Sidst opdateret' date; the report says so at info level."""
    assert [(r.severity, r.focus, r.path) for r in shipped_report.results] == [
        (Severity.INFO, "source:004_3f2385aee20403ac", "schema:dateModified")
    ]


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_valid_files_conform(path: Path) -> None:
    report = validate(KnowledgeGraph.load([path]), relative_to=REPO)
    assert report.conforms, [r.message for r in report.results]


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_each_invalid_file_is_caught_by_its_shape(path: Path) -> None:
    shape = expected_shape(path)
    severity = Severity(expected_severity(path))
    report = validate(KnowledgeGraph.load([path]), fail_on=severity, relative_to=REPO)
    assert not report.conforms
    caught = [r for r in report.results if r.shape == shape and r.severity is severity]
    assert caught, f"{shape} did not fire; got {[(r.shape, r.message) for r in report.results]}"
    assert any(expected_message(path) in r.message for r in caught), [r.message for r in caught]
    # Nothing else is wrong with the case, apart from node shapes its property shapes call and
    # consequences the case names in an "# also:" line.
    also = set(re.findall(r"^# also: (\S+)", path.read_text(encoding="utf-8"), flags=re.MULTILINE))
    others = {
        r.shape for r in report.results if r.severity is Severity.VIOLATION and r.shape != shape
    }
    assert others <= {"ikgsh:RoleConceptShape", "ikgsh:OrganisationTypeConceptShape"} | also


def test_every_shape_with_a_target_has_an_invalid_case() -> None:
    shapes = load_shapes()
    targets = [SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf, SH.target]
    targeted = {
        shapes.namespace_manager.normalizeUri(shape)
        for shape in shapes.subjects(RDF.type, SH.NodeShape)
        if any((shape, target, None) in shapes for target in targets)
    }
    covered = {expected_shape(path) for path in INVALID}
    checks_ = {f"check:{check_id}" for check_id in checks()}
    assert (targeted | checks_) - covered == set()
    assert covered - (targeted | checks_) == set()


def test_quality_checks_are_named_violation_and_declare_severity_and_message() -> None:
    assert len(checks()) >= 4
    for check_id, check in checks().items():
        assert check_id.endswith("-violation")
        assert check.header.get("severity") in {"violation", "warning", "info"}
        assert check.header.get("message")
        assert {"focus", "path", "value"} <= set(check.columns)


def test_every_constraint_has_a_message_and_a_severity() -> None:
    shapes = load_shapes()
    for shape in set(shapes.subjects(RDF.type, SH.NodeShape)):
        constraints = list(shapes.objects(shape, SH.property)) + list(
            shapes.objects(shape, SH.sparql)
        )
        owned_by_node = (shape, SH.message, None) in shapes
        for constraint in constraints:
            assert (constraint, SH.message, None) in shapes or owned_by_node, shape
            assert (constraint, SH.severity, None) in shapes or (
                shape,
                SH.severity,
                None,
            ) in shapes, shape
        languages = {m.language for m in shapes.objects(shape, SH.message)}  # type: ignore[attr-defined]
        if owned_by_node:
            assert languages == {"da", "en"}, shape


def test_the_report_names_the_file_and_line_where_the_focus_node_is_defined() -> None:
    path = TEST_DATA / "invalid" / "PeriodShape--end-before-start.ttl"
    report = validate(KnowledgeGraph.load([path]), relative_to=REPO)
    (result,) = [r for r in report.results if r.shape == "ikgsh:PeriodShape"]
    lines = path.read_text(encoding="utf-8").splitlines()
    expected_line = next(
        i for i, line in enumerate(lines, 1) if line.startswith("initiative:test-project")
    )
    assert result.file == "tests/data/invalid/PeriodShape--end-before-start.ttl"
    assert result.line == expected_line
    assert result.focus == "[time:ProperInterval] of initiative:test-project"
    assert result.path == "time:hasEnd"
    assert result.value == "2014"


def test_a_statement_is_located_in_the_file_that_makes_it() -> None:
    """Aalborg is defined in the reference data; the second region comes from the user's file."""
    path = TEST_DATA / "invalid" / "MunicipalityShape--two-regions.ttl"
    report = validate(KnowledgeGraph.load([path]), relative_to=REPO)
    (result,) = [r for r in report.results if r.shape == "ikgsh:MunicipalityShape"]
    assert result.focus == "municipality:851"
    assert result.focus_label == "Aalborg"
    assert result.file == "data/reference/municipalities.ttl"
    text = (REPO / "data" / "reference" / "municipalities.ttl").read_text(encoding="utf-8")
    assert text.splitlines()[result.line - 1].startswith("municipality:851 ")  # type: ignore[operator]


def test_messages_come_in_the_language_asked_for() -> None:
    path = TEST_DATA / "invalid" / "PeriodShape--end-before-start.ttl"
    kg = KnowledgeGraph.load([path])
    danish = [
        r.message for r in validate(kg, language="da").results if r.shape == "ikgsh:PeriodShape"
    ]
    english = [
        r.message for r in validate(kg, language="en").results if r.shape == "ikgsh:PeriodShape"
    ]
    assert danish == ["Perioden slutter (2014) før den begynder (2017)."]
    assert english == ["The period ends (2014) before it begins (2017)."]


def test_fail_on_warning_turns_a_warning_into_failure() -> None:
    path = TEST_DATA / "valid" / "project-without-target-group.ttl"
    kg = KnowledgeGraph.load([path])
    lenient = validate(kg, fail_on=Severity.VIOLATION)
    strict = validate(kg, fail_on=Severity.WARNING)
    assert lenient.conforms and not strict.conforms
    assert [r.shape for r in strict.results if r.severity is Severity.WARNING] == [
        "ikgsh:DescribedInitiativeShape"
    ]
    assert not validate(kg, fail_on=Severity.INFO).conforms  # page 004's missing date is info


def test_shapes_parse_and_name_themselves_by_convention() -> None:
    shapes = load_shapes()
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        name = shapes.namespace_manager.normalizeUri(shape)
        assert name.startswith("ikgsh:") and name.endswith("Shape"), name
    assert isinstance(shapes, Graph)
