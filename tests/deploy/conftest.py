"""The Debian tools the deploy tests run: promtool and amtool (``make system-deps``)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def tool(name: str) -> str:
    """The path of ``name``; a missing tool fails the test and says how to install it."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(
            f"{name} is not installed: run `make system-deps` (Debian packages prometheus "
            "and prometheus-alertmanager)"
        )
    return path


def run(*args: str | Path, cwd: Path = DEPLOY) -> subprocess.CompletedProcess[str]:
    """Run a tool in deploy/, bounded in time; its output as text."""
    return subprocess.run(
        [tool(str(args[0])), *map(str, args[1:])],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
