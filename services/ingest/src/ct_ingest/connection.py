"""Keeping one healthy Kafka producer, whatever the broker does.

:class:`ProducerConnection` holds at most one started ``AIOKafkaProducer``. A background
supervisor connects it, retrying with backoff, so ingest starts, and answers 503, while
the broker is down. It probes the broker when a write fails, and every few seconds anyway.
It drops the producer when the broker stops answering, or when the producer is wedged,
and builds a fresh one once the broker is back. Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from ct_broker.settings import KafkaSettings

log = logging.getLogger(__name__)

_BACKOFF_MIN_S = 0.1
_BACKOFF_MAX_S = 1.0
#: A metadata probe never waits longer than this, so /readyz answers quickly.
_PROBE_CAP_S = 2.0
#: With no trouble reported, the supervisor still probes the broker this often.
_HEALTH_EVERY_S = 5.0
#: Failed writes in a row, while the broker answers, after which the producer is replaced.
_WEDGED_AFTER = 3

_CONNECT_ERRORS = (KafkaError, OSError, TimeoutError)


class ProducerConnection:
    """The current producer (or None while disconnected), kept healthy in the background."""

    def __init__(self, settings: KafkaSettings, topic: str) -> None:
        self._config = settings.producer_config()
        self._timeout_s = settings.kafka_request_timeout_s
        self._topic = topic
        self._producer: Any = None  # a started AIOKafkaProducer
        self._failures = 0
        self._trouble = asyncio.Event()
        self._supervisor: asyncio.Task[None] | None = None
        self._closing: set[asyncio.Task[None]] = set()

    @property
    def producer(self) -> Any:
        """The started producer, or None while there is no connection."""
        return self._producer

    async def start(self) -> None:
        """Try to connect once, then keep (re)connecting in the background. Never raises."""
        if self._supervisor is None:
            await self._connect()
            self._supervisor = asyncio.create_task(self._supervise(), name="ingest-producer")

    async def stop(self) -> None:
        """Stop reconnecting and close the producer, flushing what it holds (bounded)."""
        supervisor, self._supervisor = self._supervisor, None
        if supervisor is not None:
            supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await supervisor
        if self._producer is not None:
            self._retire(self._producer)
        if self._closing:
            await asyncio.gather(*self._closing)

    async def ready(self) -> bool:
        """Connected, and the broker answers a metadata request now and has the topic."""
        producer = self._producer
        if producer is None:
            return False
        if _sender_alive(producer) and await self._probe(producer):
            return True
        self._trouble.set()
        return False

    def record(self, acknowledged: int, failed: int) -> None:
        """Count a round of writes; any failure makes the supervisor look at the broker."""
        if acknowledged:
            self._failures = 0
        if failed:
            self._failures += 0 if acknowledged else 1
            self._trouble.set()

    async def _supervise(self) -> None:
        backoff = _BACKOFF_MIN_S
        while True:
            producer = self._producer
            if producer is None:
                if await self._connect():
                    backoff = _BACKOFF_MIN_S
                else:
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, _BACKOFF_MAX_S)
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._trouble.wait(), _HEALTH_EVERY_S)
            self._trouble.clear()
            if not await self._probe(producer):
                log.warning("broker unavailable or topic missing; reconnecting in the background")
                self._retire(producer)
            elif not _sender_alive(producer) or self._failures >= _WEDGED_AFTER:
                log.warning("kafka producer is wedged; replacing it")
                self._retire(producer)

    async def _connect(self) -> bool:
        producer = AIOKafkaProducer(**self._config)
        try:
            await asyncio.wait_for(producer.start(), self._timeout_s)
        except _CONNECT_ERRORS as exc:
            log.debug("broker not reachable: %s", type(exc).__name__)
            self._retire(producer)
            return False
        self._producer, self._failures = producer, 0
        log.info("connected to the broker")
        return True

    async def _probe(self, producer: Any) -> bool:
        """The broker answers a metadata request, and it has the topic.

        A restarted in-memory broker has no topics, and a producer that still holds the
        old metadata would write into the void (Tansu acknowledges such writes). A fresh
        producer asks for the topic's metadata before its first write.
        """
        try:
            metadata = await asyncio.wait_for(
                producer.client.fetch_all_metadata(), min(self._timeout_s, _PROBE_CAP_S)
            )
        except _CONNECT_ERRORS:
            return False
        return self._topic in metadata.topics()

    def _retire(self, producer: Any) -> None:
        """Forget the producer now; close it in the background (it may wait for expiry)."""
        if self._producer is producer:
            self._producer = None
        task = asyncio.create_task(self._close(producer))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def _close(self, producer: Any) -> None:
        try:
            await asyncio.wait_for(producer.stop(), 2 * self._timeout_s)
        except _CONNECT_ERRORS as exc:
            log.debug("closing a kafka producer failed: %s", type(exc).__name__)


def _sender_alive(producer: Any) -> bool:
    """aiokafka never restarts a crashed sender task (private API; unknown counts as alive)."""
    task = getattr(getattr(producer, "_sender", None), "sender_task", None)
    return task is None or not task.done()
