"""Exports of a network projection for the tools researchers use: GraphML and GEXF (Gephi),
Cytoscape.js JSON, DOT (Graphviz), node-link JSON, a self-contained interactive HTML page, and
SVG/PNG pictures drawn by Graphviz.

Labels are data: in the HTML page they reach the browser as JSON inside a non-executable script
element and are shown with ``textContent``, so a label holding markup is shown as text.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from importlib.resources import files
from pathlib import Path
from typing import Any

import networkx as nx

from initiative_kg.errors import InitiativeKGError
from initiative_kg.fileio import write_atomically

FORMATS = ("graphml", "gexf", "cyjs", "dot", "json", "html", "svg", "png")
COLOURS = {
    "initiative": "#1f77b4",
    "organisation": "#ff7f0e",
    "element": "#2ca02c",
    "target-group": "#9467bd",
    "other": "#7f7f7f",
}
KIND_NAMES = {
    "initiative": "Initiative",
    "organisation": "Organisation",
    "element": "Intervention element",
    "target-group": "Target group",
    "other": "Other resource",
}


def export(graph: nx.Graph[str], output_format: str, path: Path) -> None:
    """Write the graph in a format to a file (atomically: a failed export leaves no file)."""
    if output_format not in FORMATS:
        raise InitiativeKGError(
            f"unknown format '{output_format}' (use one of {', '.join(FORMATS)})"
        )
    write_atomically(path, render(graph, output_format))


def render(graph: nx.Graph[str], output_format: str) -> str | bytes:
    coloured = _with_colours(graph)
    if output_format == "graphml":
        buffer = io.BytesIO()
        nx.write_graphml(_scalar_attributes(coloured), buffer)
        return buffer.getvalue()
    if output_format == "gexf":
        buffer = io.BytesIO()
        nx.write_gexf(_gexf_ready(coloured), buffer)
        return buffer.getvalue()
    if output_format == "cyjs":
        return json.dumps(nx.cytoscape_data(coloured), ensure_ascii=False, indent=1) + "\n"
    if output_format == "json":
        return (
            json.dumps(nx.node_link_data(coloured, edges="links"), ensure_ascii=False, indent=1)
            + "\n"
        )
    if output_format == "dot":
        return to_dot(coloured)
    if output_format == "html":
        return to_html(coloured)
    return draw(coloured, output_format)


def _with_colours(graph: nx.Graph[str]) -> nx.Graph[str]:
    coloured = graph.copy()
    for _, data in coloured.nodes(data=True):
        data["colour"] = COLOURS.get(str(data.get("kind", "other")), COLOURS["other"])
    return coloured


def _scalar_attributes(graph: nx.Graph[str]) -> nx.Graph[str]:
    """GraphML holds strings and numbers only."""
    for _, data in graph.nodes(data=True):
        for key, value in list(data.items()):
            if not isinstance(value, str | int | float | bool):
                data[key] = str(value)
    return graph


def _gexf_ready(graph: nx.Graph[str]) -> nx.Graph[str]:
    ready = _scalar_attributes(graph.copy())
    for _, data in ready.nodes(data=True):
        colour = str(data["colour"]).lstrip("#")
        red, green, blue = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
        data["viz"] = {"color": {"r": red, "g": green, "b": blue, "a": 1.0}}
    return ready


# ---------------------------------------------------------------------- DOT and pictures


def _dot_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _wrap(text: str, width: int = 28) -> str:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join(lines[:4]) + ("…" if len(lines) > 4 else "")


def layout_program(graph: nx.Graph[str]) -> str:
    """The Graphviz layout for a projection: ``dot`` ranks a hierarchy (the directed
    programme-hierarchy); the undirected networks are drawn by force with ``sfdp``, which at the
    shipped graph's size (31 described initiatives, 64 nodes in initiative-actor) packs them
    into about half of neato's area without overlaps, so that the 11 by 8 inch picture keeps its
    labels readable (neato's had to be shrunk to a third), and which stays quick past a few
    hundred nodes, where neato takes minutes."""
    return "dot" if graph.is_directed() else "sfdp"


def to_dot(graph: nx.Graph[str]) -> str:
    """DOT that names its own layout, so that ``dot -Tpng file.dot`` draws an undirected network
    as the pictures do (by force) instead of in ranks, which gives a strip of unreadable text;
    ``overlap=prism`` with a margin moves nodes apart until no two labels overlap; the legend is
    a table in the graph's label, which every layout puts below the drawing (a cluster of legend
    nodes is placed by force among the others and its box drawn over them)."""
    directed = graph.is_directed()
    edge = "->" if directed else "--"
    name = str(graph.graph.get("name", "initiative-kg"))
    lines = [
        f"{'digraph' if directed else 'graph'} {_dot_string(name)} {{",
        f'  graph [layout={layout_program(graph)}, fontname="Helvetica", overlap=prism,'
        ' sep="+6", splines=true, size="11,8", ratio=compress, labelloc=b, labeljust=l];',
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10,'
        ' fontcolor="white"];',
        '  edge [fontname="Helvetica", fontsize=8, color="#999999"];',
    ]  # fmt: skip
    for node, data in graph.nodes(data=True):
        label = _wrap(str(data.get("label", node)))
        lines.append(
            f"  {_dot_string(str(node))} [label={_dot_string(label)}, "
            f"fillcolor={_dot_string(str(data.get('colour', COLOURS['other'])))}, "
            f"tooltip={_dot_string(str(data.get('iri', node)))}];"
        )
    for source, target, data in graph.edges(data=True):
        attributes = []
        if data.get("role"):
            attributes.append(f"label={_dot_string(str(data['role']).split(':')[-1])}")
        if data.get("weight"):
            attributes.append(f"penwidth={1 + float(data['weight'])}")
        suffix = f" [{', '.join(attributes)}]" if attributes else ""
        lines.append(f"  {_dot_string(str(source))} {edge} {_dot_string(str(target))}{suffix};")
    kinds = sorted({str(data.get("kind", "other")) for _, data in graph.nodes(data=True)})
    cells = "".join(
        f'<TD BGCOLOR="{COLOURS.get(kind, COLOURS["other"])}">'
        f'<FONT COLOR="white">{_html_label_text(KIND_NAMES.get(kind, kind))}</FONT></TD>'
        for kind in kinds
    )
    lines.append(
        '  label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4" CELLPADDING="4">'
        f"<TR><TD>Legend</TD>{cells}</TR></TABLE>>;"
    )
    lines.append("}")
    return "\n".join(lines) + "\n"


def _html_label_text(text: str) -> str:
    """Text inside a Graphviz HTML-like label (which reads entities, not markup)."""
    import html

    return html.escape(text)


def draw(graph: nx.Graph[str], output_format: str) -> bytes:
    """An SVG or PNG picture, laid out by Graphviz (Debian's graphviz package)."""
    layout = layout_program(graph)
    program = shutil.which(layout)
    if program is None:
        raise InitiativeKGError(
            f"drawing {output_format.upper()} needs Graphviz's '{layout}': apt-get install graphviz"
        )
    arguments = [program, f"-T{output_format}"]
    if output_format == "png":
        arguments.append("-Gdpi=150")
    done = subprocess.run(
        arguments, input=to_dot(graph).encode("utf-8"), capture_output=True, timeout=300
    )
    if done.returncode != 0:
        raise InitiativeKGError(
            f"Graphviz failed: {done.stderr.decode('utf-8', 'replace').strip()}"
        )
    return done.stdout


# ---------------------------------------------------------------------- HTML


def cytoscape_script() -> str:
    return (files("initiative_kg") / "_static" / "cytoscape" / "cytoscape.min.js").read_text(
        encoding="utf-8"
    )


def graph_json_for_script(graph: nx.Graph[str]) -> str:
    """The graph as JSON that is safe inside a <script type="application/json"> element."""
    elements: list[dict[str, Any]] = []
    for node, data in graph.nodes(data=True):
        elements.append(
            {"group": "nodes", "data": {"id": str(node), **{k: str(v) for k, v in data.items()}}}
        )
    for index, (source, target, data) in enumerate(graph.edges(data=True)):
        edge = {"id": f"e{index}", "source": str(source), "target": str(target)}
        edge.update({k: str(v) for k, v in data.items()})
        elements.append({"group": "edges", "data": edge})
    text = json.dumps(
        {"elements": elements, "colours": COLOURS, "kinds": KIND_NAMES}, ensure_ascii=False
    )
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def to_html(graph: nx.Graph[str], *, title: str | None = None) -> str:
    """One self-contained page (Cytoscape.js inline), working offline."""
    name = title or f"initiative-kg: {graph.graph.get('name', 'network')}"
    template = (files("initiative_kg") / "_static" / "network.html").read_text(encoding="utf-8")
    return (
        template.replace("@@TITLE@@", _html_text(name))
        .replace("@@CYTOSCAPE@@", cytoscape_script().replace("</script", "<\\/script"))
        .replace("@@DATA@@", graph_json_for_script(graph))
    )


def _html_text(text: str) -> str:
    import html

    return html.escape(text)
