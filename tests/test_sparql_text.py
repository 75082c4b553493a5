"""What the engines learn from a query's tokens (form, SERVICE, FROM, where parameters go) and
parameters that cannot change a query, whatever characters their values hold."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.term import Node

from initiative_kg.engines import ENGINES
from initiative_kg.errors import QueryError
from initiative_kg.queries import parse_query_text
from initiative_kg.sparql_text import (
    QueryText,
    bind_values,
    check_read_only,
    string_literal,
    term_text,
    values_block,
)
from initiative_kg.store import KnowledgeGraph
from tests.listener import RecordingListener

# ---------------------------------------------------------------------- the tokens

SERVICE_CALLS = [
    "SELECT * WHERE { SERVICE <{url}/sparql> { ?s ?p ?o } }",
    "select * where { service silent <{url}/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SeRvIcE <{url}/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE {\n  SERVICE # a comment between\n  <{url}/sparql> { ?s ?p ?o } }",
    "PREFIX r: <{url}/>\nSELECT * WHERE { SERVICE r:sparql { ?s ?p ?o } }",
    "SELECT * WHERE { BIND(<{url}/sparql> AS ?e) SERVICE ?e { ?s ?p ?o } }",
    'SELECT * WHERE { ?s ?p "}" . SERVICE <{url}/sparql> { ?s ?p ?o } }',
    "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <{url}/sparql> { ?s ?p ?o } } } }",
    "ASK { SERVICE <{url}/sparql> { ?s ?p ?o } }",
    "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <{url}/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { FILTER(?a<?b) SERVICE <{url}/sparql> { ?s ?p ?o } }",
]

NOT_SERVICE = [
    'SELECT * WHERE { ?s ?p "SERVICE <http://x/> { }" }',
    "SELECT * WHERE { ?s ?p '''a\nSERVICE <http://x/> { ?s ?p ?o }''' }",
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x/> { }",
    "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o }",
    "PREFIX service: <http://example.org/>\nSELECT * WHERE { ?s service:SERVICE ?service }",
    "SELECT ?service WHERE { ?s ?p ?service . ?service ?q $SERVICE }",
    "SELECT * WHERE { _:service ?p ?o }",
    'SELECT * WHERE { ?s ?p "x"@service }',
]


@pytest.mark.parametrize("template", SERVICE_CALLS)
def test_service_is_found_however_it_is_written(template: str) -> None:
    query = QueryText(template.replace("{url}", "http://127.0.0.1:9"))
    assert query.uses_service
    with pytest.raises(QueryError, match="SERVICE"):
        check_read_only(query.text)
    check_read_only(query.text, allow_service=True)


@pytest.mark.parametrize("text", NOT_SERVICE)
def test_the_word_service_elsewhere_is_not_a_call(text: str) -> None:
    assert not QueryText(text).uses_service
    check_read_only(text)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("template", SERVICE_CALLS)
def test_no_engine_sends_a_service_request(
    shipped: KnowledgeGraph,
    recording_listener: RecordingListener,
    engine: str,
    template: str,
) -> None:
    """Oxigraph sends a SERVICE request itself: the refusal has to come before it runs."""
    text = template.replace("{url}", recording_listener.url)
    with pytest.raises(QueryError, match="SERVICE"):
        shipped.engine(engine).execute(text)
    assert recording_listener.connections == []


@pytest.mark.parametrize("engine", ENGINES)
def test_service_written_with_unicode_escapes_sends_nothing(
    shipped: KnowledgeGraph, recording_listener: RecordingListener, engine: str
) -> None:
    """rdflib expands \\u escapes anywhere in a query before parsing; its engine checks its own
    parse tree for SERVICE too, so the escaped keyword is refused there; Oxigraph does not
    expand them outside strings and refuses the text as a syntax error."""
    text = f"SELECT * WHERE {{ \\u0053ERVICE <{recording_listener.url}/sparql> {{ ?s ?p ?o }} }}"
    with pytest.raises(QueryError, match=r"SERVICE|syntax error"):
        shipped.engine(engine).execute(text)
    assert recording_listener.connections == []


@pytest.mark.parametrize("engine", ENGINES)
def test_allow_service_does_send_the_request(
    shipped: KnowledgeGraph, recording_listener: RecordingListener, engine: str
) -> None:
    """The other side of the refusal: the option that allows SERVICE really allows it."""
    text = f"SELECT ?s WHERE {{ SERVICE <{recording_listener.url}/sparql> {{ ?s ?p ?o }} }}"
    result = shipped.engine(engine).execute(text, allow_service=True)
    assert [str(row[0]) for row in result.rows] == ["http://example.org/fetched"]
    assert len(recording_listener.requests) == 1


@pytest.mark.parametrize(
    ("text", "form", "names_dataset"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT", False),
        ("PREFIX ask: <http://x/>\nselect * from <http://x/g> { ?s ?p ?o }", "SELECT", True),
        ("# SELECT\nASK FROM NAMED <http://x/g> { GRAPH ?g { ?s ?p ?o } }", "ASK", True),
        ("CONSTRUCT { ?s ?p 'FROM' } WHERE { ?s ?p ?o }", "CONSTRUCT", False),
        ("DESCRIBE <http://x/from>", "DESCRIBE", False),
        ("BASE <http://x/> INSERT DATA { <a> <b> <c> }", "UPDATE", False),
        ("SELECT ?from WHERE { ?from ?p ?o }", "SELECT", False),
    ],
)
def test_form_and_dataset_clause(text: str, form: str, names_dataset: bool) -> None:
    query = QueryText(text)
    assert (query.form, query.names_dataset) == (form, names_dataset)


# ---------------------------------------------------------------------- where VALUES goes


@pytest.mark.parametrize(
    ("text", "marker"),
    [
        ("SELECT ?x WHERE { ?x ?p ?o }", "WHERE {"),
        ("# WHERE { in a comment\nSELECT ?x WHERE { ?x ?p ?o }", "?x WHERE {"),
        ('SELECT ?x WHERE { ?x ?p "WHERE {" }', "?x WHERE {"),
        ("SELECT ?x WHERE { ?x <http://x/WHERE{> ?o }", "?x WHERE {"),
        ("SELECT ?x { ?x ?p ?o }", "?x {"),
        ("ASK { ?x ?p ?o }", "ASK {"),
        ("CONSTRUCT { ?x ?p ?o } WHERE { ?x ?p ?o }", "} WHERE {"),
        ("CONSTRUCT { ?x ?p ?o } { ?x ?p ?o }", "} {"),
        ("SELECT ?x WHERE\n  # the pattern\n  { ?x ?p ?o }", "# the pattern\n  {"),
    ],
)
def test_values_go_just_inside_the_first_where_group(text: str, marker: str) -> None:
    bound = bind_values(text, {"x": Literal(1)})
    position = text.index(marker) + len(marker)
    assert bound[:position] == text[:position]
    assert bound[position:].startswith(
        '\n  VALUES (?x) { ("1"^^<http://www.w3.org/2001/XMLSchema#integer>) }\n'
    )
    assert bound[position:].endswith(text[position:])


def test_the_short_construct_form_cannot_take_parameters() -> None:
    with pytest.raises(QueryError, match="short form"):
        bind_values("CONSTRUCT WHERE { ?x ?p ?o }", {"x": Literal(1)})


# ---------------------------------------------------------------------- values that stay values

HOSTILE = [
    '"',
    "'",
    '"""',
    "'''",
    "\\",
    '\\"',
    "\\\\",
    "a\nb",
    "a\r\nb",
    "tab\there",
    "\\n",
    "\\u0022",
    "\\U00000022",
    "\\u005C",
    "\\\\u0022",
    "\\u00220022",
    "\\u",
    "#",
    "}",
    ">",
    "<",
    "{ ?s ?p ?o }",
    '" } UNION { ?s ?p ?o } #',
    "' } UNION { ?s ?p ?o } #",
    '""" } UNION { ?s ?p ?o } #',
    '\\" } UNION { ?s ?p ?o } #',
    '\n\\"\n} UNION { ?thing ?p ?o }',
    "\x00\x01\x1f\x7f",
    "^^<http://x/>",
    "@en",
    "Pårørende – “citat” \u2028 😀",
]

THREE_PARAMETERS = """#+ title: Echo
#+ params:
#+   - {name: first, type: string}
#+   - {name: second, type: string}
#+   - {name: third, type: langstring}
#+ columns: [first, second, third]
SELECT ?first ?second ?third WHERE { }
"""


def echo(params: int) -> str:
    names = ["first", "second", "third"][:params]
    header = "".join(
        f"#+   - {{name: {name}, type: {'langstring' if name == 'third' else 'string'}}}\n"
        for name in names
    )
    return (
        f"#+ title: Echo\n#+ params:\n{header}"
        f"SELECT {' '.join('?' + n for n in names)} WHERE {{ }}\n"
    )


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("params", [1, 2, 3])
@pytest.mark.parametrize("hostile", HOSTILE, ids=[repr(h)[:30] for h in HOSTILE])
def test_a_value_comes_back_exactly_as_given(
    shipped: KnowledgeGraph, engine: str, params: int, hostile: str
) -> None:
    """Whatever a value holds, the query returns it unchanged as one row: it was bound as a
    term, and nothing of it ran as SPARQL."""
    query = parse_query_text(echo(params), path=Path("echo.rq"), query_id="echo")
    values = {"first": hostile, "second": "x" + hostile + "y", "third": hostile + "@da"}
    chosen = {name: values[name] for name in ["first", "second", "third"][:params]}
    result = shipped.engine(engine).execute(query.bind(chosen))
    expected: list[Node] = [
        Literal(hostile),
        Literal("x" + hostile + "y"),
        Literal(hostile, lang="da"),
    ]
    assert result.rows == (tuple(expected[:params]),)


@pytest.mark.parametrize("engine", ENGINES)
def test_the_reported_injection_returns_no_contact_persons(
    shipped: KnowledgeGraph, engine: str
) -> None:
    """The issue's case: a first value with a newline, a backslash and a quote, and a second
    value written as SPARQL; before, the second ran and returned contact persons' names."""
    text = """#+ title: Two strings
#+ params:
#+   - {name: first, type: string}
#+   - {name: second, type: string}
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?thing WHERE { ?thing rdfs:label ?first . FILTER (STR(?thing) = ?second) }
"""
    query = parse_query_text(text, path=Path("two.rq"), query_id="two")
    payload = {
        "first": 'x\n\\"',
        "second": "} UNION { ?thing a <https://w3id.org/initiative-kg/ontology#ContactPerson> } #",
    }
    assert shipped.engine(engine).execute(query.bind(payload)).rows == ()


@pytest.mark.parametrize("hostile", HOSTILE, ids=[repr(h)[:30] for h in HOSTILE])
def test_the_values_block_reads_back_as_the_terms(hostile: str) -> None:
    terms = {"a": Literal(hostile), "b": Literal(hostile, lang="en-GB"), "c": URIRef("http://x/")}
    values_block(terms)  # raises if Oxigraph reads anything else back


@pytest.mark.parametrize("value", ["\\u0022", "\\U00000022", "\\\\u0041", "a\\u00220022b", "\\"])
def test_a_backslash_u_survives_a_parser_that_expands_escapes_first(value: str) -> None:
    """rdflib (and some servers) expand \\uXXXX anywhere in the text before they parse it; the
    written literal must read back as the value either way."""
    import pyoxigraph
    from rdflib.plugins.sparql.parser import expandUnicodeEscapes

    written = string_literal(value)
    for text in (written, expandUnicodeEscapes(written)):
        (row,) = pyoxigraph.Store().query(f"SELECT ?v WHERE {{ BIND({text} AS ?v) }}")  # type: ignore[misc]
        assert row["v"].value == value


@pytest.mark.parametrize(
    "node",
    [URIRef("http://x/a b"), URIRef("http://x/>"), URIRef('http://x/"'), URIRef("http://x/\\u")],
)
def test_an_iri_that_cannot_be_written_is_refused(node: URIRef) -> None:
    with pytest.raises(QueryError, match="not an IRI"):
        term_text(node)


@pytest.mark.parametrize("name", ["a b", "a)", "?a", "a}", ""])
def test_a_parameter_name_that_is_no_variable_is_refused(name: str) -> None:
    with pytest.raises(QueryError, match="not a parameter name"):
        values_block({name: Literal("x")})


def test_a_huge_integer_is_a_clear_error_not_a_traceback() -> None:
    from initiative_kg.queries import Parameter

    with pytest.raises(QueryError, match="at most 4,300 digits"):
        Parameter("year", "integer").to_term("9" * 5000)
    assert Parameter("year", "integer").to_term("9" * 4300) == Literal(int("9" * 4300))
