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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol, cast

from rdflib import BNode, Dataset, Graph, Literal, URIRef, Variable
from rdflib.namespace import XSD
from rdflib.query import Result
from rdflib.term import Identifier, Node

from initiative_kg.errors import QueryError
from initiative_kg.namespaces import bind_prefixes, shorten
from initiative_kg.serialise import graph_json_ld, turtle
from initiative_kg.terms import memoised_to_rdflib, to_rdflib

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
    """Runs SPARQL query text (already bound and checked) against a graph."""

    name: str

    def execute(self, text: str, *, stated: bool = False) -> QueryResult: ...


def check_query(text: str, *, allow_service: bool = False) -> None:
    """Refuse what is not a well-formed read-only query, with line and column; refuse SERVICE
    (an outbound request) unless allowed."""
    _checked(text, allow_service)


@lru_cache(maxsize=1024)
def _checked(text: str, allow_service: bool) -> bool:
    """check_query's work, remembered per text (rdflib's parser takes a fifth of a second per
    query, and the site and the tests ask the same queries many times). A refusal raises, so
    only texts that passed are remembered."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        tree = parseQuery(text)
    except ParseException as error:
        raise QueryError(
            f"SPARQL syntax error at line {error.lineno}, column {error.col}: {error.msg}"
        ) from error
    except Exception as error:  # rdflib raises plain exceptions for some malformed input
        raise QueryError(f"SPARQL syntax error: {error}") from error
    if not allow_service and _contains(tree, "ServiceGraphPattern"):
        raise QueryError(
            "the query uses SERVICE, which would send a request to another server; "
            "the embedded engines refuse it unless --allow-service is given"
        )
    return True


def _contains(tree: object, name: str) -> bool:
    """Whether rdflib's parse tree holds a node of the given name (e.g. ServiceGraphPattern)."""
    from pyparsing import ParseResults

    stack = [tree]
    while stack:
        node = stack.pop()
        if getattr(node, "name", None) == name:
            return True
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list | tuple | ParseResults):
            stack.extend(list(node))
    return False


# ---------------------------------------------------------------------- rdflib


class RdflibEngine:
    """rdflib's own SPARQL engine over the loaded dataset."""

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

    def execute(self, text: str, *, stated: bool = False) -> QueryResult:
        try:
            result = self._dataset(stated).query(text)
        except Exception as error:
            raise QueryError(f"the query failed on rdflib: {error}") from error
        return _from_rdflib(result)


def _from_rdflib(result: Result) -> QueryResult:
    if result.type == "ASK":
        return QueryResult("ASK", boolean=bool(result.askAnswer))
    if result.type in {"CONSTRUCT", "DESCRIBE"}:
        graph = Graph()
        bind_prefixes(graph.namespace_manager)
        for triple in result:
            graph.add(triple)  # type: ignore[arg-type]
        return QueryResult(result.type, graph=graph)
    columns = tuple(str(v) for v in result.vars or [])
    rows = tuple(tuple(row.get(Variable(c)) for c in columns) for row in result.bindings)
    return QueryResult("SELECT", columns=columns, rows=rows)


# ---------------------------------------------------------------------- Oxigraph


class OxigraphEngine:
    """Oxigraph's native SPARQL engine over the loaded graph's own store."""

    name = "oxigraph"

    def __init__(self, kg: LoadedGraph) -> None:
        self._store = kg.store
        self._coded = {str(name) for name in kg.coded_graphs()}

    def execute(self, text: str, *, stated: bool = False) -> QueryResult:
        from pyoxigraph import QueryBoolean, QuerySolutions

        options: dict[str, Any]
        if stated:
            graphs = [g for g in self._store.named_graphs() if g.value not in self._coded]
            options = {"default_graph": graphs, "named_graphs": graphs}
        else:
            options = {"use_default_graph_as_union": True}
        try:
            answer = self._store.query(text, **options)
        except (SyntaxError, OSError, ValueError) as error:
            raise QueryError(f"the query failed on Oxigraph: {error}") from error
        if isinstance(answer, QueryBoolean):
            return QueryResult("ASK", boolean=bool(answer))
        if isinstance(answer, QuerySolutions):
            columns = tuple(variable.value for variable in answer.variables)
            convert = memoised_to_rdflib()
            indexes = range(len(columns))
            rows = tuple(tuple(convert(solution[i]) for i in indexes) for solution in answer)
            return QueryResult("SELECT", columns=columns, rows=rows)
        graph = Graph()
        bind_prefixes(graph.namespace_manager)
        for triple in answer:
            graph.add((_term(triple.subject), _term(triple.predicate), _term(triple.object)))
        kind = "DESCRIBE" if text.lstrip().upper().startswith("DESCRIBE") else "CONSTRUCT"
        return QueryResult(kind, graph=graph)


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
        if output_format == "ttl":
            return turtle(result.graph)
        if output_format == "jsonld":
            return graph_json_ld(result.graph)
        return result.graph.serialize(format="nt")
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
