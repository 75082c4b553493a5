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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Literal as Choice

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from initiative_kg.assets import AssetLayout, layout
from initiative_kg.errors import ValidationError
from initiative_kg.namespaces import shorten
from initiative_kg.shape_queries import (
    TARGET_PREDICATES,
    CompiledShapes,
    RawResult,
    compile_shapes,
)
from initiative_kg.store import KnowledgeGraph

logger = logging.getLogger(__name__)


class Severity(enum.Enum):
    """SHACL severities, ordered: a threshold of WARNING also fails on violations."""

    INFO = "info"
    WARNING = "warning"
    VIOLATION = "violation"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)

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
    defined."""

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

    @property
    def where(self) -> str:
        if self.file is None:
            return "(not in a file)"
        return f"{self.file}:{self.line}" if self.line is not None else self.file


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of one validation run. ``conforms`` is judged against ``fail_on``."""

    results: tuple[ValidationResult, ...]
    fail_on: Severity
    triples: int
    files: int

    @property
    def conforms(self) -> bool:
        return not any(result.severity.rank >= self.fail_on.rank for result in self.results)

    def counts(self) -> dict[str, int]:
        return {
            severity.value: sum(1 for result in self.results if result.severity is severity)
            for severity in reversed(Severity)
        }


@cache
def load_shapes(assets: AssetLayout | None = None) -> Graph:
    """All shape files in one graph (parsed once per process)."""
    shapes = Graph()
    for path in (assets or layout()).shape_files():
        shapes.parse(path, format="turtle")
    if len(shapes) == 0:
        raise ValidationError("no SHACL shapes found; the installation is incomplete")
    return shapes


ValidationEngine = Choice["oxigraph", "rdflib"]
VALIDATION_ENGINES: tuple[str, ...] = ("oxigraph", "rdflib")


def validate(
    kg: KnowledgeGraph,
    *,
    fail_on: Severity = Severity.VIOLATION,
    language: str = "en",
    relative_to: Path | None = None,
    engine: ValidationEngine = "oxigraph",
    shapes: Graph | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ValidationReport:
    """Run the shapes and the quality checks over the union of the loaded graph.

    ``engine="oxigraph"`` (the default) runs each constraint as one whole-graph query on
    Oxigraph (``shape_queries``); ``engine="rdflib"`` runs pySHACL, the reference, on rdflib.
    Both give the same report; the tests hold them to it. No inference is needed (the shapes
    name the classes they target), so none is done. ``shapes`` replaces the project's shapes;
    ``progress`` is called with (queries done, queries in all) on the fast path: one query
    per constraint and one per quality check.
    """
    if engine not in VALIDATION_ENGINES:
        known = ", ".join(VALIDATION_ENGINES)
        raise ValidationError(f"unknown validation engine {engine!r}; use one of {known}")
    shapes_graph = load_shapes() if shapes is None else shapes
    from initiative_kg.queries import checks

    check_queries = [check.text for check in checks().values()]
    if engine == "rdflib":
        raw = _pyshacl_results(kg.union(), shapes_graph)
        engine_of_checks = kg.engine("rdflib")
        check_answers = [list(engine_of_checks.execute(text)) for text in check_queries]
    else:
        compiled = compiled_shapes() if shapes is None else compile_shapes(shapes_graph)
        raw, check_answers = _compiled_results(kg, shapes_graph, compiled, check_queries, progress)
    base = relative_to or Path.cwd()
    found = [_result(kg, shapes_graph, result, language, base) for result in raw]
    found += _check_results(kg, base, check_answers)
    # A total order over every field, so that the report is the same from run to run and
    # from engine to engine (pySHACL returns its results in no fixed order).
    results = sorted(
        set(found),
        key=lambda r: (
            r.file or "~",
            r.line or 0,
            -r.severity.rank,
            r.shape,
            r.focus,
            r.path or "",
            r.value or "",
            r.component,
            r.message,
            r.focus_label or "",
        ),
    )
    return ValidationReport(tuple(results), fail_on, kg.triple_count(), len(kg.files))


def _pyshacl_results(data: Graph, shapes: Graph) -> list[RawResult]:
    """pySHACL over ``data``: the reference engine, one focus node at a time."""
    import pyshacl  # imported here: it takes a second, and most commands never validate

    try:
        _, results_graph, results_text = pyshacl.validate(
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

    found = []
    for node in results_graph.subjects(RDF.type, SH.ValidationResult):
        focus = one(node, SH.focusNode)
        if focus is None:
            continue
        messages = tuple(
            Literal(str(m), lang=m.language or _language_of(results_graph, node, m))
            for m in results_graph.objects(node, SH.resultMessage)
            if isinstance(m, Literal)
        )
        found.append(
            RawResult(
                severity=one(node, SH.resultSeverity) or SH.Violation,
                source_shape=one(node, SH.sourceShape) or SH.NodeShape,
                component=one(node, SH.sourceConstraintComponent) or SH.ConstraintComponent,
                focus=focus,
                path=one(node, SH.resultPath),
                value=one(node, SH.value),
                messages=messages,
            )
        )
    return found


def _compiled_results(
    kg: KnowledgeGraph,
    shapes: Graph,
    compiled: CompiledShapes,
    check_queries: Sequence[str],
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[RawResult], list[list[dict[str, Node | None]]]]:
    """Each constraint as one query on Oxigraph, and the quality checks beside them; shapes the
    compiler cannot translate go to pySHACL, restricted to those shapes. Returns the shapes'
    results and each check's rows."""
    from concurrent.futures import ThreadPoolExecutor

    engine = kg.engine("oxigraph")
    found: list[RawResult] = []
    queries = [constraint.query for constraint in compiled.constraints] + list(check_queries)
    total = len(queries)
    # Oxigraph releases the GIL while it evaluates a query, so the queries run side by side on
    # every core (1.7x on two cores; bench/RESULTS.md). Results come back in order.
    workers = max(1, min(8, os.cpu_count() or 1))
    answers: list[list[dict[str, Node | None]]] = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for done, rows in enumerate(pool.map(lambda t: list(engine.execute(t)), queries), 1):
            answers.append(rows)
            if progress is not None:
                progress(done, total)
    shape_answers, check_answers = (
        answers[: len(compiled.constraints)],
        answers[len(compiled.constraints) :],
    )
    for constraint, rows in zip(compiled.constraints, shape_answers, strict=True):
        found += constraint.results(rows)
    if compiled.unsupported:
        for shape, reason in compiled.unsupported:
            logger.info("shape %s is checked by pySHACL: %s", shape, reason)
        left = _only_targets_of(shapes, {shape for shape, _ in compiled.unsupported})
        found += _pyshacl_results(kg.union(), left)
    return found, check_answers


@cache
def compiled_shapes() -> CompiledShapes:
    return compile_shapes(load_shapes())


def _only_targets_of(shapes: Graph, keep: set[Node]) -> Graph:
    """The shapes graph with the targets of every shape but ``keep`` removed, so that only those
    shapes select focus nodes (shapes they refer to with sh:node still apply through them)."""
    reduced = Graph()
    for triple in shapes:
        reduced.add(triple)
    for predicate in TARGET_PREDICATES:
        for shape, target in list(reduced.subject_objects(predicate)):
            if shape not in keep:
                reduced.remove((shape, predicate, target))
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
    )


def _check_results(
    kg: KnowledgeGraph, base: Path, answers: Sequence[Sequence[Mapping[str, Node | None]]]
) -> list[ValidationResult]:
    """The quality checks' rows (queries/checks/*-violation.rq, in catalogue order) as results:
    every row is a problem."""
    from initiative_kg.queries import checks

    # Both engines keep the loaded graph's blank node labels, so a result on a participation
    # can be traced to the file and line of its initiative.
    results = []
    for check, rows in zip(checks().values(), answers, strict=True):
        severity = Severity(str(check.header.get("severity", "violation")))
        template = str(check.header.get("message", check.title))
        for row in rows:
            focus, path, value = row.get("focus"), row.get("path"), row.get("value")
            location = kg.locate(focus, path, value) if focus is not None else None
            message = _fill(template, row)
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
                )
            )
    return results


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


def render_text(report: ValidationReport) -> str:
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
    counts = report.counts()
    verdict = "conforms" if report.conforms else "does not conform"
    if lines:
        lines.append("")
    lines.append(
        f"{counts['violation']} violation(s), {counts['warning']} warning(s), "
        f"{counts['info']} info(s) in {report.triples} triples from {report.files} files: "
        f"{verdict} (failing on {report.fail_on.value} and above)"
    )
    return "\n".join(lines) + "\n"


def render_json(report: ValidationReport) -> str:
    document = {
        "conforms": report.conforms,
        "failOn": report.fail_on.value,
        "triples": report.triples,
        "files": report.files,
        "counts": report.counts(),
        "results": [
            {**asdict(result), "severity": result.severity.value} for result in report.results
        ],
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


RENDERERS: dict[str, Callable[[ValidationReport], str]] = {
    "text": render_text,
    "json": render_json,
    "junit": render_junit,
    "github": render_github,
}


__all__ = [
    "RENDERERS",
    "Severity",
    "ValidationReport",
    "ValidationResult",
    "load_shapes",
    "validate",
]
