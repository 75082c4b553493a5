"""Writing output files (every ``-o``) as a user expects, and so that a failure never leaves half
a file behind.

One helper decides how a path is written:

- a regular file (or a new one) is written to a temporary file beside it, then renamed over it,
  so a reader sees the old content or the new, never half of it;
- a symbolic link is followed: its target is replaced that way, and the link stays a link;
- anything else that exists (``/dev/null``, ``/dev/stdout``, a named pipe, a terminal) is written
  to directly: replacing a device with a regular file would break it;
- a folder, or a place that cannot be written, is a clear error (exit 2), never a traceback.

A new file gets the mode the umask allows (as ``>`` in a shell gives it); an existing file keeps
its mode (and, where the process may, its owner).
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from initiative_kg.errors import InitiativeKGError

# Paths that name a stream the process already holds (``-o /dev/stdout``): written to in place,
# appending, so that ``ikg ... -o /dev/stdout >> log`` keeps what the log held.
_STREAMS = ("/dev/stdout", "/dev/stderr")
_STREAM_FOLDERS = ("/dev/fd/", "/proc/self/fd/")


class OutputError(InitiativeKGError):
    """An output path that cannot be written: a folder, a missing permission, a full disk."""


def check_output(path: Path, *, overwrite: bool, folder: bool = False) -> None:
    """The one overwrite rule of every command that writes, applied before any work is done:
    a path that does not exist yet is written; an existing file (or, for a folder output, an
    existing folder) is replaced only when ``overwrite`` is given; a folder where a file is to
    go, or a file where a folder is to go, is always refused. Anything else that exists (a
    device such as /dev/null, a pipe) is written to as it is."""
    path = Path(path)
    kind = "folder" if folder else "file"
    if not folder and _is_stream(path):
        return  # /dev/stdout and the like are written to, never replaced
    if path.is_dir() and not folder:
        raise InitiativeKGError(f"{path} is a folder; -o needs a file name")
    if path.exists() and folder and not path.is_dir():
        raise InitiativeKGError(f"{path} is not a folder; -o needs a folder to write into")
    if (path.is_file() or (folder and path.is_dir())) and not overwrite:
        raise InitiativeKGError(
            f"{path} exists; choose a new {kind} name or pass --overwrite to replace it"
        )


def write_atomically(path: Path, content: str | bytes) -> None:
    """Write ``content`` to ``path`` by the rules of this module's docstring."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    path = Path(path)
    if _is_stream(path):
        _write_in_place(path, data, append=True)
        return
    try:
        status = path.stat()  # follows links: what a write would reach
    except FileNotFoundError:
        status = None
    except OSError as error:
        raise _output_error(path, error) from error
    if status is not None and stat.S_ISDIR(status.st_mode):
        raise OutputError(f"{path}: is a folder; give the name of a file to write")
    if status is not None and not stat.S_ISREG(status.st_mode):
        _write_in_place(path, data, append=False)
        return
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    _replace_file(path, target, data, status)


def _is_stream(path: Path) -> bool:
    text = str(path.absolute())  # not resolved: /dev/stdout is itself a link
    return text in _STREAMS or text.startswith(_STREAM_FOLDERS)


def _write_in_place(path: Path, data: bytes, *, append: bool) -> None:
    """Write to something that is not a regular file without replacing it: no create, no
    truncate (a device or pipe has nothing to truncate; a stream may be a log appended to)."""
    flags = os.O_WRONLY | (os.O_APPEND if append else 0)
    try:
        descriptor = os.open(path, flags)
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
    except OSError as error:
        raise _output_error(path, error) from error


def _replace_file(shown: Path, target: Path, data: bytes, existing: os.stat_result | None) -> None:
    """Write a temporary file beside ``target`` and rename it over ``target``."""
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _output_error(shown, error, folder=folder) from error
    if not folder.is_dir():
        raise OutputError(f"{shown}: {folder} is not a folder")
    # Created with 0o666 so that the kernel applies the umask, as for any new file; mkstemp
    # would make it 0o600 whatever the umask.
    temporary, descriptor = _create_beside(shown, target)
    try:
        if existing is not None:
            os.fchmod(descriptor, stat.S_IMODE(existing.st_mode))
            _keep_owner(descriptor, existing)
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        temporary.replace(target)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise _output_error(shown, error, folder=folder) from error
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _create_beside(shown: Path, target: Path) -> tuple[Path, int]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    while True:
        temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            return temporary, os.open(temporary, flags, 0o666)
        except FileExistsError:
            continue
        except OSError as error:
            raise _output_error(shown, error, folder=target.parent) from error


def _keep_owner(descriptor: int, existing: os.stat_result) -> None:
    """Give the new file the old one's owner where the process may (as root it may)."""
    if (existing.st_uid, existing.st_gid) == (os.geteuid(), os.getegid()):
        return
    # An ordinary user cannot give a file away; the file is then the user's.
    with contextlib.suppress(PermissionError):
        os.fchown(descriptor, existing.st_uid, existing.st_gid)


def _output_error(path: Path, error: OSError, *, folder: Path | None = None) -> OutputError:
    where = f"in {folder}" if folder is not None else ""
    if error.errno in {errno.EACCES, errno.EPERM, errno.EROFS}:
        reason = f"no permission to write {where}".rstrip()
    elif error.errno == errno.EISDIR:
        reason = "is a folder; give the name of a file to write"
    elif error.errno == errno.ENOSPC:
        reason = "the disk is full"
    elif error.errno == errno.ENOTDIR:
        reason = "a part of the path is a file, not a folder"
    else:
        reason = error.strerror or str(error)
    return OutputError(f"{path}: cannot write: {reason}")


@contextmanager
def folder_written_atomically(folder: Path, *, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary folder beside ``folder`` to fill; when the block succeeds it replaces
    ``folder`` by renames, when it fails it is removed and ``folder`` is left as it was. A link
    to a folder is followed (its target is replaced, the link stays)."""
    shown = Path(folder)
    folder = Path(os.path.realpath(shown)) if shown.is_symlink() else shown
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{shown}: is a file, not a folder; give a folder to write into")
    if folder.exists() and not overwrite:
        raise OutputError(f"{shown} exists; choose a new folder or pass --overwrite")
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = folder.with_name(f".{folder.name}.{secrets.token_hex(4)}.tmp")
        staging.mkdir(0o777)  # the umask applies, as to any new folder
    except OSError as error:
        raise _output_error(shown, error, folder=folder.parent) from error
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    try:
        if folder.exists():
            retired = folder.with_name(f".{folder.name}.old")
            shutil.rmtree(retired, ignore_errors=True)
            folder.rename(retired)
            staging.rename(folder)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            staging.rename(folder)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise _output_error(shown, error, folder=folder.parent) from error
