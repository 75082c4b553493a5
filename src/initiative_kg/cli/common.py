"""What every ``ikg`` command shares: exit codes, the one place where exceptions become exit
codes, the options that mean the same on every command, loading the graph, and the output
helpers."""

from __future__ import annotations

import enum
import logging
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer._click.exceptions import BadParameter
from typer.core import TyperCommand, TyperGroup

from initiative_kg.cli.coercion import coerce_plainly
from initiative_kg.errors import InitiativeKGError

if TYPE_CHECKING:
    from initiative_kg.store import Background, KnowledgeGraph, ProgressCallback

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_UNUSABLE = 2
EXIT_INTERRUPTED = 130

logger = logging.getLogger("initiative_kg")


class ErrorMappingGroup(TyperGroup):
    """The one place where the project's exceptions become messages and exit codes: an
    ``InitiativeKGError`` is unusable input (2), Ctrl-C is 130, and a usage error (click's own,
    exit 2) reads like the rest, without the type checker's "Value error," in front."""

    def invoke(self, ctx: Any) -> Any:  # a typer (vendored click) Context
        try:
            return super().invoke(ctx)
        except InitiativeKGError as error:
            typer.echo(f"ikg: error: {error}", err=True)
            raise typer.Exit(EXIT_UNUSABLE) from error
        except KeyboardInterrupt:
            typer.echo("ikg: interrupted", err=True)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except RecursionError:  # a library that walks nested data by recursion, the last line
            typer.echo(
                "ikg: error: the data nests deeper than this command can follow "
                "(blank nodes inside blank nodes, thousands deep)",
                err=True,
            )
            raise typer.Exit(EXIT_UNUSABLE) from None
        except BadParameter as error:
            error.message = plain_usage_message(error.message)
            raise

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        coerce_plainly(self, ctx)
        try:
            return super().parse_args(ctx, args)
        except BadParameter as error:
            error.message = plain_usage_message(error.message)
            raise


class IkgCommand(TyperCommand):
    """A command whose arguments are shown by their metavar alone, as the usage line and the
    argument list of a man page do (``PAGE``, ``[PATH]...``), not as ``{PAGE}`` or with a
    type placeholder such as ``<str>``. Every argument of an ikg command has a metavar."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        coerce_plainly(self, ctx)
        return super().parse_args(ctx, args)

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        return pieces + [
            str(param.metavar)
            for param in self.get_params(ctx)
            if param.param_type_name == "argument"
        ]

    def format_options(self, ctx: Any, formatter: Any) -> None:
        arguments, options = [], []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                arguments.append((str(param.metavar), getattr(param, "help", None) or ""))
            else:
                options.append(record)
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


def plain_usage_message(message: str) -> str:
    """A usage error as a person reads it: pydantic's "Value error, " prefix dropped."""
    return message.removeprefix("Value error, ")


# ---------------------------------------------------------------------- logging


class _CurrentStderr(logging.Handler):
    """Writes each record to whatever ``sys.stderr`` is when it is logged (a test runner swaps
    it per invocation; a handler holding the first stream would write into a closed one)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
        except Exception:  # logging must never break the command
            self.handleError(record)


class LibraryWarningsAsDebug(logging.Filter):
    """The libraries' warnings are debug output: rdflib logs a whole traceback for every
    ill-typed literal it meets ("abc"^^xsd:decimal), which the report already names in one line.
    Only the project's own warnings, and anyone's errors, are shown at the normal level."""

    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.partition(".")[0] != "initiative_kg" and record.levelno < logging.ERROR:
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return record.levelno >= self.level


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"ikg: {record.levelname.lower()}: {record.getMessage()}"


_HANDLER = _CurrentStderr()
_HANDLER.setFormatter(_Formatter())


def _apply_verbosity(ctx: typer.Context) -> None:
    meta = ctx.find_root().meta
    verbose, quiet = meta.get("ikg.verbose", 0), meta.get("ikg.quiet", False)
    levels = (logging.WARNING, logging.INFO, logging.DEBUG)
    level = logging.ERROR if quiet else levels[min(verbose, len(levels) - 1)]
    root = logging.getLogger()
    if _HANDLER not in root.handlers:
        root.addHandler(_HANDLER)
    root.setLevel(level)
    _HANDLER.filters = [LibraryWarningsAsDebug(level)]  # on the command's own handler only
    logging.captureWarnings(True)  # warnings.warn() from the libraries goes the same way


def _more_verbose(ctx: typer.Context, value: int) -> int:
    meta = ctx.find_root().meta
    meta["ikg.verbose"] = meta.get("ikg.verbose", 0) + (value or 0)
    _apply_verbosity(ctx)
    return value


def _quieter(ctx: typer.Context, value: bool) -> bool:
    meta = ctx.find_root().meta
    meta["ikg.quiet"] = meta.get("ikg.quiet", False) or bool(value)
    _apply_verbosity(ctx)
    return value


@contextmanager
def step(name: str) -> Iterator[None]:
    """Log how long a step of a command took (shown with -v)."""
    started = time.perf_counter()
    yield
    logger.info("%s: %.2f s", name, time.perf_counter() - started)


# ---------------------------------------------------------------------- shared options
# Each shared option is declared once, here, so that it has the same name, meaning and help on
# every command (the README's command table lists them; a test holds the two together).

Verbose = Annotated[
    int,
    typer.Option(
        "--verbose",
        "-v",
        count=True,
        callback=_more_verbose,
        show_default=False,
        help="Say more on stderr: what was loaded and how long each step took (-vv: debug).",
    ),
]
Quiet = Annotated[
    bool,
    typer.Option("--quiet", "-q", callback=_quieter, help="No log lines on stderr, only errors."),
]
DataPaths = Annotated[
    list[Path] | None,
    typer.Option(
        "--data",
        metavar="PATH",
        show_default=False,
        help="An RDF file or folder to use instead of the shipped data (the ontology and "
        "vocabularies always come with it). Repeat for several.",
    ),
]
Stated = Annotated[
    bool,
    typer.Option(
        "--stated",
        help="Keep to what the source pages state: leave out analyst coding (ikg:CodedGraph).",
    ),
]
PersonalData = Annotated[
    bool,
    typer.Option(
        "--personal-data/--no-personal-data",
        show_default=False,
        help="Include contact persons (names, phone numbers) printed on the pages (the "
        "default), or leave them out.",
    ),
]
AllowRemoteContext = Annotated[
    bool,
    typer.Option(
        "--allow-remote-context",
        help="Fetch a JSON-LD @context that a file gives as a URL. Refused by default: nothing "
        "leaves this machine unless you ask for it.",
    ),
]
Overwrite = Annotated[
    bool,
    typer.Option(
        "--overwrite",
        help="Replace the output (-o) if it exists. Without it, an existing file or folder is "
        "refused before any work is done.",
    ),
]


def at_least_one(value: int | None) -> int | None:
    """A count option's check (said in words, not as click's "[x>=1]" range mark)."""
    if value is not None and value < 1:
        raise typer.BadParameter(f"{value} is not a count: give 1 or more")
    return value


def positive_seconds(value: float | None) -> float | None:
    """A time limit's check: more than nothing."""
    if value is not None and value <= 0:
        raise typer.BadParameter(f"{value:g} is not a time limit: give a number of seconds above 0")
    return value


class EngineName(enum.StrEnum):
    oxigraph = "oxigraph"
    rdflib = "rdflib"


def output_option(what: str, *, folder: bool = False, stdout: bool = True) -> Any:
    """The -o option: where a command writes, under the one overwrite rule (see --overwrite)."""
    instead = " instead of stdout" if stdout else ""
    return typer.Option(
        "--output",
        "-o",
        metavar="FOLDER" if folder else "FILE",
        show_default=False,
        help=f"Write {what} to this {'folder' if folder else 'file'}{instead}, whole or not at "
        "all (an existing one only with --overwrite).",
    )


# ---------------------------------------------------------------------- loading

# ikg --store DIR (or IKG_STORE): where loaded graphs are kept on disk, for every command.
_persistent_store: Path | None = None


def use_persistent_store(folder: Path | None) -> None:
    global _persistent_store
    _persistent_store = folder


def load_graph(
    data: Sequence[Path] | None,
    *,
    background: Background = "none",
    personal_data: bool = True,
    progress: ProgressCallback | None = None,
    allow_remote_contexts: bool = False,
) -> KnowledgeGraph:
    """The graph a command works on: the user's files (``--data``) or the shipped data, with
    the ontology and vocabularies; what was loaded and how long it took go to the log (-v)."""
    from initiative_kg.store import KnowledgeGraph

    with step("loading the graph"):
        kg = KnowledgeGraph.load(
            list(data) if data else None,
            background=background,
            personal_data=personal_data,
            progress=progress,
            allow_remote_contexts=allow_remote_contexts,
            store=_persistent_store,
        )
    if logger.isEnabledFor(logging.INFO):
        parts = Counter(source.part for source in kg.files)
        names = {"ontology": "ontology and vocabularies", "data": "shipped data", "user": "yours"}
        logger.info(
            "loaded %d triples from %d files (%s)",
            kg.triple_count(),
            len(kg.files),
            ", ".join(f"{count} {names.get(part, part)}" for part, count in parts.items()),
        )
        for source in kg.files:
            logger.debug("loaded %s (%s)", source.path, names.get(source.part, source.part))
    return kg


def check_output(path: Path | None, *, overwrite: bool, folder: bool = False) -> None:
    """Apply the overwrite rule before any work is done (see ``fileio.check_output``)."""
    if path is not None:
        from initiative_kg.fileio import check_output as check

        check(path, overwrite=overwrite, folder=folder)


# ---------------------------------------------------------------------- output helpers


def terminal_width() -> int | None:
    """The width a table must fit when stdout is a terminal ($COLUMNS if set, else the
    terminal's own); None (nothing cut) when the output goes to a file or a pipe, whatever
    $COLUMNS says (test runners and some shells export it)."""
    if not sys.stdout.isatty():
        return None
    import shutil

    return shutil.get_terminal_size().columns


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
    """Rows of plain values as a table for reading (fitted to the terminal), CSV or JSON."""
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
    from initiative_kg.engines import plain_table

    cells = [[str(record[column]) for column in columns] for record in records]
    return "\n".join(plain_table(columns, cells, width=terminal_width())) + "\n"
