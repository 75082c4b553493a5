"""``ikg build``, ``ikg site`` and ``ikg export``: release dumps, the report site, and network
projections in the formats of other tools."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import typer

from initiative_kg.cli.common import (
    EXIT_FAILED,
    AllowRemoteContext,
    DataPaths,
    Overwrite,
    PersonalData,
    Quiet,
    Stated,
    Verbose,
    check_output,
    load_graph,
    output_option,
    status,
    step,
)
from initiative_kg.cli.network import Projection


def build(
    output: Annotated[Path, output_option("the release", folder=True, stdout=False)],
    data: DataPaths = None,
    personal_data: PersonalData = True,
    sparql_endpoint: Annotated[
        str | None,
        typer.Option(
            metavar="URL",
            show_default=False,
            help="A public SPARQL endpoint to name in the VoID description.",
        ),
    ] = None,
    overwrite: Overwrite = False,
    allow_remote_context: AllowRemoteContext = False,
    verbose: Verbose = 0,
    quiet: Quiet = False,
) -> None:
    """Write release dumps: Turtle, N-Quads, JSON-LD, a VoID/DCAT description, SHA256SUMS.

    The N-Quads keep the named graphs, the JSON-LD has a context of the project's prefixes, and
    void.ttl describes the release (counts, licence, sources, each file's size and SHA-256).
    Refuses a graph that does not validate. The folder is built beside the target and renamed
    into place, so a failed build leaves no half-written folder.
    """
    from initiative_kg.release import build as run_build
    from initiative_kg.validation import validate as run_validation

    check_output(output, overwrite=overwrite, folder=True)
    with status("Loading and validating the graph"):
        kg = load_graph(
            data, personal_data=personal_data, allow_remote_contexts=allow_remote_context
        )
        with step("validating"):
            report = run_validation(kg)
    if not report.conforms:
        typer.echo("ikg: the graph does not validate; see ikg validate", err=True)
        raise typer.Exit(EXIT_FAILED)
    with status(f"Writing {output}"), step("writing the release"):
        result = run_build(kg, output, sparql_endpoint=sparql_endpoint, overwrite=overwrite)
    typer.echo(f"wrote {', '.join(result.files)} ({result.triples} triples) to {result.folder}")


def site(
    output: Annotated[Path, output_option("the site", folder=True, stdout=False)],
    data: DataPaths = None,
    personal_data: PersonalData = True,
    overwrite: Overwrite = False,
    allow_remote_context: AllowRemoteContext = False,
    verbose: Verbose = 0,
    quiet: Quiet = False,
) -> None:
    """Build a static report site of the graph, which works offline.

    An overview with counts, the validation status and the sources; a page per initiative
    (stated and coded facts marked), organisation and funding agreement; a timeline, funding
    charts, the interactive network, the query catalogue with results, and the ontology's
    documentation.
    """
    from initiative_kg.site import build_site
    from initiative_kg.validation import validate as run_validation

    check_output(output, overwrite=overwrite, folder=True)
    with status("Building the site"):
        kg = load_graph(
            data, personal_data=personal_data, allow_remote_contexts=allow_remote_context
        )
        with step("validating"):
            report = run_validation(kg)
        with step("writing the site"):
            result = build_site(kg, report, output, overwrite=overwrite)
    typer.echo(f"wrote {result.pages} files; open {result.folder / 'index.html'}")


class ExportFormat(enum.StrEnum):
    """``export.FORMATS`` (a test holds them equal; the CLI does not import networkx to list
    its choices)."""

    graphml = "graphml"
    gexf = "gexf"
    cyjs = "cyjs"
    dot = "dot"
    json = "json"
    html = "html"
    svg = "svg"
    png = "png"


def export_network(
    projection: Annotated[
        Projection, typer.Option(show_default=False, help="Which projection of the graph.")
    ],
    output_format: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            "-f",
            show_default=False,
            help="graphml, gexf (Gephi), cyjs (Cytoscape.js), dot (Graphviz), json (node-link), "
            "html (interactive, offline), svg or png (a picture, drawn by Graphviz).",
        ),
    ],
    output: Annotated[Path, output_option("the network", stdout=False)],
    data: DataPaths = None,
    stated: Stated = False,
    personal_data: PersonalData = True,
    overwrite: Overwrite = False,
    allow_remote_context: AllowRemoteContext = False,
    verbose: Verbose = 0,
    quiet: Quiet = False,
) -> None:
    """Export a network projection for Gephi, Cytoscape, Graphviz or the browser."""
    from initiative_kg.export import export
    from initiative_kg.network import project

    check_output(output, overwrite=overwrite)
    kg = load_graph(data, personal_data=personal_data, allow_remote_contexts=allow_remote_context)
    with step(f"projecting {projection.value}"):
        graph = project(kg, projection.value, stated=stated)
    with step(f"writing {output_format.value}"):
        export(graph, output_format.value, output)
    typer.echo(f"wrote {output} ({graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges)")
