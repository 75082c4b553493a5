"""ikg build: release dumps that re-load as the graph, a VoID/DCAT description, checksums."""

from __future__ import annotations

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


def test_the_void_description(released: Path, shipped: KnowledgeGraph) -> None:
    void = Graph().parse(released / "void.ttl")
    (dataset,) = list(void.subjects(RDF.type, VOID.Dataset))
    assert int(void.value(dataset, VOID.triples)) == len(shipped.union())  # type: ignore[arg-type]
    assert void.value(dataset, VOID.sparqlEndpoint) == URIRef("http://127.0.0.1:8890/sparql")
    assert len(list(void.objects(dataset, URIRef("http://purl.org/dc/terms/source")))) == 5
    assert void.value(dataset, URIRef("http://purl.org/dc/terms/license")) is not None
    distributions = list(void.objects(dataset, DCAT.distribution))
    assert len(distributions) == 3
    partitions = {void.value(p, VOID["class"]): int(void.value(p, VOID.entities))  # type: ignore[arg-type]
                  for p in void.objects(dataset, VOID.classPartition)}  # fmt: skip
    assert partitions[URIRef("https://w3id.org/initiative-kg/ontology#Municipality")] == 98


def test_checksums(released: Path) -> None:
    assert checksums_match(released)
    listed = [line.split("  ")[1] for line in (released / "SHA256SUMS").read_text().splitlines()]
    assert sorted(listed) == [
        "initiative-kg.jsonld",
        "initiative-kg.nq",
        "initiative-kg.ttl",
        "void.ttl",
    ]


def test_no_personal_data(tmp_path: Path) -> None:
    result = runner.invoke(app, ["build", "-o", str(tmp_path / "public"), "--no-personal-data"])
    assert result.exit_code == 0, result.stderr
    for path in (tmp_path / "public").iterdir():
        text = path.read_text(encoding="utf-8")
        for person in PEOPLE:
            assert person not in text, (path.name, person)


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
