"""Benchmark 2: replay throughput. ``ct replay``'s path (``ct_cli.replay``: read, order,
drive both stages) from a JSON-lines file and from a topic, against a raw aiokafka
``getmany`` + orjson decode + dict update loop over the same topic, all in this process."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition

from ct_broker.topics import CONTACT_EVENTS
from ct_cli.replay import read_jsonl, read_topic, replay_events
from ct_sla_monitor.standards_file import default_standards

from .config import BenchConfig
from .kafka_tools import prefill
from .report import Figure, at_least
from .services import fresh_broker
from .traffic import as_records, contact_events

NAME = "replay"


async def raw_loop(bootstrap: str, total: int) -> dict[str, Any]:
    """What a user would write: assign every partition, ``getmany`` until ``total``
    records, decode each with orjson and keep the latest event per contact in a dict."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False
    )
    await consumer.start()
    latest: dict[str, Any] = {}
    try:
        await consumer.topics()
        partitions = consumer.partitions_for_topic(CONTACT_EVENTS) or set()
        consumer.assign([TopicPartition(CONTACT_EVENTS, p) for p in partitions])
        await consumer.seek_to_beginning()
        seen = 0
        while seen < total:
            for batch in (await consumer.getmany(timeout_ms=1000, max_records=10_000)).values():
                for record in batch:
                    event = orjson.loads(record.value)
                    latest[event["contact_id"]] = event
                seen += len(batch)
    finally:
        await consumer.stop()
    return latest


def _timed(work: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def run(config: BenchConfig) -> list[Figure]:
    """Time the three readers over the same events."""
    count = config.size(20_000, 5_000, 1_000)
    events = contact_events(count)
    book = default_standards()
    path = Path(config.logs) / "replay-events.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in events))
    with fresh_broker(config.logs, NAME) as bootstrap:
        asyncio.run(prefill(bootstrap, as_records(events)))
        raw_s, _ = _timed(lambda: asyncio.run(raw_loop(bootstrap, count)))
        file_s, by_file = _timed(lambda: replay_events(read_jsonl(path), book))
        topic_s, by_topic = _timed(lambda: replay_events(read_topic(bootstrap), book))
    raw, from_file = count / raw_s, by_file.events / file_s
    from_topic = by_topic.events / topic_s
    base = "raw aiokafka getmany+orjson+dict"
    note = f"{count} events, both stages, window all"
    topic_note = note
    if by_topic.events != count:
        # ct_cli.replay.read_topic trusts ListOffsets(latest), which Tansu answers short
        topic_note = f"read_topic gave {by_topic.events} of {count} records (Tansu end offsets)"
    return [
        Figure(
            NAME,
            "from file",
            from_file,
            "ev/s",
            base,
            raw,
            ">= 100k ev/s",
            at_least(from_file, 100_000),
            note,
        ),
        Figure(
            NAME,
            "from file vs raw",
            from_file,
            "ev/s",
            base,
            raw,
            ">= 0.25x raw",
            at_least(from_file, 0.25 * raw),
            note,
        ),
        Figure(NAME, "from topic", from_topic, "ev/s", base, raw, note=topic_note),
    ]
