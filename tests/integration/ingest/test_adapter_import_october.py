"""``ct import-calls`` on the real October 1999 records, checked against an independent count.

The expected figures are computed here, straight from the raw file, by a separate and
deliberately simple reading of its README: tab-separated, a header, one call per line; a
line without 17 fields is malformed; PHANTOM calls are ignored; a call that queued
(``q_start`` is not 0:00:00) or was served (AGENT) was offered; AGENT is answered, HANG
after queueing is abandoned, HANG without queueing never reached an agent. The waits are
``q_time`` (0 for a call served straight from the voice-response unit).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import orjson
import pytest

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]

OCTOBER = Path(__file__).resolve().parents[3].parent / "shared/data/anonymous-bank-1999/october.txt"


@dataclass
class RawCount:
    rows: int = 0
    answered: int = 0
    abandoned: int = 0
    not_offered: int = 0
    phantom: int = 0
    served_with_end: int = 0
    malformed: list[int] = field(default_factory=list)
    waits: Counter[int] = field(default_factory=Counter)  # answered calls by wait, seconds


def count_raw(path: Path) -> RawCount:
    count = RawCount()
    lines = path.read_bytes().split(b"\n")
    for number, raw in enumerate(lines[1:], start=2):
        line = raw.rstrip(b"\r")
        if not line:
            continue
        count.rows += 1
        cells = line.decode().split("\t")
        if len(cells) != 17:
            count.malformed.append(number)
            continue
        q_start, q_time, outcome, ser_exit = cells[9], int(cells[11]), cells[12], cells[14]
        queued = q_start != "0:00:00"
        if outcome == "PHANTOM":
            count.phantom += 1
        elif outcome == "AGENT":
            count.answered += 1
            count.waits[q_time if queued else 0] += 1
            count.served_with_end += ser_exit != "0:00:00"
        elif queued:
            count.abandoned += 1
        else:
            count.not_offered += 1
    return count


@pytest.fixture(scope="module")
def raw() -> RawCount:
    return count_raw(OCTOBER)


def test_the_independent_count(raw: RawCount) -> None:
    """The figures this test holds the importer to (reported in the README)."""
    assert (raw.rows, raw.answered, raw.abandoned) == (34_625, 30_861, 2_106)
    assert (raw.not_offered, raw.phantom, raw.malformed) == (1_509, 147, [7_315, 14_247])


def test_import_calls_october(raw: RawCount, tmp_path: Path) -> None:
    out = tmp_path / "october.jsonl"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CT_")}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ct_cli.main",
            "import-calls",
            str(OCTOBER),
            "--format",
            "anonymous-bank",
            "--out",
            str(out),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=50,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    offered = raw.answered + raw.abandoned
    events = 2 * offered + raw.served_with_end
    assert done.stdout.splitlines() == [
        f"october.txt (format anonymous-bank, time zone Asia/Jerusalem): {raw.rows:,} rows read",
        f"  calls offered: {offered:,} (answered {raw.answered:,}, abandoned {raw.abandoned:,})",
        f"  not offered (hung up before reaching a queue): {raw.not_offered:,}",
        f"  rows skipped: {raw.phantom + len(raw.malformed):,}",
        f"    {raw.phantom:,} ignored: outcome PHANTOM",
        f"    {len(raw.malformed)} malformed:",
        *(f"      line {n}: expected 17 fields, found 16" for n in raw.malformed),
        f"  events: {events:,} mapped, {events:,} delivered to {out}",
    ]
    assert "100%" in done.stderr and "34626/34626" in done.stderr  # the progress bar

    by_contact: dict[str, dict[str, datetime]] = {}
    kinds: Counter[str] = Counter()
    for line in out.read_bytes().splitlines():
        event = orjson.loads(line)
        kinds[event["type"]] += 1
        at = datetime.fromisoformat(event["occurred_at"])
        by_contact.setdefault(event["contact_id"], {})[event["type"]] = at
    assert dict(kinds) == {
        "call.queued": offered,
        "call.answered": raw.answered,
        "call.abandoned": raw.abandoned,
        "call.ended": raw.served_with_end,
    }
    waits = Counter(
        int((steps["call.answered"] - steps["call.queued"]).total_seconds())
        for steps in by_contact.values()
        if "call.answered" in steps
    )
    assert waits == raw.waits  # every answered call's wait, to the second
    within_20 = sum(n for wait, n in raw.waits.items() if wait <= 20)
    assert sum(n for wait, n in waits.items() if wait <= 20) == within_20
