"""Loading: named graphs per file, clear errors for bad input, personal data, round trips."""

from __future__ import annotations

import json
import os
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from initiative_kg.errors import LoadError
from initiative_kg.namespaces import IKG
from initiative_kg.store import KnowledgeGraph, Location
from tests.conftest import REPO, TEST_DATA
from tests.listener import RecordingListener
from tests.privileges import run_ikg_unprivileged

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
        shipped_file.read_text(encoding="utf-8").replace('"10500000"^^', '"10600000"^^'),
    )
    kg = KnowledgeGraph.load([edited])
    graph = kg.dataset.graph(URIRef(ID + "graph/004_3f2385aee20403ac"))
    values = {o.toPython() for o in graph.objects(None, URIRef("https://schema.org/value"))}
    assert values == {Decimal("10600000")}
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


@pytest.mark.parametrize("rdf_format", ["turtle", "nquads", "json-ld"])
def test_the_dataset_round_trips(shipped: KnowledgeGraph, rdf_format: str) -> None:
    """The project's writers (those of the release dumps) give back every term: read with
    Oxigraph's parser, which keeps each literal as written, the graphs are the same."""
    import pyoxigraph

    from initiative_kg.serialise import json_ld, turtle
    from initiative_kg.terms import to_rdflib

    if rdf_format == "turtle":
        text = turtle(shipped.union())
    elif rdf_format == "json-ld":
        text = json_ld(shipped.quads())
    else:
        text = shipped.dataset.serialize(format="nquads")
    read = pyoxigraph.parse(text, format=pyoxigraph.RdfFormat.from_extension(
        {"turtle": "ttl", "nquads": "nq", "json-ld": "jsonld"}[rdf_format]))  # fmt: skip
    by_graph: dict[str, Graph] = {}
    for quad in read:
        graph = by_graph.setdefault(getattr(quad.graph_name, "value", ""), Graph())
        graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))  # type: ignore[arg-type]
    if rdf_format == "turtle":  # Turtle has no named graphs: compare the union
        assert isomorphic(by_graph[""], shipped.union())
        return
    assert len(by_graph) == len(shipped.graph_names())
    for name in shipped.graph_names():
        assert isomorphic(by_graph[str(name)], shipped.dataset.graph(name)), name


def test_summary_counts_instances_of_ontology_classes(shipped: KnowledgeGraph) -> None:
    summary = shipped.summary()
    union = shipped.union()
    pages = set(
        union.subjects(RDF.type, URIRef("https://w3id.org/initiative-kg/ontology#SourcePage"))
    )
    assert summary["ikg:SourcePage"] == len(pages) > 5
    assert summary["ikg:Municipality"] == 98
    assert summary["ikg:Region"] == 5
    assert summary["triples"] == len(shipped.union())


DECLARATION_PREFIXES = (
    "@prefix graph: <https://w3id.org/initiative-kg/id/graph/> .\n"
    "@prefix ikg: <https://w3id.org/initiative-kg/ontology#> .\n"
    "@prefix ex: <http://example.org/> .\n"
)


def test_a_graph_declared_across_lines_still_names_the_graph(tmp_path: Path) -> None:
    # The loader guesses the graph name from a one-line declaration; this file has none, so the
    # name must come from the loaded triples.
    path = write(
        tmp_path,
        "split.ttl",
        DECLARATION_PREFIXES + "graph:split\n    a ikg:StatedGraph .\nex:a ex:b ex:c .\n",
    )
    kg = KnowledgeGraph.load([path], background="none")
    assert URIRef(ID + "graph/split") in kg.graph_names()
    assert len(kg.dataset.graph(URIRef(ID + "graph/split"))) == 2
    assert not any(str(name).startswith("urn:initiative-kg:loading") for name in kg.graph_names())


def test_a_misleading_line_in_a_long_string_does_not_name_the_graph(tmp_path: Path) -> None:
    text = (
        DECLARATION_PREFIXES
        + 'ex:note ex:text """an example:\ngraph:wrong a ikg:StatedGraph .\n""" .\n'
        "graph:right a ikg:StatedGraph .\n"
    )
    kg = KnowledgeGraph.load([write(tmp_path, "misleading.ttl", text)], background="none")
    names = kg.graph_names()
    assert URIRef(ID + "graph/right") in names
    assert URIRef(ID + "graph/wrong") not in names
    assert [source.graphs for source in kg.files if source.part == "user"] == [
        (URIRef(ID + "graph/right"),)
    ]


def test_blank_node_labels_are_local_to_their_file(tmp_path: Path) -> None:
    first = write(tmp_path, "first.ttl", DECLARATION_PREFIXES + "_:x ex:name 'first' .\n")
    second = write(tmp_path, "second.ttl", DECLARATION_PREFIXES + "_:x ex:name 'second' .\n")
    kg = KnowledgeGraph.load([first, second], background="none")
    named = list(kg.union().subject_objects(URIRef("http://example.org/name")))
    assert {str(name) for _, name in named} == {"first", "second"}
    assert len({subject for subject, _ in named}) == 2


def test_trig_named_graphs_and_default_graph_load(tmp_path: Path) -> None:
    text = (
        DECLARATION_PREFIXES
        + "graph:outer a ikg:StatedGraph .\nex:a ex:b _:shared .\n"
        + "ex:g1 { ex:c ex:d _:shared . }\n"
    )
    kg = KnowledgeGraph.load([write(tmp_path, "mixed.trig", text)], background="none")
    user_graphs = {name for source in kg.files if source.part == "user" for name in source.graphs}
    assert user_graphs == {URIRef(ID + "graph/outer"), URIRef("http://example.org/g1")}
    assert user_graphs <= set(kg.graph_names())
    # A blank node label names one node across the graphs of one file.
    (shared_a,) = kg.union().objects(URIRef("http://example.org/a"), URIRef("http://example.org/b"))
    (shared_c,) = kg.union().objects(URIRef("http://example.org/c"), URIRef("http://example.org/d"))
    assert shared_a == shared_c


def test_a_json_ld_file_loads_into_the_graph_it_declares(tmp_path: Path) -> None:
    document = {
        "@context": {
            "ikg": "https://w3id.org/initiative-kg/ontology#",
            "ex": "http://example.org/",
        },
        "@graph": [
            {
                "@id": "https://w3id.org/initiative-kg/id/graph/from-json",
                "@type": "ikg:StatedGraph",
            },
            {"@id": "ex:a", "ex:b": "c"},
        ],
    }
    path = write(tmp_path, "doc.jsonld", json.dumps(document))
    kg = KnowledgeGraph.load([path], background="none")
    graph = kg.dataset.graph(URIRef(ID + "graph/from-json"))
    assert len(graph) == 2
    assert kg.locate(
        URIRef("http://example.org/a"), URIRef("http://example.org/b"), Literal("c")
    ) == (Location(path, None))


def test_a_turtle_error_in_a_trig_file_is_located(tmp_path: Path) -> None:
    text = DECLARATION_PREFIXES + "ex:g { ex:a ex:b ex:c . \nex:a ex:b . }\n"
    path = write(tmp_path, "broken.trig", text)
    with pytest.raises(LoadError, match="TriG syntax error") as caught:
        KnowledgeGraph.load([path], background="none")
    assert caught.value.line == 5


def test_locations_come_from_the_files_text(shipped: KnowledgeGraph) -> None:
    path = REPO / "data" / "initiatives" / "004-udbrede-anvendelse-af-peers.ttl"
    lines = path.read_text(encoding="utf-8").splitlines()
    expected = 1 + next(
        number
        for number, line in enumerate(lines)
        if line.startswith("initiative:udbrede-anvendelse-af-peers a ")
    )
    location = shipped.locate(URIRef(ID + "initiative/udbrede-anvendelse-af-peers"))
    assert location is not None and location.path.resolve() == path.resolve()
    assert location.line == expected


def test_the_decimal_form_of_the_source_is_kept_in_rdflib_views(tmp_path: Path) -> None:
    """Oxigraph stores 10500000.0 as 10500000; the views give the source's form back."""
    path = write(
        tmp_path,
        "amounts.ttl",
        "<http://example.org/a> <https://schema.org/value> 10500000.0 , 7.50 , 12 .\n",
    )
    kg = KnowledgeGraph.load([path], background="bare")
    amounts = {str(value) for value in kg.union().objects(None, URIRef("https://schema.org/value"))}
    assert amounts == {"10500000.0", "7.50", "12"}


def test_an_empty_file_loads_as_an_empty_graph(tmp_path: Path) -> None:
    only_prefixes = write(tmp_path, "prefixes.ttl", DECLARATION_PREFIXES)
    empty = write(tmp_path, "empty.ttl", "")
    kg = KnowledgeGraph.load([only_prefixes, empty], background="none")
    user = [source for source in kg.files if source.part == "user"]
    assert [source.path for source in user] == [only_prefixes, empty]
    assert [source.graphs for source in user] == [
        (URIRef(only_prefixes.resolve().as_uri()),),
        (URIRef(empty.resolve().as_uri()),),
    ]
    assert not [name for name in kg.graph_names() if str(name).startswith("file:")]


def _package_imports() -> dict[str, set[str]]:
    """Which of the package's modules each module imports, counting every import: at the top,
    inside functions and under TYPE_CHECKING (a cycle of any of them is a tangle to a reader)."""
    import ast

    package = REPO / "src" / "initiative_kg"

    def name_of(path: Path) -> str:
        parts = path.relative_to(package.parent).with_suffix("").parts
        return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)

    modules = {name_of(path): path for path in package.rglob("*.py")}
    imports: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module:
                targets = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            imports[name] |= {target for target in targets if target in modules} - {name}
    return imports


def test_the_modules_import_each_other_without_a_cycle() -> None:
    """Guards the layering: the store knows nothing of remote endpoints, the engines nothing of
    the store, and no module of the package reaches itself through its imports."""
    import networkx as nx

    imports = _package_imports()
    assert len(imports) >= 20, sorted(imports)  # the whole package was read
    assert "initiative_kg.endpoint" not in imports["initiative_kg.store"]
    assert "initiative_kg.store" not in imports["initiative_kg.engines"]
    graph = nx.DiGraph([(module, other) for module, others in imports.items() for other in others])
    assert list(nx.simple_cycles(graph)) == []


def test_a_statement_made_in_two_files_counts_once(tmp_path: Path) -> None:
    """SPARQL's default graph is the merge of the named graphs, a set; Oxigraph's union default
    graph holds a statement once per graph, so the default engine hands over to rdflib's when
    two files make the same statement (and says which), and a COUNT gives the set's answer."""
    one = write(tmp_path, "one.ttl", "<http://example.org/a> <http://example.org/p> 1 .\n")
    two = write(
        tmp_path,
        "two.ttl",
        "<http://example.org/a> <http://example.org/p> 1 .\n"
        "<http://example.org/b> <http://example.org/p> 2 .\n",
    )
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s <http://example.org/p> ?o }"
    kg = KnowledgeGraph.load([one, two], background="bare")
    duplicate = kg.duplicated_statement()
    assert duplicate is not None and {duplicate.first, duplicate.second} == {one, two}
    assert "both state" in kg.inexact_reason()
    for engine in ("oxigraph", "rdflib"):
        assert kg.engine(engine).execute(count).rows[0][0] == Literal(2)
    # without the duplicate, Oxigraph answers itself
    apart = KnowledgeGraph.load([two], background="bare")
    assert apart.duplicated_statement() is None
    assert apart.engine("oxigraph").name == "oxigraph"
    assert apart.engine("oxigraph").execute(count).rows[0][0] == Literal(2)


# ---------------------------------------------------------------------- nothing skipped in silence


def test_a_subfolder_that_cannot_be_read_is_exit_2_naming_it(tmp_path: Path) -> None:
    """Guards against a folder walk that skips what it cannot list and then says "conforms"."""
    data = tmp_path / "contrib"
    (data / "locked").mkdir(parents=True)
    shutil.copy(MINIMAL, data / "ok.ttl")
    shutil.copy(MINIMAL, data / "locked" / "hidden.ttl")
    (data / "locked").chmod(0)
    try:
        done = run_ikg_unprivileged(["validate", str(data)])
    finally:
        (data / "locked").chmod(0o755)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{data / 'locked'}: cannot read the folder: Permission denied" in done.stderr
    assert "conforms" not in done.stdout and "Traceback" not in done.stderr


def test_a_file_that_cannot_be_read_is_exit_2_naming_it(tmp_path: Path) -> None:
    data = tmp_path / "contrib"
    data.mkdir()
    shutil.copy(MINIMAL, data / "secret.ttl")
    (data / "secret.ttl").chmod(0)
    found = run_ikg_unprivileged(["validate", str(data)])
    assert found.returncode == 2, found.stdout + found.stderr
    assert f"{data / 'secret.ttl'}: cannot read the file: Permission denied" in found.stderr
    named = run_ikg_unprivileged(["validate", str(data / "secret.ttl")])
    assert named.returncode == 2, named.stdout + named.stderr
    assert f"'{data / 'secret.ttl'}' is not readable" in named.stderr  # the CLI checks it first


@pytest.mark.parametrize("kind", ["broken link", "link loop", "named pipe"])
def test_an_rdf_entry_that_is_no_readable_file_is_a_load_error(tmp_path: Path, kind: str) -> None:
    data = tmp_path / "contrib"
    data.mkdir()
    shutil.copy(MINIMAL, data / "ok.ttl")
    odd = data / "odd.ttl"
    if kind == "broken link":
        odd.symlink_to(tmp_path / "gone.ttl")
    elif kind == "link loop":
        odd.symlink_to(odd)
    else:
        os.mkfifo(odd)
    with pytest.raises(LoadError) as caught:
        KnowledgeGraph.load([data], background="none")
    assert caught.value.path == odd


def test_entries_that_are_not_rdf_are_still_ignored(tmp_path: Path) -> None:
    data = tmp_path / "contrib"
    data.mkdir()
    shutil.copy(MINIMAL, data / "ok.ttl")
    (data / "README.md").write_text("notes")
    (data / "stale-link").symlink_to(tmp_path / "gone")
    kg = KnowledgeGraph.load([data], background="none")
    assert [source.path.name for source in kg.files if source.part == "user"] == ["ok.ttl"]


def test_a_linked_folder_is_followed_once(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    shutil.copy(MINIMAL, real / "a.ttl")
    data = tmp_path / "contrib"
    data.mkdir()
    (data / "via-link").symlink_to(real)
    (real / "back").symlink_to(real)  # a loop: listed once, not for ever
    kg = KnowledgeGraph.load([data], background="none")
    assert [source.path.name for source in kg.files if source.part == "user"] == ["a.ttl"]


@pytest.mark.parametrize("suffix", [".ttl", ".nt", ".trig", ".nq", ".jsonld"])
def test_a_byte_order_mark_is_accepted(tmp_path: Path, suffix: str) -> None:
    """Editors on Windows write a UTF-8 BOM; it is valid at the start of these files."""
    texts = {
        ".ttl": "@prefix ex: <http://example.org/> .\nex:a ex:b 'ø' .\n",
        ".nt": '<http://example.org/a> <http://example.org/b> "ø" .\n',
        ".trig": "@prefix ex: <http://example.org/> .\nex:g { ex:a ex:b 'ø' . }\n",
        ".nq": '<http://example.org/a> <http://example.org/b> "ø" <http://example.org/g> .\n',
        ".jsonld": json.dumps({"@id": "http://example.org/a", "http://example.org/b": "ø"}),
    }
    path = tmp_path / f"bom{suffix}"
    path.write_bytes(b"\xef\xbb\xbf" + texts[suffix].encode("utf-8"))
    kg = KnowledgeGraph.load([path], background="none")
    values = list(
        kg.union().objects(URIRef("http://example.org/a"), URIRef("http://example.org/b"))
    )
    assert values == [Literal("ø")]


def test_a_syntax_error_after_a_byte_order_mark_keeps_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bom.ttl"
    path.write_bytes(b"\xef\xbb\xbf@prefix ex: <http://example.org/> .\nex:a ex:b .\n")
    with pytest.raises(LoadError) as caught:
        KnowledgeGraph.load([path], background="none")
    assert caught.value.line == 2 and "\ufeff" not in str(caught.value)


ONTOLOGY_IRI = "https://w3id.org/initiative-kg/ontology"


@pytest.mark.parametrize(
    "declared",
    [
        f"<{ONTOLOGY_IRI}> a owl:Ontology .",
        "<https://w3id.org/initiative-kg/vocab/intervention-element/> a skos:ConceptScheme .",
        "<https://w3id.org/initiative-kg/vocab/target-group/> a skos:ConceptScheme .",
    ],
)
def test_a_user_file_may_not_replace_the_ontology_or_a_vocabulary(
    tmp_path: Path, declared: str
) -> None:
    """Guards against a data file that silently replaces the ontology (then hundreds of
    violations point into shipped files)."""
    text = (
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        f"{declared}\n<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n"
    )
    path = write(tmp_path, "mine.ttl", text)
    with pytest.raises(LoadError, match="a data file cannot replace it") as caught:
        KnowledgeGraph.load([path])
    assert caught.value.path == path


def test_naming_a_file_of_the_ontology_loads_it_once_as_the_ontology() -> None:
    vocabulary = REPO / "ontology" / "vocabularies" / "intervention-elements.ttl"
    kg = KnowledgeGraph.load([vocabulary], background="none")
    parts = [source.part for source in kg.files if source.path.resolve() == vocabulary.resolve()]
    assert parts == ["ontology"]


# ---------------------------------------------------------------------- nothing leaves the machine


def jsonld_file(tmp_path: Path, document: object) -> Path:
    return write(tmp_path, "remote.jsonld", json.dumps(document))


def remote_documents(url: str) -> list[object]:
    node = {"@id": "http://example.org/a", "name": "A"}
    return [
        {"@context": url, **node},
        {"@context": [url, {"ex": "http://example.org/"}], **node},
        {"@context": {"@import": url}, **node},
        {"@graph": [{"@context": url, **node}]},
        {"@id": "http://example.org/a", "http://example.org/p": {"@context": url, "@id": "ex:b"}},
    ]


@pytest.mark.parametrize("case", range(5))
def test_a_remote_json_ld_context_is_refused_and_not_fetched(
    tmp_path: Path, recording_listener: RecordingListener, case: int
) -> None:
    url = f"{recording_listener.url}/context.jsonld"
    path = jsonld_file(tmp_path, remote_documents(url)[case])
    with pytest.raises(LoadError) as caught:
        KnowledgeGraph.load([path], background="none")
    assert caught.value.path == path
    assert url in str(caught.value) and "--allow-remote-context" in str(caught.value)
    assert recording_listener.requests == []


def test_a_remote_json_ld_context_is_fetched_when_allowed(
    tmp_path: Path, recording_listener: RecordingListener
) -> None:
    url = f"{recording_listener.url}/context.jsonld"
    path = jsonld_file(tmp_path, remote_documents(url)[0])
    kg = KnowledgeGraph.load([path], background="none", allow_remote_contexts=True)
    assert [request.path for request in recording_listener.requests] == ["/context.jsonld"]
    names = list(
        kg.union().objects(URIRef("http://example.org/a"), URIRef("https://schema.org/name"))
    )
    assert names == [Literal("A")]


def test_a_local_context_file_is_read_without_the_network(
    tmp_path: Path, recording_listener: RecordingListener
) -> None:
    write(tmp_path, "context.jsonld", json.dumps({"@context": {"name": "https://schema.org/name"}}))
    path = jsonld_file(
        tmp_path, {"@context": "context.jsonld", "@id": "http://example.org/a", "name": "A"}
    )
    kg = KnowledgeGraph.load([path], background="none")
    assert len(list(kg.union().objects(None, URIRef("https://schema.org/name")))) == 1
    assert recording_listener.requests == []


def test_the_offline_guard_refuses_what_python_code_would_send(
    recording_listener: RecordingListener,
) -> None:
    """The second line of defence: any Python-level connection inside offline() is refused."""
    import urllib.request

    from initiative_kg.offline import OutboundRequestRefused, offline

    with pytest.raises(OutboundRequestRefused, match="loading a test"), offline("loading a test"):
        urllib.request.urlopen(f"{recording_listener.url}/x", timeout=5)
    with pytest.raises(OutboundRequestRefused), offline("loading a test"):
        Graph().parse(f"{recording_listener.url}/data.ttl", format="turtle")
    assert recording_listener.requests == []
    with urllib.request.urlopen(f"{recording_listener.url}/outside", timeout=5):
        pass  # outside the guard the same request goes out: the listener works
    assert [request.path for request in recording_listener.requests] == ["/outside"]
