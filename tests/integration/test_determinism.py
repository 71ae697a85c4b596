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
import random
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from ct_broker.offsets import end_offsets
from ct_broker.topics import CALL_OUTCOMES, CONTACT_EVENTS, SLA_METRICS
from ct_cli.audit import last_snapshots
from ct_cli.replay import read_topic
from ct_cli.simulator import SimConfig, generate
from ct_cli.simulator.output import post_events
from ct_ingest.core.credentials import hash_api_key
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
    config = SimConfig(
        seed=2026,
        start=MONTH_START,
        duration=timedelta(days=DAYS),
        daily_contacts=800,
        staffing=0.85,
    )
    events = list(generate(config))
    rng = random.Random(7)
    arrival = [
        (datetime.fromisoformat(e["occurred_at"]).timestamp() + rng.uniform(0, JITTER_S), n)
        for n, e in enumerate(events)
    ]
    return [events[n] for _, n in sorted(arrival)]


def _ct(*args: str, env: dict[str, str], out: Path) -> subprocess.CompletedProcess[bytes]:
    with out.open("wb") as stdout:
        return subprocess.run(
            [sys.executable, "-m", "ct_cli.main", *args],
            env=env,
            stdout=stdout,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            timeout=900,
            check=False,
        )


async def _progress(bootstrap: str, topic: str, group: str) -> tuple[int, int]:
    """(committed offset of ``group``, end offset) of ``topic``'s one partition."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await consumer.start()
    await admin.start()
    try:
        tp = TopicPartition(topic, 0)
        end = (await end_offsets(consumer, [tp]))[tp]
        done = (await admin.list_consumer_group_offsets(group, partitions=[tp])).get(tp)
        return (-1 if done is None else done.offset), end
    finally:
        await consumer.stop()
        await admin.close()


def _await_live(bootstrap: str, timeout_s: float) -> None:
    """Until the monitor has handled every event, then every outcome written by then (the
    timer keeps adding ticks)."""
    deadline = time.monotonic() + timeout_s
    for topic in (CONTACT_EVENTS, CALL_OUTCOMES):
        target = None
        while True:
            done, end = asyncio.run(_progress(bootstrap, topic, "ct-sla-monitor"))
            target = end if target is None else target
            if done >= target:
                break
            assert time.monotonic() < deadline, f"the live monitor did not catch up on {topic}"
            time.sleep(2)


def _run_all(
    runs: dict[str, list[str]], env: dict[str, str], tmp_path: Path
) -> dict[str, subprocess.CompletedProcess[bytes]]:
    """Each ``ct`` command line, two at a time; each prints into ``<name>.json``."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = {
            name: pool.submit(_ct, *args, env=env, out=tmp_path / f"{name}.json")
            for name, args in runs.items()
        }
        return {name: future.result() for name, future in done.items()}


def _await_snapshots(bootstrap: str, clocks: dict[str, str], timeout_s: float) -> None:
    """Until every scope's last live snapshot is as of its last event (a scope's snapshot
    waits longer behind its figures while snapshots are costly)."""
    deadline = time.monotonic() + timeout_s
    while True:
        live = last_snapshots(read_topic(bootstrap, topic=SLA_METRICS))
        behind = sorted(s for s, as_of in clocks.items() if live.get(s, {}).get("as_of") != as_of)
        if not behind:
            return
        assert time.monotonic() < deadline, f"live snapshots not at their last event: {behind}"
        time.sleep(1)


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
            _await_live(pipeline.bootstrap, timeout_s=600 if DAYS < 31 else 2700)
            live_s = time.monotonic() - began
            time.sleep(3)  # the archiver flushes every second
        finally:
            stop({"archive": archiver})
        verify = _ct(
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
        results = _run_all(replays, ct_env, tmp_path)
        # the live monitor's last snapshots are out once each scope's is at its last event
        clocks = {
            scope: snapshot["as_of"]
            for scope, snapshot in orjson.loads((tmp_path / "topic.json").read_bytes())[
                "snapshots"
            ].items()
        }
        _await_snapshots(pipeline.bootstrap, clocks, timeout_s=180)
        results |= _run_all(audits, ct_env, tmp_path)
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
