"""A static report site: plain HTML files with relative links, no server and no network needed.

Pages: an index with counts and the validation status; one page per initiative (every fact with
its source page, stated or coded), per programme (its parts as a tree with their periods, the
total under it, the organisations and the sources), per organisation (roles, initiatives,
collaborators) and per funding agreement; an index of the initiatives grouped by programme; a
timeline of the initiative periods; funding charts; the interactive
network; the query catalogue with each query's text and result; the ontology's documentation
(pyLODE). Every value from the graph is HTML-escaped, so a label is always shown as text.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import PROV, RDF, SKOS
from rdflib.term import Node

from initiative_kg import __version__
from initiative_kg.engines import QueryResult
from initiative_kg.errors import InitiativeKGError
from initiative_kg.fileio import folder_written_atomically
from initiative_kg.namespaces import IKG, SCHEMA, shorten
from initiative_kg.queries import catalogue, network_queries
from initiative_kg.store import KnowledgeGraph
from initiative_kg.validation import ValidationReport

logger = logging.getLogger(__name__)

SITE_NAME = "initiative-kg"

STYLE = """
body { font-family: Helvetica, Arial, sans-serif; max-width: 1100px; margin: 0 auto;
       padding: 0 1em 3em; color: #222; }
nav { padding: .8em 0; border-bottom: 1px solid #ddd; margin-bottom: 1em; }
nav a { margin-right: 1em; }
table { border-collapse: collapse; margin: .5em 0 1.5em; width: 100%; }
th, td { border: 1px solid #ddd; padding: 4px 6px; text-align: left; vertical-align: top;
         font-size: 14px; }
th { background: #f4f4f4; }
.coded { background: #fff6dd; }
.tag { font-size: 11px; padding: 1px 5px; border-radius: 3px; background: #e7eefb; }
.tag.coded { background: #ffe2a8; }
pre { background: #f7f7f7; padding: .8em; overflow-x: auto; font-size: 13px; }
.ok { color: #1a7f37; } .bad { color: #b3261e; }
.period { color: #555; font-size: 13px; }
ul.parts li { margin: .2em 0; }
"""
KIND_FOLDERS = {
    "initiative": "initiatives",
    "programme": "programmes",
    "organisation": "actors",
    "agreement": "agreements",
}


@dataclass(frozen=True)
class SiteReport:
    folder: Path
    pages: int


class _Site:
    """Knows every page's path, so that links between pages are relative and never dangle."""

    def __init__(self, kg: KnowledgeGraph, report: ValidationReport) -> None:
        self.kg = kg
        self.report = report
        self.union = kg.union()
        self.coded = kg.coded_graphs()
        self.pages: dict[str, str] = {}
        self.paths: dict[Node, str] = {}
        self.initiatives = self._select_initiatives()
        # (initiative, organisation, role): the edges of the initiative-actor projection
        self.participations = kg.engine("oxigraph").execute(
            network_queries()["initiative-actor"].text
        )
        self.actors = sorted(
            {row["target"] for row in self.participations if row["target"]}, key=str
        )
        self.agreements = sorted(self.union.subjects(RDF.type, IKG.FundingAgreement), key=str)
        # every link from a part to its programme, with both periods (the catalogue's query)
        self.tree = kg.query("programme-tree")
        self.parts: dict[Node, list[Node]] = {}
        self.parents: dict[Node, list[Node]] = {}
        for row in self.tree:
            parent, child = row["parent"], row["child"]
            if parent is not None and child is not None:
                self.parts.setdefault(parent, []).append(child)
                self.parents.setdefault(child, []).append(parent)
        # a programme is an ikg:Programme or anything the graph names parts of
        self.programmes = sorted(
            set(self.union.subjects(RDF.type, IKG.Programme)) | set(self.parts), key=str
        )
        self.programme_paths: dict[Node, str] = {}
        for folder, nodes, paths in (
            ("initiatives", self.initiatives, self.paths),
            ("actors", self.actors, self.paths),
            ("agreements", self.agreements, self.paths),
            ("programmes", self.programmes, self.programme_paths),
        ):
            used: set[str] = {"index"}
            for node in nodes:
                slug = _slug(str(node))
                while slug in used:
                    slug += "-"
                used.add(slug)
                paths[node] = f"{folder}/{slug}.html"

    # ------------------------------------------------------------------ selection

    def _select_initiatives(self) -> list[Node]:
        self.initiative_rows = self.kg.query("initiatives")
        return sorted(
            {row["initiative"] for row in self.initiative_rows if row["initiative"] is not None},
            key=str,
        )

    def period(self, node: Node) -> str:
        """The initiative's period in years as the initiatives query gives it."""
        spans = sorted(
            {
                (str(row["start"]), str(row["end"]))
                for row in self.initiative_rows
                if row["initiative"] == node and row["start"] is not None and row["end"] is not None
            }
        )
        return ", ".join(f"{start}\u2013{end}" for start, end in spans) or "no period given"

    def descendants(self, node: Node) -> set[Node]:
        """Every part of a programme, the parts of its parts and so on (safe on a cycle)."""
        found: set[Node] = set()
        waiting = list(self.parts.get(node, []))
        while waiting:
            part = waiting.pop()
            if part not in found:
                found.add(part)
                waiting.extend(self.parts.get(part, []))
        return found

    # ------------------------------------------------------------------ helpers

    def label(self, node: Node | None) -> str:
        if node is None:
            return ""
        return self.kg.label(node) or shorten(str(node))

    def link(self, node: Node | None, here: str, text: str | None = None) -> str:
        """A link to a node's page when it has one, else its name as text."""
        shown = html.escape(text if text is not None else self.label(node))
        if node is not None and node in self.paths:
            return f'<a href="{_relative(here, self.paths[node])}">{shown}</a>'
        return shown

    def programme_link(self, node: Node, here: str, text: str | None = None) -> str:
        """A link to a programme's page (every programme has one)."""
        shown = html.escape(text if text is not None else self.label(node))
        return f'<a href="{_relative(here, self.programme_paths[node])}">{shown}</a>'

    def parts_tree(self, programme: Node, here: str) -> str:
        """The parts of a programme as nested lists, each with its period. A part that is also
        reached through another part (a sub-initiative named with both its track and the
        programme) is shown under that part only, so every part is listed once per branch."""
        return self._parts_list(programme, here, (programme,))

    def _parts_list(self, parent: Node, here: str, above: tuple[Node, ...]) -> str:
        children = sorted(set(self.parts.get(parent, [])), key=lambda n: (self.label(n), str(n)))
        nested = {d for child in children for d in self.descendants(child) if d != child}
        items = []
        for child in children:
            if child in nested:
                continue
            notation = self.union.value(child, SKOS.notation)
            shown = self.link(child, here)
            if notation is not None:
                shown = f"{html.escape(str(notation))}: {shown}"
            extra = ""
            if child in self.programme_paths:
                extra = f" ({self.programme_link(child, here, 'programme page')})"
            if child in above:
                # never a silent loop: the data says a programme is a part of itself
                extra += " (a cycle: it is also one of the programmes above it)"
                below = ""
            else:
                below = self._parts_list(child, here, (*above, child))
            items.append(
                f'<li>{shown} <span class="period">{html.escape(self.period(child))}</span>'
                f"{extra}{below}</li>"
            )
        return f'<ul class="parts">{"".join(items)}</ul>' if items else ""

    def cell(self, value: Node | None, here: str) -> str:
        if value is None:
            return ""
        if isinstance(value, URIRef):
            if value in self.paths:
                return self.link(value, here)
            name = shorten(str(value))
            label = self.kg.label(value)
            return html.escape(f"{label} ({name})" if label and label != name else name)
        if isinstance(value, BNode):
            return html.escape(self._describe_blank(value))
        return html.escape(str(value))

    def _describe_blank(self, node: BNode) -> str:
        parts = []
        for predicate, obj in sorted(self.union.predicate_objects(node), key=lambda po: str(po[0])):
            if predicate == RDF.type:
                continue
            shown = self.label(obj) if isinstance(obj, URIRef) else str(obj)
            if isinstance(obj, BNode):
                shown = "[" + self._describe_blank(obj) + "]"
            parts.append(f"{shorten(str(predicate))} {shown}")
        return "; ".join(parts)

    def table(self, result: QueryResult, here: str) -> str:
        head = "".join(f"<th>{html.escape(c)}</th>" for c in result.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{self.cell(v, here)}</td>" for v in row) + "</tr>"
            for row in result.rows
        )
        return f"<table><tr>{head}</tr>{body}</table>" if result.rows else "<p>(no rows)</p>"

    def page(self, path: str, title: str, body: str) -> None:
        nav = " ".join(
            f'<a href="{_relative(path, target)}">{name}</a>'
            for name, target in (
                ("Overview", "index.html"),
                ("Initiatives", "initiatives/index.html"),
                ("Programmes", "programmes/index.html"),
                ("Organisations", "actors/index.html"),
                ("Funding", "funding.html"),
                ("Timeline", "timeline.html"),
                ("Network", "network.html"),
                ("Queries", "queries.html"),
                ("Ontology", "ontology/index.html"),
            )
        )
        self.pages[path] = (
            '<!doctype html>\n<html lang="da">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(_page_title(title))}</title>\n"
            f'<link rel="stylesheet" href="{_relative(path, "style.css")}">\n</head>\n<body>\n'
            f"<nav>{nav}</nav>\n<h1>{html.escape(title)}</h1>\n{body}\n"
            f"<footer><p><small>initiative-kg {html.escape(__version__)}</small></p></footer>\n"
            "</body>\n</html>\n"
        )

    # ------------------------------------------------------------------ pages

    def build(self) -> dict[str, str | bytes]:
        self._index()
        self._initiatives()
        self._programmes()
        self._actors()
        self._agreements()
        self._funding()
        self._timeline()
        self._queries()
        files: dict[str, str | bytes] = dict(self.pages)
        files["style.css"] = STYLE
        files["network.html"] = self._network()
        files["ontology/index.html"] = ontology_documentation()
        return files

    def _index(self) -> None:
        counts = self.report.counts()
        status = (
            '<p class="ok">The graph conforms to the shapes.</p>'
            if self.report.conforms
            else '<p class="bad">The graph does not conform to the shapes.</p>'
        )
        summary = self.kg.summary()
        rows = "".join(
            f"<tr><td>{html.escape(name)}</td><td>{count}</td></tr>"
            for name, count in summary.items()
        )
        sources = self.kg.query("sources")
        body = (
            "<p>A knowledge graph of Danish social-policy initiatives, built from the national "
            "social agency's initiative pages. Every fact names its source page; facts that an "
            'analyst inferred are marked <span class="tag coded">coded</span>.</p>'
            f"<h2>Validation</h2>{status}<p>{counts['violation']} violation(s), "
            f"{counts['warning']} warning(s), {counts['info']} info(s).</p>"
            "<h2>What the graph holds</h2>"
            f"<table><tr><th>what</th><th>count</th></tr>{rows}</table>"
            f"<h2>Sources</h2>{self.table(sources, 'index.html')}"
        )
        self.page("index.html", SITE_NAME, body)

    def _facts(self, node: Node, here: str) -> str:
        rows = []
        for _, predicate, value, context in sorted(
            self.kg.dataset.quads((node, None, None, None)),
            key=lambda q: (str(q[1]), str(q[2])),
        ):
            name = getattr(context, "identifier", context)
            coded = name in self.coded
            source = self._source_of(node, predicate, value, name)
            tag = (
                '<span class="tag coded">coded</span>'
                if coded
                else '<span class="tag">stated</span>'
            )
            rows.append(
                f'<tr class="{"coded" if coded else ""}">'
                f"<td>{html.escape(shorten(str(predicate)))}</td>"
                f"<td>{self.cell(value, here)}</td><td>{html.escape(source)}</td>"
                f"<td>{tag}</td></tr>"
            )
        return (
            "<table><tr><th>property</th><th>value</th><th>source</th><th></th></tr>"
            + "".join(rows)
            + "</table>"
        )

    def _source_of(self, subject: Node, predicate: Node, value: Node, graph: Any) -> str:
        from rdflib.namespace import DCTERMS, PROV

        coding = [
            c
            for c in self.union.subjects(RDF.subject, subject)
            if (c, RDF.predicate, predicate) in self.union and (c, RDF.object, value) in self.union
        ]
        holders = coding or [graph]
        pages = sorted(
            str(self.union.value(s, DCTERMS.identifier) or shorten(str(s)))
            for holder in holders
            for s in self.union.objects(holder, PROV.wasDerivedFrom)
        )
        return ", ".join(pages)

    def _initiatives_index(self) -> None:
        """The initiatives grouped by programme: a heading for each programme that is no part
        of another (with its parts below it, programmes within programmes nested), then the
        initiatives that belong to no programme."""
        here = "initiatives/index.html"
        shown: set[Node] = set()
        groups = []
        inside = {part for programme in self.programmes for part in self.descendants(programme)}
        top = [p for p in self.programmes if p not in inside]
        # programmes that only sit in a cycle of parts have no top; they get a heading too
        top += [p for p in self.programmes if p in inside and not self.parents.get(p)]
        for programme in sorted(top, key=lambda n: (self.label(n), str(n))):
            shown |= {programme} | self.descendants(programme)
            groups.append(self._group(programme, here))
        for programme in sorted(self.programmes, key=lambda n: (self.label(n), str(n))):
            if programme not in shown:  # a programme reached only through a cycle
                shown |= {programme} | self.descendants(programme)
                groups.append(self._group(programme, here))
        alone = [n for n in self.initiatives if n not in shown]
        items = "".join(
            f'<li>{self.link(n, here)} <span class="period">{html.escape(self.period(n))}</span>'
            "</li>"
            for n in sorted(alone, key=lambda n: (self.label(n), str(n)))
        )
        body = (
            f"<p>{len(self.initiatives)} initiatives, {len(self.programmes)} of them programmes "
            f'(see <a href="{_relative(here, "programmes/index.html")}">Programmes</a>). '
            "Each programme with its parts, then the initiatives that are part of no "
            "programme.</p>" + "".join(groups) + f"<h2>Not part of a programme</h2><ul>{items}</ul>"
        )
        self.page(here, "Initiatives", body)

    def _group(self, programme: Node, here: str) -> str:
        return (
            f"<h2>{self.link(programme, here)} "
            f'<span class="period">{html.escape(self.period(programme))}</span></h2>'
            f"<p>{self.programme_link(programme, here, 'Programme page')}</p>"
            + (self.parts_tree(programme, here) or "<p>(the graph names no parts)</p>")
        )

    def _membership(self, node: Node, here: str, *, own_page: bool = True) -> str:
        """The programmes an initiative is part of, and (``own_page``) its programme page."""
        lines = []
        parents = sorted(set(self.parents.get(node, [])), key=lambda n: (self.label(n), str(n)))
        if parents:
            lines.append(
                "<p>Part of "
                + ", ".join(
                    self.programme_link(p, here)
                    if p in self.programme_paths
                    else self.link(p, here)
                    for p in parents
                )
                + ".</p>"
            )
        if own_page and node in self.programme_paths:
            shown = self.programme_link(node, here, "its parts, total and organisations")
            lines.append(f"<p>A programme: {shown}.</p>")
        return "".join(lines)

    def _initiatives(self) -> None:
        self._initiatives_index()
        participants = self.participations
        grants = self.kg.query("grants")
        for node in self.initiatives:
            here = self.paths[node]
            people = QueryResult(
                "SELECT",
                ("actor", "role"),
                tuple(
                    sorted(
                        ((r["target"], r["role"]) for r in participants if r["source"] == node),
                        key=str,
                    )
                ),
            )
            money = QueryResult(
                "SELECT",
                ("grant", "agreement", "amountDKK"),
                tuple(
                    (r["grant"], r["agreement"], r["amountDKK"])
                    for r in grants
                    if r["initiative"] == node
                ),
            )
            body = (
                f"<p><code>{html.escape(str(node))}</code></p>"
                f"{self._membership(node, here)}"
                f"<h2>Facts</h2>{self._facts(node, here)}"
                f"<h2>Organisations</h2>{self.table(people, here)}"
                f"<h2>Funding</h2>{self.table(money, here)}"
            )
            self.page(here, self.label(node), body)

    def _programmes(self) -> None:
        here = "programmes/index.html"
        items = "".join(
            f"<li>{self.programme_link(node, here)} "
            f'<span class="period">{html.escape(self.period(node))}</span>, '
            f"{len(self.descendants(node))} part(s) named</li>"
            for node in sorted(self.programmes, key=lambda n: (self.label(n), str(n)))
        )
        self.page(
            here,
            "Programmes",
            "<p>Initiatives that group other initiatives as their parts (ikg:Programme, or "
            f"anything the graph names parts of).</p><ul>{items}</ul>",
        )
        for node in self.programmes:
            self._programme(node)

    def _programme(self, node: Node) -> None:
        here = self.programme_paths[node]
        family = {node} | self.descendants(node)
        tree = self.parts_tree(node, here)
        total = self.kg.query("total-under-programme", {"programme": str(node)})
        queries = _relative(here, "queries.html")
        people = QueryResult(
            "SELECT",
            ("actor", "role", "initiative"),
            tuple(
                sorted(
                    (
                        (r["target"], r["role"], r["source"])
                        for r in self.participations
                        if r["source"] in family
                    ),
                    key=lambda row: (self.label(row[0]), str(row[1]), self.label(row[2])),
                )
            ),
        )
        body = (
            f"<p><code>{html.escape(str(node))}</code></p>"
            f"<p>{self.link(node, here, 'Every fact about ' + self.label(node))} "
            "with its source is on its initiative page.</p>"
            f"<p>Period: {html.escape(self.period(node))}</p>"
            f"{self._membership(node, here, own_page=False)}"
            f"<h2>Parts</h2><p>{len(family) - 1} part(s) named in the graph, each with its "
            "period.</p>"
            + (tree or "<p>(the graph names no parts of this programme)</p>")
            + "<h2>Total under the programme</h2>"
            f'<p>From the catalogue query <a href="{queries}#total-under-programme">'
            "total-under-programme</a>: the grants to the programme and to its parts down to "
            "three levels, each grant counted once; pools for participants are not grants. "
            "It answers for a programme with parts only.</p>"
            + self.table(total, here)
            + f"<h2>Organisations taking part</h2>{self.table(people, here)}"
            + f"<h2>Sources</h2>{self.table(self._sources(family), here)}"
        )
        self.page(here, self.label(node), body)

    def _sources(self, nodes: set[Node]) -> QueryResult:
        """The source pages these initiatives are derived from (each states its own, as the
        initiative shape requires), with the page's address and the date it was read."""
        sources = {s for node in nodes for s in self.union.objects(node, PROV.wasDerivedFrom)}
        rows = []
        for source in sorted(sources, key=str):
            address = self.union.value(source, SCHEMA.url)
            rows.append(
                (
                    source,
                    Literal(str(address)) if address is not None else None,
                    self.union.value(source, SCHEMA.dateModified),
                    self.union.value(source, IKG.retrievedOn),
                )
            )
        columns = ("source", "address", "lastUpdated", "readOn")
        return QueryResult("SELECT", columns, tuple(rows))

    def _actors(self) -> None:
        items = "".join(f"<li>{self.link(node, 'actors/index.html')}</li>" for node in self.actors)
        self.page("actors/index.html", "Organisations", f"<ul>{items}</ul>")
        for node in self.actors:
            here = self.paths[node]
            roles = self.kg.query("roles-of-actor", {"actor": str(node)})
            partners = self.kg.query("collaborators", {"actor": str(node)})
            body = (
                f"<p><code>{html.escape(str(node))}</code></p>"
                f"<h2>Facts</h2>{self._facts(node, here)}"
                f"<h2>Roles in initiatives</h2>{self.table(roles, here)}"
                f"<h2>Collaborators</h2>{self.table(partners, here)}"
            )
            self.page(here, self.label(node), body)

    def _agreements(self) -> None:
        grants = self.kg.query("grants")
        for node in self.agreements:
            here = self.paths[node]
            own = QueryResult(
                "SELECT",
                ("grant", "initiative", "amountDKK"),
                tuple(
                    (r["grant"], r["initiative"], r["amountDKK"])
                    for r in grants
                    if r["agreement"] == node
                ),
            )
            body = f"<h2>Facts</h2>{self._facts(node, here)}<h2>Grants</h2>{self.table(own, here)}"
            self.page(here, self.label(node), body)

    def _funding(self) -> None:
        by_agreement = self.kg.query("funding-by-agreement")
        by_year = self.kg.query("funding-by-year")
        bars_agreement = [
            (
                self.label(r["agreement"]) if r["agreement"] else "(no agreement named)",
                _number(r["totalDKK"]),
            )
            for r in by_agreement
        ]
        bars_year = [(str(r["year"]), _number(r["totalDKK"])) for r in by_year]
        body = (
            "<h2>Per funding agreement</h2>"
            + bar_chart(bars_agreement, "DKK")
            + self.table(by_agreement, "funding.html")
            + "<h2>Per year</h2><p>Each grant spread evenly over its initiative's years.</p>"
            + bar_chart(bars_year, "DKK")
            + self.table(by_year, "funding.html")
        )
        self.page("funding.html", "Funding", body)

    def _timeline(self) -> None:
        rows = self.kg.query("initiatives")
        spans = []
        for row in rows:
            if row["start"] is not None and row["end"] is not None:
                spans.append(
                    (self.label(row["initiative"]), int(str(row["start"])), int(str(row["end"])))
                )
        self.page(
            "timeline.html",
            "Timeline of initiatives",
            timeline_chart(sorted(set(spans), key=lambda s: (s[1], s[0]))),
        )

    def _queries(self) -> None:
        parts = []
        for query_id, query in catalogue().items():
            result = self.kg.query(query_id, query.examples())
            params = ", ".join(f"{k} = {v}" for k, v in query.examples().items())
            parts.append(
                f'<h2 id="{html.escape(query_id)}">{html.escape(query.title)} '
                f"<small><code>{html.escape(query_id)}</code></small></h2>"
                f"<p>{html.escape(query.description)}</p>"
                + (f"<p>Parameters: {html.escape(params)}</p>" if params else "")
                + f"<pre>{html.escape(query.text)}</pre>{self.table(result, 'queries.html')}"
            )
        self.page("queries.html", "Query catalogue", "".join(parts))

    def _network(self) -> str:
        from initiative_kg.export import to_html
        from initiative_kg.network import project

        return to_html(
            project(self.kg, "actor-co-participation"), title="initiative-kg: who works with whom"
        )


def _number(value: Node | None) -> float:
    return float(str(value)) if isinstance(value, Literal) else 0.0


def bar_chart(bars: Sequence[tuple[str, float]], unit: str) -> str:
    """A horizontal bar chart as inline SVG."""
    if not bars:
        return "<p>(nothing to show)</p>"
    top = max(value for _, value in bars) or 1.0
    height = 26 * len(bars) + 10
    rows = []
    for index, (label, value) in enumerate(bars):
        y = 10 + index * 26
        width = 500 * value / top
        rows.append(
            f'<text x="0" y="{y + 14}" font-size="12">{html.escape(label[:60])}</text>'
            f'<rect x="420" y="{y}" width="{width:.1f}" height="18" fill="#1f77b4"></rect>'
            f'<text x="{425 + width:.1f}" y="{y + 14}" font-size="12">{value:,.0f} {unit}</text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="1080" height="{height}" role="img">'
        + "".join(rows)
        + "</svg>"
    )


def timeline_chart(spans: Iterable[tuple[str, int, int]]) -> str:
    spans = list(spans)
    if not spans:
        return "<p>(no periods)</p>"
    first, last = min(s[1] for s in spans), max(s[2] for s in spans)
    scale = 560 / max(1, last - first + 1)
    height = 30 * len(spans) + 40
    parts = [
        f'<text x="{420 + (year - first) * scale:.1f}" y="{height - 8}" font-size="11">'
        f"{year}</text>"
        for year in range(first, last + 1)
    ]
    for index, (label, start, end) in enumerate(spans):
        y = 10 + index * 30
        x = 420 + (start - first) * scale
        parts.append(
            f'<text x="0" y="{y + 14}" font-size="12">{html.escape(label[:62])}</text>'
            f'<rect x="{x:.1f}" y="{y}" width="{(end - start + 1) * scale:.1f}" height="18" '
            f'fill="#ff7f0e"><title>{start}-{end}</title></rect>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="{height}" role="img">'
        + "".join(parts)
        + "</svg>"
    )


def ontology_documentation() -> str:
    """The ontology's documentation by pyLODE, with links kept inside the page (offline)."""
    from initiative_kg.assets import layout

    try:
        from pylode import OntPub  # type: ignore[import-untyped]
    except ImportError as error:  # pragma: no cover - pylode is a dependency
        raise InitiativeKGError("the ontology documentation needs pyLODE") from error
    page = OntPub(ontology=str(layout().ontology_dir / "initiative-kg.ttl")).make_html(
        include_css=True
    )
    # External term IRIs stay visible as text; the site only links within itself.
    return re.sub(r'\s(?:href|src)="https?://[^"]*"', "", str(page))


def _page_title(title: str) -> str:
    """A page's title with the site's name after it, once (the overview is the site)."""
    return title if title == SITE_NAME else f"{title} - {SITE_NAME}"


def _slug(iri: str) -> str:
    local = re.split(r"[/#]", iri.rstrip("/"))[-1]
    return re.sub(r"[^A-Za-z0-9_-]+", "-", local).strip("-") or "resource"


def _relative(here: str, target: str) -> str:
    depth = here.count("/")
    return "../" * depth + target


def build_site(
    kg: KnowledgeGraph, report: ValidationReport, folder: Path, *, overwrite: bool = False
) -> SiteReport:
    """Write the site into ``folder`` (built beside it and renamed into place)."""
    files = _Site(kg, report).build()
    with folder_written_atomically(Path(folder), overwrite=overwrite) as staging:
        for name, content in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
    return SiteReport(Path(folder), len(files))
