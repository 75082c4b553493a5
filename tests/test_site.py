"""ikg site: a static site with relative links only, every label shown as text, pages that load
in a browser without errors."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import Result
from rdflib import URIRef
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


IKG = "PREFIX ikg: <https://w3id.org/initiative-kg/ontology#>\n"
STYRKET_KVALITET = (
    "https://w3id.org/initiative-kg/id/initiative/styrket-kvalitet-i-socialpsykiatrien"
)


def programmes_in(kg: KnowledgeGraph) -> set[str]:
    """The programmes as the graph has them: an ikg:Programme or anything named as a whole."""
    rows = kg.dataset.query(
        IKG + "SELECT DISTINCT ?p WHERE { { ?p a ikg:Programme } UNION { ?part ikg:partOf ?p } }"
    )
    return {str(row[0]) for row in rows}  # type: ignore[index]


def parts_in(kg: KnowledgeGraph, programme: str) -> set[str]:
    """Every part of a programme, at any depth, as the graph states it."""
    rows = kg.dataset.query(
        IKG + "SELECT DISTINCT ?part WHERE { ?part ikg:partOf+ ?programme }",
        initBindings={"programme": URIRef(programme)},
    )
    return {str(row[0]) for row in rows}  # type: ignore[index]


class _Tree(HTMLParser):
    """The nested lists of parts on a page (ul class="parts"): per item its link target, its
    text and the items below it."""

    def __init__(self) -> None:
        super().__init__()
        self.roots: list[dict[str, Any]] = []
        self._lists: list[list[dict[str, Any]]] = []
        self._items: list[dict[str, Any]] = []
        self._depth_of_parts: list[bool] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "ul":
            is_parts = ("class", "parts") in attrs
            self._depth_of_parts.append(is_parts)
            if is_parts:
                self._lists.append(self._items[-1]["parts"] if self._lists else self.roots)
        elif tag == "li" and self._lists and self._depth_of_parts[-1]:
            item: dict[str, Any] = {"href": None, "text": "", "parts": []}
            self._lists[-1].append(item)
            self._items.append(item)
        elif tag == "a" and self._items and self._items[-1]["href"] is None:
            self._items[-1]["href"] = dict(attrs).get("href")

    def handle_endtag(self, tag: str) -> None:
        if tag == "ul" and self._depth_of_parts:
            if self._depth_of_parts.pop():
                self._lists.pop()
        elif tag == "li" and self._items and self._lists:
            self._items.pop()

    def handle_data(self, data: str) -> None:
        if self._items:
            self._items[-1]["text"] += data


def tree_of(page: Path) -> list[dict[str, Any]]:
    parser = _Tree()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.roots


def iri_of(page: Path) -> str:
    """The IRI a programme or initiative page shows in its first <code> element."""
    found = re.search(r"<p><code>(.*?)</code></p>", page.read_text(encoding="utf-8"))
    assert found, page
    return html.unescape(found.group(1))


def programme_pages(site: Path) -> dict[str, Path]:
    """The site's programme pages by the IRI of their programme (the index left out)."""
    return {
        iri_of(page): page
        for page in (site / "programmes").glob("*.html")
        if page.name != "index.html"
    }


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


def test_every_link_is_relative_and_resolves(site: Path, shipped: KnowledgeGraph) -> None:
    checked = 0
    targets: set[Path] = set()
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
                targets.add((page.parent / target).resolve())
                checked += 1
    assert checked > 100
    # the programme pages are among the pages checked, one per programme of the graph, and each
    # is reached by a link
    found = sorted((site / "programmes").glob("*.html"))
    assert len(found) == len(programmes_in(shipped)) + 1  # and their index
    assert len(programmes_in(shipped)) >= 6
    assert {page.resolve() for page in found} <= targets


def test_a_page_per_programme_with_its_iri(site: Path, shipped: KnowledgeGraph) -> None:
    pages = programme_pages(site)
    assert len(pages) == len(list((site / "programmes").glob("*.html"))) - 1
    assert sorted(pages) == sorted(programmes_in(shipped))
    index = (site / "programmes" / "index.html").read_text(encoding="utf-8")
    assert all(f'href="../programmes/{page.name}"' in index for page in pages.values())


def test_programme_pages_list_the_parts_the_graph_states(
    site: Path, shipped: KnowledgeGraph
) -> None:
    def linked(items: list[dict[str, Any]]) -> set[str]:
        found = set()
        for item in items:
            found.add(iri_of((page.parent / item["href"]).resolve()))
            found |= linked(item["parts"])
        return found

    pages = programme_pages(site)
    assert len(pages) == len(programmes_in(shipped))
    for programme, page in pages.items():
        assert linked(tree_of(page)) == parts_in(shipped, programme), page


def test_styrket_kvalitet_has_two_tracks_of_three_as_page_006_names_them(site: Path) -> None:
    # page 006 (De seks delinitiativer): two tracks, three sub-initiatives each; the periods are
    # those of the sub-initiatives' own pages (007-009, 036)
    page = programme_pages(site)[STYRKET_KVALITET]
    tracks = {
        " ".join(item["text"].split()): sorted(" ".join(i["text"].split()) for i in item["parts"])
        for item in tree_of(page)
    }
    assert tracks == {
        "Spor 1: En strategisk udvikling og omlægning samt styrkelse af viden og kompetencer "
        "no period given (programme page)": [
            "Kompetenceudvikling 2019\u20132022",
            "Partnerskab om strategisk udvikling og omlægning af socialpsykiatrien 2019\u20132022",
            "Udbredelse og forankring af viden om virksomme metoder og indsatser no period given",
        ],
        "Spor 2: Kvalitet og udvikling på de største ydelsesområder no period given "
        "(programme page)": [
            "Faglige pejlemærker for kvalitet i den socialpædagogiske bistand 2020\u20132021",
            "Guidelines til god faglig ledelse i socialpsykiatriske tilbud samt ledernetværk "
            "2019\u20132022",
            "Indsatskatalog om god kvalitet på botilbud 2019\u20132021",
        ],
    }
    assert "Period: 2019\u20132022" in page.read_text(encoding="utf-8")


def test_the_total_under_a_programme_is_the_catalogue_query_answer(
    site: Path, shipped: KnowledgeGraph
) -> None:
    pages = programme_pages(site)
    assert len(pages) == len(programmes_in(shipped))
    answered = 0
    for programme, page in pages.items():
        text = page.read_text(encoding="utf-8")
        section = text.split("<h2>Total under the programme</h2>")[1].split("<h2>")[0]
        answer = shipped.query("total-under-programme", {"programme": programme})
        shown = re.findall(r"<tr>(<td>.*?)</tr>", section)
        assert shown == [
            "".join(f"<td>{html.escape(str(value))}</td>" for value in row) for row in answer.rows
        ], page
        answered += bool(answer.rows)
    # the query answers for every programme with parts
    assert answered == len({p for p in programmes_in(shipped) if parts_in(shipped, p)})
    # page 001: the initiative "er finansieret med 8,8 mio. kr."; the 13 mio. kr. pool for the
    # partner municipalities is not a grant of the programme and is not added
    page = programme_pages(site)[STYRKET_KVALITET]
    assert "<td>8800000</td>" in page.read_text(encoding="utf-8")


def test_each_part_names_its_programme_and_the_index_groups_by_programme(
    site: Path, shipped: KnowledgeGraph
) -> None:
    pages = {iri_of(p): p for p in (site / "initiatives").glob("*.html") if p.name != "index.html"}
    programmes = programme_pages(site)
    edges = list(shipped.dataset.query(IKG + "SELECT DISTINCT ?c ?p { ?c ikg:partOf ?p }"))
    assert len(edges) >= 19
    for child, parent in edges:  # type: ignore[misc]
        text = pages[str(child)].read_text(encoding="utf-8")
        part_of = re.search(r"<p>Part of (.*?)</p>", text)
        assert part_of, child
        assert f'href="../programmes/{programmes[str(parent)].name}"' in part_of.group(1)
    index = (site / "initiatives" / "index.html").read_text(encoding="utf-8")
    grouped, alone = index.split("</nav>")[1].split("<h2>Not part of a programme</h2>")
    in_groups = set(re.findall(r'href="\.\./initiatives/([^"]+)"', grouped))
    in_alone = set(re.findall(r'href="\.\./initiatives/([^"]+)"', alone))
    # every initiative is listed, those in a programme under it and the others after them
    assert in_groups | in_alone == {page.name for page in pages.values()}
    wholes_and_parts = {str(c) for c, _ in edges} | programmes_in(shipped)  # type: ignore[has-type]
    assert {iri_of(site / "initiatives" / name) for name in in_groups} == wholes_and_parts
    assert not in_groups & in_alone


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
    # the project is part of a programme whose label is markup too
    evil_label = EVIL.replace(chr(34), chr(92) + chr(34))
    with evil_file.open("a", encoding="utf-8") as out:
        out.write(
            "\ninitiative:test-project ikg:partOf initiative:evil-programme .\n"
            f'initiative:evil-programme a ikg:Programme ; rdfs:label "{evil_label}"@da ;\n'
            "    prov:wasDerivedFrom source:test-page .\n"
        )
    kg = KnowledgeGraph.load([evil_file])
    build_site(kg, validate(kg), tmp_path / "evil-site")
    pages = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "evil-site").rglob("*.html"))
    assert "<script>window.pwned" not in pages
    assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;" in pages
    evil_page = programme_pages(tmp_path / "evil-site")[
        "https://w3id.org/initiative-kg/id/initiative/evil-programme"
    ]
    for page in (evil_page, tmp_path / "evil-site" / "programmes" / "index.html"):
        text = page.read_text(encoding="utf-8")
        assert "<script>window.pwned" not in text
        assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;" in text


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
             "programmes/index.html", "programmes/styrket-kvalitet-i-socialpsykiatrien.html",
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
