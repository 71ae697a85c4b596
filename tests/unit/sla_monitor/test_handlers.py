"""Both stages driven through their handlers with dict state: the twelve-call scenario
gives the hand-worked figures, whatever the arrival order, and bad records are rejected."""

from __future__ import annotations

import random
from typing import Any

import orjson
import pytest

from ct_aggregator.snapshots import SnapshotStore
from ct_sla_monitor.core.standards import CallStandards
from ct_sla_monitor.handlers import ContactStage, Rejected, ScopeStage
from tests.phone_scenario import POSTS, observed, wanted


def run(posts: list[dict[str, Any]]) -> tuple[SnapshotStore, dict[str, bytes]]:
    standards = CallStandards()
    stage1 = ContactStage({}, standards)
    stage2 = ScopeStage({}, {}, standards)
    store, last = SnapshotStore(), {}
    for body in posts:
        result = stage1.handle(orjson.dumps(body))
        assert not isinstance(result, Rejected), result
        for scope_key, message in result.items():
            # through the wire format, as on the internal topic
            snapshot = stage2.handle(scope_key, orjson.loads(orjson.dumps(message)))
            if snapshot is not None:
                last[scope_key] = snapshot
                store.update(orjson.loads(snapshot))
    return store, last


@pytest.mark.parametrize("queue", ["council_tax", "all"])
def test_scenario_gives_hand_worked_figures(queue: str) -> None:
    store, _ = run(POSTS)
    rows = [row.to_dict() for row in store.rows("phone", queue)]
    assert observed(rows) == wanted()


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_any_arrival_order_gives_identical_snapshot_bytes(seed: int) -> None:
    _, in_order = run(POSTS)
    shuffled = POSTS[:]
    random.Random(seed).shuffle(shuffled)
    _, reordered = run(shuffled)
    assert reordered == in_order


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
    stage1 = ContactStage({}, CallStandards())
    result = stage1.handle(raw)
    assert isinstance(result, Rejected)
    assert result.reason == "invalid_event"
    assert rule in {e["rule"] for e in result.errors}


def test_stage_two_rebuilds_from_its_tables_after_forget() -> None:
    standards = CallStandards()
    stage1, legs, clocks = ContactStage({}, standards), {}, {}
    stage2 = ScopeStage(legs, clocks, standards)
    messages = []
    for body in POSTS:
        result = stage1.handle(orjson.dumps(body))
        assert not isinstance(result, Rejected)
        messages.extend(result.items())
    half = len(messages) // 2
    for key, message in messages[:half]:
        stage2.handle(key, message)
    stage2.forget()  # as after a rebalance or a restart: only the tables survive
    fresh = ScopeStage(legs, clocks, standards)
    outputs = {}
    for key, message in messages[half:]:
        snapshot = fresh.handle(key, message)
        if snapshot is not None:
            outputs[key] = snapshot
    _, uninterrupted = run(POSTS)
    assert outputs == uninterrupted
