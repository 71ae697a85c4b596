"""Pipeline health read from Kafka: the sla_monitor's consumer lag and the dead letters.

A background task follows ``contact.events.dlq.v1`` from the start, without a consumer
group, counting records by their ``ct-reason`` header. Every few seconds it compares the
committed offsets of the sla_monitor's consumer group (``ct-sla-monitor``) on its input
topics with their end offsets. A partition with records waiting whose committed offset has
not moved for ``stall_after_s`` is *stalled*: its consumer is stuck or gone (faust workers
can die silently), and ``/readyz`` says so. :class:`PipelineHealthCollector` exposes all of
it to Prometheus; ``GET /v1/dlq/stats`` (:mod:`ct_aggregator.dlq_routes`) serves the
dead-letter counts.

Labels stay bounded: reasons outside :data:`KNOWN_REASONS` count as ``other``; topics and
partitions are the pipeline's own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from ct_broker.offsets import end_offsets
from ct_broker.topics import CALL_OUTCOMES, CONTACT_EVENTS, CONTACT_EVENTS_DLQ

log = logging.getLogger("ct_aggregator")

#: The sla_monitor's consumer group (its faust app id, ``CT_MONITOR_APP_ID``).
MONITOR_GROUP = "ct-sla-monitor"
#: The topics the sla_monitor consumes: events (stage 1) and outcomes (stage 2).
LAG_TOPICS = (CONTACT_EVENTS, CALL_OUTCOMES)
#: Reasons the pipeline writes in ``ct-reason``; anything else is counted as ``other``.
KNOWN_REASONS = frozenset({"invalid_event", "processing_error"})
REASON_HEADER = "ct-reason"


def dlq_reason(headers: Iterable[tuple[str, bytes]] | None) -> str:
    """The bounded reason label of a dead-letter record: its ``ct-reason`` header when
    known, ``other`` for an unknown one, ``missing`` without one."""
    for name, value in headers or ():
        if name == REASON_HEADER:
            reason = bytes(value or b"").decode("utf-8", "replace")
            return reason if reason in KNOWN_REASONS else "other"
    return "missing"


def partition_lag(end: int, committed: int, beginning: int = 0) -> int:
    """Records of a partition the group has not consumed yet. ``committed`` < 0 means the
    group has no offset there: it will start from ``beginning`` (auto offset reset earliest)."""
    start = committed if committed >= 0 else beginning
    return max(0, end - max(start, beginning))


@dataclass(slots=True)
class PipelineHealth:
    """What the reader has seen so far; read at scrape and request time."""

    dlq_by_reason: dict[str, int] = field(default_factory=dict)
    dlq_last_at: datetime | None = None
    #: (group, topic, partition) -> records not yet consumed
    lag: dict[tuple[str, str, int], int] = field(default_factory=dict)
    #: the last read of both the lag and the dead-letter topic succeeded
    up: bool = False
    #: (group, topic, partition) -> seconds its committed offset has not moved with lag > 0,
    #: for the partitions stalled past the threshold
    stalled: dict[tuple[str, str, int], float] = field(default_factory=dict)

    def stall_report(self) -> list[dict[str, Any]]:
        """The stalled partitions, for ``/readyz``: topic, partition, lag and how long."""
        return [
            {
                "group": group,
                "topic": topic,
                "partition": partition,
                "lag": self.lag.get((group, topic, partition), 0),
                "stalled_s": round(seconds, 1),
            }
            for (group, topic, partition), seconds in sorted(self.stalled.items())
        ]

    def count_dead_letter(self, headers: Iterable[tuple[str, bytes]] | None, at: datetime) -> None:
        """Count one dead-letter record written at ``at``."""
        reason = dlq_reason(headers)
        self.dlq_by_reason[reason] = self.dlq_by_reason.get(reason, 0) + 1
        if self.dlq_last_at is None or at > self.dlq_last_at:
            self.dlq_last_at = at

    def dlq_stats(self) -> dict[str, Any]:
        """Dead-letter counts as published by ``GET /v1/dlq/stats``."""
        return {
            "total": sum(self.dlq_by_reason.values()),
            "by_reason": dict(sorted(self.dlq_by_reason.items())),
            "last_record_at": None if self.dlq_last_at is None else self.dlq_last_at.isoformat(),
            "reading": self.up,
        }


class PipelineHealthReader:
    """Background task keeping a :class:`PipelineHealth` current; reconnects by itself."""

    def __init__(
        self,
        bootstrap_servers: str,
        *,
        group: str = MONITOR_GROUP,
        lag_topics: Sequence[str] = LAG_TOPICS,
        dlq_topic: str = CONTACT_EVENTS_DLQ,
        lag_every_s: float = 2.0,
        stall_after_s: float = 30.0,
    ) -> None:
        self.health = PipelineHealth()
        self._bootstrap = bootstrap_servers
        self._group = group
        self._lag_topics = tuple(lag_topics)
        self._dlq_topic = dlq_topic
        self._lag_every_s = lag_every_s
        self._progress = ProgressWatch(stall_after_s)
        self._positions: dict[TopicPartition, int] = {}
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="pipeline-health")

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
            # reads the partitions' ends (ct_broker.offsets: Tansu under-lists them)
            probe = AIOKafkaConsumer(
                bootstrap_servers=self._bootstrap, group_id=None, enable_auto_commit=False
            )
            admin = AIOKafkaAdminClient(bootstrap_servers=self._bootstrap)
            try:
                await consumer.start()
                await probe.start()
                await admin.start()
                await self._follow(consumer, probe, admin)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # broker gone or topic missing: retry from where we were
                log.warning("pipeline health lost the broker (%s); retrying", type(exc).__name__)
                self.health.up = False
                await asyncio.sleep(1.0)
            finally:
                with contextlib.suppress(Exception):  # a client that never started
                    await consumer.stop()
                with contextlib.suppress(Exception):
                    await probe.stop()
                with contextlib.suppress(Exception):
                    await admin.close()

    async def _follow(
        self, consumer: AIOKafkaConsumer, probe: AIOKafkaConsumer, admin: AIOKafkaAdminClient
    ) -> None:
        # Partitions are looked up once per connection, before assign() narrows the metadata.
        lagging = [tp for topic in self._lag_topics for tp in await _partitions(consumer, topic)]
        dlq = await _partitions(consumer, self._dlq_topic)
        consumer.assign(dlq)
        for tp in dlq:
            if tp in self._positions:
                consumer.seek(tp, self._positions[tp])
            else:
                await consumer.seek_to_beginning(tp)
        loop = asyncio.get_running_loop()
        next_lag = loop.time()
        while True:
            if loop.time() >= next_lag:
                await self._refresh_lag(probe, admin, lagging)
                self.health.up = True
                next_lag = loop.time() + self._lag_every_s
            batches = await consumer.getmany(timeout_ms=500, max_records=1000)
            for tp, records in batches.items():
                for record in records:
                    at = datetime.fromtimestamp(record.timestamp / 1000, UTC)
                    self.health.count_dead_letter(record.headers, at)
                    self._positions[tp] = record.offset + 1

    async def _refresh_lag(
        self,
        probe: AIOKafkaConsumer,
        admin: AIOKafkaAdminClient,
        partitions: list[TopicPartition],
    ) -> None:
        ends = await end_offsets(probe, partitions)
        beginnings = await probe.beginning_offsets(partitions)
        committed = await admin.list_consumer_group_offsets(self._group, partitions=partitions)
        lag: dict[tuple[str, str, int], int] = {}
        positions: dict[tuple[str, str, int], int] = {}
        for tp in partitions:
            offset = committed.get(tp)
            key = (self._group, tp.topic, tp.partition)
            positions[key] = -1 if offset is None else offset.offset
            lag[key] = partition_lag(ends[tp], positions[key], beginnings[tp])
        self.health.lag = lag
        self.health.stalled = self._progress.observe(
            positions, lag, asyncio.get_running_loop().time()
        )


class ProgressWatch:
    """Tells stalled partitions: records waiting (lag > 0) and the committed offset unmoved
    for ``stall_after_s``. Pure: the caller passes the time."""

    def __init__(self, stall_after_s: float) -> None:
        self.stall_after_s = stall_after_s
        self._since: dict[tuple[str, str, int], tuple[int, float]] = {}

    def observe(
        self,
        committed: dict[tuple[str, str, int], int],
        lag: dict[tuple[str, str, int], int],
        now: float,
    ) -> dict[tuple[str, str, int], float]:
        """Record one reading; return each stalled partition with the seconds it has been
        waiting on an offset that does not move."""
        stalled: dict[tuple[str, str, int], float] = {}
        for key, offset in committed.items():
            held = self._since.get(key)
            if held is None or held[0] != offset or lag.get(key, 0) == 0:
                self._since[key] = (offset, now)
                continue
            waited = now - held[1]
            if waited >= self.stall_after_s:
                stalled[key] = waited
        return stalled


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> list[TopicPartition]:
    await consumer.topics()  # refreshes the metadata
    found = consumer.partitions_for_topic(topic)
    if not found:
        raise LookupError(f"topic {topic} not found")
    return [TopicPartition(topic, p) for p in sorted(found)]


class PipelineHealthCollector(Collector):
    """Consumer lag, dead letters by reason, and whether both could be read."""

    def __init__(self, health: PipelineHealth) -> None:
        self._health = health

    def collect(self) -> Iterator[Metric]:
        lag = GaugeMetricFamily(
            "ct_consumer_lag_messages",
            "Records of the topic partition the consumer group has not consumed yet.",
            labels=["group", "topic", "partition"],
        )
        for (group, topic, partition), value in sorted(self._health.lag.items()):
            lag.add_metric([group, topic, str(partition)], float(value))
        dlq = CounterMetricFamily(
            "ct_dlq_records",
            "Records written to the dead-letter topic, by reason (ct-reason header).",
            labels=["reason"],
        )
        for reason, count in sorted(self._health.dlq_by_reason.items()):
            dlq.add_metric([reason], float(count))
        up = GaugeMetricFamily(
            "ct_pipeline_health_up",
            "1 when the last read of the consumer lag and the dead-letter topic succeeded.",
        )
        up.add_metric([], 1.0 if self._health.up else 0.0)
        stalled = GaugeMetricFamily(
            "ct_consumer_stalled",
            "1 while records wait on the partition and the group's committed offset has not "
            "moved for the stall threshold (a stuck or dead consumer).",
            labels=["group", "topic", "partition"],
        )
        for group, topic, partition in sorted(self._health.lag):
            flag = (group, topic, partition) in self._health.stalled
            stalled.add_metric([group, topic, str(partition)], 1.0 if flag else 0.0)
        yield from (lag, dlq, up, stalled)
