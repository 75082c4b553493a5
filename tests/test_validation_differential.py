"""The default validation engine against pySHACL on generated shapes and data.

Hypothesis draws small data graphs (a few IRIs, blank nodes, literals of several datatypes, some
ill-formed, some with language tags) and a shape that combines SHACL Core constraint components
with a target and a property path. The default engine (``validate(..., engine="oxigraph")`` on the
case as the project loads it) must give pySHACL's verdict and pySHACL's multiset of results
(compared as in tests/test_conformance.py) on every one.

pySHACL is the reference here, so the generator keeps to what pySHACL does as the SHACL
specification says (tests/conformance/README.md lists where it does not: literals that rdflib
rewrites on parsing, sh:minLength 0 on blank nodes, the inverse of a sequence path, ...). The run
is derandomised with a fixed number of examples, so CI sees the same graphs every time; a
counterexample is printed with its Turtle.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from tests.shacl_reports import Report, differences, parse, pyshacl_report
from tests.test_conformance import project_run

PREFIXES = """\
@prefix ex: <http://example.org/ns#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

IRIS = ["ex:n0", "ex:n1", "ex:n2", "ex:n3"]
BLANKS = ["_:b0", "_:b1"]
# Canonical lexical forms only (rdflib rewrites the others on parsing, so pySHACL would not see
# them as written); the ill-formed ones are those rdflib keeps as written. No booleans: pySHACL
# compares them with numbers as Python does (core/value-range/boolean-is-not-a-number).
LITERALS = [
    "1",
    "5",
    "-1",
    "2.5",
    '"abc"',
    '"b"',
    '"abc"@en',
    '"xyz"@da',
    '"abc"@en-GB',
    '"2020-01-01"^^xsd:date',
    '"2020-01-01T10:00:00"^^xsd:dateTime',
    '"c"^^xsd:byte',
    '"2020-13-01"^^xsd:date',
    '"x"^^xsd:integer',
    '"1.5"^^xsd:int',
]
CLASSES = ["ex:C", "ex:D"]
PREDICATES = ["ex:p", "ex:q"]

PATHS = [
    "ex:p",
    "ex:q",
    "[ sh:inversePath ex:p ]",
    "( ex:p ex:q )",
    "[ sh:alternativePath ( ex:p ex:q ) ]",
    "[ sh:zeroOrMorePath ex:p ]",
    "[ sh:oneOrMorePath ex:p ]",
    "[ sh:zeroOrOnePath ex:q ]",
    "( ex:p [ sh:inversePath ex:q ] )",
]

# Constraints that apply to each value node, on node shapes and property shapes alike.
VALUE_CONSTRAINTS = [
    *(f"sh:class {c}" for c in CLASSES),
    *(
        f"sh:datatype {d}"
        for d in ("xsd:integer", "xsd:string", "rdf:langString", "xsd:date", "xsd:decimal")
    ),
    *(
        f"sh:nodeKind sh:{k}"
        for k in ("IRI", "BlankNode", "Literal", "BlankNodeOrIRI", "BlankNodeOrLiteral")
    ),
    "sh:nodeKind sh:IRIOrLiteral",
    "sh:minInclusive 1",
    "sh:minExclusive 1",
    "sh:maxInclusive 2.5",
    "sh:maxExclusive 5",
    "sh:minLength 2",
    "sh:maxLength 3",
    'sh:pattern "^a"',
    'sh:pattern "B" ; sh:flags "i"',
    'sh:languageIn ( "en" )',
    'sh:in ( ex:n0 1 "abc" )',
    "sh:not [ sh:class ex:C ]",
    "sh:or ( [ sh:datatype xsd:integer ] [ sh:nodeKind sh:IRI ] )",
    "sh:and ( [ sh:nodeKind sh:Literal ] [ sh:maxLength 3 ] )",
    "sh:xone ( [ sh:class ex:C ] [ sh:class ex:D ] )",
    "sh:node ex:HasQ",
]
# Constraints on the set of values of a property shape.
PROPERTY_CONSTRAINTS = [
    "sh:minCount 1",
    "sh:minCount 2",
    "sh:maxCount 0",
    "sh:maxCount 1",
    "sh:uniqueLang true",
    "sh:hasValue ex:n0",
    "sh:hasValue 1",
    "sh:equals ex:q",
    "sh:disjoint ex:q",
    "sh:lessThan ex:q",
    "sh:lessThanOrEquals ex:q",
    "sh:qualifiedValueShape [ sh:class ex:C ] ; sh:qualifiedMinCount 1",
    "sh:qualifiedValueShape [ sh:nodeKind sh:Literal ] ; sh:qualifiedMaxCount 1",
]
# Constraints on the focus node itself that only node shapes have here.
NODE_CONSTRAINTS = [
    "sh:hasValue ex:n0",
    "sh:equals ex:p",
    "sh:disjoint ex:q",
    "sh:closed true ; sh:ignoredProperties ( rdf:type )",
]
TARGETS = [
    "sh:targetNode ex:n0 , ex:n1 , 1",
    "sh:targetClass ex:C",
    "sh:targetSubjectsOf ex:p",
    "sh:targetObjectsOf ex:p",
    "implicit",
]
SEVERITIES = ["", " ; sh:severity sh:Warning", " ; sh:severity sh:Info"]


@dataclass(frozen=True)
class Drawn:
    """One generated case: the data's triples and the shape's parts, as Turtle."""

    triples: tuple[str, ...]
    target: str
    node_constraints: tuple[str, ...]
    property_shapes: tuple[tuple[str, tuple[str, ...], str], ...]  # path, constraints, severity

    def turtle(self) -> str:
        shape = "ex:C" if self.target == "implicit" else "ex:Shape"
        lines = [PREFIXES]
        lines += [f"{triple} ." for triple in self.triples]
        lines.append("ex:HasQ a sh:NodeShape ; sh:property [ sh:path ex:q ; sh:minCount 1 ] .")
        kinds = "rdfs:Class , sh:NodeShape" if self.target == "implicit" else "sh:NodeShape"
        parts = [f"{shape} a {kinds}"]
        if self.target != "implicit":
            parts.append(self.target)
        parts += list(self.node_constraints)
        for n in range(len(self.property_shapes)):
            parts.append(f"sh:property ex:Property{n}")
        lines.append(" ;\n  ".join(parts) + " .")
        for n, (path, constraints, severity) in enumerate(self.property_shapes):
            body = " ;\n  ".join([f"sh:path {path}", *constraints])
            lines.append(f"ex:Property{n}\n  {body}{severity} .")
        return "\n".join(lines) + "\n"


def parameter(constraint: str) -> str:
    """The constraint's parameter: a shape may give each at most once (SHACL's syntax rules)."""
    return constraint.split()[0]


subjects = st.sampled_from(IRIS + BLANKS)
objects = st.sampled_from(IRIS + BLANKS + LITERALS)
triples = st.one_of(
    st.builds(lambda s, p, o: f"{s} {p} {o}", subjects, st.sampled_from(PREDICATES), objects),
    st.builds(lambda s, c: f"{s} a {c}", subjects, st.sampled_from(CLASSES)),
)
property_shapes = st.tuples(
    st.sampled_from(PATHS),
    st.lists(
        st.sampled_from(VALUE_CONSTRAINTS + PROPERTY_CONSTRAINTS),
        min_size=1,
        max_size=3,
        unique_by=parameter,
    ).map(tuple),
    st.sampled_from(SEVERITIES),
)
cases = st.builds(
    Drawn,
    triples=st.lists(triples, min_size=1, max_size=10, unique=True).map(tuple),
    target=st.sampled_from(TARGETS),
    node_constraints=st.lists(
        st.sampled_from(VALUE_CONSTRAINTS + NODE_CONSTRAINTS), max_size=2, unique_by=parameter
    ).map(tuple),
    property_shapes=st.lists(property_shapes, max_size=2).map(tuple),
).filter(lambda drawn: drawn.node_constraints or drawn.property_shapes)


def compare(drawn: Drawn) -> list[str]:
    """The differences between the default engine and pySHACL on one drawn case."""
    turtle = drawn.turtle()
    # pySHACL lets a date pass sh:maxInclusive and sh:maxExclusive with a numeric bound
    # (tests/conformance/core/value-range/date-against-a-number): no reference answer there.
    assume(not (re.search(r"xsd:date\b", turtle) and re.search(r"sh:max(In|Ex)clusive", turtle)))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "case.ttl"
        path.write_text(turtle, encoding="utf-8")
        graph = parse(path)
        try:
            # pySHACL writes messages of its own where a shape has none: only results compare.
            reference = Report(pyshacl_report(graph, graph).results)
        except Exception as error:
            # pySHACL cannot compare a blank node with sh:lessThan(OrEquals) and stops, where
            # SHACL reports the pair (tests/conformance/core/property-pair/less-than-blank-node
            # holds the engines to that); such a draw has no reference answer.
            assume("Cannot use sh:lessThan" not in str(error))
            raise
        fast = project_run(path, "oxigraph")
        return differences(reference, fast)


# Counterexamples found by longer runs of this test (since fixed), kept as explicit examples.
EQUALS_ON_A_NODE_SHAPE = Drawn(
    triples=("ex:n0 a ex:C",),
    target="sh:targetNode ex:n1",
    node_constraints=("sh:equals ex:p",),
    property_shapes=(),
)
A_WELL_FORMED_INT = Drawn(
    triples=('ex:n0 ex:p "12"^^xsd:int',),
    target="sh:targetObjectsOf ex:p",
    node_constraints=("sh:class ex:C",),
    property_shapes=(),
)


@settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@example(EQUALS_ON_A_NODE_SHAPE)
@example(A_WELL_FORMED_INT)
@given(cases)
def test_the_default_engine_gives_pyshacls_report_on_generated_shapes_and_data(
    drawn: Drawn,
) -> None:
    problems = compare(drawn)
    assert problems == [], "\n".join([*problems, "", drawn.turtle()])


def test_the_generator_covers_every_constraint_target_and_path() -> None:
    """The lists the strategies draw from name every Core constraint component this test
    claims to exercise, so a constraint dropped from them is noticed."""
    drawn_text = " ".join(VALUE_CONSTRAINTS + PROPERTY_CONSTRAINTS + NODE_CONSTRAINTS)
    components = [
        "sh:class",
        "sh:datatype",
        "sh:nodeKind",
        "sh:minCount",
        "sh:maxCount",
        "sh:minInclusive",
        "sh:minExclusive",
        "sh:maxInclusive",
        "sh:maxExclusive",
        "sh:minLength",
        "sh:maxLength",
        "sh:pattern",
        "sh:languageIn",
        "sh:uniqueLang",
        "sh:equals",
        "sh:disjoint",
        "sh:lessThan",
        "sh:lessThanOrEquals",
        "sh:not",
        "sh:and",
        "sh:or",
        "sh:xone",
        "sh:node",
        "sh:qualifiedMinCount",
        "sh:qualifiedMaxCount",
        "sh:closed",
        "sh:hasValue",
        "sh:in",
    ]
    assert [c for c in components if f"{c} " not in drawn_text] == []
    assert len(TARGETS) == 5 and len(PATHS) == 9
