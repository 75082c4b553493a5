"""Loading: the ontology, vocabularies and data files into one embedded RDF dataset.

Every data file becomes one named graph. A file names its graph by describing it (a subject typed
``ikg:StatedGraph``, ``ikg:CodedGraph`` or ``ikg:ReferenceGraph`` with the sources it derives
from); a file that does not is put in a graph named after its ``file:`` URI. The dataset's default
graph is the union of all named graphs, so queries see everything unless they ask by graph.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Literal as Choice

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.term import Node

from initiative_kg.assets import AssetLayout, layout, rdf_files_under, rdf_format
from initiative_kg.errors import LoadError
from initiative_kg.namespaces import IKG, SCHEMA, bind_prefixes

if TYPE_CHECKING:
    from initiative_kg.engines import Engine, QueryResult

logger = logging.getLogger(__name__)

QUAD_FORMATS = frozenset({"nquads", "trig"})
# ikg:DataGraph and the subclasses a file may use to name its own graph.
GRAPH_CLASSES = frozenset({IKG.DataGraph, IKG.StatedGraph, IKG.CodedGraph, IKG.ReferenceGraph})

ProgressCallback = Callable[[Path], None]
Background = Choice["shipped", "reference", "none"]


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
    """Remembers, per file, the line on which each subject's block starts, and which file each
    named graph came from."""

    starts: dict[Path, dict[Node, int]] = field(default_factory=dict)
    graph_file: dict[URIRef, Path] = field(default_factory=dict)
    typed_in: dict[Node, Path] = field(default_factory=dict)

    def record(self, path: Path, graph_name: URIRef, graph: Graph, text: str | None) -> None:
        self.starts[path] = _subject_start_lines(text, graph) if text is not None else {}
        self.graph_file[graph_name] = path
        for subject in graph.subjects(RDF.type, None):
            if not isinstance(subject, BNode):
                self.typed_in.setdefault(subject, path)

    def at(self, path: Path, subject: Node) -> Location:
        return Location(path, self.starts.get(path, {}).get(subject))


class KnowledgeGraph:
    """The loaded graph: a dataset of named graphs, the files they came from, and where each
    resource is defined."""

    def __init__(self, dataset: Dataset, files: Sequence[SourceFile], locator: _Locator) -> None:
        self.dataset = dataset
        self.files: tuple[SourceFile, ...] = tuple(files)
        self._locator = locator
        self._union: Graph | None = None
        self._engines: dict[str, Engine] = {}

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
    ) -> KnowledgeGraph:
        """Load the ontology and vocabularies with either the shipped data (no ``paths``) or the
        user's files and folders.

        Beside user files, ``background`` decides what else is loaded: "shipped" (the default)
        loads the rest of the shipped data, which they may link to, and a user file that names
        the same graph as a shipped file replaces it (so an edited copy of a shipped file is
        checked as it now is); "reference" loads only the municipalities and regions; "none"
        only the ontology and vocabularies.
        """
        assets = assets or layout()
        user_files = _expand(paths) if paths else []
        user_resolved = {path.resolve() for path in user_files}
        if not paths or background == "shipped":
            background_files = assets.data_files()
        elif background == "reference":
            background_files = assets.reference_files()
        else:
            background_files = []
        background_files = [p for p in background_files if p.resolve() not in user_resolved]

        dataset = Dataset(default_union=True)
        bind_prefixes(dataset.namespace_manager)
        locator = _Locator()
        loaded: list[SourceFile] = []
        owner: dict[URIRef, SourceFile] = {}

        plan = [(path, "ontology") for path in assets.ontology_files()]
        plan += [(path, "data") for path in background_files]
        plan += [(path, "user") for path in user_files]
        for path, part in plan:
            if progress is not None:
                progress(path)
            for graph_name, graph, text in _parse(path):
                previous = owner.get(graph_name)
                if previous is not None:
                    if previous.part == "user" or part != "user":
                        raise LoadError(
                            f"declares the graph {graph_name}, which {previous.path} "
                            "declares too; every file needs a graph of its own",
                            path=path,
                        )
                    logger.info("%s replaces %s (graph %s)", path, previous.path, graph_name)
                    dataset.remove_graph(graph_name)
                    loaded.remove(previous)
                target = dataset.graph(graph_name)
                target += graph
                locator.record(path, graph_name, graph, text)
                source = SourceFile(path, (graph_name,), part)
                owner[graph_name] = source
                loaded.append(source)
        kg = cls(dataset, loaded, locator)
        if not personal_data:
            kg.drop_personal_data()
        logger.debug("loaded %d triples from %d files", len(kg.union()), len(loaded))
        return kg

    # ------------------------------------------------------------------ views

    def union(self) -> Graph:
        """All triples of all named graphs in one plain graph (built once, then cached)."""
        if self._union is None:
            union = Graph()
            bind_prefixes(union.namespace_manager)
            for context in self.dataset.graphs():
                union += context
            self._union = union
        return self._union

    def graph_names(self) -> list[URIRef]:
        return sorted(
            context.identifier
            for context in self.dataset.graphs()
            if isinstance(context.identifier, URIRef) and len(context) > 0
        )

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
        if not files and subject in self._locator.typed_in:
            files = [self._locator.typed_in[subject]]
        if not files:
            files = [path for path, starts in self._locator.starts.items() if subject in starts]
        return self._locator.at(files[0], subject) if files else None

    def _files_stating(self, subject: Node, predicate: Node, value: Node) -> list[Path]:
        files = []
        for _, _, _, context in self.dataset.quads((subject, predicate, value, None)):
            name = context.identifier if isinstance(context, Graph) else context
            if name in self._locator.graph_file:
                files.append(self._locator.graph_file[name])  # type: ignore[index]
        return files

    def owner(self, node: Node) -> tuple[Node, Node] | None:
        """For a blank node: the nearest resource with an IRI that contains it, and the property
        that leads from it towards the blank node. None for an IRI."""
        union = self.union()
        seen: set[Node] = set()
        current, predicate = node, None
        while isinstance(current, BNode) and current not in seen:
            seen.add(current)
            parent = next(iter(union.subject_predicates(current)), None)
            if parent is None:
                return None
            current, predicate = parent
        if current is node or predicate is None:
            return None
        return current, predicate

    def label(self, node: Node) -> str | None:
        """A human label: Danish first, then English, then any language."""
        union = self.union()
        candidates = [
            value
            for predicate in (RDFS.label, SKOS.prefLabel)
            for value in union.objects(node, predicate)
            if isinstance(value, Literal)
        ]
        candidates += [
            value for value in union.objects(node, SCHEMA.name) if isinstance(value, Literal)
        ]
        for language in ("da", "en", None):
            for value in candidates:
                if language is None or value.language == language:
                    return str(value)
        return None

    def summary(self) -> dict[str, int]:
        """Triple, graph and file counts, and instances per class of the ontology."""
        union = self.union()
        counts: dict[str, int] = {
            "triples": len(union),
            "named graphs": len(self.graph_names()),
            "files": len(self.files),
        }
        types = Counter(
            obj
            for obj in union.objects(None, RDF.type)
            if isinstance(obj, URIRef) and obj.startswith(str(IKG))
        )
        for class_iri, count in sorted(types.items(), key=lambda item: str(item[0])):
            counts[union.namespace_manager.normalizeUri(class_iri)] = count
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
        endpoint: str | None = None,
    ) -> QueryResult:
        """Run a catalogue query by id (or a path to a .rq file) with its parameters bound
        safely; ``stated=True`` keeps to what the source pages state (no analyst coding);
        ``endpoint`` asks a SPARQL server instead of the embedded engine.

            kg.query("initiatives-active-in-year", {"year": 2016}).to_dataframe()
        """
        from initiative_kg.engines import DEFAULT_ENGINE, check_query
        from initiative_kg.queries import resolve

        values = {name: _param_text(value) for name, value in (params or {}).items()}
        text = resolve(query).bind(values)
        check_query(text, allow_service=allow_service or endpoint is not None)
        if endpoint is not None:
            return self.remote(endpoint).execute(text, stated=stated)
        return self.engine(engine or DEFAULT_ENGINE).execute(text, stated=stated)

    def remote(self, endpoint: str, *, timeout: float = 60.0) -> Engine:
        """A SPARQL endpoint that holds this graph (after ikg push), as an engine."""
        from initiative_kg.endpoint import RemoteEngine, SparqlClient

        key = f"endpoint:{endpoint}"
        if key not in self._engines:
            self._engines[key] = RemoteEngine(SparqlClient(endpoint, timeout=timeout))
        return self._engines[key]

    def engine(self, name: str) -> Engine:
        """The named embedded engine over this graph (built once, then reused)."""
        from initiative_kg.engines import make_engine

        if name not in self._engines:
            self._engines[name] = make_engine(name, self)
        return self._engines[name]

    # ------------------------------------------------------------------ personal data

    def drop_personal_data(self) -> int:
        """Remove contact persons (``ikg:ContactPerson``) and every triple that mentions them.
        Returns the number of triples removed."""
        people = set(self.union().subjects(RDF.type, IKG.ContactPerson))
        removed = 0
        for context in list(self.dataset.graphs()):
            doomed = [triple for triple in context if triple[0] in people or triple[2] in people]
            for triple in doomed:
                context.remove(triple)
            removed += len(doomed)
        self._union = None
        self._engines.clear()
        return removed


def _param_text(value: str | int | float | bool) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


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


def _parse(path: Path) -> Iterator[tuple[URIRef, Graph, str | None]]:
    """Parse one file; yield (graph name, its triples, the file's text if line-based)."""
    rdf_fmt = rdf_format(path)
    if rdf_fmt is None:
        raise LoadError("not an RDF file", path=path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise LoadError(f"cannot read the file: {error.strerror}", path=path) from error
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise LoadError(
            "the file is not UTF-8 text (RDF files must be UTF-8)", path=path, line=line
        ) from error
    line_text = None if rdf_fmt == "json-ld" else text
    if rdf_fmt in QUAD_FORMATS:
        quads = Dataset()
        _parse_text(quads, text, rdf_fmt, path)
        for context in quads.graphs():
            if len(context) == 0:
                continue
            name = context.identifier
            if not isinstance(name, URIRef) or name == DATASET_DEFAULT_GRAPH_ID:
                name = _declared_graph(context, path)
            plain = Graph()
            plain += context
            yield name, plain, line_text
        return
    graph = Graph(bind_namespaces="none")
    _parse_text(graph, text, rdf_fmt, path)
    yield _declared_graph(graph, path), graph, line_text


def _parse_text(target: Graph, text: str, rdf_fmt: str, path: Path) -> None:
    base = path.resolve().as_uri()
    try:
        target.parse(data=text, format=rdf_fmt, publicID=base)
    except BadSyntax as error:
        line, column = _position(error)
        raise LoadError(
            f"Turtle syntax error: {error._why}", path=path, line=line, column=column
        ) from error
    except Exception as error:  # rdflib's parsers raise many types; all mean "bad input"
        bad_line = _line_of_bad_ntriples(text, rdf_fmt) if rdf_fmt in {"nt", "nquads"} else None
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise LoadError(f"cannot parse as {rdf_fmt}: {reason}", path=path, line=bad_line) from error


def _position(error: BadSyntax) -> tuple[int, int]:
    consumed = error._str[: error._i]
    line = consumed.count(b"\n") + 1
    column = len(consumed) - (consumed.rfind(b"\n") + 1) + 1
    return line, column


def _line_of_bad_ntriples(text: str, rdf_fmt: str) -> int | None:
    """The first line that does not parse on its own (N-Triples and N-Quads are line-based)."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            Dataset().parse(data=line, format=rdf_fmt)
        except Exception:
            return number
    return None


def _declared_graph(graph: Graph, path: Path) -> URIRef:
    declared = sorted(
        {
            subject
            for graph_class in GRAPH_CLASSES
            for subject in graph.subjects(RDF.type, graph_class)
            if isinstance(subject, URIRef)
        }
    )
    if len(declared) > 1:
        names = ", ".join(str(name) for name in declared)
        raise LoadError(f"declares more than one data graph ({names}); use one per file", path=path)
    if declared:
        return declared[0]
    # The ontology and each vocabulary go into a graph named after themselves.
    documents = sorted(
        {
            subject
            for document_class in (OWL.Ontology, SKOS.ConceptScheme)
            for subject in graph.subjects(RDF.type, document_class)
            if isinstance(subject, URIRef)
        }
    )
    if len(documents) == 1:
        return documents[0]
    return URIRef(path.resolve().as_uri())


# A subject starts a statement at the start of a line: `prefix:local`, `<iri>` or `_:label`.
_SUBJECT_TOKEN = re.compile(r"^(<[^>\s]*>|[A-Za-z][\w.-]*:(?:\\.|[^\s;,\\])*|:(?:\\.|[^\s;,\\])*)")
_DIRECTIVE = re.compile(r"^(@prefix|@base|prefix\s|base\s)", re.IGNORECASE)
_LOCAL_ESCAPE = re.compile(r"\\(.)")


def _subject_start_lines(text: str, graph: Graph) -> dict[Node, int]:
    """Map each IRI that starts a line (outside long strings) to the first such line."""
    prefixes = {prefix: str(namespace) for prefix, namespace in graph.namespaces()}
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
    prefix, _, local = token.partition(":")
    namespace = prefixes.get(prefix)
    if namespace is None:
        return None
    return namespace + _LOCAL_ESCAPE.sub(r"\1", local)


def diff(before: KnowledgeGraph, after: KnowledgeGraph) -> list[tuple[str, list[str]]]:
    """Statements only in ``before`` (-) or only in ``after`` (+), grouped by subject and shown
    with labels; blank nodes are matched up first (an isomorphic pair gives no changes). The
    ontology and vocabularies loaded beside both are left out."""
    from rdflib.compare import graph_diff, to_isomorphic

    from initiative_kg.namespaces import shorten

    def own(kg: KnowledgeGraph) -> Graph:
        graph = Graph()
        for source in kg.files:
            if source.part == "user":
                for name in source.graphs:
                    graph += kg.dataset.graph(name)
        return graph

    _, only_before, only_after = graph_diff(to_isomorphic(own(before)), to_isomorphic(own(after)))

    def show(kg: KnowledgeGraph, node: Node) -> str:
        if isinstance(node, Literal):
            return node.n3()
        if isinstance(node, BNode):
            return "[]"
        label = kg.label(node)
        name = shorten(str(node))
        return f"{name} ({label})" if label and label != name else name

    grouped: dict[str, list[str]] = {}
    for sign, graph, kg in (("-", only_before, before), ("+", only_after, after)):
        for s, p, o in sorted(graph, key=lambda t: (str(t[0]), str(t[1]), str(t[2]))):
            key = show(kg, s)
            grouped.setdefault(key, []).append(f"{sign} {shorten(str(p))} {show(kg, o)}")
    return sorted(grouped.items())
