"""#5: a second sla_monitor worker joins the consumer group mid-run, then leaves
(1 -> 2 -> 1), on four partitions. Every partition of both stages is consumed to its end,
the group really had two members sharing the partitions, and every scope's last live
snapshot holds the figures of a replay of the same events: ``ct audit`` finds no
difference in any figure. The rebalance pauses (the longest time no committed offset
moved, after each join and leave) are printed.

Left out of the comparison, by definition: each scope's late-event counters and the alert
transitions. With several partitions, stage 2 sees a scope's events in an order that
depends on how fast each partition was read (one worker or two), so how many arrived
behind the scope's clock, and the minute an aggregate standard was judged at, differ from
a replay's order whatever the number of workers (README, Guarantees). The crash test
(#1) compares them, on one partition.
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

import orjson
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from ct_broker.offsets import end_offsets
from ct_broker.topics import CALL_OUTCOMES, CONTACT_EVENTS
from ct_cli.simulator.output import post_events
from ct_ingest.core.credentials import hash_api_key
from tests.deploy.service_processes import await_members
from tests.live_audit import await_snapshots, ct, shuffled_traffic
from tests.reliability.support import FaultyPipeline

pytestmark = [pytest.mark.timeout(1800), pytest.mark.long]

KEY = "sk_scale_out_test_key"
SOURCES = {"sim": {"key_hashes": [hash_api_key(KEY)], "rate_per_s": 100000, "burst": 200000}}
START = datetime(2026, 9, 1, tzinfo=UTC) - timedelta(hours=1)
UNTIL = "2026-11-20T00:00:00+00:00"
GROUP = "ct-sla-monitor"
PARTITIONS = 4
Offsets = dict[tuple[str, int], int]


async def _offsets(bootstrap: str) -> tuple[Offsets, Offsets]:
    """(committed, end) offset of every partition of both stages' inputs."""
    tps = [TopicPartition(t, p) for t in (CONTACT_EVENTS, CALL_OUTCOMES) for p in range(4)]
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await consumer.start()
    await admin.start()
    try:
        ends = await end_offsets(consumer, tps)
        committed = await admin.list_consumer_group_offsets(GROUP, partitions=tps)
        done = {
            (tp.topic, tp.partition): committed[tp].offset if tp in committed else -1 for tp in tps
        }
        return done, {(tp.topic, tp.partition): ends[tp] for tp in tps}
    finally:
        await consumer.stop()
        await admin.close()


class Watch:
    """Committed offsets sampled over time: how far the run is and how long it paused."""

    def __init__(self, bootstrap: str, events: int) -> None:
        self.bootstrap, self.events = bootstrap, events
        self.samples: list[tuple[float, Offsets]] = []

    def sample(self) -> tuple[Offsets, Offsets]:
        done, ends = asyncio.run(_offsets(self.bootstrap))
        self.samples.append((time.monotonic(), done))
        return done, ends

    def progress(self) -> float:
        """0 to 2: the share of the events stage 1 committed plus that of the outcomes
        written so far that stage 2 committed."""
        done, ends = self.sample()
        stage1 = sum(max(v, 0) for (t, _), v in done.items() if t == CONTACT_EVENTS)
        stage2 = sum(max(v, 0) for (t, _), v in done.items() if t == CALL_OUTCOMES)
        end2 = sum(v for (t, _), v in ends.items() if t == CALL_OUTCOMES)
        return stage1 / self.events + stage2 / max(end2, 1)

    def longest_pause(self, since: float, until: float) -> float:
        """The longest time between ``since`` and ``until`` with no committed offset moving."""
        moves = [since]
        for (_, before), (at, after) in itertools.pairwise(self.samples):
            if since <= at <= until and after != before:
                moves.append(at)
        moves.append(until)
        return max(b - a for a, b in itertools.pairwise(moves))


def _until(watch: Watch, target: float, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while watch.progress() < target:
        assert time.monotonic() < deadline, f"the run never got {target:.2f} far"
        time.sleep(0.25)


def test_a_worker_joining_and_leaving_changes_no_figure(tmp_path: Path) -> None:
    events = shuffled_traffic(START, 1, 4000, jitter_s=120.0)
    env = {
        "CT_INGEST_SOURCES": orjson.dumps(SOURCES).decode(),
        "CT_INGEST_MAX_BATCH_EVENTS": "1000",
    }
    with FaultyPipeline(tmp_path, env=env, partitions=PARTITIONS) as pipeline:
        posted = asyncio.run(
            post_events(events, pipeline.ingest_url, 0.0, 1e15, KEY, batch_size=1000)
        )
        assert (posted.accepted, posted.invalid, posted.failed) == (len(events), 0, 0)
        watch = Watch(pipeline.bootstrap, len(events))
        _until(watch, 0.3, timeout_s=600)
        joined = time.monotonic()
        second = subprocess.Popen(
            [sys.executable, "-m", "ct_cli.main", "sla-monitor"],
            env={**pipeline.env, "CT_MONITOR_DATA_DIR": str(tmp_path / "monitor-2-data")},
            stdout=(tmp_path / "sla-monitor-2.log").open("wb"),
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        try:
            await_members(pipeline.bootstrap, GROUP, 2, timeout_s=90)
            _until(watch, 1.0, timeout_s=900)
            assert second.poll() is None, "the second worker died"
            left = time.monotonic()
            second.terminate()  # leaves the group
            assert second.wait(timeout=60) == 0
        finally:
            if second.poll() is None:
                second.kill()
        await_members(pipeline.bootstrap, GROUP, 1, timeout_s=90)
        deadline = time.monotonic() + 900
        while True:  # every partition of both stages consumed to its end
            done, ends = watch.sample()
            if all(done[tp] >= ends[tp] for tp in done if tp[0] == CONTACT_EVENTS) and all(
                done[tp] >= ends[tp] - 50
                for tp in done  # the timer keeps adding ticks
            ):
                break
            assert time.monotonic() < deadline, f"partitions left unconsumed: {done} of {ends}"
            time.sleep(1)
        finished = time.monotonic()
        ct_env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": pipeline.bootstrap}
        common = ["--window", "all", "--snapshots", "--until", UNTIL, "--json", "--no-progress"]
        replay = ct("replay", "--from-topic", *common, env=ct_env, out=tmp_path / "replay.json")
        assert replay.returncode == 0, replay.stderr.decode()[-2000:]
        snapshots = orjson.loads((tmp_path / "replay.json").read_bytes())["snapshots"]
        await_snapshots(
            pipeline.bootstrap, {s: v["as_of"] for s, v in snapshots.items()}, timeout_s=300
        )
        audit = ct("audit", "--json", "--no-progress", env=ct_env, out=tmp_path / "audit.json")
        assert audit.returncode in (0, 1), audit.stderr.decode()[-2000:]
        assert pipeline.alive()["sla-monitor"]
    report = orjson.loads((tmp_path / "audit.json").read_bytes())
    figures = [d for d in report["differences"] if d["kind"] != "alert"]
    order_dependent = [d for d in figures if d["kind"] == "figure" and d["path"].startswith("late")]
    compared = [d for d in figures if d not in order_dependent]
    print(
        f"{len(events)} events on {PARTITIONS} partitions, 1 -> 2 -> 1 workers: longest pause "
        f"after the join {watch.longest_pause(joined, left):.1f} s, after the leave "
        f"{watch.longest_pause(left, finished):.1f} s; {report['scopes_compared']} scopes, "
        f"{len(compared)} figure differences ({len(order_dependent)} late counters left out)"
    )
    assert compared == [], compared[:5]
    assert report["scopes_compared"] > 10 and report["events"] == len(events)
