# mypy: disable-error-code="misc"
"""The faust App the monitor (and the benchmarks' faust baselines) run on: faust's own,
with partition ends that hold on the embedded broker.

faust reads the end of each changelog partition (its "highwater") before it restores a
table, restores up to it, then checks that state it already holds is not ahead of it.
Tansu answers ListOffsets(latest) with the last batch's base offset plus one, short of
the end when that batch holds several records (ct_broker.offsets). So a table would be
restored without the last records of a changelog, and a worker given back a partition it
held before (a second worker joining, then leaving) found its state "ahead" of the
changelog and crashed with ConsistencyError. Here the ends are read the way
ct_broker.offsets reads them, with a group-less consumer of their own: the larger of the
listed offset and the high watermark a fetch reports. On Apache Kafka both agree.

faust's table recovery asks the broker for each changelog's first and last offsets, each
step bounded by ``broker_request_timeout``. When the broker is unreachable meanwhile, the
step fails: a request timeout crashed the worker, and a step timing out is taken for a
stopped service, which ends recovery for good (the worker then idles, consuming nothing).
Here those steps wait for the broker instead, retrying with a capped backoff until it
answers, a new rebalance starts, or the worker stops.

faust also loses records across a rebalance. A fetch can end up in faust's hands after
the consumer was sought back to the committed offsets (or records are fetched, then left
undelivered because the flow stopped or the partition was paused): the next record faust
sees lies beyond the next one expected. faust takes such a jump for a gap in the log
(compaction, transaction markers) and commits over it, so the records in between are
never processed by anyone. The scale-out test (#5) lost hundreds of stage-2 records this
way. Our input topics have no gaps, so here a jump on a topic whose offsets are committed
is refused: the partition is sought back to the offset expected and read again
(:class:`OffsetGuard`). A partition nobody has committed yet resumes at its first
offset (the consumer reads from the earliest): faust then commits whatever run of offsets
was acked first, so records fetched and dropped before it were lost unless the guard
expects that first offset too (#5, a worker joining before the first commit).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import faust
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError, KafkaTimeoutError
from faust.tables import TableManager
from faust.tables.recovery import Recovery
from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.types import TP, ConsumerT

from ct_broker.offsets import end_offsets

log = logging.getLogger("ct_sla_monitor")

#: the first and the longest pause between two tries of a recovery step
RETRY_FIRST_S, RETRY_MAX_S = 0.5, 5.0


def transient(exc: BaseException) -> bool:
    """A broker error worth trying again: it was unreachable or too slow to answer."""
    return isinstance(exc, KafkaTimeoutError) or (
        isinstance(exc, KafkaError) and bool(getattr(exc, "retriable", False))
    )


async def until_answered(step: Callable[[], Awaitable[None]], what: str) -> None:
    """Run ``step`` until it no longer fails for want of the broker."""
    pause = RETRY_FIRST_S
    while True:
        try:
            await step()
            return
        except Exception as exc:
            if not transient(exc):
                raise
            log.warning(
                "table recovery: %s waits for the broker (%s); trying again in %.1f s",
                what,
                type(exc).__name__,
                pause,
            )
        await asyncio.sleep(pause)
        pause = min(pause * 2, RETRY_MAX_S)


async def true_ends(bootstrap_servers: list[str], partitions: list[TP]) -> dict[TP, int]:
    """The end offset of each of ``partitions``, read with a consumer of its own."""
    probe = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers, group_id=None, enable_auto_commit=False
    )
    try:
        await probe.start()
        tps = [TopicPartition(tp.topic, tp.partition) for tp in partitions]
        ends = await end_offsets(probe, tps)
    finally:
        await probe.stop()
    return {TP(tp.topic, tp.partition): end for tp, end in ends.items()}


class OffsetGuard:
    """The next offset expected on each partition, and whether a record may be delivered.

    A record beyond the next one expected on a partition whose offsets are committed
    (faust's "acks enabled" topics: the agents' inputs, not the changelogs, which are
    compacted) means records were fetched and dropped; it is refused, and the partition
    must be read again from the offset expected."""

    def __init__(self) -> None:
        self.expected: dict[Any, int] = {}
        #: where each partition resumed at the last seek of every partition
        self.resumed: dict[Any, int] = {}

    def sought(self, tp: Any, offset: int | None) -> None:
        """The partition was sought to ``offset`` (None: unknown, take what comes)."""
        if offset is None or offset < 0:
            self.expected.pop(tp, None)
        else:
            self.expected[tp] = offset

    def reset(self, offsets: Mapping[Any, int | None]) -> None:
        """Every partition was sought: ``offsets`` are where each reads next."""
        self.expected.clear()
        self.resumed = {tp: o for tp, o in offsets.items() if o is not None and o >= 0}
        for tp, offset in offsets.items():
            self.sought(tp, offset)

    def admit(self, tp: Any, offset: int, committed: bool) -> int | None:
        """None when the record at ``offset`` may be delivered (and is then expected to
        be followed by ``offset + 1``); else the offset to read ``tp`` again from."""
        want = self.expected.get(tp)
        if committed and want is not None and offset > want:
            return want
        self.expected[tp] = offset + 1
        return None


def resume_offsets(
    committed: Mapping[Any, int | None], first: Mapping[Any, int | None]
) -> dict[Any, int | None]:
    """Where each partition reads next after a seek to the committed offsets: its
    committed offset, or, for one with none (faust keeps a committed 0 as none too), its
    first offset, where the consumer starts reading it (``first``; None: not known)."""
    offsets: dict[Any, int | None] = {tp: o for tp, o in committed.items() if o}
    for tp, offset in first.items():
        if not offsets.get(tp):
            offsets[tp] = offset
    return offsets


def not_done_before(start: int | None, acked: list[int]) -> bool:
    """Whether records between where a partition resumed (``start``) and the first
    acked offset are still to be done: nothing may be committed then."""
    return start is not None and bool(acked) and min(acked) > start


class _ConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
    async def _highwaters(self, partitions: list[TP]) -> Mapping[TP, int]:
        listed: Mapping[TP, int] = await super()._highwaters(partitions)
        if not partitions or self.consumer.in_transaction:
            return listed
        transport = self.transport
        assert isinstance(transport, faust_aiokafka.Transport)
        servers = faust_aiokafka.server_list(transport.url, transport.default_port)
        ends = await true_ends(servers, list(partitions))
        return {tp: max(listed.get(tp, 0), ends.get(tp, 0)) for tp in partitions}


class _Consumer(faust_aiokafka.Consumer):
    _guard: OffsetGuard | None = None

    @property
    def guard(self) -> OffsetGuard:
        if self._guard is None:
            self._guard = OffsetGuard()
        return self._guard

    def _new_consumer_thread(self) -> faust_aiokafka.AIOKafkaConsumerThread:
        return _ConsumerThread(self, loop=self.loop, beacon=self.beacon)

    def committed_offset(self, tp: Any) -> int | None:
        """The offset ``tp`` resumes from: its committed offset, or, with none, where
        it resumed at the last seek (its first offset). None: not known."""
        offset: int | None = self._committed_offset.get(tp)
        return offset if offset else self.guard.resumed.get(tp)

    async def perform_seek(self) -> None:
        await super().perform_seek()
        acks_enabled_for = self.app.topics.acks_enabled_for
        uncommitted = [
            tp
            for tp in self.assignment()
            if acks_enabled_for(tp.topic) and not self._committed_offset.get(tp)
        ]
        first: Mapping[TP, int | None] = {}
        if uncommitted:
            try:
                first = await self.earliest_offsets(*uncommitted)
            except Exception as exc:
                if not transient(exc):
                    raise
                log.warning(
                    "the first offsets of %d partitions are unknown (%s): a record "
                    "dropped before the first delivered one would not be read again",
                    len(uncommitted),
                    type(exc).__name__,
                )
        self.guard.reset(resume_offsets(self._committed_offset, first))

    async def seek(self, partition: TP, offset: int) -> None:
        await super().seek(partition, offset)
        self.guard.sought(partition, offset)

    def _new_offset(self, tp: TP) -> int | None:
        # faust commits the first run of acked offsets even when it does not start where
        # the partition resumed (it skips that check when nothing was committed, and lets
        # one missing record through otherwise): never commit over records not done
        if not_done_before(self.committed_offset(tp), self._acked[tp]):
            return None
        offset: int | None = super()._new_offset(tp)
        return offset

    async def _add_gap(self, tp: TP, offset_from: int, offset_to: int) -> None:
        # faust counts a jump in a committed topic's offsets as done (a compacted or
        # transactional log has gaps); ours have none, so a jump means records faust
        # dropped: never commit over them (the guard reads them again)
        if not self.app.topics.acks_enabled_for(tp.topic):
            await super()._add_gap(tp, offset_from, offset_to)

    async def getmany(self, timeout: float) -> Any:
        refetching: set[TP] = set()
        acks_enabled_for = self.app.topics.acks_enabled_for
        async for tp, message in super().getmany(timeout):
            if tp in refetching:
                continue
            again = self.guard.admit(tp, message.offset, acks_enabled_for(message.topic))
            if again is not None:
                log.warning(
                    "%s[%d]: records %d-%d were fetched but never delivered; reading them again",
                    tp.topic,
                    tp.partition,
                    again,
                    message.offset - 1,
                )
                refetching.add(tp)
                await self.seek(tp, again)
                continue
            yield tp, message


class _Transport(faust_aiokafka.Transport):
    Consumer = _Consumer


class _Recovery(Recovery):
    async def _wait(self, coro: Any, timeout: Any = None) -> None:
        # no timeout: a step that waits for the broker ends when it answers, a rebalance
        # starts again, or the worker stops (each of which _wait still watches)
        await super()._wait(coro, timeout=None)

    async def _build_highwaters(
        self, consumer: ConsumerT, tps: set[TP], destination: Counter[TP], title: str
    ) -> None:
        build = super()._build_highwaters
        await until_answered(lambda: build(consumer, tps, destination, title), f"{title} ends")

    async def _build_offsets(
        self, consumer: ConsumerT, tps: set[TP], destination: Counter[TP], title: str
    ) -> None:
        build = super()._build_offsets
        await until_answered(lambda: build(consumer, tps, destination, title), f"{title} starts")


class _TableManager(TableManager):
    _recovery: Recovery | None = None

    @property
    def recovery(self) -> Recovery:
        if self._recovery is None:
            self._recovery = _Recovery(self.app, self, beacon=self.beacon, loop=self.loop)
        return self._recovery


class App(faust.App):
    """faust.App whose consumer reads partition ends with :func:`true_ends` and whose table
    recovery waits out a broker outage."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("TableManager", _TableManager)
        super().__init__(*args, **kwargs)

    def _new_transport(self) -> Any:
        return _Transport(self.conf.broker_consumer, self)
