"""ikg site: a static site with relative links only, every label shown as text, pages that load
in a browser without errors."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import TYPE_CHECKING

import pytest
from click.testing import Result
from typer.testing import CliRunner

from initiative_kg.cli import app
from initiative_kg.network import project
from initiative_kg.site import build_site
from initiative_kg.store import KnowledgeGraph
from initiative_kg.validation import validate
from tests.conftest import BROWSER_GROUP, TEST_DATA

if TYPE_CHECKING:
    from playwright.sync_api import Browser
from tests.test_export import ARTEFACTS, EVIL

runner = CliRunner()


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in {"href", "src"} and value is not None:
                self.links.append(value)


# The site is built once, with the command a user runs, and every test reads that build; the
# module shares the browser group's worker so that the browser test sees the same build.
pytestmark = BROWSER_GROUP


@pytest.fixture(scope="module")
def built() -> Iterator[tuple[Path, Result]]:
    with TemporaryDirectory(prefix="ikg-site-") as folder:
        result = runner.invoke(app, ["site", "-o", str(Path(folder) / "site")])
        yield Path(folder) / "site", result


@pytest.fixture(scope="module")
def site(built: tuple[Path, Result]) -> Path:
    folder, result = built
    assert result.exit_code == 0, result.stderr
    return folder


def test_a_page_per_initiative_organisation_and_agreement(
    site: Path, shipped: KnowledgeGraph
) -> None:
    counts = shipped.dataset.query(
        """PREFIX ikg: <https://w3id.org/initiative-kg/ontology#>
           PREFIX prov: <http://www.w3.org/ns/prov#>
           PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
           SELECT (COUNT(DISTINCT ?i) AS ?initiatives) (COUNT(DISTINCT ?a) AS ?actors)
                  (COUNT(DISTINCT ?f) AS ?agreements) WHERE {
             { ?i a/rdfs:subClassOf* ikg:Initiative }
             UNION { ?x prov:qualifiedAssociation/prov:agent ?a }
             UNION { ?f a ikg:FundingAgreement } }"""
    )
    ((initiatives, actors, agreements),) = list(counts)  # type: ignore[misc]
    # one page for each initiative (programmes too) and each organisation that takes part, and
    # an index of each kind
    assert len(list((site / "initiatives").glob("*.html"))) == int(initiatives) + 1
    assert len(list((site / "actors").glob("*.html"))) == int(actors) + 1
    assert len(list((site / "agreements").glob("*.html"))) == int(agreements)
    for page in (
        "index.html",
        "funding.html",
        "timeline.html",
        "network.html",
        "queries.html",
        "ontology/index.html",
    ):
        assert (site / page).stat().st_size > 1000, page


def test_every_link_is_relative_and_resolves(site: Path) -> None:
    checked = 0
    for page in site.rglob("*.html"):
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for link in parser.links:
            if link.startswith("data:"):  # images pyLODE embeds in the page itself
                continue
            assert not re.match(r"^[a-z]+:", link), f"{page}: {link} is not relative"
            target = link.split("#")[0]
            if target:
                assert (page.parent / target).resolve().exists(), f"{page}: {link}"
                checked += 1
    assert checked > 100


def test_facts_are_marked_stated_or_coded_with_their_source(site: Path) -> None:
    page = (site / "initiatives" / "systematisk-inddragelse-af-paaroerende.html").read_text(
        encoding="utf-8"
    )
    coded_row = re.search(r'<tr class="coded"><td>ikg:usesInterventionElement</td>.*?</tr>', page)
    assert (
        coded_row
        and "Organisationsudvikling" in coded_row.group(0)
        and "000_d6f20d3739e1d98e" in coded_row.group(0)
    )
    assert page.count('<span class="tag">stated</span>') > 10


def test_page_titles_name_the_site_once(site: Path) -> None:
    def title(page: str) -> str:
        found = re.search(r"<title>(.*?)</title>", (site / page).read_text(encoding="utf-8"))
        assert found, page
        return found.group(1)

    assert title("index.html") == "initiative-kg"
    assert title("funding.html") == "Funding - initiative-kg"
    assert title("initiatives/udbrede-anvendelse-af-peers.html") == (
        "Udbrede anvendelse af peers - initiative-kg"
    )
    assert not any("initiative-kg - initiative-kg" in title(p.relative_to(site).as_posix())
                   for p in site.rglob("*.html") if "ontology" not in p.parts)  # fmt: skip


def test_the_index_shows_counts_and_validation_status(site: Path) -> None:
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "The graph conforms to the shapes." in index
    assert "0 violation(s)" in index


def test_the_query_catalogue_page_shows_text_and_results(site: Path) -> None:
    page = (site / "queries.html").read_text(encoding="utf-8")
    assert 'id="funding-by-agreement"' in page and "13000000" in page
    assert "Parameters: year = 2016" in page


def test_labels_with_markup_are_escaped(tmp_path: Path) -> None:
    text = (TEST_DATA / "valid" / "minimal-project.ttl").read_text(encoding="utf-8")
    evil_file = tmp_path / "evil.ttl"
    evil_file.write_text(
        text.replace(
            'rdfs:label "Testprojekt"@da',
            f'rdfs:label "{EVIL.replace(chr(34), chr(92) + chr(34))}"@da',
        ),
        encoding="utf-8",
    )
    kg = KnowledgeGraph.load([evil_file])
    build_site(kg, validate(kg), tmp_path / "evil-site")
    pages = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "evil-site").rglob("*.html"))
    assert "<script>window.pwned" not in pages
    assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;" in pages


def test_cli_builds_the_site_and_keeps_an_existing_one(built: tuple[Path, Result]) -> None:
    folder, result = built
    assert result.exit_code == 0, result.stderr
    assert "index.html" in result.stdout
    before = sorted(path.relative_to(folder) for path in folder.rglob("*"))
    again = runner.invoke(app, ["site", "-o", str(folder)])
    assert again.exit_code == 2 and "exists" in again.stderr
    assert sorted(path.relative_to(folder) for path in folder.rglob("*")) == before


@pytest.mark.server
def test_every_kind_of_page_loads_in_a_browser(
    site: Path, shipped: KnowledgeGraph, browser: Browser
) -> None:
    pages = ["index.html", "initiatives/index.html", "initiatives/udbrede-anvendelse-af-peers.html",
             "actors/socialstyrelsen.html", "agreements/ssa23.html", "funding.html", "timeline.html",
             "queries.html", "ontology/index.html", "network.html"]  # fmt: skip
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        page = context.new_page()
        errors: list[str] = []
        outside: list[str] = []
        page.on(
            "console",
            lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None,
        )
        page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
        page.on(
            "request",
            lambda r: outside.append(r.url) if not r.url.startswith("file:") else None,
        )
        for name in pages:
            page.goto((site / name).as_uri())
            page.wait_for_load_state("load")
            page.screenshot(path=str(ARTEFACTS / f"site-{name.replace('/', '-')}.png"))
        graph = project(shipped, "actor-co-participation")
        page.goto((site / "network.html").as_uri())
        page.wait_for_function("window.cy !== undefined")
        assert page.evaluate("window.cy.nodes().length") == graph.number_of_nodes()
        page.fill("#search", "Region")  # the regions that take part
        regions = sum("Region" in str(d.get("label", "")) for _, d in graph.nodes(data=True))
        assert regions >= 3
        assert page.inner_text("#count") == f"{regions} of {graph.number_of_nodes()} nodes shown"
        assert errors == [] and outside == []
    finally:
        context.close()
