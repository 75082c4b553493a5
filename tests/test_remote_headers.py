"""A server that names every graph of the dataset in a header of its reply (Virtuoso sends one
X-SPARQL-default-graph and one X-SPARQL-named-graph header per graph) is still read: Python's
HTTP client refuses more than 100 headers unless told otherwise."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from initiative_kg.endpoint import SparqlClient

GRAPHS = 300


class _ManyHeaders(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = json.dumps(
            {
                "head": {"vars": ["n"]},
                "results": {"bindings": [{"n": {"type": "literal", "value": "ok"}}]},
            }
        ).encode()
        self.send_response(200)
        for index in range(GRAPHS):
            self.send_header("X-SPARQL-default-graph", f"urn:graph:{index}")
            self.send_header("X-SPARQL-named-graph", f"urn:graph:{index}")
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _ManyHeaders)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/sparql"
    httpd.shutdown()
    httpd.server_close()


def test_a_reply_with_a_header_per_graph_is_read(server: str) -> None:
    graphs = [f"urn:graph:{index}" for index in range(GRAPHS)]
    client = SparqlClient(server, retry_delays=())
    answer = client.select("SELECT ?n WHERE { }", default_graphs=graphs, named_graphs=graphs)
    assert answer["results"]["bindings"] == [{"n": {"type": "literal", "value": "ok"}}]
