"""The `ikg` command line: exit codes, report formats, atomic output."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from initiative_kg import __version__
from initiative_kg.cli import app
from tests.conftest import REPO, TEST_DATA

runner = CliRunner()
PERIOD_CASE = TEST_DATA / "invalid" / "PeriodShape--end-before-start.ttl"
MINIMAL = TEST_DATA / "valid" / "minimal-project.ttl"


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(arg) for arg in args])
    return result.exit_code, result.stdout, result.stderr


def test_help_explains_the_command_and_exit_codes() -> None:
    code, out, _ = invoke("--help")
    assert code == 0
    assert "validate" in out and "Exit codes" in out
    code, out, _ = invoke("validate", "--help")
    assert code == 0
    for option in ("--format", "--fail-on", "--lang", "--standalone", "--output"):
        assert option in out


def test_version() -> None:
    code, out, _ = invoke("--version")
    assert code == 0 and __version__ in out


def test_exit_0_when_the_shipped_graph_conforms() -> None:
    code, out, _ = invoke("validate")
    assert code == 0
    assert "0 violation(s), 0 warning(s), 1 info(s)" in out
    assert "conforms" in out and "does not conform" not in out
    assert re.search(r"ikg:SourcePage\s+5", out)  # the summary of what the graph holds


def test_exit_1_and_file_line_when_a_file_does_not_conform() -> None:
    code, out, _ = invoke("validate", PERIOD_CASE, "--no-summary")
    assert code == 1
    line = next(
        number
        for number, text in enumerate(PERIOD_CASE.read_text(encoding="utf-8").splitlines(), 1)
        if text.startswith("initiative:test-project")
    )
    relative = os.path.relpath(PERIOD_CASE, Path.cwd())
    assert f"{relative}:{line}: violation: The period ends (2014) before it begins (2017)." in out
    assert "does not conform" in out


def test_both_validation_engines_print_the_same_report() -> None:
    fast = invoke("validate", PERIOD_CASE, "--no-summary", "--format", "json")
    reference = invoke(
        "validate", PERIOD_CASE, "--no-summary", "--format", "json", "--engine", "rdflib"
    )
    assert fast[0] == reference[0] == 1
    assert json.loads(fast[1]) == json.loads(reference[1])
    assert invoke("validate", "--engine", "jena")[0] == 2


def test_exit_2_for_a_syntax_error_with_file_line_and_column(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b ex:c\nex:d ex:e ex:f .\n")
    code, out, err = invoke("validate", broken)
    assert code == 2
    assert out == ""
    assert re.search(rf"{re.escape(str(broken))}:3:\d+: Turtle syntax error", err)


def test_exit_2_for_a_missing_file(tmp_path: Path) -> None:
    code, _, err = invoke("validate", tmp_path / "nope.ttl")
    assert code == 2
    assert "nope.ttl: no such file or folder" in err


def test_exit_2_for_a_bad_option() -> None:
    code, _, _ = invoke("validate", "--format", "yaml")
    assert code == 2


def test_fail_on_warning() -> None:
    case = TEST_DATA / "valid" / "project-without-target-group.ttl"
    assert invoke("validate", case)[0] == 0
    assert invoke("validate", case, "--fail-on", "warning")[0] == 1


def test_json_report_parses_and_counts() -> None:
    code, out, _ = invoke("validate", PERIOD_CASE, "--format", "json")
    assert code == 1
    document = json.loads(out)
    assert document["conforms"] is False
    assert document["counts"] == {"violation": 1, "warning": 0, "info": 1}
    (violation,) = [r for r in document["results"] if r["severity"] == "violation"]
    assert violation["shape"] == "ikgsh:PeriodShape"
    assert violation["file"].endswith("PeriodShape--end-before-start.ttl")
    assert isinstance(violation["line"], int)


def test_junit_report_parses() -> None:
    code, out, _ = invoke("validate", PERIOD_CASE, "--format", "junit")
    assert code == 1
    root = ET.fromstring(out.split("\n", 1)[1])
    suite = root.find("testsuite")
    assert suite is not None
    assert suite.get("failures") == "1"
    failures = root.findall(".//failure")
    assert len(failures) == 1
    assert failures[0].get("message") == "The period ends (2014) before it begins (2017)."
    case = root.find(".//testcase[failure]")
    assert case is not None and case.get("classname") == "ikgsh:PeriodShape"


def test_junit_report_of_a_conforming_graph_has_no_failures() -> None:
    code, out, _ = invoke("validate", MINIMAL, "--format", "junit")
    assert code == 0
    root = ET.fromstring(out.split("\n", 1)[1])
    assert root.findall(".//failure") == []


def test_github_annotations_parse() -> None:
    code, out, _ = invoke("validate", PERIOD_CASE, "--format", "github")
    assert code == 1
    pattern = re.compile(r"^::(error|warning|notice) ([^:]*)::(.*)$")
    lines = out.splitlines()
    assert all(pattern.match(line) for line in lines), lines
    errors = [pattern.match(line) for line in lines if line.startswith("::error")]
    assert len(errors) == 1
    properties = dict(item.split("=", 1) for item in errors[0].group(2).split(","))  # type: ignore[union-attr]
    assert properties["file"].endswith("PeriodShape--end-before-start.ttl")
    assert properties["line"].isdigit()
    assert properties["title"] == "ikgsh%3APeriodShape"
    assert "The period ends (2014) before it begins (2017)." in errors[0].group(3)  # type: ignore[union-attr]


def test_output_file_is_written_whole(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "report.json"
    code, out, _ = invoke("validate", MINIMAL, "--format", "json", "-o", target)
    assert code == 0 and out == ""
    assert json.loads(target.read_text(encoding="utf-8"))["conforms"] is True
    assert [p.name for p in target.parent.iterdir()] == ["report.json"]  # no temporary left


def test_nothing_is_written_when_the_input_is_unusable(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    code, _, _ = invoke("validate", tmp_path / "missing.ttl", "-o", target)
    assert code == 2
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.e2e
def test_the_installed_console_script_runs() -> None:
    script = Path(sys.executable).parent / "ikg"
    assert script.exists(), "the ikg console script is not installed in this environment"
    ok = subprocess.run(
        [str(script), "validate", "--no-summary"], capture_output=True, text=True, cwd=REPO
    )
    assert ok.returncode == 0, ok.stderr
    assert "conforms" in ok.stdout
    bad = subprocess.run(
        [str(script), "validate", str(PERIOD_CASE)], capture_output=True, text=True
    )
    assert bad.returncode == 1


@pytest.mark.e2e
def test_the_wheel_ships_the_data_and_works_outside_the_checkout(tmp_path: Path) -> None:
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path / "dist"),
            str(REPO),
        ],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("initiative_kg-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for expected in (
        "initiative_kg/_assets/ontology/initiative-kg.ttl",
        "initiative_kg/_assets/ontology/shapes/initiative.shapes.ttl",
        "initiative_kg/_assets/ontology/vocabularies/intervention-elements.ttl",
        "initiative_kg/_assets/data/initiatives/004-udbrede-anvendelse-af-peers.ttl",
        "initiative_kg/_assets/data/reference/municipalities.ttl",
        "initiative_kg/py.typed",
    ):
        assert expected in names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from initiative_kg.cli import main; main()",
            "validate",
            "--no-summary",
        ],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env={**os.environ, "PYTHONPATH": str(site)},
    )
    assert run.returncode == 0, run.stderr
    assert "_assets/data/initiatives/004-udbrede-anvendelse-af-peers.ttl" in run.stdout


# ---------------------------------------------------------------------- ikg query


def test_query_list_names_every_catalogue_query_with_its_parameters() -> None:
    code, out, _ = invoke("query", "--list")
    assert code == 0
    assert (
        "initiatives-active-in-year\n    Initiatives active in a year\n    params: year: integer"
        in out
    )
    assert "actors-in-several-initiatives" in out and "min: integer = 2" in out


def test_query_describe_prints_header_and_text() -> None:
    code, out, _ = invoke("query", "funding-by-year", "--describe")
    assert code == 0
    assert out.startswith("#+ title: Funding by year")
    assert "SELECT ?year (SUM(?share) AS ?totalDKK)" in out


def test_query_table_is_the_default() -> None:
    code, out, _ = invoke("query", "initiatives-active-in-year", "--param", "year=2016")
    assert code == 0
    assert out.splitlines()[0].split() == ["initiative", "title", "start", "end"]
    assert "initiative:systematisk-inddragelse-af-paaroerende" in out
    assert out.rstrip().endswith("(2 rows)")


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
def test_query_csv_is_the_w3c_format(engine: str) -> None:
    code, out, _ = invoke("query", "funding-by-initiative", "-f", "csv", "--engine", engine)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0] == {
        "initiative": "https://w3id.org/initiative-kg/id/initiative/partnerskab-om-omlaegning-af-socialpsykiatrien",
        "title": "Partnerskab om strategisk udvikling og omlægning af socialpsykiatrien",
        "totalDKK": "21800000",
    }


def test_query_tsv_json_and_xml_parse() -> None:
    from rdflib.query import Result

    for fmt in ("tsv", "json", "xml"):
        code, out, _ = invoke("query", "participation-by-region", "-f", fmt)
        assert code == 0, fmt
        parsed = Result.parse(io.StringIO(out), format=fmt)
        assert len(parsed) == 5, fmt
        assert {str(v) for v in parsed.vars or []} == {
            "region",
            "regionLabel",
            "municipalities",
            "initiatives",
        }


def test_query_own_file_stdin_and_construct(tmp_path: Path) -> None:
    own = tmp_path / "regions.rq"
    own.write_text(
        "PREFIX ikg: <https://w3id.org/initiative-kg/ontology#>\n"
        "CONSTRUCT { ?r a ikg:Region } WHERE { ?r a ikg:Region }\n"
    )
    code, out, _ = invoke("query", own, "-f", "nt")
    assert code == 0
    assert len(out.strip().splitlines()) == 5
    code, out, _ = invoke("query", own)  # a graph is not a table
    assert code == 2
    result = runner.invoke(
        app, ["query", "-", "-f", "csv"], input="SELECT (1 + 1 AS ?two) WHERE {}"
    )
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["two", "2"]


def test_query_ask_exit_codes() -> None:
    yes = runner.invoke(
        app, ["query", "-"], input="ASK { ?s a <https://w3id.org/initiative-kg/ontology#Region> }"
    )
    assert (yes.exit_code, yes.stdout) == (0, "true\n")
    no = runner.invoke(app, ["query", "-"], input="ASK { ?s a <https://example.org/Nothing> }")
    assert (no.exit_code, no.stdout) == (1, "false\n")


def test_query_errors_exit_2() -> None:
    code, _, err = invoke("query", "initiatives-active-in-year")
    assert code == 2 and "needs the parameter 'year'" in err
    code, _, err = invoke("query", "initiatives-active-in-year", "-p", "year=2016 } UNION {")
    assert code == 2 and "parameter 'year' expects an integer" in err
    code, _, err = invoke("query", "no-such-query")
    assert code == 2 and "no query 'no-such-query'" in err
    result = runner.invoke(app, ["query", "-"], input="SELECT ?s\nWHERE { ?s ?p }")
    assert result.exit_code == 2 and "line 2, column" in result.stderr
    result = runner.invoke(
        app, ["query", "-"], input="SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
    )
    assert result.exit_code == 2 and "SERVICE" in result.stderr


def test_query_on_the_users_own_data() -> None:
    code, out, _ = invoke("query", "funding-by-initiative", "--data", MINIMAL, "-f", "csv")
    assert code == 0
    assert out.splitlines()[1:] == [
        "https://w3id.org/initiative-kg/id/initiative/test-project,Testprojekt,9600000"
    ]


def test_query_stated_leaves_out_coding() -> None:
    _, coded, _ = invoke("query", "intervention-element-usage", "-f", "csv")
    _, stated, _ = invoke("query", "intervention-element-usage", "-f", "csv", "--stated")
    assert "Peer to peer,1" in coded
    assert "Peer to peer,0" in stated


def test_query_can_leave_out_personal_data() -> None:
    question = "SELECT ?name WHERE { ?p <https://schema.org/name> ?name } ORDER BY ?name"
    with_people = runner.invoke(app, ["query", "-", "-f", "csv"], input=question)
    without = runner.invoke(app, ["query", "-", "-f", "csv", "--no-personal-data"], input=question)
    assert "Trine Bang Nielsen" in with_people.stdout
    assert without.stdout.splitlines() == ["name"]
