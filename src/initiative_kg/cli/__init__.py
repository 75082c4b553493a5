"""The ``ikg`` command line. Thin: parse arguments, call one module, map errors to exit codes.

One module per command group: ``validate``; ``ask`` (query, push, serve); ``show`` (build, site,
export); ``network``; ``grow`` (ingest, diff). ``common`` holds what they share: the options
that mean the same on every command, the output helpers, and the one place where exceptions
become exit codes.

Exit codes (as pySHACL documents them): 0 success / the graph conforms, 1 the graph does not
conform (or a check failed), 2 unusable input or usage, 130 interrupted.
"""

from __future__ import annotations

import logging
import sys
from typing import Annotated

import typer

from initiative_kg import __version__
from initiative_kg.cli import ask, grow, network, show
from initiative_kg.cli.common import EXIT_OK, ErrorMappingGroup
from initiative_kg.cli.validate import validate

app = typer.Typer(
    name="ikg",
    cls=ErrorMappingGroup,
    help=(
        "initiative-kg: a knowledge graph of Danish social-policy initiatives, their actors, "
        "funding and intervention elements.\n\n"
        "Exit codes: 0 success (the graph conforms), 1 the graph does not conform, "
        "2 unusable input or usage."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ikg (initiative-kg) {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _main(
    verbose: Annotated[
        int,
        typer.Option("--verbose", "-v", count=True, help="More log output on stderr (-vv: debug)."),
    ] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only errors on stderr.")] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    level = (
        logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    )
    logging.basicConfig(level=level, format="ikg: %(levelname)s: %(message)s", stream=sys.stderr)


# The commands, in the order `ikg --help` lists them.
app.command()(validate)
app.command()(ask.query)
app.command()(ask.push)
app.command()(show.build)
app.command()(ask.serve)
app.command()(show.site)
app.command()(grow.ingest)
app.command()(grow.diff)
app.add_typer(network.app, name="network")
app.command("export")(show.export_network)


def main() -> None:
    """Console-script entry point."""
    app(prog_name="ikg")


__all__ = ["app", "main"]
