"""Follows the output topics from the beginning into the aggregator's stores.

The aggregator joins no consumer group: every replica reads every partition, so a
restarted aggregator rebuilds the same figures from the topics.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition

log = logging.getLogger("ct_aggregator")

Handler = Callable[[dict[str, Any]], object]
#: how long the broker may hold an empty fetch: the wallboard's latency, hop by hop
FETCH_MAX_WAIT_MS = 100


class MetricsReader:
    """Background task that feeds each record of each topic to that topic's handler."""

    def __init__(self, bootstrap_servers: str, handlers: Mapping[str, Handler]):
        self._bootstrap = bootstrap_servers
        self._handlers = dict(handlers)
        self._task: asyncio.Task[None] | None = None
        self.connected = False
        self.records = 0

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="metrics-reader")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        while True:
            consumer = AIOKafkaConsumer(
                bootstrap_servers=self._bootstrap,
                group_id=None,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                fetch_max_wait_ms=FETCH_MAX_WAIT_MS,
            )
            try:
                await consumer.start()
                partitions = [
                    tp for topic in self._handlers for tp in await self._partitions(consumer, topic)
                ]
                consumer.assign(partitions)
                await consumer.seek_to_beginning(*partitions)
                self.connected = True
                while True:
                    batches = await consumer.getmany(timeout_ms=500, max_records=1000)
                    for tp, records in batches.items():
                        handler = self._handlers[tp.topic]
                        for record in records:
                            self._apply(handler, record.value)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # broker gone: reconnect from the start of the topics
                log.warning("reader lost the broker (%s); retrying", type(exc).__name__)
                self.connected = False
                await asyncio.sleep(1.0)
            finally:
                await consumer.stop()

    async def _partitions(self, consumer: AIOKafkaConsumer, topic: str) -> list[TopicPartition]:
        for _ in range(100):
            await consumer.topics()
            found = consumer.partitions_for_topic(topic)
            if found:
                return [TopicPartition(topic, p) for p in sorted(found)]
            await asyncio.sleep(0.2)
        raise RuntimeError(f"topic {topic} not found")

    def _apply(self, handler: Handler, value: bytes | None) -> None:
        if value is None:
            return
        try:
            handler(orjson.loads(value))
            self.records += 1
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            log.warning("skipped a malformed record")
