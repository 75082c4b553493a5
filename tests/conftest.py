from __future__ import annotations

import os
import secrets
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from initiative_kg.shape_cache import CACHE_DIR_VARIABLE
from initiative_kg.store import KnowledgeGraph
from initiative_kg.validation import ValidationReport, validate
from tests.listener import recording_listener  # a fixture for every test module
from tests.missing_part import missing

__all__ = ["recording_listener"]

if TYPE_CHECKING:
    from playwright.sync_api import Browser

REPO = Path(__file__).resolve().parents[1]
TEST_DATA = REPO / "tests" / "data"
# The CSVs the reference data is generated from, kept in the repository.
REFERENCE_SOURCES = REPO / "data" / "reference" / "sources"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests marked ``long`` first (in their order), then the others: xdist hands tests out
    in this order, so the long ones do not start last on one worker while the other idles."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


@pytest.fixture(scope="session", autouse=True)
def _compiled_shapes_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The compiled shapes are kept in a folder of the session's (the commands the tests start
    inherit it), never in the user's own cache."""
    patch = pytest.MonkeyPatch()
    patch.setenv(CACHE_DIR_VARIABLE, str(tmp_path_factory.mktemp("ikg-cache")))
    yield
    patch.undo()


@pytest.fixture(scope="session")
def shipped() -> KnowledgeGraph:
    """The shipped graph, loaded once for the whole session. Tests must not modify it."""
    return KnowledgeGraph.load()


@pytest.fixture(scope="session")
def shipped_report(shipped: KnowledgeGraph) -> ValidationReport:
    return validate(shipped, relative_to=REPO)


@dataclass
class VirtuosoServer:
    """A Virtuoso started by scripts/virtuoso for the tests, on 127.0.0.1."""

    folder: Path
    url: str
    pid: int
    password: str

    @property
    def query_endpoint(self) -> str:
        return f"{self.url}/sparql"

    @property
    def update_endpoint(self) -> str:
        return f"{self.url}/sparql-auth"

    def restart(self) -> None:
        """Start the server again on the same database (after a stop or a crash)."""
        started = _run_script("start", self.folder, self.password)
        info = _key_values(started.stdout)
        self.pid = int(info["IKG_VIRTUOSO_PID"])

    def stop(self) -> None:
        _run_script("stop", self.folder, self.password)


def _run_script(action: str, folder: Path, password: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "IKG_VIRTUOSO_PASSWORD": password}
    done = subprocess.run(
        ["bash", str(REPO / "scripts" / "virtuoso"), action, str(folder)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if done.returncode != 0:
        message = f"scripts/virtuoso {action} failed: {done.stderr[-3000:]}"
        missing(message)
    return done


def _key_values(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def start_virtuoso(folder: Path) -> VirtuosoServer:
    """Start a server; under CI=true a server that cannot start fails the test, elsewhere it
    skips it (the script installs Virtuoso with apt-get, which needs root)."""
    password = "pw-" + secrets.token_hex(8)
    info = _key_values(_run_script("start", folder, password).stdout)
    return VirtuosoServer(folder, info["IKG_VIRTUOSO_URL"], int(info["IKG_VIRTUOSO_PID"]), password)


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield server
    server.stop()


CHROMIUM = Path("/usr/bin/chromium")
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
# The tests that need one of the expensive servers share one per session: pytest-xdist keeps
# each group on one worker (the project runs pytest with --dist loadgroup), so that the whole run
# starts one Virtuoso and one browser, not one per worker.
VIRTUOSO_GROUP = pytest.mark.xdist_group("virtuoso")
BROWSER_GROUP = pytest.mark.xdist_group("browser")


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not CHROMIUM.exists():
        done = subprocess.run(
            ["bash", str(REPO / "scripts" / "chromium"), "install"], capture_output=True, text=True
        )
        if done.returncode != 0 or not CHROMIUM.exists():
            message = f"Debian's chromium is not available: {done.stderr[-2000:]}"
            missing(message)
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium: Path) -> Iterator[Browser]:
    """One headless Chromium for the session's browser tests (each opens its own context)."""
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        launched = playwright.chromium.launch(executable_path=str(chromium), args=BROWSER_ARGS)
        yield launched
        launched.close()
    finally:
        playwright.stop()
