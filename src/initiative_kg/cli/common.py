"""What every ``ikg`` command shares: exit codes, the one place where exceptions become exit
codes, the options that mean the same on every command, and the output helpers."""

from __future__ import annotations

import enum
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from initiative_kg.errors import InitiativeKGError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_UNUSABLE = 2
EXIT_INTERRUPTED = 130

logger = logging.getLogger("initiative_kg")


class ErrorMappingGroup(TyperGroup):
    """The one place where the project's exceptions become messages and exit codes."""

    def invoke(self, ctx: Any) -> Any:  # a typer (vendored click) Context
        try:
            return super().invoke(ctx)
        except InitiativeKGError as error:
            typer.echo(f"ikg: error: {error}", err=True)
            raise typer.Exit(EXIT_UNUSABLE) from error
        except KeyboardInterrupt:
            typer.echo("ikg: interrupted", err=True)
            raise typer.Exit(EXIT_INTERRUPTED) from None


# ---------------------------------------------------------------------- shared options

PersonalData = Annotated[
    bool, typer.Option(help="Include contact persons (names, phone numbers) printed on the pages.")
]
DataPaths = Annotated[
    list[Path] | None,
    typer.Option(
        help="Use these RDF files or folders (with the ontology and vocabularies) instead of the "
        "shipped graph. Repeat for several."
    ),
]
StatedOnly = Annotated[bool, typer.Option("--stated-only", help="Leave out analyst-coded links.")]


class EngineName(enum.StrEnum):
    oxigraph = "oxigraph"
    rdflib = "rdflib"


# ---------------------------------------------------------------------- output helpers


@contextmanager
def status(message: str) -> Iterator[Any]:
    """A spinner on stderr while long work runs, only when a person is watching."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console

    with Console(stderr=True).status(message) as spinner:
        yield spinner


@contextmanager
def progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr when a person is watching; log lines otherwise."""
    if not sys.stderr.isatty():

        def log(done: int, total: int) -> None:
            logger.info("%s: %d of %d triples", label, done, total)

        yield log
        return
    from rich.progress import Progress

    with Progress(transient=True, console=None) as bar:
        task = bar.add_task(label, total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance


def render_records(records: list[dict[str, Any]], output_format: str) -> str:
    """Rows of plain values as a table for reading, CSV or JSON."""
    if output_format == "json":
        import json

        return json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    if not records:
        return ""
    columns = list(records[0])
    if output_format == "csv":
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
        return buffer.getvalue()
    cells = [[str(r[c]) for c in columns] for r in records]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += [
        "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    return "\n".join(lines) + "\n"
