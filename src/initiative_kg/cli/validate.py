"""``ikg validate``: check the graph against the shapes and the quality checks."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from initiative_kg.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    AllowRemoteContext,
    DataPaths,
    EngineName,
    Overwrite,
    Quiet,
    Verbose,
    check_output,
    load_graph,
    logger,
    output_option,
    status,
    step,
)

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
            metavar="[PATH]...",
            help="Files or folders of RDF (.ttl, .nt, .nq, .trig, .jsonld) to validate, the same "
            "as --data. Without any, the shipped graph is validated.",
            show_default=False,
        ),
    ] = None,
    shapes: Annotated[
        list[Path] | None,
        typer.Option(
            "--shapes",
            metavar="PATH",
            help="Check the given files against these SHACL shapes (files or folders; the option "
            "can be repeated) instead of the project's: nothing else is loaded, neither the "
            "ontology nor the shipped data, and the project's quality checks do not run.",
            show_default=False,
        ),
    ] = None,
    data: DataPaths = None,
    report_format: Annotated[
        ReportFormat,
        typer.Option(
            "--format",
            "-f",
            help="The report: text for people, json for programs, junit for CI dashboards, "
            "github for workflow annotations, ttl or jsonld for a W3C SHACL validation report "
            "(sh:ValidationReport) that other SHACL tools read.",
        ),
    ] = ReportFormat.text,
    fail_on: Annotated[
        FailOn,
        typer.Option(help="The lowest severity that makes the graph fail (exit code 1)."),
    ] = FailOn.violation,
    language: Annotated[
        Language, typer.Option("--lang", help="The language of the messages and the summary.")
    ] = Language.en,
    standalone: Annotated[
        bool,
        typer.Option(
            "--standalone",
            help="Check your files beside only the reference data (municipalities, regions), "
            "not the rest of the shipped data.",
        ),
    ] = False,
    output: Annotated[Path | None, output_option("the report")] = None,
    overwrite: Overwrite = False,
    summary: Annotated[
        bool,
        typer.Option(
            "--summary/--no-summary",
            show_default=False,
            help="With --format text: also print what the graph holds (the default), or not.",
        ),
    ] = True,
    engine: Annotated[
        EngineName,
        typer.Option(
            help="oxigraph runs each constraint as one query over the whole graph (fast); "
            "rdflib runs pySHACL, the reference, one resource at a time. Same report."
        ),
    ] = EngineName.oxigraph,
    allow_remote_context: AllowRemoteContext = False,
    verbose: Verbose = 0,
    quiet: Quiet = False,
) -> None:
    """Check the graph against the SHACL shapes and the quality checks.

    Each result names its severity, the resource (with its label), the property path, the
    offending value, the message, and the file and line where the resource is defined. Your
    files are checked beside the shipped data they may link to (--standalone: only the
    reference data); a file of yours that declares the same graph as a shipped file replaces
    it. Exit 0 when the graph conforms, 1 when it does not, 2 for unusable input.

    \b
      ikg validate
      ikg validate my-data/ --format github
      ikg validate draft.ttl --standalone --lang da
    """
    from initiative_kg.fileio import write_atomically
    from initiative_kg.validation import RENDERERS, Severity, render_text
    from initiative_kg.validation import validate as run_validation

    check_output(output, overwrite=overwrite)
    files = [*(paths or []), *(data or [])]
    if shapes and not files:
        raise typer.BadParameter("give the files to check against --shapes", param_hint="PATH")
    background: Background = "bare" if shapes else "reference" if standalone else "shipped"
    with status("Loading the graph") as spinner:

        def show(path: Path) -> None:
            if spinner is not None:
                spinner.update(f"Loading {path.name}")

        kg = load_graph(
            files, background=background, progress=show, allow_remote_contexts=allow_remote_context
        )
        triples = kg.triple_count()
        if spinner is not None:
            spinner.update(f"Validating {triples} triples")

        def advance(done: int, total: int) -> None:
            if spinner is not None:
                spinner.update(f"Validating {triples} triples: query {done} of {total}")

        with step(f"validating on {engine.value}"):
            report = run_validation(
                kg,
                shapes=shapes or None,
                fail_on=Severity(fail_on.value),
                language=language.value,
                engine=engine.value,
                progress=advance,
            )
    if report_format is ReportFormat.text:
        rendered = render_text(report, language=language.value)
        if summary:
            rendered += render_summary(kg.summary(), language=language.value)
    else:
        rendered = RENDERERS[report_format.value](report)
    if output is not None:
        write_atomically(output, rendered)
        logger.info("wrote the report to %s", output)
    else:
        typer.echo(rendered, nl=False)
    raise typer.Exit(EXIT_OK if report.conforms else EXIT_FAILED)


_HOLDS = {"en": "The graph holds:", "da": "Grafen indeholder:"}
# The summary's own counts; the class rows are prefixed names, the same in every language.
_COUNT_NAMES = {"da": {"triples": "tripler", "named graphs": "navngivne grafer", "files": "filer"}}


def render_summary(counts: dict[str, int], *, language: str = "en") -> str:
    names = _COUNT_NAMES.get(language, {})
    shown = {names.get(name, name): count for name, count in counts.items()}
    width = max(len(name) for name in shown)
    lines = ["", _HOLDS.get(language, _HOLDS["en"])]
    lines += [f"  {name.ljust(width)}  {count:>7}" for name, count in shown.items()]
    return "\n".join(lines) + "\n"
