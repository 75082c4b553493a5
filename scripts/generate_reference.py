#!/usr/bin/env python3
"""Generate the Danish region and municipality reference data as Turtle.

Reads ``dk-regions.csv`` and ``dk-municipalities.csv`` from ``data/reference/sources/``
(its ``README.md`` says what they contain and where they come from) and writes three
hand-laid-out Turtle files:

* ``data/reference/regions.ttl``
* ``data/reference/municipalities.ttl``
* ``ontology/shapes/reference-codes.shapes.ttl``

The Turtle text is built by this script, not serialised by rdflib, so that the layout is
stable and readable; rdflib is only used to parse the result as a self-check.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

REPO = Path(__file__).resolve().parents[1]

REGIONS_CSV = "dk-regions.csv"
MUNICIPALITIES_CSV = "dk-municipalities.csv"
REGION_COLUMNS = ("code", "name", "wikidata")
MUNICIPALITY_COLUMNS = ("code", "name", "region_code", "region_name", "wikidata")

REGIONS_TTL = Path("data/reference/regions.ttl")
MUNICIPALITIES_TTL = Path("data/reference/municipalities.ttl")
SHAPES_TTL = Path("ontology/shapes/reference-codes.shapes.ttl")

# The CSVs live in the repository, beside the Turtle generated from them. The generated files
# always name them by this location, whatever --reference says, so that the output depends
# only on the CSV contents.
REFERENCE_LABEL = "data/reference/sources"
DEFAULT_REFERENCE = REPO / REFERENCE_LABEL

EXIT_OK = 0
EXIT_STALE = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3

PREFIXES: dict[str, str] = {
    "dcterms": "http://purl.org/dc/terms/",
    "graph": "https://w3id.org/initiative-kg/id/graph/",
    "ikg": "https://w3id.org/initiative-kg/ontology#",
    "ikgsh": "https://w3id.org/initiative-kg/shapes#",
    "municipality": "https://w3id.org/initiative-kg/id/municipality/",
    "org": "http://www.w3.org/ns/org#",
    "orgtype": "https://w3id.org/initiative-kg/vocab/organisation-type/",
    "prov": "http://www.w3.org/ns/prov#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "region": "https://w3id.org/initiative-kg/id/region/",
    "schema": "https://schema.org/",
    "sh": "http://www.w3.org/ns/shacl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "source": "https://w3id.org/initiative-kg/id/source/",
    "wd": "http://www.wikidata.org/entity/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

CODE_RE = re.compile(r"[0-9]+")
QID_RE = re.compile(r"Q[1-9][0-9]*")
# Local names this script emits: letters, digits, '-', '_' and '/' (escaped as '\/').
LOCAL_RE = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_/-]*[A-Za-z0-9_])?")
SH_IN_PER_LINE = 10


class InputError(Exception):
    """A problem with the reference CSVs, located by file and (where known) line."""

    def __init__(self, path: Path, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")


class BadInput(Exception):
    """All the input errors found, reported together."""

    def __init__(self, errors: Sequence[InputError]) -> None:
        self.errors = list(errors)
        super().__init__(f"{len(self.errors)} error(s) in the reference data")


class SelfCheckError(Exception):
    """The generated Turtle did not parse or did not contain what it should."""


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    wikidata: str
    line: int


@dataclass(frozen=True)
class Municipality:
    code: str
    name: str
    region_code: str
    wikidata: str
    line: int


@dataclass(frozen=True)
class Output:
    relpath: Path
    text: str
    check: Callable[[Graph], None]


# --------------------------------------------------------------------------------------------
# Reading and validating the CSVs


def read_rows(path: Path, columns: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    """Read a CSV with a header row; return (line number, row) pairs for the data rows."""
    rows: list[tuple[int, dict[str, str]]] = []
    line = 1
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, strict=True)
            header = next(reader, None)
            if header is None:
                raise InputError(path, 1, "file is empty; expected a header row")
            missing = [column for column in columns if column not in header]
            if missing:
                raise InputError(
                    path,
                    1,
                    f"missing column(s) {', '.join(missing)}; header is {','.join(header)!r}, "
                    f"expected {','.join(columns)!r}",
                )
            duplicated = sorted({column for column in header if header.count(column) > 1})
            if duplicated:
                raise InputError(path, 1, f"duplicate column(s) {', '.join(duplicated)}")
            while True:
                line = reader.line_num + 1
                fields = next(reader, None)
                if fields is None:
                    break
                if not fields:
                    continue  # blank line
                if len(fields) != len(header):
                    raise InputError(
                        path, line, f"expected {len(header)} fields, found {len(fields)}"
                    )
                rows.append((line, dict(zip(header, fields, strict=True))))
    except FileNotFoundError:
        raise InputError(path, None, "file not found") from None
    except UnicodeDecodeError as error:
        raise InputError(
            path, None, f"not valid UTF-8 ({error.reason} at byte {error.start})"
        ) from None
    except csv.Error as error:
        raise InputError(path, line, f"malformed CSV: {error}") from None
    except OSError as error:
        raise InputError(path, None, f"cannot read: {error.strerror or error}") from None
    if not rows:
        raise InputError(path, None, "no data rows")
    return rows


def field(path: Path, line: int, row: dict[str, str], column: str) -> str:
    value = row[column]
    if not value:
        raise InputError(path, line, f"{column} is empty")
    if value != value.strip():
        raise InputError(path, line, f"{column} {value!r} has leading or trailing whitespace")
    return value


def code_field(path: Path, line: int, row: dict[str, str], column: str) -> str:
    value = field(path, line, row, column)
    if not CODE_RE.fullmatch(value):
        raise InputError(path, line, f"{column} {value!r} is not made of digits 0-9 only")
    if value.startswith("0"):
        raise InputError(
            path, line, f"{column} {value!r} has a leading zero; write codes without zero padding"
        )
    return value


def qid_field(path: Path, line: int, row: dict[str, str], column: str) -> str:
    value = field(path, line, row, column)
    if not QID_RE.fullmatch(value):
        raise InputError(path, line, f"{column} {value!r} is not a Wikidata QID like Q12345")
    return value


class Validator:
    """Collects every input error instead of stopping at the first one."""

    def __init__(self) -> None:
        self.errors: list[InputError] = []
        self.qids: dict[str, tuple[Path, int]] = {}

    def unique_qid(self, path: Path, line: int, qid: str) -> None:
        if qid in self.qids:
            other_path, other_line = self.qids[qid]
            where = f"line {other_line}" if other_path == path else f"{other_path}:{other_line}"
            raise InputError(path, line, f"wikidata {qid} is already used on {where}")
        self.qids[qid] = (path, line)

    def regions(self, path: Path) -> list[Region]:
        try:
            rows = read_rows(path, REGION_COLUMNS)
        except InputError as error:
            self.errors.append(error)
            return []
        result: dict[str, Region] = {}
        for line, row in rows:
            try:
                code = code_field(path, line, row, "code")
                if code in result:
                    raise InputError(
                        path, line, f"duplicate code {code} (first on line {result[code].line})"
                    )
                region = Region(
                    code=code,
                    name=field(path, line, row, "name"),
                    wikidata=qid_field(path, line, row, "wikidata"),
                    line=line,
                )
                self.unique_qid(path, line, region.wikidata)
                result[code] = region
            except InputError as error:
                self.errors.append(error)
        return sorted(result.values(), key=lambda region: int(region.code))

    def municipalities(self, path: Path, regions: Sequence[Region]) -> list[Municipality]:
        try:
            rows = read_rows(path, MUNICIPALITY_COLUMNS)
        except InputError as error:
            self.errors.append(error)
            return []
        region_names = {region.code: region.name for region in regions}
        known = ", ".join(region_names) or "none could be read"
        result: dict[str, Municipality] = {}
        for line, row in rows:
            try:
                code = code_field(path, line, row, "code")
                if code in result:
                    raise InputError(
                        path, line, f"duplicate code {code} (first on line {result[code].line})"
                    )
                region_code = code_field(path, line, row, "region_code")
                if region_code not in region_names:
                    raise InputError(
                        path,
                        line,
                        f"region_code {region_code} is not a region code in {REGIONS_CSV} "
                        f"({known})",
                    )
                region_name = field(path, line, row, "region_name")
                if region_name != region_names[region_code]:
                    raise InputError(
                        path,
                        line,
                        f"region_name {region_name!r} does not match {REGIONS_CSV}, which names "
                        f"region {region_code} {region_names[region_code]!r}",
                    )
                municipality = Municipality(
                    code=code,
                    name=field(path, line, row, "name"),
                    region_code=region_code,
                    wikidata=qid_field(path, line, row, "wikidata"),
                    line=line,
                )
                self.unique_qid(path, line, municipality.wikidata)
                result[code] = municipality
            except InputError as error:
                self.errors.append(error)
        return sorted(result.values(), key=lambda municipality: int(municipality.code))


# --------------------------------------------------------------------------------------------
# Writing Turtle text

_STRING_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
}


def turtle_string(value: str) -> str:
    """A double-quoted Turtle string literal (without language tag or datatype)."""
    parts: list[str] = []
    for char in value:
        if char in _STRING_ESCAPES:
            parts.append(_STRING_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            parts.append(f"\\u{ord(char):04X}")
        else:
            parts.append(char)
    return '"' + "".join(parts) + '"'


def lang(value: str, tag: str) -> str:
    return f"{turtle_string(value)}@{tag}"


class TurtleDoc:
    """Builds one Turtle file, declaring exactly the prefixes its terms use."""

    def __init__(self, sources: Sequence[str]) -> None:
        self.sources = sources
        self.used: set[str] = set()
        self.blocks: list[str] = []

    def term(self, prefix: str, local: str) -> str:
        if prefix not in PREFIXES:
            raise ValueError(f"unknown prefix {prefix!r}")
        if not LOCAL_RE.fullmatch(local):
            raise ValueError(f"unexpected local name {local!r}")
        self.used.add(prefix)
        # '/' is not allowed unescaped in a Turtle prefixed name (PN_LOCAL); '\/' is.
        return f"{prefix}:{local.replace('/', chr(92) + '/')}"

    def block(self, subject: str, rdf_type: str, pairs: Sequence[tuple[str, str]]) -> None:
        lines = [f"{subject} a {rdf_type} ;"]
        for index, (predicate, obj) in enumerate(pairs):
            end = " ." if index == len(pairs) - 1 else " ;"
            lines.append(f"    {predicate} {obj}{end}")
        self.blocks.append("\n".join(lines))

    def render(self) -> str:
        sources = " and ".join(f"{REFERENCE_LABEL}/{name}" for name in self.sources)
        header = (
            f"# Generated by scripts/generate_reference.py from {sources}. "
            "Do not edit by hand; run the script."
        )
        prefixes = [f"@prefix {prefix}: <{PREFIXES[prefix]}> ." for prefix in sorted(self.used)]
        return "\n\n".join([header + "\n\n" + "\n".join(prefixes), *self.blocks]) + "\n"


def graph_and_source_blocks(
    doc: TurtleDoc,
    graph_local: str,
    graph_labels: tuple[str, str],
    source_local: str,
    csv_name: str,
    description: str,
) -> str:
    """Add the graph and source description blocks; return the source term."""
    source = doc.term("source", source_local)
    label_da, label_en = graph_labels
    doc.block(
        doc.term("graph", graph_local),
        doc.term("ikg", "ReferenceGraph"),
        [
            (doc.term("rdfs", "label"), f"{lang(label_da, 'da')} , {lang(label_en, 'en')}"),
            (doc.term("prov", "wasDerivedFrom"), source),
        ],
    )
    doc.block(
        source,
        doc.term("ikg", "ReferenceSource"),
        [
            (doc.term("rdfs", "label"), f"{lang(csv_name, 'da')} , {lang(csv_name, 'en')}"),
            (doc.term("dcterms", "identifier"), turtle_string(csv_name)),
            (doc.term("dcterms", "description"), lang(description, "en")),
        ],
    )
    return source


def regions_turtle(regions: Sequence[Region]) -> str:
    doc = TurtleDoc([REGIONS_CSV])
    codes = [region.code for region in regions]
    description = (
        f"The {len(regions)} Danish regions with their DAGI/DAWA region codes "
        f"({codes[0]}\u2013{codes[-1]}), names and Wikidata identifiers, taken from the "
        "DAWA/Dataforsyningen API and cross-checked against Danmarks Statistik, MedCom and "
        f"protomaps sources as described in {REFERENCE_LABEL}/README.md."
    )
    source = graph_and_source_blocks(
        doc,
        "reference-regions",
        ("Danske regioner (referencedata)", "Danish regions (reference data)"),
        "dk-regions-csv",
        REGIONS_CSV,
        description,
    )
    for region in regions:
        doc.block(
            doc.term("region", region.code),
            doc.term("ikg", "Region"),
            [
                (doc.term("rdfs", "label"), lang(region.name, "da")),
                (doc.term("org", "classification"), doc.term("orgtype", "region")),
                (doc.term("ikg", "regionCode"), turtle_string(region.code)),
                (doc.term("schema", "sameAs"), doc.term("wd", region.wikidata)),
                (doc.term("prov", "wasDerivedFrom"), source),
            ],
        )
    return doc.render()


def municipalities_turtle(municipalities: Sequence[Municipality]) -> str:
    doc = TurtleDoc([MUNICIPALITIES_CSV])
    description = (
        f"The {len(municipalities)} Danish municipalities with their 3-digit kommunekode "
        "(the DAWA code less its zero padding, e.g. 851 for 0851), name, region and Wikidata "
        "identifier, taken from the DAWA/Dataforsyningen API with codes, names and regions "
        "cross-checked against Danmarks Statistik and MedCom; Christians\u00f8 (411) is left "
        "out because it belongs to no municipality, and the municipality Wikidata QIDs come "
        "from one machine-generated source and are not independently cross-checked "
        f"(see {REFERENCE_LABEL}/README.md)."
    )
    source = graph_and_source_blocks(
        doc,
        "reference-municipalities",
        ("Danske kommuner (referencedata)", "Danish municipalities (reference data)"),
        "dk-municipalities-csv",
        MUNICIPALITIES_CSV,
        description,
    )
    for municipality in municipalities:
        doc.block(
            doc.term("municipality", municipality.code),
            doc.term("ikg", "Municipality"),
            [
                (doc.term("rdfs", "label"), lang(municipality.name, "da")),
                (doc.term("org", "classification"), doc.term("orgtype", "municipality")),
                (doc.term("ikg", "municipalityCode"), turtle_string(municipality.code)),
                (
                    doc.term("ikg", "inRegion"),
                    doc.term("region", municipality.region_code),
                ),
                (doc.term("schema", "sameAs"), doc.term("wd", municipality.wikidata)),
                (doc.term("prov", "wasDerivedFrom"), source),
            ],
        )
    return doc.render()


def code_list(codes: Sequence[str], indent: str) -> str:
    """An RDF list of string literals, a few per line."""
    lines = [
        indent + "    " + " ".join(turtle_string(code) for code in codes[i : i + SH_IN_PER_LINE])
        for i in range(0, len(codes), SH_IN_PER_LINE)
    ]
    return "(\n" + "\n".join(lines) + "\n" + indent + ")"


def code_shape(
    doc: TurtleDoc,
    shape: str,
    labels: tuple[str, str],
    target_class: str,
    path: str,
    codes: Sequence[str],
    messages: tuple[str, str],
) -> None:
    label_da, label_en = labels
    message_da, message_en = messages
    indent = "        "
    term = doc.term
    property_shape = "\n".join(
        [
            "[",
            f"{indent}{term('sh', 'path')} {term('ikg', path)} ;",
            f"{indent}{term('sh', 'minCount')} 1 ;",
            f"{indent}{term('sh', 'maxCount')} 1 ;",
            f"{indent}{term('sh', 'in')} {code_list(codes, indent)} ;",
            f"{indent}{term('sh', 'severity')} {term('sh', 'Violation')} ;",
            f"{indent}{term('sh', 'message')} {lang(message_da, 'da')} ,",
            f"{indent}    {lang(message_en, 'en')}",
            "    ]",
        ]
    )
    doc.block(
        term("ikgsh", shape),
        term("sh", "NodeShape"),
        [
            (term("rdfs", "label"), f"{lang(label_da, 'da')} , {lang(label_en, 'en')}"),
            (term("sh", "targetClass"), term("ikg", target_class)),
            (term("sh", "property"), property_shape),
        ],
    )


def shapes_turtle(regions: Sequence[Region], municipalities: Sequence[Municipality]) -> str:
    doc = TurtleDoc([REGIONS_CSV, MUNICIPALITIES_CSV])
    m_csv = f"{REFERENCE_LABEL}/{MUNICIPALITIES_CSV}"
    r_csv = f"{REFERENCE_LABEL}/{REGIONS_CSV}"
    m_count = len(municipalities)
    r_count = len(regions)
    code_shape(
        doc,
        "MunicipalityCodeShape",
        ("Kommunekoder fra referencedata", "Municipality codes from the reference data"),
        "Municipality",
        "municipalityCode",
        [municipality.code for municipality in municipalities],
        (
            (
                "Kommunekoden mangler, er angivet mere end \u00e9n gang eller er ikke en af de "
                f"{m_count} officielle koder i referencedata ({m_csv})"
            ),
            (
                "The municipality code is missing, given more than once, or not one of the "
                f"{m_count} official codes in the reference data ({m_csv})"
            ),
        ),
    )
    code_shape(
        doc,
        "RegionCodeShape",
        ("Regionskoder fra referencedata", "Region codes from the reference data"),
        "Region",
        "regionCode",
        [region.code for region in regions],
        (
            (
                "Regionskoden mangler, er angivet mere end \u00e9n gang eller er ikke en af de "
                f"{r_count} officielle koder i referencedata ({r_csv})"
            ),
            (
                "The region code is missing, given more than once, or not one of the "
                f"{r_count} official codes in the reference data ({r_csv})"
            ),
        ),
    )
    return doc.render()


# --------------------------------------------------------------------------------------------
# Self-check


def iri(prefix: str, local: str) -> URIRef:
    return URIRef(PREFIXES[prefix] + local)


def count_instances(graph: Graph, rdf_class: URIRef) -> int:
    return len(set(graph.subjects(RDF.type, rdf_class)))


def expect_instances(rdf_class: URIRef, expected: int) -> Callable[[Graph], None]:
    def check(graph: Graph) -> None:
        found = count_instances(graph, rdf_class)
        if found != expected:
            raise SelfCheckError(f"expected {expected} instances of <{rdf_class}>, found {found}")

    return check


def parse_turtle(text: str, name: str) -> Graph:
    graph = Graph()
    try:
        graph.parse(data=text, format="turtle")
    except Exception as error:  # rdflib raises several unrelated exception types
        raise SelfCheckError(f"{name} does not parse as Turtle: {error}") from error
    return graph


def self_check(output: Output, text: str, name: str) -> None:
    if not text.endswith("\n"):
        raise SelfCheckError(f"{name} does not end in a newline")
    try:
        output.check(parse_turtle(text, name))
    except SelfCheckError as error:
        raise SelfCheckError(f"{name}: {error}") from error


# --------------------------------------------------------------------------------------------
# Files


def write_atomically(target: Path, data: bytes) -> None:
    """Write via a temporary file in the target's folder, then os.replace()."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        mode = target.stat().st_mode & 0o777
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    temp: Path | None = None
    try:
        with tempfile.NamedTemporaryFile(
            dir=target.parent, prefix=f".{target.name}.", suffix=".tmp", delete=False
        ) as handle:
            temp = Path(handle.name)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        temp.chmod(mode)
        temp.replace(target)
    except BaseException:
        if temp is not None:
            temp.unlink(missing_ok=True)
        raise


def build_outputs(reference: Path) -> list[Output]:
    validator = Validator()
    regions = validator.regions(reference / REGIONS_CSV)
    municipalities = validator.municipalities(reference / MUNICIPALITIES_CSV, regions)
    if validator.errors:
        raise BadInput(validator.errors)
    return [
        Output(
            REGIONS_TTL,
            regions_turtle(regions),
            expect_instances(iri("ikg", "Region"), len(regions)),
        ),
        Output(
            MUNICIPALITIES_TTL,
            municipalities_turtle(municipalities),
            expect_instances(iri("ikg", "Municipality"), len(municipalities)),
        ),
        Output(
            SHAPES_TTL,
            shapes_turtle(regions, municipalities),
            expect_instances(iri("sh", "NodeShape"), 2),
        ),
    ]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="generate_reference.py",
        description=(
            "Generate the Danish region and municipality reference graphs and the SHACL "
            "shapes that restrict region and municipality codes to the reference codes."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=f"""\
input (in the reference folder):
  {REGIONS_CSV}          columns {",".join(REGION_COLUMNS)}
  {MUNICIPALITIES_CSV}   columns {",".join(MUNICIPALITY_COLUMNS)}

output (under the output root):
  {REGIONS_TTL}
  {MUNICIPALITIES_TTL}
  {SHAPES_TTL}

exit status:
  0  files written (or, with --check, all files current)
  1  --check only: a file is missing or differs; each stale file is named on stderr
  2  bad input (file, line and problem on stderr); nothing is written
  3  internal error: the generated Turtle failed its self-check, or a write failed""",
    )
    parser.add_argument(
        "--reference",
        metavar="DIR",
        type=Path,
        help=(f"folder holding the reference CSVs (default: the repository's {REFERENCE_LABEL})"),
        default=DEFAULT_REFERENCE,
    )
    parser.add_argument(
        "--out",
        metavar="ROOT",
        type=Path,
        default=REPO,
        help="root under which the files are written (default: the repository, %(default)s)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help=(
            "write nothing; compare what would be generated with the files on disk byte for "
            "byte and exit 1 if any is missing or differs"
        ),
    )
    return parser.parse_args(argv)


def report(lines: Iterable[str]) -> None:
    for line in lines:
        print(line, file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    reference: Path = args.reference
    out: Path = args.out
    prog = "generate_reference.py"

    try:
        outputs = build_outputs(reference)
    except BadInput as bad:
        report(f"{prog}: error: {error}" for error in bad.errors)
        report([f"{prog}: nothing written"])
        return EXIT_BAD_INPUT

    try:
        for output in outputs:
            self_check(output, output.text, f"generated {output.relpath}")
    except SelfCheckError as error:
        report([f"{prog}: internal error: {error}", f"{prog}: nothing written"])
        return EXIT_INTERNAL

    if args.check:
        stale: list[str] = []
        for output in outputs:
            target = out / output.relpath
            if not target.is_file():
                stale.append(f"{prog}: stale: {target} (missing)")
            elif target.read_bytes() != output.text.encode("utf-8"):
                stale.append(f"{prog}: stale: {target} (differs from the generated text)")
        if stale:
            report(stale)
            report([f"{prog}: run scripts/generate_reference.py to regenerate"])
            return EXIT_STALE
        print(f"{prog}: all {len(outputs)} files are current")
        return EXIT_OK

    try:
        for output in outputs:
            target = out / output.relpath
            data = output.text.encode("utf-8")
            if target.is_file() and target.read_bytes() == data:
                print(f"{prog}: unchanged {target}")
                continue
            write_atomically(target, data)
            print(f"{prog}: wrote {target}")
        for output in outputs:
            target = out / output.relpath
            self_check(output, target.read_text(encoding="utf-8"), str(target))
    except SelfCheckError as error:
        report([f"{prog}: internal error: {error}"])
        return EXIT_INTERNAL
    except OSError as error:
        report([f"{prog}: error: cannot write: {error}"])
        return EXIT_INTERNAL
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
