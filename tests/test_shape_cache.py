"""The cache of compiled shapes (shape_cache): an entry is used only when it is sound and made
from exactly these shape files by this code; anything else is compiled again."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from rdflib import BNode, Graph

from initiative_kg.shape_cache import CACHE_DIR_VARIABLE, cache_dir, shapes_and_compiled
from initiative_kg.shape_queries import CompiledShapes, compile_shapes
from initiative_kg.validation import load_shapes_from, validate

SHAPES = """\
@prefix ex: <http://example.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

ex:ThingShape a sh:NodeShape ;
    sh:targetClass ex:Thing ;
    sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:datatype xsd:string ] ;
    sh:sparql [ sh:select "SELECT $this WHERE { $this <http://example.org/bad> true }" ] .
"""
DATA = """\
@prefix ex: <http://example.org/> .
ex:a a ex:Thing ; ex:name "A" .
ex:b a ex:Thing .
"""


class Compiler:
    """compile_shapes, counting its calls: a call is a cache miss."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, shapes: Graph) -> CompiledShapes:
        self.calls += 1
        return compile_shapes(shapes)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_DIR_VARIABLE, str(folder))
    return folder


@pytest.fixture
def shape_file(tmp_path: Path) -> Path:
    path = tmp_path / "thing.shapes.ttl"
    path.write_text(SHAPES, encoding="utf-8")
    return path


def compiled(files: Sequence[Path], compiler: Compiler) -> tuple[Graph, CompiledShapes]:
    return shapes_and_compiled(files, load_shapes_from, compiler)


def summary(shapes: CompiledShapes) -> list[tuple[object, ...]]:
    """What a compilation says, apart from the blank nodes of a parse (which every parse names
    anew)."""
    return [(c.component, c.severity, c.messages, c.query) for c in shapes.constraints]


def only_entry(cache: Path) -> Path:
    entries = list(cache.glob("shapes-*.pickle"))
    assert len(entries) == 1, entries
    return entries[0]


def test_the_cache_folder_follows_the_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_DIR_VARIABLE, str(tmp_path / "mine"))
    assert cache_dir() == tmp_path / "mine"
    monkeypatch.delenv(CACHE_DIR_VARIABLE)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "initiative-kg"


def test_a_second_run_reads_the_compilation_and_its_own_blank_nodes(
    cache: Path, shape_file: Path
) -> None:
    compiler = Compiler()
    first_shapes, first = compiled([shape_file], compiler)
    assert compiler.calls == 1
    only_entry(cache)
    shapes, again = compiled([shape_file], compiler)
    assert compiler.calls == 1  # read, not compiled
    assert again == first
    assert len(shapes) == len(first_shapes)
    # the property shape is a blank node: the compilation's is the one in the shapes graph read
    # beside it, so a result can be traced to its node shape
    blank = [c.source_shape for c in again.constraints if isinstance(c.source_shape, BNode)]
    assert len(blank) == 2
    assert all((None, None, node) in shapes for node in blank)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: data[:-10] + bytes(10), id="bytes-changed"),
        pytest.param(lambda data: b"not a cache entry", id="garbage"),
        pytest.param(lambda data: b"", id="empty"),
    ],
)
def test_a_corrupt_entry_is_compiled_again_and_replaced(
    cache: Path, shape_file: Path, damage: object
) -> None:
    compiler = Compiler()
    _, first = compiled([shape_file], compiler)
    entry = only_entry(cache)
    assert callable(damage)
    entry.write_bytes(damage(entry.read_bytes()))
    _, again = compiled([shape_file], compiler)
    assert compiler.calls == 2
    assert summary(again) == summary(first)
    compiled([shape_file], compiler)
    assert compiler.calls == 2  # the rebuilt entry is sound


def test_an_entry_of_other_shapes_under_this_name_is_not_trusted(
    cache: Path, shape_file: Path, tmp_path: Path
) -> None:
    compiler = Compiler()
    _, mine = compiled([shape_file], compiler)
    entry = only_entry(cache)
    other_file = tmp_path / "other.shapes.ttl"
    other_file.write_text(SHAPES.replace("sh:minCount 1", "sh:minCount 2"), encoding="utf-8")
    compiled([other_file], compiler)
    other_entry = next(e for e in cache.glob("shapes-*.pickle") if e != entry)
    entry.write_bytes(other_entry.read_bytes())  # sound, but made for other files
    _, again = compiled([shape_file], compiler)
    assert compiler.calls == 3
    assert summary(again) == summary(mine)


def test_changed_shapes_are_compiled_again(cache: Path, shape_file: Path) -> None:
    compiler = Compiler()
    _, before = compiled([shape_file], compiler)
    shape_file.write_text(SHAPES.replace("sh:minCount 1", "sh:minCount 2"), encoding="utf-8")
    _, after = compiled([shape_file], compiler)
    assert compiler.calls == 2
    assert summary(after) != summary(before)
    assert len(list(cache.glob("shapes-*.pickle"))) == 2


def test_a_folder_that_cannot_be_written_costs_only_a_compilation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shape_file: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(CACHE_DIR_VARIABLE, str(blocker / "cache"))
    compiler = Compiler()
    _, first = compiled([shape_file], compiler)
    _, again = compiled([shape_file], compiler)
    assert compiler.calls == 2
    assert summary(again) == summary(first)


def test_validation_reports_the_same_from_a_cached_compilation(
    cache: Path, shape_file: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data.ttl"
    data.write_text(DATA, encoding="utf-8")
    reports = [validate(data=[data], shapes=[shape_file]) for _ in range(2)]
    only_entry(cache)
    assert [r.results for r in reports[1:]] == [reports[0].results]
    assert [(r.focus, r.component, r.shape) for r in reports[0].results] == [
        (
            "<http://example.org/b>",
            "sh:MinCountConstraintComponent",
            "<http://example.org/ThingShape>",
        )
    ]
