"""How well ``ikg ingest`` reads a folder of pages: each page's extraction against the curated
(stated) data of the same page, field by field, as precision and recall over all pages.

An evaluation run by hand, on pages that need not be part of the repository (the five seed
pages are not), with the figures recorded in ``docs/ingest-accuracy.md``:

    python -m initiative_kg.ingest.accuracy PAGES_DIR --write docs/ingest-accuracy.md
    python -m initiative_kg.ingest.accuracy out/pages --data out/n20.ttl   # generated pages

Each page ``NAME.txt`` is compared with the source page whose ``dcterms:identifier`` is NAME in
the graph (the shipped graph, or ``--data`` files beside it); a page without one is an error
(exit 2), as is a folder without pages.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS
from rdflib.namespace import TIME as TIME_NS
from rdflib.term import Node

from initiative_kg.errors import InitiativeKGError
from initiative_kg.ingest.page import FIELDS, Extraction, ingest
from initiative_kg.namespaces import IKG, SCHEMA
from initiative_kg.store import KnowledgeGraph

Facts = dict[str, set[Any]]


@dataclass(frozen=True)
class FieldScore:
    field: str
    true_positives: int
    extracted: int
    curated: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.extracted if self.extracted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.curated if self.curated else 1.0


def extracted_facts(extraction: Extraction) -> Facts:
    period = extraction.period
    return {
        "title": {extraction.title} - {None},
        "period": {(_year(period.start), _year(period.end))} if period else set(),
        "last_updated": {extraction.last_updated} - {None},
        "target_groups": set(extraction.target_groups),
        "municipalities": set(extraction.municipalities.items()),
        "regions": set(extraction.regions.items()),
        "organisations": {
            (iri.rsplit("/", 1)[-1], role) for iri, role in extraction.organisations.items()
        },
        "counts": {(c.exact, c.low, c.high, c.noun) for c, _ in extraction.counts},
        "amounts": set(extraction.amounts),
        "funding_agreement": {extraction.funding_agreement} - {None},
        "parent": set(extraction.parent),
        "evidence": set(extraction.evidence),
    }


def _year(value: object) -> int:
    return value if isinstance(value, int) else int(str(value)[:4])


def curated_facts(stated: Graph, source: URIRef) -> Facts:
    """The same fields from the curated graph, keeping to what the page states."""
    initiative = stated.value(source, SCHEMA.mainEntity)
    facts: Facts = {name: set() for name in FIELDS}
    if initiative is None:
        return facts
    titles = {
        t.language: str(t) for t in stated.objects(initiative, RDFS.label) if isinstance(t, Literal)
    }
    facts["title"] = {titles.get("da") or titles.get(None) or next(iter(titles.values()))}
    updated = stated.value(source, SCHEMA.dateModified)
    if updated is not None:
        facts["last_updated"] = {updated.toPython()} if isinstance(updated, Literal) else set()
    period = stated.value(initiative, IKG.period)
    if period is not None:
        # a page may give the period in years, months or dates; the draft is compared by year
        start, end = (
            _instant_year(stated, stated.value(period, edge))
            for edge in (TIME_NS.hasBeginning, TIME_NS.hasEnd)
        )
        facts["period"] = {(start, end)}
    facts["target_groups"] = {
        str(t).rsplit("/", 1)[-1] for t in stated.objects(initiative, IKG.targetGroup)
    }
    for participation in stated.objects(initiative, PROV.qualifiedAssociation):
        agent = stated.value(participation, PROV.agent)
        role = str(stated.value(participation, PROV.hadRole)).rsplit("/", 1)[-1]
        if (agent, RDF.type, IKG.Municipality) in stated:
            facts["municipalities"].add((str(stated.value(agent, IKG.municipalityCode)), role))
        elif (agent, RDF.type, IKG.Region) in stated:
            facts["regions"].add((str(stated.value(agent, IKG.regionCode)), role))
        else:
            facts["organisations"].add((str(agent).rsplit("/", 1)[-1], role))
    for group in stated.objects(initiative, IKG.unnamedParticipants):
        kind = str(stated.value(group, IKG.participantType) or "").rsplit("/", 1)[-1]
        if kind in {"municipality", "region"}:
            bounds = (IKG.participantCount, IKG.participantCountMin, IKG.participantCountMax)
            values = [stated.value(group, p) for p in bounds]
            facts["counts"].add((*(int(str(v)) if v is not None else None for v in values), kind))
    for grant in stated.subjects(SCHEMA.fundedItem, initiative):
        facts["amounts"] |= _amounts(stated, grant)
        for part in stated.subjects(IKG.allocationOf, grant):
            facts["amounts"] |= _amounts(stated, part)
        agreement = stated.value(grant, IKG.fundingAgreement)
        if agreement is not None:
            facts["funding_agreement"].add(str(agreement))
    facts["parent"] = {
        str(stated.value(p, RDFS.label)) for p in stated.objects(initiative, IKG.partOf)
    }
    facts["evidence"] = {
        Decimal(str(stated.value(c, SCHEMA.value)))
        for c in stated.objects(initiative, IKG.citesEvidence)
        if str(stated.value(c, SCHEMA.unitText)) == "percent"
    }
    return facts


def _instant_year(graph: Graph, instant: Node | None) -> int:
    for written in (TIME_NS.inXSDgYear, TIME_NS.inXSDgYearMonth, TIME_NS.inXSDDate):
        value = graph.value(instant, written) if instant is not None else None
        if value is not None:
            return int(str(value)[:4])
    raise ValueError(f"an instant without a year, month or date: {instant}")


def _amounts(graph: Graph, grant: Node) -> set[Any]:
    amount = graph.value(grant, SCHEMA.amount)
    value = graph.value(amount, SCHEMA.value) if amount is not None else None
    return {Decimal(str(value))} if value is not None else set()


def stated_graph(kg: KnowledgeGraph) -> Graph:
    """What the pages state: every graph but the analyst-coded ones, in one rdflib graph."""
    coded = kg.coded_graphs()
    stated = Graph()
    for context in kg.dataset.graphs():
        if context.identifier not in coded:
            stated += context
    return stated


class NoCuratedPage(InitiativeKGError):
    """A page to evaluate has no curated counterpart, or there is no page at all."""


def pages_in(folder: Path) -> list[Path]:
    """The pages (``*.txt``) of a folder; an error if there are none, so that an evaluation
    never reports on nothing."""
    if not folder.is_dir():
        raise NoCuratedPage(f"{folder}: no such folder")
    pages = sorted(folder.glob("*.txt"))
    if not pages:
        raise NoCuratedPage(f"{folder}: no pages (*.txt) to evaluate")
    return pages


def score(pages: Iterable[Path], kg: KnowledgeGraph) -> list[FieldScore]:
    """Precision and recall per field over the pages, each against its curated source page."""
    stated = stated_graph(kg)
    known = kg.union()
    sources: dict[Path, URIRef] = {}
    for page in pages:
        source = next(iter(stated.subjects(DCTERMS.identifier, Literal(page.stem))), None)
        if not isinstance(source, URIRef) or stated.value(source, SCHEMA.mainEntity) is None:
            raise NoCuratedPage(
                f"{page}: the graph has no source page {page.stem!r} that describes an "
                "initiative, so there is nothing to compare the page's draft with"
            )
        sources[page] = source
    if not sources:
        raise NoCuratedPage("no pages to evaluate")
    totals = {name: [0, 0, 0] for name in FIELDS}
    for page, source in sources.items():
        extraction, _ = ingest(page, known=known)
        curated = curated_facts(stated, source)
        found = extracted_facts(extraction)
        for name in FIELDS:
            totals[name][0] += len(found[name] & curated[name])
            totals[name][1] += len(found[name])
            totals[name][2] += len(curated[name])
    return [FieldScore(name, *totals[name]) for name in FIELDS]


def render(scores: list[FieldScore], *, pages: int, folder: str) -> str:
    lines = [
        "# Ingest accuracy",
        "",
        f"What `ikg ingest` reads from {pages} pages (the folder `{folder}`), compared field by",
        "field with the curated data of the same pages (what the pages state; analyst coding",
        "left out). Precision: the share of extracted values that are right; recall: the share",
        "of curated values that were found. This is an evaluation run by hand, not a test:",
        "`python -m initiative_kg.ingest.accuracy PAGES_DIR --write docs/ingest-accuracy.md`.",
        "",
        "| field | precision | recall | right | extracted | curated |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {s.field} | {s.precision:.2f} | {s.recall:.2f} | {s.true_positives} | "
        f"{s.extracted} | {s.curated} |"
        for s in scores
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m initiative_kg.ingest.accuracy",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("pages", type=Path, metavar="PAGES_DIR", help="the folder of *.txt pages")
    parser.add_argument(
        "--data",
        type=Path,
        action="append",
        help="curated files or folders to compare with, beside the shipped data (repeatable)",
    )
    parser.add_argument("--write", type=Path, help="also write the Markdown table to this file")
    arguments = parser.parse_args(argv)
    try:
        pages = pages_in(arguments.pages)
        kg = KnowledgeGraph.load(arguments.data) if arguments.data else KnowledgeGraph.load()
        text = render(score(pages, kg), pages=len(pages), folder=arguments.pages.name)
    except InitiativeKGError as error:
        print(f"accuracy: error: {error}", file=sys.stderr)
        return 2
    if arguments.write:
        temporary = arguments.write.with_name(f".{arguments.write.name}.tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(arguments.write)
    print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
