"""What differs between two graphs (``ikg diff``), shown so that a person can review it.

Blank nodes are matched up first (two graphs that differ only in blank-node labels are the
same), then every statement only in the first graph is shown with "-" and every statement only
in the second with "+", under the resource it is about. A statement about a blank node (a
period, an amount, a participation) is shown under the resource with an IRI that holds it,
with the path that leads from there (``ikg:period/time:hasBeginning/time:inXSDgYear``). Names
are written with the prefixes the two files declare, and only those.

Two drafts of the same page may name its initiative differently (the slug comes from the title
as read); the initiatives that the same source page names as its main entity are lined up
before comparing, and said so.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from initiative_kg.namespaces import IKG, SCHEMA

if TYPE_CHECKING:
    from initiative_kg.store import KnowledgeGraph

# How a source page names the initiative it is about: curated files and drafts.
_MAIN_ENTITY = (SCHEMA.mainEntity, IKG.draftMainEntity)


@dataclass(frozen=True)
class Difference:
    """The lines of a diff: initiatives lined up across the two graphs, then each resource
    with the statements only in the first (-) or only in the second (+) graph."""

    lined_up: tuple[str, ...]
    changes: tuple[tuple[str, tuple[str, ...]], ...]

    def __bool__(self) -> bool:
        return bool(self.lined_up or self.changes)


def diff(before: KnowledgeGraph, after: KnowledgeGraph) -> Difference:
    """The difference between the user files of two loaded graphs (the ontology and
    vocabularies loaded beside both are left out)."""
    from rdflib.compare import to_canonical_graph

    first, second = _own(before), _own(after)
    names = _Names({**declared_prefixes(after), **declared_prefixes(before)})
    renames = _lined_up(first, second)
    if renames:
        second = _renamed(second, renames, {str(term) for term in first.all_nodes()})
    notes = tuple(
        f"{names.show(old)} in B is lined up with {names.show(new)} in A: the main initiative "
        f"of {names.show(source)} in both"
        for source, (old, new) in sorted(renames.items())
    )
    # Canonical blank-node labels: a blank node of one graph and its match in the other get
    # the same label, so set difference leaves only what really differs.
    canonical_first, canonical_second = to_canonical_graph(first), to_canonical_graph(second)
    only_first, only_second = canonical_first - canonical_second, canonical_second - canonical_first
    shown: dict[str, dict[str, list[str]]] = {}
    for sign, changed, whole in (
        ("-", only_first, canonical_first),
        ("+", only_second, canonical_second),
    ):
        for subject, predicate, value in sorted(changed, key=lambda t: tuple(map(str, t))):
            holder, path = _holder(whole, subject)
            label = before.label(holder) or after.label(holder)
            key = names.show(holder, label if isinstance(holder, URIRef) else None)
            steps = "/".join(names.show(step) for step in (*path, predicate))
            shown.setdefault(key, {"-": [], "+": []})[sign].append(f"{steps} {names.show(value)}")
    changes = tuple((key, _paired(lines["-"], lines["+"])) for key, lines in sorted(shown.items()))
    return Difference(notes, changes)


def _paired(removed: list[str], added: list[str]) -> tuple[str, ...]:
    """The lines of one resource. A blank node is anonymous, so a changed value inside one (an
    amount's value) makes the whole node differ; a line that reads the same on both sides (its
    type, its currency) is said once by neither, and only what changed is shown. Should every
    line cancel out (two blank nodes that swapped values), all of them are shown, so that a
    difference is never hidden."""
    left, right = Counter(removed), Counter(added)
    kept_left, kept_right = left - right, right - left
    if not kept_left and not kept_right:
        kept_left, kept_right = left, right
    return tuple(
        [f"- {line}" for line in removed if _take(kept_left, line)]
        + [f"+ {line}" for line in added if _take(kept_right, line)]
    )


def _take(counts: Counter[str], line: str) -> bool:
    if counts[line] > 0:
        counts[line] -= 1
        return True
    return False


def declared_prefixes(kg: KnowledgeGraph) -> dict[str, str]:
    """The prefixes the user's files declare (Turtle, TriG), the first declaration winning."""
    from initiative_kg.store import declared_prefixes as of_file

    prefixes: dict[str, str] = {}
    for source in kg.files:
        if source.part == "user":
            for prefix, namespace in of_file(source.path).items():
                prefixes.setdefault(prefix, namespace)
    return prefixes


def _own(kg: KnowledgeGraph) -> Graph:
    graph = Graph()
    for source in kg.files:
        if source.part == "user":
            for name in source.graphs:
                graph += kg.dataset.graph(name)
    return graph


def _main_entities(graph: Graph) -> dict[Node, set[Node]]:
    found: dict[Node, set[Node]] = {}
    for predicate in _MAIN_ENTITY:
        for source, entity in graph.subject_objects(predicate):
            found.setdefault(source, set()).add(entity)
    return found


def _lined_up(first: Graph, second: Graph) -> dict[Node, tuple[URIRef, URIRef]]:
    """For each source page that names one main initiative in each graph, under different
    IRIs: (the IRI in the second graph, the IRI in the first)."""
    before, after = _main_entities(first), _main_entities(second)
    renames: dict[Node, tuple[URIRef, URIRef]] = {}
    for source in before.keys() & after.keys():
        if len(before[source]) == 1 and len(after[source]) == 1:
            (old,), (new,) = after[source], before[source]
            if isinstance(old, URIRef) and isinstance(new, URIRef) and old != new:
                renames[source] = (old, new)
    return renames


def _renamed(
    graph: Graph, renames: Mapping[Node, tuple[URIRef, URIRef]], first_iris: set[str]
) -> Graph:
    """The graph with each lined-up initiative under the first graph's IRI. An IRI made from
    the initiative's slug (a draft's grant) follows it, when the first graph has that IRI."""
    pairs = [(str(old), str(new)) for old, new in renames.values()]
    slugs = [(old.rsplit("/", 1)[-1], new.rsplit("/", 1)[-1]) for old, new in pairs]

    def rename(term: Node) -> Node:
        if not isinstance(term, URIRef):
            return term
        text = str(term)
        for (old, new), (old_slug, new_slug) in zip(pairs, slugs, strict=True):
            if text == old:
                return URIRef(new)
            if old_slug and old_slug in text and text.replace(old_slug, new_slug) in first_iris:
                return URIRef(text.replace(old_slug, new_slug))
        return term

    renamed = Graph()
    for subject, predicate, value in graph:
        renamed.add((rename(subject), predicate, rename(value)))
    return renamed


def _holder(graph: Graph, node: Node) -> tuple[Node, tuple[Node, ...]]:
    """The nearest resource with an IRI that holds a blank node, and the properties that lead
    from it to the node; the node itself (and no path) when it has an IRI or no holder."""
    path: list[Node] = []
    current, seen = node, set()
    while isinstance(current, BNode) and current not in seen:
        seen.add(current)
        parents = sorted(graph.subject_predicates(current), key=lambda pair: tuple(map(str, pair)))
        if not parents:
            break
        current, predicate = parents[0]
        path.insert(0, predicate)
    if isinstance(current, BNode) and current is not node and current in seen:
        return node, ()  # a cycle of blank nodes: show it where it is
    return current, tuple(path)


class _Names:
    """Terms written for a person, with the declared prefixes only."""

    def __init__(self, prefixes: Mapping[str, str]) -> None:
        self._by_length = sorted(prefixes.items(), key=lambda item: -len(item[1]))

    def iri(self, iri: str) -> str:
        if iri == str(RDF.type):
            return "a"
        for prefix, namespace in self._by_length:
            local = iri[len(namespace) :]
            if namespace and iri.startswith(namespace) and _plain_local(local):
                return f"{prefix}:{local}"
        return f"<{iri}>"

    def show(self, node: Node, label: str | None = None) -> str:
        if isinstance(node, Literal):
            return self.literal(node)
        if isinstance(node, BNode):
            return "[]"
        name = self.iri(str(node))
        return f"{name} ({label})" if label and label != name else name

    def literal(self, literal: Literal) -> str:
        """A literal as Turtle writes it: numbers and booleans bare, others quoted with their
        language or datatype (a datatype by a declared prefix, else in full)."""
        datatype = str(literal.datatype) if literal.datatype is not None else None
        if datatype is not None and datatype in _BARE and _BARE[datatype](str(literal)):
            return str(literal)
        quoted = Literal(str(literal)).n3()
        if literal.language:
            return f"{quoted}@{literal.language}"
        if datatype is not None and datatype != str(XSD.string):
            return f"{quoted}^^{self.iri(datatype)}"
        return quoted


# Datatypes whose values Turtle writes bare, with a check that the lexical form is one Turtle
# reads back as that datatype.
_BARE: dict[str, Callable[[str], bool]] = {
    str(XSD.integer): lambda text: text.lstrip("+-").isdigit(),
    str(XSD.decimal): lambda text: (
        "." in text and text.lstrip("+-").replace(".", "", 1).isdigit() and not text.endswith(".")
    ),
    str(XSD.boolean): lambda text: text in {"true", "false"},
}


def _plain_local(local: str) -> bool:
    """Whether a local name can be written after a prefix as it is (letters, digits, - _ .)."""
    return all(char.isalnum() or char in "-_." for char in local) and not local.endswith(".")


def lines(difference: Difference) -> Iterable[str]:
    """The diff as text lines, as ``ikg diff`` prints them."""
    yield from difference.lined_up
    if difference.lined_up and difference.changes:
        yield ""
    for subject, changed in difference.changes:
        yield subject
        for line in changed:
            yield f"  {line}"
