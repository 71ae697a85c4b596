"""The pipeline health reader against the real embedded broker: dead letters counted by
reason, and the lag of a consumer group that committed part of its topic."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from ct_aggregator.pipeline_health import PipelineHealthReader
from ct_broker.topics import TopicSpec, ensure_topics

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]


async def _wait_for(
    condition: Callable[[], bool], reader: PipelineHealthReader, timeout_s: float
) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while asyncio.get_running_loop().time() < deadline:
        if condition():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"not reached in {timeout_s} s; health is {reader.health}")


async def test_reader_counts_dead_letters_and_group_lag(kafka_broker: str) -> None:
    run = uuid.uuid4().hex[:8]
    events, dlq, group = f"hx-events-{run}", f"hx-dlq-{run}", f"hx-group-{run}"
    await ensure_topics(kafka_broker, (TopicSpec(events, 2), TopicSpec(dlq, 1)))
    producer = AIOKafkaProducer(bootstrap_servers=kafka_broker, enable_idempotence=False)
    await producer.start()
    try:
        for partition, count in ((0, 4), (1, 3)):
            for i in range(count):
                await producer.send_and_wait(events, b"{}", partition=partition, key=b"%d" % i)
        for headers in (
            [("ct-reason", b"invalid_event")],
            [("ct-reason", b"invalid_event"), ("ct-stage", b"x")],
            [("ct-reason", b"a value that must not become a label")],
            [],
        ):
            await producer.send_and_wait(dlq, b"not json", key=b"k", headers=headers)
    finally:
        await producer.stop()

    # The group consumed and committed 1 of 4 records on partition 0 and 3 of 3 on 1.
    consumer = AIOKafkaConsumer(
        bootstrap_servers=kafka_broker, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        consumer.assign([TopicPartition(events, 0), TopicPartition(events, 1)])
        await consumer.commit({TopicPartition(events, 0): 1, TopicPartition(events, 1): 3})
    finally:
        await consumer.stop()

    reader = PipelineHealthReader(
        kafka_broker, group=group, lag_topics=[events], dlq_topic=dlq, lag_every_s=0.2
    )
    await reader.start()
    try:
        await _wait_for(
            lambda: reader.health.up and sum(reader.health.dlq_by_reason.values()) == 4,
            reader,
            20,
        )
        assert reader.health.dlq_by_reason == {"invalid_event": 2, "other": 1, "missing": 1}
        assert reader.health.lag == {(group, events, 0): 3, (group, events, 1): 0}
        assert reader.health.dlq_stats()["total"] == 4
    finally:
        await reader.stop()
