"""Records handed to an agent strictly in offset order per partition.

Around a rebalance faust can deliver records out of order: records fetched before the
consumer was sought back to the committed offsets are dropped from faust's buffers
(``flow_control.clear()``), while a later fetch already under way is still delivered, so
an agent sees offsets 217-271 of a partition before 127-216, which are read again after.
Stage 2 skips a message whose source offset is at or below the highest it applied (a
redelivery after a crash), so applying 217-271 first made it drop 127-216 as "already
applied": figures were lost when a worker joined and left (#5).

:class:`InOrder` admits a record only if it is the next one expected on its partition
(or an older one: a redelivery, which the stages handle as such); a record beyond it is
refused. A refused record is marked as handled without being acknowledged, so its offset
is not committed: the same records arrive again, in order, after faust's seek at the end of
the rebalance. Records can also come out of order just after that seek (a fetch in flight
across it), when no other seek follows: the partition would stall there, nothing committed
and nothing read again (seen once in #5, a partition's last 126 records). So the agent
seeks such a partition back to the next offset it expects (:func:`read_again`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

log = logging.getLogger("ct_sla_monitor")


class InOrder:
    """The next offset an agent expects on each partition it reads."""

    def __init__(self, committed: Callable[[Any], int | None]) -> None:
        #: where a partition resumes after a rebalance (its committed offset), if known
        self._committed = committed
        self._next: dict[Any, int] = {}
        self._refused: dict[Any, int] = {}  # partitions with records refused: offset expected

    def reset(self) -> None:
        """Forget the expectations (the partitions were reassigned and sought again)."""
        self._next.clear()
        self._refused.clear()

    def admit(self, tp: Any, offset: int) -> bool:
        """Whether the record at ``offset`` of ``tp`` may be handled now."""
        want = self._next.get(tp)
        if want is None:
            want = self._committed(tp)
        if want is not None and offset > want:
            self._refused[tp] = want
            return False
        self._next[tp] = offset + 1 if want is None else max(want, offset + 1)
        return True

    def take_refused(self) -> dict[Any, int]:
        """The partitions with records refused since the last call, each with the next
        offset expected (where to read it again from)."""
        refused, self._refused = self._refused, {}
        return refused


async def read_again(order: InOrder, app: Any) -> None:
    """Seek every partition whose records ``order`` refused back to the next offset it
    expects, unless a rebalance is under way (it ends with a seek of its own) or the
    partition is no longer assigned here."""
    refused = order.take_refused()
    if not refused or app.rebalancing:
        return
    consumer = app.consumer
    assigned = consumer.assignment()
    for tp, offset in refused.items():
        if tp in assigned:
            log.warning(
                "%s[%d]: reading again from %d, the record expected next",
                tp.topic,
                tp.partition,
                offset,
            )
            await consumer.seek(tp, offset)


def refuse(event: Any) -> None:
    """Leave ``event`` unhandled and uncommitted: faust will not ack it (nor commit its
    offset) when its batch ends; the record is read again after the seek."""
    event.message.acked = True


def committed_of(app: Any) -> Callable[[Any], int | None]:
    """Where a partition resumes after a rebalance, from our consumer (None elsewhere)."""

    def committed(tp: Any) -> int | None:
        offset_of = getattr(app.consumer, "committed_offset", None)
        return None if offset_of is None else offset_of(tp)

    return committed


def in_order(order: InOrder, batch: Sequence[Any]) -> list[Any]:
    """The batch's events that come in order; the others are refused (read again)."""
    admitted = []
    for event in batch:
        if order.admit(event.message.tp, event.message.offset):
            admitted.append(event)
        else:
            refuse(event)
    if len(admitted) < len(batch):
        log.warning(
            "%d records handed over out of order around a rebalance; they are read again",
            len(batch) - len(admitted),
        )
    return admitted


@contextmanager
def unacked_if_stopped(batch: Sequence[Any]) -> Iterator[None]:
    """Around an agent's work on ``batch``: if the agent is stopped mid-way (shutdown),
    the batch is left unacknowledged. faust would ack it as the agent unwinds and the
    stopping consumer would commit it unfinished; this way it is read again."""
    try:
        yield
    except asyncio.CancelledError:
        for event in batch:
            refuse(event)
        raise
