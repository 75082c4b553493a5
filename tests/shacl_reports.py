"""SHACL test cases in the W3C test-suite form, and validation reports compared as the SHACL
specification defines them.

A case is a Turtle file with a manifest entry (``sht:Validate``) whose ``mf:action`` names the
data graph and the shapes graph and whose ``mf:result`` is either the expected
``sh:ValidationReport`` or ``sht:Failure`` (a shapes graph that an engine must refuse). The
conformance tests, the differential test and ``bench/w3c_shacl.py`` all read cases and compare
reports with this module, so that every engine is held to one notion of "the same report".

A result is compared as the tuple (focus node, result path, value, source constraint component,
severity, source shape), and a report as the multiset of its results: an engine that reports one
problem twice, or two problems once, differs. Blank nodes have no identity across parsers, so a
blank node is compared by a signature built from its own triples in the graph it came from (the
data graph the engine read, or the shapes graph for a shape or a path); a complex result path is
compared in SPARQL property-path syntax.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

if TYPE_CHECKING:
    from initiative_kg.validation import ValidationResult

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")

# A term as compared: ("iri", text), ("literal", lexical form, datatype, language) or
# ("blank", signature). None where a result has no such field.
TermKey = tuple[str, ...]
ResultKey = tuple[TermKey | None, str | None, TermKey | None, str, str, TermKey | None]

# How deep a blank node's signature follows nested blank nodes (a path, an address, a list).
_SIGNATURE_DEPTH = 6


@dataclass(frozen=True)
class Report:
    """What an engine said (or a case expects): the results as a multiset, and the messages of
    each result where they are compared."""

    results: Counter[ResultKey]
    messages: Counter[tuple[ResultKey, frozenset[str]]] = field(default_factory=Counter)

    @property
    def conforms(self) -> bool:
        """SHACL: a graph conforms when validation gives no result at all, of any severity."""
        return not self.results


@dataclass(frozen=True)
class Case:
    """One manifest entry: where its graphs are and what it expects (None: sht:Failure)."""

    path: Path
    entry: URIRef
    label: str
    data: Path
    shapes: Path
    expected_conforms: bool | None
    expected: Report | None
    graph: Graph  # the manifest file as rdflib parses it: the expected report lives here

    @property
    def must_fail(self) -> bool:
        return self.expected is None


# ---------------------------------------------------------------------- terms


def term_key(graph: Graph, term: Node | None) -> TermKey | None:
    """A term as compared across engines: IRIs and literals as RDF 1.1 defines term equality
    (a language tag in lower case, a simple literal as xsd:string); a blank node by the signature
    of its triples in ``graph``."""
    if term is None:
        return None
    if isinstance(term, BNode):
        return ("blank", _signature(graph, term, frozenset(), 0))
    if isinstance(term, Literal):
        if term.language:
            return ("literal", str(term), str(RDF.langString), term.language.lower())
        return ("literal", str(term), str(term.datatype or XSD.string), "")
    return ("iri", str(term))


def _signature(graph: Graph, node: BNode, seen: frozenset[Node], depth: int) -> str:
    """A blank node's own triples: its properties and their values (nested blank nodes followed
    a few levels deep), and the IRIs that point at it."""
    if node in seen or depth > _SIGNATURE_DEPTH:
        return "…"
    seen = seen | {node}
    outgoing = sorted(
        f"{p} {_nested(graph, o, seen, depth)}" for p, o in graph.predicate_objects(node)
    )
    incoming = sorted(
        f"{s} {p}" if not isinstance(s, BNode) else f"[] {p}"
        for s, p in graph.subject_predicates(node)
    )
    return "{" + "; ".join(outgoing) + " | " + "; ".join(incoming) + "}"


def _nested(graph: Graph, term: Node, seen: frozenset[Node], depth: int) -> str:
    if isinstance(term, BNode):
        return _signature(graph, term, seen, depth + 1)
    return repr(term_key(graph, term))


def path_text(shapes: Graph, path: Node | None) -> str | None:
    """A SHACL property path in SPARQL property-path syntax, every compound part in brackets."""
    if path is None:
        return None
    if isinstance(path, URIRef):
        return f"<{path}>"
    if not isinstance(path, BNode):
        raise AssertionError(f"a result path that is not a path: {path!r}")
    if (path, RDF.first, None) in shapes:
        members = [path_text(shapes, member) for member in Collection(shapes, path)]
        return "(" + "/".join(str(m) for m in members) + ")"
    unary = {
        SH.inversePath: "^{}",
        SH.zeroOrMorePath: "{}*",
        SH.oneOrMorePath: "{}+",
        SH.zeroOrOnePath: "{}?",
    }
    for predicate, form in unary.items():
        inner = shapes.value(path, predicate)
        if inner is not None:
            return "(" + form.format(path_text(shapes, inner)) + ")"
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        members = [path_text(shapes, member) for member in Collection(shapes, alternatives)]
        return "(" + "|".join(str(m) for m in members) + ")"
    raise AssertionError(f"the result path {path!r} is not a SHACL path in the shapes graph")


def result_key(
    data: Graph,
    shapes: Graph,
    *,
    focus: Node | None,
    path: Node | None,
    value: Node | None,
    component: Node | None,
    severity: Node | None,
    source_shape: Node | None,
) -> ResultKey:
    """One result as compared: data-graph terms keyed in ``data``, the path and the shape in
    ``shapes``."""
    return (
        term_key(data, focus),
        path_text(shapes, path),
        term_key(data, value),
        str(component),
        str(severity),
        term_key(shapes, source_shape),
    )


def key_of_result(data: Graph, shapes: Graph, result: ValidationResult) -> ResultKey:
    """The key of one of the project's validation results, from the RDF terms it keeps."""
    raw = result.raw
    if raw is None:
        raise AssertionError(f"a result without its RDF terms: {result.shape} {result.message}")
    return result_key(
        data,
        shapes,
        focus=raw.focus,
        path=raw.path,
        value=raw.value,
        component=raw.component,
        severity=raw.severity,
        source_shape=raw.source_shape,
    )


def show_key(key: ResultKey) -> str:
    """A result key for people: short, one line."""
    focus, path, value, component, severity, shape = key

    def short(term: TermKey | None) -> str:
        if term is None:
            return "-"
        if term[0] == "iri":
            return _short_iri(term[1])
        if term[0] == "literal":
            lexical, datatype, language = term[1], term[2], term[3]
            return f'"{lexical}"@{language}' if language else f'"{lexical}"^^{_short_iri(datatype)}'
        return "[]" + term[1][:80]

    return (
        f"focus={short(focus)} path={path or '-'} value={short(value)} "
        f"component={_short_iri(component)} severity={_short_iri(severity)} shape={short(shape)}"
    )


def _short_iri(iri: str) -> str:
    for prefix, namespace in (("sh:", str(SH)), ("xsd:", str(XSD)), ("rdf:", str(RDF))):
        if iri.startswith(namespace):
            return prefix + iri[len(namespace) :]
    return iri.rsplit("#", 1)[-1] if "#" in iri else iri


# ---------------------------------------------------------------------- manifests


def read_manifest(path: Path) -> list[Case]:
    """Every sht:Validate entry of a manifest file and of the manifests it includes."""
    graph = parse(path, as_written=True)
    cases: list[Case] = []
    for manifest in sorted(graph.subjects(RDF.type, MF.Manifest), key=str):
        for included in sorted(graph.objects(manifest, MF.include), key=str):
            cases += read_manifest(_local_path(included))
        for entries in graph.objects(manifest, MF.entries):
            for entry in Collection(graph, entries):
                if (entry, RDF.type, SHT.Validate) in graph:
                    cases.append(_case(path, graph, entry))
    return cases


def _case(path: Path, graph: Graph, entry: Node) -> Case:
    if not isinstance(entry, URIRef):
        raise ValueError(f"{path}: a manifest entry must be an IRI, not {entry!r}")
    action = graph.value(entry, MF.action)
    result = graph.value(entry, MF.result)
    if action is None or result is None:
        raise ValueError(f"{path}: {entry} has no mf:action or no mf:result")
    data = graph.value(action, SHT.dataGraph)
    shapes = graph.value(action, SHT.shapesGraph)
    if data is None or shapes is None:
        raise ValueError(f"{path}: {entry} names no sht:dataGraph or sht:shapesGraph")
    label = str(graph.value(entry, RDFS_LABEL) or entry)
    if result == SHT.Failure:
        expected, conforms = None, None
    else:
        expected, conforms = _expected_report(graph, result)
    return Case(
        path=path,
        entry=entry,
        label=label,
        data=_local_path(data),
        shapes=_local_path(shapes),
        expected_conforms=conforms,
        expected=expected,
        graph=graph,
    )


RDFS_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")


def _local_path(iri: Node) -> Path:
    text = str(iri)
    if not text.startswith("file://"):
        raise ValueError(f"not a local file: {text}")
    from urllib.parse import unquote, urlparse

    return Path(unquote(urlparse(text).path))


def _expected_report(graph: Graph, report: Node) -> tuple[Report, bool]:
    """The expected report of a case. Its data-graph terms are keyed in the case's own graph;
    the case file holds the data, the shapes and the report, as in the W3C suite, when its
    sht:dataGraph and sht:shapesGraph are the file itself."""
    if (report, RDF.type, SH.ValidationReport) not in graph:
        raise ValueError(f"mf:result {report!r} is neither sht:Failure nor an sh:ValidationReport")
    conforms = graph.value(report, SH.conforms)
    if not isinstance(conforms, Literal) or not isinstance(conforms.toPython(), bool):
        raise ValueError("the expected report has no boolean sh:conforms")
    results: Counter[ResultKey] = Counter()
    messages: Counter[tuple[ResultKey, frozenset[str]]] = Counter()
    for node in graph.objects(report, SH.result):
        key = result_key(
            graph,
            graph,
            focus=graph.value(node, SH.focusNode),
            path=graph.value(node, SH.resultPath),
            value=graph.value(node, SH.value),
            component=graph.value(node, SH.sourceConstraintComponent),
            severity=graph.value(node, SH.resultSeverity),
            source_shape=graph.value(node, SH.sourceShape),
        )
        results[key] += 1
        said = frozenset(str(m) for m in graph.objects(node, SH.resultMessage))
        if said:
            messages[(key, said)] += 1
    return Report(results, messages), bool(conforms.toPython())


def structural_problems(case: Case) -> list[str]:
    """What is wrong with a case as written (not with an engine): every expected result names
    its focus node, component, severity and source shape, and sh:conforms agrees with the
    results."""
    problems: list[str] = []
    if case.expected is None:
        return problems
    if case.expected_conforms != case.expected.conforms:
        problems.append("sh:conforms disagrees with the sh:result list")
    for key in case.expected.results:
        focus, _, _, component, severity, shape = key
        if focus is None or shape is None or component == "None" or severity == "None":
            problems.append(f"an expected result lacks a required field: {show_key(key)}")
    return problems


# ---------------------------------------------------------------------- comparing


def differences(expected: Report, got: Report, *, one_message: bool = False) -> list[str]:
    """What differs between two reports, for a failure message; empty when they agree. Messages
    are compared where the expected result states them: all of them must be on the result, or,
    for an engine that reports ``one_message`` in the language asked for, that one must be among
    them."""
    lines: list[str] = []
    if expected.conforms != got.conforms:
        said = "conforms" if got.conforms else "does not conform"
        lines.append(f"WRONG VERDICT: the engine says the data {said}")
    missing = expected.results - got.results
    extra = got.results - expected.results
    lines += [f"missing ×{n}: {show_key(key)}" for key, n in sorted(missing.items(), key=repr)]
    lines += [f"unexpected ×{n}: {show_key(key)}" for key, n in sorted(extra.items(), key=repr)]
    if not missing and not extra:
        for (key, said), n in sorted(expected.messages.items(), key=str):
            found = sum(
                count
                for (got_key, got_said), count in got.messages.items()
                if got_key == key
                and got_said
                and (got_said <= said if one_message else said <= got_said)
            )
            if found < n:
                lines.append(f"message {sorted(said)} not on {n} result(s): {show_key(key)}")
    return lines


def report_from_results_graph(data: Graph, shapes: Graph, results: Graph) -> Report:
    """A report as a SHACL engine writes it (pySHACL and its kin): the top-level sh:result
    nodes of the sh:ValidationReport only, not the nested sh:detail ones."""
    found: Counter[ResultKey] = Counter()
    messages: Counter[tuple[ResultKey, frozenset[str]]] = Counter()
    for report in results.subjects(RDF.type, SH.ValidationReport):
        for node in results.objects(report, SH.result):
            path = results.value(node, SH.resultPath)
            key = result_key(
                data,
                shapes,
                focus=results.value(node, SH.focusNode),
                path=None,
                value=results.value(node, SH.value),
                component=results.value(node, SH.sourceConstraintComponent),
                severity=results.value(node, SH.resultSeverity),
                source_shape=results.value(node, SH.sourceShape),
            )
            # A complex path is read where it is: pySHACL reuses the shapes graph's nodes,
            # other engines copy the path into their report.
            in_shapes = not isinstance(path, BNode) or (path, None, None) in shapes
            key = (key[0], path_text(shapes if in_shapes else results, path), *key[2:])
            found[key] += 1
            said = frozenset(str(m) for m in results.objects(node, SH.resultMessage))
            messages[(key, said)] += 1
    return Report(found, messages)


def project_report(data: Path, shapes: Path, engine: str) -> Report:
    """The project's validate() with the shapes of ``shapes`` (every literal as written) over
    ``data`` as the project loads it (KnowledgeGraph.load with nothing else beside it, as ``ikg
    validate DATA --shapes SHAPES`` does). Results are
    keyed by the terms each ValidationResult carries in ``raw``; blank nodes in the graph the
    engines read (``kg.union()``)."""
    from initiative_kg.store import KnowledgeGraph
    from initiative_kg.validation import Severity, validate

    kg = KnowledgeGraph.load([data], background="bare")
    # The shapes as written: rdflib's default parse would rewrite a literal such as
    # "1"^^xsd:boolean before the engine could see it.
    shapes_graph = parse(shapes, as_written=True)
    report = validate(kg, shapes=shapes_graph, engine=engine, fail_on=Severity.INFO)  # type: ignore[arg-type]
    union = kg.union()
    results: Counter[ResultKey] = Counter()
    messages: Counter[tuple[ResultKey, frozenset[str]]] = Counter()
    for result in report.results:
        key = key_of_result(union, shapes_graph, result)
        results[key] += 1
        messages[(key, frozenset({result.message}))] += 1
    if report.conforms != (not results):
        raise AssertionError("at fail_on=info, conforms must mean no result at all")
    return Report(results, messages)


def blanks_as_wildcards(report: Report) -> Report:
    """The report with every blank node (focus node, value, source shape) as one and the same:
    for an engine whose report names blank nodes of its own, which no signature can match."""

    def wildcard(term: TermKey | None) -> TermKey | None:
        return ("blank", "?") if term is not None and term[0] == "blank" else term

    results: Counter[ResultKey] = Counter()
    for (focus, path, value, component, severity, shape), count in report.results.items():
        key = (wildcard(focus), path, wildcard(value), component, severity, wildcard(shape))
        results[key] += count
    return Report(results)


def pyshacl_report(data: Graph, shapes: Graph) -> Report:
    """pySHACL, the reference, as the project's tests run it: no inference, SHACL-SPARQL on.
    Raises whatever pySHACL raises for a shapes graph it refuses."""
    import pyshacl

    conforms, results, text = pyshacl.validate(
        data, shacl_graph=shapes, advanced=True, inference="none"
    )
    if not isinstance(results, Graph):
        raise RuntimeError(f"pySHACL gave no results graph: {text}")
    report = report_from_results_graph(data, shapes, results)
    if bool(conforms) != report.conforms:
        raise AssertionError(f"pySHACL says conforms={conforms} but gives {report.results}")
    return report


def parse(path: Path | None, *, as_written: bool = False, text: str | None = None) -> Graph:
    """A Turtle file (or ``text``) as rdflib parses it (the reference's loading path, not the
    project's).

    By default rdflib rewrites every literal it can read into its canonical form, and some it
    cannot read into well-formed ones ("yes"^^xsd:boolean becomes "false"); ``as_written`` keeps
    each literal's lexical form, as the expected reports are written."""
    import rdflib

    normalising = rdflib.NORMALIZE_LITERALS
    rdflib.NORMALIZE_LITERALS = not as_written
    try:
        return Graph().parse(path, data=text, format="turtle")
    finally:
        rdflib.NORMALIZE_LITERALS = normalising
