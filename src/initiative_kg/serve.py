"""A local, read-only SPARQL 1.1 Protocol endpoint over the embedded graph, with a query page.

FastAPI and uvicorn do the HTTP; this module maps the protocol onto the embedded engines: GET
and POST queries, content negotiation for the W3C result formats, updates refused with 403, a
time limit per query and a limit on the rows of a result. The query page is YASGUI, served from
the package (vendored from the npm registry), so it works without a network.

rdflib-endpoint was the first choice; it loads YASGUI from a CDN and has neither a time limit
nor a size limit, and it runs only rdflib's engine, so the endpoint is this thin layer instead.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from importlib.resources import files
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from initiative_kg.engines import QueryResult, check_query, render
from initiative_kg.errors import InitiativeKGError
from initiative_kg.queries import catalogue

if TYPE_CHECKING:
    from initiative_kg.store import KnowledgeGraph

logger = logging.getLogger(__name__)

DEFAULT_PORT = 8000
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


class RefusedQuery(InitiativeKGError):
    """A request the endpoint will not answer, with the HTTP status to say so."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


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


def create_app(
    kg: KnowledgeGraph,
    *,
    engine: str = "oxigraph",
    timeout: float = 30.0,
    max_rows: int = 10_000,
) -> FastAPI:
    """The endpoint as an ASGI application (``ikg serve`` runs it with uvicorn)."""
    runner = kg.engine(engine)
    workers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="sparql")
    app = FastAPI(title="initiative-kg SPARQL endpoint", docs_url=None, redoc_url=None)
    static = files("initiative_kg") / "_static" / "yasgui"

    def run(text: str) -> QueryResult:
        check_query(text)
        return runner.execute(text)

    async def answer(
        request: Request, params: dict[str, list[str]], body_query: str | None
    ) -> Response:
        if "update" in params:
            raise RefusedQuery(403, "this endpoint is read-only: SPARQL Update is refused")
        text = body_query if body_query is not None else _first(params, "query")
        if not text:
            if "text/html" in request.headers.get("accept", ""):
                return RedirectResponse("/")
            raise RefusedQuery(400, "no query: send query=... (GET or POST)")
        loop = asyncio.get_running_loop()
        try:
            result = await asyncio.wait_for(loop.run_in_executor(workers, run, text), timeout)
        except TimeoutError as error:
            raise RefusedQuery(
                503, f"the query ran longer than the time limit of {timeout:g} s"
            ) from error
        if len(result.rows) > max_rows:
            raise RefusedQuery(
                413,
                f"the result has {len(result.rows)} rows, more than the limit of {max_rows}; "
                "add a LIMIT",
            )
        requested = _first(params, "format")
        output = choose_format(result.kind, request.headers.get("accept", ""), requested)
        if result.kind == "ASK":
            body = json.dumps({"head": {}, "boolean": bool(result.boolean)})
            if output == "xml":
                value = "true" if result.boolean else "false"
                body = (
                    '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                    f"<head/><boolean>{value}</boolean></sparql>\n"
                )
                return Response(body, media_type=MEDIA_TYPE["xml"])
            return Response(body, media_type=MEDIA_TYPE["json"])
        return Response(render(result, output), media_type=MEDIA_TYPE[output])

    @app.exception_handler(RefusedQuery)
    async def refused(request: Request, error: RefusedQuery) -> Response:
        return PlainTextResponse(str(error) + "\n", status_code=error.status)

    @app.exception_handler(InitiativeKGError)
    async def bad_query(request: Request, error: InitiativeKGError) -> Response:
        return PlainTextResponse(str(error) + "\n", status_code=400)

    @app.get("/sparql")
    async def sparql_get(request: Request) -> Response:
        return await answer(request, parse_qs(request.url.query), None)

    @app.post("/sparql")
    async def sparql_post(request: Request) -> Response:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        raw = (await request.body()).decode("utf-8", "replace")
        params = parse_qs(request.url.query)
        if content_type == "application/sparql-update":
            raise RefusedQuery(403, "this endpoint is read-only: SPARQL Update is refused")
        if content_type == "application/sparql-query":
            return await answer(request, params, raw)
        params.update(parse_qs(raw))
        return await answer(request, params, None)

    @app.get("/", response_class=HTMLResponse)
    async def query_page() -> str:
        return _page(kg)

    @app.get("/static/{name}")
    async def asset(name: str) -> Response:
        if name not in {"yasgui.min.js", "yasgui.min.css"}:
            raise RefusedQuery(404, "no such file")
        media = "text/javascript" if name.endswith(".js") else "text/css"
        return Response((static / name).read_bytes(), media_type=media)

    return app


def _first(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    return values[0] if values else None


def _page(kg: KnowledgeGraph) -> str:
    queries = catalogue()
    first = queries.get("funding-by-agreement") or next(iter(queries.values()))
    default = "\n".join(line for line in first.text.splitlines() if not line.startswith("#+"))
    title = "initiative-kg SPARQL endpoint"
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{html.escape(title)}</title>
<link rel="stylesheet" href="/static/yasgui.min.css">
<script src="/static/yasgui.min.js"></script>
<style>body {{ font-family: sans-serif; margin: 0 1em; }} h1 {{ font-size: 1.3em; }}</style>
</head>
<body>
<h1>{html.escape(title)}</h1>
<p>Read-only SPARQL 1.1 endpoint at <code>/sparql</code> over {kg.triple_count()} triples.
The query catalogue is in <code>ikg query --list</code>.</p>
<div id="yasgui"></div>
<script>
  const yasgui = new Yasgui(document.getElementById("yasgui"), {{
    requestConfig: {{ endpoint: "/sparql", method: "POST" }},
    copyEndpointOnNewTab: false,
    persistenceId: null,
  }});
  if (!yasgui.getTab().getQuery().includes("initiative-kg")) {{
    yasgui.getTab().setQuery({json.dumps(default)});
  }}
  window.yasgui = yasgui;
</script>
</body>
</html>
"""


def serve(app: Any, *, host: str = "127.0.0.1", port: int = DEFAULT_PORT) -> None:
    import uvicorn

    uvicorn.run(app, host=host, port=port, log_level="warning")
