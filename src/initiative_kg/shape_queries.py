"""The SHACL shapes compiled to whole-graph SPARQL queries, for the fast validation path.

pySHACL checks one focus node at a time and evaluates SPARQL-based constraints once per focus
node with rdflib's engine: on a graph of 60,000 triples that takes minutes. Each constraint here
becomes one SELECT that finds *all* its violations at once (``?this`` is the focus node, ``?path``
and ``?value`` as in a SHACL result), which a native engine such as Oxigraph answers in
milliseconds. The results are meant to be those of pySHACL, result for result; the tests compare
the two on every invalid case, the shipped graph and a generated catalogue.

The compiler covers the parts of SHACL Core and SHACL-SPARQL that the project's shapes use
(predicate paths; counts, class, datatype, node kind, value lists, language lists, ranges,
``sh:node``, qualified value shapes, ``sh:and``/``sh:or``/``sh:not``/``sh:xone``; SPARQL targets and
SELECT constraints). A shape that uses anything else raises :class:`UnsupportedShape`, and the
validator hands that shape to pySHACL instead, so a new kind of constraint is never skipped.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

TARGET_PREDICATES = (
    SH.targetClass,
    SH.targetNode,
    SH.targetObjectsOf,
    SH.targetSubjectsOf,
    SH.target,
)
_TYPE = f"<{RDF.type}>/<{RDFS.subClassOf}>*"

# Datatypes whose lexical forms Oxigraph can check with a cast: a literal of one of them whose
# cast fails is ill-typed, which SHACL counts as a datatype violation.
_CASTABLE = frozenset(
    {
        XSD.string,
        XSD.boolean,
        XSD.decimal,
        XSD.integer,
        XSD.float,
        XSD.double,
        XSD.dateTime,
        XSD.date,
        XSD.gYear,
        XSD.gYearMonth,
    }
)

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
    SH.node: SH.NodeConstraintComponent,
    SH["not"]: SH.NotConstraintComponent,
    SH["and"]: SH.AndConstraintComponent,
    SH["or"]: SH.OrConstraintComponent,
    SH.xone: SH.XoneConstraintComponent,
}
_COUNT_COMPONENTS = {
    SH.minCount: SH.MinCountConstraintComponent,
    SH.maxCount: SH.MaxCountConstraintComponent,
}
_QUALIFIED = {
    SH.qualifiedMinCount: SH.QualifiedMinCountConstraintComponent,
    SH.qualifiedMaxCount: SH.QualifiedMaxCountConstraintComponent,
}
# Shape vocabulary that is not a constraint (or is read together with one).
_NOT_CONSTRAINTS = frozenset(
    {
        RDF.type,
        RDFS.label,
        RDFS.comment,
        SH.path,
        SH.message,
        SH.severity,
        SH.name,
        SH.description,
        SH.order,
        SH.group,
        SH.deactivated,
        SH.property,
        SH.sparql,
        SH.targetClass,
        SH.targetNode,
        SH.targetObjectsOf,
        SH.targetSubjectsOf,
        SH.target,
        SH.hasValue,
        SH.qualifiedValueShape,
        SH.qualifiedValueShapesDisjoint,
        SH.prefixes,
        SH.declare,
        *_VALUE_COMPONENTS,
        *_COUNT_COMPONENTS,
        *_QUALIFIED,
    }
)


class UnsupportedShape(Exception):
    """A shape uses SHACL that the compiler does not translate; pySHACL checks it instead."""


@dataclass(frozen=True)
class CompiledConstraint:
    """One constraint of one shape as a query whose every row is a violation."""

    node_shape: Node  # the named shape that holds the constraint (its target gives ?this)
    source_shape: Node  # the shape that declares the constraint (a property shape or the same)
    component: URIRef
    severity: URIRef
    messages: tuple[Literal, ...]
    path: URIRef | None  # the property shape's path, reported when the row binds no ?path
    query: str
    is_sparql: bool  # rows carry extra variables for the message template

    def results(self, rows: Sequence[Mapping[str, Node | None]]) -> Iterator[RawResult]:
        """The SHACL results of the query's rows, as pySHACL builds them."""
        seen: set[tuple[object, ...]] = set()
        for row in rows:
            focus = row["this"]
            if focus is None:
                continue
            path = row.get("path") or self.path
            value = row.get("value")
            if value is None and self.source_shape == self.node_shape and self.is_sparql:
                value = focus  # a node shape's SPARQL constraint reports the focus node
            extra = {k: v for k, v in row.items() if k not in {"this", "path", "value"}}
            key = (focus, path, value, tuple(sorted(extra.items())))
            if key in seen:
                continue
            seen.add(key)
            messages = self.messages
            if self.is_sparql:
                bound = {**extra, "this": focus, "path": path, "value": value}
                messages = tuple(_fill_template(m, bound) for m in messages)
            yield RawResult(
                severity=self.severity,
                source_shape=self.source_shape,
                component=self.component,
                focus=focus,
                path=path,
                value=value,
                messages=messages,
            )


@dataclass(frozen=True)
class RawResult:
    """A SHACL validation result before it is located and shown."""

    severity: Node
    source_shape: Node
    component: Node
    focus: Node
    path: Node | None
    value: Node | None
    messages: tuple[Literal, ...]


def _fill_template(message: Literal, bound: Mapping[str, Node | None]) -> Literal:
    def filled(match: re.Match[str]) -> str:
        term = bound.get(match.group(1))
        return match.group(0) if term is None else str(term)

    # {?name} and {$name}, as pySHACL fills them: str() of the bound term
    return Literal(re.sub(r"\{[?$](\w+)\}", filled, str(message)), lang=message.language)


@dataclass(frozen=True)
class CompiledShapes:
    constraints: tuple[CompiledConstraint, ...]
    unsupported: tuple[tuple[Node, str], ...]  # named shapes left to pySHACL, and why


def compile_shapes(shapes: Graph) -> CompiledShapes:
    """Every constraint of every targeted shape in ``shapes`` as a whole-graph query."""
    compiled: list[CompiledConstraint] = []
    unsupported: list[tuple[Node, str]] = []
    prologue = _prologue(shapes)
    for shape in sorted(_targeted_shapes(shapes), key=str):
        try:
            compiled += _ShapeCompiler(shapes, shape, prologue).constraints()
        except UnsupportedShape as reason:
            unsupported.append((shape, str(reason)))
    return CompiledShapes(tuple(compiled), tuple(unsupported))


def _targeted_shapes(shapes: Graph) -> set[Node]:
    targeted: set[Node] = set()
    for predicate in TARGET_PREDICATES:
        targeted.update(shapes.subjects(predicate, None))
    return {shape for shape in targeted if not _deactivated(shapes, shape)}


def _deactivated(shapes: Graph, shape: Node) -> bool:
    return any(
        isinstance(value, Literal) and value.toPython() is True
        for value in _objects(shapes, shape, SH.deactivated)
    )


def _active(shapes: Graph, subject: Node, predicate: URIRef) -> list[Node]:
    """The property shapes or SPARQL constraints of a shape, less the deactivated ones."""
    return [node for node in _objects(shapes, subject, predicate) if not _deactivated(shapes, node)]


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


class _ShapeCompiler:
    def __init__(
        self,
        shapes: Graph,
        shape: Node,
        prologue: str,
        *,
        focus: str | None = None,
        counter: Iterator[int] | None = None,
        depth: int = 0,
    ) -> None:
        self.shapes = shapes
        self.shape = shape
        self.prologue = prologue
        self.counter = counter or itertools.count()
        self.severity = self._severity(shape)
        self.focus = focus  # a pattern binding ?this, for a shape reached through sh:node
        self.depth = depth

    def fresh(self, stem: str = "v") -> str:
        return f"?_{stem}{next(self.counter)}"

    def _severity(self, shape: Node) -> URIRef:
        severity = _one(self.shapes, shape, SH.severity)
        return severity if isinstance(severity, URIRef) else SH.Violation

    def _messages(self, shape: Node) -> tuple[Literal, ...]:
        return tuple(m for m in _objects(self.shapes, shape, SH.message) if isinstance(m, Literal))

    # -------------------------------------------------------------- targets

    def target(self) -> str:
        """A group pattern that binds ?this to each focus node of the shape, once."""
        if self.focus is not None:
            return self.focus
        parts: list[str] = []
        for cls in _objects(self.shapes, self.shape, SH.targetClass):
            parts.append(f"?this {_TYPE} {_term(cls)} .")
        for node in _objects(self.shapes, self.shape, SH.targetNode):
            parts.append(f"VALUES ?this {{ {_term(node)} }}")
        for predicate in _objects(self.shapes, self.shape, SH.targetSubjectsOf):
            parts.append(f"?this {_term(predicate)} [] .")
        for predicate in _objects(self.shapes, self.shape, SH.targetObjectsOf):
            parts.append(f"[] {_term(predicate)} ?this .")
        for target in _objects(self.shapes, self.shape, SH.target):
            select = _one(self.shapes, target, SH.select)
            if select is None:
                raise UnsupportedShape("a custom target that is not a SPARQL SELECT target")
            parts.append(_subquery(str(select)))
        union = " UNION ".join(f"{{ {part} }}" for part in parts)
        return f"{{ SELECT DISTINCT ?this WHERE {{ {union} }} }}"

    # -------------------------------------------------------------- constraints

    def constraints(self) -> list[CompiledConstraint]:
        self._check_vocabulary(self.shape)
        target = self.target()
        found: list[CompiledConstraint] = []
        # Constraints on the focus node itself (the value node is the focus node).
        for predicate, component in _VALUE_COMPONENTS.items():
            for value in _objects(self.shapes, self.shape, predicate):
                condition = self.value_ok(predicate, value, "?this")
                where = f"{target} BIND (?this AS ?value) FILTER (!({condition}))"
                found.append(self.make(self.shape, component, None, where, "?this ?value"))
        for value in _objects(self.shapes, self.shape, SH.hasValue):
            where = f"{target} FILTER (!sameTerm(?this, {_term(value)}))"
            component = SH.HasValueConstraintComponent
            found.append(self.make(self.shape, component, None, where, "?this"))
        if _objects(self.shapes, self.shape, SH.path):
            found += self.property_constraints(self.shape, target)
        for property_shape in _active(self.shapes, self.shape, SH.property):
            self._check_vocabulary(property_shape)
            found += self.property_constraints(property_shape, target)
            found += self.nested(property_shape, target, self.path_of(property_shape))
        for constraint in _active(self.shapes, self.shape, SH.sparql):
            found.append(self.sparql_constraint(self.shape, constraint, target))
        found += self.nested(self.shape, target, None)
        return found

    def nested(self, shape: Node, target: str, path: URIRef | None) -> list[CompiledConstraint]:
        """pySHACL reports, beside each sh:node violation, the results of the referenced shape
        on the failing value; compile that shape again with those values as its focus nodes."""
        found: list[CompiledConstraint] = []
        for referenced in _objects(self.shapes, shape, SH.node):
            if self.depth > 8:
                raise UnsupportedShape("sh:node nested more than eight deep")
            condition = self.conforms(referenced, "?this")
            outer = self.fresh("f")
            if path is None:
                values = f"{target} FILTER (!({condition}))"
            else:
                values = (
                    f"{{ SELECT {outer} WHERE {{ {target} BIND (?this AS {outer}) }} }}"
                    f" {outer} {_term(path)} ?this . FILTER (!({condition}))"
                )
            focus = f"{{ SELECT DISTINCT ?this WHERE {{ {values} }} }}"
            compiler = _ShapeCompiler(
                self.shapes,
                referenced,
                self.prologue,
                focus=focus,
                counter=self.counter,
                depth=self.depth + 1,
            )
            found += compiler.constraints()
        return found

    def _check_vocabulary(self, shape: Node) -> None:
        for predicate in set(self.shapes.predicates(shape, None)):
            if str(predicate).startswith(str(SH)) and predicate not in _NOT_CONSTRAINTS:
                raise UnsupportedShape(f"{predicate} is not compiled")

    def make(
        self,
        source: Node,
        component: URIRef,
        path: URIRef | None,
        where: str,
        projection: str,
        *,
        group: str = "",
        is_sparql: bool = False,
        messages: tuple[Literal, ...] | None = None,
    ) -> CompiledConstraint:
        query = f"{self.prologue}SELECT {projection} WHERE {{ {where} }} {group}".strip()
        return CompiledConstraint(
            node_shape=self.shape,
            source_shape=source,
            component=component,
            severity=self._severity(source) if source != self.shape else self.severity,
            messages=self._messages(source) if messages is None else messages,
            path=path,
            query=query,
            is_sparql=is_sparql,
        )

    def path_of(self, property_shape: Node) -> URIRef:
        path = _one(self.shapes, property_shape, SH.path)
        if not isinstance(path, URIRef):
            raise UnsupportedShape("a property path that is not a single predicate")
        return path

    def property_constraints(self, shape: Node, target: str) -> list[CompiledConstraint]:
        path = self.path_of(shape)
        p = _term(path)
        found: list[CompiledConstraint] = []
        for predicate, component in _COUNT_COMPONENTS.items():
            for bound in _objects(self.shapes, shape, predicate):
                n = int(bound.toPython())  # type: ignore[attr-defined]
                comparison = "<" if predicate == SH.minCount else ">"
                v = self.fresh()
                where = f"{target} OPTIONAL {{ ?this {p} {v} }}"
                group = f"GROUP BY ?this HAVING (COUNT(DISTINCT {v}) {comparison} {n})"
                found.append(self.make(shape, component, path, where, "?this", group=group))
        for predicate, component in _VALUE_COMPONENTS.items():
            for value in _objects(self.shapes, shape, predicate):
                condition = self.value_ok(predicate, value, "?value")
                where = f"{target} ?this {p} ?value . FILTER (!({condition}))"
                found.append(self.make(shape, component, path, where, "?this ?value"))
        for value in _objects(self.shapes, shape, SH.hasValue):
            where = f"{target} FILTER NOT EXISTS {{ ?this {p} {_term(value)} }}"
            found.append(self.make(shape, SH.HasValueConstraintComponent, path, where, "?this"))
        qualified = _one(self.shapes, shape, SH.qualifiedValueShape)
        if qualified is not None:
            if _objects(self.shapes, shape, SH.qualifiedValueShapesDisjoint):
                raise UnsupportedShape("sh:qualifiedValueShapesDisjoint is not compiled")
            for predicate, component in _QUALIFIED.items():
                for bound in _objects(self.shapes, shape, predicate):
                    n = int(bound.toPython())  # type: ignore[attr-defined]
                    comparison = "<" if predicate == SH.qualifiedMinCount else ">"
                    v = self.fresh()
                    conforms = self.conforms(qualified, v)
                    where = f"{target} OPTIONAL {{ ?this {p} {v} FILTER ({conforms}) }}"
                    group = f"GROUP BY ?this HAVING (COUNT(DISTINCT {v}) {comparison} {n})"
                    found.append(self.make(shape, component, path, where, "?this", group=group))
        for constraint in _active(self.shapes, shape, SH.sparql):
            found.append(self.sparql_constraint(shape, constraint, target))
        return found

    def sparql_constraint(self, shape: Node, constraint: Node, target: str) -> CompiledConstraint:
        select = _one(self.shapes, constraint, SH.select)
        if select is None:
            raise UnsupportedShape("a SPARQL constraint without sh:select (an ASK validator)")
        text = str(select)
        if re.search(r"\$(PATH|currentShape|shapesGraph|value)\b", text):
            raise UnsupportedShape("a SPARQL constraint with pre-bound variables besides $this")
        path = self.path_of(shape) if shape != self.shape else None
        messages = self._messages(constraint) + tuple(
            m for m in self._messages(shape) if m not in self._messages(constraint)
        )
        return self.make(
            shape,
            SH.SPARQLConstraintComponent,
            path,
            _with_focus(text, target),
            "*",
            is_sparql=True,
            messages=messages,
        )

    # -------------------------------------------------------------- conditions

    def value_ok(self, predicate: URIRef, value: Node, var: str) -> str:
        """A SPARQL expression that is true when the value node ``var`` satisfies the
        constraint ``predicate value``."""
        if predicate == SH["class"]:
            return f"EXISTS {{ {var} {_TYPE} {_term(value)} }}"
        if predicate == SH.datatype:
            if value == RDF.langString:
                return f"(isLiteral({var}) && LANG({var}) != '')"
            well_formed = (
                f" && COALESCE(isLiteral({_term(value)}(STR({var}))), false)"
                if value in _CASTABLE
                else ""
            )
            return f"(isLiteral({var}) && sameTerm(DATATYPE({var}), {_term(value)}){well_formed})"
        if predicate == SH.nodeKind:
            tests = {
                SH.IRI: "isIRI({v})",
                SH.BlankNode: "isBlank({v})",
                SH.Literal: "isLiteral({v})",
                SH.BlankNodeOrIRI: "(isIRI({v}) || isBlank({v}))",
                SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
                SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
            }
            if value not in tests:
                raise UnsupportedShape(f"node kind {value}")
            return tests[value].format(v=var)  # type: ignore[index]
        if predicate == SH["in"]:
            members = self.list_of(value)
            return "(" + " || ".join(f"sameTerm({var}, {_term(m)})" for m in members) + ")"
        if predicate == SH.languageIn:
            tags = self.list_of(value)
            matches = " || ".join(f"langMatches(LANG({var}), {Literal(str(t)).n3()})" for t in tags)
            return f"(isLiteral({var}) && ({matches or 'false'}))"
        comparisons = {
            SH.minInclusive: ">=",
            SH.minExclusive: ">",
            SH.maxInclusive: "<=",
            SH.maxExclusive: "<",
        }
        if predicate in comparisons:
            return f"COALESCE({var} {comparisons[predicate]} {_term(value)}, false)"
        if predicate == SH.node:
            return self.conforms(value, var)
        if predicate == SH["not"]:
            return f"!({self.conforms(value, var)})"
        if predicate == SH["and"]:
            members = self.list_of(value)
            return "(" + " && ".join(self.conforms(m, var) for m in members) + ")"
        if predicate == SH["or"]:
            members = self.list_of(value)
            return "(" + " || ".join(self.conforms(m, var) for m in members) + ")"
        if predicate == SH.xone:
            members = self.list_of(value)
            count = " + ".join(f"IF({self.conforms(m, var)}, 1, 0)" for m in members)
            return f"({count}) = 1"
        raise UnsupportedShape(f"{predicate} is not compiled")

    def list_of(self, node: Node) -> list[Node]:
        return list(Collection(self.shapes, node))

    def conforms(self, shape: Node, var: str) -> str:
        """A SPARQL expression that is true when ``var`` conforms to ``shape`` (every constraint
        of it holds)."""
        self._check_vocabulary(shape)
        if _objects(self.shapes, shape, SH.sparql):
            raise UnsupportedShape("a SPARQL constraint inside a nested shape")
        tests: list[str] = []
        for predicate in _VALUE_COMPONENTS:
            for value in _objects(self.shapes, shape, predicate):
                if _objects(self.shapes, shape, SH.path):
                    v = self.fresh()
                    p = _term(self.path_of(shape))
                    condition = self.value_ok(predicate, value, v)
                    tests.append(f"NOT EXISTS {{ {var} {p} {v} FILTER (!({condition})) }}")
                else:
                    tests.append(self.value_ok(predicate, value, var))
        for value in _objects(self.shapes, shape, SH.hasValue):
            if _objects(self.shapes, shape, SH.path):
                tests.append(f"EXISTS {{ {var} {_term(self.path_of(shape))} {_term(value)} }}")
            else:
                tests.append(f"sameTerm({var}, {_term(value)})")
        if _objects(self.shapes, shape, SH.path):
            p = _term(self.path_of(shape))
            for bound in _objects(self.shapes, shape, SH.minCount):
                n = int(bound.toPython())  # type: ignore[attr-defined]
                if n > 1:
                    raise UnsupportedShape("sh:minCount above 1 inside a nested shape")
                if n == 1:
                    tests.append(f"EXISTS {{ {var} {p} {self.fresh()} }}")
            for bound in _objects(self.shapes, shape, SH.maxCount):
                n = int(bound.toPython())  # type: ignore[attr-defined]
                a, b = self.fresh(), self.fresh()
                if n == 0:
                    tests.append(f"NOT EXISTS {{ {var} {p} {a} }}")
                elif n == 1:
                    two = f"{var} {p} {a} . {var} {p} {b} FILTER (!sameTerm({a}, {b}))"
                    tests.append(f"NOT EXISTS {{ {two} }}")
                else:
                    raise UnsupportedShape("sh:maxCount above 1 inside a nested shape")
            if _objects(self.shapes, shape, SH.qualifiedValueShape):
                raise UnsupportedShape("a qualified value shape inside a nested shape")
        for property_shape in _objects(self.shapes, shape, SH.property):
            tests.append(self.conforms(property_shape, var))
        return "(" + " && ".join(tests) + ")" if tests else "true"


def _with_focus(select: str, target: str) -> str:
    """The constraint's SELECT as a subquery that starts from the focus nodes: the target goes
    first inside its outermost WHERE, so that the engine joins from the focus nodes as pySHACL's
    pre-binding does, instead of evaluating the constraint over the whole graph first."""
    where = re.search(r"\bWHERE\s*\{", select, flags=re.IGNORECASE)
    if where is None:
        return f"{target} {_subquery(select)}"
    return _subquery(f"{select[: where.end()]} {target} {select[where.end() :]}")


def _subquery(select: str) -> str:
    """A SELECT from a shape as a subquery; SPARQL treats $this and ?this as one variable."""
    return "{ " + select.strip() + " }"
