"""engines.results_equal, the one function that decides "the same result" for every engine
comparison (the embedded engines, the Virtuoso and the ikg serve parity tests). If it accepted
too much, all of those would pass on different answers."""

from __future__ import annotations

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDFS, XSD

from initiative_kg.engines import QueryResult, results_equal

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
