"""Broker-side helpers: fill a topic fast, read a consumer group's progress, end offsets."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from ct_broker.settings import KafkaSettings
from ct_broker.topics import CONTACT_EVENTS

from .traffic import Record


async def prefill(bootstrap: str, records: Iterable[Record], topic: str = CONTACT_EVENTS) -> int:
    """Write ``records`` to ``topic`` (keyed, as ingest does) and wait for every
    acknowledgement; return how many were written."""
    config = KafkaSettings(kafka_bootstrap_servers=bootstrap).producer_config()
    config.update(linger_ms=20, max_batch_size=512 * 1024)
    producer = AIOKafkaProducer(**config)
    await producer.start()
    try:
        pending: list[asyncio.Future[object]] = []
        written = 0
        for key, value in records:
            written += 1
            pending.append(await producer.send(topic, value=value, key=key))
            if len(pending) >= 5000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return written


async def end_offsets(bootstrap: str, topic: str) -> dict[int, int]:
    """The end offset of each partition of ``topic``.

    Tansu answers ListOffsets(latest) with the last batch's base offset + 1, short of the
    end when that batch holds several records; the high watermark of a fetch is right, so
    this fetches from just before the listed end and reads it.
    """
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False
    )
    await consumer.start()
    try:
        await consumer.topics()
        found = consumer.partitions_for_topic(topic) or ()
        partitions = [TopicPartition(topic, p) for p in sorted(found)]
        listed = await consumer.end_offsets(partitions)
        consumer.assign(partitions)
        for tp in partitions:
            consumer.seek(tp, max(0, listed[tp] - 1))
        for _ in range(5):
            await consumer.getmany(timeout_ms=300)
            if all(consumer.highwater(tp) is not None for tp in partitions):
                break
        return {tp.partition: max(listed[tp], consumer.highwater(tp) or 0) for tp in partitions}
    finally:
        await consumer.stop()


async def live_keys(bootstrap: str, topic: str) -> tuple[int, int]:
    """(keys, bytes) a compacted topic holds: each key's last value, unless deleted.
    For a faust changelog, the size of its table. Reads the topic from the start up to
    the end offsets at the call."""
    ends = await end_offsets(bootstrap, topic)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False
    )
    await consumer.start()
    latest: dict[bytes | None, int] = {}
    try:
        partitions = [TopicPartition(topic, p) for p, end in ends.items() if end > 0]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        left = {tp: ends[tp.partition] for tp in partitions}
        while left:
            for tp, records in (await consumer.getmany(timeout_ms=1000)).items():
                for record in records:
                    if record.offset < left.get(tp, 0):
                        size = -1 if record.value is None else len(record.value)
                        latest[(record.key or b"") + b"@%d" % tp.partition] = size
                if tp in left and await consumer.position(tp) >= left[tp]:
                    del left[tp]
    finally:
        await consumer.stop()
    alive = [size for size in latest.values() if size >= 0]
    return len(alive), sum(alive)


async def total_end(bootstrap: str, topic: str) -> int:
    """Records written to ``topic`` so far, over every partition."""
    return sum((await end_offsets(bootstrap, topic)).values())


class GroupProgress:
    """Reads how far a consumer group has committed on a topic, with one admin client."""

    def __init__(self, bootstrap: str, group: str) -> None:
        self._admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
        self._group = group

    async def __aenter__(self) -> GroupProgress:
        await self._admin.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._admin.close()

    async def committed(self, topic: str, partitions: int) -> int:
        """The sum of the group's committed offsets on ``topic`` (0 where none)."""
        tps = [TopicPartition(topic, p) for p in range(partitions)]
        found = await self._admin.list_consumer_group_offsets(self._group, partitions=tps)
        return sum(max(0, meta.offset) for tp, meta in found.items() if tp.topic == topic)
