"""The project's own shapes on the default engine against a reference run that shares nothing
with it: pySHACL on the same files as rdflib parses them, with the shape files as rdflib parses
them (issue 17, point 5).

The parity tests of test_shape_queries.py run both engines through ``validate``: the same store,
the same result handling. Here the reference reads the files itself, and the two reports are
compared as multisets of (focus node, path, value, component, severity, source shape), blank
nodes by their own triples (tests/shacl_reports.py). The data is every invalid test case at
once, on top of the shipped graph, so that each shape has errors to find.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pytest
from rdflib import Graph

from initiative_kg.assets import layout
from initiative_kg.store import KnowledgeGraph
from initiative_kg.validation import Severity, load_shapes, validate
from tests.conftest import TEST_DATA
from tests.shacl_reports import Report, ResultKey, differences, key_of_result, pyshacl_report

INVALID = sorted((TEST_DATA / "invalid").glob("*.ttl"))

# one worker computes the reports once (the project runs pytest with --dist loadgroup)
pytestmark = [pytest.mark.xdist_group("validation-reference"), pytest.mark.long]

# The shapes that find something in the invalid cases taken together (some cases stop being
# invalid beside the others, which supply what they lack).
SHAPES_WITH_RESULTS = {
    "ChangeEventShape",
    "CodingShape",
    "ContactPersonShape",
    "DataGraphShape",
    "DeclaredTermShape",
    "DescribedLinkShape",
    "DocumentationPlanShape",
    "DraftInitiativeShape",
    "EvidenceClaimShape",
    "FundingAgreementShape",
    "GrantShape",
    "InitiativeShape",
    "InstantShape",
    "MonetaryAmountShape",
    "MunicipalityCodeShape",
    "MunicipalityShape",
    "OrganisationShape",
    "ParticipationShape",
    "PeriodShape",
    "RegionCodeShape",
    "SourcePageShape",
    "SubAllocationShape",
    "SubAllocationTotalShape",
    "UniqueDanishLabelShape",
    "UnnamedParticipantGroupShape",
}


@dataclass(frozen=True)
class Reports:
    fast: Report  # the default engine, through validate()
    reference: Report  # pySHACL on rdflib's own parse of the same files and shapes
    fired: frozenset[str]  # the project's shapes with results


# session-wide: pytest would rebuild a module fixture whenever tests of another module ran
# between this module's two tests on the same worker
@pytest.fixture(scope="session")
def reports() -> Reports:
    assert len(INVALID) >= 38
    kg = KnowledgeGraph.load(INVALID)
    report = validate(kg, engine="oxigraph", fail_on=Severity.INFO)
    project_shapes = load_shapes()
    union = kg.union()
    fast: Counter[ResultKey] = Counter()
    for result in report.results:
        if result.shape.startswith("check:"):
            continue  # a quality check (queries/checks), not SHACL: pySHACL has no part in it
        fast[key_of_result(union, project_shapes, result)] += 1

    data = Graph()
    for source in kg.files:  # the files the project loaded, each parsed again by rdflib
        data.parse(source.path)
    shapes = Graph()
    for path in layout().shape_files():
        shapes.parse(path, format="turtle")
    reference = Report(pyshacl_report(data, shapes).results)
    fired = frozenset(result.shape.removeprefix("ikgsh:") for result in report.results)
    return Reports(Report(fast), reference, fired)


def test_the_default_engine_gives_pyshacls_results_on_every_invalid_case(
    reports: Reports,
) -> None:
    """The multiset of results, as SHACL defines a report."""
    assert differences(reports.reference, reports.fast) == []


def test_the_default_engine_finds_what_pyshacl_finds_on_every_invalid_case(
    reports: Reports,
) -> None:
    """The verdict and each distinct result (the test above holds the counts too)."""
    assert reports.fast.conforms == reports.reference.conforms
    assert set(reports.fast.results) == set(reports.reference.results)
    assert reports.fired >= SHAPES_WITH_RESULTS
