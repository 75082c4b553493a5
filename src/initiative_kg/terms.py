"""Terms: the same RDF term as pyoxigraph holds it (the store) and as rdflib holds it (the
Python API, pySHACL, the serialisers)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Context, Decimal, localcontext
from typing import TYPE_CHECKING, Any

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

if TYPE_CHECKING:
    import pyoxigraph

_XSD_STRING = str(XSD.string)
_NUMERIC = {XSD.integer, XSD.decimal, XSD.double, XSD.float}

# Significant digits of decimal arithmetic in rdflib's SPARQL engine and in pySHACL, which compute
# with Python's Decimal. Its default of 28 digits rounds sums that Oxigraph computes exactly (it
# keeps 39: up to about 1.7E20 with 18 places), so the two engines judged a grant's
# sub-allocations differently. With 100, sums and products of numbers of up to 50 digits are
# exact; a division that does not end is cut after 100 digits (Oxigraph: after 18 places).
DECIMAL_DIGITS = 100


@contextmanager
def exact_decimal_arithmetic() -> Iterator[None]:
    """Decimal arithmetic with DECIMAL_DIGITS digits in this thread, for the duration."""
    with localcontext(prec=DECIMAL_DIGITS):
        yield


def to_rdflib(term: Any) -> Node | None:
    """A pyoxigraph term (or None, an unbound variable) as the equal rdflib term."""
    if term is None:
        return None
    kind = type(term).__name__
    if kind == "NamedNode":
        return URIRef(term.value)
    if kind == "BlankNode":
        return BNode(term.value)
    if kind == "Literal":
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        # normalize=False: rdflib would otherwise rewrite the lexical form ("007" to "7")
        return Literal(
            term.value,
            datatype=None if datatype == _XSD_STRING else URIRef(datatype),
            normalize=False,
        )
    raise TypeError(f"not an RDF term: {term!r}")


def memoised_to_rdflib() -> Callable[[Any], Node | None]:
    """``to_rdflib``, converting each distinct term once: converting is most of the time a large
    result or a whole store takes, and terms repeat (the same agency, year or label on many
    rows)."""
    memo: dict[Any, Node | None] = {}

    def convert(term: Any) -> Node | None:
        if term is None:
            return None
        converted = memo.get(term)
        if converted is None:
            converted = memo[term] = to_rdflib(term)
        return converted

    return convert


def to_oxigraph(node: Node) -> pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal:
    """An rdflib term as the equal pyoxigraph term."""
    import pyoxigraph

    if isinstance(node, URIRef):
        return pyoxigraph.NamedNode(str(node))
    if isinstance(node, BNode):
        return pyoxigraph.BlankNode(str(node))
    if isinstance(node, Literal):
        if node.language:
            return pyoxigraph.Literal(str(node), language=node.language)
        datatype = pyoxigraph.NamedNode(str(node.datatype or XSD.string))
        return pyoxigraph.Literal(str(node), datatype=datatype)
    raise TypeError(f"not an RDF term: {node!r}")


def canonical_decimal(value: Decimal) -> Literal:
    """An xsd:decimal in the canonical form of XML Schema 1.1, which Oxigraph stores: no
    exponent, no trailing zeros, no decimal point for a whole number (9600000, 0.5, -1.25)."""
    if value == 0:
        return Literal("0", datatype=XSD.decimal, normalize=False)
    # Exactly: normalize() rounds to its context's precision (28 digits by default).
    exact = Context(prec=max(28, len(value.as_tuple().digits)))
    return Literal(format(value.normalize(exact), "f"), datatype=XSD.decimal, normalize=False)


def normalise(term: Node | None) -> Node | None:
    """A number in its canonical lexical form, for results that a remote SPARQL server computed
    or stored in a form of its own (Virtuoso writes 9.6E6 for 9600000): the data the project
    loads keeps its lexical forms, and the embedded engines give them back unchanged."""
    if not isinstance(term, Literal) or term.datatype not in _NUMERIC:
        return term
    value = term.toPython()
    if term.datatype == XSD.decimal and isinstance(value, Decimal):
        return canonical_decimal(value)
    if term.datatype == XSD.integer and isinstance(value, int):
        return Literal(str(value), datatype=XSD.integer)
    return term
