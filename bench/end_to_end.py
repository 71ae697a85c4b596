"""Benchmark 4: end to end. Probe events POSTed to ingest while a load generator keeps
1k events/s flowing; how long until each shows on /v1/kpis and /metrics, against the
transport floor (readable on ``contact.events.v1``). Then the deadline-breach delay: emails
whose acknowledgement deadline falls a few seconds ahead, from the deadline to the
``raised`` alert read on ``sla.alerts.v1``, against emails already past it when posted."""

from __future__ import annotations

import asyncio
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import median

import httpx
from aiokafka import AIOKafkaConsumer

from ct_broker.topics import CONTACT_EVENTS, SLA_ALERTS
from ct_sla_monitor.standards_file import default_standards

from .config import BenchConfig
from .loadgen import command, percentile
from .pipeline import RunningPipeline, pipeline
from .probes import (
    DEADLINE_QUEUE,
    Visibility,
    clock_email,
    follow_topic,
    late_email,
    poll_kpis,
    poll_metrics,
    post_probes,
    raised_alerts,
)
from .report import Figure, at_most
from .traffic import contact_events, write_batches

NAME = "end_to_end"
RATE = 1000.0  # events/s of background load
PER_REQUEST = 10  # events per batch request of the background load


async def _tail(bootstrap: str, topic: str) -> AIOKafkaConsumer:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="latest"
    )
    await consumer.start()
    await consumer.getmany(timeout_ms=200)  # position at the end before anything is posted
    return consumer


async def _wait_visible(p: RunningPipeline, timeout_s: float = 90) -> None:
    """Post one probe and wait until /v1/kpis shows it: the monitor has joined."""
    vis = Visibility()
    async with (
        httpx.AsyncClient(base_url=p.ingest_url) as ingest,
        httpx.AsyncClient(base_url=p.api_url) as api,
    ):
        until = time.perf_counter() + timeout_s
        poller = asyncio.create_task(poll_kpis(api, vis, until))
        while time.perf_counter() < until and not vis.seen["kpis"]:
            await post_probes(ingest, vis, 0, time.perf_counter() + 0.001)
            await asyncio.sleep(1.0)
        poller.cancel()
    if not vis.seen["kpis"]:
        raise TimeoutError("the pipeline showed no probe within the warm-up")


async def _visibility(p: RunningPipeline, seconds: float) -> Visibility:
    vis = Visibility()
    consumer = await _tail(p.bootstrap, CONTACT_EVENTS)
    try:
        async with (
            httpx.AsyncClient(base_url=p.ingest_url) as ingest,
            httpx.AsyncClient(base_url=p.api_url) as api,
        ):
            stop_probes = time.perf_counter() + seconds
            until = stop_probes + 5  # the last probes still get time to show
            await asyncio.gather(
                post_probes(ingest, vis, 0.1, stop_probes),
                poll_kpis(api, vis, until),
                poll_metrics(api, vis, until),
                follow_topic(consumer, vis, until),
            )
    finally:
        await consumer.stop()
    return vis


async def _deadlines(p: RunningPipeline, count: int) -> tuple[list[float], list[float]]:
    """Delays (s): deadline → alert for emails falling due ahead, and POST → alert for
    emails already past their deadline."""
    allowance = timedelta(
        seconds=default_standards().for_scope(DEADLINE_QUEUE, None).email.acknowledge_within_s
    )
    consumer = await _tail(p.bootstrap, SLA_ALERTS)
    try:
        now = datetime.now(UTC)
        ahead = {f"deadline-{n}": now + timedelta(seconds=4 + 0.37 * n) for n in range(count)}
        past = {f"deadline-{n}": now - timedelta(seconds=1) for n in range(count, 2 * count)}
        posted: dict[str, float] = {}
        async with httpx.AsyncClient(base_url=p.ingest_url) as ingest:
            (await ingest.post("/v1/events", json=clock_email(now))).raise_for_status()
            for subject, due in (ahead | past).items():
                posted[subject] = time.time()
                body = late_email(int(subject.split("-")[1]), due, allowance)
                (await ingest.post("/v1/events", json=body)).raise_for_status()
        found = await raised_alerts(consumer, set(posted), time.perf_counter() + 30)
    finally:
        await consumer.stop()
    after_deadline = [found[s][0] - found[s][1].timestamp() for s in ahead if s in found]
    after_post = [found[s][0] - posted[s] for s in past if s in found]
    return after_deadline, after_post


def _background(p: RunningPipeline, config: BenchConfig, seconds: float) -> subprocess.Popen[bytes]:
    """The load generator posting 1k events/s in batches, as its own process."""
    events = contact_events(int(RATE * (seconds + 10)))
    path = Path(config.logs) / "e2e-batches.jsonl"
    write_batches(path, events, PER_REQUEST)
    port = p.ingest_url.rsplit(":", 1)[1]
    log = open(Path(config.logs) / "e2e-loadgen.json", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        command(port, path, RATE / PER_REQUEST, seconds + 6, "/v1/events:batch", 16),
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=Path(__file__).resolve().parent.parent,
    )
    log.close()
    return proc


def run(config: BenchConfig) -> list[Figure]:
    """The deadline alerts on the quiet pipeline, then visibility under load."""
    seconds = config.seconds(20, 8, 3)
    config.logs.mkdir(parents=True, exist_ok=True)
    with pipeline(config, NAME) as p:
        asyncio.run(_wait_visible(p))
        # deadlines first, on the quiet pipeline: under load a backlog would delay them
        after_deadline, after_post = asyncio.run(_deadlines(p, config.size(5, 3, 2)))
        load = _background(p, config, seconds)
        try:
            vis = asyncio.run(_visibility(p, seconds))
        finally:
            load.wait(timeout=seconds + 60)
    return _figures(vis, after_deadline, after_post)


def _figures(vis: Visibility, after_deadline: list[float], after_post: list[float]) -> list[Figure]:
    topic = vis.latencies_ms("topic")
    base = "readable on contact.events.v1"
    figures = []
    for surface in ("kpis", "metrics"):
        seen = vis.latencies_ms(surface)
        note = f"{len(seen)} of {len(vis.posted)} probes seen at 1k ev/s background load"
        label = "/v1/kpis" if surface == "kpis" else "/metrics"
        figures += [
            Figure(
                NAME,
                f"POST -> {label} p50",
                percentile(seen, 0.5),
                "ms",
                base,
                percentile(topic, 0.5),
                note=note,
            ),
            Figure(
                NAME,
                f"POST -> {label} p99",
                percentile(seen, 0.99),
                "ms",
                base,
                percentile(topic, 0.99),
                "<= 500 ms",
                at_most(percentile(seen, 0.99), 500) and len(seen) == len(vis.posted),
                note,
            ),
        ]
    worst = max(after_deadline, default=None)
    figures.append(
        Figure(
            NAME,
            "deadline -> alert (worst)",
            worst,
            "s",
            "already due: POST -> alert",
            median(after_post) if after_post else None,
            "<= 1 s",
            at_most(worst, 1.0) and bool(after_deadline),
            f"{len(after_deadline)} deadlines; median {median(after_deadline):.2f} s"
            if after_deadline
            else "no alert seen",
        ),
    )
    return figures
