"""``ikg ingest`` and ``ikg diff``: a draft from a new page, and what differs between graphs."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated, Any

import typer

from initiative_kg.cli.common import EXIT_FAILED, EXIT_OK
from initiative_kg.errors import InitiativeKGError


def ingest(
    page: Annotated[Path, typer.Argument(help="The text of an agency initiative page (UTF-8).")],
    source_url: Annotated[
        str | None, typer.Option(help="The page's address, recorded as schema:url of the source.")
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the draft Turtle here (default: stdout)."),
    ] = None,
    check: Annotated[
        bool, typer.Option(help="Validate the draft with the shapes and print the result.")
    ] = False,
) -> None:
    """Read a page in the agency's layout and write a draft in the project's ontology.

    The draft is marked as machine-extracted (an ikg:DraftGraph with the PROV activity, tool
    version and time) and is for a person to review, complete and file. The fields it could
    not find are listed on stderr. With --check, exit 1 when the draft has violations.
    """
    from initiative_kg.ingest.page import ingest as run_ingest
    from initiative_kg.store import KnowledgeGraph

    if not page.is_file():
        raise InitiativeKGError(f"{page}: no such file")
    known = KnowledgeGraph.load()
    try:
        extraction, draft_graph = run_ingest(page, known=known.union(), source_url=source_url)
    except (ValueError, OSError) as error:
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
        typer.echo(f"ikg ingest: left empty: {', '.join(missing)}", err=True)
    for note in extraction.notes:
        typer.echo(f"ikg ingest: {note}", err=True)
    if check:
        import tempfile

        from initiative_kg.validation import RENDERERS
        from initiative_kg.validation import validate as run_validation

        with tempfile.TemporaryDirectory() as folder:
            draft_file = Path(folder) / f"{page.stem}.draft.ttl"
            draft_file.write_text(text, encoding="utf-8")
            # The draft is checked beside the shipped data it may link to, less the curated file
            # of the same page (a page ingested again is no duplicate); only what the checks
            # say of the draft itself is reported.
            kg = KnowledgeGraph.load([draft_file, *beside_draft(known, extraction.source_id)],
                                     background="none")  # fmt: skip
            full = run_validation(kg)
            own = tuple(r for r in full.results if r.file and Path(r.file).name == draft_file.name)
            report = dataclasses.replace(full, results=own)
        typer.echo(RENDERERS["text"](report), err=True, nl=False)
        if not report.conforms:
            raise typer.Exit(EXIT_FAILED)


def beside_draft(known: Any, source_id: str) -> list[Path]:
    """The shipped data files to check a draft against (see ikg ingest --check)."""
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
        source.path for source in known.files if source.part == "data" and source.path not in skip
    ]


def diff(
    first: Annotated[Path, typer.Argument(help="A file or folder of RDF (e.g. a draft).")],
    second: Annotated[Path, typer.Argument(help="Another (e.g. the curated file).")],
) -> None:
    """What differs between two graphs: removed (-) and added (+) statements, with labels,
    grouped by subject. Exit 0 when the graphs are isomorphic, 1 when they differ."""
    from initiative_kg.store import KnowledgeGraph
    from initiative_kg.store import diff as graph_diff

    before = KnowledgeGraph.load([first], background="none")
    after = KnowledgeGraph.load([second], background="none")
    changes = graph_diff(before, after)
    if not changes:
        typer.echo("the graphs are isomorphic")
        raise typer.Exit(EXIT_OK)
    for subject, lines in changes:
        typer.echo(subject)
        for line in lines:
            typer.echo(f"  {line}")
    raise typer.Exit(EXIT_FAILED)
