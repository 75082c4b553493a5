"""The query catalogue: headers, golden results written from the seed pages, engine parity,
safe parameters."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

from initiative_kg.engines import ENGINES, check_query, results_equal
from initiative_kg.errors import QueryError
from initiative_kg.namespaces import PREFIXES
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

ID = "https://w3id.org/initiative-kg/id/"
GOLDEN = sorted((REPO / "tests" / "golden").glob("*.yaml"))
CONTRACT = {
    "initiatives": ([], ["initiative", "title", "start", "end", "lead", "leadBasis"]),
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
    "roles-of-actor": (["actor"], ["initiative", "title", "role", "basis"]),
    "initiative-profile": (["initiative"], ["property", "value", "source", "basis"]),
    "programme-hierarchy": ([], ["parent", "parentLabel", "child", "childLabel"]),
    "initiatives-without-evaluation": ([], ["initiative", "title"]),
    "evidence-claims": ([], ["initiative", "claim", "value", "unit", "source"]),
    "unnamed-participants": ([], ["initiative", "participantType", "count"]),
    "sources": ([], ["source", "lastUpdated", "statements"]),
    "municipalities-by-region": (
        [],
        ["region", "regionLabel", "municipality", "municipalityLabel", "initiatives"],
    ),
    "total-under-programme": (
        ["programme"],
        ["programmeLabel", "initiatives", "grants", "totalDKK"],
    ),
    "initiatives-by-agreement-and-year": (
        [],
        ["agreement", "agreementLabel", "year", "initiatives"],
    ),
    "programme-tree": (
        [],
        [
            "parent",
            "parentLabel",
            "parentStart",
            "parentEnd",
            "child",
            "childLabel",
            "childStart",
            "childEnd",
        ],
    ),
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


NUMERIC = {XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.int, XSD.long}


def expand(name: str) -> URIRef:
    """A prefixed name of the project's prefixes (or an <IRI>) as an IRI."""
    if name.startswith("<") and name.endswith(">"):
        return URIRef(name[1:-1])
    prefix, _, local = name.partition(":")
    if prefix not in PREFIXES:
        raise ValueError(f"golden file: unknown prefix in {name!r}")
    return URIRef(PREFIXES[prefix] + local)


def turtle_term(text: str) -> Node:
    """A cell written as a Turtle term: ikg:Project, "a label"@da, "2016"^^xsd:gYear, 20."""
    prefixes = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items())
    graph = Graph().parse(data=f"{prefixes}<urn:s> <urn:p> {text} .", format="turtle")
    (term,) = graph.objects()
    return term


def expected_term(value: Any, kind: str) -> Node | None:
    """A golden cell as the RDF term it stands for, by its column's declared kind: ``iri`` (a
    prefixed name), ``@da`` (a string in that language), an XSD datatype (``xsd:decimal``),
    or ``term`` (the cell is written as a Turtle term). ``null`` is unbound; ``{files: [..]}``
    is the number of triples in those files, which the test counts itself."""
    if value is None:
        return None
    if isinstance(value, dict) and "files" in value:
        value = sum(len(Graph().parse(REPO / path)) for path in value["files"])
    if kind == "iri":
        return expand(str(value))
    if kind == "term":
        return turtle_term(str(value))
    if kind.startswith("@"):
        return Literal(str(value), lang=kind[1:])
    if isinstance(value, bool):
        value = str(value).lower()
    return Literal(str(value), datatype=expand(kind))


def same_term(expected: Node | None, actual: Node | None) -> bool:
    """The same RDF term, strictly: IRIs equal; literals with the same datatype (a plain
    string is xsd:string), the same language tag and the same value. Numbers compare by value
    (an engine may write a computed 9600000 as 9600000.0), everything else by its text."""
    if expected is None or actual is None:
        return expected is actual
    if isinstance(expected, URIRef) or isinstance(actual, URIRef):
        return isinstance(expected, URIRef) and isinstance(actual, URIRef) and expected == actual
    if not (isinstance(expected, Literal) and isinstance(actual, Literal)):
        return False  # a blank node is never what a golden file means
    datatypes = [
        lit.datatype or (None if lit.language else XSD.string) for lit in (expected, actual)
    ]
    languages = [(lit.language or "").lower() for lit in (expected, actual)]
    if datatypes[0] != datatypes[1] or languages[0] != languages[1]:
        return False
    if datatypes[0] in NUMERIC:
        try:
            return Decimal(str(expected)) == Decimal(str(actual))
        except ArithmeticError:
            return False
    return str(expected) == str(actual)


def golden_mismatches(
    spec: dict[str, Any], columns: Sequence[str], rows: Sequence[Sequence[Node | None]]
) -> list[str]:
    """What differs between a golden file's rows and a result's, cell by cell ([] if same)."""
    kinds = spec.get("columns") or {}
    if list(kinds) != list(columns):
        return [f"the golden file declares columns {list(kinds)}, the query has {list(columns)}"]
    expected = [[expected_term(row[c], kinds[c]) for c in columns] for row in spec["rows"]]
    problems = []
    if len(expected) != len(rows):
        problems.append(f"{len(rows)} rows, expected {len(expected)}")
    for index, (want, got) in enumerate(zip(expected, rows, strict=False)):
        for column, a, b in zip(columns, want, got, strict=True):
            if not same_term(a, b):
                shown = [t.n3() if t is not None else "unbound" for t in (a, b)]
                problems.append(f"row {index + 1} {column}: expected {shown[0]}, got {shown[1]}")
    return problems


@pytest.mark.parametrize("golden", GOLDEN, ids=[path.stem for path in GOLDEN])
@pytest.mark.parametrize("engine", ENGINES)
def test_golden_results_from_the_seed_pages(
    shipped: KnowledgeGraph, golden: Path, engine: str
) -> None:
    """Each catalogue query's result on the shipped graph, term by term (IRI or literal,
    datatype, language and value) in the order the query gives."""
    spec = yaml.safe_load(golden.read_text(encoding="utf-8"))
    query = catalogue()[spec["query"]]
    result = shipped.query(
        spec["query"], spec.get("params") or {}, engine=engine, stated=spec.get("stated", False)
    )
    assert golden_mismatches(spec, query.columns, result.rows) == []


def test_the_golden_comparator_rejects_a_wrong_type_language_or_kind() -> None:
    """Guards the comparison above: a value with the right text but the wrong datatype,
    language or kind of term is a different answer."""
    spec = {
        "columns": {"who": "iri", "label": "@da", "year": "xsd:gYear", "amount": "xsd:decimal"},
        "rows": [{"who": "region:1081", "label": "Aalborg", "year": 2016, "amount": 9600000}],
    }
    who = URIRef(PREFIXES["region"] + "1081")
    right = [who, Literal("Aalborg", lang="da"), Literal("2016", datatype=XSD.gYear),
             Literal("9600000.0", datatype=XSD.decimal)]  # fmt: skip
    assert golden_mismatches(spec, list(spec["columns"]), [right]) == []
    wrong_cells = {
        0: [Literal(str(who)), Literal("region:1081"), URIRef(PREFIXES["region"] + "1083")],
        1: [Literal("Aalborg", lang="en"), Literal("Aalborg"), Literal("Aalborg", datatype=XSD.token),
            URIRef("https://example.org/Aalborg"), Literal("Aalborg ", lang="da"), None],
        2: [Literal("2016", datatype=XSD.integer), Literal("2016"), Literal("2017", datatype=XSD.gYear)],
        3: [Literal("9600000", datatype=XSD.integer), Literal("9600000.0", datatype=XSD.double),
            Literal("9600000"), Literal("9600001.0", datatype=XSD.decimal)],
    }  # fmt: skip
    for position, wrongs in wrong_cells.items():
        for wrong in wrongs:
            row = [*right[:position], wrong, *right[position + 1 :]]
            assert golden_mismatches(spec, list(spec["columns"]), [row]) != [], wrong
    assert golden_mismatches(spec, list(spec["columns"]), []) != []  # a missing row
    assert golden_mismatches(spec, list(spec["columns"]), [right, right]) != []  # an extra one
    assert golden_mismatches(spec, ["who", "label", "amount", "year"], [right]) != []
    assert same_term(turtle_term('"x"@da'), Literal("x", lang="da"))
    assert not same_term(turtle_term("ikg:Project"), Literal("ikg:Project"))


def test_every_query_check_and_golden_file_is_found() -> None:
    """The parametrised tests here, in test_endpoint.py and in test_serve.py loop over the
    queries, checks and golden files found at run time; this pins how many there are, so that
    a missing or unreadable file fails instead of shrinking a loop. Update it when one is added."""
    assert len(catalogue()) == 24
    assert len(checks()) == 5
    assert len(GOLDEN) == 36


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


@pytest.mark.parametrize("engine", ENGINES)
def test_a_syntax_error_names_line_and_column(shipped: KnowledgeGraph, engine: str) -> None:
    """Each engine parses the query itself; its syntax error says where, on one line."""
    with pytest.raises(QueryError, match=r"SPARQL syntax error at line 3, column \d+") as caught:
        shipped.engine(engine).execute(
            "PREFIX ex: <http://example.org/>\nSELECT ?s\nWHERE { ?s ex:p }\n"
        )
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "update",
    [
        "DELETE WHERE { ?s ?p ?o }",
        "INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }",
        "PREFIX ex: <http://example.org/>\nLOAD <http://127.0.0.1:9/data.ttl>",
        "# a comment\nCLEAR ALL",
        "drop graph <http://example.org/g>",
        "WITH <http://example.org/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    ],
)
def test_updates_are_not_queries(shipped: KnowledgeGraph, update: str) -> None:
    with pytest.raises(QueryError, match="SPARQL Update"):
        check_query(update)
    size = len(shipped.store)
    for engine in ENGINES:
        with pytest.raises(QueryError, match="SPARQL Update"):
            shipped.engine(engine).execute(update)
    assert len(shipped.store) == size


# ---------------------------------------------------------------------- Python API


def test_python_api_rows_records_and_dataframe(shipped: KnowledgeGraph) -> None:
    result = shipped.query("funding-by-initiative", {})
    rows = list(result)
    # rows are RDF terms, records plain Python values of the same rows
    page_002 = "Generisk model for forløbsprogrammer for mennesker med psykiske lidelser"
    (row,) = [r for r in rows if r["title"] == Literal(page_002, lang="da")]
    (record,) = [r for r in result.records() if r["title"] == page_002]
    assert row["totalDKK"].toPython() == record["totalDKK"] == Decimal("13000000")  # page 002
    active = shipped.query("initiatives-active-in-year", {"year": 2016})
    frame = active.to_dataframe()
    assert list(frame.columns) == ["initiative", "title", "start", "end"]
    assert list(frame["initiative"]) == [row["initiative"] for row in active.records()]
    # pages 000 and 002 (2014-2017) are among them
    assert {f"{ID}initiative/systematisk-inddragelse-af-paaroerende",
            f"{ID}initiative/generisk-model-for-forloebsprogrammer"} <= set(frame["initiative"])  # fmt: skip


def test_one_id_in_two_query_files_is_an_error(tmp_path: Path) -> None:
    from initiative_kg.queries import _files_by_id

    for folder in ("actors", "funding", "checks"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "same.rq").write_text("SELECT * WHERE { ?s ?p ?o }\n")
    (tmp_path / "funding" / "other.rq").write_text("SELECT * WHERE { ?s ?p ?o }\n")
    with pytest.raises(QueryError, match=r"the id 'same' is used by .*actors/same\.rq too"):
        _files_by_id(tmp_path)
    # a folder left out is not looked at
    (tmp_path / "funding" / "same.rq").unlink()
    found = _files_by_id(tmp_path, exclude=("checks",))
    assert found == {
        "same": tmp_path / "actors" / "same.rq",
        "other": tmp_path / "funding" / "other.rq",
    }


UNEVEN_GRANTS = """
@prefix ikg: <https://w3id.org/initiative-kg/ontology#> .
@prefix schema: <https://schema.org/> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/uneven/> .

ex:thirds ikg:period [ time:hasBeginning [ time:inXSDgYear "2014"^^xsd:gYear ] ;
                       time:hasEnd [ time:inXSDgYear "2016"^^xsd:gYear ] ] .
ex:grant-thirds a ikg:Grant ; schema:fundedItem ex:thirds ;
    schema:amount [ schema:value 10000000 ] .
ex:sevenths ikg:period [ time:hasBeginning [ time:inXSDgYear "2014"^^xsd:gYear ] ;
                         time:hasEnd [ time:inXSDgYear "2020"^^xsd:gYear ] ] .
ex:grant-sevenths a ikg:Grant ; schema:fundedItem ex:sevenths ;
    schema:amount [ schema:value 1000001 ] .
ex:eighths ikg:period [ time:hasBeginning [ time:inXSDgYear "2014"^^xsd:gYear ] ;
                        time:hasEnd [ time:inXSDgYear "2021"^^xsd:gYear ] ] .
ex:grant-eighths a ikg:Grant ; schema:fundedItem ex:eighths ;
    schema:amount [ schema:value 1 ] .
"""


def _share_in_ore(amount: int, years: int) -> Decimal:
    """A year's share rounded to the øre, half an øre up (fn:round)."""
    return (Decimal(amount * 100) / years).quantize(Decimal(1), ROUND_HALF_UP) / 100


def test_funding_by_year_gives_one_sum_on_every_engine_where_amounts_do_not_divide(
    tmp_path: Path,
) -> None:
    """Guards against sums that differ in the last places from engine to engine: a division
    that does not end (10 mio. kr. over three years) is cut at a precision each engine chooses.
    Each share is rounded to the øre, half an øre up (1 kr. over eight years: 12.5 øre)."""
    data = tmp_path / "uneven.ttl"
    data.write_text(UNEVEN_GRANTS, encoding="utf-8")
    kg = KnowledgeGraph.load([data], background="bare")
    expected = {
        year: (_share_in_ore(10_000_000, 3) if year <= 2016 else 0)
        + (_share_in_ore(1_000_001, 7) if year <= 2020 else 0)
        + _share_in_ore(1, 8)
        for year in range(2014, 2022)
    }
    assert expected[2014] == Decimal("3333333.33") + Decimal("142857.29") + Decimal("0.13")
    for engine in ENGINES:
        result = kg.query("funding-by-year", engine=engine)
        answer = {int(year): Decimal(str(total)) for year, total in result.rows}  # type: ignore[arg-type]
        assert answer == expected, engine
