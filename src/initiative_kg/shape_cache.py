"""The shapes graph and its compiled queries, kept on disk between runs.

Compiling the shapes checks every SPARQL part with rdflib's SPARQL parser, which takes most of a
cold ``ikg validate``. The result depends only on the shape files and on the code that parses and
compiles them, so it is kept in a user cache folder, in a file named after a hash of all of these:

- the content and the path of every shape file (a relative IRI resolves against the file's path);
- the package version, and the source of the compiler (so a changed checkout never reuses a
  compilation made by other code), with the versions of Python and rdflib (the pickle holds
  rdflib terms).

The shapes graph is kept beside its compilation, so that the blank nodes of the property shapes
are the same in both. An entry is trusted only when its checksum, its format and its key all
match: a corrupt, truncated or stale entry is reported in the debug log and rebuilt, never used.
The folder is ``$IKG_CACHE_DIR``, else ``$XDG_CACHE_HOME/initiative-kg``, else
``~/.cache/initiative-kg``; a folder that cannot be written only costs the time of a compilation.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import platform
from collections.abc import Callable, Sequence
from pathlib import Path

from rdflib import Graph
from rdflib import __version__ as rdflib_version

from initiative_kg import shape_queries
from initiative_kg.fileio import write_atomically
from initiative_kg.shape_queries import CompiledShapes

logger = logging.getLogger(__name__)

CACHE_DIR_VARIABLE = "IKG_CACHE_DIR"
_MAGIC = b"initiative-kg compiled shapes 1\n"
_DIGEST_SIZE = hashlib.sha256().digest_size

# The modules whose code decides what the compilation holds.
_COMPILER_MODULES = ("shape_queries.py", "datatypes.py")


def cache_dir() -> Path:
    """Where compiled shapes are kept (see the module's docstring)."""
    chosen = os.environ.get(CACHE_DIR_VARIABLE)
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "initiative-kg"


def cache_key(files: Sequence[Path]) -> str:
    """The hash that names the compilation of ``files``."""
    from initiative_kg import __version__

    digest = hashlib.sha256()

    def add(part: bytes) -> None:  # length-prefixed, so that no two inputs run together
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)

    for part in (__version__, platform.python_version(), rdflib_version):
        add(part.encode())
    package = Path(shape_queries.__file__).parent
    for module in _COMPILER_MODULES:
        add((package / module).read_bytes())
    for path in files:
        add(str(Path(path).resolve()).encode())
        add(Path(path).read_bytes())
    return digest.hexdigest()


def shapes_and_compiled(
    paths: Sequence[Path | str],
    parse: Callable[[Sequence[Path | str]], Graph],
    compile_shapes: Callable[[Graph], CompiledShapes],
) -> tuple[Graph, CompiledShapes]:
    """The shapes in ``paths`` and their compilation: from the cache when a sound entry for
    exactly these files and this code is there, else parsed and compiled (and then kept).
    ``paths`` may name folders: ``parse`` reads them, and says what is wrong with any of them."""
    from initiative_kg.store import rdf_files

    try:
        files = rdf_files(paths)
        key = cache_key(files)
    except Exception:  # an unreadable file or folder: the parser reports it, with its path
        shapes = parse(paths)
        return shapes, compile_shapes(shapes)
    entry = cache_dir() / f"shapes-{key}.pickle"
    found = _read(entry, key)
    if found is not None:
        return found
    shapes = parse(list(files))
    compiled = compile_shapes(shapes)
    _write(entry, key, shapes, compiled)
    return shapes, compiled


def _read(entry: Path, key: str) -> tuple[Graph, CompiledShapes] | None:
    try:
        content = entry.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        logger.debug("compiled shapes: cannot read %s (%s); compiling", entry, error)
        return None
    header = len(_MAGIC)
    checksum, payload = content[header : header + _DIGEST_SIZE], content[header + _DIGEST_SIZE :]
    if not content.startswith(_MAGIC) or hashlib.sha256(payload).digest() != checksum:
        logger.debug("compiled shapes: %s is corrupt; compiling again", entry)
        return None
    try:
        stored_key, shapes, compiled = pickle.loads(payload)  # our own file, its checksum checked
    except Exception as error:  # a pickle of another rdflib, a class that moved
        logger.debug("compiled shapes: %s cannot be read (%s); compiling again", entry, error)
        return None
    if (
        stored_key != key
        or not isinstance(shapes, Graph)
        or not isinstance(compiled, CompiledShapes)
    ):
        logger.debug("compiled shapes: %s is not the entry it is named for; compiling", entry)
        return None
    logger.debug("compiled shapes: read from %s", entry)
    return shapes, compiled


def _write(entry: Path, key: str, shapes: Graph, compiled: CompiledShapes) -> None:
    payload = pickle.dumps((key, shapes, compiled), protocol=pickle.HIGHEST_PROTOCOL)
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(entry, _MAGIC + hashlib.sha256(payload).digest() + payload)
    except Exception as error:  # a read-only home, a full disk: the next run compiles again
        logger.debug("compiled shapes: cannot keep them in %s (%s)", entry, error)
    else:
        logger.debug("compiled shapes: kept in %s", entry)


__all__ = ["CACHE_DIR_VARIABLE", "cache_dir", "cache_key", "shapes_and_compiled"]
