"""Apache Jena as a column of the benchmark: Jena ARQ (in memory) answers every query file of
``queries/`` over the same quads as the default engine, and Jena SHACL checks the same data
against the project's shapes. ``scripts/jena`` installs Debian's Jena and compiles the runner
(``bench/jena/IkgJena.java``); this module writes its inputs, starts it and compares its answers
with the default engine's. Used by ``bench/run.py --engines jena`` and ``tests/test_jena.py``.
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from initiative_kg.endpoint import term_from_json
from initiative_kg.engines import QueryResult, results_equal
from initiative_kg.queries import catalogue, checks, network_queries
from initiative_kg.store import KnowledgeGraph
from initiative_kg.terms import normalise

HERE = Path(__file__).resolve().parent
SCRIPT = HERE.parent / "scripts" / "jena"
# union: the named graphs with their union as the default graph, as ikg's engines hold them;
# merged: every triple in one default graph, no named graphs (how Jena is often run).
MODES = ("union", "merged")


class JenaUnavailable(RuntimeError):
    """Jena or a JDK is missing and could not be installed, or the runner did not compile."""


@dataclass(frozen=True)
class QueryFile:
    """One query of ``queries/``, bound with its example parameters as the benchmark runs it."""

    id: str  # the catalogue id; the network and check queries as network/ID and checks/ID
    text: str
    ordered: bool


def query_files() -> dict[str, QueryFile]:
    """Every query file of ``queries/``: the catalogue, the network projections' edge queries
    and the quality checks (the network and catalogue both have a programme-hierarchy)."""
    found: dict[str, QueryFile] = {}
    for prefix, queries in (("", catalogue()), ("network/", network_queries()),
                            ("checks/", checks())):  # fmt: skip
        for query_id, query in queries.items():
            text = query.bind(query.examples())
            found[prefix + query_id] = QueryFile(prefix + query_id, text, "ORDER BY" in text)
    return found


def build(folder: Path) -> str:
    """Install Jena if it is missing, compile the runner into ``folder``; its classpath."""
    done = subprocess.run(["bash", str(SCRIPT), "build", str(folder)],
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        raise JenaUnavailable(f"scripts/jena build failed: {done.stderr.strip()[-2000:]}")
    return done.stdout.strip()


def dump_quads(kg: KnowledgeGraph, path: Path) -> None:
    """The loaded graph's quads as N-Quads, for Jena to load: the very data the default engine
    answers from. Only a store that holds every literal as written says what the files say."""
    import pyoxigraph

    if not kg.exact:
        raise ValueError(f"the store does not hold the data as written: {kg.inexact_reason()}")
    kg.store.dump(str(path), pyoxigraph.RdfFormat.N_QUADS)


def one_message_per_shape(shapes: Graph) -> tuple[Graph, int]:
    """A copy of the shapes in which a node with several ``sh:message`` (one per language)
    keeps only its English one, which Jena's SHACL parser accepts; and how many were dropped.
    SHACL allows several messages; Jena (4.5 and 5.6) refuses the shapes with "More than one
    match (sh:message)"."""
    adapted = Graph()
    for prefix, namespace in shapes.namespaces():
        adapted.bind(prefix, namespace)
    dropped = 0
    for triple in shapes:
        node, predicate, value = triple
        several = predicate == SH.message and len(list(shapes.objects(node, SH.message))) > 1
        if several and not (isinstance(value, Literal) and value.language == "en"):
            dropped += 1
            continue
        adapted.add(triple)
    return adapted, dropped


@dataclass
class JenaRun:
    """What the runner measured (its summary.json) and where its answers are."""

    folder: Path
    summary: dict[str, Any]
    queries: Mapping[str, QueryFile] = field(default_factory=dict)

    def answer(self, mode: str, query_id: str) -> QueryResult | None:
        """Jena's answer to a query in a mode, as a QueryResult (None if it failed)."""
        measured = self.summary["modes"][mode]["queries"][query_id]
        if "error" in measured:
            return None
        return read_answer(self.folder / mode / result_name(query_id))


def result_name(query_id: str) -> str:
    return query_id.replace("/", "--") + ".out"


def run(
    classpath: str,
    quads: Path,
    queries: Mapping[str, QueryFile],
    folder: Path,
    *,
    repeat: int,
    warm_up: int = 1,
    modes: Sequence[str] = MODES,
    shapes: Mapping[str, Sequence[Path]] | None = None,
    timeout: float = 600,
    heap: str | None = None,
    java_options: Sequence[str] = (),
) -> JenaRun:
    """Start the runner once: load ``quads`` in each mode, answer each query (``warm_up`` times
    to warm up, then ``repeat`` times), and validate against each named set of ``shapes``
    files."""
    (folder / "queries").mkdir(parents=True, exist_ok=True)
    manifest = []
    for number, (query_id, query) in enumerate(queries.items()):
        path = folder / "queries" / f"{number}.rq"
        path.write_text(query.text, encoding="utf-8")
        manifest.append(f"{query_id}\t{path}\t{result_name(query_id)}")
    (folder / "manifest.tsv").write_text("\n".join(manifest) + "\n", encoding="utf-8")
    command = ["java", *([f"-Xmx{heap}"] if heap else []), *java_options, "-cp", classpath, "IkgJena",
               "--data", str(quads), "--queries", str(folder / "manifest.tsv"),
               "--out", str(folder), "--modes", ",".join(modes), "--repeat", str(repeat),
               "--warm-up", str(warm_up), "--timeout", str(int(timeout))]  # fmt: skip
    for name, files in (shapes or {}).items():
        command += ["--shacl", f"{name}={','.join(str(path) for path in files)}"]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"the Jena runner failed: {done.stderr.strip()[-3000:]}")
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    return JenaRun(folder, summary, queries)


def read_answer(path: Path) -> QueryResult:
    """A SPARQL JSON result (SELECT, ASK) or an N-Triples graph (CONSTRUCT) the runner wrote,
    with terms read as ikg's remote engine reads a server's."""
    if path.read_bytes()[:1] != b"{":
        graph = Graph()
        graph.parse(path, format="nt")
        return QueryResult("CONSTRUCT", graph=graph)
    answer = json.loads(path.read_text(encoding="utf-8"))
    if "boolean" in answer:
        return QueryResult("ASK", boolean=bool(answer["boolean"]))
    columns = tuple(answer["head"].get("vars", []))
    rows = tuple(
        tuple(normalise(term_from_json(row[c])) if c in row else None for c in columns)
        for row in answer["results"]["bindings"]
    )
    return QueryResult("SELECT", columns=columns, rows=rows)


def difference(jena: QueryResult | None, default: QueryResult, *, ordered: bool) -> str | None:
    """None when Jena's answer is the default engine's (``results_equal``), else what differs,
    in a line."""
    if jena is None:
        return "Jena gave no answer"
    if results_equal(jena, default, ordered=ordered):
        return None
    if jena.kind != default.kind or jena.columns != default.columns:
        return f"Jena: {jena.kind} {jena.columns}; default: {default.kind} {default.columns}"
    if jena.kind == "ASK":
        return f"Jena: {jena.boolean}; default: {default.boolean}"
    if jena.graph is not None and default.graph is not None:
        return f"Jena: {len(jena.graph)} triples; default: {len(default.graph)} (not isomorphic)"
    if len(jena.rows) != len(default.rows):
        return f"Jena: {len(jena.rows)} rows; default: {len(default.rows)}"
    mine = Counter(map(_shown, jena.rows))
    theirs = Counter(map(_shown, default.rows))
    only_jena, only_default = mine - theirs, theirs - mine
    if not only_jena and not only_default:
        return "the same rows in another order"
    first = next(iter(only_jena), None)
    other = next(iter(only_default), None)
    return (
        f"{sum(only_jena.values())} of {len(jena.rows)} rows differ, e.g. Jena {first}, "
        f"default {other}"
    )


def _shown(row: tuple[Any, ...]) -> str:
    return " ".join("UNDEF" if value is None else value.n3() for value in row)


def uses_named_graphs(text: str) -> bool:
    """Whether a query reads the named graphs (GRAPH ?g): its answer over one merged default
    graph, which has none, differs by design. The keyword, not the word in a comment."""
    from initiative_kg.sparql_text import QueryText

    return any(token.keyword == "GRAPH" for token in QueryText(text).tokens)


def shacl_results(report: Path) -> Counter[tuple[str, ...]]:
    """Jena's SHACL report as a multiset of (focus, path, value, component, severity); blank
    nodes as "_:" (their labels are the engine's own)."""
    graph = Graph()
    graph.parse(report, format="nt")
    return Counter(
        tuple(
            _key(graph.value(result, part))
            for part in (
                SH.focusNode,
                SH.resultPath,
                SH.value,
                SH.sourceConstraintComponent,
                SH.resultSeverity,
            )
        )
        for result in graph.subjects(RDF.type, SH.ValidationResult)
    )


def raw_results(raw: Sequence[Any]) -> Counter[tuple[str, ...]]:
    """The default engine's results (``ValidationResult.raw``) in the form of shacl_results."""
    return Counter(
        (_key(r.focus), _key(r.path), _key(r.value), _key(r.component), _key(r.severity))
        for r in raw
    )


def _key(term: object) -> str:
    if term is None:
        return "-"
    if isinstance(term, BNode):
        return "_:"
    if isinstance(term, URIRef | Literal):
        return str(term.n3())
    return str(term)


def main(argv: list[str] | None = None) -> int:
    import argparse

    from initiative_kg.assets import layout
    from initiative_kg.serialise import turtle
    from initiative_kg.validation import load_shapes_from

    parser = argparse.ArgumentParser(description="Shapes that Apache Jena SHACL accepts.")
    parser.add_argument(
        "--shapes-for-jena",
        type=Path,
        required=True,
        metavar="FILE",
        help="write the project's shapes with one message per shape (the English one) to FILE",
    )
    arguments = parser.parse_args(argv)
    adapted, dropped = one_message_per_shape(load_shapes_from(layout().shape_files()))
    target: Path = arguments.shapes_for_jena
    partial = target.with_name(target.name + ".partial")
    partial.write_text(turtle(adapted), encoding="utf-8")
    partial.replace(target)
    print(f"{target}: {len(adapted)} triples ({dropped} messages in other languages left out)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
