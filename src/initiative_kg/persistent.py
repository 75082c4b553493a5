"""A persistent store: the loaded graph kept on disk, keyed by the content of what was loaded.

``KnowledgeGraph.load(..., store=DIR)`` (``ikg --store DIR``, or ``IKG_STORE=DIR``) looks in DIR
for an Oxigraph store made from exactly the same files: same paths, same bytes, loaded the same
way by the same version of the project. If there is one, it is opened read-only and nothing is
parsed; if not, the files are loaded as always and the result is written to DIR for next time.

An entry is a folder ``DIR/<key>/`` holding the Oxigraph store (``store/``) and ``entry.json``
(what was loaded, into which graphs, the quad count, and whether a statement is made in two
graphs: answered once when the entry is built, since on disk that scan of every statement takes
longer than most queries). It is written into a temporary folder
and renamed into place only when complete, so a reader never sees a half-written entry, and two
commands that build the same entry at once both succeed (the second rename finds the first). An
entry that cannot be opened, or whose description does not match its store, is removed and
rebuilt, never trusted.

Not kept on disk, on purpose: a load whose store holds literals rewritten from the form the files
wrote (those go to the exact engines, from the files), and a load without personal data (the
store would have to be changed after loading).
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from initiative_kg.errors import LoadError

if TYPE_CHECKING:
    import pyoxigraph

logger = logging.getLogger(__name__)

# Bumped when the layout of an entry changes.
ENTRY_FORMAT = 2
_ENTRY_FILE = "entry.json"
_STORE_FOLDER = "store"


@dataclass(frozen=True)
class Entry:
    """A stored load: the store and what went into it."""

    store: pyoxigraph.Store
    files: list[dict[str, Any]]  # path, graphs, part, in loading order
    folder: Path
    statement_in_two_graphs: bool  # see KnowledgeGraph.duplicated_statement


def key_of(plan: Sequence[tuple[Path, str]], options: dict[str, Any], loader: Path) -> str:
    """The key of a load: the project's version and loading code (``loader``, the module that
    loads, and this one), the options that change what is loaded, and each planned file's part,
    resolved path and content."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        installed = version("initiative-kg")
    except PackageNotFoundError:  # a checkout that was never installed: the code decides
        installed = "0+unknown"
    digest = hashlib.sha256()
    code = loader.read_bytes() + Path(__file__).read_bytes()
    header = {
        "format": ENTRY_FORMAT,
        "version": installed,
        "code": hashlib.sha256(code).hexdigest(),
        "options": options,
    }
    digest.update(json.dumps(header, sort_keys=True).encode())
    for path, part in plan:
        digest.update(f"\0{part}\0{path.resolve()}\0".encode())
        try:
            with path.open("rb") as stream:
                for block in iter(lambda: stream.read(1 << 20), b""):
                    digest.update(block)
        except OSError as error:
            raise LoadError(f"{path}: cannot be read: {error.strerror or error}") from error
    return digest.hexdigest()[:32]


def open_entry(root: Path, key: str) -> Entry | None:
    """The entry for ``key``, opened read-only; None if there is none or it is unusable (an
    unusable one is removed, so that the caller rebuilds it)."""
    import pyoxigraph

    folder = root / key
    if not folder.is_dir():
        return None
    try:
        described = json.loads((folder / _ENTRY_FILE).read_text(encoding="utf-8"))
        if described.get("format") != ENTRY_FORMAT or described.get("key") != key:
            raise ValueError("it describes another entry")
        store = pyoxigraph.Store.read_only(str(folder / _STORE_FOLDER))
        files = described["files"]
        in_two_graphs = described["statement_in_two_graphs"]
        if not isinstance(in_two_graphs, bool):
            raise ValueError("it does not say whether a statement is in two graphs")
        if not isinstance(files, list) or any(not Path(f["path"]).is_file() for f in files):
            raise ValueError("a file it was loaded from is gone")
        named = sorted(g.value for g in store.named_graphs())
        if named != sorted(described["graphs"]):
            raise ValueError("its store does not hold the graphs it describes")
    except (OSError, ValueError, KeyError, TypeError) as error:
        logger.warning("the stored graph %s is unusable (%s); it is built again", folder, error)
        shutil.rmtree(folder, ignore_errors=True)
        return None
    logger.info("opened the stored graph %s", folder)
    return Entry(store, files, folder, in_two_graphs)


def save_entry(
    root: Path,
    key: str,
    source: pyoxigraph.Store,
    files: list[dict[str, Any]],
    *,
    statement_in_two_graphs: bool,
) -> Path:
    """Write a loaded store as the entry for ``key`` (whole or not at all) and return its
    folder."""
    import pyoxigraph

    final = root / key
    try:
        root.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=root))
    except OSError as error:
        raise LoadError(f"{root}: the store folder cannot be written: {error}") from error
    try:
        disk = pyoxigraph.Store(str(building / _STORE_FOLDER))
        disk.bulk_extend(source.quads_for_pattern(None, None, None, None))
        disk.flush()
        graphs = sorted(g.value for g in disk.named_graphs())
        del disk  # closes the database before it is moved
        described = {
            "format": ENTRY_FORMAT,
            "key": key,
            "files": files,
            "graphs": graphs,
            "quads": len(source),
            "statement_in_two_graphs": statement_in_two_graphs,
        }
        (building / _ENTRY_FILE).write_text(json.dumps(described, indent=1), encoding="utf-8")
        try:
            building.rename(final)
        except OSError:
            if not (final / _ENTRY_FILE).is_file():  # not another command that built it first
                raise
            shutil.rmtree(building, ignore_errors=True)
    except OSError as error:
        shutil.rmtree(building, ignore_errors=True)
        raise LoadError(f"{root}: the store folder cannot be written: {error}") from error
    logger.info("kept the loaded graph in %s", final)
    return final
