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
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from rdflib import Graph, Literal
from SPARQLWrapper import JSON, SPARQLWrapper

from initiative_kg.endpoint import RemoteEngine, SparqlClient
from initiative_kg.engines import results_equal
from initiative_kg.queries import catalogue
from initiative_kg.store import KnowledgeGraph
from tests.conftest import BROWSER_GROUP
from tests.listener import RecordingListener
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
    process, url = start_server("--engine", "rdflib", "--timeout", "2", "--max-rows", "3")
    try:
        heavy = urllib.parse.quote(
            "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        )
        status, _, text = fetch(f"{url}/sparql?query={heavy}")
        assert status == 503 and "time limit of 2 s" in text
        wide = urllib.parse.quote(
            "SELECT ?r WHERE { ?r a <https://w3id.org/initiative-kg/ontology#Region> }"
        )
        status, _, text = fetch(f"{url}/sparql?query={wide}")
        assert status == 413 and "more rows than the limit of 3" in text
    finally:
        stop_server(process)


def listening_addresses(pid: int, port: int) -> set[str]:
    """The local addresses on which the process ``pid`` has a socket listening on ``port``, read
    from the kernel's socket tables (/proc/net/tcp and tcp6) and the process's descriptors."""
    inodes = set()
    for descriptor in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = descriptor.readlink()
        except OSError:
            continue
        if str(target).startswith("socket:["):
            inodes.add(str(target)[8:-1])
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            address, _, port_hex = local.partition(":")
            if state == "0A" and int(port_hex, 16) == port and inode in inodes:
                found.add(_address(address))
    return found


def _address(hexadecimal: str) -> str:
    import ipaddress

    raw = bytes.fromhex(hexadecimal)
    if len(raw) == 4:
        return str(ipaddress.IPv4Address(raw[::-1]))
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
    return str(ipaddress.IPv6Address(words))


def test_the_server_listens_on_loopback_by_default() -> None:
    """Guards against a server that binds every interface (0.0.0.0) unless told otherwise: the
    listening socket itself is inspected, not the help text."""
    process, url = start_server()
    try:
        port = int(url.rsplit(":", 1)[1])
        assert listening_addresses(process.pid, port) == {"127.0.0.1"}
    finally:
        stop_server(process)
    process, url = start_server("--host", "0.0.0.0")  # the option is honoured too
    try:
        port = int(url.rsplit(":", 1)[1])
        assert listening_addresses(process.pid, port) == {"0.0.0.0"}
    finally:
        stop_server(process)


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


# ---------------------------------------------------------------------- under load, and hostile


def children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found |= {int(child) for child in text}
    return found


def query_workers(pid: int) -> set[int]:
    """The server's query worker processes (not multiprocessing's resource tracker)."""
    workers = set()
    for child in children(pid):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in command:
            workers.add(child)
    return workers


def get(url: str, query: str, **headers: str) -> tuple[int, str]:
    status, _, text = fetch(f"{url}/sparql?query={urllib.parse.quote(query)}", headers=headers)
    return status, text


@pytest.fixture(scope="module")
def served_rdflib() -> Iterator[str]:
    process, url = start_server("--engine", "rdflib", "--workers", "2")
    yield url
    stop_server(process)


CHEAP_QUERIES = [
    "ASK {}",
    "SELECT ?r WHERE { ?r a <https://w3id.org/initiative-kg/ontology#Region> } ORDER BY ?r",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "SELECT ?label WHERE { <https://w3id.org/initiative-kg/id/region/1081> rdfs:label ?label }",
    "CONSTRUCT { ?r a ?t } WHERE { ?r a ?t FILTER (isIRI(?r)) } ORDER BY ?r ?t LIMIT 5",
]


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_dozens_of_concurrent_clients_all_get_answers(
    served: str, served_rdflib: str, engine: str
) -> None:
    """Guards against the thread-unsafe query check (pyparsing) that answered concurrent valid
    queries with 400 and then kept failing: 60 clients, 300 queries, every answer 200 and the
    same as the answer to the same query asked alone."""
    from concurrent.futures import ThreadPoolExecutor

    url = served if engine == "oxigraph" else served_rdflib
    alone = {query: get(url, query) for query in CHEAP_QUERIES}
    assert all(status == 200 for status, _ in alone.values()), alone
    jobs = [CHEAP_QUERIES[i % len(CHEAP_QUERIES)] for i in range(300)]
    with ThreadPoolExecutor(max_workers=60) as clients:
        answers = list(clients.map(lambda query: (query, get(url, query)), jobs))
    assert len(answers) == 300
    wrong = [(query, answer) for query, answer in answers if answer != alone[query]]
    assert wrong == []
    assert get(url, "ASK {}") == (200, '{"head": {}, "boolean": true}')  # and afterwards


HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # ~1.3e10 rows


def test_a_timed_out_query_is_stopped_and_cheap_ones_are_answered_meanwhile() -> None:
    """Guards against timed-out queries that keep running in worker threads and starve the
    server: two queries past the limit get 503, the processes that ran them are gone, a cheap
    query sent while they run is answered first, and later ones too."""
    import threading

    process, url = start_server("--timeout", "3", "--workers", "3")
    try:
        before = query_workers(process.pid)
        assert len(before) == 3
        finished: list[tuple[str, int]] = []
        lock = threading.Lock()

        def ask(name: str, query: str) -> None:
            status, _ = get(url, query)
            with lock:
                finished.append((name, status))

        heavy = [threading.Thread(target=ask, args=(f"heavy{i}", HEAVY)) for i in range(2)]
        for thread in heavy:
            thread.start()
        time.sleep(0.5)  # both heavy queries are running now
        ask("cheap", "ASK {}")
        for thread in heavy:
            thread.join(timeout=60)
        assert finished[0] == ("cheap", 200)  # answered while the heavy ones ran
        assert sorted(finished[1:]) == [("heavy0", 503), ("heavy1", 503)]
        deadline = time.monotonic() + 60
        while len(query_workers(process.pid)) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        after = query_workers(process.pid)
        stopped = before - after
        assert len(stopped) == 2 and len(after) == 3
        assert not any(Path(f"/proc/{pid}").exists() for pid in stopped)
        assert get(url, "ASK {}")[0] == 200
        status, text = get(url, HEAVY)
        assert status == 503 and "time limit of 3 s" in text
    finally:
        stop_server(process)


def test_the_row_limit_stops_a_huge_result_before_it_is_built() -> None:
    """A result of about 1e10 rows with --max-rows 3 gets 413 at once: building it first would
    have run into the time limit (503) instead."""
    process, url = start_server("--max-rows", "3", "--timeout", "30")
    try:
        status, text = get(url, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
        assert status == 413 and "more rows than the limit of 3" in text
        status, text = get(url, "CONSTRUCT { ?a ?b ?f } WHERE { ?a ?b ?c . ?d ?e ?f }")
        assert status == 413
        assert get(url, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3")[0] == 200
    finally:
        stop_server(process)


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b'SELECT * WHERE { ?s ?p "\xff\xfe" }', "application/sparql-query", 400),
        (b'SELECT * WHERE { ?s ?p "\xe6" }', "application/sparql-query; charset=utf-8", 400),
        (
            b"query=SELECT%20*%20WHERE%20%7B%20%3Fs%20%3Fp%20%22%FF%22%20%7D",
            "application/x-www-form-urlencoded",
            400,
        ),
        (b"query=ASK%20%7B%7D&x=\xff", "application/x-www-form-urlencoded", 400),
        (
            'ASK { FILTER("æ" = "æ") }'.encode("latin-1"),
            "application/sparql-query; charset=latin-1",
            415,
        ),
        ('ASK { FILTER("æ" = "æ") }'.encode(), "application/sparql-query; charset=utf-8", 200),
    ],
)
def test_a_query_that_is_not_utf8_is_refused(
    served: str, body: bytes, content_type: str, status: int
) -> None:
    """Guards against decoding with replacement characters and answering a different query."""
    answer = fetch(f"{served}/sparql", data=body, headers={"Content-Type": content_type})
    assert answer[0] == status, answer


def test_a_url_query_that_is_not_utf8_is_refused(served: str) -> None:
    status, _, text = fetch(
        f"{served}/sparql?query=ASK%20%7B%20FILTER(%22%FF%22%20%3D%20%22%FF%22)%20%7D"
    )
    assert status == 400 and "UTF-8" in text


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("evil.example", 400),
        ("evil.example:{port}", 400),
        ("127.0.0.1.evil.example", 400),
        ("localhost.", 200),
        ("attacker.localhost.example", 400),
        ("192.168.1.10:{port}", 400),
        ("", 400),
        ("127.0.0.1:{port}", 200),
        ("localhost:{port}", 200),
        ("LOCALHOST:{port}", 200),
        ("[::1]:{port}", 200),
    ],
)
def test_only_the_servers_own_host_names_are_answered(served: str, host: str, status: int) -> None:
    """Guards against DNS rebinding: a page of evil.example whose name resolves to 127.0.0.1
    reaches the port, but its requests carry Host: evil.example."""
    import http.client

    port = int(served.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.putrequest("GET", "/sparql?query=ASK%7B%7D", skip_host=True)
    if host:
        connection.putheader("Host", host.replace("{port}", str(port)))
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == status, response.read()
    connection.close()
    page = fetch(f"{served}/", headers={"Host": "evil.example"})
    assert page[0] == 400  # the query page too


def test_allowed_host_adds_a_name() -> None:
    process, url = start_server("--allowed-host", "kg.internal")
    try:
        assert fetch(f"{url}/sparql?query=ASK%7B%7D", headers={"Host": "kg.internal"})[0] == 200
        assert fetch(f"{url}/sparql?query=ASK%7B%7D", headers={"Host": "other.internal"})[0] == 400
    finally:
        stop_server(process)


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_the_server_sends_nothing_to_other_machines(
    served: str, served_rdflib: str, recording_listener: RecordingListener, engine: str
) -> None:
    """FROM / FROM NAMED name loaded graphs (an unknown one is empty); SERVICE is refused."""
    url = served if engine == "oxigraph" else served_rdflib
    target = f"{recording_listener.url}/data.ttl"
    for query in (
        f"SELECT * FROM <{target}> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{target}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"ASK FROM <{target}> {{ ?s ?p ?o }}",
    ):
        status, text = get(url, query, Accept="text/csv")
        assert status == 200, text
        assert "fetched" not in text
    for query in (
        f"SELECT * WHERE {{ SERVICE <{recording_listener.url}/sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ service silent <{recording_listener.url}/sparql> {{ ?s ?p ?o }} }}",
    ):
        status, text = get(url, query)
        assert status == 400 and "SERVICE" in text
    assert recording_listener.connections == []


@pytest.mark.parametrize("hostile", ['"', "'''", '\\" } UNION { ?s ?p ?o } #', "\\u0022", "a\nb\\"])
def test_parameters_sent_to_a_remote_endpoint_stay_values(served: str, hostile: str) -> None:
    """The same binding through the SPARQL protocol: the server reads each value back intact."""
    from initiative_kg.queries import parse_query_text

    text = (
        "#+ params:\n#+   - {name: first, type: string}\n#+   - {name: second, type: string}\n"
        "SELECT ?first ?second WHERE { }\n"
    )
    query = parse_query_text(text, path=Path("echo.rq"), query_id="echo")
    bound = query.bind({"first": hostile, "second": hostile + "!"})
    result = RemoteEngine(SparqlClient(f"{served}/sparql")).execute(bound)
    assert result.rows == ((Literal(hostile), Literal(hostile + "!")),)


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_the_workers_answer_with_literals_as_written(tmp_path: Path, engine: str) -> None:
    """The query workers load their own copy of the graph: it must give literals back as the
    files wrote them, as the embedded engines do ("127"^^xsd:byte, not as an integer)."""
    data = tmp_path / "written.ttl"
    data.write_text(
        "@prefix ex: <http://example.org/> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        'ex:a ex:small "127"^^xsd:byte ; ex:amount "10500000.00"^^xsd:decimal .\n',
        encoding="utf-8",
    )
    process, url = start_server("--data", str(data), "--engine", engine, "--workers", "1")
    try:
        status, text = get(
            url,
            "SELECT ?v WHERE { <http://example.org/a> ?p ?v } ORDER BY STR(?v)",
            Accept="text/tab-separated-values",
        )
    finally:
        stop_server(process)
    assert status == 200
    assert text.splitlines() == [
        "?v",
        '"10500000.00"^^<http://www.w3.org/2001/XMLSchema#decimal>',
        '"127"^^<http://www.w3.org/2001/XMLSchema#byte>',
    ]
