"""Terms: the same RDF term as pyoxigraph holds it (the store) and as rdflib holds it (the
Python API, pySHACL, the serialisers)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

if TYPE_CHECKING:
    import pyoxigraph

_XSD_STRING = str(XSD.string)
_NUMERIC = {XSD.integer, XSD.decimal, XSD.double, XSD.float}


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
        return Literal(term.value, datatype=None if datatype == _XSD_STRING else URIRef(datatype))
    raise TypeError(f"not an RDF term: {term!r}")


def memoised_to_rdflib() -> Callable[[Any], Node | None]:
    """``to_rdflib`` then ``normalise``, converting each distinct term once: converting is most
    of the time a large result or a whole store takes, and terms repeat (the same agency, year
    or label on many rows)."""
    memo: dict[Any, Node | None] = {}

    def convert(term: Any) -> Node | None:
        if term is None:
            return None
        converted = memo.get(term)
        if converted is None:
            converted = memo[term] = normalise(to_rdflib(term))
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


def normalise(term: Node | None) -> Node | None:
    """Numbers in one canonical lexical form, so that engines that compute the same value print
    the same text (9600000.0, not 9600000 or 9.6E6)."""
    if not isinstance(term, Literal) or term.datatype not in _NUMERIC:
        return term
    value = term.toPython()
    if term.datatype == XSD.decimal and isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return Literal(text if "." in text else text + ".0", datatype=XSD.decimal)
    if term.datatype == XSD.integer and isinstance(value, int):
        return Literal(str(value), datatype=XSD.integer)
    return term
