"""How well ``ikg ingest`` reads the seed pages: each page's extraction against the curated
(stated) data, field by field, as precision and recall over all pages.

    python -m initiative_kg.ingest.accuracy --write docs/ingest-accuracy.md
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS
from rdflib.namespace import TIME as TIME_NS
from rdflib.term import Node

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
    facts["title"] = {str(stated.value(initiative, RDFS.label))}
    updated = stated.value(source, SCHEMA.dateModified)
    if updated is not None:
        facts["last_updated"] = {updated.toPython()} if isinstance(updated, Literal) else set()
    period = stated.value(initiative, IKG.period)
    if period is not None:
        start = stated.value(stated.value(period, TIME_NS.hasBeginning), TIME_NS.inXSDgYear)
        end = stated.value(stated.value(period, TIME_NS.hasEnd), TIME_NS.inXSDgYear)
        facts["period"] = {(int(str(start)), int(str(end)))}
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


def _amounts(graph: Graph, grant: Node) -> set[Any]:
    amount = graph.value(grant, SCHEMA.amount)
    value = graph.value(amount, SCHEMA.value) if amount is not None else None
    return {Decimal(str(value))} if value is not None else set()


def score(seeds: Iterable[Path], kg: KnowledgeGraph) -> list[FieldScore]:
    coded = kg.coded_graphs()
    stated = Graph()
    for context in kg.dataset.graphs():
        if context.identifier not in coded:
            stated += context
    totals = {name: [0, 0, 0] for name in FIELDS}
    for seed in seeds:
        extraction, _ = ingest(seed, known=kg.union())
        source = next(iter(stated.subjects(DCTERMS.identifier, Literal(seed.stem))), None)
        curated = (
            curated_facts(stated, source)
            if isinstance(source, URIRef)
            else {n: set() for n in FIELDS}
        )
        found = extracted_facts(extraction)
        for name in FIELDS:
            totals[name][0] += len(found[name] & curated[name])
            totals[name][1] += len(found[name])
            totals[name][2] += len(curated[name])
    return [FieldScore(name, *totals[name]) for name in FIELDS]


def render(scores: list[FieldScore]) -> str:
    lines = [
        "# Ingest accuracy",
        "",
        "What `ikg ingest` reads from the five seed pages, compared field by field with the",
        "curated data (what the pages state; analyst coding left out). Precision: the share of",
        "extracted values that are right; recall: the share of curated values that were found.",
        "The rules were written while reading these same pages, so these are upper bounds for",
        "unseen pages. `tests/test_ingest.py` fails if a field drops below the figures here.",
        "Regenerate: `python -m initiative_kg.ingest.accuracy --write docs/ingest-accuracy.md`.",
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


def recorded(markdown: str) -> dict[str, tuple[float, float]]:
    rows = re.findall(r"^\| (\w+) \| ([\d.]+) \| ([\d.]+) \|", markdown, flags=re.MULTILINE)
    return {name: (float(p), float(r)) for name, p, r in rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--seeds",
        type=Path,
        default=Path(__file__).resolve().parents[3].parent / "shared" / "seeds",
    )
    parser.add_argument("--write", type=Path, help="write the Markdown table to this file")
    arguments = parser.parse_args()
    text = render(score(sorted(arguments.seeds.glob("*.txt")), KnowledgeGraph.load()))
    if arguments.write:
        arguments.write.write_text(text, encoding="utf-8")
    print(text, end="")


if __name__ == "__main__":
    main()
