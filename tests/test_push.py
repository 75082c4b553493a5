"""ikg push against servers that answer as Fuseki, GraphDB and an Oxigraph server do (a small
local server, tests/fake_sparql.py): the graphs arrive whole, Basic authentication and ~/.netrc,
retries with backoff on 5xx and dropped connections, a 4xx reported with the server's message
and never retried, and a --graph that is not an IRI refused before anything is sent. The real
Virtuoso (digest authentication) is exercised in test_endpoint.py."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from initiative_kg import endpoint
from initiative_kg.cli import app
from initiative_kg.endpoint import RETRY_DELAYS, STAGING_PREFIX, Credentials, SparqlClient, push
from initiative_kg.errors import EndpointError
from initiative_kg.store import KnowledgeGraph
from tests.fake_sparql import FLAVOURS, FakeServer, running

runner = CliRunner()
EX = "http://example.org/"


@pytest.fixture(params=sorted(FLAVOURS))
def fake_server(request: pytest.FixtureRequest) -> Iterator[FakeServer]:
    """A fresh server of each flavour."""
    with running(request.param) as fake:
        yield fake


@pytest.fixture
def fuseki() -> Iterator[FakeServer]:
    with running("fuseki") as fake:
        yield fake


@pytest.fixture(scope="module")
def small() -> KnowledgeGraph:
    """Two files, three graphs, blank nodes: enough to see a push arrive whole."""
    import tempfile

    folder = Path(tempfile.mkdtemp())
    (folder / "a.trig").write_text(
        f"@prefix ex: <{EX}> .\n"
        "ex:g1 { ex:a ex:p [ ex:q 1 ; ex:r [ ex:s 'deep' ] ] . ex:a ex:label 'A' . }\n"
        "ex:g2 { ex:b ex:p ex:c . }\n",
        encoding="utf-8",
    )
    (folder / "b.ttl").write_text(f"@prefix ex: <{EX}> .\nex:d ex:p 'Æble' .\n", encoding="utf-8")
    return KnowledgeGraph.load([folder / "a.trig", folder / "b.ttl"], background="none")


def client(fake: FakeServer, **options: object) -> SparqlClient:
    credentials = (
        Credentials(fake.flavour.user, fake.flavour.password or "", "basic")
        if fake.flavour.user
        else None
    )
    return SparqlClient(
        fake.query_endpoint,
        update_endpoint=fake.update_endpoint,
        credentials=credentials,
        **options,  # type: ignore[arg-type]
    )


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The client's backoff, recorded instead of slept."""
    slept: list[float] = []
    monkeypatch.setattr(endpoint.time, "sleep", slept.append)
    return slept


def test_a_push_arrives_whole_on_every_kind_of_server(
    fake_server: FakeServer, small: KnowledgeGraph
) -> None:
    report = push(small, client(fake_server), batch_size=2)
    expected = {str(name): len(small.dataset.graph(name)) for name in small.graph_names()}
    assert fake_server.graphs() == expected
    assert report.triples == sum(expected.values())
    assert not [g for g in fake_server.graphs() if g.startswith(STAGING_PREFIX)]
    deep = fake_server.store.query(f"ASK {{ GRAPH <{EX}g1> {{ ?x <{EX}r> [ <{EX}s> 'deep' ] }} }}")
    assert bool(deep)  # blank nodes arrived linked, though batches hold two triples
    updates = [seen for seen in fake_server.seen if seen.kind == "update"]
    assert updates and all(seen.path == fake_server.flavour.update_path for seen in updates)


def test_basic_authentication_is_sent_on_updates(fuseki: FakeServer, small: KnowledgeGraph) -> None:
    push(small, client(fuseki))
    expected = "Basic " + base64.b64encode(b"admin:fuseki-secret").decode()
    updates = [seen for seen in fuseki.seen if seen.kind == "update"]
    assert updates and {seen.authorization for seen in updates} == {expected}
    assert {seen.authorization for seen in fuseki.seen if seen.kind == "query"} == {None}


@pytest.mark.parametrize("password", ["wrong", ""])
def test_a_rejected_password_is_named_as_such_and_never_shown(
    fuseki: FakeServer, small: KnowledgeGraph, password: str, no_sleep: list[float]
) -> None:
    rejected = SparqlClient(
        fuseki.query_endpoint,
        update_endpoint=fuseki.update_endpoint,
        credentials=Credentials("admin", password, "basic"),
    )
    with pytest.raises(EndpointError, match="did not accept the user or password") as caught:
        push(small, rejected)
    if password:
        assert password not in str(caught.value)
    assert no_sleep == []  # a 401 is not retried
    assert not fuseki.graphs()


def test_without_credentials_the_challenge_is_reported(
    fuseki: FakeServer, small: KnowledgeGraph
) -> None:
    anonymous = SparqlClient(fuseki.query_endpoint, update_endpoint=fuseki.update_endpoint)
    with pytest.raises(EndpointError, match="HTTP 401"):
        push(small, anonymous)


def test_the_password_comes_from_netrc(
    fuseki: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No --user and no $IKG_PASSWORD: the user and password for the host come from ~/.netrc,
    and the push goes through."""
    home = tmp_path / "home"
    home.mkdir()
    netrc = home / ".netrc"
    netrc.write_text("machine 127.0.0.1 login admin password fuseki-secret\n", encoding="utf-8")
    netrc.chmod(0o600)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("IKG_PASSWORD", raising=False)
    data = tmp_path / "one.ttl"
    data.write_text(f"<{EX}a> <{EX}p> <{EX}b> .\n", encoding="utf-8")
    result = runner.invoke(
        app,
        ["push", "--endpoint", fuseki.query_endpoint, "--update-endpoint",
         fuseki.update_endpoint, "--auth", "basic", "--data", str(data), "--force"],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert f"<{EX}a>" not in result.stdout and "fuseki-secret" not in result.stdout + result.stderr
    expected = "Basic " + base64.b64encode(b"admin:fuseki-secret").decode()
    assert {s.authorization for s in fuseki.seen if s.kind == "update"} == {expected}
    assert sum(fuseki.graphs().values()) > 0


def test_the_environment_password_wins_over_netrc(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / ".netrc").write_text("machine example.org login netrc-user password netrc-pw\n")
    (home / ".netrc").chmod(0o600)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("IKG_PASSWORD", raising=False)
    found = Credentials.lookup(None, "https://example.org/sparql", "basic")
    assert found is not None and (found.user, found.password) == ("netrc-user", "netrc-pw")
    monkeypatch.setenv("IKG_PASSWORD", "from-env")
    found = Credentials.lookup("someone", "https://example.org/sparql", "basic")
    assert found is not None and (found.user, found.password) == ("someone", "from-env")
    assert Credentials.lookup(None, "https://elsewhere.org/sparql") is None
    monkeypatch.delenv("IKG_PASSWORD")
    with pytest.raises(EndpointError, match="no password for someone"):
        Credentials.lookup("someone", "https://elsewhere.org/sparql")


@pytest.mark.parametrize(
    "fault",
    [
        (503, "Service Unavailable"),
        (500, "Internal Server Error"),
        (502, "Bad Gateway"),
        ("drop", ""),
    ],
)
def test_server_errors_and_dropped_connections_are_retried_with_backoff(
    fake_server: FakeServer,
    small: KnowledgeGraph,
    no_sleep: list[float],
    fault: tuple[int | str, str],
) -> None:
    fake_server.faults = [fault] * 3
    push(small, client(fake_server))
    assert no_sleep == list(RETRY_DELAYS[:3])  # 0.5 s, 1 s, 2 s, then it went through
    expected = {str(name): len(small.dataset.graph(name)) for name in small.graph_names()}
    assert fake_server.graphs() == expected


def test_a_server_that_keeps_failing_is_given_up_on(
    fake_server: FakeServer, small: KnowledgeGraph, no_sleep: list[float]
) -> None:
    fake_server.faults = [(503, "Service Unavailable")] * 50
    with pytest.raises(EndpointError, match="failed"):
        push(small, client(fake_server))
    assert no_sleep == list(RETRY_DELAYS)  # 0.5, 1, 2 and 4 s, then no more
    assert len(fake_server.seen) == len(RETRY_DELAYS) + 1


@pytest.mark.parametrize(
    ("status", "message"),
    [(400, "Parse error: unexpected '}' at line 3"), (403, "Forbidden: updates need a role"),
     (404, "No such dataset /kg"), (413, "Request entity too large")],
)  # fmt: skip
def test_a_4xx_is_reported_with_the_servers_message_and_not_retried(
    fake_server: FakeServer,
    small: KnowledgeGraph,
    no_sleep: list[float],
    status: int,
    message: str,
) -> None:
    fake_server.faults = [(status, message)]
    with pytest.raises(EndpointError) as caught:
        push(small, client(fake_server))
    assert f"HTTP {status}" in str(caught.value) and message in str(caught.value)
    assert no_sleep == []
    assert len(fake_server.seen) == 1


def test_the_command_line_exits_2_on_a_4xx(fuseki: FakeServer, tmp_path: Path) -> None:
    data = tmp_path / "one.ttl"
    data.write_text(f"<{EX}a> <{EX}p> <{EX}b> .\n", encoding="utf-8")
    fuseki.faults = [(400, "Parse error: unexpected '}'")]
    result = runner.invoke(
        app, ["push", "--endpoint", fuseki.query_endpoint, "--data", str(data), "--force"]
    )
    assert result.exit_code == 2
    assert "HTTP 400" in result.stderr and "Parse error: unexpected '}'" in result.stderr


@pytest.mark.parametrize(
    "graph",
    [
        "http://example.org/my graph",
        "http://example.org/g> } ; DROP ALL ; INSERT DATA { <a:b> <a:b> <a:b",
        "http://example.org/g>",
        "graph-without-scheme",
        "",
        'http://example.org/"quoted"',
        "http://example.org/{braces}",
        "http://example.org/back\\slash",
    ],
)
def test_a_graph_that_is_not_an_absolute_iri_is_refused_before_anything_is_sent(
    fuseki: FakeServer, tmp_path: Path, graph: str
) -> None:
    data = tmp_path / "one.ttl"
    data.write_text(f"<{EX}a> <{EX}p> <{EX}b> .\n", encoding="utf-8")
    result = runner.invoke(
        app,
        ["push", "--endpoint", fuseki.query_endpoint, "--data", str(data), "--force",
         "--graph", graph],
    )  # fmt: skip
    assert result.exit_code == 2, result.stderr
    assert "is not an absolute IRI" in result.stderr
    assert fuseki.seen == []


def test_a_valid_graph_name_takes_everything(
    fake_server: FakeServer, small: KnowledgeGraph
) -> None:
    push(small, client(fake_server), graph="urn:example:everything")
    assert fake_server.graphs() == {"urn:example:everything": len(small.union())}
