"""The ``ikg`` command line. Thin: parse arguments, call one module, map errors to exit codes.

One module per command group: ``validate``; ``ask`` (query, push, serve); ``show`` (build, site,
export); ``network``; ``grow`` (ingest, diff). ``common`` holds what they share: the options
that mean the same on every command, loading the graph, the output helpers, and the one place
where exceptions become exit codes.

Exit codes (as pySHACL documents them): 0 success / the graph conforms, 1 the graph does not
conform (or a check failed), 2 unusable input or usage, 130 interrupted.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from initiative_kg.cli import ask, common, grow, network, show
from initiative_kg.cli.common import EXIT_OK, ErrorMappingGroup, IkgCommand, Quiet, Verbose
from initiative_kg.cli.validate import validate

app = typer.Typer(
    name="ikg",
    cls=ErrorMappingGroup,
    help=(
        "initiative-kg: a knowledge graph of Danish social-policy initiatives, their actors, "
        "funding and intervention elements.\n\n"
        "Every command that reads the graph takes --data PATH (your own files instead of the "
        "shipped data), -v/-q and -h; see the README's command table.\n\n"
        "Exit codes: 0 success (the graph conforms), 1 the graph does not conform or a check "
        "failed, 2 unusable input or usage."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from initiative_kg import __version__

        typer.echo(f"ikg (initiative-kg) {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _main(
    verbose: Verbose = 0,
    quiet: Quiet = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
    store: Annotated[
        Path | None,
        typer.Option(
            "--store",
            metavar="DIR",
            envvar="IKG_STORE",
            show_default=False,
            help="Keep loaded graphs on disk in DIR, keyed by the content of the files loaded: "
            "the next command on the same files opens the stored graph instead of parsing "
            "them (for large data). Also IKG_STORE=DIR.",
        ),
    ] = None,
) -> None:
    """The options before the command; -v and -q work after it as well."""
    common.use_persistent_store(store)


# The commands, in the order `ikg --help` lists them, each with the one line it shows there
# (the README's command table repeats these lines; a test holds the two together).
COMMANDS: list[tuple[str, Callable[..., Any], str]] = [
    ("validate", validate, "Check the graph against the SHACL shapes and the quality checks."),
    ("query", ask.query, "Ask a question: a catalogue query, your own .rq file, or stdin."),
    ("push", ask.push, "Load the graph into a SPARQL server, never leaving it half replaced."),
    ("serve", ask.serve, "Serve the graph as a read-only SPARQL endpoint with a query page."),
    ("build", show.build, "Write release dumps (Turtle, N-Quads, JSON-LD, VoID, checksums)."),
    ("site", show.site, "Build a static report site of the graph, which works offline."),
    ("export", show.export_network, "Export a network for Gephi, Cytoscape, Graphviz, a browser."),
    ("ingest", grow.ingest, "Turn a new page (text, HTML or address) into a draft for review."),
    ("diff", grow.diff, "Show the statements that differ between two graphs."),
]
for name, command, summary in COMMANDS:
    app.command(name, cls=IkgCommand, short_help=summary)(command)
app.add_typer(
    network.app,
    name="network",
    short_help="Network questions: who is central, paths, communities.",
)


def main() -> None:
    """Console-script entry point."""
    app(prog_name="ikg")


__all__ = ["COMMANDS", "app", "main"]
