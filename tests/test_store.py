"""Loading: named graphs per file, clear errors for bad input, personal data, round trips."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from initiative_kg.errors import LoadError
from initiative_kg.namespaces import IKG
from initiative_kg.store import KnowledgeGraph
from tests.conftest import REPO, TEST_DATA

ID = "https://w3id.org/initiative-kg/id/"
MINIMAL = TEST_DATA / "valid" / "minimal-project.ttl"


def test_every_data_file_is_one_named_graph(shipped: KnowledgeGraph) -> None:
    data_files = sorted((REPO / "data").rglob("*.ttl"))
    loaded = {source.path.resolve(): source for source in shipped.files if source.part == "data"}
    assert set(loaded) == {path.resolve() for path in data_files}
    names = [name for source in loaded.values() for name in source.graphs]
    assert len(names) == len(set(names))
    assert URIRef(ID + "graph/000_d6f20d3739e1d98e") in names
    assert URIRef(ID + "graph/analyst-coding") in names


def test_the_ontology_and_each_vocabulary_have_a_graph_of_their_own(
    shipped: KnowledgeGraph,
) -> None:
    names = set(shipped.graph_names())
    assert URIRef("https://w3id.org/initiative-kg/ontology") in names
    assert URIRef("https://w3id.org/initiative-kg/vocab/intervention-element/") in names
    assert not any(str(name).startswith("file:") for name in names)


def test_the_default_graph_is_the_union(shipped: KnowledgeGraph) -> None:
    result = shipped.dataset.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    (count,) = next(iter(result))  # type: ignore[misc]
    assert int(count) == len(shipped.union())


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_turtle_syntax_error_names_file_line_and_column(tmp_path: Path) -> None:
    text = MINIMAL.read_text(encoding="utf-8").replace(
        'rdfs:label "Testprojekt"@da ;', 'rdfs:label "Testprojekt"@da ;;; ]'
    )
    path = write(tmp_path, "broken.ttl", text)
    expected_line = next(
        number for number, line in enumerate(text.splitlines(), 1) if ";;; ]" in line
    )
    with pytest.raises(LoadError) as caught:
        KnowledgeGraph.load([path])
    assert caught.value.path == path
    assert caught.value.line == expected_line
    assert caught.value.column is not None and caught.value.column > 1
    assert str(caught.value).startswith(f"{path}:{expected_line}:")


def test_a_missing_file_is_a_load_error(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="no such file"):
        KnowledgeGraph.load([tmp_path / "absent.ttl"])


def test_a_file_that_is_not_utf8_is_a_load_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.ttl"
    path.write_bytes('@prefix ex: <http://example.org/> .\nex:a ex:b "Århus" .\n'.encode("latin-1"))
    with pytest.raises(LoadError, match="not UTF-8") as caught:
        KnowledgeGraph.load([path])
    assert caught.value.line == 2


def test_a_bad_ntriples_line_is_located(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "bad.nt",
        "<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n"
        "<http://example.org/a> <http://example.org/b> oops .\n",
    )
    with pytest.raises(LoadError) as caught:
        KnowledgeGraph.load([path])
    assert caught.value.line == 2


def test_an_unknown_suffix_and_an_empty_folder_are_load_errors(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="not an RDF file"):
        KnowledgeGraph.load([write(tmp_path, "notes.txt", "hello")])
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(LoadError, match="holds no RDF files"):
        KnowledgeGraph.load([empty])


def test_a_folder_loads_every_rdf_file_below_it(tmp_path: Path) -> None:
    folder = tmp_path / "contrib" / "nested"
    folder.mkdir(parents=True)
    shutil.copy(MINIMAL, folder / "a.ttl")
    kg = KnowledgeGraph.load([tmp_path / "contrib"])
    assert [source.path.name for source in kg.files if source.part == "user"] == ["a.ttl"]


def test_two_user_files_may_not_declare_the_same_graph(tmp_path: Path) -> None:
    declaration = (
        "@prefix graph: <https://w3id.org/initiative-kg/id/graph/> .\n"
        "@prefix ikg: <https://w3id.org/initiative-kg/ontology#> .\n"
        "graph:mine a ikg:StatedGraph .\n"
    )
    first = write(tmp_path, "first.ttl", declaration)
    second = write(tmp_path, "second.ttl", declaration)
    with pytest.raises(LoadError, match="declares the graph") as caught:
        KnowledgeGraph.load([first, second])
    assert caught.value.path == second


def test_a_user_copy_of_a_shipped_file_replaces_it(tmp_path: Path) -> None:
    shipped_file = REPO / "data" / "initiatives" / "004-udbrede-anvendelse-af-peers.ttl"
    edited = write(
        tmp_path,
        "004-edited.ttl",
        shipped_file.read_text(encoding="utf-8").replace("10500000.0", "10600000.0"),
    )
    kg = KnowledgeGraph.load([edited])
    graph = kg.dataset.graph(URIRef(ID + "graph/004_3f2385aee20403ac"))
    values = {str(o) for o in graph.objects(None, URIRef("https://schema.org/value"))}
    assert values == {"10600000.0"}
    assert shipped_file.resolve() not in {source.path.resolve() for source in kg.files}


def test_contact_persons_can_be_left_out(shipped: KnowledgeGraph) -> None:
    without = KnowledgeGraph.load(personal_data=False)
    names = {
        "Trine Bang Nielsen",
        "Maria Lincke Løkke",
        "Mette Strunge Dubert",
        "Hanne Langeland",
        "Nanna Koch Hansen",
    }
    phones = {"41 93 25 00", "41 93 24 26", "50 81 09 48"}
    shipped_text = {str(o) for o in shipped.union().objects()}
    assert names | phones <= shipped_text  # they are in the graph by default
    text = {str(o) for o in without.union().objects()}
    assert not (names | phones) & text
    assert not list(without.union().subjects(RDF.type, IKG.ContactPerson))
    assert not list(without.union().objects(None, IKG.contactPerson))
    assert len(without.union()) < len(shipped.union())


@pytest.mark.parametrize("rdf_format", ["turtle", "nquads", "json-ld", "trig"])
def test_the_dataset_round_trips(shipped: KnowledgeGraph, rdf_format: str) -> None:
    text = shipped.dataset.serialize(format=rdf_format)
    if rdf_format == "turtle":  # Turtle has no named graphs: compare the union
        again = Graph().parse(data=text, format="turtle")
        assert isomorphic(again, shipped.union())
        return
    again_ds = Dataset()
    again_ds.parse(data=text, format=rdf_format)
    for name in shipped.graph_names():
        assert isomorphic(again_ds.graph(name), shipped.dataset.graph(name)), name


def test_summary_counts_instances_of_ontology_classes(shipped: KnowledgeGraph) -> None:
    summary = shipped.summary()
    assert summary["ikg:SourcePage"] == 5
    assert summary["ikg:Municipality"] == 98
    assert summary["ikg:Region"] == 5
    assert summary["triples"] == len(shipped.union())
