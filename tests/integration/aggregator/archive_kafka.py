"""Helpers of the archive's integration tests: fresh topics, producing, archiving in process,
and reading what an archive directory holds without taking its lock."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from ct_aggregator.archive_consumer import Archiver
from ct_aggregator.archive_manifest import next_offsets
from ct_aggregator.archive_reader import Sortable, merge_in_topic_order
from ct_aggregator.archive_settings import ArchiveSettings
from ct_aggregator.archive_store import ArchiveStore, day_dirs, read_manifest
from ct_broker.topics import TopicSpec, ensure_topics

#: (partition or None for the key's partition, key, value, timestamp ms or None for now)
Message = tuple[int | None, bytes | None, bytes, int | None]


def new_topic(bootstrap: str, partitions: int = 4) -> str:
    """A topic no other test uses."""
    topic = f"archive-{uuid.uuid4().hex[:10]}"
    asyncio.run(ensure_topics(bootstrap, (TopicSpec(topic, partitions),)))
    return topic


async def produce(
    bootstrap: str, topic: str, messages: Sequence[Message], one_by_one: bool = False
) -> None:
    """Send every message and wait for every acknowledgement (``one_by_one``: each before
    the next, so every record is a batch of its own)."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False, acks="all")
    await producer.start()
    try:
        sent = []
        for p, key, value, ts in messages:
            future = await producer.send(topic, value, key=key, partition=p, timestamp_ms=ts)
            if one_by_one:
                await future
            sent.append(future)
        await asyncio.gather(*sent)
    finally:
        await producer.stop()


def consume_all(bootstrap: str, topic: str, count: int, timeout_s: float = 30) -> list[bytes]:
    """The first ``count`` records of ``topic`` (group-less), merged as every replay merges
    them. Counts instead of end offsets: Tansu's ListOffsets reports the last batch's base
    offset + 1, short of the end when a batch holds several records."""

    async def run() -> list[Sortable]:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest"
        )
        await consumer.start()
        try:
            await consumer.topics()
            tps = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
            consumer.assign(tps)
            await consumer.seek_to_beginning(*tps)
            found: list[Sortable] = []
            deadline = time.monotonic() + timeout_s
            while len(found) < count:
                assert time.monotonic() < deadline, f"read {len(found)} of {count}"
                for tp, batch in (await consumer.getmany(timeout_ms=500)).items():
                    found += [(r.timestamp, tp.partition, r.offset, r.value) for r in batch]
            return found
        finally:
            await consumer.stop()

    return merge_in_topic_order(asyncio.run(run()))


def archived_count(data_dir: Path) -> int:
    """How many records the manifests in ``data_dir`` list (read without the lock)."""
    manifests = [m for d in day_dirs(data_dir) if (m := read_manifest(d)) is not None]
    return sum(next_offsets(manifests).values())


def settings_for(bootstrap: str, topic: str, data_dir: Path, **extra: object) -> ArchiveSettings:
    """Archive settings for a test topic; small flushes so several segments versions occur."""
    values: dict[str, object] = {
        "kafka_bootstrap_servers": bootstrap,
        "topic": topic,
        "data_dir": data_dir,
        "flush_records": 100,
        "flush_seconds": 0.2,
        **extra,
    }
    return ArchiveSettings(**values)  # type: ignore[arg-type]


def archive_until(settings: ArchiveSettings, count: int, timeout_s: float = 60) -> int:
    """Run the archiver in process until the archive holds ``count`` records (every
    partition starting at offset 0); return how many this run archived."""

    async def run() -> int:
        with ArchiveStore(settings.data_dir, settings.topic).open() as store:
            archiver = Archiver(settings, store)
            stop = asyncio.Event()
            task = asyncio.create_task(archiver.run(stop))
            deadline = time.monotonic() + timeout_s
            while sum(store.positions().values()) < count and not task.done():
                assert time.monotonic() < deadline, f"archived {store.positions()} of {count}"
                await asyncio.sleep(0.1)
            stop.set()
            await task
            return archiver.archived

    return asyncio.run(run())
