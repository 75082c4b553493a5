"""Oxigraph's terms turned into rdflib's: the fast construction gives exactly the Literal and
URIRef that rdflib's own constructors give (every field a Literal has), for every kind of term."""

from __future__ import annotations

import logging
from typing import Any

import pyoxigraph
import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD

from initiative_kg.terms import iri_term, language_literal, memoised_to_rdflib, to_rdflib

# Lexical forms per datatype: canonical, non-canonical, ill-formed and odd ones, for the
# datatypes rdflib reads into a value, those it checks for well-formedness, the two whose lexical
# form it rewrites, and ones it does not know.
LEXICAL_FORMS: dict[str, list[str]] = {
    str(XSD.integer): ["0", "7", "-12", "007", "+3", "1.5", "x", "", " 4 "],
    str(XSD.decimal): ["9600000", "9600000.0", "0.50", "-1.25", ".5", "1E3", "abc"],
    str(XSD.double): ["1.0E3", "INF", "-INF", "NaN", "1e", "3"],
    str(XSD.float): ["1.5", "x"],
    str(XSD.boolean): ["true", "false", "1", "0", "TRUE", "yes"],
    str(XSD.date): ["2016-12-05", "2016-13-05", "2016-12-05Z", "05-12-2016"],
    str(XSD.dateTime): ["2016-12-05T10:00:00", "2016-12-05T10:00:00+01:00", "nope"],
    str(XSD.gYear): ["2016", "-0044", "16", "2016Z"],
    str(XSD.gYearMonth): ["2016-05", "2016-13"],
    str(XSD.byte): ["127", "128", "-129", "c"],
    str(XSD.int): ["5", "2147483648"],
    str(XSD.short): ["1", "40000"],
    str(XSD.positiveInteger): ["007", "0", "-1"],
    str(XSD.nonNegativeInteger): ["0", "-1"],
    str(XSD.nonPositiveInteger): ["0", "1"],
    str(XSD.negativeInteger): ["-1", "0"],
    str(XSD.unsignedByte): ["255", "256"],
    str(XSD.unsignedShort): ["1", "-1"],
    str(XSD.unsignedInt): ["1", "4294967296"],
    str(XSD.unsignedLong): ["1", "-1"],
    str(XSD.anyURI): ["https://example.org/a", "not an iri"],
    str(XSD.normalizedString): ["a\tb\nc", "plain"],
    str(XSD.token): ["  a   b  ", "plain"],
    str(XSD.hexBinary): ["0FB7", "xyz"],
    str(XSD.base64Binary): ["aGVsbG8=", "!!"],
    str(XSD.duration): ["P1Y2M", "P"],
    str(XSD.time): ["10:00:00", "25:00:00"],
    str(RDF.XMLLiteral): ["<a>b</a>"],
    str(RDF.HTML): ["<p>b</p>"],
    "https://example.org/datatype/unknown": ["anything"],
}


def fields(term: Any) -> tuple[Any, ...]:
    """Everything a term holds: its class, its string and, for a Literal, every slot."""
    if isinstance(term, Literal):
        return (
            type(term),
            str(term),
            term.language,
            term.datatype,
            type(term.datatype),
            _value(term.value),
            type(term.value),
            term.ill_typed,
        )
    return (type(term), str(term))


def _value(value: Any) -> str:
    """A value in a form that compares: an XML or HTML literal's DOM by its nodes' XML."""
    if hasattr(value, "childNodes"):
        return "".join(node.toxml() for node in value.childNodes)
    return repr(value)


def test_every_kind_of_typed_literal_is_the_literal_rdflibs_constructor_gives() -> None:
    checked = 0
    for datatype, forms in LEXICAL_FORMS.items():
        for lexical in forms:
            term = pyoxigraph.Literal(lexical, datatype=pyoxigraph.NamedNode(datatype))
            expected = Literal(lexical, datatype=URIRef(datatype), normalize=False)
            assert fields(to_rdflib(term)) == fields(expected), (datatype, lexical)
            checked += 1
    assert checked == sum(len(forms) for forms in LEXICAL_FORMS.values()) == 85


def test_strings_and_language_strings_are_the_literals_rdflibs_constructor_gives() -> None:
    for text in ["", "Pårørende", "a\tb", "  spaced  ", "007"]:
        assert fields(to_rdflib(pyoxigraph.Literal(text))) == fields(Literal(text))
        for language in ["da", "en", "en-GB", "de-CH-1996"]:
            term = pyoxigraph.Literal(text, language=language)
            # Oxigraph holds a tag in lower case (en-gb); the Literal keeps Oxigraph's tag
            expected = Literal(text, lang=term.language)
            assert fields(to_rdflib(term)) == fields(expected), (text, language)


def test_a_language_tag_rdflib_refuses_is_refused_as_rdflib_refuses_it() -> None:
    with pytest.raises(ValueError, match="not a valid language tag"):
        Literal("x", lang="not a tag")
    with pytest.raises(ValueError, match="not a valid language tag"):
        language_literal("x", "not a tag")


def test_iris_and_blank_nodes_are_the_terms_rdflibs_constructors_give() -> None:
    for iri in [
        "https://w3id.org/initiative-kg/id/initiative/x",
        "urn:x:1",
        "https://ø.dk/å?b=1#c",
    ]:
        assert fields(to_rdflib(pyoxigraph.NamedNode(iri))) == fields(URIRef(iri))
    assert fields(to_rdflib(pyoxigraph.BlankNode("b1"))) == fields(BNode("b1"))
    assert to_rdflib(None) is None


def test_an_iri_rdflib_warns_about_is_built_by_rdflib_and_warned_about(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A store loaded leniently can hold such an IRI; rdflib's warning is kept."""
    store = pyoxigraph.Store()
    store.load(b"<http://a> <http://b> <http://c d> .", format=pyoxigraph.RdfFormat.N_TRIPLES,
               lenient=True)  # fmt: skip
    (quad,) = list(store)
    with caplog.at_level(logging.WARNING, logger="rdflib.term"):
        term = to_rdflib(quad.object)
    assert fields(term) == fields(URIRef("http://c d"))
    assert "does not look like a valid URI" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="rdflib.term"):
        iri_term("http://c/d")
    assert caplog.text == ""


def test_the_memo_gives_each_distinct_term_once_and_equal_terms_apart() -> None:
    convert = memoised_to_rdflib()
    first = convert(pyoxigraph.Literal("9600000", datatype=pyoxigraph.NamedNode(str(XSD.decimal))))
    again = convert(pyoxigraph.Literal("9600000", datatype=pyoxigraph.NamedNode(str(XSD.decimal))))
    other = convert(pyoxigraph.Literal("9600000", datatype=pyoxigraph.NamedNode(str(XSD.integer))))
    assert first is again
    assert fields(first) == fields(Literal("9600000", datatype=XSD.decimal, normalize=False))
    assert fields(other) == fields(Literal("9600000", datatype=XSD.integer, normalize=False))
    assert convert(None) is None
