"""RDF out: graphs and datasets written with every term exactly as it is held.

rdflib's Turtle and JSON-LD writers rewrite typed literals on the way out: Turtle's short forms
turn ``"1"^^xsd:boolean`` into ``1`` (an integer when read back) and ``"10500000"^^xsd:decimal``
into ``10500000.0`` (another literal), and JSON-LD turns booleans and numbers into JSON values.
The project therefore writes Turtle with rdflib's layout but every typed literal in full
(``"10500000"^^xsd:decimal``), and JSON-LD with Oxigraph's writer (expanded, every literal as
``@value`` and ``@type``) under a context of the project's prefixes. N-Triples and N-Quads from
rdflib are exact already.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.plugin import register
from rdflib.plugins.serializers.turtle import TurtleSerializer
from rdflib.serializer import Serializer
from rdflib.term import Node

from initiative_kg.namespaces import PREFIXES
from initiative_kg.terms import to_oxigraph

EXACT_TURTLE = "initiative-kg-turtle"


class ExactTurtleSerializer(TurtleSerializer):
    """rdflib's Turtle writer, with each typed literal written as ``"lexical"^^datatype``: its
    short forms (``1``, ``true``, ``1.0``) stand for other literals when the lexical form is not
    the one the short form reads back as."""

    def label(self, node: Node, position: int) -> str:
        if isinstance(node, Literal) and node.datatype not in (None, XSD.string):
            return node._literal_n3(
                use_plain=False,
                # a prefix the document declares, else the full IRI (a prefix made up here
                # would come after the declarations have been written)
                qname_callback=lambda datatype: self.get_pname(datatype, False),
            )
        return super().label(node, position)


register(EXACT_TURTLE, Serializer, __name__, "ExactTurtleSerializer")


def turtle(graph: Graph) -> str:
    """A graph as Turtle, every literal as it is held."""
    return graph.serialize(format=EXACT_TURTLE)


def json_ld(quads: Iterable[tuple[Node, Node, Node, str | None]]) -> str:
    """Quads (or triples, with None for the graph) as JSON-LD: Oxigraph's expanded form,
    which keeps every literal exact, with the project's prefixes as a context beside it."""
    import pyoxigraph

    statements = sorted(
        (
            pyoxigraph.Quad(
                to_oxigraph(s),  # type: ignore[arg-type]
                to_oxigraph(p),  # type: ignore[arg-type]
                to_oxigraph(o),
                pyoxigraph.DefaultGraph() if g is None else to_oxigraph(URIRef(g)),  # type: ignore[arg-type]
            )
            for s, p, o, g in quads
        ),
        key=lambda quad: (
            str(quad.graph_name),
            str(quad.subject),
            str(quad.predicate),
            str(quad.object),
        ),
    )
    written = pyoxigraph.serialize(statements, format=pyoxigraph.RdfFormat.JSON_LD)
    expanded = json.loads(written.decode("utf-8") if written is not None else "[]")
    document = {"@context": dict(sorted(PREFIXES.items())), "@graph": expanded}
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def graph_json_ld(graph: Graph) -> str:
    """A graph as JSON-LD, every literal as it is held."""
    return json_ld((s, p, o, None) for s, p, o in graph)
