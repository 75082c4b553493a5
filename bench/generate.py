"""A synthetic catalogue of initiatives in the project's ontology, for the benchmark.

    python bench/generate.py --initiatives 10000 --seed 1 -o bench/out/n10000.ttl

Shaped like the real data and valid against the shapes by construction when loaded beside the
shipped graph (which gives the agencies and the municipalities and regions): every initiative
has Danish and English titles, a period, a lead agency, 2-6 municipalities, 1-3 grants (some
split into sub-allocations) under a few dozen funding agreements, target groups, intervention
elements (some coded), a parent programme for some, and its own source page. Nothing here is a
fact: every title says it is synthetic. ``--inject-errors K`` breaks K initiatives in known ways
(an end before the start) so that a test can count the violations.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

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


def municipality_codes(reference: Path) -> list[str]:
    import csv

    with reference.open(encoding="utf-8", newline="") as stream:
        return [row["code"] for row in csv.DictReader(stream)]


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
    parser.add_argument("--reference", type=Path,
                        default=Path(__file__).resolve().parents[1].parent / "shared" / "reference"
                        / "dk-municipalities.csv")  # fmt: skip
    arguments = parser.parse_args(argv)
    if arguments.initiatives < 1:
        parser.error("--initiatives must be at least 1")
    text = generate(arguments.initiatives, arguments.seed, municipality_codes(arguments.reference),
                    inject_errors=arguments.inject_errors)  # fmt: skip
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    temporary = arguments.output.with_suffix(".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(arguments.output)
    print(f"wrote {arguments.output} ({arguments.initiatives} initiatives)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
