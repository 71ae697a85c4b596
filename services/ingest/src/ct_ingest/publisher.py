"""Writing events to Kafka: acknowledged by the broker, or refused with BrokerUnavailable.

:class:`EventPublisher` reports success only once the broker has acknowledged the write
(acks=all). It never reports success for a write that is still only queued. Each call
waits at most ``kafka_request_timeout_s``, because aiokafka alone can wait much longer.
The producer underneath is kept healthy by :class:`~ct_ingest.connection.ProducerConnection`.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from aiokafka.errors import KafkaError

from ct_broker.settings import KafkaSettings
from ct_broker.topics import CONTACT_EVENTS
from ct_ingest.connection import ProducerConnection
from ct_ingest.errors import BrokerUnavailable


class EventPublisher:
    """Publishes keyed records to one topic and says whether the broker acknowledged them."""

    def __init__(self, settings: KafkaSettings, topic: str = CONTACT_EVENTS) -> None:
        self._connection = ProducerConnection(settings, topic)
        self._timeout_s = settings.kafka_request_timeout_s
        self._topic = topic

    async def start(self) -> None:
        """Connect if the broker is there; otherwise keep trying in the background. Never raises."""
        await self._connection.start()

    async def stop(self) -> None:
        """Stop reconnecting; close the producer, flushing what it holds (bounded)."""
        await self._connection.stop()

    async def ready(self) -> bool:
        """Connected, and the broker answers a metadata request now and has the topic."""
        return await self._connection.ready()

    async def publish(self, key: bytes, value: bytes) -> None:
        """Write one record; return once the broker acknowledged it, else BrokerUnavailable."""
        [outcome] = await self.publish_many([(key, value)])
        if outcome is not None:
            raise outcome

    async def publish_many(self, items: list[tuple[bytes, bytes]]) -> list[BaseException | None]:
        """Send all records, then await all acknowledgements (bounded, together).

        Per item, in order: None once acknowledged, else a :class:`BrokerUnavailable`.
        """
        if not items:
            return []
        producer = self._connection.producer
        if producer is None:
            return [BrokerUnavailable("not connected to the broker") for _ in items]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._timeout_s
        outcomes: list[BaseException | None] = [None] * len(items)
        futures: dict[int, asyncio.Future[Any]] = {}
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout_at(deadline):
                for index, (key, value) in enumerate(items):
                    try:
                        futures[index] = await producer.send(self._topic, value=value, key=key)
                    except KafkaError as exc:
                        outcomes[index] = _unavailable(exc)
        if futures:
            await asyncio.wait(futures.values(), timeout=max(0.0, deadline - loop.time()))
        for index in range(len(items)):
            future = futures.get(index)
            if future is not None:
                outcomes[index] = _outcome(future, self._timeout_s)
            elif outcomes[index] is None:
                outcomes[index] = BrokerUnavailable("could not queue the record in time")
        failed = sum(1 for outcome in outcomes if outcome is not None)
        self._connection.record(acknowledged=len(items) - failed, failed=failed)
        return outcomes


def _outcome(future: asyncio.Future[Any], timeout_s: float) -> BrokerUnavailable | None:
    if not future.done():
        future.add_done_callback(_consume)
        return BrokerUnavailable(f"no acknowledgement within {timeout_s:g}s")
    if future.cancelled():
        return BrokerUnavailable("the write was cancelled")
    exc = future.exception()
    return None if exc is None else _unavailable(exc)


def _unavailable(exc: BaseException) -> BrokerUnavailable:
    error = BrokerUnavailable(f"kafka: {type(exc).__name__}")
    error.__cause__ = exc
    return error


def _consume(future: asyncio.Future[Any]) -> None:
    """Retrieve a late failure, so asyncio does not log it as never retrieved."""
    if not future.cancelled():
        future.exception()
