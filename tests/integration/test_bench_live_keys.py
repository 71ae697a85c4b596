"""The soak's table sizes (bench.kafka_tools.live_keys): a changelog's live keys (each
key's last value, tombstones removing it), read from the real embedded broker."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from bench.kafka_tools import live_keys

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


async def _write(
    bootstrap: str, topic: str, records: list[tuple[bytes, bytes | None, int]]
) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=2, replication_factor=1)])
    finally:
        await admin.close()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False)
    await producer.start()
    try:
        for key, value, partition in records:
            await producer.send_and_wait(topic, value=value, key=key, partition=partition)
    finally:
        await producer.stop()


def test_live_keys_counts_each_keys_last_value_and_drops_deleted_ones(kafka_broker: str) -> None:
    topic = "bench-live-keys-changelog"
    records = [
        (b"a", b"1", 0),
        (b"a", b"123", 0),  # overwritten: the last value counts
        (b"b", b"xx", 0),
        (b"b", None, 0),  # deleted
        (b"c", b"4567", 1),
        (b"a", b"z", 1),  # the same key on another partition is another row
    ]
    asyncio.run(_write(kafka_broker, topic, records))
    assert asyncio.run(live_keys(kafka_broker, topic)) == (3, 3 + 4 + 1)
