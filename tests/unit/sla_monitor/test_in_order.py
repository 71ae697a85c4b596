"""Records reach the agents in offset order per partition, across a rebalance: the
consumer refuses a jump past the next expected offset (faust would commit over it), and
an agent refuses a record beyond the next it expects (faust dropped the ones before it
from its buffers; applied first, they made stage 2 skip those as already applied). Both
were seen in the scale-out test (#5); these are the rules, table-driven."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from faust.types import TP

from ct_sla_monitor.faust_app import OffsetGuard, not_done_before, resume_offsets
from ct_sla_monitor.in_order import InOrder, refuse

P0, P1 = ("t", 0), ("t", 1)


@pytest.mark.parametrize(
    ("case", "committed", "offsets", "admitted"),
    [
        ("in-order-from-committed", 10, [10, 11, 12], [10, 11, 12]),
        ("a-jump-is-refused-until-the-gap-is-read", 10, [12, 13, 10, 11, 12, 13], [10, 11, 12, 13]),
        ("older-records-are-redeliveries", 10, [8, 9, 10], [8, 9, 10]),
        ("nothing-committed-takes-the-first", None, [5, 6, 8, 7, 8], [5, 6, 7, 8]),
        ("a-redelivery-does-not-move-back", 10, [10, 11, 5, 12], [10, 11, 5, 12]),
    ],
)
def test_an_agent_admits_records_in_offset_order(
    case: str, committed: int | None, offsets: list[int], admitted: list[int]
) -> None:
    order = InOrder(lambda tp: committed)
    assert [o for o in offsets if order.admit(P0, o)] == admitted, case


def test_partitions_are_ordered_apart_and_a_reset_reads_the_committed_offset_again() -> None:
    committed = {P0: 100, P1: 7}
    order = InOrder(committed.get)
    assert order.admit(P0, 100) and order.admit(P1, 7) and order.admit(P0, 101)
    assert not order.admit(P1, 9)
    committed[P0] = 50  # another worker held the partition and committed up to 50
    assert order.admit(P0, 40)  # older than the 102 expected: a redelivery
    assert not order.admit(P0, 103)  # still expecting 102 until the reset
    order.reset()
    assert not order.admit(P0, 60) and order.admit(P0, 50) and order.admit(P0, 51)


def test_a_refused_record_is_neither_acked_nor_committed() -> None:
    message = SimpleNamespace(acked=False)
    refuse(SimpleNamespace(message=message))
    assert message.acked  # faust's ack is then a no-op: the offset never reaches a commit


@pytest.mark.parametrize(
    ("case", "sought", "records", "decisions"),
    [
        ("contiguous", 10, [(10, True), (11, True)], [None, None]),
        ("jump-after-a-seek", 10, [(15, True)], [10]),
        ("jump-after-reading", 10, [(10, True), (12, True)], [None, 11]),
        ("changelogs-may-have-gaps", 10, [(15, False), (20, False)], [None, None]),
        ("unknown-start-takes-the-first", None, [(15, True), (16, True)], [None, None]),
        ("an-older-record-moves-the-expectation", 10, [(4, True), (5, True)], [None, None]),
    ],
)
def test_the_consumer_refuses_a_jump_on_a_committed_topic(
    case: str, sought: int | None, records: list[tuple[int, bool]], decisions: list[int | None]
) -> None:
    guard = OffsetGuard()
    guard.sought(P0, sought)
    assert [guard.admit(P0, offset, committed) for offset, committed in records] == decisions, case


def test_a_seek_of_every_partition_replaces_the_expectations() -> None:
    guard = OffsetGuard()
    assert guard.admit(P0, 40, True) is None and guard.admit(P1, 3, True) is None
    guard.reset({P0: 20, P1: None})
    assert guard.admit(P0, 41, True) == 20  # read again from the committed offset
    assert guard.admit(P1, 99, True) is None  # nothing committed: whatever comes first


async def test_a_batch_stopped_mid_way_is_left_unacknowledged() -> None:
    import asyncio

    from ct_sla_monitor.in_order import unacked_if_stopped

    done = [SimpleNamespace(message=SimpleNamespace(acked=False)) for _ in range(2)]
    with unacked_if_stopped(done):
        pass
    assert not any(e.message.acked for e in done)  # finished: faust acks it as usual
    stopped = [SimpleNamespace(message=SimpleNamespace(acked=False)) for _ in range(2)]
    with pytest.raises(asyncio.CancelledError), unacked_if_stopped(stopped):
        raise asyncio.CancelledError
    assert all(e.message.acked for e in stopped)  # faust's ack is then a no-op


@pytest.mark.parametrize(
    ("case", "committed", "first", "resumed"),
    [
        ("committed", {P0: 40}, {}, {P0: 40}),
        ("nothing-committed-starts-at-the-first-offset", {}, {P0: 0}, {P0: 0}),
        ("a-trimmed-log-starts-later", {}, {P0: 17}, {P0: 17}),
        ("faust-keeps-a-committed-0-as-none", {P0: None}, {P0: 0}, {P0: 0}),
        ("first-offset-unknown", {}, {P0: None}, {P0: None}),
        ("a-commit-wins-over-the-first-offset", {P0: 40}, {P0: 0}, {P0: 40}),
        ("partitions-apart", {P0: 40}, {P1: 0}, {P0: 40, P1: 0}),
    ],
)
def test_a_partition_nobody_committed_resumes_at_its_first_offset(
    case: str,
    committed: dict[tuple[str, int], int | None],
    first: dict[tuple[str, int], int | None],
    resumed: dict[tuple[str, int], int | None],
) -> None:
    assert resume_offsets(committed, first) == resumed, case


def test_records_dropped_before_the_first_commit_are_read_again() -> None:
    # #5: a worker given a partition nobody had committed fetched records 0-55, faust
    # dropped them, and 56 came first; faust then committed 105 over 0-55
    guard = OffsetGuard()
    guard.reset(resume_offsets({}, {P0: 0}))
    assert guard.admit(P0, 56, True) == 0  # read again from the first offset
    assert guard.resumed == {P0: 0}
    order = InOrder(guard.resumed.get)  # the agent expects the same first record
    assert not order.admit(P0, 56) and order.admit(P0, 0)


@pytest.mark.parametrize(
    ("case", "start", "acked", "held"),
    [
        ("contiguous-from-the-start", 10, [10, 11, 12], False),
        ("one-missing-at-the-head", 10, [11, 12], True),  # faust would commit 13
        ("many-missing", 0, [56, 57], True),  # faust, with nothing committed, commits 58
        ("nothing-acked", 10, [], False),
        ("start-unknown", None, [56], False),
    ],
)
def test_nothing_is_committed_over_records_not_done(
    case: str, start: int | None, acked: list[int], held: bool
) -> None:
    assert not_done_before(start, acked) is held, case


class _Consumer:
    def __init__(self, assigned: set[TP]) -> None:
        self.assigned = assigned
        self.sought: list[tuple[TP, int]] = []

    def assignment(self) -> set[TP]:
        return self.assigned

    async def seek(self, tp: TP, offset: int) -> None:
        self.sought.append((tp, offset))


@pytest.mark.parametrize(
    ("case", "rebalancing", "assigned", "sought"),
    [
        ("refused-partitions-are-read-again", False, {"p0", "p1"}, [("p0", 11)]),
        ("a-rebalance-seeks-by-itself", True, {"p0", "p1"}, []),
        ("a-partition-given-away-is-left", False, {"p1"}, []),
    ],
)
async def test_an_agent_reads_a_partition_again_from_the_record_it_expects(
    case: str, rebalancing: bool, assigned: set[str], sought: list[tuple[str, int]]
) -> None:
    # records refused after the last seek of a rebalance would otherwise never come back:
    # nothing committed, the partition stalled (#5)
    from ct_sla_monitor.in_order import read_again

    p0, p1 = TP("t", 0), TP("t", 1)
    order = InOrder(lambda tp: 10)
    assert order.admit(p0, 10) and not order.admit(p0, 14) and not order.admit(p0, 15)
    assert order.admit(p1, 10)
    names = {"p0": p0, "p1": p1}
    consumer = _Consumer({names[n] for n in assigned})
    app = SimpleNamespace(rebalancing=rebalancing, consumer=consumer)
    expected = [(names[n], offset) for n, offset in sought]
    await read_again(order, app)
    assert consumer.sought == expected, case
    await read_again(order, app)  # each refusal asks once
    assert consumer.sought == expected, case
