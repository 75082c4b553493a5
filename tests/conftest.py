from __future__ import annotations

import os
from pathlib import Path

import pytest

from initiative_kg.store import KnowledgeGraph
from initiative_kg.validation import ValidationReport, validate

REPO = Path(__file__).resolve().parents[1]
TEST_DATA = REPO / "tests" / "data"
SHARED = Path(os.environ.get("IKG_SHARED", REPO.parent / "shared"))


@pytest.fixture(scope="session")
def shipped() -> KnowledgeGraph:
    """The shipped graph, loaded once for the whole session. Tests must not modify it."""
    return KnowledgeGraph.load()


@pytest.fixture(scope="session")
def shipped_report(shipped: KnowledgeGraph) -> ValidationReport:
    return validate(shipped, relative_to=REPO)
