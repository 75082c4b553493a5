"""Every engine the project ships, held to the SHACL specification on the project's own
conformance cases (tests/conformance/, in the W3C test-suite form; see its README).

Each case runs three ways:

- ``reference``: pySHACL on the file as rdflib parses it, sharing nothing of the project's
  loading path, store or result handling;
- ``oxigraph`` and ``rdflib``: ``initiative_kg.validation.validate`` with the case's shapes on the
  case loaded by ``KnowledgeGraph.load`` (the two engines a user can choose).

An engine must give the expected verdict and the expected multiset of results (focus node, path,
value, component, severity, source shape), and must refuse (raise) the shapes of a case whose
expected result is ``sht:Failure``. An engine that does not is a finding: it is listed in
KNOWN_GAPS below with its reason, runs as a strict xfail (so that the entry must go once the gap
is closed), and is never skipped.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import SH
from typer.testing import CliRunner

from initiative_kg.cli import app
from initiative_kg.errors import ValidationError
from tests.shacl_reports import (
    Case,
    Report,
    ResultKey,
    blanks_as_wildcards,
    differences,
    parse,
    project_report,
    pyshacl_report,
    read_manifest,
    report_from_results_graph,
    result_key,
    structural_problems,
)

CONFORMANCE = Path(__file__).resolve().parent / "conformance"
CASE_FILES = sorted(CONFORMANCE.rglob("*.ttl"))
# Written here, not counted: a suite that finds no cases (or loses some) must fail.
EXPECTED_CASES = 217

ENGINES = ("reference", "oxigraph", "rdflib")
runner = CliRunner()

# Where pySHACL disagrees with the SHACL specification (tests/conformance/README.md says how, case
# by case); the expected reports keep the specification's answer.
REFERENCE_DISAGREEMENTS: dict[str, str] = dict.fromkeys(
    [
        "core/value-type/datatype-ill-formed-boolean",
        "core/value-type/datatype-ill-formed-date-time",
        "core/value-type/datatype-ill-formed-decimal",
        "core/value-type/datatype-ill-formed-g-year",
        "core/reports/value-keeps-its-lexical-form",
        "core/string/unique-lang-one-is-not-true",
        "core/value-type/datatype-rdfs-literal",
        "core/string/min-length-zero-blank-node",
        "core/value-range/boolean-is-not-a-number",
        "core/value-range/date-against-a-number",
        "core/targets/owl-class-is-not-an-implicit-target",
        "core/paths/inverse-of-sequence",
        "core/logical/or-with-empty-list",
        "core/property-pair/less-than-blank-node",
        "sparql/pre-binding/this-in-one-union-branch",
        "sparql/pre-binding/this-in-union-branch-without-pattern",
        "sparql/components/property-validator-select",
        "sparql/components/ask-validator-on-property-shape",
        "sparql/components/optional-parameter",
        "sparql/components/validator-message",
        "sparql/components/validator-choice",
        "sparql/constraints/failure-variable",
    ],
    "pySHACL disagrees with the SHACL specification (tests/conformance/README.md)",
)

# Findings on the project's engines, for the engines to fix: (engine, case) -> why. Each still
# runs, as a strict expected failure: an engine that starts to pass makes its entry fail.
AS_PYSHACL = "the engine gives pySHACL's answer (tests/conformance/README.md)"
KNOWN_GAPS: dict[tuple[str, str], str] = {
    **{
        ("rdflib", case): AS_PYSHACL
        for case in (
            "core/value-type/datatype-ill-formed-date-time",
            "core/value-type/datatype-ill-formed-decimal",
            "core/value-type/datatype-ill-formed-g-year",
            "core/value-range/boolean-is-not-a-number",
            "core/value-range/date-against-a-number",
            "core/paths/inverse-of-sequence",
            "core/property-pair/less-than-blank-node",
            "core/string/min-length-zero-blank-node",
            "core/targets/owl-class-is-not-an-implicit-target",
            "sparql/pre-binding/this-in-one-union-branch",
            "core/logical/or-with-empty-list",
            "sparql/components/ask-validator-on-property-shape",
            "sparql/components/optional-parameter",
            "sparql/components/property-validator-select",
            "sparql/components/validator-choice",
            "sparql/components/validator-message",
            "sparql/constraints/failure-variable",
            "sparql/pre-binding/this-in-union-branch-without-pattern",
            "core/value-type/datatype-rdfs-literal",
            "core/string/unique-lang-one-is-not-true",
        )
    },
    ("oxigraph", "core/string/unique-lang-one-is-not-true"): (
        'the case\'s own file holds "1"^^xsd:boolean, which Oxigraph would store as true, so the '
        'whole run goes to pyshacl-turbo, which (like pySHACL) reads sh:uniqueLang "1" as true: '
        "a result too many, never a wrong conforms"
    ),
    ("rdflib", "sparql/constraints/prefixes-through-owl-imports"): (
        "pySHACL on the project's data graph does not find prefixes declared on a node reached "
        "by owl:imports (it does when the data graph is the shapes file): the run fails"
    ),
}


def case_id(path: Path) -> str:
    return path.relative_to(CONFORMANCE).with_suffix("").as_posix()


def gap(engine: str, case: str) -> str | None:
    if engine == "reference":
        return REFERENCE_DISAGREEMENTS.get(case)
    return KNOWN_GAPS.get((engine, case))


def runs() -> list[object]:
    params: list[object] = []
    for path in CASE_FILES:
        for engine in ENGINES:
            reason = gap(engine, case_id(path))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            params.append(pytest.param(path, engine, marks=marks, id=f"{case_id(path)}[{engine}]"))
    return params


def the_case(path: Path) -> Case:
    cases = read_manifest(path)
    assert len(cases) == 1, f"{path.name} must hold exactly one sht:Validate entry"
    case = cases[0]
    assert case.data == path and case.shapes == path, "a case is its own data and shapes graph"
    return case


def reference_run(path: Path) -> Report:
    """pySHACL on the file as rdflib parses it: the data graph and the shapes graph are that one
    parse, as in the W3C suite."""
    graph = parse(path)
    return pyshacl_report(graph, graph)


def project_run(path: Path, engine: str) -> Report:
    """The project's validate() with the case's shapes over the case as the project loads it."""
    return project_report(path, path, engine)


def test_the_suite_holds_every_case() -> None:
    assert len(CASE_FILES) == EXPECTED_CASES
    areas = {path.relative_to(CONFORMANCE).parts[0] for path in CASE_FILES}
    assert areas == {"core", "sparql"}


@pytest.mark.parametrize("path", CASE_FILES, ids=[case_id(p) for p in CASE_FILES])
def test_each_case_is_well_formed(path: Path) -> None:
    """The case itself: one entry, its own data and shapes, a label, and an expected report in
    which every result names what SHACL requires of it."""
    case = the_case(path)
    assert case.label != str(case.entry), "every case says in rdfs:label what it checks"
    assert structural_problems(case) == []


def test_the_known_gaps_name_real_cases() -> None:
    ids = {case_id(path) for path in CASE_FILES}
    assert set(REFERENCE_DISAGREEMENTS) <= ids
    assert {case for _, case in KNOWN_GAPS} <= ids
    assert {engine for engine, _ in KNOWN_GAPS} <= {"oxigraph", "rdflib"}


def test_every_reference_disagreement_is_explained_in_the_readme() -> None:
    readme = (CONFORMANCE / "README.md").read_text(encoding="utf-8")
    for case in REFERENCE_DISAGREEMENTS:
        assert f"`{case}`" in readme, f"{case} is not in tests/conformance/README.md"


@pytest.mark.parametrize(("path", "engine"), runs())
def test_the_engine_gives_the_expected_report(path: Path, engine: str) -> None:
    case = the_case(path)
    run = reference_run if engine == "reference" else lambda p: project_run(p, engine)
    if case.must_fail:
        refusal = Exception if engine == "reference" else ValidationError
        with pytest.raises(refusal):
            got = run(path)
            pytest.fail(f"the engine accepted shapes it must refuse, and said {got.results}")
        return
    assert case.expected is not None
    got = run(path)
    problems = differences(case.expected, got, one_message=engine != "reference")
    assert problems == [], "\n".join([f"{case_id(path)}: {case.label}", *problems])


def cli_runs() -> list[object]:
    params: list[object] = []
    for path in CASE_FILES:
        reason = CLI_GAPS.get(case_id(path), KNOWN_GAPS.get(("oxigraph", case_id(path))))
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(pytest.param(path, marks=marks, id=case_id(path)))
    return params


# Cases where the command's W3C report differs from validate()'s results on the default engine
# (beyond the gaps of that engine, which apply here too): case -> why.
CLI_GAPS: dict[str, str] = {}


@pytest.mark.parametrize("path", cli_runs())
def test_ikg_validate_writes_the_expected_w3c_report(path: Path) -> None:
    """``ikg validate CASE --shapes CASE -f ttl``, as a user runs it: exit 2 on shapes SHACL says
    must be refused, else the exit code of the verdict and an sh:ValidationReport with the
    expected results (blank nodes compared as wildcards: the report names its own)."""
    case = the_case(path)
    done = runner.invoke(
        app, ["validate", str(path), "--shapes", str(path), "-f", "ttl", "--fail-on", "info"]
    )
    if case.must_fail:
        assert done.exit_code == 2, done.stdout
        assert "refuse" in done.stderr or "error" in done.stderr
        return
    assert case.expected is not None
    assert done.exit_code == (0 if case.expected.conforms else 1), done.stderr
    written = parse(None, text=done.stdout, as_written=True)
    verdicts = [v.toPython() for v in written.objects(None, SH.conforms)]  # type: ignore[attr-defined]
    assert verdicts == [case.expected.conforms]
    got = report_from_results_graph(parse(path), parse(path, as_written=True), written)
    problems = differences(blanks_as_wildcards(case.expected), blanks_as_wildcards(got))
    assert problems == [], "\n".join([f"{case_id(path)}: {case.label}", *problems])


def test_a_result_key_tells_apart_what_shacl_tells_apart() -> None:
    """The comparison itself: a changed focus, path, value, component, severity or shape, and a
    result reported twice, all make two reports differ."""
    graph = Graph().parse(
        data="""
        @prefix ex: <http://example.org/ns#> .
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        ex:a ex:p _:x , _:y .  _:x ex:q 1 .  _:y ex:q 2 .
        ex:S sh:property ex:S-p .  ex:S-p sh:path ( ex:p [ sh:inversePath ex:q ] ) .
        """,
        format="turtle",
    )
    ex = "http://example.org/ns#"
    from rdflib import URIRef

    blanks = sorted(graph.objects(URIRef(ex + "a"), URIRef(ex + "p")), key=str)
    path = graph.value(URIRef(ex + "S-p"), SH.path)

    def key(**changes: object) -> ResultKey:
        fields: dict[str, object] = {
            "focus": URIRef(ex + "a"),
            "path": path,
            "value": blanks[0],
            "component": SH.ClassConstraintComponent,
            "severity": SH.Violation,
            "source_shape": URIRef(ex + "S-p"),
        }
        fields.update(changes)
        return result_key(graph, graph, **fields)  # type: ignore[arg-type]

    base = key()
    assert base[1] == f"(<{ex}p>/(^<{ex}q>))"
    variants = [
        key(focus=URIRef(ex + "b")),
        key(path=URIRef(ex + "p")),
        key(value=blanks[1]),
        key(component=SH.DatatypeConstraintComponent),
        key(severity=SH.Warning),
        key(source_shape=URIRef(ex + "S")),
    ]
    for variant in variants:
        assert variant != base
        assert differences(Report(Counter([base])), Report(Counter([variant])))
    assert differences(Report(Counter([base])), Report(Counter([base, base])))
    assert differences(Report(Counter([base])), Report(Counter()))[0].startswith("WRONG VERDICT")
    assert differences(Report(Counter([base])), Report(Counter([key()]))) == []
