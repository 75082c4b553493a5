"""Exports read back in the tools they are for; the HTML page works offline and shows labels as
text."""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
import pytest
from typer.testing import CliRunner

from initiative_kg.cli import app
from initiative_kg.export import export, graph_json_for_script
from initiative_kg.network import project
from initiative_kg.store import KnowledgeGraph
from tests.conftest import BROWSER_GROUP, TEST_DATA
from tests.missing_part import missing

if TYPE_CHECKING:
    from playwright.sync_api import Browser

runner = CliRunner()
EVIL = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">'


@pytest.fixture(scope="module")
def co_participation(shipped: KnowledgeGraph) -> nx.Graph:
    return project(shipped, "actor-co-participation")


def test_graphml_and_gexf_read_back_with_the_same_nodes_and_edges(
    co_participation: nx.Graph, tmp_path: Path
) -> None:
    for fmt, reader in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        export(co_participation, fmt, tmp_path / f"g.{fmt}")
        again = reader(tmp_path / f"g.{fmt}")
        assert set(again.nodes) == set(co_participation.nodes)
        assert {frozenset(e) for e in again.edges} == {frozenset(e) for e in co_participation.edges}
        node = again.nodes["organisation:socialstyrelsen"]
        assert node.get("label") == "Socialstyrelsen" and node.get("type") == "ikg:GovernmentAgency"
    graphml = (tmp_path / "g.graphml").read_text(encoding="utf-8")
    assert 'attr.name="colour"' in graphml
    assert "viz:color" in (tmp_path / "g.gexf").read_text(encoding="utf-8")


def test_json_and_cytoscape_load(co_participation: nx.Graph, tmp_path: Path) -> None:
    export(co_participation, "json", tmp_path / "g.json")
    again = nx.node_link_graph(json.loads((tmp_path / "g.json").read_text()), edges="links")
    assert again.number_of_nodes() == co_participation.number_of_nodes()
    export(co_participation, "cyjs", tmp_path / "g.cyjs")
    cyjs = json.loads((tmp_path / "g.cyjs").read_text())
    assert len(cyjs["elements"]["nodes"]) == co_participation.number_of_nodes()
    assert len(cyjs["elements"]["edges"]) == co_participation.number_of_edges()


def test_dot_renders_and_pictures_have_a_sensible_size(
    co_participation: nx.Graph, tmp_path: Path
) -> None:
    if shutil.which("dot") is None:  # scripts/test installs Graphviz when it runs as root
        missing("Graphviz's dot is missing")
    export(co_participation, "dot", tmp_path / "g.dot")
    rendered = subprocess.run(
        ["dot", "-Tsvg", str(tmp_path / "g.dot")], capture_output=True, check=True
    )
    assert rendered.stdout.startswith(b"<?xml")
    export(co_participation, "svg", tmp_path / "g.svg")
    svg = ET.parse(tmp_path / "g.svg").getroot()
    assert svg.tag.endswith("svg")
    assert "Socialstyrelsen" in (tmp_path / "g.svg").read_text(encoding="utf-8")
    export(co_participation, "png", tmp_path / "g.png")
    data = (tmp_path / "g.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert 600 <= width <= 2500 and 400 <= height <= 2500
    assert 20_000 < len(data) < 5_000_000


def _laid_out(dot_file: Path) -> dict[str, Any]:
    """The layout Graphviz gives a DOT file when a user runs ``dot`` on it (as JSON)."""
    done = subprocess.run(
        ["dot", "-Tjson", str(dot_file)], capture_output=True, check=True, timeout=120
    )
    return dict(json.loads(done.stdout))


def test_the_dot_file_draws_the_network_readably_with_dot(
    shipped: KnowledgeGraph, tmp_path: Path
) -> None:
    """At the shipped graph's size, ``dot -Tpng`` on the exported file draws the initiative-actor
    network by force, not as a strip of ranks; no two nodes overlap; the legend sits below the
    drawing, with a cell for each kind of node."""
    if shutil.which("dot") is None:  # scripts/test installs Graphviz when it runs as root
        missing("Graphviz's dot is missing")
    graph = project(shipped, "initiative-actor")
    assert graph.number_of_nodes() >= 60  # 31 described initiatives and their organisations
    export(graph, "dot", tmp_path / "g.dot")
    layout = _laid_out(tmp_path / "g.dot")
    assert layout["layout"] == "sfdp"
    left, bottom, right, top = (float(v) for v in layout["bb"].split(","))
    assert (right - left) / (top - bottom) < 3  # ranks gave 1953 by 310 points
    boxes = []
    for node in layout["objects"]:
        x, y = (float(v) for v in node["pos"].split(","))
        half_width, half_height = float(node["width"]) * 36, float(node["height"]) * 36
        boxes.append((x - half_width, y - half_height, x + half_width, y + half_height))
    assert len(boxes) == graph.number_of_nodes()  # the legend is no node
    for index, (x0, y0, x1, y1) in enumerate(boxes):
        for a0, b0, a1, b1 in boxes[index + 1 :]:
            assert x1 <= a0 or a1 <= x0 or y1 <= b0 or b1 <= y0, "two nodes overlap"
    legend_y = float(layout["lp"].split(",")[1])
    assert legend_y < min(y0 for _, y0, _, _ in boxes)
    assert "Legend" in layout["label"]
    assert all(name in layout["label"] for name in ("Initiative", "Organisation"))


def test_labels_are_escaped_inside_the_page() -> None:
    graph = nx.Graph(name="evil")
    graph.add_node("x", label=EVIL, kind="other", iri="https://example.org/x", type="", source="")
    text = graph_json_for_script(graph)
    assert "<" not in text and ">" not in text
    assert json.loads(text)["elements"][0]["data"]["label"] == EVIL


def test_export_cli_writes_the_file(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "export",
            "--projection",
            "initiative-actor",
            "-f",
            "json",
            "-o",
            str(tmp_path / "a.json"),
        ],
    )
    assert result.exit_code == 0, result.stderr
    expected = project(KnowledgeGraph.load(), "initiative-actor")
    assert (
        f"{expected.number_of_nodes()} nodes, {expected.number_of_edges()} edges" in result.stdout
    )
    result = runner.invoke(
        app,
        ["export", "--projection", "initiative-actor", "-f", "pdf", "-o", str(tmp_path / "a.pdf")],
    )
    assert result.exit_code == 2 and not (tmp_path / "a.pdf").exists()


def evil_graph(tmp_path: Path) -> Path:
    text = (TEST_DATA / "valid" / "minimal-project.ttl").read_text(encoding="utf-8")
    evil_label = EVIL.replace('"', '\\"')
    path = tmp_path / "evil.ttl"
    path.write_text(
        text.replace('rdfs:label "Testprojekt"@da', f'rdfs:label "{evil_label}"@da'),
        encoding="utf-8",
    )
    return path


@pytest.mark.server
@BROWSER_GROUP
def test_the_html_page_in_a_browser(browser: Browser, tmp_path: Path) -> None:
    graph = project(KnowledgeGraph.load([evil_graph(tmp_path)]), "initiative-actor")
    page_file = tmp_path / "network.html"
    export(graph, "html", page_file)
    context = browser.new_context()
    try:
        page = context.new_page()
        errors: list[str] = []
        requests: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on(
            "request",
            lambda r: requests.append(r.url) if not r.url.startswith("file:") else None,
        )
        page.goto(page_file.as_uri())
        page.wait_for_function("window.cy !== undefined")
        assert page.evaluate("window.cy.nodes().length") == graph.number_of_nodes()
        page.fill("#search", "Socialstyrelsen")
        assert page.inner_text("#count") == f"1 of {graph.number_of_nodes()} nodes shown"
        page.fill("#search", "window.pwned")
        assert page.inner_text("#count") == f"1 of {graph.number_of_nodes()} nodes shown"
        # emit() returns the element, which Playwright would serialise (a minute of work)
        page.evaluate("() => { window.cy.$id('initiative:test-project').emit('tap'); }")
        assert EVIL in page.inner_text("#details")
        assert page.evaluate("window.pwned === undefined")
        assert page.locator("#details img").count() == 0
        page.fill("#search", "")
        page.uncheck("input[data-kind=organisation]")
        initiatives = sum(1 for _, d in graph.nodes(data=True) if d["kind"] == "initiative")
        assert (
            page.inner_text("#count") == f"{initiatives} of {graph.number_of_nodes()} nodes shown"
        )
        page.screenshot(path=str(ARTEFACTS / "network-export.png"))
        assert errors == [] and requests == []
    finally:
        context.close()


ARTEFACTS = Path(__file__).resolve().parent / "artefacts"
ARTEFACTS.mkdir(exist_ok=True)
