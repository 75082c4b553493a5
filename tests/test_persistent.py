"""The persistent store (``ikg --store DIR``, ``IKG_STORE``, ``KnowledgeGraph.load(store=...)``):
a stored graph answers exactly as a fresh load does, is used only for the very same files, and
is rebuilt, never trusted, when it is damaged."""

from __future__ import annotations

import json
import logging
import shutil
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from initiative_kg.cli import app
from initiative_kg.persistent import open_entry, save_entry
from initiative_kg.store import KnowledgeGraph
from initiative_kg.validation import validate

REPO = Path(__file__).resolve().parents[1]
INVALID = REPO / "tests" / "data" / "invalid"
runner = CliRunner()


def _entries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if not p.name.startswith("."))


def _shape(store: object) -> Counter[tuple[str, ...]]:
    """The quads with every blank node as one placeholder (labels differ from load to load)."""

    def term(node: object) -> str:
        return "_:" if type(node).__name__ == "BlankNode" else str(node)

    return Counter(
        (term(q.subject), term(q.predicate), term(q.object), term(q.graph_name))
        for q in store  # type: ignore[attr-defined]
    )


def _report_lines(kg: KnowledgeGraph) -> list[str]:
    report = validate(kg)
    return sorted(f"{r.file}:{r.line} {r.shape} {r.focus} {r.message}" for r in report.results)


def test_a_stored_graph_answers_as_a_fresh_load(tmp_path: Path) -> None:
    """The second load opens the stored graph (nothing parsed) and gives the same quads, the
    same query answers and the same validation report, with files and lines."""
    invalid = sorted(INVALID.glob("*.ttl"))[3:6]
    assert len(invalid) == 3
    fresh = KnowledgeGraph.load(invalid)
    first = KnowledgeGraph.load(invalid, store=tmp_path)
    assert len(_entries(tmp_path)) == 1
    second = KnowledgeGraph.load(invalid, store=tmp_path)
    assert second.store is not first.store and len(second.store) == len(fresh.store)
    assert _shape(second.store) == _shape(fresh.store)
    assert [(f.path, f.graphs, f.part) for f in second.files] == [
        (f.path, f.graphs, f.part) for f in fresh.files
    ]
    for query in ("initiatives", "grants", "sources"):
        assert second.query(query).rows == fresh.query(query).rows
    lines = _report_lines(fresh)
    assert lines and _report_lines(second) == lines
    # files and lines survive the store: each invalid file's own result points into it
    assert sum("invalid/" in line and ":None" not in line for line in lines) == 3


def test_changed_content_is_never_answered_from_an_old_entry(tmp_path: Path) -> None:
    """The key is the files' content: an edited file makes a new entry, and the edit is seen."""
    data = tmp_path / "data.ttl"
    data.write_text('<https://example.org/a> <https://example.org/p> "first" .\n', "utf-8")
    store = tmp_path / "store"
    before = KnowledgeGraph.load([data], background="bare", store=store)
    data.write_text('<https://example.org/a> <https://example.org/p> "second" .\n', "utf-8")
    after = KnowledgeGraph.load([data], background="bare", store=store)
    assert len(_entries(store)) == 2
    assert [str(q.object.value) for q in before.store] == ["first"]
    assert [str(q.object.value) for q in after.store] == ["second"]
    # the same bytes under another path are another load too (files and lines differ)
    copy = tmp_path / "copy.ttl"
    copy.write_bytes(data.read_bytes())
    moved = KnowledgeGraph.load([copy], background="bare", store=store)
    assert len(_entries(store)) == 3 and moved.files[0].path == copy


@pytest.mark.parametrize(
    "damage", ["entry-file", "store-folder", "other-key", "file-gone", "graphs-differ"]
)
def test_a_damaged_entry_is_rebuilt_not_trusted(
    tmp_path: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    data = tmp_path / "data.ttl"
    data.write_text('<https://example.org/a> <https://example.org/p> "one" .\n', "utf-8")
    store = tmp_path / "store"
    fresh = KnowledgeGraph.load([data])
    KnowledgeGraph.load([data], store=store)
    (entry,) = _entries(store)
    if damage == "entry-file":
        (entry / "entry.json").write_text("{ not json", encoding="utf-8")
    elif damage == "store-folder":
        shutil.rmtree(entry / "store")
        (entry / "store").write_text("not a database", encoding="utf-8")
    elif damage == "other-key":
        described = json.loads((entry / "entry.json").read_text(encoding="utf-8"))
        described["key"] = "0" * 32
        (entry / "entry.json").write_text(json.dumps(described), encoding="utf-8")
    elif damage == "graphs-differ":  # a store that is not the one described (a copy gone wrong)
        described = json.loads((entry / "entry.json").read_text(encoding="utf-8"))
        described["graphs"].append("https://example.org/a-graph-the-store-lacks")
        (entry / "entry.json").write_text(json.dumps(described), encoding="utf-8")
    else:  # the entry lists a file that is gone: it cannot say where a resource is defined
        described = json.loads((entry / "entry.json").read_text(encoding="utf-8"))
        described["files"][0]["path"] = str(tmp_path / "gone.ttl")
        (entry / "entry.json").write_text(json.dumps(described), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="initiative_kg.persistent"):
        again = KnowledgeGraph.load([data], store=store)
    assert "is unusable" in caplog.text
    assert _shape(again.store) == _shape(fresh.store)
    assert len(_entries(store)) == 1 and open_entry(store, entry.name) is not None


class _QueriesRefused:
    """A store stand-in that fails any query: to show what an opened entry answers without one."""

    def __init__(self, store: object) -> None:
        self._store = store

    def query(self, *_: object, **__: object) -> object:
        raise AssertionError("the store was queried")

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)


def test_an_opened_entry_knows_whether_a_statement_is_in_two_graphs(tmp_path: Path) -> None:
    """Scanning every statement for one in two graphs takes longer on disk than most queries; the
    entry keeps the answer from when it was built. Where there is such a statement, the opened
    graph still finds which (the default engines hand over, and say why)."""
    store = tmp_path / "store"
    clean = tmp_path / "clean.ttl"
    clean.write_text("<https://example.org/a> <https://example.org/p> 1 .\n", encoding="utf-8")
    KnowledgeGraph.load([clean], background="bare", store=store)
    opened = KnowledgeGraph.load([clean], background="bare", store=store)
    assert (
        json.loads((_entries(store)[0] / "entry.json").read_text())["statement_in_two_graphs"]
        is False
    )
    opened.store = _QueriesRefused(opened.store)  # type: ignore[assignment]
    assert opened.duplicated_statement() is None

    twice = [INVALID / "duplicate-statement-violation--label-in-two-graphs.ttl",
             REPO / "data" / "actors" / "organisations.ttl"]  # fmt: skip
    other = tmp_path / "other-store"
    built = KnowledgeGraph.load(twice, background="bare", store=other)
    reopened = KnowledgeGraph.load(twice, background="bare", store=other)
    assert (
        json.loads((_entries(other)[0] / "entry.json").read_text())["statement_in_two_graphs"]
        is True
    )
    found, again = built.duplicated_statement(), reopened.duplicated_statement()
    assert found is not None and again is not None
    assert (again.statement, {again.first, again.second}) == (
        found.statement, {found.first, found.second})  # fmt: skip


def test_literals_the_store_rewrites_are_not_kept(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Data written in a form Oxigraph rewrites is read from the files each time (the exact
    engines need it as written), so nothing is stored and the answers are those of a fresh
    load."""
    data = tmp_path / "bytes.ttl"
    data.write_text(
        '<https://example.org/a> <https://example.org/p> "127"^^<http://www.w3.org/2001/XMLSchema#byte> .\n',
        encoding="utf-8",
    )
    store = tmp_path / "store"
    with caplog.at_level(logging.WARNING):
        kg = KnowledgeGraph.load([data], background="bare", store=store)
    assert not kg.exact
    assert "not kept in" in caplog.text
    assert not store.exists() or _entries(store) == []


def test_a_graph_without_personal_data_is_not_kept(tmp_path: Path) -> None:
    kg = KnowledgeGraph.load(personal_data=False, store=tmp_path / "store")
    assert not (tmp_path / "store").exists()
    assert kg.triple_count() == KnowledgeGraph.load(personal_data=False).triple_count()


def test_two_commands_that_build_one_entry_at_once_both_succeed(tmp_path: Path) -> None:
    kg = KnowledgeGraph.load()
    files = [{"path": str(f.path), "graphs": [str(g) for g in f.graphs], "part": f.part}
             for f in kg.files]  # fmt: skip
    first = save_entry(tmp_path, "k" * 32, kg.store, files, statement_in_two_graphs=False)
    second = save_entry(tmp_path, "k" * 32, kg.store, files, statement_in_two_graphs=False)
    assert first == second and _entries(tmp_path) == [first]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no leftovers
    opened = open_entry(tmp_path, "k" * 32)
    assert opened is not None and len(opened.store) == len(kg.store)


def test_ikg_store_option_and_environment_variable(tmp_path: Path) -> None:
    plain = runner.invoke(app, ["query", "initiatives", "-f", "csv"])
    assert plain.exit_code == 0, plain.output
    by_option = runner.invoke(app, ["--store", str(tmp_path / "a"), "query", "initiatives", "-f", "csv"])  # fmt: skip
    assert by_option.exit_code == 0, by_option.output
    assert len(_entries(tmp_path / "a")) == 1
    again = runner.invoke(app, ["--store", str(tmp_path / "a"), "query", "initiatives", "-f", "csv"])  # fmt: skip
    by_env = runner.invoke(
        app, ["query", "initiatives", "-f", "csv"], env={"IKG_STORE": str(tmp_path / "b")}
    )
    assert len(_entries(tmp_path / "b")) == 1
    assert plain.stdout == by_option.stdout == again.stdout == by_env.stdout
    assert plain.stdout.count("\n") > 5


def test_a_store_folder_that_cannot_be_written_is_exit_2(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    done = runner.invoke(app, ["--store", str(blocker / "store"), "query", "initiatives"])
    assert done.exit_code == 2
    assert "store folder cannot be written" in done.output
