"""Validation: the SHACL shapes in ``ontology/shapes`` run by pySHACL over the loaded graph, and a
frozen report that says, for each result, what is wrong and in which file and line.

The report renders as text for people, JSON for programs, JUnit XML for CI dashboards and GitHub
workflow annotations.
"""

from __future__ import annotations

import enum
import json
import logging
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any
from typing import Literal as Choice

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from initiative_kg.assets import AssetLayout, layout
from initiative_kg.errors import ValidationError
from initiative_kg.namespaces import IKG, IKGSH, bind_prefixes, shorten
from initiative_kg.queries import CatalogueQuery, checks
from initiative_kg.serialise import graph_json_ld, turtle
from initiative_kg.shape_cache import shapes_and_compiled
from initiative_kg.shape_queries import (
    TARGET_PREDICATES,
    CompiledConstraint,
    CompiledShapes,
    RawResult,
    RefusedShape,
    compile_shapes,
    implicit_class_shapes,
)
from initiative_kg.store import KnowledgeGraph
from initiative_kg.terms import exact_decimal_arithmetic

logger = logging.getLogger(__name__)


class Severity(enum.Enum):
    """SHACL severities, ordered: a threshold of WARNING also fails on violations."""

    INFO = "info"
    WARNING = "warning"
    VIOLATION = "violation"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)

    @property
    def iri(self) -> URIRef:
        return {Severity.INFO: SH.Info, Severity.WARNING: SH.Warning}.get(self, SH.Violation)

    @classmethod
    def from_iri(cls, iri: Node) -> Severity:
        if iri == SH.Info:
            return cls.INFO
        if iri == SH.Warning:
            return cls.WARNING
        return cls.VIOLATION


@dataclass(frozen=True)
class ValidationResult:
    """One problem: which shape found it, at which resource, and where that resource is
    defined. ``raw`` keeps the result's RDF terms (for the W3C report and for comparisons);
    ``details`` are the results that explain it (sh:detail: why a value fails sh:node)."""

    severity: Severity
    shape: str
    component: str
    focus: str
    focus_label: str | None
    path: str | None
    value: str | None
    message: str
    file: str | None
    line: int | None
    raw: RawResult | None = field(default=None, compare=False, repr=False)
    details: tuple[ValidationResult, ...] = ()

    @property
    def where(self) -> str:
        if self.file is None:
            return "(not in a file)"
        return f"{self.file}:{self.line}" if self.line is not None else self.file

    def as_dict(self) -> dict[str, object]:
        """The result for the JSON report: plain values, details nested."""
        return {
            "severity": self.severity.value,
            "shape": self.shape,
            "component": self.component,
            "focus": self.focus,
            "focus_label": self.focus_label,
            "path": self.path,
            "value": self.value,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "details": [detail.as_dict() for detail in self.details],
        }


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of one validation run. ``conforms`` is judged against ``fail_on``;
    ``shacl_conforms`` is SHACL's own verdict (no result of any severity)."""

    results: tuple[ValidationResult, ...]
    fail_on: Severity
    triples: int
    files: int
    # The shapes the results refer to (a property shape or a path may be a blank node in it).
    shapes: Graph | None = field(default=None, compare=False, repr=False)

    @property
    def conforms(self) -> bool:
        return not any(result.severity.rank >= self.fail_on.rank for result in self.results)

    @property
    def shacl_conforms(self) -> bool:
        return not self.results

    def counts(self) -> dict[str, int]:
        return {
            severity.value: sum(1 for result in self.results if result.severity is severity)
            for severity in reversed(Severity)
        }


def load_shapes(assets: AssetLayout | None = None) -> Graph:
    """All shape files in one graph (read once per process, and from the cache of compiled
    shapes when it holds them: ``shape_cache``)."""
    return _project_shapes(tuple((assets or layout()).shape_files()))[0]


@cache
def _project_shapes(files: tuple[Path, ...]) -> tuple[Graph, CompiledShapes]:
    """The project's shapes and their compilation, one pair, so that the blank nodes of the
    property shapes are the same in both."""
    if not files:
        raise ValidationError("no SHACL shapes found; the installation is incomplete")
    shapes, compiled = shapes_and_compiled(files, load_shapes_from, compile_shapes)
    if len(shapes) == 0:
        raise ValidationError("no SHACL shapes found; the installation is incomplete")
    return shapes, compiled


def load_shapes_from(paths: Sequence[Path | str]) -> Graph:
    """Shapes from the user's files and folders, in one graph. A syntax error names the file,
    line and column."""
    from initiative_kg.store import parse_rdf_file, rdf_files

    shapes = Graph()
    bind_prefixes(shapes.namespace_manager)
    files = rdf_files(paths)
    if not files:
        raise ValidationError(f"no shape files found in {', '.join(str(p) for p in paths)}")
    for path in files:
        parse_rdf_file(shapes, path)
    return shapes


ValidationEngine = Choice["oxigraph", "rdflib"]
VALIDATION_ENGINES: tuple[str, ...] = ("oxigraph", "rdflib")


def validate(
    kg: KnowledgeGraph | None = None,
    *,
    data: Sequence[Path | str] | None = None,
    shapes: Graph | Sequence[Path | str] | None = None,
    fail_on: Severity = Severity.VIOLATION,
    language: str = "en",
    relative_to: Path | None = None,
    engine: ValidationEngine = "oxigraph",
    progress: Callable[[int, int], None] | None = None,
) -> ValidationReport:
    """Check a graph against SHACL shapes.

    With no arguments, the shipped graph against the project's shapes and quality checks
    (``queries/checks``). ``kg`` is a loaded graph; ``data`` instead loads exactly those files
    and folders (nothing of the project's beside them). ``shapes`` (an rdflib Graph, or files and
    folders) replaces the project's shapes, and then the project's quality checks do not run.

    ``engine="oxigraph"`` (the default) runs each constraint as one whole-graph query on
    Oxigraph (``shape_queries``) and hands every shape it cannot translate exactly to pySHACL,
    whole; ``engine="rdflib"`` runs pySHACL, the reference, on everything. Shapes that the
    SHACL-SPARQL specification says must be refused raise :class:`ValidationError` with either
    engine. ``progress`` is called with (queries done, queries in all).
    """
    if engine not in VALIDATION_ENGINES:
        known = ", ".join(VALIDATION_ENGINES)
        raise ValidationError(f"unknown validation engine {engine!r}; use one of {known}")
    if kg is None:
        kg = KnowledgeGraph.load(data, background="bare") if data else KnowledgeGraph.load()
    elif data:
        raise ValidationError("give either a loaded graph or data files, not both")
    project_shapes = shapes is None
    if shapes is None:
        shapes_graph, compiled = load_shapes(), compiled_shapes()
    elif isinstance(shapes, Graph):
        shapes_graph, compiled = shapes, compile_shapes(shapes)
    else:
        shapes_graph, compiled = shapes_and_compiled(shapes, load_shapes_from, compile_shapes)
    if compiled.refused:
        reasons = "; ".join(f"{_show(shape)}: {why}" for shape, why in compiled.refused)
        raise ValidationError(f"the SHACL engine must refuse these shapes: {reasons}")
    quality_checks = list(checks().values()) if project_shapes else []
    check_queries = [check.text for check in quality_checks]
    if engine == "rdflib":
        raw = _pyshacl_results(kg.union(), shapes_graph)
        check_answers = [_distinct(kg.engine("rdflib").execute(text)) for text in check_queries]
    elif not kg.exact:
        # The store rewrote literals the shapes may look at (a datatype, a lexical form): the
        # compiled queries would judge data the files do not hold. The hand-over engine reads
        # the data as written (the view), and so does rdflib's engine for the checks.
        logger.warning("%s", kg.inexact_reason())
        raw = _handover_results(kg.union(), shapes_graph, kg.numbers_in_range)
        check_answers = [_distinct(kg.engine("rdflib").execute(text)) for text in check_queries]
    else:
        raw, check_answers = _compiled_results(kg, shapes_graph, compiled, check_queries, progress)
    base = relative_to or Path.cwd()
    found = [_result(kg, shapes_graph, result, language, base) for result in raw]
    found += _check_results(kg, base, quality_checks, check_answers)
    # A total order over every field, so that the report is the same from run to run and
    # from engine to engine (pySHACL returns its results in no fixed order). No result is
    # dropped: a report is a multiset, and the parity tests compare it as one.
    results = sorted(found, key=_order)
    return ValidationReport(
        tuple(results), fail_on, kg.triple_count(), len(kg.files), shapes=shapes_graph
    )


def _order(result: ValidationResult) -> tuple[object, ...]:
    return (
        result.file or "~",
        result.line or 0,
        -result.severity.rank,
        result.shape,
        result.focus,
        result.path or "",
        result.value or "",
        result.component,
        result.message,
        result.focus_label or "",
    )


def _handover_results(data: Graph, shapes: Graph, numbers_in_range: bool = True) -> list[RawResult]:
    """The shapes the compiled engine does not run, checked by pyshacl-turbo: a SHACL engine in
    Rust with pySHACL's interface and results, which scores at least as well as pySHACL on the
    W3C test suite and the project's conformance cases and runs tens of times faster
    (bench/RESULTS.md). pySHACL instead where it is not installed (no wheel for the platform),
    and where the data holds numbers beyond Oxigraph's range: pyshacl-turbo computes with
    Oxigraph's number types, and reports a decimal of 1E21 as ill-typed."""
    if not numbers_in_range:
        logger.info("numbers beyond Oxigraph's range: pySHACL checks the handed-over shapes")
        return _pyshacl_results(data, shapes)
    try:
        import pyshacl_turbo
    except ImportError:
        logger.info("pyshacl-turbo is not installed; pySHACL checks the handed-over shapes")
        return _pyshacl_results(data, shapes)
    return _pyshacl_results(data, shapes, engine=pyshacl_turbo)


def _pyshacl_results(data: Graph, shapes: Graph, *, engine: Any = None) -> list[RawResult]:
    """pySHACL (or an engine with its interface) over ``data``, one focus node at a time."""
    if engine is None:
        # imported here: it takes a second, and most commands never validate
        import pyshacl as engine
    # imported here: rdflib's SPARQL parser is slow to import, and the default engine needs none
    from initiative_kg.sparql_parse_cache import parsed_once

    # pySHACL adds triples to the shapes graph it is given (owl:Class rdfs:subClassOf
    # rdfs:Class, ...); the caller's graph, which load_shapes() shares for the whole process,
    # must stay as the files wrote it.
    given, shapes = shapes, Graph()
    for prefix, namespace in given.namespaces():
        shapes.bind(prefix, namespace, override=True)
    shapes += given
    try:
        # pySHACL's SPARQL sums as Oxigraph's; each constraint's text parsed once, not per node
        with exact_decimal_arithmetic(), parsed_once():
            _, results_graph, results_text = engine.validate(
                data,
                shacl_graph=shapes,
                inference="none",
                advanced=True,
                allow_warnings=True,
                abort_on_first=False,
                meta_shacl=False,
                do_owl_imports=False,
            )
    except Exception as error:  # pySHACL raises its own errors for broken shapes
        raise ValidationError(f"the SHACL engine failed: {error}") from error
    if not isinstance(results_graph, Graph):  # pySHACL reports a broken shape this way
        raise ValidationError(f"the SHACL engine failed: {str(results_text).strip()}")

    def one(node: Node, predicate: URIRef) -> Node | None:
        return next(iter(results_graph.objects(node, predicate)), None)

    def result(node: Node) -> RawResult:
        messages = tuple(
            Literal(str(m), lang=m.language or _language_of(results_graph, node, m))
            for m in results_graph.objects(node, SH.resultMessage)
            if isinstance(m, Literal)
        )
        focus = one(node, SH.focusNode)
        if focus is None:
            raise ValidationError("the SHACL engine reported a result without a focus node")
        return RawResult(
            severity=one(node, SH.resultSeverity) or SH.Violation,
            source_shape=one(node, SH.sourceShape) or SH.NodeShape,
            component=one(node, SH.sourceConstraintComponent) or SH.ConstraintComponent,
            focus=focus,
            path=one(node, SH.resultPath),
            value=one(node, SH.value),
            messages=messages,
            details=tuple(result(d) for d in results_graph.objects(node, SH.detail)),
        )

    # Only the report's own results: the results under sh:detail explain one of them.
    return [
        result(node)
        for report in results_graph.subjects(RDF.type, SH.ValidationReport)
        for node in results_graph.objects(report, SH.result)
    ]


def _compiled_results(
    kg: KnowledgeGraph,
    shapes: Graph,
    compiled: CompiledShapes,
    check_queries: Sequence[str],
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[RawResult], list[list[dict[str, Node | None]]]]:
    """Each constraint as one query on Oxigraph, and the quality checks beside them; shapes the
    compiler cannot translate (or whose query the engine cannot run) go to pySHACL, whole and
    restricted to those shapes. Returns the shapes' results and each check's rows."""
    from concurrent.futures import ThreadPoolExecutor

    # The compiled queries are Oxigraph's own (casts, REGEX, GROUP BY expressions) and are
    # immune to a statement made in two files (DISTINCT, and the hand-over below for those that
    # count or sum): they run on Oxigraph whatever kg.engine() would hand over.
    engine = kg.engine("oxigraph", hand_over=False)
    queries = [constraint.query for constraint in compiled.constraints] + list(check_queries)
    total = len(queries)

    def run(text: str) -> list[dict[str, Node | None]] | Exception:
        try:
            return list(engine.execute(text))
        except Exception as error:  # the engine could not run this query: hand the shape over
            return error

    # Oxigraph releases the GIL while it evaluates a query, so the queries run side by side on
    # every core (1.7x on two cores; bench/RESULTS.md). Results come back in order.
    workers = max(1, min(8, os.cpu_count() or 1))
    answers: list[list[dict[str, Node | None]] | Exception] = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for done, rows in enumerate(pool.map(run, queries), 1):
            answers.append(rows)
            if progress is not None:
                progress(done, total)
    shape_answers = answers[: len(compiled.constraints)]
    check_answers: list[list[dict[str, Node | None]]] = []
    for text, check_rows in zip(check_queries, answers[len(compiled.constraints) :], strict=True):
        if isinstance(check_rows, Exception):
            raise ValidationError(f"a quality check failed: {check_rows}\n{text}")
        check_answers.append(_distinct(check_rows))

    handed_over = dict(compiled.unsupported)
    for constraint, rows in zip(compiled.constraints, shape_answers, strict=True):
        if isinstance(rows, Exception):
            handed_over.setdefault(constraint.node_shape, f"the engine could not run it: {rows}")
    if any(c.aggregates for c in compiled.constraints) and kg.duplicated_statement():
        for constraint in compiled.constraints:
            if constraint.aggregates:
                handed_over.setdefault(constraint.node_shape, kg.inexact_reason())
    per_constraint: list[list[RawResult]] = []
    for constraint, rows in zip(compiled.constraints, shape_answers, strict=True):
        if isinstance(rows, Exception) or constraint.node_shape in handed_over:
            per_constraint.append([])
            continue
        try:
            per_constraint.append(list(constraint.results(rows)))
        except RefusedShape as failure:  # a row bound ?failure to true (SHACL 5.3.1)
            raise ValidationError(f"the validation failed: {failure}") from failure
    _attach_details(compiled.constraints, per_constraint)
    found = [
        result
        for constraint, results in zip(compiled.constraints, per_constraint, strict=True)
        if constraint.detail_of is None
        for result in results
    ]
    if handed_over:
        for shape, reason in handed_over.items():
            logger.info("shape %s is handed over: %s", _show(shape), reason)
        found += _handover_results(kg.union(), _only_targets_of(shapes, set(handed_over)))
    return found, check_answers


def _distinct(rows: Iterable[dict[str, Node | None]]) -> list[dict[str, Node | None]]:
    """A check's rows, each once: a row is a problem, and the same row twice is one problem (a
    statement made in two files appears twice in Oxigraph's union default graph)."""
    return list({tuple(row.items()): row for row in rows}.values())


def _attach_details(
    constraints: Sequence[CompiledConstraint], per_constraint: list[list[RawResult]]
) -> None:
    """Put the results of each nested shape under the sh:node result they explain (the one
    whose value node is their focus node). Nested constraints come after the constraint they
    explain, so going backwards fills the deepest level first."""
    for index in range(len(constraints) - 1, -1, -1):
        parent = constraints[index].detail_of
        if parent is None:
            continue
        for detail in per_constraint[index]:
            explained = per_constraint[parent]
            for position, result in enumerate(explained):
                if result.value == detail.focus:
                    explained[position] = replace(result, details=(*result.details, detail))


def compiled_shapes() -> CompiledShapes:
    return _project_shapes(tuple(layout().shape_files()))[1]


def _only_targets_of(shapes: Graph, keep: set[Node]) -> Graph:
    """The shapes graph with the targets of every shape but ``keep`` removed (explicit targets,
    and the class type that makes an implicit class target), so that only those shapes select
    focus nodes (shapes they refer to with sh:node still apply through them)."""
    reduced = Graph()
    for triple in shapes:
        reduced.add(triple)
    for predicate in TARGET_PREDICATES:
        for shape, target in list(reduced.subject_objects(predicate)):
            if shape not in keep:
                reduced.remove((shape, predicate, target))
    for shape in implicit_class_shapes(shapes) - keep:
        for kind in list(reduced.objects(shape, RDF.type)):
            if kind not in (SH.NodeShape, SH.PropertyShape):
                reduced.remove((shape, RDF.type, kind))
    return reduced


def _result(
    kg: KnowledgeGraph,
    shapes: Graph,
    raw: RawResult,
    language: str,
    base: Path,
) -> ValidationResult:
    location = kg.locate(raw.focus, raw.path, raw.value)
    return ValidationResult(
        severity=Severity.from_iri(raw.severity),
        shape=_named_shape(shapes, raw.source_shape),
        component=_show(raw.component),
        focus=_show_focus(kg, raw.focus),
        focus_label=kg.label(raw.focus),
        path=_show_path(shapes, raw.path),
        value=_show(raw.value) if raw.value is not None else None,
        message=_message(raw.messages, language),
        file=_relative(location.path, base) if location else None,
        line=location.line if location else None,
        raw=raw,
        details=tuple(_result(kg, shapes, detail, language, base) for detail in raw.details),
    )


def _check_results(
    kg: KnowledgeGraph,
    base: Path,
    quality_checks: Sequence[CatalogueQuery],
    answers: Sequence[Sequence[Mapping[str, Node | None]]],
) -> list[ValidationResult]:
    """The quality checks' rows (queries/checks/*-violation.rq, in catalogue order) as results:
    every row is a problem."""
    # Both engines keep the loaded graph's blank node labels, so a result on a participation
    # can be traced to the file and line of its initiative.
    results = []
    for check, rows in zip(quality_checks, answers, strict=True):
        severity = Severity(str(check.header.get("severity", "violation")))
        template = str(check.header.get("message", check.title))
        for row in rows:
            focus, path, value = row.get("focus"), row.get("path"), row.get("value")
            location = kg.locate(focus, path, value) if focus is not None else None
            message = _fill(template, row)
            raw = (
                RawResult(
                    severity=severity.iri,
                    source_shape=IKGSH[f"check-{check.id}"],
                    component=SH.SPARQLConstraintComponent,
                    focus=focus,
                    path=path,
                    value=value,
                    messages=(Literal(message, lang="en"),),
                )
                if focus is not None
                else None
            )
            results.append(
                ValidationResult(
                    severity=severity,
                    shape=f"check:{check.id}",
                    component="SPARQL check",
                    focus=_show_focus(kg, focus),
                    focus_label=kg.label(focus) if focus is not None else None,
                    path=_show(path) if path is not None else None,
                    value=_show(value) if value is not None else None,
                    message=message,
                    file=_relative(location.path, base) if location else None,
                    line=location.line if location else None,
                    raw=raw,
                )
            )
    return results


_SEVERITY_IRIS = {
    Severity.VIOLATION: SH.Violation,
    Severity.WARNING: SH.Warning,
    Severity.INFO: SH.Info,
}


_PLACEHOLDER_IN_TEMPLATE = re.compile(r"\{\?(\w+)\}")


def _fill(template: str, row: Mapping[str, Node | None]) -> str:
    """A check's message with its {?variable} placeholders filled from the result row."""

    def value(match: re.Match[str]) -> str:
        return _show(row.get(match.group(1)))

    return _PLACEHOLDER_IN_TEMPLATE.sub(value, template)


def _named_shape(shapes: Graph, shape: Node | None) -> str:
    """A property shape is a blank node: report the named node shape that holds it."""
    seen: set[Node] = set()
    while isinstance(shape, BNode) and shape not in seen:
        seen.add(shape)
        shape = next(iter(shapes.subjects(None, shape)), None)
    return _show(shape)


def _message(messages: tuple[Literal, ...], language: str) -> str:
    for wanted in (language, "en", None):
        for message in messages:
            if wanted is None or message.language == wanted:
                return _IRI.sub(lambda match: shorten(match.group(0)), str(message))
    return "(the shape gives no message)"


_IRI = re.compile(r"https?://[^\s,;()'\"«»<>]+[^\s,;()'\"«».<>]")
_PLACEHOLDER = re.compile(r"\\\{\\?[?$]\w+\\\}")


def _language_of(results_graph: Graph, node: Node, message: Literal) -> str | None:
    """pySHACL drops the language tag when it fills in a SPARQL constraint's message template;
    recover it by matching the message against the constraint's tagged templates."""
    for constraint in results_graph.objects(node, SH.sourceConstraint):
        for template in results_graph.objects(constraint, SH.message):
            if not isinstance(template, Literal) or template.language is None:
                continue
            pattern = _PLACEHOLDER.sub(".*?", re.escape(str(template)))
            if re.fullmatch(pattern, str(message), flags=re.DOTALL):
                return template.language
    return None


def _show_focus(kg: KnowledgeGraph, focus: Node | None) -> str:
    """An IRI as a prefixed name; a blank node by its type and the resource that holds it."""
    if not isinstance(focus, BNode):
        return _show(focus)
    types = sorted(_show(kind) for kind in kg.objects(focus, RDF.type))
    shown = f"[{' '.join(types) or 'blank node'}]"
    owner = kg.owner(focus)
    if owner is not None:
        shown += f" of {_show(owner[0])}"
    return shown


def _show(node: Node | None) -> str:
    if node is None:
        return "-"
    if isinstance(node, URIRef):
        return shorten(str(node))
    if isinstance(node, BNode):
        return "[blank node]"
    if isinstance(node, Literal):
        return str(node)
    return str(node)


def _show_path(results_graph: Graph, path: Node | None) -> str | None:
    if path is None:
        return None
    if isinstance(path, URIRef):
        return shorten(str(path))
    # A sequence path is an RDF list; show it as SPARQL would: a/b/c.
    items = list(results_graph.items(path))
    return "/".join(_show(item) for item in items) if items else "[complex path]"


def _relative(path: Path, base: Path) -> str:
    try:
        return os.path.relpath(path, base) if path.is_absolute() else str(path)
    except ValueError:  # another drive on Windows
        return str(path)


# ---------------------------------------------------------------------- rendering


def render_text(report: ValidationReport, *, language: str = "en") -> str:
    """The report for people: each result, then one line that sums it up, in ``language``
    (en or da, as the shapes' messages)."""
    lines: list[str] = []
    for result in report.results:
        focus = result.focus + (f' ("{result.focus_label}")' if result.focus_label else "")
        lines.append(f"{result.where}: {result.severity.value}: {result.message}")
        lines.append(f"    focus: {focus}")
        if result.path:
            lines.append(f"    path:  {result.path}")
        if result.value is not None:
            lines.append(f"    value: {result.value}")
        lines.append(f"    shape: {result.shape} ({result.component})")
    if lines:
        lines.append("")
    lines.append(_summary_line(report, language))
    return "\n".join(lines) + "\n"


# The summary line of the text report, per language: counts, size, verdict and threshold.
_SUMMARY = {
    "en": (
        "{violation} violation(s), {warning} warning(s), {info} info(s) in {triples} triples "
        "from {files} files: {verdict} (failing on {fail_on} and above)"
    ),
    "da": (
        "{violation} overtrædelse(r), {warning} advarsel(er), {info} oplysning(er) i {triples} "
        "tripler fra {files} filer: {verdict} (fejler ved {fail_on} og derover)"
    ),
}
_VERDICTS = {
    "en": ("conforms", "does not conform"),
    "da": ("overholder formerne", "overholder ikke formerne"),
}
_SEVERITY_NAMES = {
    "en": {severity: severity.value for severity in Severity},
    "da": {
        Severity.VIOLATION: "overtrædelse",
        Severity.WARNING: "advarsel",
        Severity.INFO: "oplysning",
    },
}


def _summary_line(report: ValidationReport, language: str) -> str:
    language = language if language in _SUMMARY else "en"
    counts = report.counts()
    return _SUMMARY[language].format(
        violation=counts["violation"],
        warning=counts["warning"],
        info=counts["info"],
        triples=report.triples,
        files=report.files,
        verdict=_VERDICTS[language][0 if report.conforms else 1],
        fail_on=_SEVERITY_NAMES[language][report.fail_on],
    )


def render_json(report: ValidationReport) -> str:
    document = {
        "conforms": report.conforms,
        "failOn": report.fail_on.value,
        "triples": report.triples,
        "files": report.files,
        "counts": report.counts(),
        "results": [result.as_dict() for result in report.results],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def render_junit(report: ValidationReport) -> str:
    failing = [r for r in report.results if r.severity.rank >= report.fail_on.rank]
    suites = ET.Element("testsuites", name="ikg validate")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name="ikg validate",
        tests=str(max(len(report.results), 1)),
        failures=str(len(failing)),
        errors="0",
        skipped="0",
    )
    if not report.results:
        ET.SubElement(suite, "testcase", classname="ikg.validate", name="the graph conforms")
    for result in report.results:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=result.shape,
            name=f"{result.focus} {result.path or ''}".strip(),
            file=result.file or "",
            line=str(result.line or ""),
        )
        detail = _plain_detail(result)
        if result.severity.rank >= report.fail_on.rank:
            failure = ET.SubElement(
                case, "failure", type=result.severity.value, message=result.message
            )
            failure.text = detail
        else:
            ET.SubElement(case, "system-out").text = detail
    ET.indent(suites)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
    )


def render_github(report: ValidationReport) -> str:
    """GitHub Actions workflow commands: one annotation per result, then a notice."""
    level = {Severity.VIOLATION: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
    lines = []
    for result in report.results:
        properties = [f"title={_escape_property(result.shape)}"]
        if result.file:
            properties.insert(0, f"file={_escape_property(result.file)}")
            if result.line is not None:
                properties.insert(1, f"line={result.line}")
        text = f"{result.message} (focus {result.focus}"
        text += f", path {result.path}" if result.path else ""
        text += f", value {result.value})" if result.value is not None else ")"
        lines.append(f"::{level[result.severity]} {','.join(properties)}::{_escape_data(text)}")
    counts = report.counts()
    lines.append(
        f"::notice title=ikg validate::{counts['violation']} violation(s), "
        f"{counts['warning']} warning(s), {counts['info']} info(s); "
        f"{'conforms' if report.conforms else 'does not conform'}"
    )
    return "\n".join(lines) + "\n"


def _plain_detail(result: ValidationResult) -> str:
    parts = [f"{result.where}: {result.message}", f"focus: {result.focus}"]
    if result.focus_label:
        parts[-1] += f' ("{result.focus_label}")'
    if result.path:
        parts.append(f"path: {result.path}")
    if result.value is not None:
        parts.append(f"value: {result.value}")
    return "\n".join(parts)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def report_graph(report: ValidationReport) -> Graph:
    """The report as a W3C SHACL validation report (``sh:ValidationReport``), which other SHACL
    tools and dashboards read: ``sh:conforms`` as SHACL defines it (no result of any severity),
    each result with its focus node, path, value, component, shape, severity and messages, the
    results that explain it under ``sh:detail``, and where the resource is defined as
    ``ikg:resultFile`` and ``ikg:resultLine``. A shape or path that is a blank node in the
    shapes graph is copied in with everything it holds."""
    graph = Graph()
    bind_prefixes(graph.namespace_manager)
    node = BNode()
    graph.add((node, RDF.type, SH.ValidationReport))
    graph.add((node, SH.conforms, Literal(report.shacl_conforms)))
    shapes = report.shapes if report.shapes is not None else Graph()
    for result in report.results:
        graph.add((node, SH.result, _result_node(graph, shapes, result)))
    return graph


def _result_node(graph: Graph, shapes: Graph, result: ValidationResult) -> BNode:
    node = BNode()
    graph.add((node, RDF.type, SH.ValidationResult))
    raw = result.raw
    if raw is None:  # pragma: no cover - every result the engines build carries its terms
        raise ValidationError(f"a result has no RDF terms to report: {result}")
    graph.add((node, SH.focusNode, raw.focus))
    graph.add((node, SH.resultSeverity, raw.severity))
    graph.add((node, SH.sourceConstraintComponent, raw.component))
    graph.add((node, SH.sourceShape, _copied(graph, shapes, raw.source_shape)))
    if raw.path is not None:
        graph.add((node, SH.resultPath, _copied(graph, shapes, raw.path)))
    if raw.value is not None:
        graph.add((node, SH.value, raw.value))
    for message in raw.messages:
        graph.add((node, SH.resultMessage, message))
    if result.file is not None:
        graph.add((node, IKG.resultFile, Literal(result.file)))
    if result.line is not None:
        graph.add((node, IKG.resultLine, Literal(result.line, datatype=XSD.positiveInteger)))
    for detail in result.details:
        graph.add((node, SH.detail, _result_node(graph, shapes, detail)))
    return node


def _copied(graph: Graph, shapes: Graph, node: Node) -> Node:
    """A node of the shapes graph for the report: a blank node with everything it holds (its
    concise bounded description), so that a property shape or a path can be read there."""
    if not isinstance(node, BNode):
        return node
    seen: set[Node] = set()
    stack = [node]
    while stack:
        subject = stack.pop()
        if subject in seen:
            continue
        seen.add(subject)
        for predicate, value in shapes.predicate_objects(subject):
            graph.add((subject, predicate, value))
            if isinstance(value, BNode):
                stack.append(value)
    return node


def render_ttl(report: ValidationReport) -> str:
    return turtle(report_graph(report))


def render_jsonld(report: ValidationReport) -> str:
    return graph_json_ld(report_graph(report))


RENDERERS: dict[str, Callable[[ValidationReport], str]] = {
    "text": render_text,
    "json": render_json,
    "junit": render_junit,
    "github": render_github,
    "ttl": render_ttl,
    "jsonld": render_jsonld,
}


__all__ = [
    "RENDERERS",
    "Severity",
    "ValidationReport",
    "ValidationResult",
    "load_shapes",
    "validate",
]
