"""Terms: the same RDF term as pyoxigraph holds it (the store) and as rdflib holds it (the
Python API, pySHACL, the serialisers)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Context, Decimal, localcontext
from typing import TYPE_CHECKING, Any

from rdflib import BNode, Literal, URIRef
from rdflib import term as _rdflib_term
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
        return iri_term(term.value)
    if kind == "BlankNode":
        return BNode(term.value)
    if kind == "Literal":
        if term.language:
            return language_literal(term.value, term.language)
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return _literal(term.value, None, None, term.value, None)
        return typed_literal(term.value, datatype)
    raise TypeError(f"not an RDF term: {term!r}")


# Building a Literal through its constructor is most of the time a large result takes (about
# 5 microseconds a literal, against 1 for the same fields set directly): it checks the language
# tag, wraps the datatype in a new URIRef and looks at its arguments' types on every call. The
# functions below give the same Literal (the same lexical form, language, datatype, value and
# ill-typed flag, which tests/test_terms.py holds them to for every kind of literal) with each
# language tag checked and each datatype IRI wrapped once, calling rdflib's own conversion of
# the lexical form to a value and its own well-formedness check.
_LANGUAGES_CHECKED: set[str] = set()
_DATATYPES: dict[str, URIRef] = {}
_LEXICAL_FORM_REWRITTEN = frozenset({XSD.normalizedString, XSD.token})
_to_value = getattr(_rdflib_term, "_castLexicalToPython", None)
_well_formed_checks = getattr(_rdflib_term, "_check_well_formed_types", None)
_well_formed_by_value = getattr(_rdflib_term, "_well_formed_by_value", None)
_known_datatypes = getattr(_rdflib_term, "_toPythonMapping", None)
_DIRECT = None not in (_to_value, _well_formed_checks, _well_formed_by_value, _known_datatypes)


_invalid_iri_characters = getattr(_rdflib_term, "_invalid_uri_chars", None)
_WARNED_IRI = (
    re.compile(f"[{re.escape(_invalid_iri_characters)}]") if _invalid_iri_characters else None
)


def iri_term(iri: str) -> URIRef:
    """``URIRef(iri)``. Its constructor only looks for characters it warns about (which Oxigraph
    lets into a store only when loading leniently); the string is the whole of a URIRef."""
    if _WARNED_IRI is None or _WARNED_IRI.search(iri) is not None:
        return URIRef(iri)
    term: URIRef = str.__new__(URIRef, iri)
    return term


def _literal(
    lexical: str, language: str | None, datatype: URIRef | None, value: Any, ill_typed: bool | None
) -> Literal:
    """A Literal with its fields set as ``Literal.__new__`` sets them."""
    literal: Literal = str.__new__(Literal, lexical)
    literal._language = language
    literal._datatype = datatype
    literal._value = value
    literal._ill_typed = ill_typed
    return literal


def language_literal(lexical: str, language: str) -> Literal:
    """``Literal(lexical, lang=language)``: a tag rdflib refuses raises its ValueError."""
    if language not in _LANGUAGES_CHECKED:
        Literal("", lang=language)
        _LANGUAGES_CHECKED.add(language)
    return _literal(lexical, language, None, lexical, None)


def typed_literal(lexical: str, datatype: str) -> Literal:
    """``Literal(lexical, datatype=URIRef(datatype), normalize=False)``: the lexical form as
    written (never rewritten: "007" stays "007"), its value as rdflib reads it."""
    iri = _DATATYPES.get(datatype)
    if iri is None:
        iri = _DATATYPES[datatype] = URIRef(datatype)
    if not _DIRECT or iri in _LEXICAL_FORM_REWRITTEN:
        return Literal(lexical, datatype=iri, normalize=False)
    value = _to_value(lexical, iri)  # type: ignore[misc]
    ill_typed = None
    if iri in _known_datatypes:  # type: ignore[operator]
        well_formed = _well_formed_checks.get(iri, _well_formed_by_value)  # type: ignore[union-attr]
        ill_typed = not well_formed(lexical, value)
    return _literal(lexical, None, iri, value, ill_typed)


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
