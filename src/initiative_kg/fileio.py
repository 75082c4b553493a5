"""Writing output files so that a failure never leaves half a file behind."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from initiative_kg.errors import InitiativeKGError


def check_output(path: Path, *, overwrite: bool, folder: bool = False) -> None:
    """The one overwrite rule of every command that writes, applied before any work is done:
    a path that does not exist yet is written; an existing file (or, for a folder output, an
    existing folder) is replaced only when ``overwrite`` is given; a folder where a file is to
    go, or a file where a folder is to go, is always refused. Anything else that exists (a
    device such as /dev/null, a pipe) is written to as it is."""
    path = Path(path)
    kind = "folder" if folder else "file"
    if path.is_dir() and not folder:
        raise InitiativeKGError(f"{path} is a folder; -o needs a file name")
    if path.exists() and folder and not path.is_dir():
        raise InitiativeKGError(f"{path} is not a folder; -o needs a folder to write into")
    if (path.is_file() or (folder and path.is_dir())) and not overwrite:
        raise InitiativeKGError(
            f"{path} exists; choose a new {kind} name or pass --overwrite to replace it"
        )


def write_atomically(path: Path, content: str | bytes) -> None:
    """Write to a temporary file beside ``path``, then rename it over ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@contextmanager
def folder_written_atomically(folder: Path, *, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary folder beside ``folder`` to fill; when the block succeeds it replaces
    ``folder`` by renames, when it fails it is removed and ``folder`` is left as it was."""
    folder = Path(folder)
    if folder.exists() and not overwrite:
        raise InitiativeKGError(f"{folder} exists; choose a new folder or pass --overwrite")
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        yield staging
        staging.chmod(0o755)  # mkdtemp makes it private; what is built here is for sharing
        if folder.exists():
            retired = folder.with_name(f".{folder.name}.old")
            shutil.rmtree(retired, ignore_errors=True)
            folder.rename(retired)
            staging.rename(folder)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
