"""The shapes: the shipped graph conforms, every shape catches its invalid cases, and the report
says where each problem is."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from initiative_kg.namespaces import IKG, IKGSH, SCHEMA, shorten
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


def test_the_only_remarks_on_the_shipped_graph_are_missing_page_dates(
    shipped_report: ValidationReport, shipped: KnowledgeGraph
) -> None:
    """Page 004 and several of the stored pages print no 'Sidst/Senest opdateret' date; the
    report says so at info level, once for each such page and for nothing else."""
    union = shipped.union()
    undated = {
        shorten(str(page))
        for page in union.subjects(RDF.type, IKG.SourcePage)
        if (page, SCHEMA.dateModified, None) not in union
    }
    assert "source:004_3f2385aee20403ac" in undated
    assert sorted((r.severity, r.focus, r.path) for r in shipped_report.results) == sorted(
        (Severity.INFO, page, "schema:dateModified") for page in undated
    )


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


# ---------------------------------------------------------------------- any data, any shapes

USER_DATA = """\
@prefix ex: <http://example.org/> .
ex:alice a ex:Person ; ex:name "Alice" .
ex:bob a ex:Person .
"""
USER_SHAPES = """\
@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
# An implicit class target: the shape is also the class.
ex:Person a rdfs:Class, sh:NodeShape ;
    sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:message "A person needs a name."@en ] .
"""


def user_files(tmp_path: Path) -> tuple[Path, Path]:
    data, shapes = tmp_path / "people.ttl", tmp_path / "people.shapes.ttl"
    data.write_text(USER_DATA, encoding="utf-8")
    shapes.write_text(USER_SHAPES, encoding="utf-8")
    return data, shapes


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_any_data_against_any_shapes_loads_nothing_else(tmp_path: Path, engine: str) -> None:
    data, shapes = user_files(tmp_path)
    report = validate(data=[data], shapes=[shapes], engine=engine)  # type: ignore[arg-type]
    # Only bob lacks a name; nothing of the project's (ontology, shapes, checks) took part.
    assert [(r.focus, r.path, r.message) for r in report.results] == [
        ("<http://example.org/bob>", "<http://example.org/name>", "A person needs a name.")
    ]
    assert report.triples == 3


def test_the_cli_validates_any_data_against_any_shapes(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from initiative_kg.cli import app

    data, shapes = user_files(tmp_path)
    result = CliRunner().invoke(app, ["validate", str(data), "--shapes", str(shapes)])
    assert result.exit_code == 1, result.output
    assert "A person needs a name." in result.stdout and "ex:bob" not in result.stdout
    assert "1 violation(s)" in result.stdout and "in 3 triples from 1 files" in result.stdout
    data.write_text(USER_DATA.replace("ex:bob a ex:Person .", ""), encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(data), "--shapes", str(shapes)])
    assert result.exit_code == 0, result.output
    # --shapes without data is a usage error, not a check of nothing
    result = CliRunner().invoke(app, ["validate", "--shapes", str(shapes)])
    assert result.exit_code == 2


def test_shapes_the_spec_says_to_refuse_exit_with_2(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from initiative_kg.cli import app

    data, shapes = user_files(tmp_path)
    shapes.write_text(
        USER_SHAPES
        + """
ex:MinusShape a sh:NodeShape ;
    sh:targetClass ex:Person ;
    sh:sparql [ sh:select "SELECT $this WHERE { $this ?p ?o MINUS { $this a <http://example.org/Robot> } }" ] .
""",
        encoding="utf-8",
    )
    for engine in ("oxigraph", "rdflib"):
        result = CliRunner().invoke(
            app, ["validate", str(data), "--shapes", str(shapes), "--engine", engine]
        )
        assert result.exit_code == 2, (engine, result.output)
        assert "MINUS" in result.stderr


@pytest.mark.parametrize("report_format", ["ttl", "jsonld"])
def test_the_w3c_report_is_a_shacl_validation_report(tmp_path: Path, report_format: str) -> None:
    from typer.testing import CliRunner

    from initiative_kg.cli import app

    data, shapes = user_files(tmp_path)
    out = tmp_path / f"report.{report_format}"
    result = CliRunner().invoke(
        app, ["validate", str(data), "--shapes", str(shapes), "-f", report_format, "-o", str(out)]
    )
    assert result.exit_code == 1, result.output
    graph = Graph().parse(out, format="turtle" if report_format == "ttl" else "json-ld")
    (report,) = graph.subjects(RDF.type, SH.ValidationReport)
    assert graph.value(report, SH.conforms).toPython() is False
    (found,) = graph.objects(report, SH.result)
    assert str(graph.value(found, SH.focusNode)) == "http://example.org/bob"
    assert str(graph.value(found, SH.resultPath)) == "http://example.org/name"
    assert graph.value(found, SH.sourceConstraintComponent) == SH.MinCountConstraintComponent
    assert graph.value(found, SH.resultSeverity) == SH.Violation
    assert str(graph.value(found, SH.resultMessage)) == "A person needs a name."
    # the property shape is a blank node in the shapes: it is copied in, path and all
    shape = graph.value(found, SH.sourceShape)
    assert str(graph.value(shape, SH.path)) == "http://example.org/name"
    ikg = "https://w3id.org/initiative-kg/ontology#"
    assert str(graph.value(found, URIRef(ikg + "resultFile"))).endswith("people.ttl")
    assert graph.value(found, URIRef(ikg + "resultLine")).toPython() == 3


def test_the_w3c_report_of_a_conforming_graph(tmp_path: Path) -> None:
    from initiative_kg.validation import report_graph

    data, shapes = user_files(tmp_path)
    data.write_text(USER_DATA.replace("ex:bob a ex:Person .", ""), encoding="utf-8")
    graph = report_graph(validate(data=[data], shapes=[shapes]))
    (report,) = graph.subjects(RDF.type, SH.ValidationReport)
    assert graph.value(report, SH.conforms).toPython() is True
    assert list(graph.objects(report, SH.result)) == []


def self_contained_project(tmp_path: Path) -> Path:
    """The minimal valid project with its lead described in the same file, so that it needs
    nothing of the shipped data."""
    text = (TEST_DATA / "valid" / "minimal-project.ttl").read_text(encoding="utf-8")
    text = text.replace("organisation:socialstyrelsen", "organisation:test-agency")
    text += (
        "\norganisation:test-agency a ikg:GovernmentAgency ;\n"
        '    rdfs:label "Teststyrelsen"@da ;\n'
        "    org:classification orgtype:government-agency ;\n"
        "    prov:wasDerivedFrom source:test-page .\n"
    )
    path = tmp_path / "self-contained.ttl"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_standalone_validation_of_a_self_contained_file_conforms(
    tmp_path: Path, engine: str
) -> None:
    """Guards against --standalone reporting violations in the shipped vocabularies (their
    provenance points at a page that standalone does not load)."""
    kg = KnowledgeGraph.load([self_contained_project(tmp_path)], background="reference")
    assert {source.part for source in kg.files} == {"ontology", "data", "user"}
    assert not [s for s in kg.files if s.part == "data" and "reference" not in s.path.parts]
    report = validate(kg, engine=engine)  # type: ignore[arg-type]
    assert report.results == ()
    assert report.conforms


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_standalone_reports_nothing_in_the_shipped_ontology_files(path: Path) -> None:
    """A file that links to shipped organisations fails standalone, but only in the file."""
    assert len(VALID) >= 2
    report = validate(KnowledgeGraph.load([path], background="reference"), relative_to=REPO)
    files = {result.file for result in report.results}
    assert files <= {str(path.relative_to(REPO))}


# ---------------------------------------------------------------------- amounts of any size

MONETARY_VALUE = "MonetaryAmountShape"
ALLOCATION_TOTAL = "ikgsh:SubAllocationTotalShape"


def grants_file(
    tmp_path: Path, amounts: dict[str, str], allocations: dict[str, tuple[str, list[str]]]
) -> Path:
    """The self-contained project with a grant for each amount (name -> literal) and, for each
    allocated grant (name -> total and parts), its sub-allocations."""
    text = self_contained_project(tmp_path).read_text(encoding="utf-8")

    def grant(name: str, value: str, kind: str = "ikg:Grant", more: str = "") -> str:
        return (
            f"\ngrant:{name} a {kind} ;\n"
            f'    rdfs:label "Bevilling {name}"@da ;{more}\n'
            f"    schema:amount [ a schema:MonetaryAmount ; schema:value {value} ;"
            ' schema:currency "DKK" ] ;\n'
            "    prov:wasDerivedFrom source:test-page .\n"
        )

    funds = "\n    schema:fundedItem initiative:test-project ;"
    for name, value in amounts.items():
        text += grant(name, value, more=funds)
    for name, (total, parts) in allocations.items():
        text += grant(name, f'"{total}"^^xsd:decimal', more=funds)
        for number, part in enumerate(parts):
            text += grant(
                f"{name}-part-{number}",
                f'"{part}"^^xsd:decimal',
                kind="ikg:SubAllocation",
                more=f"\n    ikg:allocationOf grant:{name} ;",
            )
    path = tmp_path / "grants.ttl"
    path.write_text(text, encoding="utf-8")
    return path


def amount_findings(report: ValidationReport) -> dict[str, set[str]]:
    """Per offending amount (its lexical form), the components of the amount shape it fails."""
    found: dict[str, set[str]] = {}
    for result in report.results:
        if result.raw is not None and MONETARY_VALUE in result.shape:
            component = str(result.raw.component).rsplit("#", 1)[-1]
            found.setdefault(str(result.raw.value), set()).add(component)
    return found


def allocation_findings(report: ValidationReport) -> dict[str, str]:
    """Per grant whose sub-allocations add up to more than it, the message."""
    return {
        result.focus.removeprefix("grant:"): result.message
        for result in report.results
        if result.shape == ALLOCATION_TOTAL
    }


# Amounts beyond Oxigraph's numbers (about 1.7E20, 18 decimal places): the store cannot compute
# with them, so both engines are rdflib's; the verdicts must still be right.
BEYOND_RANGE = {
    "e21": ('"1000000000000000000000"^^xsd:decimal', set()),  # the reviewed grant of 1E21 kr.
    "digits38": ('"99999999999999999999999999999999999999.99"^^xsd:decimal', set()),
    "tiny": ('"0.000000000000000000001"^^xsd:decimal', set()),  # positive, 21 places
    "negative": ('"-1000000000000000000000"^^xsd:decimal', {"MinExclusiveConstraintComponent"}),
    "double": ('"1.0E21"^^xsd:double', {"DatatypeConstraintComponent"}),
}
BEYOND_RANGE_ALLOCATIONS = {
    "over": (
        "1000000000000000000000",
        ["400000000000000000000", "600000000000000000000.000000001"],
    ),
    "exact": ("1000000000000000000000", ["500000000000000000000", "500000000000000000000"]),
}
# Within Oxigraph's range the default engine computes exactly; rdflib's engine and pySHACL
# must too (Python rounds decimals to 28 digits unless told otherwise).
WITHIN_RANGE_ALLOCATIONS = {
    "over": ("100000000000000000000", ["40000000000000000000", "60000000000000000000.000000001"]),
    "exact": ("100000000000000000000", ["40000000000000000000", "60000000000000000000"]),
    "places-equal": (
        "12345678901234567890.123456789012",
        ["12345678901234567890.123456789011", "0.000000000001"],
    ),
    "places-over": (
        "12345678901234567890.123456789012",
        ["12345678901234567890.123456789011", "0.000000000002"],
    ),
}


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_amounts_beyond_the_stores_numbers_are_judged_alike(tmp_path: Path, engine: str) -> None:
    path = grants_file(
        tmp_path,
        {name: literal for name, (literal, _) in BEYOND_RANGE.items()},
        BEYOND_RANGE_ALLOCATIONS,
    )
    kg = KnowledgeGraph.load([path], background="reference")
    assert not kg.exact
    report = validate(kg, engine=engine)  # type: ignore[arg-type]
    assert amount_findings(report) == {
        literal.split('"')[1]: failed for literal, failed in BEYOND_RANGE.values() if failed
    }
    assert allocation_findings(report) == {
        "over": "The sub-allocations add up to 1000000000000000000000.000000001 kr., "
        "more than the grant's 1000000000000000000000 kr."
    }


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_sums_of_amounts_are_exact_on_both_engines(tmp_path: Path, engine: str) -> None:
    path = grants_file(
        tmp_path,
        {
            "small": '"0.000000000000000001"^^xsd:decimal',
            "below": '"-0.000000000000000001"^^xsd:decimal',
        },
        WITHIN_RANGE_ALLOCATIONS,
    )
    kg = KnowledgeGraph.load([path], background="reference")
    assert kg.exact  # so that "oxigraph" really is Oxigraph
    report = validate(kg, engine=engine)  # type: ignore[arg-type]
    assert amount_findings(report) == {"-0.000000000000000001": {"MinExclusiveConstraintComponent"}}
    assert allocation_findings(report) == {
        "over": "The sub-allocations add up to 100000000000000000000.000000001 kr., "
        "more than the grant's 100000000000000000000 kr.",
        "places-over": "The sub-allocations add up to 12345678901234567890.123456789013 kr., "
        "more than the grant's 12345678901234567890.123456789012 kr.",
    }


def test_the_amount_shape_says_it_has_no_maximum() -> None:
    """The amount shape has no upper bound, and its messages say so (a maximum added later must
    come with messages that name it)."""
    shapes = load_shapes()
    (value_shape,) = (
        node
        for node in shapes.objects(IKGSH.MonetaryAmountShape, SH.property)
        if shapes.value(node, SH.path) == URIRef("https://schema.org/value")
    )
    assert shapes.value(value_shape, SH.maxInclusive) is None
    assert shapes.value(value_shape, SH.maxExclusive) is None
    messages = {m.language: str(m) for m in shapes.objects(value_shape, SH.message)}  # type: ignore[attr-defined]
    assert "no upper limit" in messages["en"] and "uden øvre grænse" in messages["da"]


def test_the_reference_engine_leaves_the_shared_shapes_graph_as_the_files_wrote_it() -> None:
    """pySHACL adds triples to the shapes graph it is given; the graph load_shapes() shares
    for the whole process must not grow with each run (the next run would check other shapes).
    One valid case beside the reference data is enough for pySHACL to run every shape."""
    before = set(load_shapes())
    validate(KnowledgeGraph.load([VALID[0]], background="reference"), engine="rdflib")
    assert set(load_shapes()) == before
