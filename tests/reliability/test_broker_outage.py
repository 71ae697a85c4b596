"""#4: the broker is unreachable for 60 s under a 200 requests/s load, then back.

Between the services and the broker sits a fault-injecting link, which the broker
advertises as its address: for the first two thirds of the outage it refuses connections
(cut), then accepts and resets each one (reset). Must hold: while it is down, ingest answers
503 with Retry-After and never 202; every event answered 202 is on the topic; ingest's
memory stays bounded; ingest answers 202 again within 10 s of the broker's return, without a
restart; the sla_monitor resumes by itself, and the figures equal a clean run of every
event on the topic (all the acknowledged ones among them); no service floods its log."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest

from ct_broker.topics import CONTACT_EVENTS
from tests.reliability.support import FaultyPipeline, kpi_rows, read_topic, rss_bytes, wait_until
from tests.reliability.traffic import call_events, clean_run_rows, comparable

OUTAGE_S = float(os.environ.get("CT_RELIABILITY_OUTAGE_S", "60"))
RATE = 200.0  # requests per second
BEFORE_S, AFTER_S = 5.0, 12.0
RECOVERY_BOUND_S = 10.0
#: lines a service may log over the outage (aiokafka alone wrote ~7,000 before throttling)
LOG_LINES_BOUND = 300
#: ingest may grow this much over the outage (a leak of 12,000 refused requests would not fit)
RSS_GROWTH_BOUND = 48 * 1024 * 1024

pytestmark = pytest.mark.timeout(OUTAGE_S + 240)


@dataclass(frozen=True, slots=True)
class Post:
    event: dict[str, Any]
    sent: float
    answered: float
    status: int
    retry_after: str | None


def _outage(pipeline: FaultyPipeline, work: Path) -> tuple[list[Post], dict[str, Any]]:
    """Run the load in its own process; cut, then reset, then heal the link meanwhile."""
    calls = int((BEFORE_S + OUTAGE_S + AFTER_S) * RATE / 3) + 1
    events = call_events("outage", calls, seed=4)
    (work / "events.jsonl").write_bytes(b"\n".join(orjson.dumps(e) for e in events))
    loader = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.reliability.load_poster",
            pipeline.ingest_url,
            str(work / "events.jsonl"),
            str(RATE),
            str(BEFORE_S + OUTAGE_S + AFTER_S),
            str(work / "answers.jsonl"),
        ]
    )
    try:
        pid = pipeline.procs["ingest"].pid
        time.sleep(BEFORE_S)
        rss = [rss_bytes(pid)]
        cut_at = time.monotonic()
        pipeline.link.cut()
        while time.monotonic() - cut_at < OUTAGE_S:
            if time.monotonic() - cut_at >= OUTAGE_S * 2 / 3 and pipeline.link.mode == "cut":
                pipeline.link.reset()
            time.sleep(1.0)
            rss.append(rss_bytes(pid))
        healed_at = time.monotonic()
        pipeline.link.heal()
        assert loader.wait(timeout=AFTER_S + 60) == 0
    finally:
        if loader.poll() is None:
            loader.kill()
    posts = [
        Post(events[n], sent, answered, status, retry)
        for n, sent, answered, status, retry in map(
            orjson.loads, (work / "answers.jsonl").read_bytes().splitlines()
        )
    ]
    return posts, {"cut_at": cut_at, "healed_at": healed_at, "rss": rss, "pid": pid}


def test_broker_away_60s_under_load(tmp_path: Path) -> None:
    with FaultyPipeline(tmp_path, {"KAFKA_REQUEST_TIMEOUT_S": "3"}) as pipeline:
        posts, run = _outage(pipeline, tmp_path)
        on_topic = asyncio.run(read_topic(pipeline.bootstrap, CONTACT_EVENTS, min_records=1))
        recorded = {orjson.loads(r.value)["event_id"]: orjson.loads(r.value) for r in on_topic}
        wanted = comparable(clean_run_rows(recorded.values()))
        caught_up = time.monotonic()
        live = wait_until(
            lambda: comparable(kpi_rows(pipeline.api_url, channel="phone")),
            lambda rows: rows == wanted,
            timeout_s=120,
        )
        caught_up_s = time.monotonic() - caught_up
        assert pipeline.procs["ingest"].pid == run["pid"]
        assert pipeline.alive() == {"ingest": True, "sla-monitor": True, "aggregator": True}

    cut_at, healed_at = run["cut_at"], run["healed_at"]
    before = [p for p in posts if p.answered < cut_at]
    down = [p for p in posts if cut_at <= p.sent and p.answered < healed_at]
    after = sorted((p for p in posts if p.sent >= healed_at), key=lambda p: p.sent)
    first_202 = next(p for p in after if p.status == 202)
    recovery_s = first_202.answered - healed_at
    accepted = {p.event["event_id"] for p in posts if p.status == 202}
    rss_mb = [r / 2**20 for r in run["rss"]]
    print(
        f"\nposts {len(posts)} ({len(posts) / (BEFORE_S + OUTAGE_S + AFTER_S):.0f}/s): "
        f"{len(before)} before, {len(down)} while down, {len(after)} after; "
        f"202 again {recovery_s:.2f} s after the return; ingest RSS {rss_mb[0]:.0f}"
        f"-{max(rss_mb):.0f} MB; figures caught up {caught_up_s:.1f} s after the load"
    )
    assert before and {p.status for p in before} == {202}
    assert len(down) >= OUTAGE_S * RATE * 0.8, "the load kept up while the broker was away"
    assert {p.status for p in down} == {503}
    assert all(p.retry_after for p in down)
    assert recovery_s <= RECOVERY_BOUND_S
    # the bound: 202 again within 10 s of the return, for every post from then on
    settled = [p for p in after if p.sent >= healed_at + RECOVERY_BOUND_S]
    assert settled and all(p.status == 202 for p in settled)
    # every refusal while reconnecting is a 503 with Retry-After, never a lost event
    flaps = [p for p in after if p.sent >= first_202.sent and p.status != 202]
    assert all(p.status == 503 and p.retry_after for p in flaps)
    print(f"503s after the first 202 while the producer reconnected: {len(flaps)}")
    assert accepted <= set(recorded), "an event answered 202 is missing from the topic"
    assert max(run["rss"]) - run["rss"][0] <= RSS_GROWTH_BOUND
    assert live == wanted
    for name in ("ingest", "sla-monitor", "aggregator"):
        lines = len((tmp_path / f"{name}.log").read_bytes().splitlines())
        assert lines <= LOG_LINES_BOUND, f"{name} logged {lines} lines"
