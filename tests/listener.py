"""A listener on 127.0.0.1 that records every connection and request made to it: the proof that
nothing leaves the machine (it must record none) and that the options which allow a request do
send it (it records one).

It answers like a small web server: a JSON-LD context for ``*.jsonld``, a SPARQL JSON result for
``/sparql``, Turtle with one telling triple for anything else, so that a fetch that should not
have happened also shows in a result."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

FETCHED_TRIPLE = '<http://example.org/fetched> <http://example.org/from> "the network" .\n'
CONTEXT = '{"@context": {"name": "https://schema.org/name"}}'
SPARQL_ANSWER = (
    '{"head": {"vars": ["s"]}, "results": {"bindings": '
    '[{"s": {"type": "uri", "value": "http://example.org/fetched"}}]}}'
)


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class RecordingListener:
    url: str
    requests: list[Request] = field(default_factory=list)
    connections: list[Any] = field(default_factory=list)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    record: RecordingListener

    def verify_request(self, request: Any, client_address: Any) -> bool:
        self.record.connections.append(client_address)
        return True


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.record.requests.append(
            Request(self.command, self.path, dict(self.headers.items()), body)
        )
        path = self.path.split("?")[0]
        if path.endswith(".jsonld"):
            payload, media = CONTEXT, "application/ld+json"
        elif path.endswith("/sparql"):
            payload, media = SPARQL_ANSWER, "application/sparql-results+json"
        else:
            payload, media = FETCHED_TRIPLE, "text/turtle"
        data = payload.encode()
        self.send_response(200)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_HEAD = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def recording_listener() -> Iterator[RecordingListener]:
    server = _Server(("127.0.0.1", 0), _Handler)
    record = RecordingListener(f"http://127.0.0.1:{server.server_address[1]}")
    server.record = record
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield record
    finally:
        server.shutdown()
        server.server_close()
