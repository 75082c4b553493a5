"""The benchmark's generator and script (no timing assertions: timings go to bench/RESULTS.md)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from initiative_kg.engines import DEFAULT_ENGINE
from initiative_kg.queries import catalogue
from initiative_kg.store import KnowledgeGraph
from initiative_kg.validation import Severity, validate
from tests.conftest import REPO

BENCH = REPO / "bench"
sys.path.insert(0, str(BENCH))
from generate import generate as bench_generate  # noqa: E402
from generate import municipality_codes  # noqa: E402

from tests.missing_part import missing  # noqa: E402


def generate(tmp_path: Path, count: int, *extra: str) -> Path:
    output = tmp_path / f"n{count}.ttl"
    subprocess.run([sys.executable, str(BENCH / "generate.py"), "--initiatives", str(count), "--seed", "7",
                    "-o", str(output), *extra], check=True, capture_output=True)  # fmt: skip
    return output


def test_the_generated_catalogue_validates_and_is_deterministic(tmp_path: Path) -> None:
    first = generate(tmp_path, 300)
    report = validate(KnowledgeGraph.load([first]))
    assert report.conforms, [
        (r.shape, r.message) for r in report.results if r.severity is Severity.VIOLATION
    ]
    again = tmp_path / "again"
    again.mkdir()
    assert first.read_text() == generate(again, 300).read_text()


def test_injected_errors_are_exactly_the_violations(tmp_path: Path) -> None:
    broken = generate(tmp_path, 300, "--inject-errors", "4")
    report = validate(KnowledgeGraph.load([broken]))
    violations = [r for r in report.results if r.severity is Severity.VIOLATION]
    assert len(violations) == 4
    assert {r.shape for r in violations} == {"ikgsh:PeriodShape"}


@pytest.mark.long
def test_the_benchmark_runs_end_to_end_at_a_tiny_size(tmp_path: Path) -> None:
    output = tmp_path / "result.json"
    done = subprocess.run(
        # the stored graph is left to the test below, which measures it at two sizes
        [sys.executable, str(BENCH / "run.py"), "--initiatives", "5", "--repeat", "1", "--engines", "oxigraph",
         "--skip", "store", "--json", str(output)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(output.read_text())
    assert result["initiatives"] == 5 and result["triples"] > 100
    assert set(result["load_triples_per_second"]) == {"rdflib", "oxigraph"}
    assert set(result["load_triples_per_second"]["oxigraph"]) == {"turtle", "n-triples", "n-quads"}
    # each whole command ran as its own process: timed, and its memory measured
    assert set(result["cli"]) == {"ikg --help", "ikg validate", "ikg query funding-by-year",
                                  "ikg query initiatives-active-in-year"}  # fmt: skip
    assert all(c["seconds"] > 0 and c["peak_memory_mb"] > 10 for c in result["cli"].values())
    assert "funding-by-agreement" in result["queries_seconds"]
    assert result["validate"]["oxigraph"]["conforms"] is True
    assert result["validate_same_report"] is True  # the fast path against pySHACL
    assert "html" in result["export_seconds"] and result["peak_memory_mb"] > 50
    assert "persistent_store" not in result  # skipped as asked


@pytest.mark.long
def test_one_benchmark_run_measures_every_size_and_the_goals_table_reads_it(tmp_path: Path) -> None:
    """Guards run.py at several sizes in one run (issue 16's "one run"): a result file for each
    size, the shipped graph's cold commands, the persistent store built and then opened; and
    tables.py --goals, which must show each of them."""
    out = tmp_path / "goals"
    done = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--initiatives", "5,3", "--repeat", "1",
         "--engines", "oxigraph", "--skip", "load,network,validate", "--cold-runs", "1",
         "--out", str(out)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["cold.json", "n3.json", "n5.json"]
    cold = json.loads((out / "cold.json").read_text())["commands"]
    assert set(cold) == {"ikg --help", "ikg query initiatives", "ikg validate"}
    assert all(c["seconds"] > 0 and c["cpu_seconds"] > 0 and c["runs"] == 1 for c in cold.values())
    for n in (3, 5):
        result = json.loads((out / f"n{n}.json").read_text())
        assert result["initiatives"] == n and result["engines"] == ["oxigraph"]
        stored = result["persistent_store"]
        assert stored["built"]["seconds"] > 0 and stored["opened"]["peak_memory_mb"] > 10
        assert stored["disk_mb"] > 0  # the entry was written, and then opened
    tables = subprocess.run([sys.executable, str(BENCH / "tables.py"), "--goals", str(out)],
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert tables.returncode == 0, tables.stderr
    assert "| `ikg query initiatives` | < 0.3 s |" in tables.stdout
    assert "| query | N = 3 | N = 5 |" in tables.stdout
    assert tables.stdout.count("`funding-by-year` |") == 1
    assert (
        "| 3 | " in tables.stdout.split("Goal 3")[1]
        and "| 5 | " in tables.stdout.split("Goal 3")[1]
    )


def test_the_benchmark_leaves_each_engine_out_above_the_size_it_can_do() -> None:
    """Guards run.py's per-size engines: rdflib's and Virtuoso's limits, Jena's union mode."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_run", BENCH / "run.py")
    assert spec is not None and spec.loader is not None
    bench_run = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_run)
    everything = ["oxigraph", "rdflib", "virtuoso", "jena"]
    assert bench_run.engines_at(100, everything) == everything
    assert bench_run.engines_at(1_000, everything) == ["oxigraph", "virtuoso", "jena"]
    assert bench_run.engines_at(100_000, everything) == ["oxigraph", "jena"]
    assert bench_run.jena_runner_modes(10_000) == ("union", "merged")
    assert bench_run.jena_runner_modes(100_000) == ("merged",)


def test_the_query_benchmark_times_every_catalogue_query_at_a_tiny_size(tmp_path: Path) -> None:
    from initiative_kg.queries import catalogue

    data, output = tmp_path / "n5.ttl", tmp_path / "queries.json"
    generated = subprocess.run([sys.executable, str(BENCH / "generate.py"), "--initiatives", "5",
                                "-o", str(data)], capture_output=True, text=True, timeout=600)  # fmt: skip
    assert generated.returncode == 0, generated.stderr
    done = subprocess.run(
        [sys.executable, str(BENCH / "queries.py"), str(data), "--repeat", "1", "--json", str(output)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(output.read_text())
    assert set(result["queries"]) == set(catalogue()) - {"initiatives-sharing-actors"}
    assert result["triples"] > 100 and len(result["load_before"]) == 3
    initiatives = result["queries"]["initiatives"]
    assert initiatives["rows"] > 5  # the 5 generated beside the shipped graph's
    assert all(initiatives[key] > 0 for key in ("wall", "cpu", "engine_wall", "engine_cpu"))


def test_the_diff_benchmark_matches_both_ways_at_tiny_sizes(tmp_path: Path) -> None:
    """Guards bench/diff.py: each size is measured, by the command and both matchings, and each
    matching finds the two orderings of one graph equal."""
    output = tmp_path / "diff.json"
    done = subprocess.run(
        [sys.executable, str(BENCH / "diff.py"), "--blank-nodes", "20,60", "--rdflib-up-to", "20",
         "--json", str(output)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    results = json.loads(output.read_text())
    assert [result["blank_nodes"] for result in results] == [20, 60]
    assert [result["statements"] for result in results] == [50, 150]
    assert all(r["command_seconds"] > 0 and r["matching_equal"] is True for r in results)
    assert results[0]["rdflib_equal"] is True and "rdflib_seconds" not in results[1]
    assert len(done.stdout.splitlines()) == 2


def test_the_engine_only_benchmark_runs_end_to_end_at_a_tiny_size(tmp_path: Path) -> None:
    """Guards the engine-only mode: every catalogue query answered with the number of rows
    the project's own query path gives on the same graph (not merely "some" rows)."""
    output = tmp_path / "engine.json"
    done = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--initiatives", "5", "--repeat", "1", "--engine-only",
         "--json", str(output)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(output.read_text())
    assert result["mode"] == "engine-only" and result["triples"] > 100
    assert set(result["load_triples_per_second"]) == {"turtle", "n-triples"}
    # Every catalogue query ran and counted the rows the project's own query path gives on the
    # same graph (the catalogue run.py generates: 5 initiatives, seed 1, beside the shipped one).
    assert set(result["queries"]) == set(catalogue())
    catalogue_file = tmp_path / "same.ttl"
    catalogue_file.write_text(bench_generate(5, 1, municipality_codes()), encoding="utf-8")
    kg = KnowledgeGraph.load([catalogue_file])
    for query_id, query in catalogue().items():
        expected = len(kg.query(query_id, query.examples(), engine="oxigraph"))
        assert result["queries"][query_id]["rows"] == expected, query_id
    # shipped, generated, programme
    shipped = KnowledgeGraph.load()
    assert result["queries"]["initiatives"]["rows"] == len(shipped.query("initiatives")) + 5 + 1
    # the shipped graph's remarks (infos: pages without a last-updated date) are the only rows;
    # the generated catalogue adds none
    remarks = validate(shipped).results
    assert remarks and {r.severity for r in remarks} == {Severity.INFO}
    assert result["validate"]["rows"] == len(remarks)


def drawn_plot(results: Path, output: Path) -> str:
    """bench/plot.py run on a results folder: the SVG it wrote."""
    done = subprocess.run([sys.executable, str(BENCH / "plot.py"), "--results", str(results), "-o", str(output)],
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return output.read_text()


def test_the_plot_draws_one_point_per_result(tmp_path: Path) -> None:
    results = tmp_path / "out"
    results.mkdir()
    for n, seconds in ((100, 0.002), (1000, 0.02)):
        (results / f"n{n}.json").write_text(json.dumps({
            "initiatives": n,
            "queries_seconds": {"_engine_setup": {"oxigraph": 9.0}, "a": {"oxigraph": seconds},
                                "b": {"oxigraph": seconds * 3}},
        }))  # fmt: skip
    (results / "e.json").write_text(json.dumps({
        "initiatives": 100000, "mode": "engine-only", "queries": {"a": {"seconds": 0.5, "rows": 1}},
    }))  # fmt: skip
    svg = drawn_plot(results, tmp_path / "plot.svg")
    # two ikg series with two points each, two engine-alone series with one point each
    assert svg.count('r="3"') == 6
    assert svg.count("<polyline") == 4


def test_the_plot_adds_jena_merged_and_reads_a_goals_folder(tmp_path: Path) -> None:
    """Guards plot.py on run.py --out: cold.json (no size) is passed over, and Jena over one
    merged graph is drawn on the catalogue queries it answers right (not those reading named
    graphs, nor the network/ and checks/ files)."""
    results = tmp_path / "goals"
    results.mkdir()
    (results / "cold.json").write_text(json.dumps({"date": "2026-12-01", "commands": {}}))
    for n, seconds in ((100, 0.002), (1000, 0.02)):
        (results / f"n{n}.json").write_text(json.dumps({
            "initiatives": n,
            "queries_seconds": {"a": {"oxigraph": seconds, "jena-merged": 0.5},
                                "b": {"oxigraph": seconds, "jena-merged": 0.001},
                                "network/c": {"oxigraph": seconds, "jena-merged": 0.002}},
            "jena": {"differences": {"b": {"merged": "Jena: 0 rows; default: 3"},
                                     "a": {"merged": "the same rows in another order"}},
                     "reads_named_graphs": ["network/c"]},
        }))  # fmt: skip
    svg = drawn_plot(results, tmp_path / "plot.svg")
    assert svg.count("<polyline") == 4 and "median query, Jena merged" in svg
    # Jena's median and slowest are both query a's 0.5 s at each size: drawn at one height
    jena_points = [line for line in svg.splitlines() if 'fill="#d62728"' in line]
    assert len(jena_points) == 4 and len({line.split('cy="')[1] for line in jena_points}) == 1


def test_the_tables_show_each_query_with_its_engine_ratio(tmp_path: Path) -> None:
    results = tmp_path / "out"
    results.mkdir()
    (results / "n100.json").write_text(json.dumps({
        "initiatives": 100, "triples": 5700, "graph_triples": 8051, "ikg_load_seconds": 1.0,
        "peak_memory_mb": 100.0,
        "load_triples_per_second": {"rdflib": {"turtle": 20000.0}, "oxigraph": {"turtle": 300000.0}},
        "validate": {"oxigraph": {"seconds": 0.5, "triples_per_second": 16102.0}},
        "queries_seconds": {"sources": {"oxigraph": 0.002, "rdflib": 0.5}},
        "cli": {"ikg validate": {"seconds": 2.0, "peak_memory_mb": 150.0}},
    }))  # fmt: skip
    (results / "n100000.json").write_text(json.dumps({
        "initiatives": 100000, "triples": 5700000, "graph_triples": 5702351, "ikg_load_seconds": 30.0,
        "peak_memory_mb": 3000.0, "load_triples_per_second": {"oxigraph": {"turtle": 200000.0}},
        "queries_seconds": {"sources": {"oxigraph": 0.5}},
    }))  # fmt: skip
    done = subprocess.run([sys.executable, str(BENCH / "tables.py"), "--results", str(results)],
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "| sources | 500 | 250x | 2.0 |" in done.stdout
    assert "| 100 | turtle | 20,000 | 300,000 | 15x |" in done.stdout
    assert "| 100,000 | turtle | - | 200,000 | - |" in done.stdout  # rdflib left out at that size
    assert "| 100 | 8,051 | `ikg validate` | 2.00 | 4,026 | 150 MB |" in done.stdout


def test_the_goals_table_counts_a_stopped_jena_query_at_its_time_limit(tmp_path: Path) -> None:
    """A Jena query stopped at the time limit is the default engine ahead by at least the limit
    over its time: counted, with its lower-bound ratio, and said to be one."""
    (tmp_path / "n100000.json").write_text(json.dumps({
        "initiatives": 100000, "graph_triples": 6000000,
        "queries_seconds": {"a": {"oxigraph": 2.0, "jena-merged": 1.0},
                            "b": {"oxigraph": 3.0}},
        "jena": {"timeout_seconds": 120.0, "timed_out": {"b": {"jena-merged": 120.0}}},
    }))  # fmt: skip
    done = subprocess.run([sys.executable, str(BENCH / "tables.py"), "--goals", str(tmp_path)],
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    row = next(line for line in done.stdout.splitlines() if "| jena-merged |" in line)
    assert "| 1 of 2 (1 stopped at 120 s" in row
    assert "| 0.50x (`a`) |" in row and "| 20.2x |" in row  # the median of 0.5 and 40


@pytest.mark.long
def test_the_benchmark_starts_loads_and_stops_virtuoso(tmp_path: Path) -> None:
    may_install = os.geteuid() == 0 and os.environ.get("IKG_NO_SYSTEM_PACKAGES") != "1"
    if shutil.which("virtuoso-t") is None and not may_install:
        message = (
            "virtuoso-t is missing, and installing it needs root (and no IKG_NO_SYSTEM_PACKAGES=1)"
        )
        missing(message)
    output = tmp_path / "virtuoso.json"
    done = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--initiatives", "5", "--repeat", "1",
         "--engines", "oxigraph,virtuoso", "--skip", "load,cli,validate,network", "--json", str(output)],
        capture_output=True, text=True, timeout=900,
        # the run's own folders under this test's folder, so that the check below finds only
        # this run's server and not a benchmark that runs beside it
        env={**os.environ, "TMPDIR": str(tmp_path)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(output.read_text())
    # the parts the run above covers are left out here
    assert "cli" not in result and result["load_triples_per_second"] == {}
    assert result["push_virtuoso"]["triples"] > 100
    timed_queries = [q for q, engines in result["queries_seconds"].items() if "virtuoso" in engines]
    assert len(timed_queries) == len(catalogue())
    # the server is stopped afterwards: nothing listens on its database folder any more
    pattern = f"{re.escape(str(tmp_path))}/ikg-bench-.*/virtuoso"
    running = subprocess.run(["pgrep", "-f", pattern], capture_output=True)
    assert running.returncode == 1, running.stdout


def test_the_cold_floor_does_the_query_without_rdflib() -> None:
    """bench/cold_floor.py, the floor RESULTS.md sets against the cold `ikg query initiatives`:
    the same rows as the default engine, with no rdflib, typer or PyYAML imported."""
    done = subprocess.run([sys.executable, "-X", "importtime", str(BENCH / "cold_floor.py"), "--once"],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines()}
    assert "pyoxigraph" in imported and not imported & {"rdflib", "typer", "yaml"}
    query = catalogue()["initiatives"]
    expected = KnowledgeGraph.load().engine(DEFAULT_ENGINE).execute(query.bind({}))
    assert len(done.stdout.splitlines()) == len(expected.rows) > 0
