"""A synthetic catalogue of initiatives in the project's ontology, for the benchmark.

    python bench/generate.py --initiatives 10000 --seed 1 -o bench/out/n10000.ttl

Shaped like the real data and valid against the shapes by construction when loaded beside the
shipped graph (which gives the agencies and the municipalities and regions): every initiative
has Danish and English titles, a period, a lead agency, 2-6 municipalities, 1-3 grants (some
split into sub-allocations) under a few dozen funding agreements, target groups, intervention
elements (some coded), a parent programme for some, and its own source page. Nothing here is a
fact: every title says it is synthetic. ``--inject-errors K`` breaks K initiatives in known ways
(an end before the start) so that a test can count the violations.

``--pages DIR`` also writes the text of each initiative's source page in the agency's layout
(``DIR/<identifier>.txt``: breadcrumb, title, headings such as "Projektperiode:", "Sidst
opdateret ..."), rendered from the graph just written, so that ``ikg ingest`` can be checked
against the graph the pages came from:

    python bench/generate.py --initiatives 20 -o out/n20.ttl --pages out/pages
    python -m initiative_kg.ingest.accuracy out/pages --data out/n20.ttl
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, TIME

AGENCIES = ["organisation:socialstyrelsen", "organisation:social-og-boligstyrelsen",
            "organisation:sundhedsstyrelsen"]  # fmt: skip
TARGET_GROUPS = ["relatives", "adult-relatives", "people-with-mental-health-difficulties",
                 "management", "service-staff", "case-officers"]  # fmt: skip
ELEMENTS = ["individual-support", "group-support", "teaching-coping", "peer-to-peer",
            "guidance-and-coordination", "family-and-network-support", "organisational-development"]  # fmt: skip
PREFIXES = """@prefix agreement: <https://w3id.org/initiative-kg/id/funding-agreement/> .
@prefix element: <https://w3id.org/initiative-kg/vocab/intervention-element/> .
@prefix grant: <https://w3id.org/initiative-kg/id/grant/> .
@prefix graph: <https://w3id.org/initiative-kg/id/graph/> .
@prefix ikg: <https://w3id.org/initiative-kg/ontology#> .
@prefix initiative: <https://w3id.org/initiative-kg/id/initiative/> .
@prefix municipality: <https://w3id.org/initiative-kg/id/municipality/> .
@prefix organisation: <https://w3id.org/initiative-kg/id/organisation/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix role: <https://w3id.org/initiative-kg/vocab/role/> .
@prefix schema: <https://schema.org/> .
@prefix source: <https://w3id.org/initiative-kg/id/source/> .
@prefix tg: <https://w3id.org/initiative-kg/vocab/target-group/> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


REPO = Path(__file__).resolve().parents[1]
# The reference data kept in the repository (data/reference/sources/README.md).
MUNICIPALITIES_CSV = REPO / "data" / "reference" / "sources" / "dk-municipalities.csv"
ORGANISATIONS_TTL = REPO / "data" / "actors" / "organisations.ttl"


def municipality_codes(reference: Path = MUNICIPALITIES_CSV) -> list[str]:
    return list(municipality_names(reference))


def municipality_names(reference: Path = MUNICIPALITIES_CSV) -> dict[str, str]:
    """Code -> name, as the reference data gives them."""
    with reference.open(encoding="utf-8", newline="") as stream:
        return {row["code"]: row["name"] for row in csv.DictReader(stream)}


def generate(count: int, seed: int, codes: list[str], *, inject_errors: int = 0) -> str:
    rng = random.Random(seed)
    agreements = max(3, min(36, count // 30 or 3))
    programmes = max(1, count // 50)
    broken = set(rng.sample(range(count), min(inject_errors, count)))
    parts = [PREFIXES, "graph:synthetic a ikg:StatedGraph ;",
             '    rdfs:label "Syntetiske initiativer til benchmark"@da ;',
             "    prov:wasDerivedFrom source:synthetic .",
             'source:synthetic a ikg:ReferenceSource ; rdfs:label "bench/generate.py"@da .',
             'source:synthetic-programmes a ikg:SourcePage ; dcterms:identifier "synthetic-programmes" ;',
             '    schema:url <https://example.org/synthetic-programmes> ; ikg:textComplete true ;',
             '    ikg:retrievedOn "2024-01-02"^^<http://www.w3.org/2001/XMLSchema#date> ;',
             '    schema:dateModified "2024-01-01"^^<http://www.w3.org/2001/XMLSchema#date> .']  # fmt: skip
    for index in range(agreements):
        start = 2010 + index % 12
        parts.append(
            f"agreement:synthetic-{index} a ikg:FundingAgreement ;\n"
            f'    rdfs:label "Syntetisk aftale {index} ({start}-{start + 3})"@da ;\n'
            "    prov:wasDerivedFrom source:synthetic ."
        )
    for index in range(programmes):
        parts.append(
            f"initiative:synthetic-programme-{index} a ikg:Programme ;\n"
            f'    rdfs:label "Syntetisk program {index}"@da ;\n'
            "    prov:wasDerivedFrom source:synthetic-programmes ."
        )
    for index in range(count):
        start = rng.randint(2010, 2026)
        end = start + rng.randint(0, 4)
        if index in broken:
            start, end = end + 1, start  # an end before the start: PeriodShape must catch it
        page = f"source:synthetic-{index}"
        lines = [
            f"{page} a ikg:SourcePage ;",
            f'    dcterms:identifier "synthetic-{index}" ;',
            f"    schema:url <https://example.org/synthetic-{index}> ; ikg:textComplete true ;",
            '    ikg:retrievedOn "2024-01-02"^^<http://www.w3.org/2001/XMLSchema#date> ;',
            '    schema:dateModified "2024-01-01"^^<http://www.w3.org/2001/XMLSchema#date> ;',
            f"    schema:mainEntity initiative:synthetic-{index} .",
            f"initiative:synthetic-{index} a ikg:Project ;",
            f'    rdfs:label "Syntetisk initiativ {index}"@da , "Synthetic initiative {index}"@en ;',
            f'    ikg:period [ time:hasBeginning [ time:inXSDgYear "{start}"^^<http://www.w3.org/2001/XMLSchema#gYear> ] ;',
            f'        time:hasEnd [ time:inXSDgYear "{end}"^^<http://www.w3.org/2001/XMLSchema#gYear> ] ] ;',
            f"    ikg:targetGroup tg:{rng.choice(TARGET_GROUPS)} ;",
            f'    ikg:purpose "Syntetisk formål {index}."@da ;',
        ]
        if rng.random() < 0.3:
            lines.append(
                f"    ikg:partOf initiative:synthetic-programme-{rng.randrange(programmes)} ;"
            )
        if rng.random() < 0.5:
            lines.append(f"    ikg:usesInterventionElement element:{rng.choice(ELEMENTS)} ;")
        associations = [
            f"[ a ikg:Participation ; prov:agent {rng.choice(AGENCIES)} ; prov:hadRole role:lead ]"
        ]
        for code in rng.sample(codes, rng.randint(2, 6)):
            associations.append(
                f"[ a ikg:Participation ; prov:agent municipality:{code} ; prov:hadRole role:participant ]"
            )
        lines.append("    prov:qualifiedAssociation " + " ,\n        ".join(associations) + " ;")
        lines.append(f"    prov:wasDerivedFrom {page} .")
        for number in range(rng.randint(1, 3)):
            grant = f"grant:synthetic-{index}-{number}"
            amount = rng.randint(5, 200) * 100_000
            lines += [
                f"{grant} a ikg:Grant ;",
                f'    rdfs:label "Syntetisk bevilling {index}-{number}"@da ;',
                f"    schema:fundedItem initiative:synthetic-{index} ;",
                f"    ikg:fundingAgreement agreement:synthetic-{rng.randrange(agreements)} ;",
                f'    schema:amount [ a schema:MonetaryAmount ; schema:value "{amount}"^^xsd:decimal ; schema:currency "DKK" ] ;',
                f"    prov:wasDerivedFrom {page} .",
            ]
            if rng.random() < 0.2:
                lines += [
                    f"{grant}-part a ikg:SubAllocation ;",
                    f'    rdfs:label "Syntetisk delbevilling {index}-{number}"@da ;',
                    f"    ikg:allocationOf {grant} ;",
                    f'    schema:amount [ a schema:MonetaryAmount ; schema:value "{amount // 2}"^^xsd:decimal ; schema:currency "DKK" ] ;',
                    f"    prov:wasDerivedFrom {page} .",
                ]
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


# ---------------------------------------------------------------------- pages

IKG = Namespace("https://w3id.org/initiative-kg/ontology#")
SCHEMA = Namespace("https://schema.org/")
ROLE = Namespace("https://w3id.org/initiative-kg/vocab/role/")
TG = "https://w3id.org/initiative-kg/vocab/target-group/"
# How a page words each target group the generator uses (the page's words, not a fact).
TARGET_GROUP_WORDING = {
    "relatives": "pårørende til mennesker med psykiske vanskeligheder",
    "adult-relatives": "voksne pårørende til mennesker med psykiske vanskeligheder",
    "people-with-mental-health-difficulties": "personer med psykiske vanskeligheder",
    "management": "den strategiske ledelse i kommunerne",
    "service-staff": "ledere og medarbejdere i de sociale tilbud",
    "case-officers": "medarbejdere på myndighedsområdet",
}


def danish_amount(value: Decimal) -> str:
    """9600000 -> '9,6 mio. kr.'; 950000 -> '950.000 kr.' (as the agency writes amounts)."""
    if value >= 1_000_000:
        millions = format((value / 1_000_000).normalize(), "f").replace(".", ",")
        return f"{millions} mio. kr."
    return f"{int(value):,} kr.".replace(",", ".")


def danish_list(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " og " + names[-1]


def _label(graph: Graph, node: object) -> str:
    labels = {label.language: str(label) for label in graph.objects(node, RDFS.label)
              if isinstance(label, Literal)}  # fmt: skip
    return labels.get("da") or labels[None]


def render_page(graph: Graph, page: URIRef, municipalities: dict[str, str]) -> str:
    """The text of one source page in the agency's layout, stating exactly what the graph says
    about its initiative: title, period, target group, purpose, lead, municipalities, grants
    (with sub-allocations), agreement, parent programme and the last-updated date."""
    initiative = graph.value(page, SCHEMA.mainEntity)
    title = _label(graph, initiative)
    period = graph.value(initiative, IKG.period)
    start = graph.value(graph.value(period, TIME.hasBeginning), TIME.inXSDgYear)
    end = graph.value(graph.value(period, TIME.hasEnd), TIME.inXSDgYear)
    lead, places = None, []
    for participation in graph.objects(initiative, PROV.qualifiedAssociation):
        agent = graph.value(participation, PROV.agent)
        if graph.value(participation, PROV.hadRole) == ROLE.lead:
            lead = _label(graph, agent)
        else:
            places.append(municipalities[str(agent).rsplit("/", 1)[-1]])
    groups = sorted(str(g)[len(TG) :] for g in graph.objects(initiative, IKG.targetGroup))
    lines = [f"Forside > Projekter og initiativer > {title}", "", title, "",
             f"{lead} gennemfører initiativet.", ""]  # fmt: skip
    for parent in sorted(graph.objects(initiative, IKG.partOf)):
        # the agency quotes a programme's name with typographic quotes (page 004)
        lines += [f"Initiativet hører under initiativet \u2019{_label(graph, parent)}\u2019.", ""]
    lines += ["Projektperiode:", "", f"{start} - {end}", "", "Målgruppe:", "",
              f"Initiativets målgruppe er {danish_list([TARGET_GROUP_WORDING[g] for g in groups])}.",
              "", "Formål:", "", str(graph.value(initiative, IKG.purpose)), "",
              "Samarbejdsparter:", "", f"Projektdeltagere: {danish_list(sorted(places))} Kommuner.",
              "", "Finansiering:", ""]  # fmt: skip
    funding = []
    for grant in sorted(graph.subjects(SCHEMA.fundedItem, initiative)):
        amount = Decimal(str(graph.value(graph.value(grant, SCHEMA.amount), SCHEMA.value)))
        agreement = _label(graph, graph.value(grant, IKG.fundingAgreement))
        sentence = f"Der er afsat {danish_amount(amount)} fra {agreement}"
        for part in sorted(graph.subjects(IKG.allocationOf, grant)):
            share = Decimal(str(graph.value(graph.value(part, SCHEMA.amount), SCHEMA.value)))
            sentence += f", hvoraf {danish_amount(share)} går til en delbevilling"
        funding.append(sentence + ".")
    lines += [" ".join(funding), ""]
    updated = graph.value(page, SCHEMA.dateModified)
    if updated is not None:
        year, month, day = str(updated).split("-")
        lines.append(f"Sidst opdateret {day}/{month} {year}")
    return "\n".join(lines) + "\n"


def write_pages(turtle: str, folder: Path, municipalities: dict[str, str]) -> int:
    """Render every source page that describes an initiative into ``folder`` (which must not
    exist or be empty), written in a temporary folder beside it and renamed into place."""
    if folder.exists() and any(folder.iterdir()):
        raise SystemExit(f"generate.py: error: {folder} exists and is not empty")
    graph = Graph().parse(data=turtle, format="turtle")
    graph.parse(ORGANISATIONS_TTL)  # the agencies' names
    folder.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        written = 0
        for page in graph.subjects(SCHEMA.mainEntity, None):
            identifier = graph.value(page, DCTERMS.identifier)
            if (page, RDF.type, IKG.SourcePage) in graph and identifier is not None:
                text = render_page(graph, page, municipalities)  # type: ignore[arg-type]
                (temporary / f"{identifier}.txt").write_text(text, encoding="utf-8")
                written += 1
        if folder.exists():
            folder.rmdir()
        temporary.replace(folder)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--initiatives", type=int, required=True, help="how many initiatives")
    parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same file)")
    parser.add_argument(
        "--inject-errors", type=int, default=0, help="initiatives to break on purpose"
    )
    parser.add_argument("-o", "--output", type=Path, required=True, help="the Turtle file to write")
    parser.add_argument("--reference", type=Path, default=MUNICIPALITIES_CSV,
                        help="the municipalities CSV (default: the repository's reference data)")  # fmt: skip
    parser.add_argument("--pages", type=Path,
                        help="also write each initiative's page text, in the agency's layout, into this new folder")  # fmt: skip
    arguments = parser.parse_args(argv)
    if arguments.initiatives < 1:
        parser.error("--initiatives must be at least 1")
    names = municipality_names(arguments.reference)
    text = generate(arguments.initiatives, arguments.seed, list(names),
                    inject_errors=arguments.inject_errors)  # fmt: skip
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    temporary = arguments.output.with_suffix(".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(arguments.output)
    print(f"wrote {arguments.output} ({arguments.initiatives} initiatives)", file=sys.stderr)
    if arguments.pages is not None:
        pages = write_pages(text, arguments.pages, names)
        print(f"wrote {pages} pages into {arguments.pages}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
