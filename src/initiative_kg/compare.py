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

Blank nodes are matched by their content and place (``label``), in time linear in the size of
the graph for the blank nodes data files have in practice, where rdflib's canonicalisation
(``to_canonical_graph``) grew steeply with nesting (1,000 nested blank nodes took half a minute)
and Oxigraph's RDFC-1.0 takes seconds for a chain of 200:

- **Trees** (each blank node is the object of at most one statement and none reaches itself:
  everything Turtle's ``[ … ]`` writes): a label is the hash of the node's content, computed
  from the leaves up, and of its place (the statement that holds it), computed from the top down.
  Blank nodes with the same place and the same content are interchangeable, and are numbered.
- **Anything else** (a blank node that two statements point to, or a cycle): colour refinement
  (Weisfeiler-Leman) over those nodes, and where it leaves ties, a search that individualises
  one node at a time and keeps the smallest result; the work has a budget (SEARCH_BUDGET, a few
  seconds), and a structure too symmetric to settle within it is an error, never a guess.

Labels are SHA-256 hashes, so two graphs are isomorphic exactly when their labelled statements
are equal.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from initiative_kg.errors import InitiativeKGError
from initiative_kg.namespaces import IKG, SCHEMA

if TYPE_CHECKING:
    from initiative_kg.store import KnowledgeGraph

# How a source page names the initiative it is about: curated files and drafts.
_MAIN_ENTITY = (SCHEMA.mainEntity, IKG.draftMainEntity)

# Work allowed (node colourings) for the blank nodes that refinement leaves tied: a few seconds.
SEARCH_BUDGET = 2_000_000

Term = tuple[str, str]  # ("b", blank node id) or ("t", the term in N-Triples form)
Triple = tuple[Term, str, Term]


class TooSymmetric(InitiativeKGError):
    """Blank nodes whose structure is too symmetric to match up within the search budget."""


@dataclass(frozen=True)
class Labelled:
    """A graph's statements with every blank node replaced by its label, and the labels."""

    statements: frozenset[tuple[str, str, str]]
    labels: dict[str, str]  # blank node id -> label


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
    canonical_first, canonical_second = canonical(first), canonical(second)
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


def canonical(graph: Graph) -> Graph:
    """The graph with each blank node renamed to its label: two graphs that differ only in
    blank-node labels become equal, and a blank node keeps its label when other parts change."""
    triples = {(_term(s), p.n3(), _term(o)) for s, p, o in graph}
    labels = label(triples).labels
    renamed = Graph()
    for s, p, o in graph:
        renamed.add(
            tuple(BNode(labels[str(n)][:32]) if isinstance(n, BNode) else n for n in (s, p, o))  # type: ignore[arg-type]
        )
    return renamed


def _term(node: Node) -> Term:
    if isinstance(node, BNode):
        return ("b", str(node))
    return ("t", node.n3())


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


# ---------------------------------------------------------------------- matching blank nodes


def _hash(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()


def label(triples: set[Triple]) -> Labelled:
    """The statements with content labels for the blank nodes (see the module's docstring)."""
    outgoing: dict[str, list[tuple[str, Term]]] = defaultdict(list)
    incoming: dict[str, list[tuple[Term, str]]] = defaultdict(list)
    blanks: set[str] = set()
    for s, p, o in triples:
        if s[0] == "b":
            blanks.add(s[1])
            outgoing[s[1]].append((p, o))
        if o[0] == "b":
            blanks.add(o[1])
            incoming[o[1]].append((s, p))
    labels = _tree_labels(blanks, outgoing, incoming)
    rest = blanks - labels.keys()
    if rest:
        labels.update(_general_labels(rest, outgoing, incoming, labels))

    def text(term: Term) -> str:
        return f"_:{labels[term[1]][:32]}" if term[0] == "b" else term[1]

    statements = frozenset((text(s), p, text(o)) for s, p, o in triples)
    return Labelled(statements, labels)


def _tree_labels(
    blanks: set[str],
    outgoing: dict[str, list[tuple[str, Term]]],
    incoming: dict[str, list[tuple[Term, str]]],
) -> dict[str, str]:
    """Labels for the blank nodes that form trees: content bottom-up, place top-down."""
    tree = {b for b in blanks if len(incoming.get(b, ())) <= 1}
    # A node belongs to a tree only if its parent chain ends without a cycle or a shared node.
    roots = [b for b in tree if not any(s[0] == "b" for s, _ in incoming.get(b, ()))]
    children: dict[str, list[str]] = defaultdict(list)
    for b in tree:
        for s, _ in incoming.get(b, ()):
            if s[0] == "b":
                children[s[1]].append(b)
    members: list[str] = []  # parents before children
    stack = [root for root in roots]
    while stack:
        node = stack.pop()
        members.append(node)
        stack.extend(child for child in children.get(node, ()) if child in tree)
    # A node belongs to the trees only if every blank node it holds does (children come
    # before their parents in reversed order).
    whole: set[str] = set()
    for node in reversed(members):
        if all(o[0] != "b" or o[1] in whole for _, o in outgoing.get(node, ())):
            whole.add(node)
    # ... and only if its holder does: its place is told by its holder's label.
    reached: set[str] = set()
    for node in members:
        holders = [s for s, _ in incoming.get(node, ()) if s[0] == "b"]
        if node in whole and all(holder[1] in reached for holder in holders):
            reached.add(node)
    content: dict[str, str] = {}
    for node in reversed(members):
        if node not in reached:
            continue
        entries = sorted(
            p + "\x01" + (content[o[1]] if o[0] == "b" else o[1]) for p, o in outgoing.get(node, ())
        )
        content[node] = _hash("content", *entries)
    labels: dict[str, str] = {}
    twins: dict[str, int] = defaultdict(int)
    for node in members:
        if node not in reached:
            continue
        held = incoming.get(node, ())
        if not held:
            place = _hash("root", content[node])
        else:
            (holder, predicate) = held[0]
            where = labels[holder[1]] if holder[0] == "b" else holder[1]
            place = _hash("held", where, predicate, content[node])
        labels[node] = _hash(place, str(twins[place]))
        twins[place] += 1
    return labels


def _general_labels(
    nodes: set[str],
    outgoing: dict[str, list[tuple[str, Term]]],
    incoming: dict[str, list[tuple[Term, str]]],
    fixed: dict[str, str],
) -> dict[str, str]:
    """Labels for blank nodes in shared or cyclic structures: refinement, then a bounded
    search where refinement leaves ties."""

    def outside(term: Term) -> str | None:
        if term[0] == "t":
            return term[1]
        return fixed.get(term[1])

    initial: dict[str, str] = {}
    for node in nodes:
        entries = ["o" + p + "\x01" + (outside(o) or "?") for p, o in outgoing.get(node, ())] + [
            "i" + p + "\x01" + (outside(s) or "?") for s, p in incoming.get(node, ())
        ]
        initial[node] = _hash("node", *sorted(entries))
    edges = {
        node: [("o", p, o[1]) for p, o in outgoing.get(node, ()) if o[0] == "b" and o[1] in nodes]
        + [("i", p, s[1]) for s, p in incoming.get(node, ()) if s[0] == "b" and s[1] in nodes]
        for node in nodes
    }

    budget = [SEARCH_BUDGET]

    def refine(colours: dict[str, str]) -> dict[str, str]:
        classes = len(set(colours.values()))
        while True:
            budget[0] -= len(nodes)
            if budget[0] < 0:
                raise TooSymmetric(
                    f"{len(nodes)} blank nodes form a structure too symmetric to match up "
                    f"within {SEARCH_BUDGET:,} steps; the graphs could not be compared"
                )
            colours = {
                node: _hash(
                    colours[node],
                    *sorted(d + p + "\x01" + colours[other] for d, p, other in edges[node]),
                )
                for node in nodes
            }
            now = len(set(colours.values()))
            if now == classes:
                return colours
            classes = now

    def shape(colours: dict[str, str]) -> tuple[str, ...]:
        return tuple(
            sorted(
                colours[node] + "\x02" + d + p + "\x01" + colours[other]
                for node in nodes
                for d, p, other in edges[node]
            )
        )

    best: list[tuple[tuple[str, ...], dict[str, str]]] = []

    def search(colours: dict[str, str]) -> None:
        groups: dict[str, list[str]] = defaultdict(list)
        for node, colour in colours.items():
            groups[colour].append(node)
        tied = [group for group in groups.values() if len(group) > 1]
        if not tied:
            candidate = (shape(colours), colours)
            if not best or candidate[0] < best[0][0]:
                best[:] = [candidate]
            return
        smallest = min(tied, key=lambda group: (len(group), colours[group[0]]))
        for member in smallest:
            chosen = dict(colours)
            chosen[member] = _hash(colours[member], "chosen")
            search(refine(chosen))

    search(refine(initial))
    return best[0][1]


def isomorphic(first: Iterable[Triple], second: Iterable[Triple]) -> bool:
    return label(set(first)).statements == label(set(second)).statements
