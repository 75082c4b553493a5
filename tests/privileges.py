"""Running a command as an ordinary user would, also when the tests run as root.

Root reads and writes files whatever their permissions (the capabilities CAP_DAC_OVERRIDE and
CAP_DAC_READ_SEARCH), so a test of "this folder cannot be read" would pass nothing as root. The
child process here drops those two capabilities before it starts: it stays root by name (it can
still run the Python under /root) but file permissions apply to it as to anyone.
"""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH = 1, 2


def _drop_permission_override() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def run_ikg_unprivileged(
    arguments: Sequence[str], **options: Any
) -> subprocess.CompletedProcess[str]:
    """``ikg ARGUMENTS`` in a child process to which file permissions apply."""
    command = [sys.executable, "-c", "from initiative_kg.cli import main; main()", *arguments]
    return subprocess.run(
        command,
        preexec_fn=_drop_permission_override if os.geteuid() == 0 else None,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=options.pop("cwd", REPO),
        **options,
    )


def permissions_apply() -> str:
    """A check that the mechanism works here: the child cannot read a file with mode 000."""
    return (
        "import os, sys, tempfile\n"
        "path = tempfile.mktemp()\n"
        "open(path, 'w').close(); os.chmod(path, 0)\n"
        "try:\n"
        "    open(path).close(); print('readable')\n"
        "except PermissionError:\n"
        "    print('refused')\n"
        "os.unlink(path)\n"
    )


def run_python_unprivileged(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        preexec_fn=_drop_permission_override if os.geteuid() == 0 else None,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )
