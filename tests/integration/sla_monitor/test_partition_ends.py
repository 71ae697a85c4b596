"""Partition ends on the embedded broker: a batch of several records is listed short of
its end (Tansu lists the last batch's base offset plus one); ct_broker.offsets and the
monitor's faust consumer (ct_sla_monitor.faust_app) read the real end, which faust needs
to restore a table's changelog up to its last record. And the partition a scope's
records go to, which decides which worker ticks it."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from faust.types import TP

from ct_sla_monitor.agents import scope_partition
from ct_sla_monitor.faust_app import true_ends

pytestmark = pytest.mark.integration


async def _write_batches(bootstrap: str, topic: str, sizes: list[int]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False)
    await producer.start()
    try:
        for size in sizes:  # one produce request, one record batch, per size
            batch = producer.create_batch()
            for n in range(size):
                assert batch.append(key=None, value=b"v%d" % n, timestamp=None) is not None
            await (await producer.send_batch(batch, topic, partition=0))
    finally:
        await producer.stop()


async def _listed(bootstrap: str, topic: str) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    await consumer.start()
    try:
        tp = TopicPartition(topic, 0)
        return int((await consumer.end_offsets([tp]))[tp])
    finally:
        await consumer.stop()


@pytest.mark.parametrize("sizes", [[1], [5], [3, 1, 7], [7, 1]])
def test_true_ends_count_every_record_of_the_last_batch(
    kafka_broker: str, sizes: list[int]
) -> None:
    topic = f"ends-{uuid.uuid4().hex[:8]}"
    asyncio.run(_write_batches(kafka_broker, topic, sizes))
    ends = asyncio.run(true_ends([kafka_broker], [TP(topic, 0)]))
    assert ends == {TP(topic, 0): sum(sizes)}
    listed = asyncio.run(_listed(kafka_broker, topic))
    # what the ends fix: the listed end may fall short by the last batch's tail, never more
    assert sum(sizes) - sizes[-1] + 1 <= listed <= sum(sizes)


def test_an_empty_partition_ends_at_zero(kafka_broker: str) -> None:
    topic = f"ends-{uuid.uuid4().hex[:8]}"
    asyncio.run(_write_batches(kafka_broker, topic, []))
    assert asyncio.run(true_ends([kafka_broker], [TP(topic, 0)])) == {TP(topic, 0): 0}


async def _partitions_of(bootstrap: str, topic: str, keys: list[str]) -> dict[str, int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=4, replication_factor=1)])
    finally:
        await admin.close()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False)
    await producer.start()
    try:
        sent = {key: await producer.send_and_wait(topic, b"tick", key=key.encode()) for key in keys}
    finally:
        await producer.stop()
    return {key: meta.partition for key, meta in sent.items()}


def test_a_scope_is_ticked_by_the_worker_that_owns_its_partition(kafka_broker: str) -> None:
    """The timer ticks only the scopes of the partitions assigned to it, found with
    scope_partition: it must name the partition the producer writes a scope's records to."""
    keys = [f"{channel}/{queue}" for channel in ("phone", "email", "web") for queue in "abcdefg"]
    topic = f"scopes-{uuid.uuid4().hex[:8]}"
    placed = asyncio.run(_partitions_of(kafka_broker, topic, keys))
    assert placed == {key: scope_partition(key, 4) for key in keys}
    assert len(set(placed.values())) == 4
