"""Apache Jena, the benchmark's Jena column (scripts/jena, bench/jena/IkgJena.java,
bench/jena_runner.py): the runner builds, and Jena ARQ answers every query file of queries/ on
the shipped graph with the default engine's rows; Jena SHACL finds the default validation's
results. No timings are asserted (they go to bench/RESULTS.md). Jena comes from Debian's
packages, which scripts/test installs; without it these tests skip, except under CI=true."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.compare import isomorphic
from rdflib.namespace import SH

from initiative_kg.assets import layout
from initiative_kg.engines import DEFAULT_ENGINE, QueryResult
from initiative_kg.serialise import turtle
from initiative_kg.store import KnowledgeGraph
from initiative_kg.validation import load_shapes_from, validate
from tests.conftest import REPO

sys.path.insert(0, str(REPO / "bench"))
import jena_runner

from tests.missing_part import missing

QUERY_FILES = jena_runner.query_files()
# One worker runs them all (the project runs pytest with --dist loadgroup), so that Jena is built
# and started once, not once per worker.
pytestmark = [pytest.mark.xdist_group("jena"), pytest.mark.long]


@pytest.fixture(scope="module")
def classpath(tmp_path_factory: pytest.TempPathFactory) -> str:
    try:
        return jena_runner.build(tmp_path_factory.mktemp("jena-build"))
    except jena_runner.JenaUnavailable as error:
        missing(str(error))


@pytest.fixture(scope="module")
def adapted_shapes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    adapted, _ = jena_runner.one_message_per_shape(load_shapes_from(layout().shape_files()))
    path = tmp_path_factory.mktemp("shapes") / "one-message.ttl"
    path.write_text(turtle(adapted), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def jena(
    classpath: str,
    shipped: KnowledgeGraph,
    adapted_shapes: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> jena_runner.JenaRun:
    folder = tmp_path_factory.mktemp("jena")
    quads = folder / "data.nq"
    jena_runner.dump_quads(shipped, quads)
    shapes = {"shipped": layout().shape_files(), "one-message": [adapted_shapes]}
    # Answers only, no times: nothing to warm up, and a JIT that starts fast (C1 only).
    return jena_runner.run(classpath, quads, QUERY_FILES, folder, repeat=1, warm_up=0,
                           shapes=shapes, java_options=["-XX:TieredStopAtLevel=1"])  # fmt: skip


def test_every_query_file_is_run() -> None:
    on_disk = list(layout().queries_dir.rglob("*.rq"))
    assert len(on_disk) >= 28
    assert len(QUERY_FILES) == len(on_disk)


@pytest.mark.parametrize("query_id", sorted(QUERY_FILES))
def test_jena_gives_the_default_engines_rows(
    jena: jena_runner.JenaRun, shipped: KnowledgeGraph, query_id: str
) -> None:
    query = QUERY_FILES[query_id]
    expected = shipped.engine(DEFAULT_ENGINE).execute(query.text)
    union = jena.answer("union", query_id)
    assert jena_runner.difference(union, expected, ordered=query.ordered) is None
    # One merged default graph has no named graphs: only the queries that do not read them
    # must answer the same there.
    if not jena_runner.uses_named_graphs(query.text):
        merged = jena.answer("merged", query_id)
        assert jena_runner.difference(merged, expected, ordered=query.ordered) is None


def test_a_different_answer_is_reported(jena: jena_runner.JenaRun) -> None:
    """Guards the comparison itself: a dropped row, a changed value and a reordered ordered
    result are each a difference."""
    answer = jena.answer("union", "network/initiative-actor")
    assert answer is not None and len(answer.rows) > 3
    dropped = QueryResult(answer.kind, answer.columns, answer.rows[1:])
    changed = QueryResult(
        answer.kind, answer.columns, ((Literal("x"), *answer.rows[0][1:]), *answer.rows[1:])
    )
    reordered = QueryResult(answer.kind, answer.columns, answer.rows[::-1])
    assert "rows" in (jena_runner.difference(dropped, answer, ordered=True) or "")
    assert "differ" in (jena_runner.difference(changed, answer, ordered=False) or "")
    assert jena_runner.difference(reordered, answer, ordered=True) is not None
    assert jena_runner.difference(reordered, answer, ordered=False) is None
    assert jena_runner.difference(None, answer, ordered=False) is not None


def test_a_query_past_the_time_limit_is_stopped_and_marked(
    classpath: str, shipped: KnowledgeGraph, tmp_path: Path
) -> None:
    """Guards the benchmark at N = 100,000, where some of Jena's answers take many minutes: a
    query past --timeout is stopped and marked as timed out (the caller reports its time as at
    least the limit), and the run goes on to the next query."""
    quads = tmp_path / "data.nq"
    jena_runner.dump_quads(shipped, quads)
    endless = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    queries = {"endless": jena_runner.QueryFile("endless", endless, False),
               "initiatives": QUERY_FILES["initiatives"]}  # fmt: skip
    done = jena_runner.run(classpath, quads, queries, tmp_path / "run", repeat=1, warm_up=0,
                           modes=("merged",), timeout=1, java_options=["-XX:TieredStopAtLevel=1"])  # fmt: skip
    assert done.summary["timeout_seconds"] == 1
    measured = done.summary["modes"]["merged"]["queries"]
    assert measured["endless"]["timed_out_seconds"] == 1
    assert "timed_out_seconds" not in measured["initiatives"]
    expected = shipped.engine(DEFAULT_ENGINE).execute(QUERY_FILES["initiatives"].text)
    assert measured["initiatives"]["rows"] == len(expected.rows) > 0


def test_jena_shacl_finds_the_default_validations_results(
    jena: jena_runner.JenaRun, shipped: KnowledgeGraph, adapted_shapes: Path
) -> None:
    measured = jena.summary["shacl"]["one-message"]
    assert "error" not in measured, measured
    ours = validate(shipped, shapes=[adapted_shapes])
    assert ours.results  # the shipped graph has an info result, so both must find something
    mine = jena_runner.raw_results([result.raw for result in ours.results])
    theirs = jena_runner.shacl_results(jena.folder / "shacl-one-message.nt")
    assert theirs == mine
    assert measured["results"] == len(ours.results)


def test_jena_refuses_the_shipped_shapes_only_for_their_messages(
    jena: jena_runner.JenaRun,
) -> None:
    """The README tells users of Jena and Fuseki that Jena refuses the shipped shapes because
    each has a message in two languages; this holds it true (if a later Jena accepts them, its
    results must be the default validation's, and the README note goes)."""
    measured = jena.summary["shacl"]["shipped"]
    if "error" in measured:
        assert "More than one match" in measured["error"]
        assert str(SH.message) in measured["error"]
    else:
        assert measured["results"] == jena.summary["shacl"]["one-message"]["results"]


def test_one_message_per_shape_keeps_the_english_one() -> None:
    shapes = load_shapes_from(layout().shape_files())
    adapted, dropped = jena_runner.one_message_per_shape(shapes)
    with_messages = set(shapes.subjects(SH.message, None))
    assert len(with_messages) > 20 and dropped > 0
    for node in with_messages:
        kept = list(adapted.objects(node, SH.message))
        assert len(kept) == 1, node
        if len(list(shapes.objects(node, SH.message))) > 1:
            assert isinstance(kept[0], Literal) and kept[0].language == "en"
    assert len(shapes) - len(adapted) == dropped


def test_the_readmes_command_writes_shapes_jena_accepts(tmp_path: Path) -> None:
    """`python bench/jena_runner.py --shapes-for-jena FILE`, as the README gives it: a file of
    the project's shapes with one message per shape, nothing else changed."""
    target = tmp_path / "shapes-en.ttl"
    assert jena_runner.main(["--shapes-for-jena", str(target)]) == 0
    written = Graph().parse(target, format="turtle")
    expected, _ = jena_runner.one_message_per_shape(load_shapes_from(layout().shape_files()))
    assert isomorphic(written, expected)
    assert all(len(list(written.objects(node, SH.message))) == 1
               for node in written.subjects(SH.message, None))  # fmt: skip
    assert not list(tmp_path.glob("*.partial"))


def test_jena_gives_the_same_funding_by_year_where_amounts_do_not_divide(
    classpath: str, tmp_path: Path
) -> None:
    """Jena once summed 5526830000 where Oxigraph summed 5526829999.999999999999999923: shares
    are now rounded to the øre before they are summed (tests/test_queries.py holds the sums)."""
    from tests.test_queries import UNEVEN_GRANTS

    data = tmp_path / "uneven.ttl"
    data.write_text(UNEVEN_GRANTS, encoding="utf-8")
    kg = KnowledgeGraph.load([data], background="bare")
    quads = tmp_path / "uneven.nq"
    jena_runner.dump_quads(kg, quads)
    query = {"funding-by-year": QUERY_FILES["funding-by-year"]}
    run = jena_runner.run(classpath, quads, query, tmp_path / "jena", repeat=1, warm_up=0,
                          modes=["union"], java_options=["-XX:TieredStopAtLevel=1"])  # fmt: skip
    expected = kg.engine(DEFAULT_ENGINE).execute(query["funding-by-year"].text)
    assert len(expected) == 8
    answer = run.answer("union", "funding-by-year")
    assert jena_runner.difference(answer, expected, ordered=True) is None
