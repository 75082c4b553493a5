"""``ikg validate``: check the graph against the shapes and the quality checks."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from initiative_kg.cli.common import EXIT_FAILED, EXIT_OK, EngineName, logger, status

if TYPE_CHECKING:
    from initiative_kg.store import Background


class ReportFormat(enum.StrEnum):
    text = "text"
    json = "json"
    junit = "junit"
    github = "github"
    ttl = "ttl"
    jsonld = "jsonld"


class FailOn(enum.StrEnum):
    violation = "violation"
    warning = "warning"
    info = "info"


class Language(enum.StrEnum):
    en = "en"
    da = "da"


def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Files or folders of RDF (.ttl, .nt, .nq, .trig, .jsonld) to validate. "
            "Without any, the shipped graph is validated.",
            show_default=False,
        ),
    ] = None,
    shapes: Annotated[
        list[Path] | None,
        typer.Option(
            "--shapes",
            help="Check the given files against these SHACL shapes (files or folders; the option "
            "can be repeated) instead of the project's: nothing else is loaded, neither the "
            "ontology nor the shipped data, and the project's quality checks do not run.",
            show_default=False,
        ),
    ] = None,
    report_format: Annotated[
        ReportFormat,
        typer.Option(
            "--format",
            "-f",
            help="Report format: text for people, json for programs, junit for CI dashboards, "
            "github for workflow annotations, ttl or jsonld for a W3C SHACL validation report "
            "(sh:ValidationReport) that other SHACL tools read.",
        ),
    ] = ReportFormat.text,
    fail_on: Annotated[
        FailOn,
        typer.Option(help="Lowest severity that makes the graph fail (exit code 1)."),
    ] = FailOn.violation,
    language: Annotated[
        Language, typer.Option("--lang", help="Language of the messages.")
    ] = Language.en,
    standalone: Annotated[
        bool,
        typer.Option(
            help="Validate the given files with only the ontology, vocabularies and reference "
            "data (municipalities, regions), not the rest of the shipped data."
        ),
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write the report to this file (atomically) instead of stdout."
        ),
    ] = None,
    summary: Annotated[
        bool, typer.Option(help="With --format text: also print what the graph holds.")
    ] = True,
    engine: Annotated[
        EngineName,
        typer.Option(
            help="oxigraph runs each constraint as one query over the whole graph (fast); "
            "rdflib runs pySHACL, the reference, one resource at a time. Same report."
        ),
    ] = EngineName.oxigraph,
) -> None:
    """Check the graph against the SHACL shapes in ontology/shapes.

    Each result names its severity, the resource (with its label), the property path, the
    offending value, the message, and the file and line where the resource is defined.
    User files are checked together with the shipped data they may link to; a user file that
    declares the same graph as a shipped file replaces it.
    """
    from initiative_kg.fileio import write_atomically
    from initiative_kg.store import KnowledgeGraph
    from initiative_kg.validation import RENDERERS, Severity
    from initiative_kg.validation import validate as run_validation

    if shapes and not paths:
        raise typer.BadParameter("give the files to check against --shapes", param_hint="PATHS")
    background: Background = "bare" if shapes else "reference" if standalone else "shipped"
    with status("Loading the graph") as spinner:

        def show(path: Path) -> None:
            if spinner is not None:
                spinner.update(f"Loading {path.name}")

        kg = KnowledgeGraph.load(paths or None, background=background, progress=show)
        triples = kg.triple_count()
        if spinner is not None:
            spinner.update(f"Validating {triples} triples")

        def advance(done: int, total: int) -> None:
            if spinner is not None:
                spinner.update(f"Validating {triples} triples: query {done} of {total}")

        report = run_validation(
            kg,
            shapes=shapes or None,
            fail_on=Severity(fail_on.value),
            language=language.value,
            engine=engine.value,
            progress=advance,
        )
    rendered = RENDERERS[report_format.value](report)
    if report_format is ReportFormat.text and summary:
        rendered += render_summary(kg.summary())
    if output is not None:
        write_atomically(output, rendered)
        logger.info("wrote the report to %s", output)
    else:
        typer.echo(rendered, nl=False)
    raise typer.Exit(EXIT_OK if report.conforms else EXIT_FAILED)


def render_summary(counts: dict[str, int]) -> str:
    width = max(len(name) for name in counts)
    lines = ["", "The graph holds:"]
    lines += [f"  {name.ljust(width)}  {count:>7}" for name, count in counts.items()]
    return "\n".join(lines) + "\n"
