"""``ikg network``: projections of the graph into networks, their metrics, paths and
communities."""

from __future__ import annotations

import enum
from typing import Annotated

import typer

from initiative_kg.cli.common import (
    EXIT_FAILED,
    AllowRemoteContext,
    DataPaths,
    ErrorMappingGroup,
    IkgCommand,
    Quiet,
    Stated,
    Verbose,
    at_least_one,
    load_graph,
    render_records,
    step,
)

app = typer.Typer(
    cls=ErrorMappingGroup,
    help="Network questions: who collaborates, who is central, which communities form.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


class Projection(enum.StrEnum):
    """``network.PROJECTIONS`` (a test holds them equal)."""

    initiative_actor = "initiative-actor"
    actor_co_participation = "actor-co-participation"
    initiative_element = "initiative-element"
    initiative_target_group = "initiative-target-group"
    programme_hierarchy = "programme-hierarchy"
    full = "full"


class TableFormat(enum.StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


ProjectionOption = Annotated[Projection, typer.Option(help="Which projection of the graph.")]


@app.command(
    "metrics",
    cls=IkgCommand,
    short_help="Who is central: degree, betweenness, PageRank, community.",
)
def network_metrics(
    projection: ProjectionOption = Projection.actor_co_participation,
    top: Annotated[
        int | None,
        typer.Option(
            metavar="N",
            callback=at_least_one,
            show_default=False,
            help="Only the N most connected.",
        ),
    ] = None,
    output_format: Annotated[
        TableFormat,
        typer.Option(
            "--format", "-f", help="A table for reading, or CSV or JSON for other programs."
        ),
    ] = TableFormat.table,
    data: DataPaths = None,
    stated: Stated = False,
    allow_remote_context: AllowRemoteContext = False,
    verbose: Verbose = 0,
    quiet: Quiet = False,
) -> None:
    """Degree, weighted degree, betweenness, PageRank, component and community of each node,
    most connected first."""
    from dataclasses import asdict

    from initiative_kg.network import metrics, project

    kg = load_graph(data, allow_remote_contexts=allow_remote_context)
    with step(f"projecting {projection.value} and its metrics"):
        rows = metrics(project(kg, projection.value, stated=stated))[:top]
    records = [asdict(row) for row in rows]
    typer.echo(render_records(records, output_format.value), nl=False)


@app.command(
    "path", cls=IkgCommand, short_help="The shortest chain of shared initiatives between two."
)
def network_path(
    start: Annotated[
        str,
        typer.Argument(
            metavar="FROM",
            show_default=False,
            help="An organisation or initiative: its label (any case), IRI or prefixed name.",
        ),
    ],
    end: Annotated[
        str,
        typer.Argument(metavar="TO", show_default=False, help="Another, given the same way."),
    ],
    data: DataPaths = None,
    stated: Stated = False,
    allow_remote_context: AllowRemoteContext = False,
    verbose: Verbose = 0,
    quiet: Quiet = False,
) -> None:
    """The shortest chain of shared initiatives between two organisations (or initiatives), by
    who takes part in what; a link that only analyst coding makes is marked "(coded)". Exit 1
    if there is none.

    \b
      ikg network path Thisted PwC
      ikg network path municipality:787 organisation:pwc --stated
    """
    from initiative_kg.network import shortest_path

    kg = load_graph(data, allow_remote_contexts=allow_remote_context)
    with step("finding the path"):
        steps = shortest_path(kg, start, end, stated=stated)
    if not steps:
        typer.echo(f"no path between {start} and {end}")
        raise typer.Exit(EXIT_FAILED)
    for index, node in enumerate(steps):
        line = f"{node.label} ({node.name})"
        if node.coded:
            line += "  (coded)"
        between = node.kind == "initiative" and 0 < index < len(steps) - 1
        typer.echo(f"  via {line}" if between else line)


@app.command("communities", cls=IkgCommand, short_help="Groups that work together (Louvain).")
def network_communities(
    projection: ProjectionOption = Projection.actor_co_participation,
    data: DataPaths = None,
    stated: Stated = False,
    allow_remote_context: AllowRemoteContext = False,
    verbose: Verbose = 0,
    quiet: Quiet = False,
) -> None:
    """Communities (Louvain, fixed seed) with their members, largest first."""
    from initiative_kg.network import metrics, project

    kg = load_graph(data, allow_remote_contexts=allow_remote_context)
    with step(f"projecting {projection.value} and its communities"):
        rows = metrics(project(kg, projection.value, stated=stated))
    for community in sorted({row.community for row in rows}):
        members = sorted(row.label for row in rows if row.community == community)
        typer.echo(f"community {community} ({len(members)}): " + "; ".join(members))
