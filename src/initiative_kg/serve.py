"""A local, read-only SPARQL 1.1 Protocol endpoint over the embedded graph, with a query page.

FastAPI and uvicorn do the HTTP; this module maps the protocol onto the embedded engines: GET
and POST queries, content negotiation for the W3C result formats, updates refused with 403.
What the endpoint guarantees:

- **Limits.** A query runs in a worker process (``query_pool``) and is stopped, process and
  all, when it runs past ``timeout`` seconds (503): it stops using the CPU, and the other
  workers keep answering, so a cheap query is answered while up to ``workers - 1`` expensive
  ones run. A result is built only up to ``max_rows`` + 1 rows (413 beyond that).
- **Nothing leaves the machine.** SERVICE is refused (400); ``FROM``/``FROM NAMED`` name graphs
  of the loaded data and are never fetched, on both engines.
- **Host check.** Only requests whose ``Host`` is the address the server is bound to,
  ``localhost``, or a name given with ``allowed_hosts`` are answered (400 otherwise), so a web
  page cannot reach the endpoint through DNS rebinding.
- **Input.** A query that is not UTF-8 (body or URL) is refused with 400, not read with
  replacement characters; a query longer than 1 MB is refused with 413.

The query page is YASGUI, served from the package (vendored from the npm registry), so it works
without a network. rdflib-endpoint was the first choice; it loads YASGUI from a CDN and has
neither a time limit nor a size limit, and it runs only rdflib's engine.
"""

from __future__ import annotations

import html
import ipaddress
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from importlib.resources import files
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from initiative_kg.engines import GRAPH_TYPES, MEDIA_TYPE, SELECT_TYPES, choose_format
from initiative_kg.errors import InitiativeKGError, QueryError
from initiative_kg.queries import catalogue
from initiative_kg.query_pool import DEFAULT_WORKERS, QueryPool, QueryTimedOut
from initiative_kg.sparql_text import check_read_only

if TYPE_CHECKING:
    from initiative_kg.store import KnowledgeGraph

logger = logging.getLogger(__name__)

__all__ = ["GRAPH_TYPES", "MEDIA_TYPE", "SELECT_TYPES", "choose_format", "create_app", "serve"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
MAX_QUERY_BYTES = 1_000_000


class RefusedQuery(InitiativeKGError):
    """A request the endpoint will not answer, with the HTTP status to say so."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def allowed_host_names(bound_to: str, extra: Iterable[str] = ()) -> Callable[[str], bool]:
    """Which Host header values the endpoint answers: the address it is bound to, localhost,
    and the names given; bound to all interfaces (0.0.0.0, ::), any IP address too. A name that
    resolves to this machine through someone else's DNS (rebinding) is not among them."""
    names = {name.strip().lower().rstrip(".") for name in extra if name.strip()}
    names |= {"localhost", _host_only(bound_to)}
    every_address = bound_to in {"0.0.0.0", "::", ""}
    loopback = _is_loopback(bound_to)

    def allowed(header: str) -> bool:
        host = _host_only(header)
        if host in names:
            return True
        if _is_ip(host):
            return every_address or (loopback and _is_loopback(host))
        return False

    return allowed


def _host_only(value: str) -> str:
    """The host of a Host header or address, without the port, lower-case; [::1] -> ::1."""
    text = value.strip().lower()
    if text.startswith("["):
        return text[1 : text.find("]")] if "]" in text else text
    if text.count(":") == 1:
        text = text.split(":")[0]
    return text.rstrip(".")


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _is_loopback(text: str) -> bool:
    try:
        return ipaddress.ip_address(_host_only(text)).is_loopback
    except ValueError:
        return False


def create_app(
    kg: KnowledgeGraph,
    *,
    engine: str = "oxigraph",
    timeout: float = 30.0,
    max_rows: int = 10_000,
    workers: int = DEFAULT_WORKERS,
    host: str = DEFAULT_HOST,
    allowed_hosts: Iterable[str] = (),
) -> FastAPI:
    """The endpoint as an ASGI application (``ikg serve`` runs it with uvicorn). Its worker
    processes start with the application and end with it."""
    pool = QueryPool(kg, engine=engine, workers=workers, max_rows=max_rows)
    host_allowed = allowed_host_names(host, allowed_hosts)
    static = files("initiative_kg") / "_static" / "yasgui"
    page = _page(kg)

    @asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[None]:
        await pool.start()
        application.state.pool = pool
        try:
            yield
        finally:
            pool.close()

    app = FastAPI(
        title="initiative-kg SPARQL endpoint", docs_url=None, redoc_url=None, lifespan=lifespan
    )

    @app.middleware("http")
    async def check_host(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if not host_allowed(request.headers.get("host", "")):
            return PlainTextResponse(
                "the Host header names no address this server answers for; "
                "start it with --allowed-host NAME to add one\n",
                status_code=400,
            )
        return await call_next(request)

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
        if len(text.encode("utf-8")) > MAX_QUERY_BYTES:
            raise RefusedQuery(413, f"the query is longer than {MAX_QUERY_BYTES} bytes")
        try:
            check_read_only(text)
        except QueryError as error:
            status = 403 if "SPARQL Update" in str(error) else 400
            raise RefusedQuery(status, str(error)) from error
        accept = request.headers.get("accept", "")
        try:
            reply = await pool.run(text, _first(params, "format"), accept, timeout)
        except QueryTimedOut as error:
            raise RefusedQuery(
                503, f"the query ran longer than the time limit of {timeout:g} s and was stopped"
            ) from error
        return Response(reply.body, status_code=reply.status, media_type=reply.media_type)

    @app.exception_handler(RefusedQuery)
    async def refused(request: Request, error: RefusedQuery) -> Response:
        return PlainTextResponse(str(error) + "\n", status_code=error.status)

    @app.exception_handler(InitiativeKGError)
    async def bad_query(request: Request, error: InitiativeKGError) -> Response:
        return PlainTextResponse(str(error) + "\n", status_code=400)

    @app.get("/sparql")
    async def sparql_get(request: Request) -> Response:
        return await answer(request, _parameters(request.url.query), None)

    @app.post("/sparql")
    async def sparql_post(request: Request) -> Response:
        content_type = request.headers.get("content-type", "")
        media = content_type.split(";")[0].strip().lower()
        charset = _charset(content_type)
        if charset not in {None, "utf-8", "utf8"}:
            raise RefusedQuery(415, f"the query must be sent as UTF-8, not {charset}")
        raw = await request.body()
        if len(raw) > MAX_QUERY_BYTES:
            raise RefusedQuery(413, f"the request is longer than {MAX_QUERY_BYTES} bytes")
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise RefusedQuery(
                400, f"the request body is not UTF-8 (byte {error.start}): send UTF-8"
            ) from error
        params = _parameters(request.url.query)
        if media == "application/sparql-update":
            raise RefusedQuery(403, "this endpoint is read-only: SPARQL Update is refused")
        if media == "application/sparql-query":
            return await answer(request, params, body)
        params.update(_parameters(body))
        return await answer(request, params, None)

    @app.get("/", response_class=HTMLResponse)
    async def query_page() -> str:
        return page

    @app.get("/static/{name}")
    async def asset(name: str) -> Response:
        if name not in {"yasgui.min.js", "yasgui.min.css"}:
            raise RefusedQuery(404, "no such file")
        media = "text/javascript" if name.endswith(".js") else "text/css"
        return Response((static / name).read_bytes(), media_type=media)

    return app


def _parameters(encoded: str) -> dict[str, list[str]]:
    """Form or URL parameters; a percent-escape that is not UTF-8 is refused, not replaced."""
    try:
        return parse_qs(encoded, errors="strict")
    except UnicodeDecodeError as error:
        raise RefusedQuery(400, "a parameter is not UTF-8 once decoded: send UTF-8") from error


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None


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


def serve(app: Any, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    import uvicorn

    uvicorn.run(app, host=host, port=port, log_level="warning")
