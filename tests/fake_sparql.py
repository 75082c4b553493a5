"""A small SPARQL server on 127.0.0.1 that answers as Fuseki, GraphDB or an Oxigraph server do:
their endpoint paths, HTTP Basic authentication with a challenge (Fuseki and GraphDB), the
SPARQL 1.1 Protocol's status codes, and errors on demand (5xx answers, dropped connections,
4xx with a message). Queries and updates run on a real in-memory Oxigraph store, so what a push
leaves behind can be checked. Every request is recorded."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyoxigraph


@dataclass(frozen=True)
class Flavour:
    name: str
    query_path: str
    update_path: str
    user: str | None = None  # Basic authentication on updates when set
    password: str | None = None


FLAVOURS = {
    "fuseki": Flavour("fuseki", "/kg/query", "/kg/update", "admin", "fuseki-secret"),
    "graphdb": Flavour(
        "graphdb", "/repositories/kg", "/repositories/kg/statements", "writer", "graphdb-secret"
    ),
    "oxigraph": Flavour("oxigraph", "/query", "/update"),
}


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    kind: str  # "query" or "update"
    text: str
    authorization: str | None


@dataclass
class FakeServer:
    flavour: Flavour
    base: str
    store: pyoxigraph.Store = field(default_factory=pyoxigraph.Store)
    seen: list[Seen] = field(default_factory=list)
    # Faults to answer with, in order, before answering normally: an HTTP status (with a body),
    # or "drop" to close the connection without an answer.
    faults: list[tuple[int | str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def query_endpoint(self) -> str:
        return self.base + self.flavour.query_path

    @property
    def update_endpoint(self) -> str:
        return self.base + self.flavour.update_path

    def graphs(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for quad in self.store:
            name = getattr(quad.graph_name, "value", "")
            counts[name] = counts.get(name, 0) + 1
        return counts


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(
        self, status: int, body: bytes, media: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _handle(self) -> None:
        fake = self.server.fake
        parts = urlsplit(self.path)
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length).decode("utf-8") if length else ""
        media = self.headers.get("content-type", "").split(";")[0].strip()
        params = parse_qs(parts.query)
        if media == "application/x-www-form-urlencoded":
            params.update(parse_qs(body))
        if "update" in params:
            kind, text = "update", params["update"][0]
        elif media == "application/sparql-update":
            kind, text = "update", body
        elif media == "application/sparql-query":
            kind, text = "query", body
        else:
            kind, text = "query", params.get("query", [""])[0]
        authorization = self.headers.get("authorization")
        with fake.lock:
            fake.seen.append(Seen(self.command, parts.path, kind, text, authorization))
            fault = fake.faults.pop(0) if fake.faults else None
        if fault is not None:
            status, message = fault
            if status == "drop":
                self.close_connection = True
                self.connection.shutdown(2)
                return
            self._send(int(status), message.encode(), "text/plain")
            return
        flavour = fake.flavour
        expected = flavour.update_path if kind == "update" else flavour.query_path
        if parts.path != expected:
            self._send(404, f"no {kind} service at {parts.path}".encode(), "text/plain")
            return
        if kind == "update" and flavour.user is not None:
            wanted = (
                "Basic " + base64.b64encode(f"{flavour.user}:{flavour.password}".encode()).decode()
            )
            if authorization != wanted:
                self._send(
                    401, b"Unauthorized", "text/plain", {"WWW-Authenticate": 'Basic realm="kg"'}
                )
                return
        try:
            if kind == "update":
                fake.store.update(text)
                self._send(204 if flavour.name == "oxigraph" else 200, b"", "text/plain")
                return
            graphs = params.get("default-graph-uri", [])
            options: dict[str, Any] = (
                {"default_graph": [pyoxigraph.NamedNode(g) for g in graphs]}
                if graphs
                else {"use_default_graph_as_union": True}
            )
            answer = fake.store.query(text, **options)
        except SyntaxError as error:
            self._send(400, f"Parse error: {error}".encode(), "text/plain")
            return
        if isinstance(answer, pyoxigraph.QueryBoolean):
            self._send(
                200,
                json.dumps({"head": {}, "boolean": bool(answer)}).encode(),
                "application/sparql-results+json",
            )
            return
        if isinstance(answer, pyoxigraph.QuerySolutions):
            data = answer.serialize(format=pyoxigraph.QueryResultsFormat.JSON)
            self._send(200, data or b"", "application/sparql-results+json")
            return
        data = pyoxigraph.serialize(answer, format=pyoxigraph.RdfFormat.TURTLE)
        self._send(200, data or b"", "text/turtle")

    do_GET = do_POST = _handle


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeServer


@contextmanager
def running(flavour: str) -> Iterator[FakeServer]:
    """A fresh server of the flavour, for the time of the block."""
    server = _Server(("127.0.0.1", 0), _Handler)
    fake = FakeServer(FLAVOURS[flavour], f"http://127.0.0.1:{server.server_address[1]}")
    server.fake = fake
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
