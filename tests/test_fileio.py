"""Every -o write: atomic for files, through links to their target, straight into devices and
pipes, a clear error for folders and places that cannot be written, modes as a shell gives them."""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from initiative_kg.fileio import OutputError, folder_written_atomically, write_atomically
from tests.privileges import permissions_apply, run_ikg_unprivileged, run_python_unprivileged


@pytest.fixture
def umask() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002, 0o027])
def test_a_new_file_gets_the_mode_the_umask_allows(tmp_path: Path, mask: int) -> None:
    """Guards against a fixed mode (mkstemp's 0600) whatever the umask."""
    previous = os.umask(mask)
    try:
        write_atomically(tmp_path / "report.txt", "hello\n")
    finally:
        os.umask(previous)
    assert mode(tmp_path / "report.txt") == 0o666 & ~mask
    assert (tmp_path / "report.txt").read_text() == "hello\n"


@pytest.mark.parametrize("kept", [0o640, 0o600, 0o664, 0o444])
def test_an_existing_file_keeps_its_mode(tmp_path: Path, umask: None, kept: int) -> None:
    path = tmp_path / "report.txt"
    path.write_text("old\n")
    path.chmod(kept)
    write_atomically(path, "new\n")
    assert path.read_text() == "new\n"
    assert mode(path) == kept


def test_a_link_is_written_through_to_its_target(tmp_path: Path, umask: None) -> None:
    """Guards against replacing the link with a file while the target keeps the old text."""
    target = tmp_path / "real" / "report.txt"
    target.parent.mkdir()
    target.write_text("old\n")
    target.chmod(0o640)
    link = tmp_path / "report-link.txt"
    link.symlink_to(target)
    write_atomically(link, "new\n")
    assert link.is_symlink() and link.readlink() == target
    assert target.read_text() == "new\n"
    assert mode(target) == 0o640
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.txt"]  # no temporary left


def test_a_relative_link_and_a_chain_of_links(tmp_path: Path, umask: None) -> None:
    target = tmp_path / "target.txt"
    target.write_text("old\n")
    (tmp_path / "first").symlink_to("target.txt")
    (tmp_path / "second").symlink_to(tmp_path / "first")
    write_atomically(tmp_path / "second", "new\n")
    assert (tmp_path / "first").is_symlink() and (tmp_path / "second").is_symlink()
    assert target.read_text() == "new\n"


def test_a_link_to_a_file_that_does_not_exist_yet_creates_it(tmp_path: Path, umask: None) -> None:
    link = tmp_path / "link.txt"
    link.symlink_to(tmp_path / "later.txt")
    write_atomically(link, "made\n")
    assert link.is_symlink()
    assert (tmp_path / "later.txt").read_text() == "made\n"


def test_dev_null_stays_a_device() -> None:
    """Guards against replacing /dev/null with a regular file (as root that breaks the system)."""
    before = Path("/dev/null").stat()
    write_atomically(Path("/dev/null"), "discarded\n")
    after = Path("/dev/null").stat()
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


def test_a_named_pipe_is_written_to_not_replaced(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()))
    reader.start()
    write_atomically(pipe, "through the pipe\n")
    reader.join(timeout=10)
    assert received == [b"through the pipe\n"]
    assert stat.S_ISFIFO(pipe.stat().st_mode)


def test_dev_stdout_writes_to_the_stream(capfd: pytest.CaptureFixture[str]) -> None:
    write_atomically(Path("/dev/stdout"), "to standard output\n")
    assert capfd.readouterr().out == "to standard output\n"


def test_dev_stdout_appends_when_it_is_a_file(tmp_path: Path) -> None:
    """``ikg ... -o /dev/stdout >> log`` keeps what the log held."""
    log = tmp_path / "log.txt"
    log.write_text("earlier\n")
    code = (
        "from pathlib import Path\n"
        "from initiative_kg.fileio import write_atomically\n"
        "write_atomically(Path('/dev/stdout'), 'later\\n')\n"
    )
    import subprocess
    import sys

    with log.open("a") as stream:
        subprocess.run([sys.executable, "-c", code], stdout=stream, check=True)
    assert log.read_text() == "earlier\nlater\n"
    assert not log.is_symlink() and stat.S_ISREG(log.stat().st_mode)


def test_a_folder_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(OutputError, match="is a folder"):
        write_atomically(folder, "text")
    link = tmp_path / "link-to-folder"
    link.symlink_to(folder)
    with pytest.raises(OutputError, match="is a folder"):
        write_atomically(link, "text")
    assert list(folder.iterdir()) == []


def test_a_file_in_the_way_of_a_folder_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("I am a file")
    with pytest.raises(OutputError, match="cannot write"):
        write_atomically(tmp_path / "plain" / "report.txt", "text")


def test_the_unprivileged_child_really_cannot_read_a_mode_000_file() -> None:
    """The permission tests below mean something only if permissions apply to the child."""
    assert run_python_unprivileged(permissions_apply()).stdout.strip() == "refused"


def test_a_folder_without_write_permission_is_exit_2_with_the_reason(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    tmp_path.chmod(0o755)
    try:
        done = run_ikg_unprivileged(
            ["query", "funding-by-year", "-f", "csv", "-o", str(locked / "out.csv")]
        )
    finally:
        locked.chmod(0o755)
    assert done.returncode == 2, done.stderr
    assert f"{locked / 'out.csv'}: cannot write: no permission to write in {locked}" in done.stderr
    assert "Traceback" not in done.stderr
    assert list(locked.iterdir()) == []


def test_a_read_only_existing_file_in_a_writable_folder_is_replaced_keeping_its_mode(
    tmp_path: Path, umask: None
) -> None:
    # As with `mv`, the folder's permission decides; the file keeps its read-only mode.
    path = tmp_path / "readonly.txt"
    path.write_text("old\n")
    path.chmod(0o444)
    write_atomically(path, "new\n")
    assert path.read_text() == "new\n" and mode(path) == 0o444


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A disk that fills up half-way: the old file stays whole, the error says why (exit 2)."""
    import errno

    path = tmp_path / "report.txt"
    path.write_text("old\n")

    def full_disk(descriptor: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OutputError, match="the disk is full"):
        write_atomically(path, "new\n" * 1000)
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.txt"]


def test_a_release_folder_is_a_clear_error_when_a_file_is_in_the_way(tmp_path: Path) -> None:
    (tmp_path / "release").write_text("a file")
    with (
        pytest.raises(OutputError, match="is a file, not a folder"),
        folder_written_atomically(tmp_path / "release", overwrite=True),
    ):
        pass


def test_a_new_release_folder_gets_the_mode_the_umask_allows(tmp_path: Path) -> None:
    previous = os.umask(0o027)
    try:
        with folder_written_atomically(tmp_path / "release") as staging:
            (staging / "a.txt").write_text("a")
    finally:
        os.umask(previous)
    assert mode(tmp_path / "release") == 0o750
    assert (tmp_path / "release" / "a.txt").read_text() == "a"


def test_a_link_to_a_release_folder_is_followed(tmp_path: Path) -> None:
    real = tmp_path / "real-release"
    real.mkdir()
    (real / "old.txt").write_text("old")
    link = tmp_path / "release"
    link.symlink_to(real)
    with folder_written_atomically(link, overwrite=True) as staging:
        (staging / "new.txt").write_text("new")
    assert link.is_symlink()
    assert sorted(p.name for p in real.iterdir()) == ["new.txt"]
