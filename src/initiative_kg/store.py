"""Loading: the ontology, vocabularies and data files into one embedded store.

Every data file becomes one named graph. A file names its graph by describing it (a subject typed
``ikg:StatedGraph``, ``ikg:CodedGraph`` or ``ikg:ReferenceGraph`` with the sources it derives
from); a file that does not is put in a graph named after its ``file:`` URI. Queries see the union
of all named graphs as their default graph, so they see everything unless they ask by graph.

The store is Oxigraph (pyoxigraph): its native parsers read Turtle and N-Triples straight into it,
ten times faster than rdflib's, and the default query and validation engines run on it. rdflib's
views of the same quads (``dataset``, ``union()``) are built from the store on first use, for
pySHACL, rdflib's query engine, the serialisers and the Python API. Oxigraph keeps literals of the
XSD number, date and boolean types in canonical form; the views write decimals as rdflib and the
source files do (``10500000.0``, which Oxigraph prints ``10500000``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard, cast
from typing import Literal as Choice

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from initiative_kg.assets import AssetLayout, layout, rdf_files_under, rdf_format
from initiative_kg.datatypes import NUMERIC, well_formed
from initiative_kg.errors import LoadError
from initiative_kg.namespaces import IKG, SCHEMA, bind_prefixes, shorten
from initiative_kg.terms import memoised_to_rdflib, to_oxigraph, to_rdflib

if TYPE_CHECKING:
    import pyoxigraph

    from initiative_kg.engines import Engine, QueryResult
    from initiative_kg.persistent import Entry

logger = logging.getLogger(__name__)

# ikg:DataGraph and the subclasses a file may use to name its own graph.
GRAPH_CLASSES = frozenset({IKG.DataGraph, IKG.StatedGraph, IKG.CodedGraph, IKG.ReferenceGraph})
# The ontology and each vocabulary go into a graph named after themselves.
DOCUMENT_CLASSES = frozenset({OWL.Ontology, SKOS.ConceptScheme})
# Formats Oxigraph parses straight into a named graph of the store; the quad formats go through a
# scratch store first (their graphs need checking before they join), JSON-LD through rdflib
# (whose parser can fetch a remote @context).
_NATIVE_NAMES = {"turtle": "Turtle", "nt": "N-Triples", "nquads": "N-Quads", "trig": "TriG"}

ProgressCallback = Callable[[Path], None]
Background = Choice["shipped", "reference", "none", "bare"]


@dataclass(frozen=True)
class SourceFile:
    """One file that was loaded, and the named graph(s) it went into."""

    path: Path
    graphs: tuple[URIRef, ...]
    part: str  # "ontology", "data" (shipped) or "user"


@dataclass(frozen=True)
class Location:
    """Where a resource is defined: a file and, for line-based formats, a 1-based line."""

    path: Path
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line is not None else str(self.path)


@dataclass
class _Locator:
    """Which file each named graph came from, and (read from the file when first asked) the line
    on which each subject's block starts."""

    graph_file: dict[URIRef, Path] = field(default_factory=dict)
    order: dict[Path, int] = field(default_factory=dict)
    starts: dict[Path, dict[Node, int]] = field(default_factory=dict)

    def record(self, path: Path, graph_name: URIRef) -> None:
        self.graph_file[graph_name] = path
        self.order.setdefault(path, len(self.order))

    def forget(self, graph_name: URIRef) -> None:
        path = self.graph_file.pop(graph_name, None)
        if path is not None and path not in self.graph_file.values():
            self.order.pop(path, None)

    def files_of(self, graph_names: Iterable[Any]) -> list[Path]:
        found = {self.graph_file[name] for name in graph_names if name in self.graph_file}
        return sorted(found, key=lambda path: self.order[path])

    def line_starts(self, path: Path) -> dict[Node, int]:
        if path not in self.starts:
            self.starts[path] = _subject_start_lines_of(path)
        return self.starts[path]

    def at(self, path: Path, subject: Node) -> Location:
        return Location(path, self.line_starts(path).get(subject))


class KnowledgeGraph:
    """The loaded graph: one store of named graphs, the files they came from, and where each
    resource is defined."""

    def __init__(
        self,
        store: pyoxigraph.Store,
        files: Sequence[SourceFile],
        locator: _Locator,
        written: WrittenLiterals | None = None,
    ) -> None:
        self.store = store
        self.files: tuple[SourceFile, ...] = tuple(files)
        self._locator = locator
        self._written = written or WrittenLiterals()
        self._duplicate_asked = False
        self._duplicate: DuplicatedStatement | None = None
        self._dataset: Dataset | None = None
        self._union: Graph | None = None
        self._engines: dict[str, Engine] = {}

    @property
    def exact(self) -> bool:
        """Whether the store holds every literal as the files wrote it. Oxigraph rewrites
        numbers, booleans, dates and durations into canonical form (``"127"^^xsd:byte`` becomes
        ``"127"^^xsd:integer``, ``1.50`` becomes ``1.5``); when a file wrote one in another
        form, the engines that read the store would answer about literals the data does not
        have, so the default engines hand over to rdflib's (see :meth:`engine`)."""
        return self._written.complete

    def duplicated_statement(self) -> DuplicatedStatement | None:
        """A statement made in two named graphs (two files), or None.

        SPARQL's default graph is the merge of the named graphs, a set, but Oxigraph's union
        default graph holds a statement once per graph that states it, so a COUNT or SUM over it
        would count the statement twice: with such a statement the default engines hand over
        (asked once, on first use, and remembered)."""
        if not self._duplicate_asked:
            self._duplicate_asked = True
            rows = cast(
                "pyoxigraph.QuerySolutions",
                self.store.query(
                    "SELECT ?s ?p ?o ?a ?b WHERE { GRAPH ?a { ?s ?p ?o } GRAPH ?b { ?s ?p ?o } "
                    "FILTER (?a != ?b) } LIMIT 1"
                ),
            )
            row = next(iter(rows), None)
            if row is not None:
                terms = [cast(Node, to_rdflib(row[i])) for i in range(5)]
                files = [self._locator.files_of([g]) or [Path(str(g))] for g in terms[3:]]
                subject, predicate, value = terms[:3]
                self._duplicate = DuplicatedStatement(
                    subject, predicate, value, files[0][0], files[1][0]
                )
        return self._duplicate

    @property
    def numbers_in_range(self) -> bool:
        """Whether every number is one Oxigraph (and engines built on its number types, such
        as pyshacl-turbo) can compute with: no decimal beyond about 1.7E20, no integer beyond
        64 bits."""
        return not self._written.uncomputable_graphs

    def rewritten_literals(self) -> list[RewrittenLiteral]:
        """Each literal the store holds in another form than its file wrote it (one example per
        written form), for the message that says why the exact engines are used."""
        return list(self._written.examples)

    # ------------------------------------------------------------------ loading

    @classmethod
    def load(
        cls,
        paths: Sequence[Path | str] | None = None,
        *,
        background: Background = "shipped",
        personal_data: bool = True,
        progress: ProgressCallback | None = None,
        assets: AssetLayout | None = None,
        allow_remote_contexts: bool = False,
        store: Path | None = None,
    ) -> KnowledgeGraph:
        """Load the ontology and vocabularies with either the shipped data (no ``paths``) or the
        user's files and folders.

        Beside user files, ``background`` decides what else is loaded: "shipped" (the default)
        loads the rest of the shipped data, which they may link to, and a user file that names
        the same graph as a shipped file replaces it (so an edited copy of a shipped file is
        checked as it now is); "reference" loads only the municipalities and regions; "none"
        only the ontology and vocabularies; "bare" nothing but the given files (for validating
        any data against any shapes). No user file may replace the ontology or a vocabulary.

        Nothing is fetched from the network: a JSON-LD file whose ``@context`` is a URL is
        refused unless ``allow_remote_contexts`` is given.

        ``store`` is a folder that keeps loaded graphs on disk, keyed by the content of every
        file loaded (:mod:`initiative_kg.persistent`): a load of the same files opens the stored
        graph instead of parsing them again.
        """
        import pyoxigraph

        assets = assets or layout()
        ontology_files = assets.ontology_files() if background != "bare" else []
        # A user who names a file of the ontology itself gets it once, as the ontology.
        shipped_terms = {path.resolve() for path in ontology_files}
        user_files = (
            [p for p in _expand(paths) if p.resolve() not in shipped_terms] if paths else []
        )
        user_resolved = {path.resolve() for path in user_files}
        if not paths or background == "shipped":
            background_files = assets.data_files()
        elif background == "reference":
            background_files = assets.reference_files()
        else:
            background_files = []
        background_files = [p for p in background_files if p.resolve() not in user_resolved]

        plan: list[tuple[Path, str]] = []
        if background != "bare":
            plan += [(path, "ontology") for path in ontology_files]
        plan += [(path, "data") for path in background_files]
        plan += [(path, "user") for path in user_files]

        key = None
        if store is not None and personal_data:
            from initiative_kg.persistent import key_of, open_entry

            options = {"background": background, "remote_contexts": allow_remote_contexts}
            key = key_of(plan, options, loader=Path(__file__))
            entry = open_entry(store, key)
            if entry is not None:
                return cls._from_entry(entry)
        elif store is not None:
            logger.info("a graph without personal data is not kept in %s", store)

        oxigraph = pyoxigraph.Store()
        locator = _Locator()
        written = WrittenLiterals()
        loaded: list[SourceFile] = []
        owner: dict[URIRef, SourceFile] = {}
        staging = (pyoxigraph.NamedNode(f"urn:initiative-kg:loading:{n}") for n in count())

        for path, part in plan:
            if progress is not None:
                progress(path)
            for graph_name, staged in _load_file(
                oxigraph, path, staging, written, allow_remote_contexts=allow_remote_contexts
            ):
                previous = owner.get(graph_name)
                if previous is not None:
                    _check_replacement(previous, path, part, graph_name)
                    logger.info("%s replaces %s (graph %s)", path, previous.path, graph_name)
                    oxigraph.remove_graph(pyoxigraph.NamedNode(graph_name))
                    written.forget(str(graph_name))
                    locator.forget(graph_name)
                    loaded.remove(previous)
                if staged.value != str(graph_name) and oxigraph.contains_named_graph(staged):
                    oxigraph.update(f"MOVE GRAPH <{staged.value}> TO <{graph_name}>")
                    written.rename(staged.value, str(graph_name))
                locator.record(path, graph_name)
                source = SourceFile(path, (graph_name,), part)
                owner[graph_name] = source
                loaded.append(source)
        kg = cls(oxigraph, loaded, locator, written)
        if not personal_data:
            kg.drop_personal_data()
        if store is not None and key is not None:
            if written.complete:
                from initiative_kg.persistent import save_entry

                files = [
                    {"path": str(f.path), "graphs": [str(g) for g in f.graphs], "part": f.part}
                    for f in loaded
                ]
                # Answered here, in memory, where it takes a fraction of what it takes on disk.
                in_two_graphs = kg.duplicated_statement() is not None
                save_entry(store, key, oxigraph, files, statement_in_two_graphs=in_two_graphs)
            else:
                logger.warning(
                    "not kept in %s: the store holds literals rewritten from your files, which "
                    "are read from the files each time",
                    store,
                )
        logger.debug("loaded %d quads from %d files", len(oxigraph), len(loaded))
        return kg

    @classmethod
    def _from_entry(cls, entry: Entry) -> KnowledgeGraph:
        locator = _Locator()
        loaded: list[SourceFile] = []
        for described in entry.files:
            path = Path(described["path"])
            graphs = tuple(URIRef(g) for g in described["graphs"])
            for graph_name in graphs:
                locator.record(path, graph_name)
            loaded.append(SourceFile(path, graphs, described["part"]))
        kg = cls(entry.store, loaded, locator, WrittenLiterals())
        # With a statement in two graphs, which one is found again when asked (for the message).
        kg._duplicate_asked = not entry.statement_in_two_graphs
        return kg

    # ------------------------------------------------------------------ views

    @property
    def dataset(self) -> Dataset:
        """The store as an rdflib Dataset whose default graph is the union of its named graphs,
        for rdflib-based tools. Built on first use; a copy, so changes to it stay in it."""
        if self._dataset is None:
            dataset = Dataset(default_union=True)
            bind_prefixes(dataset.namespace_manager)
            contexts: dict[str, Graph] = {}

            def context(name: str) -> Graph:
                if name not in contexts:
                    contexts[name] = dataset.graph(URIRef(name))
                return contexts[name]

            dataset.addN((s, p, o, context(g)) for s, p, o, g in self.quads())
            self._dataset = dataset
        return self._dataset

    def union(self) -> Graph:
        """All triples of all named graphs in one rdflib graph (built on first use; a copy)."""
        if self._union is None:
            union = Graph()
            bind_prefixes(union.namespace_manager)
            union.addN((s, p, o, union) for s, p, o, _ in self.quads())
            self._union = union
        return self._union

    def quads(self) -> Iterator[tuple[Node, Node, Node, str]]:
        """Every quad as rdflib terms, with its graph's IRI: each literal as its file wrote it
        (where the store holds it rewritten, the written form or forms instead)."""
        convert = memoised_to_rdflib()
        for quad in self.store:
            graph = quad.graph_name.value
            subject = cast(Node, convert(quad.subject))
            predicate = cast(Node, convert(quad.predicate))
            for value in self._written.objects_of(quad):
                yield subject, predicate, cast(Node, convert(value)), graph

    def triple_count(self) -> int:
        """The statements in all named graphs. A triple stated in two graphs counts twice, as it
        does in a query over the union (Oxigraph's default graph); counting distinct triples
        would take a second per 500,000."""
        return len(self.store)

    def graph_names(self) -> list[URIRef]:
        """The named graphs that hold triples."""
        return sorted(
            URIRef(name.value)
            for name in self.store.named_graphs()
            if next(self.store.quads_for_pattern(None, None, None, name), None) is not None
        )

    def coded_graphs(self) -> set[URIRef]:
        """The graphs of analyst coding (``ikg:CodedGraph``), which ``stated`` views leave out."""
        typed = self.store.quads_for_pattern(None, _named(RDF.type), _named(IKG.CodedGraph), None)
        return {URIRef(quad.subject.value) for quad in typed if _is_iri(quad.subject)}

    def locate(
        self, node: Node, predicate: Node | None = None, value: Node | None = None
    ) -> Location | None:
        """The file and line where a resource is defined: where the statement (node, predicate,
        value) was made if given, else where the resource is typed. A blank node is located at
        the resource that contains it (a participation at its initiative)."""
        subject, files = node, []
        if predicate is not None and value is not None:
            files = self._files_stating(node, predicate, value)
        owner = self.owner(node)
        if owner is not None:
            subject = owner[0]
            if not files:
                files = self._files_stating(owner[0], owner[1], node)
        if not files and not isinstance(subject, BNode):
            files = self._files_stating(subject, RDF.type, None)
        if not files:
            files = [
                source.path
                for source in self.files
                if subject in self._locator.line_starts(source.path)
            ]
        return self._locator.at(files[0], subject) if files else None

    def _files_stating(self, subject: Node, predicate: Node, value: Node | None) -> list[Path]:
        resource = _resource(subject)
        if resource is None or not isinstance(predicate, URIRef):
            return []
        quads = self.store.quads_for_pattern(
            resource, _named(predicate), to_oxigraph(value) if value is not None else None, None
        )
        return self._locator.files_of(
            URIRef(quad.graph_name.value) for quad in quads if _is_iri(quad.graph_name)
        )

    def owner(self, node: Node) -> tuple[Node, Node] | None:
        """For a blank node: the nearest resource with an IRI that contains it, and the property
        that leads from it towards the blank node. None for an IRI."""
        seen: set[Node] = set()
        current: Node | None = node
        predicate: Node | None = None
        while isinstance(current, BNode) and current not in seen:
            seen.add(current)
            parent = next(
                self.store.quads_for_pattern(None, None, to_oxigraph(current), None), None
            )
            if parent is None:
                return None
            current, predicate = to_rdflib(parent.subject), to_rdflib(parent.predicate)
        if current is None or current is node or predicate is None:
            return None
        return current, predicate

    def objects(self, subject: Node, predicate: URIRef) -> list[Node]:
        """The values of one property of a resource over all named graphs, each once, read
        from the store (the rdflib views are not built for it)."""
        resource = _resource(subject)
        if resource is None:
            return []
        quads = self.store.quads_for_pattern(resource, _named(predicate), None, None)
        values = dict.fromkeys(
            to_rdflib(value) for quad in quads for value in self._written.objects_of(quad)
        )
        return [value for value in values if value is not None]

    def label(self, node: Node) -> str | None:
        """A human label: Danish first, then English, then any language."""
        candidates = [
            value
            for predicate in (RDFS.label, SKOS.prefLabel, SCHEMA.name)
            for value in self.objects(node, predicate)
            if isinstance(value, Literal)
        ]
        for language in ("da", "en", None):
            for value in candidates:
                if language is None or value.language == language:
                    return str(value)
        return None

    def summary(self) -> dict[str, int]:
        """Triple, graph and file counts, and instances per class of the ontology."""
        counts: dict[str, int] = {
            "triples": self.triple_count(),
            "named graphs": len(self.graph_names()),
            "files": len(self.files),
        }
        # An instance typed in two graphs counts once, as in the union.
        per_class = _select(
            self.store,
            "SELECT ?class (COUNT(DISTINCT ?instance) AS ?n) WHERE "
            f"{{ GRAPH ?g {{ ?instance a ?class }} FILTER(STRSTARTS(STR(?class), '{IKG}')) }} "
            "GROUP BY ?class ORDER BY STR(?class)",
        )
        for class_iri, instances in per_class:
            counts[shorten(class_iri)] = int(instances)
        return counts

    # ------------------------------------------------------------------ queries

    def query(
        self,
        query: str,
        params: Mapping[str, str | int | float | bool] | None = None,
        *,
        engine: str | None = None,
        stated: bool = False,
        allow_service: bool = False,
    ) -> QueryResult:
        """Run a catalogue query by id (or a path to a .rq file) with its parameters bound
        safely; ``stated=True`` keeps to what the source pages state (no analyst coding). A
        SPARQL server that holds the graph is asked the same way through
        ``initiative_kg.endpoint.RemoteEngine``.

            kg.query("initiatives-active-in-year", {"year": 2016}).to_dataframe()
        """
        from initiative_kg.engines import DEFAULT_ENGINE
        from initiative_kg.queries import prepare

        text = prepare(query, params, allow_service=allow_service)
        chosen = self.engine(engine or DEFAULT_ENGINE)
        return chosen.execute(text, stated=stated, allow_service=allow_service)

    def engine(self, name: str, *, hand_over: bool = True) -> Engine:
        """The named embedded engine over this graph (built once, then reused). Oxigraph is
        handed over to rdflib's engine, with a warning that says why, when it could answer a
        query differently from the data as written: the store does not hold every literal as
        written (:attr:`exact`), or a statement is made in two files
        (:meth:`duplicated_statement`). ``hand_over=False`` is for callers that run queries
        known to be immune (the compiled validation, whose queries use DISTINCT)."""
        from initiative_kg.engines import make_engine

        if (
            name == "oxigraph"
            and hand_over
            and (not self.exact or self.duplicated_statement() is not None)
        ):
            if "rdflib" not in self._engines:
                logger.warning("%s", self.inexact_reason())
            name = "rdflib"
        if name not in self._engines:
            self._engines[name] = make_engine(name, self)
        return self._engines[name]

    def inexact_reason(self) -> str:
        """Why the default engines are not used on this graph, for people."""
        if self.exact:
            duplicate = self.duplicated_statement()
            if duplicate is None:
                return "the default engines run on this graph"
            return (
                f"{duplicate.first} and {duplicate.second} both state {duplicate.statement}; "
                "Oxigraph would count such a statement once per file, so rdflib's engines "
                "answer instead (state each fact in one file to use the faster default engines)"
            )
        examples = self.rewritten_literals()
        first = examples[0]
        what = (
            f"Oxigraph cannot compute with {first.written} (beyond the range of its numbers)"
            if first.stored is None
            else f"Oxigraph would store {first.written} as {first.stored}"
        )
        return (
            f"{first.where}: {what} ({len(examples)} literal form(s) in all); using rdflib's "
            "engines so that every literal keeps its datatype, lexical form and value (write "
            "numbers, booleans and dates in canonical form to use the faster default engines)"
        )

    # ------------------------------------------------------------------ personal data

    def drop_personal_data(self) -> int:
        """Remove contact persons (``ikg:ContactPerson``) and every triple that mentions them.
        Returns the number of triples removed (counted per named graph)."""
        typed = self.store.quads_for_pattern(
            None, _named(RDF.type), _named(IKG.ContactPerson), None
        )
        people = {quad.subject for quad in typed}
        doomed: set[pyoxigraph.Quad] = set()
        for person in people:
            doomed.update(self.store.quads_for_pattern(person, None, None, None))
            doomed.update(self.store.quads_for_pattern(None, None, person, None))
        for quad in doomed:
            self.store.remove(quad)
        self._dataset = self._union = None
        self._engines.clear()
        return len(doomed)


def _check_replacement(previous: SourceFile, path: Path, part: str, graph_name: URIRef) -> None:
    """A graph that two files declare: a user file may replace a shipped data file (an edited
    copy of it), nothing else may replace anything."""
    if previous.part == "ontology":
        raise LoadError(
            f"declares the graph {graph_name}, which is the project's own "
            f"{'ontology' if previous.path.parent.name == 'ontology' else 'vocabulary'} "
            f"({previous.path.name}); a data file cannot replace it: give the file a graph of "
            "its own (a subject typed ikg:StatedGraph)",
            path=path,
        )
    if previous.part == "user" or part != "user":
        raise LoadError(
            f"declares the graph {graph_name}, which {previous.path} "
            "declares too; every file needs a graph of its own",
            path=path,
        )


def _is_iri(term: object) -> TypeGuard[pyoxigraph.NamedNode]:
    return type(term).__name__ == "NamedNode"


def _named(iri: str) -> pyoxigraph.NamedNode:
    import pyoxigraph

    return pyoxigraph.NamedNode(iri)


def _resource(node: Node) -> pyoxigraph.NamedNode | pyoxigraph.BlankNode | None:
    """An IRI or blank node as the store holds it; None for a literal."""
    if not isinstance(node, URIRef | BNode):
        return None
    return cast("pyoxigraph.NamedNode | pyoxigraph.BlankNode", to_oxigraph(node))


def _select(store: pyoxigraph.Store, text: str, **options: Any) -> list[tuple[str, ...]]:
    """A SELECT query's rows, each term as its lexical value."""
    solutions = cast("pyoxigraph.QuerySolutions", store.query(text, **options))
    width = len(solutions.variables)
    return [tuple(str(getattr(row[i], "value", "")) for i in range(width)) for row in solutions]


# ---------------------------------------------------------------------- parsing


def _expand(paths: Iterable[Path | str]) -> list[Path]:
    """Files as given; folders as the RDF files below them."""
    expanded: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = rdf_files_under(path)
            if not found:
                raise LoadError(
                    "the folder holds no RDF files (.ttl, .nt, .nq, .trig, .jsonld)", path=path
                )
            expanded.extend(found)
        elif path.exists():
            if rdf_format(path) is None:
                raise LoadError("not an RDF file: use .ttl, .nt, .nq, .trig or .jsonld", path=path)
            expanded.append(path)
        else:
            raise LoadError("no such file or folder", path=path)
    return expanded


def rdf_files(paths: Iterable[Path | str]) -> list[Path]:
    """The RDF files that ``paths`` name: files as given, folders as the files below them."""
    return _expand(paths)


def parse_rdf_file(graph: Graph, path: Path) -> None:
    """Add the triples of one RDF file to an rdflib graph, every term exactly as written (the
    graphs of a quad format are merged). A syntax error names the file, line and column."""
    import pyoxigraph

    rdf_fmt = rdf_format(path)
    if rdf_fmt is None:
        raise LoadError("not an RDF file: use .ttl, .nt, .nq, .trig or .jsonld", path=path)
    text = _read_text(path)
    base = path.resolve().as_uri()
    if rdf_fmt == "json-ld":
        text, rdf_fmt = _jsonld_as_nquads(text, base, path), "nquads"
    try:
        quads = list(pyoxigraph.parse(text, format=_native_format(rdf_fmt), base_iri=base))
    except SyntaxError as error:
        raise _syntax_error(error, rdf_fmt, path) from error
    graph.addN(
        (cast(Node, to_rdflib(q.subject)), cast(Node, to_rdflib(q.predicate)),
         cast(Node, to_rdflib(q.object)), graph)
        for q in quads
    )  # fmt: skip


def _read_text(path: Path) -> str:
    """A file's text; a UTF-8 byte-order mark (which common editors write) is dropped."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise LoadError(f"cannot read the file: {error.strerror}", path=path) from error
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise LoadError(
            "the file is not UTF-8 text (RDF files must be UTF-8)", path=path, line=line
        ) from error


def _load_file(
    store: pyoxigraph.Store,
    path: Path,
    staging: Iterator[pyoxigraph.NamedNode],
    written: WrittenLiterals,
    *,
    allow_remote_contexts: bool = False,
) -> list[tuple[URIRef, pyoxigraph.NamedNode]]:
    """Load one file into the store; return each graph it makes as (the name it declares, the
    graph it was loaded into). The caller moves the second to the first once it has checked
    that no other file claims that name. Literals the store rewrites are recorded in
    ``written`` with the quads that hold them."""
    import pyoxigraph

    rdf_fmt = rdf_format(path)
    if rdf_fmt is None:
        raise LoadError("not an RDF file", path=path)
    text = _read_text(path)
    base = path.resolve().as_uri()
    if rdf_fmt in {"turtle", "nt"}:
        # Straight into the graph the file most likely declares, so that a large file is not
        # moved after loading; the declaration is then read from the store to make sure.
        guess = _guessed_graph_name(text) if rdf_fmt == "turtle" else None
        target = pyoxigraph.NamedNode(guess) if guess else next(staging)
        if store.contains_named_graph(target):
            target = next(staging)
        _native_load(store, text, rdf_fmt, base, path, to_graph=target)
        rewritten = _rewritten_literals(text, rdf_fmt, base, path)
        if rewritten:
            # Again from parsed quads, so that their blank nodes are the store's and each
            # rewritten literal is traced to the quad that holds it.
            store.remove_graph(target)
            quads = _parse_quads(text, rdf_fmt, base, path)
            store.extend(pyoxigraph.Quad(q.subject, q.predicate, q.object, target) for q in quads)
            written.record(path, text, target.value, quads, rewritten)
        return [(_declared_graph(store, target, path), target)]
    if rdf_fmt == "json-ld":
        text = _jsonld_as_nquads(text, base, path, allow_remote_contexts=allow_remote_contexts)
        rdf_fmt = "nquads"
    scratch = pyoxigraph.Store()
    rewritten = _rewritten_literals(text, rdf_fmt, base, path)
    parsed = _parse_quads(text, rdf_fmt, base, path) if rewritten else []
    if rewritten:
        scratch.extend(parsed)
    else:
        _native_load(scratch, text, rdf_fmt, base, path)
    graphs: list[tuple[URIRef, pyoxigraph.NamedNode]] = []
    for graph in [pyoxigraph.DefaultGraph(), *scratch.named_graphs()]:
        in_scratch = scratch.quads_for_pattern(None, None, None, graph)
        target = next(staging)
        store.extend(pyoxigraph.Quad(q.subject, q.predicate, q.object, target) for q in in_scratch)
        if not store.contains_named_graph(target):
            continue  # an empty default graph
        if rewritten:
            in_graph = [q for q in parsed if q.graph_name == graph]
            written.record(path, text, target.value, in_graph, rewritten)
        name = URIRef(graph.value) if _is_iri(graph) else _declared_graph(store, target, path)
        graphs.append((name, target))
    return graphs


def _parse_quads(text: str, rdf_fmt: str, base: str, path: Path) -> list[pyoxigraph.Quad]:
    """Every quad of a file, each term as written; blank nodes get fresh identifiers (so that
    ``_:x`` in two files stays two nodes)."""
    import pyoxigraph

    try:
        return list(
            pyoxigraph.parse(
                text, format=_native_format(rdf_fmt), base_iri=base, rename_blank_nodes=True
            )
        )
    except SyntaxError as error:
        raise _syntax_error(error, rdf_fmt, path) from error


_XSD = "http://www.w3.org/2001/XMLSchema#"
_XSD_STRING = _XSD + "string"


def _rewritten_literals(
    text: str, rdf_format: str, base: str, path: Path
) -> dict[pyoxigraph.Literal, pyoxigraph.Literal | None]:
    """The literals of a file that Oxigraph's store would not hold as written: each with the
    form it would hold instead, or with None for a number it keeps but cannot compute with (a
    decimal beyond its range of about 1.7E20, an integer beyond 64 bits: well-formed XML Schema,
    yet no comparison or sum works on it). Only literals of XML Schema types other than
    xsd:string can be affected; which are is asked of a scratch store, so that this stays true
    to the Oxigraph installed."""
    import pyoxigraph

    literal_type = pyoxigraph.Literal
    try:
        candidates = {
            value
            for quad in pyoxigraph.parse(text, format=_native_format(rdf_format), base_iri=base)
            if type(value := quad.object) is literal_type
            and value.datatype.value.startswith(_XSD)
            and value.datatype.value != _XSD_STRING
        }
    except SyntaxError as error:
        raise _syntax_error(error, rdf_format, path) from error
    if not candidates:
        return {}
    ordered = list(candidates)
    predicate = pyoxigraph.NamedNode("urn:initiative-kg:literal")
    scratch = pyoxigraph.Store()
    scratch.extend(
        pyoxigraph.Quad(pyoxigraph.NamedNode(f"urn:initiative-kg:literal:{i}"), predicate, value)
        for i, value in enumerate(ordered)
    )
    stored = {_index(q.subject): q.object for q in scratch}
    not_numbers = {
        _index(row[0]) for row in cast("pyoxigraph.QuerySolutions",
            scratch.query("SELECT ?s WHERE { ?s ?p ?o FILTER (!isNumeric(?o)) }"))
    }  # fmt: skip
    found: dict[pyoxigraph.Literal, pyoxigraph.Literal | None] = {}
    for i, value in enumerate(ordered):
        datatype = URIRef(value.datatype.value)
        if stored[i] != value:
            found[value] = cast("pyoxigraph.Literal", stored[i])
        elif i in not_numbers and datatype in NUMERIC and well_formed(value.value, datatype):
            found[value] = None
    return found


def _index(node: Any) -> int:
    return int(node.value.rpartition(":")[2])


@dataclass(frozen=True)
class DuplicatedStatement:
    """A statement that two files (two named graphs) both make."""

    subject: Node
    predicate: Node
    value: Node
    first: Path
    second: Path

    @property
    def statement(self) -> str:
        return " ".join(shorten(str(t)) if isinstance(t, URIRef) else t.n3() for t in
                        (self.subject, self.predicate, self.value))  # fmt: skip


@dataclass(frozen=True)
class RewrittenLiteral:
    """A literal a file wrote in a form the store does not keep."""

    path: Path
    line: int | None
    written: str
    stored: str | None  # None: kept as written, but Oxigraph cannot compute with it

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line is not None else str(self.path)


class WrittenLiterals:
    """For each quad whose literal the store holds rewritten, the literal(s) the file wrote
    (two written forms can land on one stored quad: ``1`` and ``true`` as xsd:boolean), by
    graph, so that the views and the exports give the data back as it was written."""

    def __init__(self) -> None:
        self.by_graph: dict[str, dict[tuple[Any, Any, Any], list[Any]]] = {}
        self.examples_by_graph: dict[str, list[RewrittenLiteral]] = {}
        # graphs with numbers the store keeps as written but cannot compute with
        self.uncomputable_graphs: set[str] = set()

    @property
    def complete(self) -> bool:
        """Whether the store holds, and can compute with, every literal as written."""
        return not self.by_graph and not self.uncomputable_graphs

    @property
    def examples(self) -> list[RewrittenLiteral]:
        return [example for found in self.examples_by_graph.values() for example in found]

    def record(
        self,
        path: Path,
        text: str,
        graph: str,
        quads: Iterable[pyoxigraph.Quad],
        rewritten: Mapping[Any, pyoxigraph.Literal | None],
    ) -> None:
        examples = [
            RewrittenLiteral(path, _line_of(text, value.value), str(value), _stored(stored))
            for value, stored in sorted(rewritten.items(), key=lambda item: str(item[0]))
        ]
        uncomputable = [value for value, stored in rewritten.items() if stored is None]
        rewritten = {value: stored for value, stored in rewritten.items() if stored is not None}
        if uncomputable:
            self.uncomputable_graphs.add(graph)
        stored_forms: set[Any] = set(rewritten.values())
        table = self.by_graph.setdefault(graph, {})
        for quad in quads:
            value = quad.object
            key: tuple[Any, Any, Any]
            if value in rewritten:
                key = (quad.subject, quad.predicate, rewritten[value])
            elif value in stored_forms:  # written in the stored form itself
                key = (quad.subject, quad.predicate, value)
            else:
                continue
            forms = table.setdefault(key, [])
            if value not in forms:
                forms.append(value)
        for key in [key for key, forms in table.items() if forms == [key[2]]]:
            del table[key]  # only the stored form was written there: nothing to give back
        if not table:
            del self.by_graph[graph]
        if table or uncomputable:
            self.examples_by_graph[graph] = examples

    def objects_of(self, quad: pyoxigraph.Quad) -> Sequence[Any]:
        """The object(s) a stored quad stands for: the literal(s) as written."""
        if self.by_graph:
            table = self.by_graph.get(getattr(quad.graph_name, "value", ""))
            if table:
                forms = table.get((quad.subject, quad.predicate, quad.object))
                if forms:
                    return forms
        return (quad.object,)

    def forget(self, graph: str) -> None:
        self.by_graph.pop(graph, None)
        self.examples_by_graph.pop(graph, None)
        self.uncomputable_graphs.discard(graph)

    def rename(self, old: str, new: str) -> None:
        if old in self.by_graph:
            self.by_graph[new] = self.by_graph.pop(old)
        if old in self.examples_by_graph:
            self.examples_by_graph[new] = self.examples_by_graph.pop(old)
        if old in self.uncomputable_graphs:
            self.uncomputable_graphs.discard(old)
            self.uncomputable_graphs.add(new)


def _stored(stored: pyoxigraph.Literal | None) -> str | None:
    return None if stored is None else str(stored)


def _line_of(text: str, lexical: str) -> int | None:
    """The first line on which a lexical form appears in the file (a guide for the reader)."""
    position = text.find(lexical)
    return text.count("\n", 0, position) + 1 if position >= 0 else None


def _native_load(
    store: pyoxigraph.Store,
    text: str,
    rdf_fmt: str,
    base: str,
    path: Path,
    *,
    to_graph: pyoxigraph.NamedNode | None = None,
) -> None:
    try:
        store.load(text, format=_native_format(rdf_fmt), base_iri=base, to_graph=to_graph)
    except SyntaxError as error:
        raise _syntax_error(error, rdf_fmt, path) from error


def _syntax_error(error: SyntaxError, rdf_fmt: str, path: Path) -> LoadError:
    reason = _PARSER_POSITION.sub("", str(error.msg)).strip()
    return LoadError(
        f"{_NATIVE_NAMES[rdf_fmt]} syntax error: {reason}",
        path=path,
        line=error.lineno,
        column=error.offset,
    )


def _native_format(name: str) -> Any:
    """Oxigraph's format for a format name (pyoxigraph is imported only by the commands that
    load)."""
    import pyoxigraph

    return {
        "turtle": pyoxigraph.RdfFormat.TURTLE,
        "nt": pyoxigraph.RdfFormat.N_TRIPLES,
        "nquads": pyoxigraph.RdfFormat.N_QUADS,
        "trig": pyoxigraph.RdfFormat.TRIG,
    }[name]


# Oxigraph puts the position into its message too; the error carries it apart.
_PARSER_POSITION = re.compile(r"^Parser error[^:]*:\s*")


def _jsonld_as_nquads(
    text: str, base: str, path: Path, *, allow_remote_contexts: bool = False
) -> str:
    """JSON-LD through rdflib, as N-Quads. rdflib's parser fetches a context given as a URL, so
    such a context is refused unless the user allows it; with it refused, the parse runs with
    outbound requests blocked, whatever else the document holds."""
    from initiative_kg.offline import OutboundRequestRefused, offline

    remote = _remote_contexts(text, base, path)
    if remote and not allow_remote_contexts:
        raise LoadError(
            f"the JSON-LD @context {remote[0]} is on the network and would be fetched; "
            "give the context inline or as a local file, or allow fetching it with "
            "--allow-remote-context",
            path=path,
        )
    parsed = Dataset()
    try:
        if allow_remote_contexts:
            parsed.parse(data=text, format="json-ld", publicID=base)
        else:
            with offline(f"reading the JSON-LD file {path}"):
                parsed.parse(data=text, format="json-ld", publicID=base)
    except OutboundRequestRefused as error:
        raise LoadError(str(error), path=path) from error
    except Exception as error:  # rdflib's JSON-LD parser raises many types; all mean bad input
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise LoadError(f"cannot parse as JSON-LD: {reason}", path=path) from error
    serialised = parsed.serialize(format="nquads")
    return serialised if isinstance(serialised, str) else serialised.decode("utf-8")


def _remote_contexts(text: str, base: str, path: Path) -> list[str]:
    """The contexts (``@context``, and ``@import`` inside one) a JSON-LD document refers to by
    an address that is not a local file, resolved against the document's own address."""
    import json
    from urllib.parse import urljoin, urlparse

    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise LoadError(
            f"not JSON: {error.msg}", path=path, line=error.lineno, column=error.colno
        ) from error
    references: list[str] = []
    pending: list[Any] = [document]
    while pending:
        node = pending.pop()
        if isinstance(node, list):
            pending.extend(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                values = value if isinstance(value, list) else [value]
                if key in {"@context", "@import"}:
                    references += [v for v in values if isinstance(v, str)]
                pending.extend(v for v in values if isinstance(v, dict | list))
    resolved = [urljoin(base, reference) for reference in references]
    return [address for address in resolved if urlparse(address).scheme != "file"]


def _declared_graph(store: pyoxigraph.Store, graph: pyoxigraph.NamedNode, path: Path) -> URIRef:
    """The graph a file declares (see the module's docstring), read from where it was loaded."""
    classes = " ".join(f"<{iri}>" for iri in sorted(GRAPH_CLASSES | DOCUMENT_CLASSES))
    rows = _select(
        store,
        f"SELECT DISTINCT ?subject ?class WHERE {{ VALUES ?class {{ {classes} }} "
        "?subject a ?class FILTER(isIRI(?subject)) }",
        default_graph=graph,
    )
    typed = [(URIRef(subject), URIRef(kind)) for subject, kind in rows]
    declared = sorted({subject for subject, kind in typed if kind in GRAPH_CLASSES})
    if len(declared) > 1:
        names = ", ".join(str(name) for name in declared)
        raise LoadError(f"declares more than one data graph ({names}); use one per file", path=path)
    if declared:
        return declared[0]
    documents = sorted({subject for subject, kind in typed if kind in DOCUMENT_CLASSES})
    if len(documents) == 1:
        return documents[0]
    return URIRef(path.resolve().as_uri())


_PREFIX_DECLARATION = re.compile(
    r"^[ \t]*(?:@prefix|prefix)[ \t]+([^\s:]*):[ \t]*<([^>]*)>", re.IGNORECASE | re.MULTILINE
)
_GRAPH_DECLARATION = re.compile(
    r"^(\S+)[ \t]+(?:a|rdf:type)[ \t]+[A-Za-z][\w.-]*:"
    r"(?:StatedGraph|CodedGraph|ReferenceGraph|DataGraph)\b",
    re.MULTILINE,
)


def declared_prefixes(path: Path) -> dict[str, str]:
    """The prefixes a Turtle or TriG file declares ({} for other formats)."""
    if rdf_format(path) not in {"turtle", "trig"}:
        return {}
    return _prefixes(_read_text(path))


def _prefixes(text: str) -> dict[str, str]:
    return {prefix: iri for prefix, iri in _PREFIX_DECLARATION.findall(text)}


def _guessed_graph_name(text: str) -> str | None:
    """The graph a Turtle file probably declares, from its text alone (checked after loading).
    Only the one prefix the declaration uses is looked up: scanning a large file for all its
    prefixes takes a second per million triples."""
    match = _GRAPH_DECLARATION.search(text)
    if match is None:
        return None
    token = match.group(1)
    prefix = token.partition(":")[0] if not token.startswith("<") else ""
    declared = re.search(
        rf"^[ \t]*(?:@prefix|prefix)[ \t]+{re.escape(prefix)}:[ \t]*<([^>]*)>",
        text,
        re.IGNORECASE | re.MULTILINE,
    )
    return _resolve(token, {prefix: declared.group(1)} if declared else {})


# A subject starts a statement at the start of a line: `prefix:local`, `<iri>` or `_:label`.
_SUBJECT_TOKEN = re.compile(r"^(<[^>\s]*>|[A-Za-z][\w.-]*:(?:\\.|[^\s;,\\])*|:(?:\\.|[^\s;,\\])*)")
_DIRECTIVE = re.compile(r"^(@prefix|@base|prefix\s|base\s)", re.IGNORECASE)
_LOCAL_ESCAPE = re.compile(r"\\(.)")


def _subject_start_lines_of(path: Path) -> dict[Node, int]:
    """Map each IRI that starts a line of the file (outside long strings) to the first such
    line; nothing for JSON-LD, which has no lines to speak of."""
    if rdf_format(path) in {None, "json-ld"}:
        return {}
    try:
        text = _read_text(path)
    except LoadError:
        return {}  # the file changed since it was loaded; the location keeps to the file
    prefixes = _prefixes(text)
    starts: dict[Node, int] = {}
    in_long_string = False
    for number, line in enumerate(text.splitlines(), start=1):
        if line.count('"""') % 2 == 1:
            in_long_string = not in_long_string
            continue
        if in_long_string or not line or line[0].isspace() or line[0] == "#":
            continue
        if _DIRECTIVE.match(line):
            continue
        match = _SUBJECT_TOKEN.match(line)
        if match is None:
            continue
        iri = _resolve(match.group(1), prefixes)
        if iri is not None:
            starts.setdefault(URIRef(iri), number)
    return starts


def _resolve(token: str, prefixes: dict[str, str]) -> str | None:
    if token.startswith("<"):
        return token[1:-1]
    if token.startswith("_:"):
        return None
    prefix, _, local = token.partition(":")
    namespace = prefixes.get(prefix)
    if namespace is None:
        return None
    return namespace + _LOCAL_ESCAPE.sub(r"\1", local)
