"""Both stages driven through their handlers with dict state: the twelve-call scenario
gives the hand-worked figures, whatever the arrival order, and bad records are rejected."""

from __future__ import annotations

import random
from typing import Any

import orjson
import pytest

from ct_aggregator.snapshots import SnapshotStore
from ct_sla_monitor.handlers import SOURCE, ContactStage, Rejected, ScopeStage
from ct_sla_monitor.standards_file import default_standards
from tests.phone_scenario import POSTS, observed, wanted


def run(posts: list[dict[str, Any]]) -> tuple[SnapshotStore, dict[str, bytes]]:
    book = default_standards()
    stage1 = ContactStage({}, book)
    stage2 = ScopeStage({}, {}, book)
    store, last = SnapshotStore(), {}
    for body in posts:
        result = stage1.handle(orjson.dumps(body))
        assert not isinstance(result, Rejected), result
        for scope_key, message in result.items():
            # through the wire format, as on the internal topic
            snapshot = stage2.handle(scope_key, orjson.loads(orjson.dumps(message))).snapshot
            if snapshot is not None:
                last[scope_key] = snapshot
                store.update(orjson.loads(snapshot))
    return store, last


@pytest.mark.parametrize("queue", ["council_tax", "all"])
def test_scenario_gives_hand_worked_figures(queue: str) -> None:
    store, _ = run(POSTS)
    rows = [row.to_dict() for row in store.rows("phone", queue)]
    assert observed(rows) == wanted()


def _order_independent(snapshots: dict[str, bytes]) -> dict[str, bytes]:
    """The snapshots without the late-event counters, which by definition depend on the
    order events arrived in; everything else must not."""
    out = {}
    for key, raw in snapshots.items():
        snapshot = orjson.loads(raw)
        del snapshot["late"]
        out[key] = orjson.dumps(snapshot, option=orjson.OPT_SORT_KEYS)
    return out


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_any_arrival_order_gives_identical_figures(seed: int) -> None:
    _, in_order = run(POSTS)
    shuffled = POSTS[:]
    random.Random(seed).shuffle(shuffled)
    _, reordered = run(shuffled)
    assert _order_independent(reordered) == _order_independent(in_order)


def test_same_order_gives_identical_snapshot_bytes() -> None:
    assert run(POSTS)[1] == run(POSTS)[1]


def test_late_events_are_counted() -> None:
    # three events of the scenario arrive after a later one of their scope: call 4's
    # ringing, and call 10's queued and ringing (all within the 5-minute lateness)
    _, last = run(POSTS)
    late = orjson.loads(last["phone/council_tax"])["late"]
    assert late == {"late_events_total": 3, "too_late_events_total": 0}


def test_duplicates_change_nothing() -> None:
    _, once = run(POSTS)
    _, thrice = run([body for body in POSTS for _ in range(3)])
    assert thrice == once


@pytest.mark.parametrize(
    ("raw", "rule"),
    [
        (b"not json", "json_invalid"),
        (b'{"type": "call.queued"}', "missing"),
        (orjson.dumps({**POSTS[0], "type": "call.teleported"}), "union_tag_invalid"),
        (orjson.dumps({**POSTS[0], "extra": 1}), "extra_forbidden"),
    ],
)
def test_invalid_records_are_rejected_with_reason(raw: bytes, rule: str) -> None:
    stage1 = ContactStage({}, default_standards())
    result = stage1.handle(raw)
    assert isinstance(result, Rejected)
    assert result.reason == "invalid_event"
    assert rule in {e["rule"] for e in result.errors}


def test_stage_two_rebuilds_from_its_tables_after_forget() -> None:
    book = default_standards()
    stage1, facts, metas = ContactStage({}, book), {}, {}
    stage2 = ScopeStage(facts, metas, book)
    messages = []
    for body in POSTS:
        result = stage1.handle(orjson.dumps(body))
        assert not isinstance(result, Rejected)
        messages.extend(result.items())
    half = len(messages) // 2
    for key, message in messages[:half]:
        stage2.handle(key, message)
    stage2.forget()  # as after a rebalance or a restart: only the tables survive
    fresh = ScopeStage(facts, metas, book)
    outputs = {}
    for key, message in messages[half:]:
        snapshot = fresh.handle(key, message).snapshot
        if snapshot is not None:
            outputs[key] = snapshot
    _, uninterrupted = run(POSTS)
    assert outputs == uninterrupted


def _sourced_messages() -> list[tuple[str, dict[str, Any]]]:
    """The scenario's stage-2 messages, each naming its source record as live stage 1
    does (one source partition, the post's index as its offset)."""
    stage1 = ContactStage({}, default_standards())
    messages = []
    for offset, body in enumerate(POSTS):
        result = stage1.handle(orjson.dumps(body))
        assert not isinstance(result, Rejected)
        messages += [(key, {**m, SOURCE: [0, offset]}) for key, m in result.items()]
    return messages


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_redelivered_messages_are_applied_once(seed: int) -> None:
    # after a crash stage 1 runs records again from its last commit: their messages reach
    # stage 2 a second time, some after its tables kept them and some before
    messages = _sourced_messages()
    rng = random.Random(seed)
    book, facts, metas = default_standards(), {}, {}
    stage2 = ScopeStage(facts, metas, book)
    last: dict[str, bytes] = {}
    alerts: list[tuple[bytes, bytes]] = []
    skipped, i = 0, 0
    while i < len(messages):
        step = rng.randint(1, 6)
        for key, message in messages[i : i + step]:
            output = stage2.handle(key, message)
            skipped += not output.applied
            alerts += output.alerts
            if output.snapshot is not None:
                last[key] = output.snapshot
        back = rng.randint(0, step)  # stage 1 resumes a little before where it got to
        for key, message in messages[max(0, i + step - back) : i + step]:
            output = stage2.handle(key, message)
            assert not output.applied and output.alerts == [] and output.snapshot is None
            skipped += 1
        i += step
    assert skipped > 0
    _, uninterrupted = run(POSTS)
    assert last == uninterrupted
    # the source offsets survive in the meta table, as after a restart
    fresh = ScopeStage(facts, metas, book)
    key, message = messages[-1]
    assert not fresh.handle(key, message).applied


def test_messages_without_a_source_are_always_applied() -> None:
    # a replay (and a timer tick) names no source record: nothing is ever skipped
    book = default_standards()
    stage2 = ScopeStage({}, {}, book)
    key, message = _sourced_messages()[0]
    del message[SOURCE]
    assert stage2.handle(key, message).applied
    assert stage2.handle(key, message).applied


def test_an_event_beyond_the_allowed_lateness_is_counted_and_still_corrects_figures() -> None:
    # a call answered at 09:58 reported after the 10:11:30 event: 13.5 min late, beyond the
    # 5-minute allowance. It is counted as too late, and still lands in its windows.
    straggler = [
        {
            **POSTS[0],
            "event_id": "late-q",
            "contact_id": "late-call",
            "occurred_at": "2026-11-23T09:57:00Z",
        },
        {
            **POSTS[2],
            "event_id": "late-a",
            "contact_id": "late-call",
            "occurred_at": "2026-11-23T09:58:00Z",
        },
    ]
    store, last = run([*POSTS, *straggler])
    late = orjson.loads(last["phone/council_tax"])["late"]
    assert late == {"late_events_total": 3, "too_late_events_total": 2}
    today = next(store.rows("phone", "council_tax", "today"))
    assert today.figures["answered"] == 9  # 8 in the scenario, plus the straggler
    rolling = next(store.rows("phone", "council_tax", "rolling_15m"))
    assert rolling.figures["answered"] == 7  # 09:58 is inside (09:56:30, 10:11:30]


class _ScanCounting(dict[str, Any]):
    """A facts table that counts how often it is read through."""

    scans = 0

    def items(self) -> Any:
        self.scans += 1
        return super().items()


def test_stage_two_reads_its_facts_table_once_to_rebuild_every_scope() -> None:
    book = default_standards()
    stage1, facts, metas = ContactStage({}, book), _ScanCounting(), {}
    messages = []
    for body in POSTS:
        result = stage1.handle(orjson.dumps(body))
        assert not isinstance(result, Rejected)
        messages.extend(result.items())
    stage2 = ScopeStage(facts, metas, book)
    half = len(messages) // 2
    for key, message in messages[:half]:
        stage2.handle(key, message)
    scopes_before = {key for key, _ in messages[:half]}
    assert len(scopes_before) > 1 and facts.scans == 1  # the first scope indexed them all
    stage2.forget()
    outputs = {}
    for key, message in messages[half:]:
        snapshot = stage2.handle(key, message).snapshot
        if snapshot is not None:
            outputs[key] = snapshot
    # once after the forget, however many scopes (old or new) the rest of the run touched
    assert facts.scans == 2
    _, uninterrupted = run(POSTS)
    assert outputs == uninterrupted
