"""Consumes ``sla.metrics.v1`` from the beginning into a :class:`SnapshotStore`.

The aggregator joins no consumer group: every replica reads every partition, so a
restarted aggregator rebuilds the same figures from the topic.
"""

from __future__ import annotations

import asyncio
import logging

import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition

from ct_aggregator.snapshots import SnapshotStore
from ct_broker.topics import SLA_METRICS

log = logging.getLogger("ct_aggregator")


class MetricsReader:
    """Background task that follows the metrics topic."""

    def __init__(self, bootstrap_servers: str, store: SnapshotStore, topic: str = SLA_METRICS):
        self._bootstrap = bootstrap_servers
        self._store = store
        self._topic = topic
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
            )
            try:
                await consumer.start()
                partitions = await self._partitions(consumer)
                consumer.assign(partitions)
                await consumer.seek_to_beginning(*partitions)
                self.connected = True
                while True:
                    batches = await consumer.getmany(timeout_ms=500, max_records=1000)
                    for records in batches.values():
                        for record in records:
                            self._apply(record.value)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # broker gone: reconnect from the start of the topic
                log.warning("metrics reader lost the broker (%s); retrying", type(exc).__name__)
                self.connected = False
                await asyncio.sleep(1.0)
            finally:
                await consumer.stop()

    async def _partitions(self, consumer: AIOKafkaConsumer) -> list[TopicPartition]:
        for _ in range(100):
            await consumer.topics()
            found = consumer.partitions_for_topic(self._topic)
            if found:
                return [TopicPartition(self._topic, p) for p in sorted(found)]
            await asyncio.sleep(0.2)
        raise RuntimeError(f"topic {self._topic} not found")

    def _apply(self, value: bytes | None) -> None:
        if value is None:
            return
        try:
            self._store.update(orjson.loads(value))
            self.records += 1
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            log.warning("skipped a malformed metrics record")
