"""The SHACL engines side by side on the project's shapes and generated catalogues.

Run by hand (results in bench/RESULTS.md, "SHACL engines"):

    python bench/shacl_engines.py --initiatives 0,100,1000,10000 --pyshacl-up-to 100

For each size N (0 is the shipped graph alone) a catalogue of N initiatives with errors injected
into one in twenty (``bench/generate.py``) is loaded beside the shipped graph, as ``ikg
validate`` loads a user's files, and the project's shapes are checked by:

- ``compiled``: the default engine, each constraint one whole-graph query on Oxigraph;
- ``pyshacl-turbo``: the engine that shapes the compiled engine does not run are handed to,
  over the whole graph here, to compare;
- ``pyshacl``: the reference, only up to ``--pyshacl-up-to`` (it checks one focus node at a time
  and grows with the square of the graph).

The quality checks (queries/checks) are not part of this comparison: each engine gets exactly
the shapes graph. Each engine's results are counted as a multiset of (focus, path, value,
component, shape) and compared with the compiled engine's; a difference is printed, never
hidden. Times are the median of ``--repeat`` runs after loading (loading is the same for all).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

from rdflib import Graph  # noqa: E402

from initiative_kg.shape_queries import CompiledShapes, compile_shapes  # noqa: E402
from initiative_kg.store import KnowledgeGraph  # noqa: E402
from initiative_kg.validation import (  # noqa: E402
    RawResult,
    _compiled_results,
    _pyshacl_results,
    load_shapes,
)

Key = tuple[str, str, str, str, str]


def _key(result: RawResult) -> Key:
    shape = "_:" if result.source_shape.__class__.__name__ == "BNode" else str(result.source_shape)
    return (str(result.focus), str(result.path), str(result.value), str(result.component), shape)


def _timed(run: Callable[[], list[RawResult]], repeat: int) -> tuple[float, Counter[Key]]:
    times, found = [], Counter[Key]()
    for _ in range(repeat):
        start = time.perf_counter()
        results = run()
        times.append(time.perf_counter() - start)
        found = Counter(_key(r) for r in results)
    return statistics.median(times), found


def _compiled(kg: KnowledgeGraph, shapes: Graph, compiled: CompiledShapes) -> list[RawResult]:
    return _compiled_results(kg, shapes, compiled, [], None)[0]


def _catalogue(size: int, folder: Path) -> list[Path]:
    if size == 0:
        return []
    out = folder / f"n{size}.ttl"
    command = [sys.executable, str(HERE / "generate.py"), "--initiatives", str(size)]
    command += ["--inject-errors", str(max(1, size // 20)), "-o", str(out)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return [out]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--initiatives", default="0,100,1000", help="sizes, comma-separated")
    parser.add_argument("--pyshacl-up-to", type=int, default=100, help="largest N for pySHACL")
    parser.add_argument("--repeat", type=int, default=3, help="runs per engine and size")
    args = parser.parse_args(argv)
    import pyshacl
    import pyshacl_turbo

    shapes = load_shapes()
    compiled = compile_shapes(shapes)
    print("| N | triples | compiled (s) | pyshacl-turbo (s) | pySHACL (s) | results | same |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(n) for n in args.initiatives.split(",")):
            kg = KnowledgeGraph.load(_catalogue(size, Path(tmp)))
            union: Graph = kg.union()
            fast, fast_found = _timed(partial(_compiled, kg, shapes, compiled), args.repeat)
            turbo, turbo_found = _timed(
                partial(_pyshacl_results, union, shapes, engine=pyshacl_turbo), args.repeat
            )
            same = [turbo_found == fast_found]
            reference = "not run"
            if size <= args.pyshacl_up_to:
                seconds, found = _timed(
                    partial(_pyshacl_results, union, shapes, engine=pyshacl), args.repeat
                )
                reference, same = f"{seconds:.2f}", [*same, found == fast_found]
                if found != fast_found:
                    print(
                        f"  pySHACL differs at N={size}: {(found - fast_found) + (fast_found - found)}",
                        file=sys.stderr,
                    )
            if turbo_found != fast_found:
                print(
                    f"  turbo differs at N={size}: {(turbo_found - fast_found) + (fast_found - turbo_found)}",
                    file=sys.stderr,
                )
            print(
                f"| {size:,} | {len(union):,} | {fast:.2f} | {turbo:.2f} | {reference} "
                f"| {sum(fast_found.values())} | {'yes' if all(same) else 'NO'} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
