"""``ikg ingest`` and ``ikg diff``: a draft from a new page, and what differs between graphs."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from initiative_kg.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    AllowRemoteContext,
    DataPaths,
    Overwrite,
    Quiet,
    Verbose,
    check_output,
    load_graph,
    logger,
    output_option,
    step,
)
from initiative_kg.errors import InitiativeKGError

if TYPE_CHECKING:
    from initiative_kg.store import KnowledgeGraph
    from initiative_kg.validation import ValidationReport


def ingest(
    page: Annotated[
        str,
        typer.Argument(
            metavar="PAGE",
            show_default=False,
            help="A page: its text (UTF-8), a saved HTML page (.html), or an http(s) address.",
        ),
    ],
    source_url: Annotated[
        str | None,
        typer.Option(
            metavar="URL",
            show_default=False,
            help="The page's address, recorded as schema:url of the source (for an address "
            "given as PAGE: that address, unless this names another).",
        ),
    ] = None,
    timeout: Annotated[
        float,
        typer.Option(metavar="SECONDS", help="How long to wait for a page given as an address."),
    ] = 20.0,
    output: Annotated[Path | None, output_option("the draft (Turtle)")] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Validate the draft beside the data it links to and print what concerns it.",
        ),
    ] = False,
    data: DataPaths = None,
    overwrite: Overwrite = False,
    allow_remote_context: AllowRemoteContext = False,
    verbose: Verbose = 0,
    quiet: Quiet = False,
) -> None:
    """Read a page in the agency's layout and write a draft in the project's ontology.

    The draft is marked as machine-extracted (an ikg:DraftGraph with the PROV activity, tool
    version and time) and is for a person to review, complete and file. Organisations and
    target groups are matched against the graph (--data: your own). The fields it could not
    find are listed on stderr. With --check, exit 1 when the draft has violations.

    \b
      ikg ingest page.txt --source-url https://... -o draft.ttl --check
      ikg ingest saved-page.html --source-url https://... -o draft.ttl
      ikg ingest https://www.sbst.dk/... -o draft.ttl --timeout 10
    """
    from initiative_kg.ingest.page import ingest as run_ingest
    from initiative_kg.ingest.page import ingest_url

    check_output(output, overwrite=overwrite)
    is_address = page.lower().startswith(("http://", "https://"))
    if not is_address and not Path(page).is_file():
        raise InitiativeKGError(f"{page}: no such file")
    known = load_graph(data, allow_remote_contexts=allow_remote_context)
    with step("fetching and reading the page" if is_address else "reading the page"):
        try:
            if is_address:
                extraction, draft_graph = ingest_url(
                    page, known=known.union(), timeout=timeout, source_url=source_url
                )
            else:
                extraction, draft_graph = run_ingest(
                    Path(page), known=known.union(), source_url=source_url
                )
        except ValueError as error:
            # a fetch error already names the address
            raise InitiativeKGError(str(error) if is_address else f"{page}: {error}") from error
        except OSError as error:
            raise InitiativeKGError(f"{page}: {error}") from error
    from initiative_kg.serialise import turtle

    text = turtle(draft_graph)
    if output is not None:
        from initiative_kg.fileio import write_atomically

        write_atomically(output, text)
    else:
        typer.echo(text, nl=False)
    missing = extraction.missing()
    if missing:
        logger.warning("left empty: %s", ", ".join(missing))
    for note in extraction.notes:
        logger.warning("%s", note)
    if check:
        with step("checking the draft"):
            report = check_draft(text, output, known, extraction.source_id)
        from initiative_kg.validation import RENDERERS

        typer.echo(RENDERERS["text"](report), err=True, nl=False)
        if not report.conforms:
            raise typer.Exit(EXIT_FAILED)


def check_draft(
    text: str, output: Path | None, known: KnowledgeGraph, source_id: str
) -> ValidationReport:
    """Validate a draft beside the data it may link to, less the curated file of the same page
    (a page ingested again is no duplicate), and keep what the checks say of the draft itself.
    The results name the file the user has: the -o file, or "<stdout>" for a draft printed."""
    import tempfile

    from initiative_kg.validation import validate as run_validation

    with tempfile.TemporaryDirectory() as folder:
        draft_file = output if output is not None else Path(folder) / "draft.ttl"
        if output is None:
            draft_file.write_text(text, encoding="utf-8")
        with _named_in_the_log(draft_file, "<stdout>" if output is None else str(output)):
            kg = load_graph([draft_file, *beside_draft(known, source_id)])
            full = run_validation(kg)
        own = tuple(r for r in full.results if r.file and _same_file(r.file, draft_file))
    if output is None:
        own = tuple(dataclasses.replace(result, file="<stdout>") for result in own)
    return dataclasses.replace(full, results=own)


@contextmanager
def _named_in_the_log(path: Path, name: str) -> Iterator[None]:
    """Log lines about ``path`` (a draft's temporary copy) name it as the user knows it."""

    class Rename(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            record.msg = record.getMessage().replace(str(path), name)
            record.args = None
            return True

    rename = Rename()
    handlers = logging.getLogger().handlers
    for handler in handlers:
        handler.addFilter(rename)
    try:
        yield
    finally:
        for handler in handlers:
            handler.removeFilter(rename)


def _same_file(reported: str, path: Path) -> bool:
    return Path(reported).resolve() == path.resolve()


def beside_draft(known: KnowledgeGraph, source_id: str) -> list[Path]:
    """The data files to check a draft against (see ikg ingest --check): the shipped data, or
    the user's (--data)."""
    from rdflib import Literal
    from rdflib.namespace import DCTERMS, RDF

    from initiative_kg.namespaces import IKG

    skip = set()
    for source in known.files:
        for name in source.graphs:
            graph = known.dataset.graph(name)
            described = any(graph.subjects(DCTERMS.identifier, Literal(source_id)))
            if described and (name, RDF.type, IKG.StatedGraph) in graph:
                skip.add(source.path)
    return [
        source.path
        for source in known.files
        if source.part in {"data", "user"} and source.path not in skip
    ]


def diff(
    first: Annotated[
        Path,
        typer.Argument(
            metavar="A", show_default=False, help="A file or folder of RDF (e.g. a draft)."
        ),
    ],
    second: Annotated[
        Path,
        typer.Argument(metavar="B", show_default=False, help="Another (e.g. the curated file)."),
    ],
    allow_remote_context: AllowRemoteContext = False,
    verbose: Verbose = 0,
    quiet: Quiet = False,
) -> None:
    """What differs between two graphs: the statements only in A (-) and only in B (+).

    Each is shown under the resource it is about, with its label; a statement about a blank
    node (a period, an amount) under the resource that holds it, with the path from there.
    Names use the prefixes the files declare. Two drafts of the same page whose initiatives got
    different names are lined up first. Exit 0 when the graphs are the same (blank nodes
    matched up), 1 when they differ.

    \b
      ikg diff draft.ttl data/initiatives/004-udbrede-anvendelse-af-peers.ttl
    """
    from initiative_kg.compare import diff as graph_diff
    from initiative_kg.compare import lines

    before, after = (
        load_graph([first], allow_remote_contexts=allow_remote_context),
        load_graph([second], allow_remote_contexts=allow_remote_context),
    )
    with step("comparing"):
        changes = graph_diff(before, after)
    if not changes:
        typer.echo("the graphs are isomorphic")
        raise typer.Exit(EXIT_OK)
    for line in lines(changes):
        typer.echo(line)
    raise typer.Exit(EXIT_FAILED)
