"""Benchmark: matching blank nodes in ``ikg diff``, on two files of the shape the issue measured
(each initiative holds a participation that holds a period: two nested blank nodes and four
statements an initiative; the second file has the same statements in another order, so the
blank nodes get other labels). For each size it times the whole ``ikg diff`` command (its own
process), the project's matching alone (``compare.canonical`` over both graphs) and, up to
--rdflib-up-to blank nodes, rdflib's ``to_canonical_graph``, which the project used before.
Run by hand; results go to bench/RESULTS.md.

    python bench/diff.py --blank-nodes 500,1000,2000,8000,32000 --json bench/out/diff/diff.json
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

EX = "http://example.org/"


def nested_file(path: Path, initiatives: int, seed: int) -> Path:
    lines = [
        f"ex:i{i} ex:part [ ex:agent ex:a{i % 50} ; ex:role ex:role{i % 3} ; "
        f"ex:when [ ex:year {2000 + i % 7} ] ] .\n"
        for i in range(initiatives)
    ]
    random.Random(seed).shuffle(lines)
    path.write_text(f"@prefix ex: <{EX}> .\n" + "".join(lines), encoding="utf-8")
    return path


def seconds(work: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def measure(blank_nodes: int, rdflib_up_to: int, folder: Path) -> dict[str, Any]:
    from rdflib import Graph
    from rdflib.compare import to_canonical_graph

    from initiative_kg.compare import canonical

    initiatives = blank_nodes // 2
    first = nested_file(folder / f"a{blank_nodes}.ttl", initiatives, seed=1)
    second = nested_file(folder / f"b{blank_nodes}.ttl", initiatives, seed=2)
    ikg = Path(sys.executable).with_name("ikg")
    command, done = seconds(
        lambda: subprocess.run([str(ikg), "diff", str(first), str(second)], capture_output=True)
    )
    if done.returncode != 0:
        raise RuntimeError(f"ikg diff found a difference or failed: {done.stdout}{done.stderr}")
    graphs = [Graph().parse(first), Graph().parse(second)]
    matching, labelled = seconds(lambda: [canonical(graph) for graph in graphs])
    result: dict[str, Any] = {
        "blank_nodes": blank_nodes,
        "statements": len(graphs[0]),
        "command_seconds": command,
        "matching_seconds": matching,
        "matching_equal": set(labelled[0]) == set(labelled[1]),
    }
    if blank_nodes <= rdflib_up_to:
        rdflib_time, canonical_graphs = seconds(
            lambda: [to_canonical_graph(graph) for graph in graphs]
        )
        result["rdflib_seconds"] = rdflib_time
        result["rdflib_equal"] = set(canonical_graphs[0]) == set(canonical_graphs[1])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--blank-nodes", default="500,1000,2000,8000,32000",
                        help="sizes, comma-separated (blank nodes per file)")  # fmt: skip
    parser.add_argument("--rdflib-up-to", type=int, default=1000,
                        help="time rdflib's canonicalisation up to this many blank nodes")  # fmt: skip
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    arguments = parser.parse_args(argv)
    sizes = [int(size) for size in arguments.blank_nodes.split(",")]
    results = []
    with tempfile.TemporaryDirectory(prefix="ikg-bench-diff-") as folder:
        for size in sizes:
            result = measure(size, arguments.rdflib_up_to, Path(folder))
            results.append(result)
            rdflib_part = (
                f", rdflib {result['rdflib_seconds']:.2f} s" if "rdflib_seconds" in result else ""
            )
            print(
                f"{size:>7,} blank nodes, {result['statements']:>7,} statements: "
                f"ikg diff {result['command_seconds']:.2f} s, matching "
                f"{result['matching_seconds']:.2f} s{rdflib_part}",
                flush=True,
            )
    if arguments.json:
        arguments.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
