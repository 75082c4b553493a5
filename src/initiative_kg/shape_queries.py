"""The SHACL shapes compiled to whole-graph SPARQL queries, for the fast validation path.

pySHACL checks one focus node at a time and evaluates SPARQL-based constraints once per focus
node with rdflib's engine: on a graph of 60,000 triples that takes minutes. Each constraint here
becomes one SELECT that finds *all* its violations at once (``?this`` is the focus node, ``?path``
and ``?value`` as in a SHACL result), which a native engine such as Oxigraph answers in
milliseconds.

The compiler translates only what it can translate exactly, and says so for everything else:

- :class:`UnsupportedShape`: the shape uses SHACL that is not compiled (a custom constraint
  component, ``$this`` in a position where joining the focus nodes first is not the same as
  pre-binding it, a datatype whose lexical space is not in :data:`LEXICAL_SPACES`, ...). The
  validator hands the *whole* shape to pySHACL, so nothing is ever skipped.
- :class:`RefusedShape`: the SHACL-SPARQL specification says a processor must report a failure
  (a query with ``MINUS``, ``SERVICE`` or ``VALUES``, a subquery that does not return ``$this``,
  ``AS ?this``, ``$shapesGraph``). The validator stops with an error; no engine may run it.

The conformance cases in ``tests/conformance/`` hold the compiled engine to the SHACL
specification, component by component; the differential tests hold it to pySHACL.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node, Variable

from initiative_kg.datatypes import LEXICAL_SPACES

TARGET_PREDICATES = (
    SH.targetClass,
    SH.targetNode,
    SH.targetObjectsOf,
    SH.targetSubjectsOf,
    SH.target,
)
_TYPE = f"<{RDF.type}>/<{RDFS.subClassOf}>*"

# Datatypes whose every literal is well-formed (or that every literal matches).
# (rdfs:Literal is a datatype no literal has: SHACL compares the literal's datatype IRI.)
_ALWAYS_WELL_FORMED = frozenset({XSD.string, RDF.langString, RDFS.Literal})

_NODE_KINDS = {
    SH.IRI: "isIRI({v})",
    SH.BlankNode: "isBlank({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isIRI({v}) || isBlank({v}))",
    SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}
_RANGES = {
    SH.minInclusive: ">=",
    SH.minExclusive: ">",
    SH.maxInclusive: "<=",
    SH.maxExclusive: "<",
}

# Constraint parameters that test one value node at a time, and their components.
_VALUE_COMPONENTS = {
    SH["class"]: SH.ClassConstraintComponent,
    SH.datatype: SH.DatatypeConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent,
    SH["in"]: SH.InConstraintComponent,
    SH.languageIn: SH.LanguageInConstraintComponent,
    SH.minInclusive: SH.MinInclusiveConstraintComponent,
    SH.minExclusive: SH.MinExclusiveConstraintComponent,
    SH.maxInclusive: SH.MaxInclusiveConstraintComponent,
    SH.maxExclusive: SH.MaxExclusiveConstraintComponent,
    SH.minLength: SH.MinLengthConstraintComponent,
    SH.maxLength: SH.MaxLengthConstraintComponent,
    SH.pattern: SH.PatternConstraintComponent,
    SH.node: SH.NodeConstraintComponent,
    SH["not"]: SH.NotConstraintComponent,
    SH["and"]: SH.AndConstraintComponent,
    SH["or"]: SH.OrConstraintComponent,
    SH.xone: SH.XoneConstraintComponent,
}
# Parameters that compare the value nodes with the values of another property of the focus node.
_PAIR_COMPONENTS = {
    SH.equals: SH.EqualsConstraintComponent,
    SH.disjoint: SH.DisjointConstraintComponent,
    SH.lessThan: SH.LessThanConstraintComponent,
    SH.lessThanOrEquals: SH.LessThanOrEqualsConstraintComponent,
}
_COUNT_COMPONENTS = {
    SH.minCount: SH.MinCountConstraintComponent,
    SH.maxCount: SH.MaxCountConstraintComponent,
}
_QUALIFIED = {
    SH.qualifiedMinCount: SH.QualifiedMinCountConstraintComponent,
    SH.qualifiedMaxCount: SH.QualifiedMaxCountConstraintComponent,
}
# Everything of the SHACL vocabulary a shape may carry that this compiler understands. A shape
# with any other sh: term is handed over whole.
_UNDERSTOOD = frozenset(
    {
        SH.path,
        SH.message,
        SH.severity,
        SH.name,
        SH.description,
        SH.order,
        SH.group,
        SH.defaultValue,
        SH.deactivated,
        SH.property,
        SH.sparql,
        SH.hasValue,
        SH.uniqueLang,
        SH.closed,
        SH.ignoredProperties,
        SH.qualifiedValueShape,
        SH.flags,
        SH.prefixes,
        SH.declare,
        *TARGET_PREDICATES,
        *_VALUE_COMPONENTS,
        *_PAIR_COMPONENTS,
        *_COUNT_COMPONENTS,
        *_QUALIFIED,
    }
)
# The deepest chain of sh:node, sh:property, logical and qualified shapes the compiler follows:
# SHACL leaves recursive shapes undefined, so a deeper (or cyclic) chain goes to pySHACL.
_MAX_DEPTH = 8


# What a result says when its shape gives no sh:message (the project's own wording).
_DEFAULT_MESSAGES = {
    SH.ClassConstraintComponent: "The value is not an instance of the class the shape requires.",
    SH.DatatypeConstraintComponent: "The value is not a well-formed literal of the datatype.",
    SH.NodeKindConstraintComponent: "The value is not of the kind of node the shape requires.",
    SH.MinCountConstraintComponent: "There are fewer values than the shape requires.",
    SH.MaxCountConstraintComponent: "There are more values than the shape allows.",
    SH.MinInclusiveConstraintComponent: "The value is below the minimum (or not comparable).",
    SH.MinExclusiveConstraintComponent: "The value is not above the minimum.",
    SH.MaxInclusiveConstraintComponent: "The value is above the maximum (or not comparable).",
    SH.MaxExclusiveConstraintComponent: "The value is not below the maximum.",
    SH.MinLengthConstraintComponent: "The value is shorter than the shape allows.",
    SH.MaxLengthConstraintComponent: "The value is longer than the shape allows.",
    SH.PatternConstraintComponent: "The value does not match the pattern.",
    SH.LanguageInConstraintComponent: "The value's language is not one the shape allows.",
    SH.UniqueLangConstraintComponent: "More than one value has the same language.",
    SH.EqualsConstraintComponent: "The values differ from those of the other property.",
    SH.DisjointConstraintComponent: "The value is also a value of the other property.",
    SH.LessThanConstraintComponent: "The value is not less than a value of the other property.",
    SH.LessThanOrEqualsConstraintComponent: (
        "The value is greater than a value of the other property."
    ),
    SH.InConstraintComponent: "The value is not in the list the shape allows.",
    SH.HasValueConstraintComponent: "The value the shape requires is missing.",
    SH.ClosedConstraintComponent: "The property is not allowed by the closed shape.",
    SH.NodeConstraintComponent: "The value does not conform to the shape (see the details).",
    SH.NotConstraintComponent: "The value conforms to a shape it must not conform to.",
    SH.AndConstraintComponent: "The value does not conform to all of the shapes.",
    SH.OrConstraintComponent: "The value conforms to none of the shapes.",
    SH.XoneConstraintComponent: "The value does not conform to exactly one of the shapes.",
    SH.QualifiedMinCountConstraintComponent: "Too few values conform to the qualified shape.",
    SH.QualifiedMaxCountConstraintComponent: "Too many values conform to the qualified shape.",
}
_ANY_MESSAGE = "The value breaks a constraint of the shape."


class UnsupportedShape(Exception):
    """A shape uses SHACL that the compiler does not translate; pySHACL checks it instead."""


class RefusedShape(Exception):
    """A shape that the SHACL-SPARQL specification says a processor must refuse."""


@dataclass(frozen=True)
class RawResult:
    """A SHACL validation result before it is located and shown: the terms of the report."""

    severity: Node
    source_shape: Node
    component: Node
    focus: Node
    path: Node | None
    value: Node | None
    messages: tuple[Literal, ...]
    details: tuple[RawResult, ...] = ()


@dataclass(frozen=True)
class CompiledConstraint:
    """One constraint of one shape as a query whose every row is a violation."""

    node_shape: Node  # the targeted shape that holds the constraint (its target gives ?this)
    source_shape: Node  # the shape that declares the constraint
    component: URIRef
    severity: Node
    messages: tuple[Literal, ...]
    path: Node | None  # the property shape's path (in the shapes graph), when the row has no ?path
    query: str
    is_sparql: bool  # rows carry extra variables for the message template
    value_is_focus: bool  # a node shape's SPARQL constraint reports the focus node as its value
    # The query counts or sums statements: Oxigraph's union default graph holds a statement once
    # per graph that states it, so such a query is only exact where no statement is made twice.
    aggregates: bool
    # The position (in the compiled list) of the sh:node constraint whose failing value nodes are
    # this constraint's focus nodes: its results are that constraint's sh:detail, never results of
    # their own (SHACL 3.6.2).
    detail_of: int | None = None

    def results(self, rows: Sequence[Mapping[str, Node | None]]) -> Iterator[RawResult]:
        """The SHACL results of the query's rows."""
        seen: set[tuple[object, ...]] = set()
        for row in rows:
            failure = row.get("failure")
            if self.is_sparql and isinstance(failure, Literal) and failure.toPython() is True:
                raise RefusedShape(f"the SPARQL query of {self.source_shape} reports a failure")
            focus = row["this"]
            if focus is None:
                continue
            path = row.get("path") or self.path
            value = row.get("value")
            if value is None and self.value_is_focus:
                value = focus
            extra = {k: v for k, v in row.items() if k not in {"this", "path", "value"}}
            messages = self.messages
            if self.is_sparql:
                bound = {**extra, "this": focus, "path": path, "value": value}
                messages = tuple(_fill_template(m, bound) for m in messages)
            # A SPARQL constraint's rows are solutions (a multiset): those that give the same
            # result, messages included, are one result, as in pySHACL; those whose messages
            # differ (a grant with two amounts) are two. A compiled constraint's extra
            # variables tell apart results SHACL counts apart: the other value of a failing
            # sh:lessThan pair, the language of sh:uniqueLang, the focus node through which a
            # nested shape reached its own.
            key = (
                focus,
                path,
                value,
                messages,
                () if self.is_sparql else tuple(sorted(extra.items())),
            )
            if key in seen:
                continue
            seen.add(key)
            yield RawResult(
                severity=self.severity,
                source_shape=self.source_shape,
                component=self.component,
                focus=focus,
                path=path,
                value=value,
                messages=messages,
            )


def _fill_template(message: Literal, bound: Mapping[str, Node | None]) -> Literal:
    def filled(match: re.Match[str]) -> str:
        term = bound.get(match.group(1))
        return match.group(0) if term is None else str(term)

    # {?name} and {$name}, as pySHACL fills them: str() of the bound term
    return Literal(re.sub(r"\{[?$](\w+)\}", filled, str(message)), lang=message.language)


@dataclass(frozen=True)
class CompiledShapes:
    constraints: tuple[CompiledConstraint, ...]
    unsupported: tuple[tuple[Node, str], ...]  # targeted shapes left to pySHACL, and why
    refused: tuple[tuple[Node, str], ...]  # shapes no engine may run, and why


def compile_shapes(shapes: Graph) -> CompiledShapes:
    """Every constraint of every targeted shape in ``shapes`` as a whole-graph query."""
    compiled: list[CompiledConstraint] = []
    unsupported: list[tuple[Node, str]] = []
    refused: list[tuple[Node, str]] = []
    prologue = _prologue(shapes)
    implicit = implicit_class_shapes(shapes)
    for shape in sorted(targeted_shapes(shapes), key=str):
        try:
            found = _ShapeCompiler(shapes, shape, prologue, implicit).constraints(len(compiled))
        except UnsupportedShape as reason:
            unsupported.append((shape, str(reason)))
        except RefusedShape as reason:
            refused.append((shape, str(reason)))
        else:
            compiled += found
    return CompiledShapes(tuple(compiled), tuple(unsupported), tuple(refused))


def targeted_shapes(shapes: Graph) -> set[Node]:
    """The shapes that select focus nodes of their own: those with a target, and those that are
    also a class (an implicit class target, SHACL 2.1.3.3)."""
    targeted: set[Node] = set()
    for predicate in TARGET_PREDICATES:
        targeted.update(shapes.subjects(predicate, None))
    targeted.update(implicit_class_shapes(shapes))
    return {shape for shape in targeted if not _deactivated(shapes, shape)}


def implicit_class_shapes(shapes: Graph) -> set[Node]:
    """Shapes that are also an rdfs:Class (or an instance of a subclass of it in the shapes
    graph): every SHACL instance of such a class is a focus node of the shape."""
    class_types = {RDFS.Class, *shapes.transitive_subjects(RDFS.subClassOf, RDFS.Class)}
    found: set[Node] = set()
    for class_type in class_types:
        for node in shapes.subjects(RDF.type, class_type):
            if _is_shape(shapes, node):
                found.add(node)
    return found


def _is_shape(shapes: Graph, node: Node) -> bool:
    types = set(shapes.objects(node, RDF.type))
    if types & {SH.NodeShape, SH.PropertyShape}:
        return True
    return any(
        str(predicate).startswith(str(SH)) and predicate in _UNDERSTOOD | _UNKNOWN_PARAMETERS
        for predicate in shapes.predicates(node, None)
    )


# SHACL parameters the compiler does not translate, which still make a node a shape.
_UNKNOWN_PARAMETERS = frozenset({SH.qualifiedValueShapesDisjoint})


def _deactivated(shapes: Graph, shape: Node) -> bool:
    return any(
        isinstance(value, Literal) and value.toPython() is True
        for value in shapes.objects(shape, SH.deactivated)
    )


def _objects(shapes: Graph, subject: Node, predicate: URIRef) -> list[Node]:
    return list(shapes.objects(subject, predicate))


def _one(shapes: Graph, subject: Node, predicate: URIRef) -> Node | None:
    values = _objects(shapes, subject, predicate)
    if len(values) > 1:
        raise UnsupportedShape(f"more than one {predicate} on one shape")
    return values[0] if values else None


def _prologue(shapes: Graph) -> str:
    """PREFIX lines for every prefix the shapes declare (sh:declare), for their SPARQL parts."""
    declared = {
        str(prefix): str(namespace)
        for declaration in shapes.objects(None, SH.declare)
        for prefix in shapes.objects(declaration, SH.prefix)
        for namespace in shapes.objects(declaration, SH.namespace)
    }
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(declared.items()))


def _term(node: Node) -> str:
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        return node.n3()
    raise UnsupportedShape(f"a blank node ({node}) as a value in a constraint")


def _integer(node: Node, what: str) -> int:
    if isinstance(node, Literal) and isinstance(node.toPython(), int):
        return int(node.toPython())
    raise UnsupportedShape(f"{what} {node} is not an integer")


@dataclass(frozen=True)
class _Parameter:
    path: URIRef
    name: str  # the variable it pre-binds: the local name of its path (SHACL 6.2.1)
    optional: bool


def _components(shapes: Graph) -> dict[Node, tuple[_Parameter, ...]]:
    """The SPARQL-based constraint components the shapes graph declares (SHACL instances of
    sh:ConstraintComponent), each with its parameters."""
    kinds = {
        SH.ConstraintComponent,
        *shapes.transitive_subjects(RDFS.subClassOf, SH.ConstraintComponent),
    }
    found: dict[Node, tuple[_Parameter, ...]] = {}
    for kind in kinds:
        for component in shapes.subjects(RDF.type, kind):
            parameters = []
            for parameter in shapes.objects(component, SH.parameter):
                path = _one(shapes, parameter, SH.path)
                if not isinstance(path, URIRef):
                    raise UnsupportedShape(f"a parameter of {component} without an IRI path")
                local = re.split(r"[/#]", str(path))[-1]
                optional = any(_is_true(v) for v in shapes.objects(parameter, SH.optional))
                parameters.append(_Parameter(path, local, optional))
            found[component] = tuple(parameters)
    return found


class _ShapeCompiler:
    """Compiles one targeted shape (and the shapes it refers to) into constraints."""

    def __init__(self, shapes: Graph, shape: Node, prologue: str, implicit: set[Node]) -> None:
        self.shapes = shapes
        self.shape = shape
        self.prologue = prologue
        self.implicit = implicit
        self.counter = itertools.count()
        self.components = _components(shapes)
        self.custom = frozenset(p.path for ps in self.components.values() for p in ps)
        self.found: list[CompiledConstraint] = []
        self.offset = 0

    def fresh(self, stem: str = "v") -> str:
        return f"?_{stem}{next(self.counter)}"

    # -------------------------------------------------------------- targets

    def target(self) -> str:
        """A group pattern that binds ?this to each focus node of the shape, once."""
        parts: list[str] = []
        classes = _objects(self.shapes, self.shape, SH.targetClass)
        if self.shape in self.implicit:
            classes.append(self.shape)
        for cls in classes:
            if isinstance(cls, BNode):
                raise UnsupportedShape("a blank node as a target class")
            parts.append(f"?this {_TYPE} {_term(cls)} .")
        for node in _objects(self.shapes, self.shape, SH.targetNode):
            if isinstance(node, BNode):
                raise UnsupportedShape("a blank node as a target node")
            parts.append(f"VALUES ?this {{ {_term(node)} }}")
        for predicate in _objects(self.shapes, self.shape, SH.targetSubjectsOf):
            parts.append(f"?this {_term(predicate)} [] .")
        for predicate in _objects(self.shapes, self.shape, SH.targetObjectsOf):
            parts.append(f"[] {_term(predicate)} ?this .")
        for target in _objects(self.shapes, self.shape, SH.target):
            parts.append(self.sparql_target(target))
        union = " UNION ".join(f"{{ {part} }}" for part in parts)
        return f"{{ SELECT DISTINCT ?this WHERE {{ {union} }} }}"

    def sparql_target(self, target: Node) -> str:
        if set(_objects(self.shapes, target, RDF.type)) - {SH.SPARQLTarget}:
            raise UnsupportedShape("a custom target type")
        select = _one(self.shapes, target, SH.select)
        if select is None:
            raise UnsupportedShape("a custom target that is not a SPARQL SELECT target")
        if _objects(self.shapes, target, SH.ask):
            raise UnsupportedShape("a SPARQL target with sh:ask")
        text = self.with_current_shape(str(select), self.shape)
        query = check_prebinding(self.prologue + text, target=True)
        if not query.projects_this:
            raise UnsupportedShape("a SPARQL target that does not select ?this")
        return "{ " + text.strip() + " }"

    # -------------------------------------------------------------- constraints

    def constraints(self, offset: int) -> list[CompiledConstraint]:
        """The constraints of the targeted shape; ``offset`` is where they start in the list
        of all compiled constraints (for the sh:detail links)."""
        self.offset = offset
        self.shape_constraints(self.shape, _Focus(self.target()), depth=0, detail_of=None)
        return self.found

    def add(self, constraint: CompiledConstraint) -> int:
        self.found.append(constraint)
        return self.offset + len(self.found) - 1

    def check_vocabulary(self, shape: Node) -> None:
        for predicate in set(self.shapes.predicates(shape, None)):
            if str(predicate).startswith(str(SH)) and predicate not in _UNDERSTOOD:
                raise UnsupportedShape(f"{predicate} is not compiled")

    def check_constraint_vocabulary(self, constraint: Node) -> None:
        understood = {SH.select, SH.message, SH.prefixes, SH.deactivated}
        for predicate in set(self.shapes.predicates(constraint, None)):
            if str(predicate).startswith(str(SH)) and predicate not in understood:
                raise UnsupportedShape(f"{predicate} on a SPARQL constraint")

    def shape_constraints(
        self, shape: Node, focus: _Focus, *, depth: int, detail_of: int | None
    ) -> None:
        """Every constraint of ``shape`` for the focus nodes that ``focus`` binds to ?this."""
        if depth > _MAX_DEPTH:
            raise UnsupportedShape(f"shapes nested more than {_MAX_DEPTH} deep")
        if _deactivated(self.shapes, shape):
            return
        self.check_vocabulary(shape)
        path_node = _one(self.shapes, shape, SH.path)
        if path_node is None:
            for predicate in (
                *_COUNT_COMPONENTS,
                *_QUALIFIED,
                SH.qualifiedValueShape,
                SH.uniqueLang,
                SH.lessThan,
                SH.lessThanOrEquals,
            ):
                if _objects(self.shapes, shape, predicate):
                    raise UnsupportedShape(f"{predicate} on a node shape")
        context = _Context(self, shape, focus, path_node, detail_of)
        values = context.values
        for predicate, component in _VALUE_COMPONENTS.items():
            for parameter in _objects(self.shapes, shape, predicate):
                condition = self.value_ok(shape, predicate, parameter, "?value", depth)
                index = context.rows(component, f"FILTER (!({condition}))")
                if predicate == SH.node:
                    self.node_details(parameter, context, condition, index, depth)
        for parameter in _objects(self.shapes, shape, SH.hasValue):
            context.has_value(parameter)
        if path_node is not None:
            context.counts()
            context.qualified(depth)
            context.unique_lang()
        context.pairs()
        context.closed()
        for constraint in _objects(self.shapes, shape, SH.sparql):
            if not _deactivated(self.shapes, constraint):
                context.sparql(constraint)
        for custom, parameters in self.components.items():
            context.component(custom, parameters)
        # A property shape inside this shape: for a node shape its focus nodes are this shape's,
        # for a property shape they are this shape's value nodes.
        inner_focus = (
            focus if path_node is None else _focus_of_values(values, focus, self.fresh("via"))
        )
        for property_shape in _objects(self.shapes, shape, SH.property):
            if _one(self.shapes, property_shape, SH.path) is None:
                raise UnsupportedShape("sh:property names a shape without sh:path")
            self.shape_constraints(
                property_shape, inner_focus, depth=depth + 1, detail_of=detail_of
            )

    def node_details(
        self, referenced: Node, context: _Context, condition: str, index: int, depth: int
    ) -> None:
        """The results of the referenced shape on each value node that fails sh:node, as the
        sh:detail of that result."""
        failing = f"{context.values} FILTER (!({condition}))"
        focus = _focus_of_values(failing, context.focus_nodes, None)
        self.shape_constraints(referenced, focus, depth=depth + 1, detail_of=index)

    def path(self, node: Node) -> str:
        """A SHACL property path as a SPARQL property path."""
        if isinstance(node, URIRef):
            return _term(node)
        if (node, RDF.first, None) in self.shapes:
            steps = list(Collection(self.shapes, node))
            if len(steps) < 2:
                raise UnsupportedShape("a sequence path of fewer than two steps")
            return "(" + "/".join(self.path(step) for step in steps) + ")"
        kinds = {
            SH.inversePath: "^({})",
            SH.zeroOrMorePath: "({})*",
            SH.oneOrMorePath: "({})+",
            SH.zeroOrOnePath: "({})?",
        }
        predicates = set(self.shapes.predicates(node, None))
        if len(predicates) != 1:
            raise UnsupportedShape("a property path that is not one of SHACL's path kinds")
        (kind,) = predicates
        if not isinstance(kind, URIRef):
            raise UnsupportedShape("a property path that is not one of SHACL's path kinds")
        inner = _one(self.shapes, node, kind)
        if inner is None:  # pragma: no cover - predicates() found it
            raise UnsupportedShape("an empty property path")
        if kind == SH.alternativePath:
            options = list(Collection(self.shapes, inner))
            if len(options) < 2:
                raise UnsupportedShape("an alternative path of fewer than two options")
            return "(" + "|".join(self.path(option) for option in options) + ")"
        if kind not in kinds:
            raise UnsupportedShape(f"the property path kind {kind}")
        return kinds[kind].format(self.path(inner))

    # -------------------------------------------------------------- conditions

    def value_ok(self, owner: Node, predicate: URIRef, value: Node, var: str, depth: int) -> str:
        """A SPARQL expression that is true when the value node ``var`` satisfies the
        constraint ``predicate value`` of the shape ``owner``."""
        if predicate == SH["class"]:
            if isinstance(value, BNode):
                raise UnsupportedShape("a blank node as sh:class")
            return f"EXISTS {{ {var} {_TYPE} {_term(value)} }}"
        if predicate == SH.datatype:
            return _datatype_ok(value, var)
        if predicate == SH.nodeKind:
            if not isinstance(value, URIRef) or value not in _NODE_KINDS:
                raise UnsupportedShape(f"node kind {value}")
            return _NODE_KINDS[value].format(v=var)
        if predicate == SH["in"]:
            members = self.list_of(value)
            tests = " || ".join(f"sameTerm({var}, {_term(m)})" for m in members)
            return f"({tests or 'false'})"
        if predicate == SH.languageIn:
            tags = self.list_of(value)
            matches = " || ".join(f"langMatches(LANG({var}), {Literal(str(t)).n3()})" for t in tags)
            return f"(isLiteral({var}) && ({matches or 'false'}))"
        if predicate in _RANGES:
            if not isinstance(value, Literal):
                raise UnsupportedShape(f"{predicate} with a value that is not a literal")
            return f"COALESCE({var} {_RANGES[predicate]} {_term(value)}, false)"
        if predicate in (SH.minLength, SH.maxLength):
            bound = _integer(value, str(predicate))
            comparison = ">=" if predicate == SH.minLength else "<="
            return f"(!isBlank({var}) && STRLEN(STR({var})) {comparison} {bound})"
        if predicate == SH.pattern:
            return self.pattern_ok(owner, value, var)
        if predicate == SH.node:
            return self.conforms(value, var, depth + 1)
        if predicate == SH["not"]:
            return f"!({self.conforms(value, var, depth + 1)})"
        members = self.list_of(value)
        if predicate == SH["and"]:
            return "(" + " && ".join(self.conforms(m, var, depth + 1) for m in members) + ")"
        if predicate == SH["or"]:
            tests = " || ".join(self.conforms(m, var, depth + 1) for m in members)
            return f"({tests or 'false'})"
        if predicate == SH.xone:
            count = " + ".join(f"IF({self.conforms(m, var, depth + 1)}, 1, 0)" for m in members)
            return f"(({count or '0'}) = 1)"
        raise UnsupportedShape(f"{predicate} is not compiled")  # pragma: no cover

    def pattern_ok(self, owner: Node, value: Node, var: str) -> str:
        if len(_objects(self.shapes, owner, SH.pattern)) > 1:
            raise UnsupportedShape("several sh:pattern on one shape")
        flags_node = _one(self.shapes, owner, SH.flags)
        flags = str(flags_node) if flags_node is not None else ""
        if set(flags) - set("ismxq"):
            raise UnsupportedShape(f"regular expression flags {flags!r}")
        if not isinstance(value, Literal):
            raise UnsupportedShape("sh:pattern that is not a literal")
        pattern = Literal(str(value)).n3()
        return f"(!isBlank({var}) && REGEX(STR({var}), {pattern}, {Literal(flags).n3()}))"

    def list_of(self, node: Node) -> list[Node]:
        if node != RDF.nil and (node, RDF.first, None) not in self.shapes:
            raise UnsupportedShape(f"{node} is not an RDF list")
        return list(Collection(self.shapes, node))

    def conforms(self, shape: Node, var: str, depth: int) -> str:
        """A SPARQL expression that is true when ``var`` conforms to ``shape`` (every constraint
        of it holds), for sh:node, sh:not, sh:and, sh:or, sh:xone and qualified value shapes."""
        if depth > _MAX_DEPTH:
            raise UnsupportedShape(f"shapes nested more than {_MAX_DEPTH} deep")
        if isinstance(shape, Literal):
            raise UnsupportedShape("a literal where a shape is expected")
        if _deactivated(self.shapes, shape):
            return "true"
        self.check_vocabulary(shape)
        for predicate in (SH.sparql, SH.qualifiedValueShape, SH.closed, *self.custom):
            if _objects(self.shapes, shape, predicate):
                raise UnsupportedShape(f"{predicate} inside a shape used as a condition")
        tests: list[str] = []
        path_node = _one(self.shapes, shape, SH.path)
        path = self.path(path_node) if path_node is not None else None
        for predicate in _VALUE_COMPONENTS:
            for parameter in _objects(self.shapes, shape, predicate):
                if path is None:
                    tests.append(self.value_ok(shape, predicate, parameter, var, depth))
                else:
                    v = self.fresh()
                    condition = self.value_ok(shape, predicate, parameter, v, depth)
                    tests.append(f"NOT EXISTS {{ {var} {path} {v} FILTER (!({condition})) }}")
        for parameter in _objects(self.shapes, shape, SH.hasValue):
            if path is None:
                tests.append(f"sameTerm({var}, {_term(parameter)})")
            else:
                tests.append(f"EXISTS {{ {var} {path} {_term(parameter)} }}")
        if path is not None:
            for bound in _objects(self.shapes, shape, SH.minCount):
                n = _integer(bound, "sh:minCount")
                if n > 0:
                    tests.append(f"EXISTS {{ {self.distinct_values(var, path, n)} }}")
            for bound in _objects(self.shapes, shape, SH.maxCount):
                n = _integer(bound, "sh:maxCount")
                tests.append(f"NOT EXISTS {{ {self.distinct_values(var, path, n + 1)} }}")
            if any(_is_true(u) for u in _objects(self.shapes, shape, SH.uniqueLang)):
                a, b = self.fresh(), self.fresh()
                tests.append(f"NOT EXISTS {{ {_same_language(var, path, a, b)} }}")
        elif any(_objects(self.shapes, shape, p) for p in (*_COUNT_COMPONENTS, SH.uniqueLang)):
            raise UnsupportedShape("a count or sh:uniqueLang on a node shape")
        for predicate in _PAIR_COMPONENTS:
            for other in _objects(self.shapes, shape, predicate):
                if path is None and predicate in (SH.lessThan, SH.lessThanOrEquals):
                    raise UnsupportedShape(f"{predicate} on a node shape")
                v, o = self.fresh(), self.fresh()
                values = f"{var} {path} {v} ." if path else f"BIND ({var} AS {v})"
                tests.append(
                    f"NOT EXISTS {{ {_pair_violation(predicate, var, values, v, o, other)} }}"
                )
        for property_shape in _objects(self.shapes, shape, SH.property):
            if path is None:
                tests.append(self.conforms(property_shape, var, depth + 1))
            else:
                v = self.fresh()
                inner = self.conforms(property_shape, v, depth + 1)
                tests.append(f"NOT EXISTS {{ {var} {path} {v} FILTER (!({inner})) }}")
        return "(" + " && ".join(tests) + ")" if tests else "true"

    def distinct_values(self, var: str, path: str, n: int) -> str:
        """A pattern that matches when ``var`` has at least ``n`` distinct values on ``path``."""
        if n > 4:
            raise UnsupportedShape("a count above 4 inside a shape used as a condition")
        names = [self.fresh() for _ in range(n)]
        patterns = " ".join(f"{var} {path} {name} ." for name in names)
        different = " && ".join(f"!sameTerm({a}, {b})" for a, b in itertools.combinations(names, 2))
        return patterns + (f" FILTER ({different})" if different else "")

    def with_current_shape(self, text: str, shape: Node) -> str:
        """$currentShape is pre-bound to the shape: put it in as a constant."""
        if not re.search(r"[?$]currentShape\b", text):
            return text
        if not isinstance(shape, URIRef):
            raise UnsupportedShape("$currentShape of a shape that is a blank node")
        return _replace_variable(text, "currentShape", _term(shape))


@dataclass(frozen=True)
class _Focus:
    """A group pattern that binds ?this to each focus node of a shape, and the variables that
    tell apart the focus nodes through which a nested shape reached it: SHACL validates a value
    node against a nested property shape once for each focus node it is a value of."""

    pattern: str
    via: tuple[str, ...] = ()


def _focus_of_values(values: str, focus: _Focus, new_via: str | None) -> _Focus:
    """The focus nodes of a shape applied to the value nodes that ``values`` binds to ?value;
    ``new_via`` names the variable that keeps the outer focus node (None: each value once). The
    inner SELECT hides the outer ?this, so that it can be bound again."""
    via = (*focus.via, new_via) if new_via else focus.via
    inner = " ".join((*focus.via, f"(?this AS {new_via})" if new_via else ""))
    pattern = (
        f"{{ SELECT DISTINCT ?this {' '.join(via)} WHERE {{ "
        f"{{ SELECT ?value {inner} WHERE {{ {values} }} }} BIND (?value AS ?this) }} }}"
    )
    return _Focus(pattern, via)


class _Context:
    """The constraints of one shape, for one set of focus nodes."""

    def __init__(
        self,
        compiler: _ShapeCompiler,
        shape: Node,
        focus: _Focus,
        path: Node | None,
        detail_of: int | None,
    ) -> None:
        self.compiler = compiler
        self.shapes = compiler.shapes
        self.shape = shape
        self.focus_nodes = focus
        self.focus = focus.pattern
        self.path_node = path
        self.path = compiler.path(path) if path is not None else None
        # Every focus node with each of its value nodes as ?value.
        self.values = f"{self.focus} {self.value_of_this('?value')}"
        self.detail_of = detail_of
        severity = _one(self.shapes, shape, SH.severity)
        self.severity: Node = severity if severity is not None else SH.Violation
        self.messages = tuple(
            m for m in _objects(self.shapes, shape, SH.message) if isinstance(m, Literal)
        )

    def is_value_of_this(self, var: str) -> str:
        """A pattern that holds when the bound ``var`` is a value node of ?this."""
        if self.path is None:
            return f"FILTER (sameTerm({var}, ?this))"
        return f"?this {self.path} {var} ."

    def value_of_this(self, var: str) -> str:
        """A pattern that binds ``var`` to each value node of ?this: the values on the path
        for a property shape, ?this itself for a node shape."""
        if self.path is None:
            return f"BIND (?this AS {var})"
        return f"?this {self.path} {var} ."

    def make(
        self,
        component: URIRef,
        where: str,
        projection: str,
        *,
        group: str = "",
        is_sparql: bool = False,
        aggregates: bool = False,
        messages: tuple[Literal, ...] | None = None,
        value_is_focus: bool | None = None,
    ) -> int:
        via = " ".join(self.focus_nodes.via)
        if via and projection != "*":
            projection = f"{projection} {via}"
            group = group.replace("GROUP BY ?this", f"GROUP BY ?this {via}", 1)
        query = f"{self.compiler.prologue}SELECT {projection} WHERE {{ {where} }} {group}".strip()
        return self.compiler.add(
            CompiledConstraint(
                node_shape=self.compiler.shape,
                source_shape=self.shape,
                component=component,
                severity=self.severity,
                messages=(self.messages if messages is None else messages)
                or (Literal(_DEFAULT_MESSAGES.get(component, _ANY_MESSAGE), lang="en"),),
                path=self.path_node,
                query=query,
                is_sparql=is_sparql,
                value_is_focus=(
                    is_sparql and self.path_node is None
                    if value_is_focus is None
                    else value_is_focus
                ),
                aggregates=aggregates,
                detail_of=self.detail_of,
            )
        )

    def rows(self, component: URIRef, condition: str) -> int:
        """A constraint with one result per value node that fails ``condition``."""
        return self.make(component, f"{self.values} {condition}", "DISTINCT ?this ?value")

    def has_value(self, parameter: Node) -> None:
        if self.path is None:
            where = f"{self.focus} FILTER (!sameTerm(?this, {_term(parameter)}))"
        else:
            where = f"{self.focus} FILTER NOT EXISTS {{ ?this {self.path} {_term(parameter)} }}"
        self.make(SH.HasValueConstraintComponent, where, "DISTINCT ?this")

    def counts(self) -> None:
        for predicate, component in _COUNT_COMPONENTS.items():
            for bound in _objects(self.shapes, self.shape, predicate):
                n = _integer(bound, str(predicate))
                comparison = "<" if predicate == SH.minCount else ">"
                v = self.compiler.fresh()
                where = f"{self.focus} OPTIONAL {{ ?this {self.path} {v} }}"
                group = f"GROUP BY ?this HAVING (COUNT(DISTINCT {v}) {comparison} {n})"
                self.make(component, where, "?this", group=group)

    def qualified(self, depth: int) -> None:
        qualified = _one(self.shapes, self.shape, SH.qualifiedValueShape)
        if qualified is None:
            return
        if any(
            _is_true(d) for d in _objects(self.shapes, self.shape, SH.qualifiedValueShapesDisjoint)
        ):
            raise UnsupportedShape("sh:qualifiedValueShapesDisjoint is not compiled")
        for predicate, component in _QUALIFIED.items():
            for bound in _objects(self.shapes, self.shape, predicate):
                n = _integer(bound, str(predicate))
                comparison = "<" if predicate == SH.qualifiedMinCount else ">"
                v = self.compiler.fresh()
                conforms = self.compiler.conforms(qualified, v, depth + 1)
                where = f"{self.focus} OPTIONAL {{ ?this {self.path} {v} FILTER ({conforms}) }}"
                group = f"GROUP BY ?this HAVING (COUNT(DISTINCT {v}) {comparison} {n})"
                self.make(component, where, "?this", group=group)

    def unique_lang(self) -> None:
        if not any(_is_true(u) for u in _objects(self.shapes, self.shape, SH.uniqueLang)):
            return
        a, b = self.compiler.fresh(), self.compiler.fresh()
        language = self.compiler.fresh("lang")
        where = (
            f"{self.focus} {_same_language('?this', str(self.path), a, b)}"
            f" BIND (LCASE(LANG({a})) AS {language})"
        )
        # One result per focus node and language used twice (SHACL 4.4.4), with no value.
        group = f"GROUP BY ?this {language}"
        self.make(SH.UniqueLangConstraintComponent, where, f"?this {language}", group=group)

    def pairs(self) -> None:
        for predicate, component in _PAIR_COMPONENTS.items():
            for other in _objects(self.shapes, self.shape, predicate):
                if not isinstance(other, URIRef):
                    raise UnsupportedShape(f"{predicate} with a value that is not an IRI")
                v, o = self.compiler.fresh(), self.compiler.fresh()
                values = self.value_of_this(v)
                projection = "DISTINCT ?this ?value"
                if predicate == SH.equals:
                    # Values on the path that are not values of the other property, and values
                    # of the other property that are not on the path: two queries, each with the
                    # focus nodes in its own group (a UNION branch would not see ?this).
                    self.make(
                        component,
                        f"{self.focus} {values} FILTER NOT EXISTS {{ ?this {_term(other)} {v} }} "
                        f"BIND ({v} AS ?value)",
                        projection,
                    )
                    where = (
                        f"{self.focus} ?this {_term(other)} {o} "
                        f"FILTER NOT EXISTS {{ {self.is_value_of_this(o)} }} BIND ({o} AS ?value)"
                    )
                else:
                    where = (
                        f"{self.focus} {_pair_violation(predicate, '?this', values, v, o, other)}"
                        f" BIND ({v} AS ?value)"
                    )
                    if predicate != SH.disjoint:
                        # one result for each pair that fails (SHACL 4.5.3, 4.5.4)
                        projection += f" {o}"
                self.make(component, where, projection)

    def closed(self) -> None:
        if not any(_is_true(c) for c in _objects(self.shapes, self.shape, SH.closed)):
            return
        if self.path is not None:
            raise UnsupportedShape("sh:closed on a property shape")
        allowed: set[Node] = set()
        for property_shape in _objects(self.shapes, self.shape, SH.property):
            path = _one(self.shapes, property_shape, SH.path)
            if isinstance(path, URIRef):
                allowed.add(path)
        for ignored in _objects(self.shapes, self.shape, SH.ignoredProperties):
            allowed.update(self.compiler.list_of(ignored))
        p = self.compiler.fresh("p")
        test = " && ".join(f"!sameTerm({p}, {_term(a)})" for a in sorted(allowed, key=str))
        where = (
            f"{self.focus} ?this {p} ?value ."
            + (f" FILTER ({test})" if test else "")
            + f" BIND ({p} AS ?path)"
        )
        self.make(SH.ClosedConstraintComponent, where, "DISTINCT ?this ?path ?value")

    def sparql(self, constraint: Node) -> None:
        self.compiler.check_constraint_vocabulary(constraint)
        select = _one(self.shapes, constraint, SH.select)
        if select is None:
            raise UnsupportedShape("a SPARQL constraint without sh:select")
        text = self.compiler.with_current_shape(str(select), self.shape)
        if re.search(r"[?$]PATH\b", text):
            if self.path is None:
                raise RefusedShape("$PATH in a constraint of a node shape")
            text = _replace_variable(text, "PATH", self.path)
        query = check_prebinding(self.compiler.prologue + text, target=False)
        if not query.projects_this:
            raise UnsupportedShape("a SPARQL constraint that does not select $this")
        messages = tuple(
            m for m in _objects(self.shapes, constraint, SH.message) if isinstance(m, Literal)
        )
        messages += tuple(m for m in self.messages if m not in messages)
        self.make(
            SH.SPARQLConstraintComponent,
            _with_focus(text, self.focus),
            "*",
            is_sparql=True,
            aggregates=query.aggregates,
            messages=messages,
        )

    def component(self, component: Node, parameters: tuple[_Parameter, ...]) -> None:
        """A SPARQL-based constraint component (SHACL 6), where the shape has a value for each of
        its mandatory parameters: its validator with the parameters put in as constants. A SELECT
        validator runs like a SPARQL constraint; an ASK validator becomes a FILTER NOT EXISTS
        around its pattern, whose $this and $value are the outer query's (SPARQL puts the outer
        solution's values into an EXISTS pattern, as pre-binding does)."""
        values = {p: _objects(self.shapes, self.shape, p.path) for p in parameters}
        if not parameters or not all(values[p] for p in parameters if not p.optional):
            return
        if not any(values[p] for p in parameters):
            return
        if any(len(found) > 1 for found in values.values()):
            raise UnsupportedShape(f"several values of one parameter of {component}")
        if not isinstance(component, URIRef):
            raise UnsupportedShape("a constraint component that is a blank node")
        kind = SH.propertyValidator if self.path is not None else SH.nodeValidator
        validator = _one(self.shapes, component, kind) or _one(self.shapes, component, SH.validator)
        if validator is None:
            raise UnsupportedShape(f"{component} has no validator for this kind of shape")
        bound = {p.name: found[0] for p, found in values.items() if found}
        messages = tuple(
            _fill_template(m, bound)
            for source in (validator, component)
            for m in _objects(self.shapes, source, SH.message)
            if isinstance(m, Literal)
        ) or tuple(_fill_template(m, bound) for m in self.messages)
        select, ask = (_one(self.shapes, validator, p) for p in (SH.select, SH.ask))
        text = str(select if select is not None else ask or "")
        if not text or (select is not None and ask is not None):
            raise UnsupportedShape(f"{component}'s validator has neither one sh:select nor sh:ask")
        for name, term in bound.items():
            text = _pre_bind(text, name, _term(term))
        text = self.compiler.with_current_shape(text, self.shape)
        if re.search(r"[?$]PATH\b", text):
            if self.path is None:
                raise RefusedShape(f"$PATH in {component}'s validator for a node shape")
            text = _replace_variable(text, "PATH", self.path)
        prefixes = self.compiler.prologue
        if select is not None:
            query = check_prebinding(prefixes + text, target=False)
            if not query.projects_this:
                raise UnsupportedShape(f"{component}'s validator does not select $this")
            where, projection = _with_focus(text, self.focus), "*"
            aggregates = query.aggregates
        else:
            pattern = _ask_pattern(prefixes + text)
            where = f"{self.values} FILTER NOT EXISTS {{ {pattern} }}"
            projection, aggregates = "DISTINCT ?this ?value", False
        self.make(
            component,
            where,
            projection,
            is_sparql=True,
            aggregates=aggregates,
            messages=messages,
            value_is_focus=select is not None and self.path is None,
        )


def _pre_bind(text: str, name: str, term: str) -> str:
    """``$name`` put in as a constant: BOUND($name) is true, every other use the term."""
    stripped = _strip_strings(text)
    for match in reversed(list(re.finditer(rf"\bBOUND\s*\(\s*[?$]{name}\s*\)", stripped, re.I))):
        text = text[: match.start()] + "true" + text[match.end() :]
    return _replace_variable(text, name, term)


def _refuse_rebinding(code: str, pre_bound: tuple[str, ...]) -> None:
    """SHACL 5.3.1: a query may not assign a potentially pre-bound variable with ``AS`` (a
    validator's parameters are put in as constants before this, so ``AS $param`` no longer
    parses and is refused there)."""
    names = "|".join(pre_bound)
    found = re.search(rf"\bAS\s+[?$]({names})\b", code, flags=re.IGNORECASE)
    if found:
        raise RefusedShape(
            f"AS ${found.group(1)} in a SHACL-SPARQL query ($this, $value and "
            "$currentShape are pre-bound)"
        )


def _ask_pattern(text: str) -> str:
    """The group pattern of an ASK validator, for use inside FILTER NOT EXISTS. Refused as a
    SPARQL constraint would be (MINUS, SERVICE, VALUES); handed over where EXISTS would not
    see $this and $value as pre-binding does (a subquery)."""
    code = _strip_strings(text)
    for keyword in ("MINUS", "SERVICE", "VALUES"):
        if re.search(rf"(?<![\w:]){keyword}\b", code, flags=re.IGNORECASE):
            raise RefusedShape(f"{keyword} in a SHACL-SPARQL validator")
    if re.search(r"[?$]shapesGraph\b", code):
        raise RefusedShape("$shapesGraph is not supported (SHACL 5.3.1 lets it be refused)")
    _refuse_rebinding(code, ("this", "value", "currentShape"))
    if re.search(r"(?<![\w:])(SELECT|PREFIX|BASE)\b", code[code.upper().find("ASK") :], re.I):
        raise UnsupportedShape("a subquery or declaration inside an ASK validator")
    algebra = _algebra(text)
    if algebra.name != "AskQuery":
        raise UnsupportedShape("an sh:ask that is not an ASK query")
    start = code.find("{", code.upper().find("ASK"))
    end = code.rfind("}")
    if start < 0 or end <= start:
        raise UnsupportedShape("an ASK validator without a group pattern")
    return text[start + 1 : end]


def _is_true(node: Node) -> bool:
    """The literal true (not "1"^^xsd:boolean: the W3C suite's core/property/uniqueLang-002)."""
    return isinstance(node, Literal) and node.datatype == XSD.boolean and str(node) == "true"


def _same_language(var: str, path: str, a: str, b: str) -> str:
    return (
        f"{var} {path} {a} . {var} {path} {b} . "
        f"FILTER (!sameTerm({a}, {b}) && isLiteral({a}) && isLiteral({b}) && LANG({a}) != '' "
        f"&& LCASE(LANG({a})) = LCASE(LANG({b})))"
    )


def _pair_violation(predicate: URIRef, focus: str, values: str, v: str, o: str, other: Node) -> str:
    """A pattern that matches a value node ``v`` that breaks sh:equals (one direction),
    sh:disjoint, sh:lessThan or sh:lessThanOrEquals against ``o``, a value of ``other``."""
    if predicate == SH.equals:
        return f"{values} FILTER NOT EXISTS {{ {focus} {_term(other)} {v} }}"
    if predicate == SH.disjoint:
        return f"{values} {focus} {_term(other)} {v} ."
    comparison = "<" if predicate == SH.lessThan else "<="
    return f"{values} {focus} {_term(other)} {o} . FILTER (!COALESCE({v} {comparison} {o}, false))"


def _datatype_ok(datatype: Node, var: str) -> str:
    """True when ``var`` is a literal of ``datatype`` in its lexical space (SHACL 4.1.2)."""
    if datatype == RDF.langString:
        return f"(isLiteral({var}) && LANG({var}) != '')"
    if not isinstance(datatype, URIRef):
        raise UnsupportedShape("sh:datatype that is not an IRI")
    same = f"isLiteral({var}) && sameTerm(DATATYPE({var}), {_term(datatype)})"
    if datatype in _ALWAYS_WELL_FORMED:
        return f"({same})"
    space = LEXICAL_SPACES.get(datatype)
    if space is None:
        raise UnsupportedShape(f"sh:datatype {datatype}: its lexical space is not checked here")
    tests = [same, f"REGEX(STR({var}), {Literal('^' + space.pattern + '$').n3()})"]
    if space.cast is not None:
        tests.append(f"COALESCE(isLiteral({_term(space.cast)}(STR({var}))), false)")
    if space.minimum is not None:
        decimal = f"<{XSD.decimal}>(STR({var}))"
        tests.append(f"COALESCE({decimal} >= {space.minimum}, false)")
    if space.maximum is not None:
        decimal = f"<{XSD.decimal}>(STR({var}))"
        tests.append(f"COALESCE({decimal} <= {space.maximum}, false)")
    return "(" + " && ".join(tests) + ")"


# -------------------------------------------------------------- SHACL-SPARQL pre-binding


@dataclass(frozen=True)
class PrebindingCheck:
    projects_this: bool
    aggregates: bool  # the query counts or sums (so a statement made twice would count twice)


@cache
def check_prebinding(text: str, *, target: bool) -> PrebindingCheck:
    """Whether a SHACL-SPARQL query may run, and whether joining the focus nodes in first gives
    the same answer as pre-binding ``$this`` (SHACL 5.3.1).

    Raises :class:`RefusedShape` for what the specification forbids in a constraint (MINUS,
    SERVICE, VALUES, ``AS ?this``, a subquery that does not return ``$this``; ``$shapesGraph``,
    which SHACL lets a processor refuse) and :class:`UnsupportedShape` where the compiled form
    could differ from pre-binding: ``$this`` in an expression of a nested group (where the joined
    focus node is out of scope), a subquery that does not bind ``$this`` itself, an aggregate not
    grouped by ``$this``, LIMIT or OFFSET (which would apply to all focus nodes at once). A
    SPARQL target has nothing pre-bound but ``$currentShape`` (put in as a constant), so only
    ``$shapesGraph`` is refused there.
    """
    code = _strip_strings(text)
    if re.search(r"[?$]shapesGraph\b", code):
        raise RefusedShape("$shapesGraph is not supported (SHACL 5.3.1 lets it be refused)")
    algebra = _algebra(text)
    if algebra.name != "SelectQuery":
        raise UnsupportedShape("a SHACL-SPARQL query that is not a SELECT")
    projects_this = Variable("this") in (algebra.get("PV") or [])
    aggregates = any(getattr(part, "name", None) == "AggregateJoin" for part in _walk(algebra))
    if target:
        return PrebindingCheck(projects_this, aggregates)
    for keyword in ("MINUS", "SERVICE", "VALUES"):
        if re.search(rf"(?<![\w:]){keyword}\b", code, flags=re.IGNORECASE):
            raise RefusedShape(f"{keyword} in a SHACL-SPARQL constraint")
    _refuse_rebinding(code, ("this", "currentShape"))
    for part in _walk(algebra.p):
        if _is_subquery(part) and Variable("this") not in (part.p.get("PV") or []):  # type: ignore[attr-defined]
            raise RefusedShape("a subquery that does not return $this")
    # Analyse the query as it will run: with the focus nodes joined in first.
    placed = _algebra(_with_focus(text, f"?this <{_FOCUS}> ?_focus_marker .")[1:-1])
    _require_safe_spine(placed.p, binds_this=True)
    return PrebindingCheck(projects_this, aggregates)


_FOCUS = "urn:initiative-kg:focus"


def _algebra(text: str) -> Any:
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        return translateQuery(parseQuery(text)).algebra
    except Exception as error:  # rdflib's parser raises many kinds; all mean a broken query
        raise RefusedShape(f"the SPARQL query does not parse: {error}") from error


def _is_subquery(node: object) -> bool:
    return getattr(node, "name", None) == "ToMultiSet" and (
        getattr(node.get("p"), "name", None) == "Project"  # type: ignore[attr-defined]
    )


def _require_safe_spine(node: Any, *, binds_this: bool) -> None:
    """Walk down the spine of a query's top-level group (its solution modifiers, filters and
    the left-most operand of each join). ``$this`` may appear in an expression only there, and
    off the spine only in triple patterns and in subqueries that are safe themselves. With
    ``binds_this`` false (a subquery), a triple pattern of the spine must bind ``$this``."""
    bound = False
    current = node
    while True:
        name = getattr(current, "name", None)
        if name == "Slice":
            raise UnsupportedShape("LIMIT or OFFSET in a SPARQL constraint")
        if name == "Group" and Variable("this") not in (current.get("expr") or []):
            raise UnsupportedShape("an aggregate that is not grouped by $this")
        if name in ("Join", "LeftJoin"):
            _require_this_only_in_patterns(current.p2)
            if name == "Join":
                bound = bound or Variable("this") in _certainly_bound(current.p2)
            current = current.p1
        elif name in _SPINE:
            current = current.p
        else:  # the left-most pattern of the top-level group
            _require_this_only_in_patterns(current)
            bound = bound or Variable("this") in _certainly_bound(current)
            break
    if not binds_this and not bound:
        raise UnsupportedShape("a subquery that uses $this without binding it in a pattern")


# Algebra nodes between a query's top and its top-level group: their expressions see ?this.
_SPINE = frozenset(
    {"Project", "Distinct", "Reduced", "OrderBy", "AggregateJoin", "Group", "Filter", "Extend"}
)


def _require_this_only_in_patterns(node: object) -> None:
    """Off the spine, ``$this`` may only join (in triple patterns or safe subqueries); in an
    expression it would be out of scope where pre-binding puts it in."""
    stack = [node]
    while stack:
        current = stack.pop()
        name = getattr(current, "name", None)
        if _is_subquery(current):
            if _mentions_this(current):
                _require_safe_spine(current.p, binds_this=False)  # type: ignore[attr-defined]
            continue
        if name in ("Filter", "Extend", "LeftJoin") and _mentions_this(current.get("expr")):  # type: ignore[attr-defined]
            raise UnsupportedShape("$this in an expression of a nested group")
        if name == "Group":
            raise UnsupportedShape("an aggregate inside a SPARQL constraint's pattern")
        if isinstance(current, dict):
            stack.extend(current.values())
        elif isinstance(current, (list, tuple)):
            stack.extend(current)


def _certainly_bound(node: Any) -> set[Variable]:
    """The variables every solution of an algebra node binds."""
    name = getattr(node, "name", None)
    if name == "BGP":
        return {t for triple in node.triples for t in triple if isinstance(t, Variable)}
    if name == "Join":
        return _certainly_bound(node.p1) | _certainly_bound(node.p2)
    if name in ("LeftJoin", "Minus"):
        return _certainly_bound(node.p1)
    if name == "Union":
        return _certainly_bound(node.p1) & _certainly_bound(node.p2)
    if name == "Graph":
        found = _certainly_bound(node.p)
        return found | ({node.term} if isinstance(node.term, Variable) else set())
    if name in ("Filter", "Extend", "Distinct", "Reduced", "OrderBy", "ToMultiSet", "Slice"):
        return _certainly_bound(node.p)
    if name == "Project":
        return _certainly_bound(node.p) & set(node.PV)
    if name == "AggregateJoin":
        return set()
    return set()


def _mentions_this(node: object) -> bool:
    return any(part == Variable("this") for part in _walk(node))


def _walk(node: object) -> Iterator[object]:
    """Every value inside an rdflib algebra or syntax node."""
    stack = [node]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, dict):
            stack.extend(current.values())
        elif isinstance(current, (list, tuple, set, frozenset)):
            stack.extend(current)


# -------------------------------------------------------------- query text


_STRING_OR_IRI = re.compile(
    r"'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"|"
    r"<[^<>\"{}|^`\\\x00-\x20]*>|#[^\n]*",
    flags=re.DOTALL,
)


def _strip_strings(text: str) -> str:
    """The query text with its strings, IRIs and comments blanked out."""
    return _STRING_OR_IRI.sub(lambda m: " " * len(m.group(0)), text)


def _replace_variable(text: str, name: str, replacement: str) -> str:
    """``text`` with every ``?name`` and ``$name`` outside strings, IRIs and comments replaced."""
    stripped = _strip_strings(text)
    pieces: list[str] = []
    last = 0
    for match in re.finditer(rf"[?$]{name}\b", stripped):
        pieces.append(text[last : match.start()])
        pieces.append(replacement)
        last = match.end()
    pieces.append(text[last:])
    return "".join(pieces)


def _with_focus(select: str, target: str) -> str:
    """The constraint's SELECT as a subquery that starts from the focus nodes: the target goes
    first inside its top-level group, so that ``$this`` is in scope wherever pre-binding would
    put it (``check_prebinding`` has made sure it appears nowhere else)."""
    stripped = _strip_strings(select)
    depth = 0
    for index, char in enumerate(stripped):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "{" and depth == 0:
            return "{ " + select[: index + 1] + f" {target} " + select[index + 1 :].strip() + " }"
    raise UnsupportedShape("a SPARQL constraint without a group pattern")


__all__ = [
    "LEXICAL_SPACES",
    "TARGET_PREDICATES",
    "CompiledConstraint",
    "CompiledShapes",
    "RawResult",
    "RefusedShape",
    "UnsupportedShape",
    "check_prebinding",
    "compile_shapes",
    "implicit_class_shapes",
    "targeted_shapes",
]
