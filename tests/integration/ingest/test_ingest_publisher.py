"""EventPublisher on its own, against the session broker.

These write bare bytes, not events, so they use a topic of their own: contact.events.v1
on the shared broker must only ever hold valid events (other tests count its dead letters).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from ct_broker.topics import TopicSpec, ensure_topics
from ct_ingest.publisher import EventPublisher

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
async def scratch_topic(kafka_broker: str) -> str:
    await ensure_topics(kafka_broker, (TopicSpec("ingest.publisher.test", 4),))
    return "ingest.publisher.test"


async def test_publish_many_gives_one_outcome_per_item_in_order(
    kafka_broker: str, scratch_topic: str, make_settings: Any, read_records: Any
) -> None:
    publisher = EventPublisher(make_settings(kafka_broker), topic=scratch_topic)
    await publisher.start()
    try:
        items = [(b"k-many-%d" % i, b"v%d" % i) for i in range(50)]

        assert await publisher.publish_many(items) == [None] * 50
        assert await publisher.publish_many([]) == []
    finally:
        await publisher.stop()
    records = await read_records(kafka_broker, {key for key, _ in items}, topic=scratch_topic)
    assert sorted((r.key, r.value) for r in records) == sorted(items)


async def test_a_wedged_producer_is_replaced(
    kafka_broker: str, scratch_topic: str, make_settings: Any
) -> None:
    publisher = EventPublisher(make_settings(kafka_broker), topic=scratch_topic)
    await publisher.start()
    try:
        wedged = publisher._connection.producer
        # aiokafka's sender task does the writing; once it is gone it never comes back.
        wedged._sender.sender_task.cancel()
        await asyncio.sleep(0)

        assert not await publisher.ready()  # also tells the supervisor to look
        deadline = time.monotonic() + 10
        while not await publisher.ready():
            assert time.monotonic() < deadline, "the producer was not replaced"
            await asyncio.sleep(0.05)

        assert publisher._connection.producer is not wedged
        await publisher.publish(b"k-wedged", b"v")
    finally:
        await publisher.stop()
