"""The archiver: follows a topic with a group-less consumer (manual assignment, so it never
joins, or disturbs, the live consumer group) and commits what it read to the archive
every ``flush_records`` records or ``flush_seconds`` seconds.

Where to start is read from the archive's own files, never from a committed group offset:
each partition resumes at the offset after its last archived one (a partition never archived
starts at the beginning of the log).
"""

from __future__ import annotations

import asyncio
import logging

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord

from ct_aggregator.archive_format import ArchivedRecord
from ct_aggregator.archive_settings import ArchiveSettings
from ct_aggregator.archive_store import ArchiveError, ArchiveStore

log = logging.getLogger("ct_aggregator.archive")

#: how often the archiver looks for partitions added to the topic
PARTITION_REFRESH_S = 30.0
#: the longest one fetch waits, so a stop request is seen promptly
POLL_MS = 200
#: how long a restart may take to read back each partition's last archived record
READ_BACK_S = 15.0


class Archiver:
    """Copies every record of ``settings.topic`` into ``store`` (opened by the caller)."""

    def __init__(self, settings: ArchiveSettings, store: ArchiveStore) -> None:
        self.settings = settings
        self.store = store
        self.archived = 0
        self._buffer: list[ArchivedRecord] = []
        self._first_buffered_at: float | None = None
        self._next: dict[int, int] = {}
        self._check: dict[int, ArchivedRecord] = {}
        self._check_until = 0.0

    async def run(self, stop: asyncio.Event) -> None:
        """Archive until ``stop`` is set, then flush what is buffered."""
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.settings.kafka_bootstrap_servers,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            fetch_max_wait_ms=POLL_MS,
        )
        await consumer.start()
        try:
            partitions = await self._wait_for_partitions(consumer, stop)
            if partitions:
                await self._assign(consumer, partitions)
                await self._follow(consumer, stop)
        finally:
            self.flush()
            await consumer.stop()

    async def _wait_for_partitions(
        self, consumer: AIOKafkaConsumer, stop: asyncio.Event
    ) -> list[int]:
        waited = False
        while not stop.is_set():
            await consumer.topics()
            found = consumer.partitions_for_topic(self.settings.topic)
            if found:
                return sorted(found)
            if not waited:
                log.info("waiting for topic %s to exist", self.settings.topic)
                waited = True
            await asyncio.sleep(0.5)
        return []

    async def _assign(self, consumer: AIOKafkaConsumer, partitions: list[int]) -> None:
        """Assign ``partitions`` and seek each to the offset after its last archived one."""
        tps = [TopicPartition(self.settings.topic, p) for p in partitions]
        consumer.assign(tps)
        begins = await consumer.beginning_offsets(tps)
        archived = self.store.positions()
        self._check = self.store.last_records()
        self._check_until = asyncio.get_running_loop().time() + READ_BACK_S
        for tp in tps:
            position = self._next.get(tp.partition, archived.get(tp.partition, begins[tp]))
            if position < begins[tp]:
                log.error(
                    "partition %d: offsets %d-%d were deleted before they were archived",
                    tp.partition,
                    position,
                    begins[tp] - 1,
                )
                position = begins[tp]
            self._next[tp.partition] = position
            if tp.partition in self._check and position - 1 < begins[tp]:
                del self._check[tp.partition]  # deleted: nothing to read back
            consumer.seek(tp, position - (tp.partition in self._check))
        log.info(
            "archiving %s into %s from %s",
            self.settings.topic,
            self.store.data_dir,
            ", ".join(f"{p}:{o}" for p, o in sorted(self._next.items())),
        )

    async def _follow(self, consumer: AIOKafkaConsumer, stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        refresh_at = loop.time() + PARTITION_REFRESH_S
        while not stop.is_set():
            batches = await consumer.getmany(
                timeout_ms=POLL_MS, max_records=self.settings.flush_records
            )
            for tp, records in batches.items():
                for record in records:
                    self._add(tp.partition, record)
            self._check_read_back()
            if len(self._buffer) >= self.settings.flush_records or (
                self._first_buffered_at is not None
                and loop.time() - self._first_buffered_at >= self.settings.flush_seconds
            ):
                self.flush()
            if loop.time() >= refresh_at:
                refresh_at = loop.time() + PARTITION_REFRESH_S
                await consumer.topics()
                found = sorted(consumer.partitions_for_topic(self.settings.topic) or ())
                if len(found) > len(self._next):
                    self.flush()  # so the read-back check meets the last archived records
                    await self._assign(consumer, found)

    def _add(self, partition: int, record: ConsumerRecord[bytes, bytes]) -> None:
        offset = record.offset
        expected = self._next.get(partition, 0)
        if partition in self._check:
            self._read_back(self._check.pop(partition), record)
            return
        if offset < expected:
            return  # fetched twice: archived already
        if offset > expected:
            log.warning(
                "partition %d: offsets %d-%d are not in the log", partition, expected, offset - 1
            )
        self._next[partition] = offset + 1
        if self._first_buffered_at is None:
            self._first_buffered_at = asyncio.get_running_loop().time()
        self._buffer.append(
            ArchivedRecord(
                topic=self.settings.topic,
                partition=partition,
                offset=offset,
                timestamp=max(0, int(record.timestamp)),
                key=record.key,
                value=record.value,
                headers=tuple(record.headers or ()),
            )
        )

    def _read_back(self, archived: ArchivedRecord, record: ConsumerRecord[bytes, bytes]) -> None:
        """The record before the resume position must be the last one archived: otherwise
        this is not the log the archive holds (a topic re-created, a broker's memory lost)."""
        found = (record.offset, record.timestamp, record.key, record.value)
        if found != (archived.offset, archived.timestamp, archived.key, archived.value):
            raise ArchiveError(
                f"partition {archived.partition}: offset {archived.offset} in the topic is not "
                "the record archived there: this is not the log the archive holds (an "
                "in-memory broker restarted?); use another data directory"
            )

    def _check_read_back(self) -> None:
        if self._check and asyncio.get_running_loop().time() > self._check_until:
            partition, archived = next(iter(sorted(self._check.items())))
            raise ArchiveError(
                f"partition {partition}: offset {archived.offset}, the last one archived, "
                f"cannot be read back from the topic in {READ_BACK_S:.0f} s: this is not the "
                "log the archive holds (an in-memory broker restarted?); use another data "
                "directory"
            )

    def flush(self) -> None:
        """Commit the buffered records to the archive (one atomic flush)."""
        if not self._buffer:
            return
        self.store.commit(self._buffer)
        self.archived += len(self._buffer)
        log.debug("flushed %d records (%d in all)", len(self._buffer), self.archived)
        self._buffer = []
        self._first_buffered_at = None
