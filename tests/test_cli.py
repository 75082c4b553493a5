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
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from initiative_kg import __version__
from initiative_kg.cli import app
from initiative_kg.store import KnowledgeGraph
from tests.conftest import REPO, TEST_DATA
from tests.listener import RecordingListener

runner = CliRunner()
PERIOD_CASE = TEST_DATA / "invalid" / "PeriodShape--end-before-start.ttl"
MINIMAL = TEST_DATA / "valid" / "minimal-project.ttl"


ORG = "https://w3id.org/initiative-kg/id/organisation/"


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
    # the infos are the source pages that give no last-updated date
    assert re.search(r"0 violation\(s\), 0 warning\(s\), \d+ info\(s\)", out)
    assert "conforms" in out and "does not conform" not in out
    # the summary of what the graph holds: every source page of the data files
    pages = sum(
        path.read_text(encoding="utf-8").count(" a ikg:SourcePage ;")
        for path in (REPO / "data").rglob("*.ttl")
    )
    assert pages > 5
    assert re.search(rf"ikg:SourcePage\s+{pages}\n", out)


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
    # --standalone: the case beside the reference data (pySHACL is slow on the shipped graph,
    # whose parity test_shape_queries.py holds)
    fast = invoke("validate", PERIOD_CASE, "--standalone", "--no-summary", "--format", "json")
    reference = invoke(
        "validate", PERIOD_CASE, "--standalone", "--no-summary", "--format", "json",
        "--engine", "rdflib",
    )  # fmt: skip
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
    # one violation; the infos are the shipped pages that give no last-updated date
    assert document["counts"]["violation"] == 1 and document["counts"]["warning"] == 0
    assert document["counts"]["info"] == len(
        [r for r in document["results"] if r["path"] == "schema:dateModified"]
    )
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
    text = (REPO / "queries" / "funding" / "funding-by-year.rq").read_text(encoding="utf-8")
    select = next(line for line in text.splitlines() if line.startswith("SELECT"))
    assert select in out and "GROUP BY ?year" in out


def test_query_table_is_the_default() -> None:
    code, out, _ = invoke("query", "initiatives-active-in-year", "--param", "year=2016")
    assert code == 0
    assert out.splitlines()[0].split() == ["initiative", "title", "start", "end"]
    assert "initiative:systematisk-inddragelse-af-paaroerende" in out
    rows = [line for line in out.splitlines()[2:] if line.startswith("initiative:")]
    assert out.rstrip().endswith(f"({len(rows)} rows)") and len(rows) >= 2


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
def test_query_csv_is_the_w3c_format(engine: str) -> None:
    code, out, _ = invoke("query", "funding-by-initiative", "-f", "csv", "--engine", engine)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    # page 001: "Initiativet er finansieret med 8,8 mio. kr." (its 13 mio. kr. pool is not its money)
    assert {
        "initiative": "https://w3id.org/initiative-kg/id/initiative/partnerskab-om-omlaegning-af-socialpsykiatrien",
        "title": "Partnerskab om strategisk udvikling og omlægning af socialpsykiatrien",
        "totalDKK": "8800000",
    } in rows


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


def test_query_text_or_an_impossible_name_as_the_argument_exits_2_with_a_hint() -> None:
    """Guards resolve(): query text pasted as the argument (a common slip), or a name too long
    to be a file, is an error with exit 2 saying what to do, not the operating system's
    traceback (which exited 1, "does not conform")."""
    code, _, err = invoke("query", "a" * 300)
    assert code == 2 and "no query 'aaaa" in err and "Traceback" not in err
    code, _, err = invoke("query", "SELECT ?s WHERE { ?s ?p ?o } # " + "x" * 300)
    assert code == 2 and "looks like query text" in err and "'-'" in err
    code, _, err = invoke("query", "PREFIX x: <https://example.org/>\nASK { ?s ?p ?o }")
    assert code == 2 and "looks like query text" in err


def test_query_on_the_users_own_data() -> None:
    code, out, _ = invoke("query", "funding-by-initiative", "--data", MINIMAL, "-f", "csv")
    assert code == 0
    assert out.splitlines()[1:] == [
        "https://w3id.org/initiative-kg/id/initiative/test-project,Testprojekt,9600000"
    ]


def test_query_stated_leaves_out_coding() -> None:
    _, coded, _ = invoke("query", "intervention-element-usage", "-f", "csv")
    _, stated, _ = invoke("query", "intervention-element-usage", "-f", "csv", "--stated")
    # page 000's project is coded with "Organisationsudvikling"; no page states an element
    assert "Organisationsudvikling,1" in coded
    assert "Organisationsudvikling,0" in stated


def test_query_can_leave_out_personal_data() -> None:
    question = "SELECT ?name WHERE { ?p <https://schema.org/name> ?name } ORDER BY ?name"
    with_people = runner.invoke(app, ["query", "-", "-f", "csv"], input=question)
    without = runner.invoke(app, ["query", "-", "-f", "csv", "--no-personal-data"], input=question)
    assert "Trine Bang Nielsen" in with_people.stdout
    assert without.stdout.splitlines() == ["name"]


# ---------------------------------------------------------------------- one command line


def _commands() -> dict[str, Any]:
    """Every command of ikg by its name as typed ("network path"), as click builds it."""
    import typer

    root = typer.main.get_command(app)
    found: dict[str, Any] = {}

    def walk(command: Any, name: str) -> None:
        children = getattr(command, "commands", None)
        if children:
            for child_name, child in children.items():
                walk(child, f"{name} {child_name}".strip())
        else:
            found[name] = command

    walk(root, "")
    return found


COMMANDS = _commands()
# Every command reads the graph except diff, which compares two files it is given.
READS_THE_GRAPH = set(COMMANDS) - {"diff"}


def _options(command: Any) -> dict[str, Any]:
    return {
        opt: param
        for param in command.params
        if param.param_type_name == "option"
        for opt in (*param.opts, *param.secondary_opts)
    }


def test_the_command_tree_is_what_the_readme_describes() -> None:
    assert len(COMMANDS) == 12, sorted(COMMANDS)  # nine commands and network's three


def test_one_name_per_idea_stated_and_data() -> None:
    """Guards "one name per idea": --stated (never --stated-only) wherever coding can be left
    out, and --data PATH, repeatable, on every command that reads the graph."""
    with_stated = {name for name, command in COMMANDS.items() if "--stated" in _options(command)}
    assert with_stated == {
        "query", "export", "network metrics", "network path", "network communities"
    }  # fmt: skip
    for name, command in COMMANDS.items():
        options = _options(command)
        assert not any(opt.startswith("--stated-") for opt in options), name
        if name in READS_THE_GRAPH:
            assert "--data" in options and options["--data"].multiple, name
        helps = {opt: options[opt].help for opt in ("--data", "--stated") if opt in options}
        for opt, text in helps.items():  # one meaning: the same help everywhere
            assert text == _options(COMMANDS["query"])[opt].help, (name, opt)


def test_network_export_and_site_work_on_the_users_own_data(tmp_path: Path) -> None:
    """--data replaces the shipped data: only the user's project and its lead are in the
    network, the export and the site."""
    code, out, err = invoke("network", "metrics", "--data", MINIMAL, "-f", "csv",
                            "--projection", "initiative-actor")  # fmt: skip
    assert code == 0, err
    assert [line.split(",")[0] for line in out.splitlines()[1:]] == [
        "initiative:test-project",
        "organisation:socialstyrelsen",
    ]
    target = tmp_path / "net.json"
    code, out, _ = invoke("export", "--projection", "initiative-actor", "-f", "json",
                          "-o", target, "--data", MINIMAL)  # fmt: skip
    assert code == 0 and "(2 nodes, 1 edges)" in out
    code, out, _ = invoke(
        "network", "path", "testprojekt", "organisation:socialstyrelsen", "--data", MINIMAL
    )
    assert code == 0 and out.splitlines()[0] == "Testprojekt (initiative:test-project)"
    code, _, err = invoke("site", "-o", tmp_path / "site", "--data", MINIMAL)
    assert code == 0, err
    assert (tmp_path / "site" / "initiatives" / "test-project.html").exists()
    assert not (tmp_path / "site" / "initiatives" / "udbrede-anvendelse-af-peers.html").exists()


def test_validate_takes_data_like_the_paths_it_is_given() -> None:
    by_argument = invoke("validate", PERIOD_CASE, "--no-summary", "-f", "json")
    by_option = invoke("validate", "--data", PERIOD_CASE, "--no-summary", "-f", "json")
    assert by_argument[0] == by_option[0] == 1
    assert json.loads(by_argument[1]) == json.loads(by_option[1])


def test_stated_changes_what_network_and_export_show(tmp_path: Path) -> None:
    def degree(*extra: str) -> str:
        _, out, _ = invoke("network", "metrics", "-f", "csv", *extra)
        row = next(line for line in out.splitlines() if line.startswith("organisation:social"))
        return row.split(",")[3]

    def co_participants(stated: bool) -> int:
        """Socialstyrelsen's partners in the data: the organisations that share an initiative
        with it, through participations in any graph or only in the pages' own graphs."""
        kg = KnowledgeGraph.load()
        graphs = (
            "FILTER NOT EXISTS { ?g a ikg:CodedGraph } FILTER NOT EXISTS { ?h a ikg:CodedGraph }"
        )
        (row,) = kg.dataset.query(
            f"""PREFIX ikg: <https://w3id.org/initiative-kg/ontology#>
                PREFIX prov: <http://www.w3.org/ns/prov#>
                SELECT (COUNT(DISTINCT ?other) AS ?n) WHERE {{
                  GRAPH ?g {{ ?i prov:qualifiedAssociation ?mine }}
                  ?mine prov:agent <{ORG}socialstyrelsen> .
                  GRAPH ?h {{ ?i prov:qualifiedAssociation ?theirs }}
                  ?theirs prov:agent ?other .
                  FILTER (?other != <{ORG}socialstyrelsen>) {graphs if stated else ""} }}"""
        )
        return int(row[0])  # type: ignore[index]

    # the coded leads (001 and others) connect Socialstyrelsen to more partners
    assert (degree(), degree("--stated")) == (
        str(co_participants(False)),
        str(co_participants(True)),
    )
    assert co_participants(True) < co_participants(False)
    # the projection links initiatives (not page 003's interventions) to their elements
    coded_elements = len(
        KnowledgeGraph.load().dataset.query(
            """PREFIX ikg: <https://w3id.org/initiative-kg/ontology#>
               PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
               SELECT DISTINCT ?i ?e WHERE { ?i ikg:usesInterventionElement ?e ;
                                              a/rdfs:subClassOf* ikg:Initiative }"""
        )
    )
    code, out, _ = invoke("export", "--projection", "initiative-element", "-f", "json",
                          "-o", tmp_path / "coded.json")  # fmt: skip
    assert code == 0 and f"{coded_elements} edges" in out and coded_elements > 0
    code, out, _ = invoke("export", "--projection", "initiative-element", "-f", "json",
                          "-o", tmp_path / "stated.json", "--stated")  # fmt: skip
    assert code == 0 and "0 edges" in out


@pytest.mark.parametrize("position", ["after", "before"])
def test_verbose_says_what_was_loaded_and_how_long_each_step_took(position: str) -> None:
    args = ["validate", MINIMAL, "--no-summary"]
    args = [*args, "-v"] if position == "after" else ["-v", *args]
    code, _, err = invoke(*args)
    assert code == 0
    assert re.search(r"^ikg: info: loaded \d+ triples from \d+ files \(.*1 yours", err, re.M), err
    assert re.search(r"^ikg: info: loading the graph: \d+\.\d\d s$", err, re.M), err
    assert re.search(r"^ikg: info: validating on oxigraph: \d+\.\d\d s$", err, re.M), err
    code, _, quiet = invoke("validate", MINIMAL, "--no-summary", "-q")
    assert code == 0 and quiet == ""
    code, _, plain = invoke("validate", MINIMAL, "--no-summary")
    assert code == 0 and "info:" not in plain


def test_every_command_takes_verbose_and_quiet_after_its_name() -> None:
    for name, command in COMMANDS.items():
        options = _options(command)
        assert {"-v", "--verbose", "-q", "--quiet"} <= set(options), name


PLACEHOLDERS = re.compile(r"<(str|int|float|path|bool)>|list\[|int range|float range|\[x>=|"
                          r"\[default: 0\]|\[default: no-|\{[A-Z]+\}")  # fmt: skip


def test_help_reads_well_on_every_command() -> None:
    """Guards the help text: no type placeholders, every option explained, every -f with its
    choices, examples kept on their own lines."""
    code, top, _ = invoke("--help")
    assert code == 0
    commands_section = top.split("Commands:")[1]
    assert "..." not in commands_section  # no summary cut off
    for name in COMMANDS:
        code, out, _ = invoke(*name.split(), "--help")
        assert code == 0, name
        assert not PLACEHOLDERS.search(out), (name, PLACEHOLDERS.search(out))
        for param in COMMANDS[name].params:
            assert (param.help or "").strip(), (name, param.name)
        if "-f" in _options(COMMANDS[name]):
            assert re.search(r"-f, --format <[a-z]+(\|[a-z]+)+>", out), name
    _, query_help, _ = invoke("query", "--help")
    examples = [line.strip() for line in query_help.splitlines() if line.startswith("    ikg ")]
    assert "ikg query initiatives-active-in-year --param year=2016 --format csv" in examples
    assert "ikg query initiatives-for-target-group -p group=tg:relatives --stated" in examples


def test_choice_errors_read_like_the_others() -> None:
    code, _, err = invoke("validate", "--format", "yaml")
    assert code == 2
    assert "Invalid value for '--format' / '-f': 'yaml' is not one of" in err
    assert "Value error" not in err
    code, _, err = invoke("export", "--projection", "full", "-f", "pdf", "-o", "x.pdf")
    assert code == 2 and "'pdf' is not one of" in err and "Value error" not in err
    code, _, err = invoke("network", "metrics", "--top", "0")
    assert code == 2 and "0 is not a count: give 1 or more" in err


def test_the_cli_lists_the_projections_and_formats_the_modules_know() -> None:
    from initiative_kg.cli.network import Projection
    from initiative_kg.cli.show import ExportFormat
    from initiative_kg.export import FORMATS
    from initiative_kg.network import PROJECTIONS

    assert tuple(Projection) == PROJECTIONS
    assert tuple(ExportFormat) == FORMATS


def test_a_prefixed_name_with_an_unknown_prefix_is_an_error() -> None:
    code, out, err = invoke("query", "initiative-profile", "-p",
                            "initiative=initiatve:udbrede-anvendelse-af-peers")  # fmt: skip
    assert code == 2 and out == ""
    assert "'initiatve' is not a known prefix" in err
    assert "initiative, intervention" in err  # the known prefixes are named
    code, out, _ = invoke("query", "initiative-profile", "-p",
                          "initiative=<https://example.org/not-in-the-graph>")  # fmt: skip
    assert code == 0 and "(0 rows)" in out  # a full IRI is taken as it is


def _in_a_terminal(columns: int, *args: str) -> list[str]:
    """Run ikg with its stdout on a pseudo-terminal of the given width, as a person sees it."""
    import fcntl
    import pty
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    environment = {key: value for key, value in os.environ.items() if key != "COLUMNS"}
    process = subprocess.Popen(
        [sys.executable, "-m", "initiative_kg.cli", *args],
        stdout=follower,
        stderr=subprocess.PIPE,
        env=environment,
        cwd=REPO,
    )
    os.close(follower)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closes when the process ends
            break
        if not chunk:
            break
        output += chunk
    os.close(leader)
    assert process.wait(timeout=120) == 0, process.stderr.read() if process.stderr else ""
    return output.decode("utf-8").replace("\r\n", "\n").splitlines()


# page 000: stated facts and one element an analyst coded from the page
PROFILE = [
    "query",
    "initiative-profile",
    "-p",
    "initiative=initiative:systematisk-inddragelse-af-paaroerende",
]


def test_tables_fit_the_terminal_and_mark_coded_facts() -> None:
    """Guards that a table shown in a terminal fits its width (a long cell cut with "…") and
    says which facts are coded; piped (here: the test runner's stdout) nothing is cut."""
    lines = _in_a_terminal(100, *PROFILE)
    assert lines[0].split() == ["property", "value", "source", "basis"]
    assert max(len(line) for line in lines) <= 100
    assert any("…" in line for line in lines)  # cut, not wrapped into a mess
    coded = [line for line in lines if line.startswith("ikg:usesInterventionElement")]
    assert len(coded) == 1 and coded[0].split()[-1] == "coded"
    stated = [line for line in lines[2:-1] if line not in coded]
    assert stated and all(line.split()[-1] == "stated" for line in stated)
    whole = runner.invoke(app, PROFILE, env={"COLUMNS": "100"})  # a pipe: nothing cut
    assert max(len(line) for line in whole.stdout.splitlines()) > 300
    assert "…" not in whole.stdout
    metrics = _in_a_terminal(80, "network", "metrics")
    assert max(len(line) for line in metrics) <= 80 and metrics[0].startswith("node")


def test_network_path_marks_a_coded_link() -> None:
    code, out, _ = invoke("network", "path", "Thisted", "PwC")
    assert code == 0
    (coded,) = [line for line in out.splitlines() if line.endswith("(coded)")]
    assert "initiative:partnerskab-om-omlaegning-af-socialpsykiatrien" in coded


@pytest.mark.parametrize(
    ("command", "folder"),
    [
        (["validate", MINIMAL, "-f", "json"], False),
        (["query", "sources", "-f", "csv"], False),
        (["export", "--projection", "initiative-actor", "-f", "json"], False),
        (["ingest", REPO / "README.md"], False),
        (["build"], True),
        (["site"], True),
    ],
    ids=["validate", "query", "export", "ingest", "build", "site"],
)
def test_one_overwrite_rule_checked_before_the_work(
    tmp_path: Path, command: list[str | Path], folder: bool
) -> None:
    """Guards the rule: an existing -o file or folder is refused before anything is loaded
    (exit 2, the target untouched), and replaced with --overwrite."""
    target = tmp_path / "out"
    if folder:
        target.mkdir()
        (target / "keep.txt").write_text("mine")
    else:
        target.write_text("mine")
    code, _, err = invoke(*command, "-o", target, "-v")
    assert code == 2, err
    assert f"{target} exists; choose a new" in err and "--overwrite" in err
    assert "loaded" not in err  # refused before the graph was loaded
    kept = target / "keep.txt" if folder else target
    assert kept.read_text() == "mine"
    code, _, err = invoke(*command, "-o", target, "--overwrite")
    assert code == 0, err
    assert not (target / "keep.txt").exists() if folder else target.read_text() != "mine"


def test_an_output_of_the_wrong_kind_is_refused(tmp_path: Path) -> None:
    code, _, err = invoke("validate", MINIMAL, "-o", tmp_path, "--overwrite")
    assert code == 2 and "is a folder; -o needs a file name" in err
    file = tmp_path / "file"
    file.write_text("mine")
    code, _, err = invoke("build", "-o", file, "--overwrite")
    assert code == 2 and "is not a folder" in err and file.read_text() == "mine"


def test_xml_results_are_indented_and_unchanged(tmp_path: Path) -> None:
    from rdflib.query import Result

    code, xml, _ = invoke("query", "funding-by-agreement", "-f", "xml")
    assert code == 0
    lines = xml.splitlines()
    assert lines[0].startswith("<?xml")
    assert any(line.startswith("    <result>") for line in lines), xml[:400]
    assert len(lines) > 40  # one element a line, not one long line
    _, as_json, _ = invoke("query", "funding-by-agreement", "-f", "json")
    from_xml = Result.parse(io.StringIO(xml), format="xml")
    from_json = Result.parse(io.StringIO(as_json), format="json")
    assert list(from_xml) == list(from_json)


def test_the_catalogue_list_shows_columns_and_an_example_call_that_works() -> None:
    code, out, _ = invoke("query", "--list")
    assert code == 0
    assert (
        "initiatives-active-in-year\n    Initiatives active in a year\n    params: year: integer\n"
        "    columns: initiative, title, start, end\n"
        "    example: ikg query initiatives-active-in-year -p year=2016\n"
    ) in out
    examples = re.findall(r"^    example: ikg (.+)$", out, re.M)
    from initiative_kg.queries import catalogue

    assert len(examples) == len(catalogue())
    for example in examples:
        code, result, err = invoke(*example.split())
        assert code == 0, (example, err)
        assert re.search(r"\(\d+ rows?\)$", result.rstrip()), example


def test_lang_da_covers_the_summary_line() -> None:
    code, out, _ = invoke("validate", PERIOD_CASE, "--lang", "da")
    assert code == 1
    assert "Perioden slutter" in out  # the shape's own Danish message
    assert re.search(
        r"^1 overtrædelse\(r\), 0 advarsel\(er\), \d+ oplysning\(er\) i \d+ tripler fra \d+ filer: "
        r"overholder ikke formerne \(fejler ved overtrædelse og derover\)$",
        out,
        re.M,
    ), out
    assert "Grafen indeholder:" in out and "The graph holds" not in out
    assert "violation(s)" not in out


def test_ingest_check_names_the_users_draft_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Guards that --check reports the file the user has (the -o file, or <stdout> for a draft
    printed there), never a temporary copy that no longer exists."""
    page = tmp_path / "page.txt"
    page.write_text(OTHER_LAYOUT, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, _, err = invoke("ingest", "page.txt", "-o", "draft.ttl", "--check")
    assert code == 0, err
    reported = re.findall(r"^(\S+?):(\d+): (warning|info|violation):", err, re.M)
    assert reported and {file for file, _, _ in reported} == {"draft.ttl"}
    draft = (tmp_path / "draft.ttl").read_text(encoding="utf-8").splitlines()
    line = int(next(number for _, number, kind in reported if kind == "warning"))
    assert draft[line - 1].startswith("initiative:et-nyt-projekt")  # the line is in that file
    code, _, err = invoke("ingest", "page.txt", "--check")
    assert code == 0
    files = set(re.findall(r"^(\S+?):\d+: (?:warning|info|violation):", err, re.M))
    assert files == {"<stdout>"} and "/tmp" not in err


OTHER_LAYOUT = """Forside > Projekter > Et nyt projekt

Et nyt projekt om pårørende

Projektperiode
1. juni 2016 – 31. december 2018

Målgruppe
Voksne pårørende til mennesker med psykiske vanskeligheder.

Finansiering
Der er afsat syv mio. kr. fra satspuljen 2016-2019.
"""


# ---------------------------------------------------------------------- options that change what a command does


@pytest.fixture
def sparql_listener() -> Iterator[tuple[str, list[str]]]:
    """A SPARQL endpoint on 127.0.0.1 that answers every query with one row (x = "from the
    listener") and records each request it gets."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    requests: list[str] = []
    answer = json.dumps(
        {
            "head": {"vars": ["x"]},
            "results": {"bindings": [{"x": {"type": "literal", "value": "from the listener"}}]},
        }
    ).encode()

    class Endpoint(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def do_GET(self) -> None:
            self._answer()

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self._answer()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Endpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/sparql", requests
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_allow_service_is_what_lets_a_query_ask_another_server(
    sparql_listener: tuple[str, list[str]], engine: str
) -> None:
    """Guards --allow-service: without it a SERVICE query is refused before anything is sent;
    with it the other server is asked and its answer is the result."""
    url, requests = sparql_listener
    question = f"SELECT ?x WHERE {{ SERVICE <{url}> {{ ?s ?p ?x }} }}"
    refused = runner.invoke(app, ["query", "-", "-f", "csv", "--engine", engine], input=question)
    assert refused.exit_code == 2 and "--allow-service" in refused.stderr
    assert requests == []
    allowed = runner.invoke(
        app, ["query", "-", "-f", "csv", "--engine", engine, "--allow-service"], input=question
    )
    assert allowed.exit_code == 0, allowed.stderr
    assert allowed.stdout.splitlines() == ["x", "from the listener"]
    assert len(requests) == 1


def test_standalone_checks_your_files_beside_only_the_reference_data(tmp_path: Path) -> None:
    """Guards --standalone: the shipped organisations are no longer there to link to (the lead
    of the test project is then undescribed), the municipalities still are."""
    own = tmp_path / "own.ttl"
    own.write_text(
        MINIMAL.read_text(encoding="utf-8")
        + "\ninitiative:test-project prov:qualifiedAssociation [ a ikg:Participation ; "
        "prov:agent municipality:787 ; prov:hadRole role:participant ] .\n",
        encoding="utf-8",
    )

    def undescribed(*extra: str) -> tuple[int, set[str], int]:
        code, out, _ = invoke("validate", own, "--no-summary", "-f", "json", *extra)
        results = json.loads(out)["results"]
        _, text, _ = invoke("validate", own, "--no-summary", *extra)
        files = re.search(r"from (\d+) files", text)
        assert files is not None
        values = {
            r["value"]
            for r in results
            if r["file"].endswith("own.ttl") and "not described" in r["message"]
        }
        return code, values, int(files.group(1))

    code, values, with_shipped = undescribed()
    assert (code, values) == (0, set())
    code, values, standalone = undescribed("--standalone")
    assert code == 1
    assert values == {"organisation:socialstyrelsen"}  # municipality:787 is still described
    assert standalone < with_shipped


def test_lang_chooses_the_language_of_the_messages() -> None:
    _, english, _ = invoke("validate", PERIOD_CASE, "--no-summary")
    _, danish, _ = invoke("validate", PERIOD_CASE, "--no-summary", "--lang", "da")
    assert "The period ends (2014) before it begins (2017)." in english
    assert "The period ends" not in danish and "Perioden slutter" in danish
    assert english.count("\n") == danish.count("\n")  # the same results, in other words


def test_no_summary_leaves_out_what_the_graph_holds() -> None:
    code, full, _ = invoke("validate", MINIMAL)
    assert code == 0 and "The graph holds:" in full and re.search(r"ikg:Project\s+\d+", full)
    code, short, _ = invoke("validate", MINIMAL, "--no-summary")
    assert code == 0 and "The graph holds:" not in short and "ikg:Project" not in short
    assert full.startswith(short)  # the report itself is the same


# ---------------------------------------------------------------------- the README's command table


SHARED_OPTIONS = {
    "--data", "--stated", "-f", "-o", "--overwrite", "--personal-data", "--allow-remote-context",
    "-v", "-q",
}  # fmt: skip


def _readme_tables() -> tuple[list[list[str]], list[list[str]]]:
    """The two tables of the README's "The command line" section: commands, shared options."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## The command line\n", 1)[1].split("\n## ", 1)[0]
    tables: list[list[list[str]]] = []
    for block in re.split(r"\n\s*\n", section):
        rows = [line for line in block.splitlines() if line.startswith("|")]
        if rows:
            cells = [re.split(r"(?<!\\)\|", row.strip())[1:-1] for row in rows[2:]]
            tables.append([[cell.strip().replace("\\|", "|") for cell in row] for row in cells])
    assert len(tables) == 2, "the section has a command table and a shared-option table"
    return tables[0], tables[1]


def _code_spans(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def _option_of(command: Any, token: str) -> Any:
    for param in command.params:
        if token in (*getattr(param, "opts", ()), *getattr(param, "secondary_opts", ())):
            return param
    raise AssertionError(f"{command.name} has no option {token}")


def _choices(param: Any) -> list[str] | None:
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is None or not descriptor.is_choice:
        return None
    return [str(getattr(choice, "value", choice)) for choice in descriptor.choices]


def test_the_readme_command_table_matches_the_help() -> None:
    """Guards the README's one table against drift: every command with the line `ikg --help`
    shows and its usage, every option of its own (with the choices the help lists), and each
    shared option on exactly the commands that have it."""
    commands, shared = _readme_tables()
    _, top, _ = invoke("--help")
    _, network, _ = invoke("network", "--help")
    listed = {}
    for row in commands:
        usage = _code_spans(row[0])[0]
        name = next(
            n for n in sorted(COMMANDS, key=len, reverse=True) if usage.startswith(f"ikg {n}")
        )
        listed[name] = row
        _, help_text, _ = invoke(*name.split(), "--help")
        assert (
            help_text.splitlines()[0]
            == f"Usage: {usage.replace('ikg ' + name, 'ikg ' + name + ' [OPTIONS]', 1)}"
        ), name
        summary_source = network if name.startswith("network ") else top
        short = name.split()[-1]
        shown = re.search(rf"^  {re.escape(short)} +(.+(?:\n {{4,}}.+)*)", summary_source, re.M)
        assert shown is not None, name
        assert " ".join(shown.group(1).split()) == row[1], name
        own = {param for param in COMMANDS[name].params if param.param_type_name == "option"}
        own = {p for p in own if not set((*p.opts, *p.secondary_opts)) & SHARED_OPTIONS}
        mentioned = set()
        for span in _code_spans(row[2]):
            token, _, value = span.partition(" ")
            param = _option_of(COMMANDS[name], token.split("/")[0])
            mentioned.add(param)
            if "|" in value:
                assert value.split("|") == _choices(param), (name, span)
        with_format = [p for p in COMMANDS[name].params if "-f" in getattr(p, "opts", ())]
        assert mentioned == own | set(with_format), name
    assert set(listed) == set(COMMANDS)
    for row in shared:
        tokens = [span.split()[0].split("/")[0] for span in _code_spans(row[0])]
        on = row[2]
        if on.startswith("every command but "):
            expected = set(COMMANDS) - set(on.removeprefix("every command but ").split(", "))
        elif on == "every command":
            expected = set(COMMANDS)
        else:
            expected = set(on.split(", "))
        for token in tokens:
            having = {name for name, command in COMMANDS.items() if token in _options(command)}
            assert having == expected, (token, having ^ expected)
    assert {span.split()[0].split("/")[0] for row in shared for span in _code_spans(row[0])} == (
        SHARED_OPTIONS
    )


# ---------------------------------------------------------------------- hardening, as a user runs it


def ikg_process(*args: str | Path, **options: object) -> subprocess.Popen[str]:
    """The command in a process of its own: a query left running by a time limit or stopped by
    Ctrl-C must end with the process, not live on in the test session."""
    return subprocess.Popen(
        [sys.executable, "-c", "from initiative_kg.cli import main; main()", *map(str, args)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        **options,  # type: ignore[call-overload]
    )  # fmt: skip


HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # hours of work


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_query_timeout_stops_an_embedded_query(engine: str) -> None:
    """Guards against --timeout applying only to --endpoint: the embedded engines run until
    done otherwise."""
    process = ikg_process("query", "-", "--engine", engine, "--timeout", "2")
    out, err = process.communicate(HEAVY, timeout=300)
    assert process.returncode == 2, err
    assert "the query ran longer than the time limit of 2 s" in err
    assert "Traceback" not in err and out == ""
    quick = ikg_process("query", "-", "--engine", engine, "--timeout", "30", "-f", "csv")
    out, err = quick.communicate("SELECT (COUNT(*) AS ?n) WHERE { ?s a ?t }", timeout=300)
    assert quick.returncode == 0 and int(out.splitlines()[1]) > 100, err


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_ctrl_c_stops_a_query_with_exit_130(engine: str) -> None:
    import signal
    import time

    process = ikg_process("-vv", "query", "-", "--engine", engine, "--timeout", "600")
    assert process.stdin is not None and process.stderr is not None
    process.stdin.write(HEAVY)
    process.stdin.close()
    seen = ""
    while "loaded" not in seen:  # the store's debug line: the graph is loaded
        line = process.stderr.readline()
        assert line, "the command ended before it loaded the graph"
        seen = line
    try:
        time.sleep(2)  # deep in the query now
        assert process.poll() is None
        process.send_signal(signal.SIGINT)
        # read stderr while waiting: with -vv the command may write more than a pipe holds,
        # and a command blocked on a full pipe would never exit
        process.stdin = None  # written and closed above
        _, rest = process.communicate(timeout=60)
    finally:
        if process.poll() is None:  # a failed test leaves no query running
            process.kill()
            process.wait()
    err = seen + rest
    assert process.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err


def test_a_remote_json_ld_context_is_refused_by_every_command_that_loads_data(
    tmp_path: Path, recording_listener: RecordingListener
) -> None:
    url = f"{recording_listener.url}/context.jsonld"
    path = tmp_path / "remote.jsonld"
    path.write_text(json.dumps({"@context": url, "@id": "http://example.org/a", "name": "A"}))
    for arguments in (
        ["validate", path],
        ["query", "sources", "--data", path],
        ["diff", path, path],
        ["build", "-o", tmp_path / "release", "--data", path],
    ):
        code, _, err = invoke(*arguments)
        assert code == 2, (arguments, err)
        assert f"{path}: the JSON-LD @context {url} is on the network" in err
    assert recording_listener.requests == []
    result = runner.invoke(
        app,
        ["query", "-", "--data", str(path), "--allow-remote-context", "-f", "csv"],
        input="SELECT ?name WHERE { ?s <https://schema.org/name> ?name }",
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1:] == ["A"]
    assert len(recording_listener.requests) == 1


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_query_from_names_a_loaded_graph_and_fetches_nothing(
    engine: str, recording_listener: RecordingListener
) -> None:
    url = f"{recording_listener.url}/data.ttl"
    result = runner.invoke(
        app,
        ["query", "-", "--engine", engine, "-f", "csv"],
        input=f"SELECT ?s ?o FROM <{url}> WHERE {{ ?s ?p ?o }}",
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["s,o"]
    assert recording_listener.connections == []


@pytest.mark.parametrize(
    "command",
    [
        ["validate", "-o", "{out}"],
        ["query", "funding-by-year", "-o", "{out}"],
        ["export", "--projection", "initiative-actor", "-f", "json", "-o", "{out}"],
    ],
)
def test_output_onto_a_folder_is_exit_2_and_onto_a_link_writes_its_target(
    tmp_path: Path, command: list[str]
) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    code, _, err = invoke(*[part.replace("{out}", str(folder)) for part in command])
    assert code == 2 and str(folder) in err and "is a folder" in err and "Traceback" not in err
    target = tmp_path / "real.txt"
    target.write_text("old")
    target.chmod(0o640)
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    code, _, err = invoke(*[part.replace("{out}", str(link)) for part in command], "--overwrite")
    assert code in {0, 1}, err
    assert link.is_symlink() and target.read_text() != "old"
    assert target.stat().st_mode & 0o777 == 0o640
    code, _, err = invoke(*[part.replace("{out}", "/dev/null") for part in command])
    assert code in {0, 1} and Path("/dev/null").is_char_device()


def test_ingest_and_build_and_site_refuse_what_they_cannot_write(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text("Et projekt\n\nProjektperiode:\n2014 - 2017\n", encoding="utf-8")
    folder = tmp_path / "a-folder"
    folder.mkdir()
    code, _, err = invoke("ingest", page, "-o", folder)
    assert code == 2 and "is a folder" in err
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    code, _, err = invoke("build", "-o", a_file, "--overwrite")
    assert code == 2 and "is not a folder" in err
    code, _, err = invoke("site", "-o", a_file, "--overwrite")
    assert code == 2 and "is not a folder" in err
    assert a_file.read_text() == "x"


def test_a_five_thousand_digit_integer_is_one_line_and_exit_2() -> None:
    code, out, err = invoke("query", "initiatives-active-in-year", "-p", "year=" + "9" * 5000)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "at most 4,300 digits" in err


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_ill_typed_literals_give_the_report_without_library_noise(
    tmp_path: Path, engine: str
) -> None:
    """rdflib logs a traceback for every ill-typed literal it converts; that belongs to -vv.
    (--standalone: pySHACL beside the whole shipped graph would take a quarter of a minute.)"""
    text = re.sub(
        r"schema:value [^;\]]+", 'schema:value "abc"^^xsd:decimal ', MINIMAL.read_text("utf-8")
    )
    assert '"abc"^^xsd:decimal' in text
    path = tmp_path / "ill-typed.ttl"
    path.write_text(text, encoding="utf-8")
    process = subprocess.run(
        [sys.executable, "-c", "from initiative_kg.cli import main; main()",
         "validate", str(path), "--standalone", "--engine", engine],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert process.returncode == 1, process.stderr
    assert "Traceback" not in process.stderr and "Failed to convert" not in process.stderr
    assert "abc" in process.stdout  # the report names the value
    verbose = subprocess.run(
        [sys.executable, "-c", "from initiative_kg.cli import main; main()",
         "-vv", "validate", str(path), "--standalone", "--engine", engine],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert verbose.returncode == 1
    # the library's words are there for who asks, at debug level
    assert "ikg: debug: Failed to convert Literal lexical form" in verbose.stderr


def test_a_query_file_with_a_byte_order_mark_keeps_its_header(tmp_path: Path) -> None:
    path = tmp_path / "bom.rq"
    text = "#+ params:\n#+   - {name: year, type: integer}\nSELECT ?year WHERE { }\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    code, out, err = invoke("query", path, "-p", "year=2016", "-f", "csv")
    assert code == 0, err
    assert out.splitlines() == ["year", "2016"]


def test_a_38_digit_decimal_is_printed_exactly() -> None:
    decimal = "12345678901234567890123456789012345678.5"
    for output in ("table", "csv", "json"):
        result = runner.invoke(
            app,
            ["query", "-", "-f", output],
            input=f'SELECT ?x WHERE {{ VALUES ?x {{ "{decimal}"^^<http://www.w3.org/2001/XMLSchema#decimal> }} }}',
        )
        assert result.exit_code == 0 and decimal in result.stdout, result.stderr


def test_push_refuses_a_graph_that_is_no_iri_before_loading_anything() -> None:
    code, _, err = invoke("push", "--endpoint", "http://127.0.0.1:9/sparql", "--graph", "a b")
    assert code == 2 and "is not an absolute IRI" in err
