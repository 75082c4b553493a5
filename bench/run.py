"""Benchmark: load, validation, every catalogue query per engine, network projections and
exports, on a synthetic catalogue of N initiatives (bench/generate.py). Run by hand; results go
to bench/RESULTS.md. Times are medians over --repeat runs; memory is the peak resident size.

    python bench/run.py --initiatives 1000 --engines rdflib,oxigraph --json bench/out/n1000.json
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate, municipality_codes  # noqa: E402


def timed(work: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(initiatives: int, engines: list[str], repeat: int, skip: set[str]) -> dict[str, Any]:
    import pyoxigraph
    import rdflib

    import initiative_kg
    from initiative_kg.export import FORMATS, render
    from initiative_kg.network import PROJECTIONS, metrics, project
    from initiative_kg.queries import catalogue
    from initiative_kg.store import KnowledgeGraph
    from initiative_kg.validation import validate

    report: dict[str, Any] = {
        "initiatives": initiatives,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}",
        "versions": {
            "initiative-kg": initiative_kg.__version__,
            "rdflib": rdflib.__version__,
            "pyoxigraph": pyoxigraph.__version__,
        },
        "repeat": repeat,
    }
    folder = Path(tempfile.mkdtemp(prefix="ikg-bench-"))
    source = folder / "synthetic.ttl"
    source.write_text(generate(initiatives, 1, municipality_codes(HERE.parent.parent / "shared" / "reference"
                                                                   / "dk-municipalities.csv")), encoding="utf-8")  # fmt: skip
    graph = rdflib.Graph().parse(source)
    triples = len(graph)
    report["triples"] = triples
    graph.serialize(folder / "synthetic.nt", format="nt")
    dataset = rdflib.Dataset()
    dataset.graph(rdflib.URIRef("https://w3id.org/initiative-kg/id/graph/synthetic")).__iadd__(
        graph
    )
    dataset.serialize(folder / "synthetic.nq", format="nquads")
    del graph, dataset

    load: dict[str, dict[str, float]] = {}
    for name, rdflib_format, ox_format in (
        ("turtle", "turtle", pyoxigraph.RdfFormat.TURTLE),
        ("n-triples", "nt", pyoxigraph.RdfFormat.N_TRIPLES),
        ("n-quads", "nquads", pyoxigraph.RdfFormat.N_QUADS),
    ):
        path = (
            folder
            / {"turtle": "synthetic.ttl", "n-triples": "synthetic.nt", "n-quads": "synthetic.nq"}[
                name
            ]
        )
        seconds, _ = timed(
            lambda p=path, f=rdflib_format: rdflib.Dataset().parse(p, format=f), repeat
        )
        load.setdefault("rdflib", {})[name] = triples / seconds
        seconds, _ = timed(
            lambda p=path, f=ox_format: pyoxigraph.Store().load(path=str(p), format=f), repeat
        )
        load.setdefault("oxigraph", {})[name] = triples / seconds
    report["load_triples_per_second"] = load

    seconds, kg = timed(lambda: KnowledgeGraph.load([source]), 1)
    report["ikg_load_seconds"] = seconds
    total = len(kg.union())
    report["graph_triples"] = total

    if "validate" not in skip:
        seconds, outcome = timed(lambda: validate(kg), 1)
        report["validate"] = {"seconds": seconds, "triples_per_second": total / seconds,
                              "conforms": outcome.conforms, "results": len(outcome.results)}  # fmt: skip

    queries: dict[str, dict[str, float]] = {}
    for engine in engines:
        engine_seconds, _ = timed(lambda e=engine: KnowledgeGraph.engine(kg, e), 1)
        queries.setdefault("_engine_setup", {})[engine] = engine_seconds
        for query_id, query in catalogue().items():
            if query_id in skip:
                continue
            text = query.bind(query.examples())
            seconds, _ = timed(lambda e=engine, t=text: kg.engine(e).execute(t), repeat)
            queries.setdefault(query_id, {})[engine] = seconds
    report["queries_seconds"] = queries

    if "network" not in skip:
        network: dict[str, float] = {}
        for name in PROJECTIONS:
            if name == "full" and initiatives > 2000:
                continue
            seconds, built = timed(lambda n=name: project(kg, n), 1)
            network[f"project {name}"] = seconds
            if name == "actor-co-participation":
                network["metrics actor-co-participation"], _ = timed(lambda b=built: metrics(b), 1)
        report["network_seconds"] = network
        exports: dict[str, float] = {}
        co = project(kg, "initiative-actor")
        for output_format in FORMATS:
            if output_format in {"svg", "png"} and co.number_of_nodes() > 300:
                continue
            exports[output_format], _ = timed(lambda f=output_format: render(co, f), 1)
        report["export_seconds"] = exports
    report["peak_memory_mb"] = peak_mb()
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--initiatives", type=int, required=True)
    parser.add_argument(
        "--engines", default="oxigraph,rdflib", help="comma-separated: rdflib, oxigraph"
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--skip", default="", help="comma-separated parts to skip: validate, network"
    )
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    arguments = parser.parse_args(argv)
    engines = [e.strip() for e in arguments.engines.split(",") if e.strip()]
    result = run(
        arguments.initiatives,
        engines,
        arguments.repeat,
        set(filter(None, arguments.skip.split(","))),
    )
    text = json.dumps(result, indent=2)
    if arguments.json:
        arguments.json.parent.mkdir(parents=True, exist_ok=True)
        arguments.json.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
