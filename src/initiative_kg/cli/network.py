"""``ikg network``: projections of the graph into networks, their metrics, paths and
communities."""

from __future__ import annotations

import enum
from typing import Annotated

import typer

from initiative_kg.cli.common import EXIT_FAILED, StatedOnly, render_records

app = typer.Typer(
    help="Network questions: who collaborates, who is central, which communities form.",
    no_args_is_help=True,
)


class Projection(enum.StrEnum):
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


@app.command("metrics")
def network_metrics(
    projection: Annotated[
        Projection, typer.Option(help="Which projection of the graph.")
    ] = Projection.actor_co_participation,
    top: Annotated[int | None, typer.Option(min=1, help="Only the N most connected nodes.")] = None,
    output_format: Annotated[TableFormat, typer.Option("--format", "-f")] = TableFormat.table,
    stated_only: StatedOnly = False,
) -> None:
    """Degree, weighted degree, betweenness, PageRank, component and community of each node,
    most connected first."""
    from dataclasses import asdict

    from initiative_kg.network import metrics, project
    from initiative_kg.store import KnowledgeGraph

    kg = KnowledgeGraph.load()
    rows = metrics(project(kg, projection.value, stated=stated_only))[:top]
    records = [asdict(row) for row in rows]
    typer.echo(render_records(records, output_format.value), nl=False)


@app.command("path")
def network_path(
    start: Annotated[str, typer.Argument(help="An organisation: prefixed name, IRI or label.")],
    end: Annotated[str, typer.Argument(help="Another organisation.")],
    stated_only: StatedOnly = False,
) -> None:
    """The shortest chain of shared initiatives between two organisations (exit 1 if none)."""
    from initiative_kg.network import shortest_path
    from initiative_kg.store import KnowledgeGraph

    steps = shortest_path(KnowledgeGraph.load(), start, end, stated=stated_only)
    if not steps:
        typer.echo(f"no path between {start} and {end}")
        raise typer.Exit(EXIT_FAILED)
    for step in steps:
        typer.echo(f"{step.actor_label} ({step.actor})")
        if step.initiative is not None:
            typer.echo(f"  via {step.initiative_label} ({step.initiative})")


@app.command("communities")
def network_communities(
    projection: Annotated[
        Projection, typer.Option(help="Which projection of the graph.")
    ] = Projection.actor_co_participation,
    stated_only: StatedOnly = False,
) -> None:
    """Communities (Louvain, fixed seed) with their members, largest first."""
    from initiative_kg.network import metrics, project
    from initiative_kg.store import KnowledgeGraph

    rows = metrics(project(KnowledgeGraph.load(), projection.value, stated=stated_only))
    for community in sorted({row.community for row in rows}):
        members = sorted(row.label for row in rows if row.community == community)
        typer.echo(f"community {community} ({len(members)}): " + "; ".join(members))
