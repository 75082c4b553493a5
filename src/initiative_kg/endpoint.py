"""A SPARQL server as a second home for the graph: remote queries through SPARQLWrapper and
``push``, which loads the graph into a server without ever leaving it half replaced.

Only the W3C SPARQL 1.1 Protocol and Update are used, so Virtuoso, Fuseki, GraphDB and
Oxigraph servers all work. Push uploads every named graph into a staging graph of its own, in
batches that keep each blank node with the resource that holds it, checks the triple counts on
the server, and only then moves all staging graphs onto their targets in one update request.
"""

from __future__ import annotations

import http.client
import logging
import netrc
import os
import re
import time
import urllib.error
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from initiative_kg.engines import QueryResult, ResultTooLarge
from initiative_kg.errors import EndpointError
from initiative_kg.namespaces import ID, IKG, bind_prefixes
from initiative_kg.sparql_text import QueryText
from initiative_kg.terms import normalise

if TYPE_CHECKING:
    from SPARQLWrapper import SPARQLWrapper

    from initiative_kg.store import KnowledgeGraph

logger = logging.getLogger(__name__)

PASSWORD_VARIABLE = "IKG_PASSWORD"
STAGING_PREFIX = f"{ID}graph/staging/"
DEFAULT_TIMEOUT = 60.0
RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0)
# Connection problems and timeouts are worth a retry; HTTP 5xx too (EndPointInternalError).
RETRYABLE: tuple[type[BaseException], ...] = (urllib.error.URLError, ConnectionError, TimeoutError)
Triple = tuple[Node, Node, Node]
ProgressCallback = Callable[[int, int], None]

# The graphs of the knowledge graph describe themselves; a server may hold other graphs.
_OWN_GRAPHS = f"""
SELECT DISTINCT ?graph ?kind WHERE {{
  GRAPH ?graph {{ ?graph a ?kind }}
  FILTER (?kind IN (<{IKG}DataGraph>, <{IKG}StatedGraph>, <{IKG}CodedGraph>,
                    <{IKG}ReferenceGraph>, <http://www.w3.org/2002/07/owl#Ontology>,
                    <http://www.w3.org/2004/02/skos/core#ConceptScheme>))
}}
"""


@dataclass(frozen=True)
class Credentials:
    """Who pushes. The password is never printed, logged or put in an error message."""

    user: str
    password: str = ""
    auth: str = "digest"

    def __repr__(self) -> str:
        return f"Credentials(user={self.user!r}, password=<hidden>, auth={self.auth!r})"

    @classmethod
    def lookup(cls, user: str | None, endpoint: str, auth: str = "digest") -> Credentials | None:
        """The password from $IKG_PASSWORD, else from ~/.netrc for the endpoint's host."""
        host = urlparse(endpoint).hostname or ""
        password = os.environ.get(PASSWORD_VARIABLE)
        netrc_user = None
        if password is None:
            try:
                entry = netrc.netrc().authenticators(host)
            except (FileNotFoundError, netrc.NetrcParseError):
                entry = None
            if entry is not None:
                netrc_user, _, password = entry
        if user is None and netrc_user is None:
            return None
        if password is None:
            raise EndpointError(
                f"no password for {user}: set ${PASSWORD_VARIABLE} or add {host} to ~/.netrc"
            )
        return cls(user or netrc_user or "", password, auth)


_MAX_REPLY_HEADERS = 100_000


class SparqlClient:
    """One endpoint (and its update endpoint), with timeouts and retries."""

    def __init__(
        self,
        endpoint: str,
        *,
        update_endpoint: str | None = None,
        credentials: Credentials | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retry_delays: Sequence[float] = RETRY_DELAYS,
    ) -> None:
        self.endpoint = endpoint
        self.update_endpoint = update_endpoint or endpoint
        self.credentials = credentials
        self.timeout = timeout
        self.retry_delays = tuple(retry_delays)
        # Virtuoso answers with one X-SPARQL-default-graph (and -named-graph) header per graph
        # of the dataset a query names; Python's HTTP client refuses a reply of more than 100
        # headers, which a knowledge graph of 50 files already reaches.
        http.client._MAXHEADERS = max(http.client._MAXHEADERS, _MAX_REPLY_HEADERS)  # type: ignore[attr-defined]

    def _wrapper(self, url: str, text: str, *, authenticated: bool) -> SPARQLWrapper:
        from SPARQLWrapper import BASIC, DIGEST, POST, SPARQLWrapper

        wrapper = SPARQLWrapper(url, agent="initiative-kg (SPARQLWrapper)")
        wrapper.setTimeout(int(max(1, self.timeout)))
        wrapper.setMethod(POST)
        wrapper.setQuery(text)
        if authenticated and self.credentials is not None:
            wrapper.setHTTPAuth(BASIC if self.credentials.auth == "basic" else DIGEST)
            wrapper.setCredentials(self.credentials.user, self.credentials.password)
        return wrapper

    def _run(self, what: str, attempt: Callable[[], Any]) -> Any:
        from SPARQLWrapper.SPARQLExceptions import EndPointInternalError, SPARQLWrapperException

        retryable: tuple[type[BaseException], ...] = (*RETRYABLE, EndPointInternalError)
        for delay in (*self.retry_delays, None):
            try:
                return attempt()
            except retryable as error:
                if isinstance(error, urllib.error.HTTPError) and error.code < 500:
                    raise _http_error(what, error) from None
                if delay is None:
                    raise EndpointError(f"{what} failed: {_describe(error)}") from None
                logger.warning("%s failed (%s); retrying in %.1f s", what, _describe(error), delay)
                time.sleep(delay)
            except SPARQLWrapperException as error:
                raise _refusal(what, error) from None
        raise AssertionError("unreachable")

    def _ask(
        self,
        text: str,
        *,
        query_type: str,
        return_format: str,
        default_graphs: Iterable[str],
        named_graphs: Iterable[str] = (),
    ) -> Any:
        """Send a read query to the query endpoint, with retries."""

        def attempt() -> Any:
            wrapper = self._wrapper(self.endpoint, text, authenticated=False)
            # SPARQLWrapper guesses the kind from keywords anywhere in the text, so a comment
            # saying "added" would make it send the query as an update: say it outright.
            wrapper.queryType = query_type
            wrapper.setReturnFormat(return_format)
            for graph in default_graphs:
                wrapper.addDefaultGraph(graph)
            for graph in named_graphs:
                wrapper.addNamedGraph(graph)
            return wrapper.query().convert()

        return self._run(f"the query on {self.endpoint}", attempt)

    def select(
        self, text: str, *, default_graphs: Iterable[str] = (), named_graphs: Iterable[str] = ()
    ) -> dict[str, Any]:
        from SPARQLWrapper import JSON, SELECT

        answer = self._ask(
            text,
            query_type=SELECT,
            return_format=JSON,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
        )
        if not isinstance(answer, dict):
            raise EndpointError(f"{self.endpoint} did not answer with SPARQL JSON results")
        return answer

    def construct(self, text: str, *, default_graphs: Iterable[str] = ()) -> Graph:
        from SPARQLWrapper import CONSTRUCT, TURTLE

        answer = self._ask(
            text, query_type=CONSTRUCT, return_format=TURTLE, default_graphs=default_graphs
        )
        graph = Graph()
        bind_prefixes(graph.namespace_manager)
        if isinstance(answer, Graph):
            graph += answer
        else:
            graph.parse(data=answer, format="turtle")
        return graph

    def update(self, text: str, what: str) -> None:
        def attempt() -> Any:
            return self._wrapper(self.update_endpoint, text, authenticated=True).query()

        self._run(what, attempt)

    def count(self, graph: str) -> int:
        answer = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        rows = answer["results"]["bindings"]
        return int(rows[0]["n"]["value"]) if rows else 0


def _describe(error: BaseException) -> str:
    status = _SPARQLWRAPPER_STATUS.get(type(error).__name__)
    if status is not None:
        return f"HTTP {status}: {_body(error) or type(error).__name__}"
    reason = getattr(error, "reason", None)
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code}: {reason}"
    return str(reason or error) or type(error).__name__


# SPARQLWrapper turns these HTTP statuses into exceptions of its own, with the body kept.
_SPARQLWRAPPER_STATUS = {
    "QueryBadFormed": 400,
    "Unauthorized": 401,
    "EndPointNotFound": 404,
    "URITooLong": 414,
    "EndPointInternalError": 500,
}


def _body(error: BaseException) -> str:
    """The server's own message that SPARQLWrapper put into its exception's text (as the
    repr of the body's bytes)."""
    import ast

    _, found, written = str(error).partition("\n\nResponse:\n")
    if not found:
        return ""
    try:
        response = ast.literal_eval(written.strip())
    except (ValueError, SyntaxError):
        response = written
    if isinstance(response, bytes):
        response = response.decode("utf-8", "replace")
    return " ".join(str(response).split())[:500]


def _refusal(what: str, error: BaseException) -> EndpointError:
    """A 4xx answer as SPARQLWrapper reports it: the status and the server's own message."""
    status = _SPARQLWRAPPER_STATUS.get(type(error).__name__)
    if status == 401:
        return EndpointError(
            f"{what} was refused: the server did not accept the user or password (HTTP 401)"
        )
    message = _body(error) or type(error).__name__
    if status is None:
        return EndpointError(f"{what} was refused: {' '.join(str(error).split())[:800]}")
    return EndpointError(f"{what} was refused (HTTP {status}): {message}")


def _http_error(what: str, error: urllib.error.HTTPError) -> EndpointError:
    if error.code == 401:
        return EndpointError(
            f"{what} was refused: the server did not accept the user or password (HTTP 401)"
        )
    body = ""
    try:
        body = error.read().decode("utf-8", "replace").strip()
    except Exception:  # the body is a courtesy
        body = ""
    return EndpointError(f"{what} was refused (HTTP {error.code}): {body[:500] or error.reason}")


# ---------------------------------------------------------------------- remote queries


def term_from_json(binding: dict[str, str]) -> Node:
    """A term of the W3C SPARQL JSON results (and Virtuoso's SPARQL 1.0 'typed-literal')."""
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    language = binding.get("xml:lang")
    if language:
        return Literal(value, lang=language)
    datatype = binding.get("datatype")
    if datatype is None or datatype == str(XSD.string):
        return Literal(value)
    return Literal(value, datatype=URIRef(datatype))


class RemoteEngine:
    """Runs queries on a SPARQL endpoint; same protocol as the embedded engines."""

    name = "endpoint"

    def __init__(self, client: SparqlClient) -> None:
        self.client = client
        self._graphs: dict[str, str] | None = None

    @classmethod
    def at(cls, endpoint: str, *, timeout: float = 60.0) -> RemoteEngine:
        """The SPARQL endpoint at this address (one that holds the graph, after ikg push)."""
        return cls(SparqlClient(endpoint, timeout=timeout))

    def query(
        self,
        query: str,
        params: Mapping[str, str | int | float | bool] | None = None,
        *,
        stated: bool = False,
    ) -> QueryResult:
        """A catalogue query by id (or a .rq path) with its parameters bound safely, as
        ``KnowledgeGraph.query`` runs it on the embedded engines. SERVICE is the server's
        business, so it is not refused here.

            RemoteEngine.at("http://127.0.0.1:8890/sparql").query("sources", stated=True)
        """
        from initiative_kg.queries import prepare

        return self.execute(prepare(query, params, allow_service=True), stated=stated)

    def graphs(self) -> dict[str, str]:
        """The server's graphs that belong to the knowledge graph, with their kind."""
        if self._graphs is None:
            answer = self.client.select(_OWN_GRAPHS)
            self._graphs = {
                row["graph"]["value"]: row["kind"]["value"] for row in answer["results"]["bindings"]
            }
        return self._graphs

    def execute(
        self,
        text: str,
        *,
        stated: bool = False,
        max_rows: int | None = None,
        allow_service: bool = True,
    ) -> QueryResult:
        """Send the query with the knowledge graph's own graphs as its dataset, unless the
        query names its own (FROM / FROM NAMED), which the protocol's dataset would override.
        SERVICE is the server's business, so it is not refused here."""
        query = QueryText(text)
        if query.names_dataset and stated:
            raise EndpointError(
                "the query names its own graphs with FROM / FROM NAMED, so --stated cannot apply"
            )
        graphs = (
            []
            if query.names_dataset
            else [
                graph
                for graph, kind in sorted(self.graphs().items())
                if not (stated and kind == str(IKG.CodedGraph))
            ]
        )
        if stated and not graphs:
            raise EndpointError("--stated needs the graph's own named graphs on the server")
        kind = query.form or "SELECT"
        if kind in {"CONSTRUCT", "DESCRIBE"}:
            graph = self.client.construct(text, default_graphs=graphs)
            if max_rows is not None and len(graph) > max_rows:
                raise ResultTooLarge(max_rows)
            return QueryResult(kind, graph=graph)
        answer = self.client.select(text, default_graphs=graphs, named_graphs=graphs)
        if "boolean" in answer:
            return QueryResult("ASK", boolean=bool(answer["boolean"]))
        columns = tuple(answer["head"].get("vars", []))
        rows = [row for row in answer["results"]["bindings"]]
        if kind == "ASK" and columns == ("__ASK_RETVAL",):  # Virtuoso answers ASK as a table
            return QueryResult(
                "ASK", boolean=bool(rows and rows[0]["__ASK_RETVAL"]["value"] == "1")
            )
        if max_rows is not None and len(rows) > max_rows:
            raise ResultTooLarge(max_rows)
        return QueryResult(
            "SELECT",
            columns=columns,
            rows=tuple(
                tuple(normalise(term_from_json(row[c])) if c in row else None for c in columns)
                for row in rows
            ),
        )


# ---------------------------------------------------------------------- push


@dataclass(frozen=True)
class PushReport:
    graphs: int
    triples: int
    batches: int


def molecules(triples: Iterable[Triple]) -> list[list[Triple]]:
    """Group triples so that every blank node travels with the resource that holds it: a blank
    node's label only means something inside one request."""
    triples = list(triples)
    parent: dict[Node, Node] = {}
    for subject, _, obj in triples:
        if isinstance(obj, BNode) and obj not in parent and obj != subject:
            parent[obj] = subject

    def root(node: Node) -> Node:
        seen = set()
        while isinstance(node, BNode) and node in parent and node not in seen:
            seen.add(node)
            node = parent[node]
        return node

    groups: dict[Node, list[Triple]] = {}
    for triple in triples:
        groups.setdefault(root(triple[0]), []).append(triple)
    return list(groups.values())


def batches(groups: Iterable[list[Triple]], size: int) -> Iterator[list[Triple]]:
    batch: list[Triple] = []
    for group in groups:
        if batch and len(batch) + len(group) > size:
            yield batch
            batch = []
        batch.extend(group)
    if batch:
        yield batch


def _insert(graph: str, triples: Sequence[Triple]) -> str:
    # INSERT { } WHERE { } rather than INSERT DATA: Virtuoso refuses blank nodes in INSERT DATA
    # (SP031), while a template's blank nodes are fresh once per request, as the batch needs.
    lines = "\n".join(f"    {s.n3()} {p.n3()} {_sent(o).n3()} ." for s, p, o in triples)
    return f"INSERT {{ GRAPH <{graph}> {{\n{lines}\n}} }} WHERE {{ }}"


def _sent(term: Node) -> Node:
    """The object as sent to the server. A decimal with no decimal point ("9600000") is sent
    with one ("9600000.0", the same value): Virtuoso 7.2 stores the first form as an
    ``xsd:integer``, the second as the ``xsd:decimal`` it is. Results are put back in
    canonical form on the way in (:func:`normalise`)."""
    if (
        isinstance(term, Literal)
        and term.datatype == XSD.decimal
        and not term.ill_typed
        and "." not in str(term)
    ):
        return Literal(f"{str(term).strip()}.0", datatype=XSD.decimal)
    return term


# Virtuoso 7.2 compiles an update into SQL and refuses one that grows too long (SP031, "the
# length of generated SQL text has exceeded 10000 lines") or exhausts the compiler's memory
# (SP030); on this machine that happens between 1,000 and 1,500 triples per request.
_REQUEST_TOO_LARGE = ("SP031", "SP030")


def _upload(client: SparqlClient, graph: str, batch: list[Triple]) -> int:
    """Upload one batch; a server that finds the request too large gets it in halves (blank
    nodes kept with their resource). Returns the number of requests that it took."""
    try:
        client.update(_insert(graph, batch), f"uploading to {graph}")
        return 1
    except EndpointError as error:
        groups = molecules(batch)
        if not any(code in str(error) for code in _REQUEST_TOO_LARGE) or len(groups) < 2:
            raise
        half = max(1, len(batch) // 2)
        logger.info("the server found %d triples too many for one request; halving", len(batch))
        return sum(_upload(client, graph, part) for part in batches(groups, half))


def push(
    kg: KnowledgeGraph,
    client: SparqlClient,
    *,
    graph: str | None = None,
    batch_size: int = 1000,
    progress: ProgressCallback | None = None,
) -> PushReport:
    """Load the graph into the server: named graphs as they are (or everything into ``graph``),
    through staging graphs, replacing the targets only when every staging graph is complete.
    ``graph`` must be an absolute IRI; it is checked before anything is sent."""
    if graph is not None:
        graph = graph_name(graph)
        contents = {graph: list(kg.union())}
    else:
        contents = {str(name): list(kg.dataset.graph(name)) for name in kg.graph_names()}
    run = uuid.uuid4().hex[:12]
    staging = {target: f"{STAGING_PREFIX}{run}/{index}" for index, target in enumerate(contents)}
    _drop_stale_staging(client)
    planned = {
        target: list(batches(molecules(triples), batch_size))
        for target, triples in contents.items()
    }
    total = sum(len(triples) for triples in contents.values())
    done = 0
    count = sum(len(batch_list) for batch_list in planned.values())
    for target, batch_list in planned.items():
        for batch in batch_list:
            count += _upload(client, staging[target], batch) - 1
            done += len(batch)
            if progress is not None:
                progress(done, total)
    for target, triples in contents.items():
        found = client.count(staging[target])
        if found != len(triples):
            raise EndpointError(
                f"the server holds {found} triples in the staging graph for {target}, "
                f"not {len(triples)}; the target graph was left as it was"
            )
    swap = " ;\n".join(
        f"MOVE SILENT GRAPH <{staging[target]}> TO GRAPH <{target}>" for target in contents
    )
    client.update(swap, "replacing the target graphs")
    logger.info("pushed %d triples in %d graphs (%d batches)", total, len(contents), count)
    return PushReport(graphs=len(contents), triples=total, batches=count)


_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|^`\\]+$")


def graph_name(value: str) -> str:
    """A graph name given by the user, checked as an absolute IRI: anything else would be
    refused by the server only after the whole upload, or (with '>') would end the IRI early in
    the update and add an operation of its own."""
    if not _ABSOLUTE_IRI.match(value):
        raise EndpointError(
            f"--graph {value!r} is not an absolute IRI (such as https://example.org/graph/kg): "
            "it needs a scheme, and no spaces, quotes, angle brackets, braces, '|', '^', '`' "
            "or backslashes"
        )
    return value


def _drop_stale_staging(client: SparqlClient) -> None:
    """Staging graphs left by a push that failed half-way are dropped before a new push."""
    answer = client.select(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
        f'FILTER (STRSTARTS(STR(?g), "{STAGING_PREFIX}")) }}'
    )
    stale = [row["g"]["value"] for row in answer["results"]["bindings"]]
    if stale:
        logger.info("dropping %d staging graph(s) of an earlier, failed push", len(stale))
        client.update(
            " ;\n".join(f"DROP SILENT GRAPH <{name}>" for name in stale),
            "dropping old staging graphs",
        )
