"""The embedded engines. engines.results_equal, the one function that decides "the same result"
for every engine comparison (the embedded engines, the Virtuoso and the ikg serve parity tests):
if it accepted too much, all of those would pass on different answers. FROM / FROM NAMED over
the loaded graphs on both engines alike and never fetched, results stopped at the row limit,
decimals printed exactly, deep results written."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDFS, XSD

from initiative_kg.engines import ENGINES, QueryResult, ResultTooLarge, render, results_equal
from initiative_kg.errors import QueryError
from initiative_kg.store import KnowledgeGraph
from tests.listener import RecordingListener

EX = "https://example.org/"
A, B = URIRef(EX + "a"), URIRef(EX + "b")
LABEL = Literal("Aalborg", lang="da")
COUNT = Literal("2", datatype=XSD.integer)


def select(
    *rows: tuple[object, ...], columns: tuple[str, ...] = ("x", "label", "n")
) -> QueryResult:
    return QueryResult("SELECT", columns=columns, rows=tuple(rows))  # type: ignore[arg-type]


def graph(*triples: tuple[object, object, object]) -> QueryResult:
    built = Graph()
    for triple in triples:
        built.add(triple)  # type: ignore[arg-type]
    return QueryResult("CONSTRUCT", graph=built)


REFERENCE = select((A, LABEL, COUNT), (B, LABEL, COUNT), (A, LABEL, COUNT))

# Each differs from REFERENCE in one way that makes it a different answer.
DIFFERENT = {
    "another value": select((A, LABEL, COUNT), (B, LABEL, COUNT), (A, LABEL, Literal("3", datatype=XSD.integer))),
    "another datatype": select((A, LABEL, COUNT), (B, LABEL, COUNT), (A, LABEL, Literal("2", datatype=XSD.decimal))),
    "a number as a string": select((A, LABEL, COUNT), (B, LABEL, COUNT), (A, LABEL, Literal("2"))),
    "another language": select((A, LABEL, COUNT), (B, Literal("Aalborg", lang="en"), COUNT), (A, LABEL, COUNT)),
    "no language": select((A, LABEL, COUNT), (B, Literal("Aalborg"), COUNT), (A, LABEL, COUNT)),
    "a literal for an IRI": select((A, LABEL, COUNT), (Literal(EX + "b"), LABEL, COUNT), (A, LABEL, COUNT)),
    "a blank node for an IRI": select((A, LABEL, COUNT), (BNode(), LABEL, COUNT), (A, LABEL, COUNT)),
    "unbound for a value": select((A, LABEL, COUNT), (B, LABEL, None), (A, LABEL, COUNT)),
    "an empty string for unbound": select((A, LABEL, COUNT), (B, LABEL, Literal("")), (A, LABEL, COUNT)),
    "a duplicate row swapped": select((A, LABEL, COUNT), (B, LABEL, COUNT), (B, LABEL, COUNT)),
    "a duplicate row dropped": select((A, LABEL, COUNT), (B, LABEL, COUNT)),
    "a row more": select((A, LABEL, COUNT), (B, LABEL, COUNT), (A, LABEL, COUNT), (A, LABEL, COUNT)),
    "no rows": select(),
    "columns renamed": select((A, LABEL, COUNT), (B, LABEL, COUNT), (A, LABEL, COUNT), columns=("x", "name", "n")),
    "columns reordered": select((LABEL, A, COUNT), (LABEL, B, COUNT), (LABEL, A, COUNT), columns=("label", "x", "n")),
    "an ASK": QueryResult("ASK", boolean=True),
}  # fmt: skip


@pytest.mark.parametrize("name", DIFFERENT)
def test_a_different_answer_is_not_equal(name: str) -> None:
    for ordered in (False, True):
        assert not results_equal(REFERENCE, DIFFERENT[name], ordered=ordered), name
        assert not results_equal(DIFFERENT[name], REFERENCE, ordered=ordered), name


def test_the_same_answer_is_equal() -> None:
    shuffled = select((A, LABEL, COUNT), (A, LABEL, COUNT), (B, LABEL, COUNT))
    assert results_equal(REFERENCE, REFERENCE, ordered=True)
    assert results_equal(REFERENCE, shuffled, ordered=False)  # a multiset: order is free
    assert not results_equal(REFERENCE, shuffled, ordered=True)  # unless the query orders it
    # blank nodes are local to a result: their labels never match across engines
    assert results_equal(select((BNode("x"), LABEL, COUNT)), select((BNode("y"), LABEL, COUNT)),
                         ordered=True)  # fmt: skip


def test_ask_and_graph_answers() -> None:
    yes, no = QueryResult("ASK", boolean=True), QueryResult("ASK", boolean=False)
    assert results_equal(yes, QueryResult("ASK", boolean=True), ordered=False)
    assert not results_equal(yes, no, ordered=False)
    first = graph(
        (A, RDFS.label, LABEL), (A, RDFS.seeAlso, BNode("p")), (BNode("p"), RDFS.label, LABEL)
    )
    same = graph(
        (A, RDFS.label, LABEL), (A, RDFS.seeAlso, BNode("q")), (BNode("q"), RDFS.label, LABEL)
    )
    other = graph((A, RDFS.label, Literal("Aalborg", lang="en")), (A, RDFS.seeAlso, BNode("q")),
                  (BNode("q"), RDFS.label, LABEL))  # fmt: skip
    assert results_equal(first, same, ordered=False)
    assert not results_equal(first, other, ordered=False)
    assert not results_equal(first, graph(), ordered=False)
    assert not results_equal(first, QueryResult("CONSTRUCT"), ordered=False)


# ---------------------------------------------------------------------- FROM, limits, numbers, depth

EXAMPLE = "http://example.org/"
TRIG = f"""@prefix ex: <{EXAMPLE}> .
ex:g1 {{ ex:a ex:p "a in g1" . ex:shared ex:p "shared in g1" . }}
ex:g2 {{ ex:b ex:p "b in g2" . ex:shared ex:p "shared in g2" . }}
ex:g3 {{ ex:c ex:p "c in g3" . }}
"""


@pytest.fixture(scope="module")
def three_graphs(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeGraph:
    path = tmp_path_factory.mktemp("from") / "three.trig"
    path.write_text(TRIG, encoding="utf-8")
    return KnowledgeGraph.load([path], background="none")


def values(result: QueryResult) -> list[tuple[str, ...]]:
    return sorted(tuple("" if v is None else str(v) for v in row) for row in result.rows)


# (query, expected rows as sorted tuples of strings); {url} is the recording listener.
DATASET_CASES = [
    (
        "SELECT ?o FROM <http://example.org/g1> WHERE { ?s <http://example.org/p> ?o }",
        [("a in g1",), ("shared in g1",)],
    ),
    (
        "SELECT ?o FROM <http://example.org/g1> FROM <http://example.org/g3> "
        "WHERE { ?s <http://example.org/p> ?o }",
        [("a in g1",), ("c in g3",), ("shared in g1",)],
    ),
    (
        "SELECT ?g ?o FROM NAMED <http://example.org/g2> WHERE { GRAPH ?g { ?s ?p ?o } }",
        [("http://example.org/g2", "b in g2"), ("http://example.org/g2", "shared in g2")],
    ),
    (  # FROM NAMED alone: the default graph is empty
        "SELECT ?o FROM NAMED <http://example.org/g2> WHERE { ?s ?p ?o }",
        [],
    ),
    (  # FROM alone: no named graphs
        "SELECT ?g FROM <http://example.org/g1> WHERE { GRAPH ?g { ?s ?p ?o } }",
        [],
    ),
    (
        "SELECT ?d ?n FROM <http://example.org/g1> FROM NAMED <http://example.org/g3> "
        "WHERE { { ?x ?p ?d } UNION { GRAPH ?g { ?y ?q ?n } } }",
        [("", "c in g3"), ("a in g1", ""), ("shared in g1", "")],
    ),
    (
        "SELECT (COUNT(*) AS ?n) FROM <http://example.org/g1> FROM <http://example.org/g2> "
        "WHERE { <http://example.org/shared> ?p ?o }",
        [("2",)],
    ),
    ("ASK FROM <http://example.org/g3> { <http://example.org/a> ?p ?o }", None),
    ("SELECT ?o FROM <{url}/data.ttl> WHERE { ?s ?p ?o }", []),
    ("SELECT ?g ?o FROM NAMED <{url}/data.ttl> WHERE { GRAPH ?g { ?s ?p ?o } }", []),
    (
        "SELECT ?o FROM <{url}/data.ttl> FROM <http://example.org/g3> WHERE { ?s ?p ?o }",
        [("c in g3",)],
    ),
    (  # without FROM the default graph is the union of every loaded graph
        "SELECT ?o WHERE { ?s <http://example.org/p> ?o }",
        [("a in g1",), ("b in g2",), ("c in g3",), ("shared in g1",), ("shared in g2",)],
    ),
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("template", "expected"), DATASET_CASES)
def test_from_and_from_named_choose_among_the_loaded_graphs(
    three_graphs: KnowledgeGraph,
    recording_listener: RecordingListener,
    engine: str,
    template: str,
    expected: list[tuple[str, ...]] | None,
) -> None:
    """Both engines: FROM merges the named graphs it names into the default graph, FROM NAMED
    makes them the only named graphs, an unknown graph is empty, and nothing is downloaded."""
    text = template.replace("{url}", recording_listener.url)
    result = three_graphs.engine(engine).execute(text)
    if expected is None:
        assert result.kind == "ASK" and result.boolean is False
    else:
        assert values(result) == expected
    assert recording_listener.connections == []


@pytest.mark.parametrize("engine", ENGINES)
def test_from_on_the_shipped_graph_keeps_to_that_file(shipped: KnowledgeGraph, engine: str) -> None:
    text = (
        "SELECT (COUNT(DISTINCT ?grant) AS ?n) "
        "FROM <https://w3id.org/initiative-kg/id/graph/004_3f2385aee20403ac> "
        "WHERE { ?grant a <https://w3id.org/initiative-kg/ontology#Grant> }"
    )
    assert values(shipped.engine(engine).execute(text)) == [("1",)]


@pytest.mark.parametrize("engine", ENGINES)
def test_stated_and_from_cannot_be_combined(shipped: KnowledgeGraph, engine: str) -> None:
    text = "SELECT * FROM <http://example.org/g1> WHERE { ?s ?p ?o }"
    with pytest.raises(QueryError, match="FROM / FROM NAMED"):
        shipped.engine(engine).execute(text, stated=True)


# ---------------------------------------------------------------------- the row limit

ENDLESS_SELECT = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # ~1.3e10 rows
ENDLESS_CONSTRUCT = "CONSTRUCT { ?a ?b ?f } WHERE { ?a ?b ?c . ?d ?e ?f }"  # ~5.5e6 triples


def finishes(work: object, seconds: float = 120) -> BaseException | None:
    """Run ``work`` in a thread; fail if it has not ended within ``seconds`` (it would run for
    hours if the result were built before the limit is checked). Returns what it raised."""
    raised: list[BaseException] = []

    def run() -> None:
        try:
            work()  # type: ignore[operator]
        except BaseException as error:  # handed to the test
            raised.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "the result was built past the limit"
    return raised[0] if raised else None


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_a_select_stops_at_the_limit_plus_one(shipped: KnowledgeGraph, engine: str) -> None:
    raised = finishes(lambda: shipped.engine(engine).execute(ENDLESS_SELECT, max_rows=5))
    assert isinstance(raised, ResultTooLarge) and raised.limit == 5


def test_a_construct_stops_at_the_limit_plus_one(shipped: KnowledgeGraph) -> None:
    raised = finishes(lambda: shipped.engine("oxigraph").execute(ENDLESS_CONSTRUCT, max_rows=5))
    assert isinstance(raised, ResultTooLarge)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_result_at_the_limit_is_whole(shipped: KnowledgeGraph, engine: str) -> None:
    text = "SELECT ?r WHERE { ?r a <https://w3id.org/initiative-kg/ontology#Region> }"
    assert len(shipped.engine(engine).execute(text, max_rows=5)) == 5
    with pytest.raises(ResultTooLarge):
        shipped.engine(engine).execute(text, max_rows=4)


# ---------------------------------------------------------------------- numbers and depth

BIG_DECIMALS = [
    "12345678901234567890123456789012345678.0",
    "0.12345678901234567890123456789012345678",
    "-98765432109876543210987654321.123456789",
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("decimal", BIG_DECIMALS)
def test_decimals_are_printed_exactly(shipped: KnowledgeGraph, engine: str, decimal: str) -> None:
    typed = f'"{decimal}"^^<{XSD.decimal}>'
    result = shipped.engine(engine).execute(f"SELECT ?x WHERE {{ VALUES ?x {{ {typed} }} }}")
    assert result.rows == ((Literal(decimal, datatype=XSD.decimal),),)
    for output in ("table", "csv", "tsv", "json", "xml"):
        assert decimal in render(result, output)


def deep_file(tmp_path: Path, depth: int) -> Path:
    text = (
        f"@prefix ex: <{EXAMPLE}> .\nex:root ex:next "
        + "[ ex:next " * depth
        + "ex:end"
        + " ]" * depth
        + " .\n"
    )
    path = tmp_path / "deep.ttl"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("depth", [1500, 5000])
def test_blank_nodes_nested_thousands_deep_are_written(
    tmp_path: Path, engine: str, depth: int
) -> None:
    """rdflib's Turtle and JSON-LD writers nest by recursion; the result is still written."""
    kg = KnowledgeGraph.load([deep_file(tmp_path, depth)], background="none")
    result = kg.engine(engine).execute(
        f"CONSTRUCT {{ ?s <{EXAMPLE}next> ?o }} WHERE {{ ?s <{EXAMPLE}next> ?o }}"
    )
    assert result.graph is not None and len(result.graph) == depth + 1

    for output, rdf_format in (("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")):
        again = Graph().parse(data=render(result, output), format=rdf_format)
        assert len(again) == depth + 1
        assert (URIRef(f"{EXAMPLE}root"), URIRef(f"{EXAMPLE}next"), None) in again


# Decimal arithmetic: Oxigraph adds and multiplies its decimals (up to about 1.7E20, 18 places)
# exactly; rdflib's engine computes with Python's Decimal, which rounds to 28 digits unless told
# otherwise. Values beyond Oxigraph's range are computed by rdflib alone, also exactly.
ARITHMETIC = [
    ("12345678901234567890.123456789012", True),
    ("-12345678901234567890.999999999999999999", True),
    ("0.000000000000000001", True),
    ("12345678901234567890123456789012345678.25", False),
    ("1000000000000000000000.000000000000000000001", False),
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("value", "in_range"), ARITHMETIC)
def test_sums_and_products_of_decimals_are_exact(
    tmp_path: Path, engine: str, value: str, in_range: bool
) -> None:
    from decimal import Decimal, localcontext

    path = tmp_path / "amount.ttl"
    path.write_text(
        f'<{EXAMPLE}grant> <{EXAMPLE}amount> "{value}"^^<{XSD.decimal}> .\n', encoding="utf-8"
    )
    kg = KnowledgeGraph.load([path], background="none")
    assert kg.exact is in_range  # in range: "oxigraph" is Oxigraph
    result = kg.engine(engine).execute(
        f"SELECT (?v + ?v AS ?twice) (?v * 3 AS ?thrice) (?v - 1 AS ?less) (?v + ?v - ?v AS ?same)"
        f" WHERE {{ ?g <{EXAMPLE}amount> ?v }}"
    )
    with localcontext(prec=200):
        exact = Decimal(value)
        expected = [exact + exact, exact * 3, exact - 1, exact]
    ((twice, thrice, less, same),) = result.rows
    assert [Decimal(str(term)) for term in (twice, thrice, less, same)] == expected
