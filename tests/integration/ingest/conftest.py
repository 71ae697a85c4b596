"""Ingest against a real broker: settings, a started publisher, an HTTP client, a topic reader.

The app is driven through ``httpx.ASGITransport``, which does not run the lifespan, so the
publisher is started and stopped here. ``test_ingest_server`` runs the real uvicorn server.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.structs import ConsumerRecord, TopicPartition

from ct_broker.topics import CONTACT_EVENTS, ensure_topics, pipeline_topics
from ct_ingest.api import create_ingest_api
from ct_ingest.publisher import EventPublisher
from ct_ingest.settings import IngestSettings

SettingsFactory = Callable[..., IngestSettings]
EventFactory = Callable[..., dict[str, Any]]
IngestFactory = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]
RecordReader = Callable[..., Awaitable[list[ConsumerRecord[bytes, bytes]]]]


@pytest.fixture(scope="session")
def contact_topic(kafka_broker: str) -> str:
    """The pipeline's topics exist on the session broker; returns contact.events.v1."""
    asyncio.run(ensure_topics(kafka_broker, pipeline_topics()))
    return CONTACT_EVENTS


@pytest.fixture
def make_settings() -> SettingsFactory:
    """Settings with small limits and a 2 s broker timeout, so failures come quickly."""

    def make(bootstrap: str, **overrides: Any) -> IngestSettings:
        values: dict[str, Any] = {
            "kafka_bootstrap_servers": bootstrap,
            "kafka_request_timeout_s": 2.0,
            "max_body_bytes": 16_384,
            "max_batch_events": 20,
            "retry_after_s": 7,
        }
        return IngestSettings(**(values | overrides))

    return make


@pytest.fixture
def make_event() -> EventFactory:
    """A valid call.queued event with fresh ids; keyword arguments override fields."""

    def make(**overrides: Any) -> dict[str, Any]:
        event = {
            "event_id": f"e-{uuid.uuid4()}",
            "type": "call.queued",
            "occurred_at": "2026-03-29T02:30:00+02:00",
            "contact_id": f"c-{uuid.uuid4()}",
            "channel": "phone",
            "queue": "council_tax",
            "service_type": "council_tax",
            "source": "pbx-1",
        }
        return event | overrides

    return make


@pytest.fixture
def open_ingest() -> IngestFactory:
    """Start a publisher for ``settings``, yield a client of the app, stop the publisher.
    Keyword arguments go to :func:`create_ingest_api` (a registry, a gatekeeper)."""

    @asynccontextmanager
    async def open_(settings: IngestSettings, **app_args: Any) -> AsyncIterator[httpx.AsyncClient]:
        publisher = EventPublisher(settings)
        await publisher.start()
        try:
            app = create_ingest_api(settings, publisher, **app_args)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://ingest", timeout=15
            ) as client:
                yield client
        finally:
            await publisher.stop()

    return open_


@pytest.fixture
async def client(
    kafka_broker: str,
    contact_topic: str,
    make_settings: SettingsFactory,
    open_ingest: IngestFactory,
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of ingest publishing to the session broker, ready to accept events."""
    async with open_ingest(make_settings(kafka_broker)) as ingest:
        assert (await ingest.get("/readyz")).status_code == 200
        yield ingest


@pytest.fixture
def read_records() -> RecordReader:
    """The records on contact.events.v1 (or ``topic=``) whose key is one of ``keys`` (None:
    any key): all of them up to the end offsets, or, with ``expect=n``, once ``n`` are found."""
    return records_with_keys


async def records_with_keys(
    bootstrap: str,
    keys: set[bytes] | None,
    *,
    expect: int | None = None,
    topic: str = CONTACT_EVENTS,
) -> list[ConsumerRecord[bytes, bytes]]:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        await consumer.topics()  # loads the metadata
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        end = await consumer.end_offsets(partitions)
        found: list[ConsumerRecord[bytes, bytes]] = []
        async with asyncio.timeout(10):
            while len(found) < (expect or 0) or (
                expect is None and [p for p in partitions if await consumer.position(p) < end[p]]
            ):
                batches = await consumer.getmany(timeout_ms=200)
                found += [r for rs in batches.values() for r in rs if keys is None or r.key in keys]
        return found
    finally:
        await consumer.stop()
