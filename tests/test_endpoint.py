"""A real SPARQL server (Virtuoso, started by scripts/virtuoso): push, parity of every catalogue
query, a push killed half-way, wrong passwords, a server that is down."""

from __future__ import annotations

import os
import signal
import socket
from pathlib import Path

import pytest
from rdflib import BNode, URIRef
from typer.testing import CliRunner

from initiative_kg.cli import app
from initiative_kg.endpoint import (
    STAGING_PREFIX,
    Credentials,
    PushReport,
    RemoteEngine,
    SparqlClient,
    molecules,
    push,
)
from initiative_kg.engines import results_equal
from initiative_kg.errors import EndpointError
from initiative_kg.queries import catalogue
from initiative_kg.store import KnowledgeGraph
from tests.conftest import REPO, TEST_DATA, VIRTUOSO_GROUP, VirtuosoServer, start_virtuoso
from tests.test_queries import EXAMPLE_PARAMS

# one Virtuoso for the module: its tests keep to one xdist worker
pytestmark = [pytest.mark.server, VIRTUOSO_GROUP, pytest.mark.long]
runner = CliRunner()


def client_for(
    server: VirtuosoServer, *, password: str | None = None, **options: object
) -> SparqlClient:
    return SparqlClient(
        server.query_endpoint,
        update_endpoint=server.update_endpoint,
        credentials=Credentials("dba", password or server.password),
        **options,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def pushed(virtuoso: VirtuosoServer, shipped: KnowledgeGraph) -> PushReport:
    return push(shipped, client_for(virtuoso), batch_size=500)


def test_push_loads_every_named_graph(
    virtuoso: VirtuosoServer, shipped: KnowledgeGraph, pushed: PushReport
) -> None:
    assert pushed.triples == len(shipped.union())
    assert pushed.graphs == len(shipped.graph_names())
    client = client_for(virtuoso)
    for name in shipped.graph_names():
        assert client.count(str(name)) == len(shipped.dataset.graph(name)), name
    leftovers = client.select(
        f'SELECT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (STRSTARTS(STR(?g), "{STAGING_PREFIX}")) }} LIMIT 1'
    )
    assert leftovers["results"]["bindings"] == []


@pytest.mark.parametrize("query_id", sorted(catalogue()))
@pytest.mark.parametrize("stated", [False, True], ids=["all", "stated"])
def test_every_catalogue_query_gives_the_same_result_on_the_server(
    virtuoso: VirtuosoServer,
    shipped: KnowledgeGraph,
    pushed: PushReport,
    query_id: str,
    stated: bool,
) -> None:
    params = EXAMPLE_PARAMS.get(query_id, {})
    remote = RemoteEngine.at(virtuoso.query_endpoint).query(query_id, params, stated=stated)
    local = shipped.query(query_id, params, engine="oxigraph", stated=stated)
    ordered = "ORDER BY" in catalogue()[query_id].text
    assert results_equal(remote, local, ordered=ordered), (remote.rows, local.rows)


def test_remote_query_from_the_command_line(virtuoso: VirtuosoServer, pushed: PushReport) -> None:
    remote = runner.invoke(
        app, ["query", "funding-by-year", "-f", "csv", "--endpoint", virtuoso.query_endpoint]
    )
    local = runner.invoke(app, ["query", "funding-by-year", "-f", "csv"])
    assert remote.exit_code == 0, remote.stderr
    assert remote.stdout == local.stdout


def test_blank_nodes_travel_with_their_resource() -> None:
    """Guards the grouping push relies on: every triple in exactly one group, each group one
    resource with the blank nodes it holds (nested ones too, in any input order). A grouping
    that returns nothing, drops triples or splits a blank node from its holder fails."""
    kg = KnowledgeGraph.load([TEST_DATA / "valid" / "minimal-project.ttl"], background="none")
    triples = sorted(kg.union(), key=lambda t: (isinstance(t[0], BNode), str(t)), reverse=True)
    assert len(triples) > 20
    groups = molecules(triples)
    assert sorted(t for group in groups for t in group) == sorted(triples)  # each exactly once
    holders = {}
    for group in groups:
        named = {s for s, _, _ in group if not isinstance(s, BNode)}
        assert len(named) == 1, group  # one resource per group ...
        (holder,) = named
        subjects = {s for s, _, _ in group}
        for _, _, obj in group:
            if isinstance(obj, BNode):
                assert obj in subjects  # ... with every blank node it holds described in it
        holders[holder] = sum(1 for s, _, _ in group if isinstance(s, BNode))
    initiative = URIRef("https://w3id.org/initiative-kg/id/initiative/test-project")
    grant = URIRef("https://w3id.org/initiative-kg/id/grant/test-grant")
    # the period (3 statements) and its two instants (2 each), the participation (3); the amount
    assert holders[initiative] == 3 + 2 * 2 + 3
    assert holders[grant] == 3


def test_a_push_killed_half_way_leaves_the_previous_graph(
    tmp_path: Path, shipped: KnowledgeGraph
) -> None:
    server = start_virtuoso(tmp_path / "db")
    try:
        push(shipped, client_for(server), batch_size=500)
        peers_graph = "https://w3id.org/initiative-kg/id/graph/004_3f2385aee20403ac"
        before = {name: client_for(server).count(str(name)) for name in shipped.graph_names()}
        original = REPO / "data" / "initiatives" / "004-udbrede-anvendelse-af-peers.ttl"
        edited = tmp_path / "004-edited.ttl"
        edited.write_text(
            original.read_text(encoding="utf-8").replace('"10500000"^^', '"10600000"^^')
        )
        changed = KnowledgeGraph.load([edited])
        batches_sent = []

        def kill_after_first_batch(done: int, total: int) -> None:
            batches_sent.append(done)
            if len(batches_sent) == 1:
                os.kill(server.pid, signal.SIGKILL)

        with pytest.raises(EndpointError):
            push(changed, client_for(server, retry_delays=(0.2, 0.2)), batch_size=200,
                 progress=kill_after_first_batch)  # fmt: skip
        server.restart()
        client = client_for(server)
        after = {name: client.count(str(name)) for name in shipped.graph_names()}
        assert after == before
        amount = client.select(
            f"SELECT ?v WHERE {{ GRAPH <{peers_graph}> {{ ?g <https://schema.org/amount>/<https://schema.org/value> ?v }} }}"
        )
        assert [row["v"]["value"] for row in amount["results"]["bindings"]] in (
            ["10500000.0"],
            ["10500000"],
        )
        # the next push completes and clears the staging graphs the failed one left
        push(changed, client, batch_size=500)
        amount = client.select(
            f"SELECT ?v WHERE {{ GRAPH <{peers_graph}> {{ ?g <https://schema.org/amount>/<https://schema.org/value> ?v }} }}"
        )
        assert [row["v"]["value"] for row in amount["results"]["bindings"]] in (
            ["10600000.0"],
            ["10600000"],
        )
        staging = client.select(
            f'SELECT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (STRSTARTS(STR(?g), "{STAGING_PREFIX}")) }} LIMIT 1'
        )
        assert staging["results"]["bindings"] == []
    finally:
        server.stop()


def test_a_wrong_password_is_a_clear_error_that_never_shows_the_password(
    virtuoso: VirtuosoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "not-the-password-123"
    monkeypatch.setenv("IKG_PASSWORD", secret)
    result = runner.invoke(
        app,
        ["push", "--endpoint", virtuoso.query_endpoint, "--update-endpoint", virtuoso.update_endpoint,
         "--user", "dba", "--graph", "http://example.org/never"],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "401" in result.stderr and "password" in result.stderr
    assert secret not in result.stdout + result.stderr
    assert virtuoso.password not in result.stdout + result.stderr


def test_push_refuses_a_graph_that_does_not_validate_unless_forced(
    virtuoso: VirtuosoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IKG_PASSWORD", virtuoso.password)
    invalid = TEST_DATA / "invalid" / "PeriodShape--end-before-start.ttl"
    target = "http://example.org/forced"
    arguments = ["push", "--endpoint", virtuoso.query_endpoint, "--update-endpoint",
                 virtuoso.update_endpoint, "--user", "dba", "--data", str(invalid), "--graph", target]  # fmt: skip
    refused = runner.invoke(app, arguments)
    assert refused.exit_code == 1
    assert "does not validate" in refused.stderr
    assert client_for(virtuoso).count(target) == 0
    forced = runner.invoke(app, [*arguments, "--force"])
    assert forced.exit_code == 0, forced.stderr
    assert client_for(virtuoso).count(target) > 0


def test_a_server_that_is_down_gives_a_clear_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = runner.invoke(
        app, ["query", "sources", "--endpoint", f"http://127.0.0.1:{port}/sparql", "--timeout", "2"]
    )
    assert result.exit_code == 2
    assert f"127.0.0.1:{port}" in result.stderr and "failed" in result.stderr


def test_remote_engine_answers_ask(virtuoso: VirtuosoServer, pushed: PushReport) -> None:
    engine = RemoteEngine(SparqlClient(virtuoso.query_endpoint))
    yes = engine.execute("ASK { ?s a <https://w3id.org/initiative-kg/ontology#Region> }")
    no = engine.execute("ASK { ?s a <https://example.org/Nothing> }")
    assert (yes.boolean, no.boolean) == (True, False)


def test_a_request_the_server_finds_too_large_is_sent_in_halves(
    tmp_path: Path, virtuoso: VirtuosoServer
) -> None:
    """Virtuoso 7.2 refuses an update of about 1,500 triples or more (SP031); a generated
    catalogue in one graph, pushed in batches of 5,000, still arrives whole. (On the session's
    server: the graphs it shares with the shipped graph are pushed with the same content.)"""
    from tests.test_bench import generate

    catalogue_file = generate(tmp_path, 60)
    kg = KnowledgeGraph.load([catalogue_file], background="reference")
    synthetic = next(name for name in kg.graph_names() if len(kg.dataset.graph(name)) > 3000)
    report = push(kg, client_for(virtuoso), batch_size=5000)
    client = client_for(virtuoso)
    assert client.count(str(synthetic)) == len(kg.dataset.graph(synthetic))
    # more requests than planned batches: the large ones were halved
    planned = sum(-(-len(kg.dataset.graph(name)) // 5000) for name in kg.graph_names())
    assert report.batches > planned


@pytest.mark.parametrize(
    "hostile",
    ['"', "'''", '\\" } UNION { ?s ?p ?o } #', "\\u0022", "a\nb\\", "#}>", "Pårørende"],
)
def test_parameters_stay_values_on_virtuoso(virtuoso: VirtuosoServer, hostile: str) -> None:
    """Virtuoso reads the bound values back intact: its parser is not Oxigraph's or rdflib's."""
    from rdflib import Literal

    from initiative_kg.queries import parse_query_text

    text = (
        "#+ params:\n#+   - {name: first, type: string}\n#+   - {name: second, type: string}\n"
        "SELECT ?first ?second WHERE { }\n"
    )
    query = parse_query_text(text, path=Path("echo.rq"), query_id="echo")
    bound = query.bind({"first": hostile, "second": hostile + "!"})
    result = RemoteEngine(SparqlClient(virtuoso.query_endpoint)).execute(bound)
    assert result.rows == ((Literal(hostile), Literal(hostile + "!")),)
