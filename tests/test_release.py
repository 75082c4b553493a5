"""ikg build: release dumps that re-load as the graph, a VoID/DCAT description, checksums."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, RDF, VOID
from typer.testing import CliRunner

from initiative_kg import release
from initiative_kg.cli import app
from initiative_kg.release import build, checksums_match
from initiative_kg.store import KnowledgeGraph
from tests.conftest import TEST_DATA

runner = CliRunner()
RELEASED = [
    "SHA256SUMS",
    "initiative-kg.jsonld",
    "initiative-kg.nq",
    "initiative-kg.ttl",
    "void.ttl",
]
PEOPLE = ["Trine Bang Nielsen", "Maria Lincke Løkke", "Mette Strunge Dubert", "Hanne Langeland",
          "Nanna Koch Hansen", "41 93 25 00", "41 93 24 26", "50 81 09 48"]  # fmt: skip


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory, shipped: KnowledgeGraph) -> Path:
    folder = tmp_path_factory.mktemp("release") / "v1"
    build(shipped, folder, sparql_endpoint="http://127.0.0.1:8890/sparql")
    return folder


def test_the_dumps_reload_isomorphic_to_the_graph(released: Path, shipped: KnowledgeGraph) -> None:
    turtle = Graph().parse(released / "initiative-kg.ttl")
    assert isomorphic(turtle, shipped.union())
    for name, rdf_format in (("initiative-kg.nq", "nquads"), ("initiative-kg.jsonld", "json-ld")):
        again = Dataset()
        again.parse(released / name, format=rdf_format)
        for graph_name in shipped.graph_names():
            assert isomorphic(again.graph(graph_name), shipped.dataset.graph(graph_name)), (
                name,
                graph_name,
            )


def test_the_json_ld_has_a_context(released: Path) -> None:
    import json

    document = json.loads((released / "initiative-kg.jsonld").read_text(encoding="utf-8"))
    assert document["@context"]["ikg"] == "https://w3id.org/initiative-kg/ontology#"


IKG_NS = "https://w3id.org/initiative-kg/ontology#"


def test_the_void_description(released: Path, shipped: KnowledgeGraph) -> None:
    void = Graph().parse(released / "void.ttl")
    (dataset,) = list(void.subjects(RDF.type, VOID.Dataset))
    assert int(void.value(dataset, VOID.triples)) == len(shipped.union())  # type: ignore[arg-type]
    assert void.value(dataset, VOID.sparqlEndpoint) == URIRef("http://127.0.0.1:8890/sparql")
    # every source page: the five seed pages and the pages the project read
    pages = set(shipped.union().subjects(RDF.type, URIRef(f"{IKG_NS}SourcePage")))
    assert set(void.objects(dataset, URIRef("http://purl.org/dc/terms/source"))) == pages
    assert len(pages) > 5
    assert void.value(dataset, URIRef("http://purl.org/dc/terms/license")) is not None
    distributions = list(void.objects(dataset, DCAT.distribution))
    assert len(distributions) == 3
    partitions = {void.value(p, VOID["class"]): int(void.value(p, VOID.entities))  # type: ignore[arg-type]
                  for p in void.objects(dataset, VOID.classPartition)}  # fmt: skip
    assert partitions[URIRef("https://w3id.org/initiative-kg/ontology#Municipality")] == 98


def test_the_release_folder_holds_every_dump(released: Path) -> None:
    """Guards against a release that writes too little: exactly these files, none empty."""
    assert sorted(path.name for path in released.iterdir()) == RELEASED
    for path in released.iterdir():
        assert path.stat().st_size > 200, path.name


def sha256sum_check(folder: Path) -> subprocess.CompletedProcess[str]:
    """The checksums verified as a user does, with coreutils' sha256sum (not our own code)."""
    return subprocess.run(["sha256sum", "--check", "--strict", "SHA256SUMS"], cwd=folder,
                          capture_output=True, text=True)  # fmt: skip


def test_checksums_verify_with_sha256sum(released: Path, tmp_path: Path) -> None:
    """Guards SHA256SUMS as users check it (coreutils, not the project's own verifier): it
    verifies the build, and a changed dump or an empty list does not."""
    done = sha256sum_check(released)
    assert done.returncode == 0, done.stdout + done.stderr
    dumps = [name for name in RELEASED if name != "SHA256SUMS"]
    assert sorted(done.stdout.splitlines()) == [f"{name}: OK" for name in dumps]
    assert checksums_match(released)
    # a dump changed after the build no longer verifies, by either
    changed = tmp_path / "changed"
    shutil.copytree(released, changed)
    with (changed / "void.ttl").open("a", encoding="utf-8") as dump:
        dump.write("# changed\n")
    assert sha256sum_check(changed).returncode == 1
    assert not checksums_match(changed)
    (changed / "SHA256SUMS").write_text("")  # a list of nothing verifies nothing
    assert sha256sum_check(changed).returncode == 1
    assert not checksums_match(changed)


def test_no_personal_data(tmp_path: Path, released: Path) -> None:
    """Guards --no-personal-data: every dump of the public release (all five present, none
    empty) leaves out the contact persons that the full release holds."""
    result = runner.invoke(app, ["build", "-o", str(tmp_path / "public"), "--no-personal-data"])
    assert result.exit_code == 0, result.stderr
    public = sorted((tmp_path / "public").iterdir())
    assert [path.name for path in public] == RELEASED
    # the full release names them, so their absence below is the switch at work
    full = (released / "initiative-kg.ttl").read_text(encoding="utf-8")
    assert all(person in full for person in PEOPLE)
    for path in public:
        text = path.read_text(encoding="utf-8")
        assert len(text) > 200, path.name
        for person in PEOPLE:
            assert person not in text, (path.name, person)
    assert sha256sum_check(tmp_path / "public").returncode == 0


def test_a_graph_that_does_not_validate_is_not_released(tmp_path: Path) -> None:
    invalid = TEST_DATA / "invalid" / "PeriodShape--end-before-start.ttl"
    result = runner.invoke(app, ["build", "-o", str(tmp_path / "out"), "--data", str(invalid)])
    assert result.exit_code == 1
    assert list(tmp_path.iterdir()) == []


def test_a_failed_build_leaves_no_half_written_folder(
    tmp_path: Path, shipped: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail_half_way(kg: KnowledgeGraph, folder: Path) -> list[str]:
        (folder / "initiative-kg.ttl").write_text("half")
        raise OSError("disk full")

    monkeypatch.setattr(release, "_write_dumps", fail_half_way)
    with pytest.raises(OSError, match="disk full"):
        build(shipped, tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_is_kept_unless_overwrite(
    tmp_path: Path, shipped: KnowledgeGraph
) -> None:
    from initiative_kg.errors import InitiativeKGError

    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine")
    with pytest.raises(InitiativeKGError, match="exists"):
        build(shipped, folder)
    assert (folder / "keep.txt").exists()
    build(shipped, folder, overwrite=True)
    assert not (folder / "keep.txt").exists() and checksums_match(folder)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_blank_nodes_nested_thousands_deep_are_released(tmp_path: Path) -> None:
    """rdflib's Turtle and JSON-LD writers nest blank nodes by recursion and failed with a
    traceback on a chain thousands deep; the dumps are still written, whole."""
    import pyoxigraph

    depth = 3000
    data = tmp_path / "deep.ttl"
    data.write_text(
        "@prefix ex: <http://example.org/> .\nex:root ex:next "
        + "[ ex:next " * depth + "ex:end" + " ]" * depth + " .\n",
        encoding="utf-8",
    )  # fmt: skip
    kg = KnowledgeGraph.load([data], background="none")
    folder = tmp_path / "release"
    build(kg, folder)
    formats = {
        "initiative-kg.ttl": pyoxigraph.RdfFormat.TURTLE,
        "initiative-kg.nq": pyoxigraph.RdfFormat.N_QUADS,
        "initiative-kg.jsonld": pyoxigraph.RdfFormat.JSON_LD,
    }
    chain = "http://example.org/next"
    for name, rdf_format in formats.items():
        parsed = list(pyoxigraph.parse(path=folder / name, format=rdf_format))
        assert sum(1 for item in parsed if item.predicate.value == chain) == depth + 1, name
