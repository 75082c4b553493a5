"""Tests for scripts/generate_reference.py and the reference data it generates."""

from __future__ import annotations

import contextlib
import csv
import importlib.util
import io
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "generate_reference.py"
REFERENCE = REPO / "data" / "reference" / "sources"

REGIONS_TTL = Path("data/reference/regions.ttl")
MUNICIPALITIES_TTL = Path("data/reference/municipalities.ttl")
SHAPES_TTL = Path("ontology/shapes/reference-codes.shapes.ttl")
OUTPUTS = (REGIONS_TTL, MUNICIPALITIES_TTL, SHAPES_TTL)

IKG = Namespace("https://w3id.org/initiative-kg/ontology#")
IKD = Namespace("https://w3id.org/initiative-kg/id/")
SCHEMA = Namespace("https://schema.org/")
WD = Namespace("http://www.wikidata.org/entity/")


def run_script(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """The script as a user runs it, in a process of its own."""
    return subprocess.run(
        [sys.executable, str(SCRIPT), *(str(arg) for arg in args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=REPO,
        check=False,
    )


_loaded = importlib.util.spec_from_file_location("generate_reference", SCRIPT)
assert _loaded is not None and _loaded.loader is not None
GENERATE_REFERENCE = importlib.util.module_from_spec(_loaded)
sys.modules["generate_reference"] = GENERATE_REFERENCE  # its dataclasses look themselves up
_loaded.loader.exec_module(GENERATE_REFERENCE)


def call_script(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """The script's main() in this process (its exit code, stdout and stderr, as run_script
    gives them), for the many runs below: a new interpreter with rdflib costs a second each."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = GENERATE_REFERENCE.main([str(arg) for arg in args])
    return subprocess.CompletedProcess(["generate_reference.py", *map(str, args)], code,
                                       out.getvalue(), err.getvalue())  # fmt: skip


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def csv_row(path: Path, name: str) -> dict[str, str]:
    rows = [row for row in read_csv(path) if row["name"] == name]
    assert len(rows) == 1, f"expected one row named {name!r} in {path}"
    return rows[0]


def parse(*paths: Path) -> Graph:
    graph = Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def reference_graph() -> Graph:
    return parse(REPO / REGIONS_TTL, REPO / MUNICIPALITIES_TTL)


def test_help_describes_options() -> None:
    result = run_script("--help")
    assert result.returncode == 0
    for option in ("--reference", "--out", "--check", "data/reference/sources"):
        assert option in result.stdout


def test_check_passes_on_repository() -> None:
    result = run_script("--check", "--reference", REFERENCE)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_check_uses_default_reference_location() -> None:
    """Without --reference the script reads the CSVs kept in the repository, so a bare clone
    (nothing beside it) can check its reference data."""
    result = run_script("--check")
    assert result.returncode == 0, result.stderr
    assert "../" not in SCRIPT.read_text(encoding="utf-8")


def test_the_csvs_and_their_readme_are_in_the_repository() -> None:
    """The reference data's inputs and the account of their sources ship with the code."""
    assert len(read_csv(REFERENCE / "dk-regions.csv")) == 5
    assert len(read_csv(REFERENCE / "dk-municipalities.csv")) == 98
    readme = (REFERENCE / "README.md").read_text(encoding="utf-8")
    for source in ("aleksanderbl29/dawaR", "phil2strass/geo-api", "medcomdk/dk-ehmi-eer",
                   "magnuslarsen/geoJSON-Danish-Municipalities", "protomaps/basemaps"):  # fmt: skip
        assert source in readme, source
    for relpath in OUTPUTS:
        text = (REPO / relpath).read_text(encoding="utf-8")
        assert "data/reference/sources/" in text.splitlines()[0]
        assert "shared/" not in text, relpath


def test_counts_and_region_sizes(reference_graph: Graph) -> None:
    municipalities = parse(REPO / MUNICIPALITIES_TTL)
    regions = parse(REPO / REGIONS_TTL)
    assert len(set(municipalities.subjects(RDF.type, IKG.Municipality))) == 98
    assert len(set(regions.subjects(RDF.type, IKG.Region))) == 5
    # The municipality file links regions but does not describe them.
    assert len(set(municipalities.subjects(RDF.type, IKG.Region))) == 0

    sizes: Counter[str] = Counter()
    for municipality, region in reference_graph.subject_objects(IKG.inRegion):
        assert (municipality, RDF.type, IKG.Municipality) in reference_graph
        labels = list(reference_graph.objects(region, RDFS.label))
        assert len(labels) == 1, f"{region} should have exactly one label"
        sizes[str(labels[0])] += 1
    assert sizes == {
        "Region Hovedstaden": 29,
        "Region Sjælland": 17,
        "Region Syddanmark": 22,
        "Region Midtjylland": 19,
        "Region Nordjylland": 11,
    }


@pytest.mark.parametrize(
    ("name", "code", "region_name"),
    [("Aalborg", "851", "Region Nordjylland"), ("Vejle", "630", "Region Syddanmark")],
)
def test_municipality_matches_csv(
    reference_graph: Graph, name: str, code: str, region_name: str
) -> None:
    row = csv_row(REFERENCE / "dk-municipalities.csv", name)
    region_row = csv_row(REFERENCE / "dk-regions.csv", region_name)
    assert row["code"] == code
    assert row["region_code"] == region_row["code"]
    assert row["region_name"] == region_name

    municipality = IKD[f"municipality/{row['code']}"]
    region = IKD[f"region/{row['region_code']}"]
    graph = reference_graph
    assert (municipality, RDF.type, IKG.Municipality) in graph
    assert (municipality, IKG.municipalityCode, Literal(row["code"])) in graph
    assert (municipality, RDFS.label, Literal(name, lang="da")) in graph
    assert (municipality, IKG.inRegion, region) in graph
    assert (municipality, SCHEMA.sameAs, WD[row["wikidata"]]) in graph
    assert (region, RDFS.label, Literal(region_name, lang="da")) in graph
    assert (region, IKG.regionCode, Literal(region_row["code"])) in graph
    assert (region, SCHEMA.sameAs, WD[region_row["wikidata"]]) in graph


def test_output_layout() -> None:
    for relpath in OUTPUTS:
        data = (REPO / relpath).read_bytes()
        text = data.decode("utf-8")
        assert text.startswith("# Generated by scripts/generate_reference.py from ")
        assert text.endswith(".\n")
        assert "\r" not in text
        prefixes = [line for line in text.splitlines() if line.startswith("@prefix ")]
        assert prefixes == sorted(prefixes)
        # Every declared prefix is used.
        body = text.split("\n\n", 2)[2]
        for line in prefixes:
            prefix = line.split()[1]
            assert prefix in body, f"{relpath}: {prefix} declared but not used"


@pytest.mark.parametrize("tampered", OUTPUTS, ids=lambda path: path.name)
def test_check_detects_tampered_file(tmp_path: Path, tampered: Path) -> None:
    generated = call_script("--reference", REFERENCE, "--out", tmp_path)
    assert generated.returncode == 0, generated.stderr
    for relpath in OUTPUTS:
        assert (tmp_path / relpath).read_bytes() == (REPO / relpath).read_bytes()
    assert call_script("--check", "--reference", REFERENCE, "--out", tmp_path).returncode == 0

    target = tmp_path / tampered
    target.write_text(target.read_text(encoding="utf-8").replace(" ;", "  ;", 1), "utf-8")
    result = call_script("--check", "--reference", REFERENCE, "--out", tmp_path)
    assert result.returncode == 1
    assert str(tampered) in result.stderr
    for other in OUTPUTS:
        if other != tampered:
            assert other.name not in result.stderr

    target.unlink()
    result = call_script("--check", "--reference", REFERENCE, "--out", tmp_path)
    assert result.returncode == 1
    assert str(tampered) in result.stderr
    assert not target.exists(), "--check must not write"


def test_generation_is_idempotent(tmp_path: Path) -> None:
    assert call_script("--reference", REFERENCE, "--out", tmp_path).returncode == 0
    first = {relpath: (tmp_path / relpath).read_bytes() for relpath in OUTPUTS}
    assert call_script("--reference", REFERENCE, "--out", tmp_path).returncode == 0
    assert {relpath: (tmp_path / relpath).read_bytes() for relpath in OUTPUTS} == first
    leftovers = [path.name for path in tmp_path.rglob("*") if path.name.endswith(".tmp")]
    assert leftovers == []


def copy_reference(tmp_path: Path) -> Path:
    reference = tmp_path / "reference"
    reference.mkdir()
    for name in ("dk-regions.csv", "dk-municipalities.csv"):
        shutil.copyfile(REFERENCE / name, reference / name)
    return reference


def edit_municipality(reference: Path, name: str, column: str, value: str) -> int:
    """Set one field of the row for `name`; return that row's line number in the file."""
    path = reference / "dk-municipalities.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    for index, line in enumerate(lines):
        fields = line.split(",")
        if fields[header.index("name")] == name:
            fields[header.index(column)] = value
            lines[index] = ",".join(fields)
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            return index + 1
    raise AssertionError(f"no row named {name!r}")


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("region_code", "9999"),
        ("code", "85x"),
        ("code", "8 51"),
        ("code", "630"),  # duplicate of Vejle
        ("wikidata", "not-a-qid"),
    ],
)
def test_bad_csv_is_rejected(tmp_path: Path, column: str, value: str) -> None:
    reference = copy_reference(tmp_path)
    line = edit_municipality(reference, "Aalborg", column, value)
    out = tmp_path / "out"
    out.mkdir()
    result = call_script("--reference", reference, "--out", out)
    assert result.returncode == 2
    assert f"dk-municipalities.csv:{line}:" in result.stderr
    assert value in result.stderr
    assert list(out.rglob("*")) == []


def test_missing_column_is_rejected(tmp_path: Path) -> None:
    reference = copy_reference(tmp_path)
    path = reference / "dk-regions.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("wikidata", "qid", 1), encoding="utf-8"
    )
    out = tmp_path / "out"
    result = call_script("--reference", reference, "--out", out)
    assert result.returncode == 2
    assert "dk-regions.csv:1:" in result.stderr
    assert "wikidata" in result.stderr
    assert not out.exists()


def test_missing_file_is_rejected(tmp_path: Path) -> None:
    reference = copy_reference(tmp_path)
    (reference / "dk-municipalities.csv").unlink()
    out = tmp_path / "out"
    result = call_script("--reference", reference, "--out", out)
    assert result.returncode == 2
    assert "dk-municipalities.csv" in result.stderr
    assert not out.exists()


def test_bad_input_leaves_existing_files_alone(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert call_script("--reference", REFERENCE, "--out", out).returncode == 0
    before = {relpath: (out / relpath).read_bytes() for relpath in OUTPUTS}
    reference = copy_reference(tmp_path)
    edit_municipality(reference, "Vejle", "region_code", "9999")
    assert call_script("--reference", reference, "--out", out).returncode == 2
    assert {relpath: (out / relpath).read_bytes() for relpath in OUTPUTS} == before


def test_literals_are_escaped(tmp_path: Path) -> None:
    reference = copy_reference(tmp_path)
    tricky = 'Aal"borg\\By'
    edit_municipality(reference, "Aalborg", "name", tricky)
    out = tmp_path / "out"
    result = call_script("--reference", reference, "--out", out)
    assert result.returncode == 0, result.stderr
    graph = parse(out / MUNICIPALITIES_TTL)
    aalborg = URIRef(IKD["municipality/851"])
    assert (aalborg, RDFS.label, Literal(tricky, lang="da")) in graph
