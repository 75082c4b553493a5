"""The query catalogue: headers, golden results written from the seed pages, engine parity,
safe parameters."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.plugins.sparql import prepareQuery

from initiative_kg.engines import ENGINES, check_query, results_equal
from initiative_kg.errors import QueryError
from initiative_kg.namespaces import shorten
from initiative_kg.queries import (
    PARAM_TYPES,
    Parameter,
    bind_values,
    catalogue,
    checks,
    parse_query_text,
)
from initiative_kg.store import KnowledgeGraph
from tests.conftest import REPO

GOLDEN = sorted((REPO / "tests" / "golden").glob("*.yaml"))
CONTRACT = {
    "initiatives": ([], ["initiative", "title", "start", "end", "lead"]),
    "initiatives-active-in-year": (["year"], ["initiative", "title", "start", "end"]),
    "funding-by-agreement": ([], ["agreement", "agreementLabel", "totalDKK", "initiatives"]),
    "funding-by-initiative": ([], ["initiative", "title", "totalDKK"]),
    "funding-by-year": ([], ["year", "totalDKK"]),
    "funding-by-lead-agency": ([], ["agency", "agencyLabel", "totalDKK", "initiatives"]),
    "actors-in-several-initiatives": (["min"], ["actor", "actorLabel", "actorType", "initiatives"]),
    "participation-by-region": ([], ["region", "regionLabel", "municipalities", "initiatives"]),
    "initiatives-for-target-group": (["group"], ["initiative", "title", "targetGroup"]),
    "intervention-element-usage": ([], ["element", "elementLabel", "initiatives"]),
    "collaborators": (["actor"], ["partner", "partnerLabel", "sharedInitiatives"]),
    "roles-of-actor": (["actor"], ["initiative", "title", "role"]),
    "initiative-profile": (["initiative"], ["property", "value", "source"]),
    "programme-hierarchy": ([], ["parent", "parentLabel", "child", "childLabel"]),
    "initiatives-without-evaluation": ([], ["initiative", "title"]),
    "evidence-claims": ([], ["initiative", "claim", "value", "unit", "source"]),
    "unnamed-participants": ([], ["initiative", "participantType", "count"]),
    "sources": ([], ["source", "lastUpdated", "statements"]),
}
# Representative parameters: the examples each query's header gives.
EXAMPLE_PARAMS: dict[str, dict[str, str]] = {
    query_id: query.examples() for query_id, query in catalogue().items() if query.examples()
}
ALL_QUERIES = {**catalogue(), **checks()}


def test_every_required_parameter_has_an_example() -> None:
    for query_id, query in catalogue().items():
        for parameter in query.params:
            assert parameter.example is not None, (query_id, parameter.name)


def test_the_catalogue_keeps_its_public_contract() -> None:
    found = {
        query_id: ([p.name for p in query.params], list(query.columns))
        for query_id, query in catalogue().items()
    }
    for query_id, contract in CONTRACT.items():
        assert found.get(query_id) == contract, query_id


@pytest.mark.parametrize("query_id", sorted(ALL_QUERIES))
def test_every_query_parses_and_its_header_matches_it(query_id: str) -> None:
    query = ALL_QUERIES[query_id]
    assert query.title and query.title != query_id
    assert query.description
    bound = query.bind(EXAMPLE_PARAMS.get(query_id, {}))
    check_query(bound)
    projection = [str(v) for v in prepareQuery(bound).algebra["PV"]]
    assert projection == list(query.columns)
    body = "\n".join(line for line in query.text.splitlines() if not line.startswith("#"))
    for parameter in query.params:
        assert f"?{parameter.name}" in body, (
            f"{query_id} declares {parameter.name} but never uses it"
        )
        assert parameter.type in PARAM_TYPES


def test_every_query_declares_its_own_prefixes() -> None:
    for query in ALL_QUERIES.values():
        body = "\n".join(line for line in query.text.splitlines() if not line.startswith("#"))
        declared = {line.split()[1] for line in body.splitlines() if line.startswith("PREFIX")}
        for prefix in (
            "ikg:",
            "prov:",
            "rdfs:",
            "schema:",
            "skos:",
            "time:",
            "org:",
            "rdf:",
            "xsd:",
        ):
            if f" {prefix}" in body or f"({prefix}" in body or f"/{prefix}" in body:
                assert prefix in declared, f"{query.id} uses {prefix} without declaring it"


# ---------------------------------------------------------------------- golden results


def _expected_cell(value: Any, column: str) -> Any:
    if isinstance(value, dict) and "files" in value:
        return sum(len(Graph().parse(REPO / path)) for path in value["files"])
    return value


def _actual_cell(term: Any) -> str | None:
    """A result term as the text a golden file writes: prefixed IRIs, numbers normalised."""
    if term is None:
        return None
    if isinstance(term, URIRef):
        return shorten(str(term))
    if isinstance(term, BNode):
        return "_:"
    return _comparable(str(term))


def _comparable(value: Any) -> str | None:
    """Numbers (from YAML or from a literal's text) in one form: 9600000.0 == 9600000."""
    if value is None:
        return None
    text = str(value)
    try:
        number = Decimal(text)
    except ArithmeticError:
        return text
    if not number.is_finite() or isinstance(value, bool):
        return text
    return format(number.normalize(), "f")


@pytest.mark.parametrize("golden", GOLDEN, ids=[path.stem for path in GOLDEN])
@pytest.mark.parametrize("engine", ENGINES)
def test_golden_results_from_the_seed_pages(
    shipped: KnowledgeGraph, golden: Path, engine: str
) -> None:
    spec = yaml.safe_load(golden.read_text(encoding="utf-8"))
    query = catalogue()[spec["query"]]
    result = shipped.query(
        spec["query"], spec.get("params") or {}, engine=engine, stated=spec.get("stated", False)
    )
    expected = [
        [_comparable(_expected_cell(row[column], column)) for column in query.columns]
        for row in spec["rows"]
    ]
    actual = [[_actual_cell(term) for term in row] for row in result.rows]
    assert actual == expected


def test_every_catalogue_query_has_a_golden_file() -> None:
    covered = {yaml.safe_load(path.read_text(encoding="utf-8"))["query"] for path in GOLDEN}
    assert set(catalogue()) - covered == set()


# ---------------------------------------------------------------------- engines


@pytest.mark.parametrize("query_id", sorted(catalogue()))
@pytest.mark.parametrize("stated", [False, True], ids=["all", "stated"])
def test_the_embedded_engines_give_identical_results(
    shipped: KnowledgeGraph, query_id: str, stated: bool
) -> None:
    params = EXAMPLE_PARAMS.get(query_id, {})
    rdflib_result = shipped.query(query_id, params, engine="rdflib", stated=stated)
    oxigraph_result = shipped.query(query_id, params, engine="oxigraph", stated=stated)
    ordered = "ORDER BY" in catalogue()[query_id].text
    assert results_equal(rdflib_result, oxigraph_result, ordered=ordered)
    assert len(rdflib_result) > 0 or query_id == "initiatives-active-in-year"


def test_checks_return_nothing_on_the_shipped_data(shipped: KnowledgeGraph) -> None:
    for check in checks().values():
        for engine in ENGINES:
            assert len(shipped.engine(engine).execute(check.text)) == 0, (check.id, engine)


# ---------------------------------------------------------------------- parameters


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        ("integer", "2016", Literal(2016)),
        ("decimal", "9600000.0", Literal(Decimal("9600000.0"))),
        ("boolean", "TRUE", Literal(True)),
        (
            "date",
            "2016-12-05",
            Literal("2016-12-05", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date")),
        ),
        (
            "iri",
            "tg:relatives",
            URIRef("https://w3id.org/initiative-kg/vocab/target-group/relatives"),
        ),
        ("iri", "<https://example.org/x>", URIRef("https://example.org/x")),
        ("string", 'Pårørende "og" } UNION {', Literal('Pårørende "og" } UNION {')),
        ("langstring", "Pårørende@da", Literal("Pårørende", lang="da")),
    ],
)
def test_parameters_become_typed_terms(kind: str, raw: str, expected: Any) -> None:
    assert Parameter("x", kind).to_term(raw) == expected


INJECTIONS = [
    ("integer", "2016 } UNION { ?s ?p ?o"),
    ("integer", "2016) || true || (1"),
    ("decimal", "1.0e3; DROP ALL"),
    ("boolean", "true || 1=1"),
    ("date", '2016-12-05"^^xsd:date } UNION {'),
    ("iri", "https://example.org/x> } UNION { ?s ?p ?o } #"),
    ("iri", "tg:relatives } UNION { ?s ?p ?o"),
    ("iri", "javascript alert(1)"),
    ("langstring", 'x"@da } UNION { ?s ?p ?o'),
]


@pytest.mark.parametrize(("kind", "raw"), INJECTIONS)
def test_injection_attempts_are_rejected(kind: str, raw: str) -> None:
    with pytest.raises(QueryError, match="parameter 'x' expects"):
        Parameter("x", kind).to_term(raw)


def test_a_hostile_string_is_bound_as_a_plain_value(shipped: KnowledgeGraph) -> None:
    """The same text that would widen the query if pasted in is matched as a literal."""
    text = """#+ title: Labelled
#+ description: Resources with exactly this Danish label.
#+ params:
#+   - {name: label, type: langstring}
#+ columns: [thing]
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?thing WHERE { ?thing rdfs:label ?label }
"""
    query = parse_query_text(text, path=Path("labelled.rq"), query_id="labelled")
    hostile = 'x"@da } UNION { ?thing ?p ?o } #@da'
    bound = query.bind({"label": hostile})
    check_query(bound)
    for engine in ENGINES:
        assert len(shipped.engine(engine).execute(bound)) == 0
    honest = query.bind({"label": "Socialstyrelsen@da"})
    for engine in ENGINES:
        assert len(shipped.engine(engine).execute(honest)) == 1


def test_missing_unknown_and_mistyped_parameters_are_named() -> None:
    query = catalogue()["initiatives-active-in-year"]
    with pytest.raises(QueryError, match="needs the parameter 'year'"):
        query.bind({})
    with pytest.raises(QueryError, match="has no parameter 'yaer'"):
        query.bind({"yaer": "2016"})
    with pytest.raises(QueryError, match="parameter 'year' expects an integer"):
        query.bind({"year": "twenty sixteen"})


def test_values_go_into_the_outer_where_not_a_comment() -> None:
    text = "# WHERE { in a comment\nSELECT ?x WHERE { ?x ?p ?o } # WHERE {\n"
    bound = bind_values(text, {"x": Literal(1)})
    assert bound.startswith(
        "# WHERE { in a comment\nSELECT ?x WHERE {\n"
        '  VALUES (?x) { ("1"^^<http://www.w3.org/2001/XMLSchema#integer>) }'
    )


def test_service_is_refused_unless_allowed() -> None:
    text = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    with pytest.raises(QueryError, match="SERVICE"):
        check_query(text)
    check_query(text, allow_service=True)


def test_a_syntax_error_names_line_and_column() -> None:
    with pytest.raises(QueryError, match=r"line 3, column \d+"):
        check_query("PREFIX ex: <http://example.org/>\nSELECT ?s\nWHERE { ?s ex:p }\n")


def test_updates_are_not_queries() -> None:
    with pytest.raises(QueryError, match="syntax error"):
        check_query("DELETE WHERE { ?s ?p ?o }")


# ---------------------------------------------------------------------- Python API


def test_python_api_rows_records_and_dataframe(shipped: KnowledgeGraph) -> None:
    result = shipped.query("funding-by-initiative")
    rows = list(result)
    assert rows[0]["title"] == Literal(
        "Partnerskab om strategisk udvikling og omlægning af socialpsykiatrien", lang="da"
    )
    records = result.records()
    assert records[0]["totalDKK"] == Decimal("21800000")
    frame = shipped.query("initiatives-active-in-year", {"year": 2016}).to_dataframe()
    assert list(frame.columns) == ["initiative", "title", "start", "end"]
    assert len(frame) == 2
