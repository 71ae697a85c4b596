"""Determinism: a generated month (>= 100k events, shuffled within the allowed lateness;
``make test-audit``, about 20 min) or, in ``make test``, its first days
(``CT_DETERMINISM_DAYS`` picks how many) streams through the live pipeline, is archived
as it goes, and is replayed three times — from the topic, from the archive and from a
file. The three replays give byte-identical JSON, and ``ct audit`` finds the live record
(every alert on sla.alerts.v1, each scope's last snapshot on sla.metrics.v1) identical
to the replay, from the topic and from the archive.

One partition keeps the live stage-2 order the order the events were posted in: with
several, a backlog read faster than real time lets one partition run hours of event time
ahead of another, and the events it overtakes are rightly counted late (see the README's
guarantees). The file is written in the shuffled order; ``ct replay --from-file`` sorts
it by event time, and the figures must not care.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from ct_cli.simulator.output import post_events
from ct_ingest.core.credentials import hash_api_key
from tests.live_audit import await_live, await_snapshots, ct, run_all, shuffled_traffic
from tests.running_pipeline import running_pipeline, stop

pytestmark = [pytest.mark.integration, pytest.mark.timeout(3600)]

KEY = "sk_determinism_test_key"
SOURCES = {"sim": {"key_hashes": [hash_api_key(KEY)], "rate_per_s": 100000, "burst": 200000}}
MONTH_START = datetime(2026, 10, 1, tzinfo=UTC) - timedelta(hours=1)  # local midnight
UNTIL = "2026-11-20T00:00:00+00:00"  # every deadline of the month has fallen due
JITTER_S = 120.0  # arrival order: event time + up to 2 min, within the 5 min allowed


#: 31 for the whole month (>= 100k events); the default keeps `make test` within budget
DAYS = int(os.environ.get("CT_DETERMINISM_DAYS", "3"))


def _month() -> list[dict[str, Any]]:
    return shuffled_traffic(MONTH_START, DAYS, daily_contacts=800, jitter_s=JITTER_S)


def test_a_month_replays_identically_from_topic_archive_and_file(tmp_path: Path) -> None:
    events = _month()
    assert len(events) >= (100_000 if DAYS >= 31 else 2000 * DAYS)
    shuffled = sum(1 for a, b in itertools.pairwise(events) if a["occurred_at"] > b["occurred_at"])
    assert shuffled > len(events) // 100  # the arrival order really is shuffled
    events_file = tmp_path / "month.jsonl"
    events_file.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in events))
    env = {
        "CT_INGEST_SOURCES": orjson.dumps(SOURCES).decode(),
        "CT_INGEST_MAX_BATCH_EVENTS": "1000",
    }
    with running_pipeline(tmp_path, extra_env=env, partitions=1) as pipeline:
        ct_env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": pipeline.bootstrap}
        archive = tmp_path / "archive"
        archiver = subprocess.Popen(
            [sys.executable, "-m", "ct_cli.main", "archive", "run", "--data-dir", str(archive)],
            env=ct_env,
            stdout=subprocess.DEVNULL,
            stderr=(tmp_path / "archiver.log").open("wb"),
            stdin=subprocess.DEVNULL,
        )
        try:
            began = time.monotonic()
            report = asyncio.run(  # one batch at a time: the topic keeps the arrival order
                post_events(events, pipeline.ingest_url, 0.0, 1e15, KEY, batch_size=1000)
            )
            assert (report.accepted, report.invalid, report.failed) == (len(events), 0, 0)
            posted_s = time.monotonic() - began
            await_live(pipeline.bootstrap, timeout_s=600 if DAYS < 31 else 2700)
            live_s = time.monotonic() - began
            time.sleep(3)  # the archiver flushes every second
        finally:
            stop({"archive": archiver})
        verify = ct(
            "archive", "verify", "--data-dir", str(archive), env=ct_env, out=tmp_path / "verify.txt"
        )
        assert verify.returncode == 0, (tmp_path / "verify.txt").read_text()

        common = ["--window", "all", "--snapshots", "--until", UNTIL, "--json", "--no-progress"]
        replays = {
            "topic": ["replay", "--from-topic", *common],
            "archive": ["replay", "--from-archive", str(archive), *common],
            "file": ["replay", "--from-file", str(events_file), "--in-file-order", *common],
        }
        audits = {
            "audit": ["audit", "--json", "--no-progress"],
            "audit-archive": ["audit", "--from-archive", str(archive), "--json", "--no-progress"],
        }
        began = time.monotonic()
        results = run_all(replays, ct_env, tmp_path)
        # the live monitor's last snapshots are out once each scope's is at its last event
        clocks = {
            scope: snapshot["as_of"]
            for scope, snapshot in orjson.loads((tmp_path / "topic.json").read_bytes())[
                "snapshots"
            ].items()
        }
        await_snapshots(pipeline.bootstrap, clocks, timeout_s=180)
        results |= run_all(audits, ct_env, tmp_path)
        replay_s = time.monotonic() - began
    runs = replays | audits
    for name, result in results.items():
        assert result.returncode in (0, 1), f"{name}: {result.stderr.decode()[-2000:]}"
    outputs = {name: (tmp_path / f"{name}.json").read_bytes() for name in runs}
    replay = orjson.loads(outputs["topic"])
    print(
        f"{len(events)} events: posted in {posted_s:.0f} s, live done at {live_s:.0f} s, "
        f"5 replays/audits in {replay_s:.0f} s; {len(replay['alerts'])} alerts, "
        f"{len(replay['snapshots'])} scopes"
    )
    assert replay["events"] == len(events) and replay["rejected"] == 0
    assert len(replay["alerts"]) > 10 * DAYS and len(replay["snapshots"]) > 10
    assert outputs["topic"] == outputs["archive"] == outputs["file"]
    for name in ("audit", "audit-archive"):
        audit = orjson.loads(outputs[name])
        assert audit["differences"] == [], f"{name}: {audit['differences'][:5]}"
        assert audit["identical"] and audit["events"] == len(events)
        assert audit["alerts_compared"] > 10 * DAYS and audit["scopes_compared"] > 10
        assert results[name].returncode == 0
