"""Network analytics: projections of the RDF graph into networkx graphs, and their metrics.

Projections (their names are the CLI's):

- ``initiative-actor``: bipartite; initiatives and the named organisations that take part in
  them, the role as the edge attribute ``role``.
- ``actor-co-participation``: organisations linked when they take part in the same initiative;
  ``weight`` is the number of initiatives they share.
- ``initiative-element``: initiatives and the intervention elements they use (every element is
  a node, used or not).
- ``initiative-target-group``: initiatives and their target groups.
- ``programme-hierarchy``: directed, from an initiative to the programme it is part of.
- ``full``: every resource a node, every object property an edge, literals as attributes.

Edges come from the SPARQL files in ``queries/network/``; nodes carry ``iri``, ``label``
(Danish, else English), ``type`` and ``source`` (the page it comes from). A projection only has
nodes that are in the RDF. ``stated=True`` leaves analyst coding out.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import networkx as nx
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF
from rdflib.term import Node

from initiative_kg.errors import QueryError
from initiative_kg.namespaces import shorten
from initiative_kg.queries import network_queries

if TYPE_CHECKING:
    from initiative_kg.store import KnowledgeGraph

logger = logging.getLogger(__name__)

PROJECTIONS = (
    "initiative-actor",
    "actor-co-participation",
    "initiative-element",
    "initiative-target-group",
    "programme-hierarchy",
    "full",
)
# Node kinds, for colours and the legend.
KINDS = ("initiative", "organisation", "element", "target-group", "other")


def _kind_of(types: Iterable[str]) -> str:
    types = list(types)
    if any(t in _INITIATIVE_TYPES for t in types):
        return "initiative"
    if any(t in _ORGANISATION_TYPES for t in types):
        return "organisation"
    return "other"


_INITIATIVE_TYPES = {"ikg:Initiative", "ikg:Project", "ikg:Programme", "ikg:KnowledgeMapping"}
_ORGANISATION_TYPES = {
    "org:Organization", "org:FormalOrganization", "org:OrganizationalUnit", "ikg:GovernmentAgency",
    "ikg:Ministry", "ikg:Region", "ikg:Municipality", "ikg:Consultancy", "ikg:ResearchInstitute",
    "ikg:InterestOrganisation",
}  # fmt: skip


@dataclass(frozen=True)
class NodeMetrics:
    node: str
    label: str
    type: str
    degree: int
    weighted_degree: float
    betweenness: float
    pagerank: float
    component: int
    community: int


def project(kg: KnowledgeGraph, name: str, *, stated: bool = False) -> nx.Graph[str]:
    """Build a named projection (see the module's documentation)."""
    if name not in PROJECTIONS:
        raise QueryError(f"unknown projection '{name}' (use one of {', '.join(PROJECTIONS)})")
    if name == "full":
        return _full(kg, stated=stated)
    if name == "actor-co-participation":
        bipartite = project(kg, "initiative-actor", stated=stated)
        actors = [n for n, data in bipartite.nodes(data=True) if data["part"] == "actor"]
        co_participation: nx.Graph[str] = nx.bipartite.weighted_projected_graph(bipartite, actors)
        co_participation.graph["name"] = name
        for node in co_participation.nodes:
            co_participation.nodes[node].update(bipartite.nodes[node])
        for a, b in co_participation.edges:
            shared = sorted(set(bipartite[a]) & set(bipartite[b]))
            co_participation.edges[a, b]["initiatives"] = " ".join(shared)
        return co_participation
    engine = kg.engine("oxigraph")
    result = engine.execute(network_queries()[name].text, stated=stated)
    graph: nx.Graph[str] = nx.DiGraph() if name == "programme-hierarchy" else nx.Graph()
    graph.graph["name"] = name
    parts = {"initiative-actor": ("initiative", "actor")}.get(name, ("initiative", "concept"))
    if name == "programme-hierarchy":
        parts = ("initiative", "initiative")
    for row in result:
        source, target = row["source"], row["target"]
        if source is None or target is None:
            continue
        _add_node(graph, kg, source, parts[0])
        _add_node(graph, kg, target, parts[1])
        attributes = {}
        if row.get("role") is not None:
            attributes["role"] = shorten(str(row["role"]))
        graph.add_edge(_key(source), _key(target), **attributes)
    if name == "initiative-element":
        for row in engine.execute(network_queries()["element-nodes"].text):
            if row["node"] is not None:
                _add_node(graph, kg, row["node"], "concept")
    return graph


def _key(node: Node) -> str:
    return shorten(str(node)) if isinstance(node, URIRef) else f"_:{node}"


def _add_node(graph: nx.Graph[str], kg: KnowledgeGraph, node: Node, part: str) -> None:
    key = _key(node)
    if key in graph:
        return
    graph.add_node(key, **node_attributes(kg, node), part=part)


def node_attributes(kg: KnowledgeGraph, node: Node) -> dict[str, str]:
    """IRI, label, type and source page of a resource, as the RDF gives them."""
    types = sorted(shorten(str(t)) for t in kg.objects(node, RDF.type) if isinstance(t, URIRef))
    specific = [t for t in types if t.startswith("ikg:")] or types or [""]
    sources = sorted(
        str(next(iter(kg.objects(s, DCTERMS.identifier)), None) or shorten(str(s)))
        for s in kg.objects(node, PROV.wasDerivedFrom)
        if isinstance(s, URIRef)
    )
    kind = _kind_of(types)
    if kind == "other":
        schemes = kg.objects(node, URIRef("http://www.w3.org/2004/02/skos/core#inScheme"))
        scheme = schemes[0] if schemes else None
        if scheme is not None and "intervention-element" in str(scheme):
            kind = "element"
        elif scheme is not None and "target-group" in str(scheme):
            kind = "target-group"
    return {
        "iri": str(node),
        "label": kg.label(node) or _key(node),
        "type": specific[0],
        "kind": kind,
        "source": " ".join(sources),
    }


def _full(kg: KnowledgeGraph, *, stated: bool) -> nx.MultiDiGraph[str]:
    """Resources as nodes, object properties as edges, literals as node attributes."""

    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph(name="full")
    leave_out = kg.coded_graphs() if stated else set()
    for context in kg.dataset.graphs():
        if context.identifier in leave_out:
            continue
        for subject, predicate, obj in context:
            if predicate == RDF.type:
                continue
            if isinstance(obj, Literal):
                _add_node(graph, kg, subject, "resource")
                name = shorten(str(predicate))
                graph.nodes[_key(subject)].setdefault(name, str(obj))
            else:
                _add_node(graph, kg, subject, "resource")
                _add_node(graph, kg, obj, "resource")
                graph.add_edge(_key(subject), _key(obj), key=shorten(str(predicate)),
                               property=shorten(str(predicate)))  # fmt: skip
    return graph


# ---------------------------------------------------------------------- metrics


def metrics(graph: nx.Graph[str]) -> list[NodeMetrics]:
    """Degree, weighted degree, betweenness, PageRank, component and community of every node,
    most connected first."""
    simple = (
        nx.Graph(graph.to_undirected()) if graph.is_directed() or graph.is_multigraph() else graph
    )
    betweenness = nx.betweenness_centrality(simple)
    pagerank = nx.pagerank(simple, weight="weight") if simple.number_of_edges() else {}
    components = {
        node: index
        for index, members in enumerate(_ordered(nx.connected_components(simple)))
        for node in members
    }
    communities = {
        node: index
        for index, members in enumerate(_ordered(detect_communities(simple)))
        for node in members
    }
    rows = [
        NodeMetrics(
            node=str(node),
            label=str(simple.nodes[node].get("label", node)),
            type=str(simple.nodes[node].get("type", "")),
            degree=int(simple.degree(node)),
            weighted_degree=float(simple.degree(node, weight="weight")),
            betweenness=round(float(betweenness.get(node, 0.0)), 6),
            pagerank=round(float(pagerank.get(node, 1.0 / max(len(simple), 1))), 6),
            component=components[node],
            community=communities[node],
        )
        for node in simple.nodes
    ]
    return sorted(rows, key=lambda m: (-m.degree, -m.weighted_degree, m.label, m.node))


def detect_communities(graph: nx.Graph[str]) -> list[set[str]]:
    """Louvain communities (networkx, fixed seed, so that runs agree)."""
    if graph.number_of_edges() == 0:
        return [{node} for node in graph.nodes]
    found = nx.community.louvain_communities(graph, weight="weight", seed=42)
    return [set(c) for c in found]


def _ordered(groups: Iterable[set[Any]]) -> list[set[Any]]:
    return sorted(groups, key=lambda g: (-len(g), sorted(map(str, g))))


@dataclass(frozen=True)
class PathStep:
    """One node of a path: an organisation or an initiative, and whether the link that leads
    to it from the step before is made only by analyst coding (not stated on a page)."""

    name: str
    label: str
    kind: str  # "organisation" or "initiative"
    coded: bool = False


def shortest_path(
    kg: KnowledgeGraph, start: str, end: str, *, stated: bool = False
) -> list[PathStep]:
    """The shortest chain from one organisation or initiative to another through who takes
    part in what (the initiative-actor projection); empty when there is none. ``start`` and
    ``end`` are labels (any case), IRIs or prefixed names."""
    graph = project(kg, "initiative-actor", stated=stated)
    stated_graph = graph if stated else project(kg, "initiative-actor", stated=True)
    first, last = _resolve(graph, start), _resolve(graph, end)
    try:
        nodes = nx.shortest_path(graph, first, last)
    except nx.NetworkXNoPath:
        return []
    return [
        PathStep(
            name=node,
            label=str(graph.nodes[node]["label"]),
            kind="initiative" if graph.nodes[node]["part"] == "initiative" else "organisation",
            coded=index > 0 and not stated_graph.has_edge(nodes[index - 1], node),
        )
        for index, node in enumerate(nodes)
    ]


def _resolve(graph: nx.Graph[str], reference: str) -> str:
    """A node by prefixed name, IRI or label (compared without regard to case); an error that
    suggests the closest labels when nothing matches."""
    import difflib

    from initiative_kg.queries import Parameter

    if reference in graph:
        return reference
    try:
        iri: str | None = str(Parameter("node", "iri").to_term(reference))
    except QueryError:
        iri = None  # a label (labels may hold a colon: "Kortlægning: 18 indsatser ...")
    wanted = reference.strip().casefold()
    found = sorted(
        str(node)
        for node, data in graph.nodes(data=True)
        if data.get("iri") == iri or str(data.get("label", "")).casefold() == wanted
    )
    if len(found) == 1:
        return found[0]
    if found:
        raise QueryError(
            f"'{reference}' names {len(found)} nodes ({', '.join(found)}); give one of these"
        )
    labels = {
        str(data.get("label", "")).casefold(): str(data.get("label"))
        for _, data in graph.nodes(data=True)
    }
    close = difflib.get_close_matches(wanted, labels, n=3, cutoff=0.6)
    close += [key for key in sorted(labels) if wanted and wanted in key and key not in close][:3]
    hint = f"; did you mean {', '.join(labels[key] for key in close)}?" if close else ""
    raise QueryError(f"no organisation or initiative named '{reference}'{hint}")


__all__ = [
    "KINDS",
    "PROJECTIONS",
    "NodeMetrics",
    "metrics",
    "node_attributes",
    "project",
    "shortest_path",
]
