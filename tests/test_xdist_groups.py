"""The test suite relies on ``--dist loadgroup`` to run each xdist_group on one worker (one
Virtuoso, one browser, one Jena build, one pySHACL reference run per session). With pytest 9 and
pytest-xdist 3.8 the groups were silently ignored; this holds the installed versions to it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

GROUPED_MODULE = """
import pytest

pytestmark = pytest.mark.xdist_group("together")

def test_one(): pass
def test_two(): pass
def test_three(): pass
def test_four(): pass
def test_five(): pass
def test_six(): pass
"""


def test_a_group_runs_on_one_worker(tmp_path: Path) -> None:
    (tmp_path / "test_grouped.py").write_text(GROUPED_MODULE, encoding="utf-8")
    process = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-v",
         "-p", "no:cacheprovider", "--rootdir", str(tmp_path), str(tmp_path)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )  # fmt: skip
    assert process.returncode == 0, process.stdout + process.stderr
    ran = re.findall(r"\[(gw\d+)\] .*PASSED .*::(test_\w+)(@\w+)?", process.stdout)
    assert len(ran) == 6, process.stdout
    assert {group for _, _, group in ran} == {"@together"}
    assert len({worker for worker, _, _ in ran}) == 1
