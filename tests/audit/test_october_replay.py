"""The real October 1999 data replays to exactly the figures an independent reading of the
raw file gives (``october_figures.py`` beside this test, which imports nothing of ours):
``ct import-calls`` then ``ct replay --from-file --window all --json``, compared per queue
and for all queues — offered, answered, abandoned, short abandons, ASA and the four
service-level variants (SL20)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from tests.audit.october_figures import all_figures

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

OCTOBER = Path(__file__).resolve().parents[2].parent / "shared/data/anonymous-bank-1999/october.txt"
FIGURES = ("offered", "answered", "abandoned", "short_abandoned", "asa_seconds", "service_level")


def _ct(*args: str) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CT_")}
    return subprocess.run(
        [sys.executable, "-m", "ct_cli.main", *args],
        env=env,
        capture_output=True,
        timeout=500,
        check=False,
    )


def test_the_october_replay_equals_the_independent_figures(tmp_path: Path) -> None:
    events = tmp_path / "oct.jsonl"
    imported = _ct("import-calls", str(OCTOBER), "--format", "anonymous-bank", "--out", str(events))
    assert imported.returncode == 0, imported.stderr.decode()[-2000:]
    replayed = _ct(
        "replay", "--from-file", str(events), "--window", "all", "--json", "--no-progress"
    )
    assert replayed.returncode == 0, replayed.stderr.decode()[-2000:]
    result = orjson.loads(replayed.stdout)
    expected = all_figures(OCTOBER)
    assert (result["events"], result["rejected"], result["duplicates"]) == (96_773, 0, 0)
    got = {scope: {name: result["scopes"][scope][name] for name in FIGURES} for scope in expected}
    assert got == expected
    assert set(expected) == {k for k in result["scopes"] if k.startswith("phone/")}
    every = expected["phone/all"]  # the figures the README and the closing note quote
    assert (every["offered"], every["answered"], every["abandoned"]) == (32_850, 30_861, 1_989)
