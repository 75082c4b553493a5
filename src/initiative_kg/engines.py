"""Running SPARQL queries: the embedded engines behind one small protocol, and their results.

Two embedded engines give identical results: Oxigraph (pyoxigraph, native code) over the store
the graph was loaded into, and rdflib's own SPARQL engine over the rdflib view of it. A remote
SPARQL endpoint implements the same protocol in ``endpoint.py``. Every engine sees the union of
the named graphs as its default graph; ``stated=True`` leaves analyst-coded graphs
(``ikg:CodedGraph``) out of it.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol, cast

from rdflib import BNode, Dataset, Graph, Literal, URIRef, Variable
from rdflib.namespace import XSD
from rdflib.query import Result
from rdflib.term import Identifier, Node

from initiative_kg.errors import QueryError
from initiative_kg.namespaces import bind_prefixes, shorten
from initiative_kg.offline import offline
from initiative_kg.serialise import graph_json_ld, turtle
from initiative_kg.sparql_text import QueryText, check_read_only
from initiative_kg.terms import exact_decimal_arithmetic, memoised_to_rdflib, to_rdflib

if TYPE_CHECKING:
    import pandas
    import pyoxigraph

logger = logging.getLogger(__name__)

ENGINES = ("oxigraph", "rdflib")
DEFAULT_ENGINE = "oxigraph"
SELECT_FORMATS = ("table", "csv", "tsv", "json", "xml")
GRAPH_FORMATS = ("ttl", "nt", "jsonld")


@dataclass(frozen=True)
class QueryResult:
    """What a query returned: rows (SELECT), a boolean (ASK) or a graph (CONSTRUCT/DESCRIBE)."""

    kind: str
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[Node | None, ...], ...] = ()
    boolean: bool | None = None
    graph: Graph | None = field(default=None, compare=False)

    def __iter__(self) -> Iterator[dict[str, Node | None]]:
        for row in self.rows:
            yield dict(zip(self.columns, row, strict=True))

    def __len__(self) -> int:
        return len(self.rows)

    def records(self) -> list[dict[str, Any]]:
        """Rows as dicts of Python values (int, Decimal, str, date; IRIs as strings)."""
        return [
            {column: _python(value) for column, value in zip(self.columns, row, strict=True)}
            for row in self.rows
        ]

    def to_dataframe(self) -> pandas.DataFrame:
        """The rows as a pandas DataFrame (``pip install initiative-kg[pandas]``)."""
        try:
            import pandas
        except ImportError as error:
            raise QueryError(
                "to_dataframe needs pandas: pip install 'initiative-kg[pandas]'"
            ) from error
        return pandas.DataFrame.from_records(self.records(), columns=list(self.columns))


def _python(value: Node | None) -> Any:
    if value is None:
        return None
    if isinstance(value, Literal):
        return value.toPython()
    return str(value)


class LoadedGraph(Protocol):
    """What the embedded engines need of a loaded graph (``store.KnowledgeGraph``): its
    Oxigraph store, the rdflib view of it, and which graphs hold analyst coding."""

    @property
    def store(self) -> pyoxigraph.Store: ...

    @property
    def dataset(self) -> Dataset: ...

    def coded_graphs(self) -> set[URIRef]: ...


class Engine(Protocol):
    """Runs SPARQL query text (parameters already bound) against a graph."""

    name: str

    def execute(
        self,
        text: str,
        *,
        stated: bool = False,
        max_rows: int | None = None,
        allow_service: bool = False,
    ) -> QueryResult: ...


class ResultTooLarge(QueryError):
    """A result with more rows (or triples) than the caller allows; stopped at limit + 1."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the result has more rows than the limit of {limit}; add a LIMIT")
        self.limit = limit


class QueryTimedOut(QueryError):
    """A query ran past its time limit."""


def execute_within(
    engine: Engine, text: str, *, timeout: float | None, **options: Any
) -> QueryResult:
    """``engine.execute`` with a time limit. Neither embedded engine can be interrupted, so the
    query runs in a daemon thread and the caller gets QueryTimedOut when the limit passes; the
    thread runs on until the process ends, so this is for a process that then exits (the
    command line). A server runs queries in processes it can end instead (query_pool)."""
    if timeout is None:
        return engine.execute(text, **options)
    outcome: list[QueryResult | BaseException] = []

    def run() -> None:
        try:
            outcome.append(engine.execute(text, **options))
        except BaseException as error:  # handed to the waiting thread
            outcome.append(error)

    worker = threading.Thread(target=run, name="ikg-query", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise QueryTimedOut(
            f"the query ran longer than the time limit of {timeout:g} s (--timeout)"
        )
    answer = outcome[0]
    if isinstance(answer, BaseException):
        raise answer
    return answer


def check_query(text: str, *, allow_service: bool = False) -> QueryText:
    """Refuse an update and SERVICE (an outbound request) unless allowed, from the query's
    tokens; the engine that runs the query parses it and reports syntax errors."""
    return check_read_only(text, allow_service=allow_service)


def _stated_conflict(query: QueryText, stated: bool) -> None:
    if stated and query.names_dataset:
        raise QueryError(
            "the query names its own graphs with FROM / FROM NAMED, so --stated (which leaves "
            "analyst coding out of the default graph) cannot apply; leave out one or the other"
        )


# ---------------------------------------------------------------------- rdflib

# rdflib's SPARQL parser (pyparsing) is not thread-safe, and its evaluation shares state with it;
# every use of rdflib's engine in this process goes through this lock.
_RDFLIB_LOCK = threading.RLock()


class RdflibEngine:
    """rdflib's own SPARQL engine over the loaded dataset.

    ``FROM``/``FROM NAMED`` name graphs of the loaded data, as on Oxigraph; rdflib itself would
    download a graph it does not hold, so the dataset clause is applied here and never fetched.
    Evaluation runs with outbound requests blocked unless SERVICE is allowed.
    """

    name = "rdflib"

    def __init__(self, kg: LoadedGraph) -> None:
        self._kg = kg
        self._stated: Dataset | None = None

    def _dataset(self, stated: bool) -> Dataset:
        if not stated:
            return self._kg.dataset
        if self._stated is None:
            leave_out = self._kg.coded_graphs()
            stated_only = Dataset(default_union=True)
            bind_prefixes(stated_only.namespace_manager)
            for context in self._kg.dataset.graphs():
                if context.identifier not in leave_out and len(context):
                    stated_only.graph(context.identifier).__iadd__(context)
            self._stated = stated_only
        return self._stated

    def execute(
        self,
        text: str,
        *,
        stated: bool = False,
        max_rows: int | None = None,
        allow_service: bool = False,
    ) -> QueryResult:
        query = check_read_only(text, allow_service=allow_service)
        _stated_conflict(query, stated)
        with _RDFLIB_LOCK:
            dataset = self._dataset(stated)
            parsed = _rdflib_parse(text, dict(dataset.namespaces()))
            if not allow_service and _contains(parsed.algebra, "ServiceGraphPattern"):
                raise QueryError(
                    "the query uses SERVICE, which would send a request to another server; "
                    "the embedded engines refuse it unless --allow-service is given"
                )
            try:
                with exact_decimal_arithmetic():
                    if allow_service:
                        return _from_rdflib(_rdflib_evaluate(dataset, parsed), max_rows)
                    with offline("rdflib's SPARQL engine"):
                        return _from_rdflib(_rdflib_evaluate(dataset, parsed), max_rows)
            except QueryError:
                raise
            except RecursionError as error:
                raise QueryError(
                    "the query nests too deeply for rdflib's engine; use --engine oxigraph"
                ) from error
            except Exception as error:
                raise QueryError(f"the query failed on rdflib: {error}") from error


def _rdflib_parse(text: str, namespaces: dict[str, Any]) -> Any:
    """rdflib's parse and algebra of a query, with its syntax errors as line and column."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        return translateQuery(parseQuery(text), None, namespaces)
    except ParseException as error:
        raise QueryError(
            f"SPARQL syntax error at line {error.lineno}, column {error.col}: {error.msg}"
        ) from error
    except Exception as error:  # rdflib raises plain exceptions for some malformed input
        raise QueryError(f"SPARQL syntax error: {_one_line(str(error))}") from error


def _rdflib_evaluate(dataset: Dataset, parsed: Any) -> Mapping[str, Any]:
    """Evaluate a translated query as rdflib's ``evalQuery`` does, except for the dataset
    clause: FROM merges the named graphs of ``dataset`` it names into the default graph, FROM
    NAMED makes the graphs it names the only named graphs (SPARQL 1.1, 13.2); a graph that is
    not loaded is empty. rdflib would download it instead."""
    from rdflib.plugins.sparql.evaluate import evalPart
    from rdflib.plugins.sparql.sparql import QueryContext

    main = parsed.algebra
    clause = main.datasetClause
    main["datasetClause"] = None
    context = QueryContext(dataset, initBindings={})
    if clause:
        default = Graph()
        named = Dataset()
        for entry in clause:
            if entry.default:
                default += dataset.graph(entry.default)
            elif entry.named:
                into = Graph(store=named.store, identifier=entry.named)
                into += dataset.graph(entry.named)
                named.graph(entry.named)  # an empty graph is still a named graph of the dataset
        context._dataset = named
        context.graph = default
    context.prologue = parsed.prologue
    answer: Mapping[str, Any] = evalPart(context, main)
    return answer


def _from_rdflib(answer: Mapping[str, Any], max_rows: int | None = None) -> QueryResult:
    """A result of rdflib's evaluation (the mapping its ``evalPart`` returns) as a
    QueryResult; solutions are taken one by one and stopped at ``max_rows`` + 1."""
    kind = str(answer["type_"])
    if kind == "ASK":
        return QueryResult("ASK", boolean=bool(answer["askAnswer"]))
    if kind in {"CONSTRUCT", "DESCRIBE"}:
        graph = Graph()
        bind_prefixes(graph.namespace_manager)
        for count, triple in enumerate(answer["graph"], 1):
            if max_rows is not None and count > max_rows:
                raise ResultTooLarge(max_rows)
            graph.add(triple)
        return QueryResult(kind, graph=graph)
    variables = list(answer["vars_"] or [])
    columns = tuple(str(variable) for variable in variables)
    rows: list[tuple[Node | None, ...]] = []
    for solution in answer["bindings"]:
        if max_rows is not None and len(rows) >= max_rows:
            raise ResultTooLarge(max_rows)
        rows.append(tuple(solution.get(variable) for variable in variables))
    return QueryResult("SELECT", columns=columns, rows=tuple(rows))


def _contains(tree: object, name: str) -> bool:
    """Whether rdflib's parse tree or algebra holds a node of the given name."""
    from pyparsing import ParseResults

    stack, seen = [tree], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if getattr(node, "name", None) == name:
            return True
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list | tuple | ParseResults):
            stack.extend(list(node))
    return False


# ---------------------------------------------------------------------- Oxigraph


class OxigraphEngine:
    """Oxigraph's native SPARQL engine over the loaded graph's own store.

    Without FROM the default graph is the union of the named graphs (``stated``: less the
    coded graphs); a query with FROM / FROM NAMED chooses among the loaded named graphs itself.
    SERVICE is refused before Oxigraph sees the query (Oxigraph would send the request).
    """

    name = "oxigraph"

    def __init__(self, kg: LoadedGraph) -> None:
        self._store = kg.store
        self._coded = {str(name) for name in kg.coded_graphs()}

    def execute(
        self,
        text: str,
        *,
        stated: bool = False,
        max_rows: int | None = None,
        allow_service: bool = False,
    ) -> QueryResult:
        from pyoxigraph import QueryBoolean, QuerySolutions

        query = check_read_only(text, allow_service=allow_service)
        _stated_conflict(query, stated)
        options: dict[str, Any]
        if query.names_dataset:
            options = {}
        elif stated:
            graphs = [g for g in self._store.named_graphs() if g.value not in self._coded]
            options = {"default_graph": graphs, "named_graphs": graphs}
        else:
            options = {"use_default_graph_as_union": True}
        try:
            answer = self._store.query(text, **options)
        except SyntaxError as error:
            raise QueryError(_oxigraph_syntax_error(error)) from error
        except (OSError, ValueError) as error:
            raise QueryError(f"the query failed on Oxigraph: {_one_line(str(error))}") from error
        if isinstance(answer, QueryBoolean):
            return QueryResult("ASK", boolean=bool(answer))
        columns: tuple[str, ...] = ()
        if isinstance(answer, QuerySolutions):
            columns = tuple(variable.value for variable in answer.variables)
        items, failure = _drain(answer, len(columns) if columns else None, max_rows)
        del answer  # pyoxigraph's iterators must be dropped on the thread that made them
        if failure is not None:
            raise QueryError(f"the query failed on Oxigraph: {failure}")
        if items is None:
            raise ResultTooLarge(cast(int, max_rows))
        if columns or query.form == "SELECT":
            return QueryResult("SELECT", columns=columns, rows=tuple(items))
        graph = Graph()
        bind_prefixes(graph.namespace_manager)
        for subject, predicate, value in items:
            graph.add((_term(subject), _term(predicate), _term(value)))
        return QueryResult(query.form if query.form == "DESCRIBE" else "CONSTRUCT", graph=graph)


def _drain(
    answer: Any, width: int | None, max_rows: int | None
) -> tuple[list[tuple[Any, ...]] | None, str | None]:
    """Take the solutions (``width`` columns, converted to rdflib terms) or triples (kept as
    pyoxigraph terms) of an Oxigraph answer, at most ``max_rows``: (items, None), or (None, None)
    when there are more, or (None, message) when evaluation failed on the way. It never raises,
    so that no traceback keeps Oxigraph's iterator alive beyond its thread."""
    convert = memoised_to_rdflib()
    items: list[tuple[Any, ...]] = []
    try:
        for item in answer:
            if max_rows is not None and len(items) >= max_rows:
                return None, None
            if width is None:
                items.append((item.subject, item.predicate, item.object))
            else:
                items.append(tuple(map(convert, item)))  # a solution's values, in order
    except (OSError, ValueError, SyntaxError) as error:
        return None, _one_line(str(error))
    return items, None


_OXIGRAPH_POSITION = re.compile(r"^error at (\d+):(\d+): ?")


def _oxigraph_syntax_error(error: SyntaxError) -> str:
    message = str(error.msg if error.msg else error)
    position = _OXIGRAPH_POSITION.match(message)
    if position is None:
        return f"SPARQL syntax error: {_one_line(message)}"
    line, column = position.groups()
    reason = _one_line(message[position.end() :])
    return f"SPARQL syntax error at line {line}, column {column}: {reason}"


def _one_line(message: str, limit: int = 240) -> str:
    """A library's message on one line, cut to a readable length."""
    text = " ".join(message.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _term(term: Any) -> Node:
    converted = to_rdflib(term)
    if converted is None:
        raise QueryError("a graph result holds an unbound term")
    return converted


def make_engine(name: str, kg: LoadedGraph) -> Engine:
    if name == "rdflib":
        return RdflibEngine(kg)
    if name == "oxigraph":
        return OxigraphEngine(kg)
    raise QueryError(f"unknown engine '{name}' (use {' or '.join(ENGINES)})")


# ---------------------------------------------------------------------- output formats


def render(result: QueryResult, output_format: str, *, width: int | None = None) -> str:
    """A result in one of the output formats. SELECT: table, csv, tsv, json, xml (the W3C
    SPARQL 1.1 result formats); CONSTRUCT/DESCRIBE: ttl, nt, jsonld; ASK: true or false.
    ``width`` is the width a table must fit (a terminal's); the other formats are whole."""
    if result.kind == "ASK":
        return ("true" if result.boolean else "false") + "\n"
    if result.graph is not None:
        if output_format not in GRAPH_FORMATS:
            raise QueryError(
                f"a {result.kind} result is a graph: use --format {', '.join(GRAPH_FORMATS)}"
            )
        if output_format == "jsonld":
            return graph_json_ld(result.graph)  # Oxigraph's writer: exact, and never nested
        if output_format == "nt":
            return result.graph.serialize(format="nt")
        try:
            return turtle(result.graph)
        except RecursionError:  # rdflib's Turtle writer nests blank nodes by recursion
            return _flat(result.graph, output_format)
    if output_format not in SELECT_FORMATS:
        raise QueryError(f"a SELECT result is a table: use --format {', '.join(SELECT_FORMATS)}")
    if output_format == "table":
        return _table(result, width)
    if output_format == "tsv":
        return _tsv(result)
    if output_format == "csv":
        return _csv(result)
    rdflib_result = Result("SELECT")
    rdflib_result.vars = [Variable(c) for c in result.columns]
    rdflib_result.bindings = [
        {
            Variable(c): cast(Identifier, v)
            for c, v in zip(result.columns, row, strict=True)
            if v is not None
        }
        for row in result.rows
    ]
    serialised = rdflib_result.serialize(format=output_format, encoding="utf-8")
    text = serialised.decode("utf-8") if isinstance(serialised, bytes) else str(serialised)
    if output_format == "json":  # stable, readable JSON
        text = json.dumps(json.loads(text), ensure_ascii=False, indent=2)
    elif output_format == "xml":  # indented like the other formats
        text = _indented_xml(text)
    return text.rstrip("\n") + "\n"


def _indented_xml(text: str) -> str:
    """The XML results document indented by element; a literal's text is left as it is (a
    value's own spaces and line breaks are part of the value)."""
    from xml.dom import minidom

    document = minidom.parseString(text.encode("utf-8"))
    _drop_blank_text(document.documentElement)
    return document.toprettyxml(indent="  ", encoding="utf-8").decode("utf-8")


def _drop_blank_text(element: Any) -> None:
    """Remove whitespace-only text between elements (never inside a literal or IRI, whose only
    child is its text), so that re-indenting does not double it."""
    from xml.dom import Node as DomNode

    children = list(element.childNodes)
    if any(child.nodeType == DomNode.ELEMENT_NODE for child in children):
        for child in children:
            if child.nodeType == DomNode.TEXT_NODE and not child.data.strip():
                element.removeChild(child)
            elif child.nodeType == DomNode.ELEMENT_NODE:
                _drop_blank_text(child)


# The SPARQL 1.1 Protocol's media types (ikg serve's content negotiation).
SELECT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": "ttl",
    "application/n-triples": "nt",
    "application/ld+json": "jsonld",
}
MEDIA_TYPE = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "ttl": "text/turtle; charset=utf-8",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
}


def choose_format(kind: str, accept: str, requested: str | None) -> str:
    """The output format for a result: an explicit format= parameter, else the Accept header,
    else the protocol's default (JSON for tables and booleans, Turtle for graphs)."""
    graph = kind in {"CONSTRUCT", "DESCRIBE"}
    table = GRAPH_TYPES if graph else SELECT_TYPES
    if requested:
        short = {**table, **{v: v for v in table.values()}}.get(requested.strip().lower())
        if short is not None:
            return short
    for part in accept.split(","):
        media = part.split(";")[0].strip().lower()
        if media in table:
            return table[media]
    return "ttl" if graph else "json"


def protocol_answer(result: QueryResult, requested: str | None, accept: str) -> tuple[str, bytes]:
    """A result as the SPARQL 1.1 Protocol answers it: (media type, body)."""
    output = choose_format(result.kind, accept, requested)
    if result.kind == "ASK":
        if output == "xml":
            value = "true" if result.boolean else "false"
            body = (
                '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head/><boolean>{value}</boolean></sparql>\n"
            )
            return MEDIA_TYPE["xml"], body.encode()
        return MEDIA_TYPE["json"], json.dumps(
            {"head": {}, "boolean": bool(result.boolean)}
        ).encode()
    return MEDIA_TYPE[output], render(result, output).encode("utf-8")


def _flat(graph: Graph, output_format: str) -> str:
    """A graph written by Oxigraph's serialisers, which never nest: rdflib's Turtle and JSON-LD
    writers nest blank nodes by recursion and fail on a chain thousands deep."""
    import pyoxigraph

    from initiative_kg.namespaces import PREFIXES
    from initiative_kg.terms import to_oxigraph

    formats = {
        "ttl": pyoxigraph.RdfFormat.TURTLE,
        "nt": pyoxigraph.RdfFormat.N_TRIPLES,
        "jsonld": pyoxigraph.RdfFormat.JSON_LD,
    }
    triples = [
        pyoxigraph.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))  # type: ignore[arg-type]
        for s, p, o in graph
    ]
    prefixes = dict(PREFIXES) if output_format == "ttl" else None
    written = pyoxigraph.serialize(triples, format=formats[output_format], prefixes=prefixes)
    return written.decode("utf-8") if isinstance(written, bytes) else str(written)


def _csv(result: QueryResult) -> str:
    """SPARQL 1.1 CSV: IRIs and literals as plain strings, blank nodes as _:label."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(result.columns)
    for row in result.rows:
        writer.writerow(
            ["" if v is None else (v.n3() if isinstance(v, BNode) else str(v)) for v in row]
        )
    return buffer.getvalue()


def _tsv(result: QueryResult) -> str:
    """SPARQL 1.1 TSV: a header of ?variables, then terms in Turtle syntax."""
    lines = ["\t".join(f"?{c}" for c in result.columns)]
    lines += ["\t".join("" if v is None else v.n3() for v in row) for row in result.rows]
    return "\n".join(lines) + "\n"


def _table(result: QueryResult, width: int | None) -> str:
    cells = [[_cell(v) for v in row] for row in result.rows]
    lines = plain_table(result.columns, cells, width=width)
    lines.append(f"({len(result.rows)} row{'s' if len(result.rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


# The narrowest a column is cut to when a table must fit a terminal.
_NARROWEST = 6


def plain_table(
    columns: Sequence[str], cells: Sequence[Sequence[str]], *, width: int | None = None
) -> list[str]:
    """A table for reading: a header, a rule, a line per row, columns two spaces apart. With a
    ``width``, the widest columns are narrowed until the lines fit it, and a cell that no
    longer fits is cut with "…" (a row stays one line, so it can still be searched)."""
    natural = [len(c) for c in columns]
    for row in cells:
        natural = [max(w, len(c)) for w, c in zip(natural, row, strict=True)]
    widths = natural if width is None else _fitted(natural, width - 2 * (len(columns) - 1))

    def line(values: Sequence[str]) -> str:
        return "  ".join(_cut(v, w).ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    return [line(columns), "  ".join("-" * w for w in widths), *(line(row) for row in cells)]


def _fitted(widths: list[int], budget: int) -> list[int]:
    """Column widths that add up to at most ``budget``: every column narrower than a common
    cap keeps its width, the wider ones are cut to the cap (never below a few characters)."""
    if sum(widths) <= budget:
        return widths
    remaining, left = budget, len(widths)
    cap = max(widths)
    for natural in sorted(widths):
        share = remaining // left
        if natural > share:
            cap = share
            break
        remaining -= natural
        left -= 1
    cap = max(cap, _NARROWEST)
    return [min(w, cap) for w in widths]


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _cell(value: Node | None) -> str:
    if value is None:
        return ""
    if isinstance(value, URIRef):
        return shorten(str(value))
    return " ".join(str(value).split())


def results_equal(a: QueryResult, b: QueryResult, *, ordered: bool) -> bool:
    """Same rows (as a multiset unless ``ordered``), same columns, blank nodes ignored; for
    CONSTRUCT and DESCRIBE, isomorphic graphs. Terms compare as RDF terms, except that a number
    an engine computed (a SUM, an AVG) compares by datatype and value: engines write computed
    numbers in forms of their own (54900000 and 54900000.0 are one xsd:decimal), while the
    data's own literals come back as written."""
    if a.kind != b.kind or a.columns != b.columns or a.boolean != b.boolean:
        return False
    if a.graph is not None or b.graph is not None:
        from rdflib.compare import isomorphic

        return a.graph is not None and b.graph is not None and isomorphic(a.graph, b.graph)

    def key(rows: Sequence[tuple[Node | None, ...]]) -> list[tuple[str, ...]]:
        keyed = [tuple(_comparable(v) for v in row) for row in rows]
        return keyed if ordered else sorted(keyed)

    return key(a.rows) == key(b.rows)


_NUMERIC_TYPES = frozenset({XSD.integer, XSD.decimal, XSD.double, XSD.float})


def _comparable(term: Node | None) -> str:
    if isinstance(term, BNode):
        return "_:"
    if isinstance(term, Literal) and term.datatype in _NUMERIC_TYPES and not term.ill_typed:
        value = term.toPython()
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            return f"{term.datatype}:{Decimal(value).normalize()!r}"
    return repr(term)
