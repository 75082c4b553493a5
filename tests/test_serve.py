"""ikg serve: a read-only SPARQL 1.1 Protocol endpoint over the embedded graph, with an offline
query page (YASGUI) tested in headless Chromium."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from rdflib import Graph
from SPARQLWrapper import JSON, SPARQLWrapper

from initiative_kg.endpoint import RemoteEngine, SparqlClient
from initiative_kg.engines import results_equal
from initiative_kg.queries import catalogue
from initiative_kg.store import KnowledgeGraph
from tests.conftest import BROWSER_GROUP
from tests.test_queries import EXAMPLE_PARAMS

if TYPE_CHECKING:
    from playwright.sync_api import Browser

# the browser test shares the session's browser; the module keeps to its worker
pytestmark = [pytest.mark.server, BROWSER_GROUP]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(*options: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", "from initiative_kg.cli import main; main()", "serve",
         "--port", str(port), *options],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"ikg serve exited: {process.stderr.read().decode() if process.stderr else ''}"
            )
        try:
            with urllib.request.urlopen(f"{url}/sparql?query=ASK%7B%7D", timeout=2):
                return process, url
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("ikg serve did not answer within 60 s")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    process, url = start_server()
    yield url
    stop_server(process)


def fetch(
    url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, str, str]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return (
                response.status,
                response.headers.get("content-type", ""),
                response.read().decode(),
            )
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("content-type", ""), error.read().decode()


@pytest.mark.parametrize("query_id", sorted(catalogue()))
def test_every_catalogue_query_answers_as_the_embedded_engine(
    served: str, shipped: KnowledgeGraph, query_id: str
) -> None:
    """The server (Oxigraph, through the protocol and the JSON results) against the other
    embedded engine, rdflib's, so that a fault the server shares with Oxigraph cannot hide."""
    text = catalogue()[query_id].bind(EXAMPLE_PARAMS.get(query_id, {}))
    remote = RemoteEngine(SparqlClient(f"{served}/sparql")).execute(text)
    local = shipped.engine("rdflib").execute(text)
    assert remote.kind == local.kind == "SELECT"
    assert len(local) > 0  # every example has an answer on the shipped graph
    assert results_equal(remote, local, ordered="ORDER BY" in text)


def test_sparqlwrapper_get_and_post(served: str) -> None:
    for method in ("GET", "POST"):
        wrapper = SPARQLWrapper(f"{served}/sparql")
        wrapper.setMethod(method)
        wrapper.setReturnFormat(JSON)
        wrapper.setQuery(
            "SELECT (COUNT(*) AS ?n) WHERE { ?r a <https://w3id.org/initiative-kg/ontology#Region> }"
        )
        answer = wrapper.query().convert()
        assert answer["results"]["bindings"][0]["n"]["value"] == "5"  # type: ignore[index, call-overload]


def test_content_negotiation(served: str) -> None:
    query = urllib.parse.quote(
        "SELECT ?code WHERE { ?r <https://w3id.org/initiative-kg/ontology#regionCode> ?code } ORDER BY ?code"
    )
    expected = {
        "text/csv": "code\r\n1081\r\n1082\r\n1083\r\n1084\r\n1085\r\n",
        "text/tab-separated-values": '?code\n"1081"\n"1082"\n"1083"\n"1084"\n"1085"\n',
    }
    for accept, body in expected.items():
        status, media, text = fetch(f"{served}/sparql?query={query}", headers={"Accept": accept})
        assert (status, media.split(";")[0], text) == (200, accept, body)
    status, media, text = fetch(
        f"{served}/sparql?query={query}", headers={"Accept": "application/sparql-results+xml"}
    )
    assert (
        status == 200
        and media.startswith("application/sparql-results+xml")
        and "<literal>1085</literal>" in text
    )
    construct = urllib.parse.quote(
        "CONSTRUCT { ?r a <https://w3id.org/initiative-kg/ontology#Region> } WHERE { ?r a <https://w3id.org/initiative-kg/ontology#Region> }"
    )
    status, media, text = fetch(
        f"{served}/sparql?query={construct}", headers={"Accept": "text/turtle"}
    )
    assert status == 200 and media.startswith("text/turtle")
    assert len(Graph().parse(data=text, format="turtle")) == 5
    status, media, text = fetch(f"{served}/sparql?query={construct}&format=nt")
    assert len(Graph().parse(data=text, format="nt")) == 5


def test_updates_are_refused_with_403(served: str) -> None:
    update = "DELETE WHERE { ?s ?p ?o }"
    assert fetch(f"{served}/sparql?update={urllib.parse.quote(update)}")[0] == 403
    form = urllib.parse.urlencode({"update": update}).encode()
    assert (
        fetch(
            f"{served}/sparql",
            data=form,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )[0]
        == 403
    )
    direct = fetch(
        f"{served}/sparql",
        data=update.encode(),
        headers={"Content-Type": "application/sparql-update"},
    )
    assert direct[0] == 403 and "read-only" in direct[2]
    still = fetch(f"{served}/sparql?query=" + urllib.parse.quote("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
                  headers={"Accept": "text/csv"})  # fmt: skip
    assert int(still[2].splitlines()[1]) > 2000


def test_bad_queries_are_400_with_the_reason(served: str) -> None:
    status, _, text = fetch(
        f"{served}/sparql?query=" + urllib.parse.quote("SELECT ?s WHERE { ?s ?p }")
    )
    assert status == 400 and "syntax error" in text
    service = urllib.parse.quote("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    status, _, text = fetch(f"{served}/sparql?query={service}")
    assert status == 400 and "SERVICE" in text


def test_time_limit_and_size_limit() -> None:
    process, url = start_server("--engine", "rdflib", "--timeout", "0.5", "--max-rows", "3")
    try:
        heavy = urllib.parse.quote(
            "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        )
        status, _, text = fetch(f"{url}/sparql?query={heavy}")
        assert status == 503 and "time limit of 0.5 s" in text
        wide = urllib.parse.quote(
            "SELECT ?r WHERE { ?r a <https://w3id.org/initiative-kg/ontology#Region> }"
        )
        status, _, text = fetch(f"{url}/sparql?query={wide}")
        assert status == 413 and "more than the limit of 3" in text
    finally:
        stop_server(process)


def test_the_server_listens_on_loopback_by_default() -> None:
    from typer.testing import CliRunner

    from initiative_kg.cli import app

    help_text = CliRunner().invoke(app, ["serve", "--help"]).stdout
    assert "127.0.0.1" in help_text


def test_the_query_page_runs_a_query_in_a_browser(served: str, browser: Browser) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        outside = []
        page.on(
            "request", lambda r: outside.append(r.url) if not r.url.startswith(served) else None
        )
        page.goto(f"{served}/")
        page.wait_for_function("window.yasgui !== undefined")
        page.evaluate(
            """() => {
              const tab = window.yasgui.getTab();
              tab.setQuery('SELECT ?label WHERE { ?r a <https://w3id.org/initiative-kg/ontology#Region> ; '
                + '<http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?label');
              tab.query();
            }"""
        )
        page.wait_for_selector("text=Region Hovedstaden", timeout=30_000)
        assert "Region Sjælland" in page.inner_text(".yasr")
        assert outside == [], outside  # the page needs nothing from the network
    finally:
        context.close()
