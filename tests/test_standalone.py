"""The repository stands alone: nothing the code, scripts, benchmark or tests need lives
outside it, and no test can pass (or be skipped) on zero cases. `.ci/run` proves the first for
real by running the test command in a copy with nothing beside it; these tests catch a
regression before that."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

# The ways a file could reach the folder beside the checkout (a character class keeps each
# pattern from matching its own text here).
OUTSIDE = re.compile(
    r'\.\./shar[e]d|"shar[e]d"|IKG_SHAR[E]D|/work/shar[e]d|parents\[\d\]\.paren[t]'
)
CHECKED = ("src", "tests", "scripts", "bench", ".ci")
SKIPPED_PARTS = {".venv", "__pycache__", "_static", "out"}


def test_nothing_reads_a_folder_beside_the_repository() -> None:
    """No source, script, benchmark or test names the shared folder beside the checkout (or
    climbs out of the checkout): a user's clone has nothing beside it."""
    found, scanned = [], 0
    for folder in CHECKED:
        for path in sorted((REPO / folder).rglob("*")):
            if not path.is_file() or SKIPPED_PARTS & set(path.relative_to(REPO).parts):
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
            scanned += 1
            found += [f"{path.relative_to(REPO)}:{text.count(chr(10), 0, m.start()) + 1}: "
                      f"{m.group(0)}" for m in OUTSIDE.finditer(text)]  # fmt: skip
    assert scanned > 50
    assert found == []


def test_the_reference_csvs_are_in_the_repository() -> None:
    sources = REPO / "data" / "reference" / "sources"
    assert sorted(p.name for p in sources.iterdir()) == [
        "README.md",
        "dk-municipalities.csv",
        "dk-regions.csv",
    ]


def test_an_empty_list_of_cases_fails_even_under_ci(tmp_path: Path) -> None:
    """A parametrised test over files found at run time must not pass or skip when it finds
    none: the project's pytest settings make an empty list a collection error."""
    probe = tmp_path / "test_probe.py"
    probe.write_text(
        "import pytest\n\n"
        "FOUND = []\n\n"
        "@pytest.mark.parametrize('case', FOUND)\n"
        "def test_each(case):\n"
        "    assert case\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(REPO / "pyproject.toml"), "--rootdir",
         str(tmp_path), "-p", "no:cacheprovider", str(probe)],
        capture_output=True, text=True, cwd=tmp_path, env={"CI": "true", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.returncode != 0, done.stdout
    assert "Empty parameter set" in done.stdout + done.stderr
