"""``ikg build``, ``ikg site`` and ``ikg export``: release dumps, the report site, and network
projections in the formats of other tools."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from initiative_kg.cli.common import EXIT_FAILED, DataPaths, PersonalData, StatedOnly, status
from initiative_kg.cli.network import Projection


def build(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The folder to write the release into.")
    ],
    data: DataPaths = None,
    personal_data: PersonalData = True,
    sparql_endpoint: Annotated[
        str | None, typer.Option(help="A public SPARQL endpoint to name in the VoID description.")
    ] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace the folder if it exists.")] = False,
) -> None:
    """Write release dumps: Turtle, N-Quads (named graphs kept), JSON-LD (with a context), a
    VoID/DCAT description (void.ttl) and SHA256SUMS.

    Refuses a graph that does not validate. The folder is built beside the target and renamed
    into place, so a failed build leaves no half-written folder.
    """
    from initiative_kg.release import build as run_build
    from initiative_kg.store import KnowledgeGraph
    from initiative_kg.validation import validate as run_validation

    with status("Loading and validating the graph"):
        kg = KnowledgeGraph.load(data or None, background="none", personal_data=personal_data)
        report = run_validation(kg)
    if not report.conforms:
        typer.echo("ikg: the graph does not validate; see ikg validate", err=True)
        raise typer.Exit(EXIT_FAILED)
    with status(f"Writing {output}"):
        result = run_build(kg, output, sparql_endpoint=sparql_endpoint, overwrite=overwrite)
    typer.echo(f"wrote {', '.join(result.files)} ({result.triples} triples) to {result.folder}")


def site(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The folder to write the site into.")
    ],
    overwrite: Annotated[bool, typer.Option(help="Replace the folder if it exists.")] = False,
    personal_data: PersonalData = True,
) -> None:
    """Build a static report site: overview with validation status, a page per initiative,
    organisation and funding agreement, timeline, funding charts, the interactive network, the
    query catalogue with results, and the ontology's documentation. Works offline."""
    from initiative_kg.site import build_site
    from initiative_kg.store import KnowledgeGraph
    from initiative_kg.validation import validate as run_validation

    with status("Building the site"):
        kg = KnowledgeGraph.load(personal_data=personal_data)
        report = run_validation(kg)
        result = build_site(kg, report, output, overwrite=overwrite)
    typer.echo(f"wrote {result.pages} files; open {result.folder / 'index.html'}")


def export_network(
    projection: Annotated[Projection, typer.Option(help="Which projection of the graph.")],
    output_format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="graphml, gexf (Gephi), cyjs (Cytoscape.js), dot (Graphviz), json (node-link), "
            "html (interactive, offline), svg or png (a picture, drawn by Graphviz).",
        ),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="The file to write.")],
    stated_only: StatedOnly = False,
    personal_data: PersonalData = True,
) -> None:
    """Export a network projection for Gephi, Cytoscape, Graphviz or the browser."""
    from initiative_kg.export import export
    from initiative_kg.network import project
    from initiative_kg.store import KnowledgeGraph

    kg = KnowledgeGraph.load(personal_data=personal_data)
    graph = project(kg, projection.value, stated=stated_only)
    export(graph, output_format, output)
    typer.echo(f"wrote {output} ({graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges)")
