"""Stage 1: call events become call legs, whatever their arrival order."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ct_sla_monitor.core.call_kpis import ScopeState, compute_kpis, scopes_for
from ct_sla_monitor.core.call_lifecycle import (
    MAX_EVENTS_PER_CONTACT,
    CallEvent,
    CallLeg,
    ContactState,
    apply_call_event,
    derive_legs,
)
from ct_sla_monitor.core.standards import CallStandards

T0 = datetime(2026, 1, 14, 10, 0, tzinfo=UTC)
STD = CallStandards()


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def ev(
    event_id: str,
    kind: str,
    seconds: float,
    queue: str = "A",
    *,
    rings: int | None = None,
    to_queue: str | None = None,
    service: str = "council_tax",
    contact: str = "c-1",
) -> CallEvent:
    return CallEvent(
        event_id=event_id,
        type=f"call.{kind}",
        occurred_at=at(seconds),
        contact_id=contact,
        channel="phone",
        queue=queue,
        service_type=service,
        rings=rings,
        to_queue=to_queue,
    )


def leg(
    n: int,
    queue: str,
    outcome: str,
    queued: float,
    *,
    ring: float | None = None,
    finished: float | None = None,
    wait: float | None = None,
    ring_s: float | None = None,
    rings: int | None = None,
    ids: tuple[str, ...] = (),
    service: str = "council_tax",
) -> CallLeg:
    return CallLeg(
        leg_id=f"c-1:{n}",
        contact_id="c-1",
        channel="phone",
        queue=queue,
        service_type=service,
        queued_at=at(queued),
        outcome=outcome,
        ring_started_at=None if ring is None else at(ring),
        finished_at=None if finished is None else at(finished),
        wait_s=wait,
        ring_s=ring_s,
        rings=rings,
        event_ids=ids,
    )


DERIVE_CASES: list[tuple[str, list[CallEvent], list[CallLeg]]] = [
    (
        "ring-exactly-4-cycles",
        [ev("q", "queued", 0), ev("r", "ringing", 8), ev("a", "answered", 20)],
        [
            leg(
                1,
                "A",
                "answered",
                0,
                ring=8,
                finished=20,
                wait=20.0,
                ring_s=12.0,
                rings=4,
                ids=("a", "q", "r"),
            )
        ],
    ),
    (
        "ring-12.001s-is-5-rings",
        [ev("q", "queued", 0), ev("r", "ringing", 8), ev("a", "answered", 20.001)],
        [
            leg(
                1,
                "A",
                "answered",
                0,
                ring=8,
                finished=20.001,
                wait=20.001,
                ring_s=12.001,
                rings=5,
                ids=("a", "q", "r"),
            )
        ],
    ),
    (
        "ring-exactly-1-cycle",
        [ev("q", "queued", 0), ev("r", "ringing", 1), ev("a", "answered", 4)],
        [
            leg(
                1,
                "A",
                "answered",
                0,
                ring=1,
                finished=4,
                wait=4.0,
                ring_s=3.0,
                rings=1,
                ids=("a", "q", "r"),
            )
        ],
    ),
    (
        "source-reported-rings-win",
        [ev("q", "queued", 0), ev("r", "ringing", 8), ev("a", "answered", 20, rings=2)],
        [
            leg(
                1,
                "A",
                "answered",
                0,
                ring=8,
                finished=20,
                wait=20.0,
                ring_s=12.0,
                rings=2,
                ids=("a", "q", "r"),
            )
        ],
    ),
    (
        "no-ringing-ring-time-is-wait",
        [ev("q", "queued", 0), ev("a", "answered", 7)],
        [leg(1, "A", "answered", 0, finished=7, wait=7.0, ring_s=7.0, rings=3, ids=("a", "q"))],
    ),
    (
        "second-ringing-keeps-first-start",
        [
            ev("q", "queued", 0),
            ev("r1", "ringing", 3),
            ev("r2", "ringing", 9),
            ev("a", "answered", 15),
        ],
        [
            leg(
                1,
                "A",
                "answered",
                0,
                ring=3,
                finished=15,
                wait=15.0,
                ring_s=12.0,
                rings=4,
                ids=("a", "q", "r1", "r2"),
            )
        ],
    ),
    (
        "instant-answer-without-queue",
        [ev("a", "answered", 5)],
        [leg(1, "A", "answered", 5, finished=5, wait=0.0, ring_s=0.0, rings=1, ids=("a",))],
    ),
    (
        "instant-answer-reported-rings",
        [ev("a", "answered", 5, rings=3)],
        [leg(1, "A", "answered", 5, finished=5, wait=0.0, ring_s=0.0, rings=3, ids=("a",))],
    ),
    (
        "ringing-opens-leg-when-no-queue",
        [ev("r", "ringing", 2), ev("a", "answered", 8)],
        [
            leg(
                1,
                "A",
                "answered",
                2,
                ring=2,
                finished=8,
                wait=6.0,
                ring_s=6.0,
                rings=2,
                ids=("a", "r"),
            )
        ],
    ),
    (
        "abandoned",
        [ev("q", "queued", 0), ev("x", "abandoned", 30)],
        [leg(1, "A", "abandoned", 0, finished=30, wait=30.0, ids=("q", "x"))],
    ),
    (
        "instant-abandon",
        [ev("x", "abandoned", 5)],
        [leg(1, "A", "abandoned", 5, finished=5, wait=0.0, ids=("x",))],
    ),
    (
        "ended-while-waiting-is-abandoned",
        [ev("q", "queued", 0), ev("r", "ringing", 3), ev("e", "ended", 9)],
        [leg(1, "A", "abandoned", 0, ring=3, finished=9, wait=9.0, ids=("e", "q", "r"))],
    ),
    (
        "ended-after-answer-changes-nothing",
        [ev("q", "queued", 0), ev("a", "answered", 10), ev("e", "ended", 100)],
        [leg(1, "A", "answered", 0, finished=10, wait=10.0, ring_s=10.0, rings=4, ids=("a", "q"))],
    ),
    (
        "still-waiting",
        [ev("q", "queued", 0), ev("r", "ringing", 4)],
        [leg(1, "A", "waiting", 0, ring=4, ids=("q", "r"))],
    ),
    (
        "requeue-same-queue-ignored",
        [ev("q1", "queued", 0), ev("q2", "queued", 5), ev("a", "answered", 10)],
        [leg(1, "A", "answered", 0, finished=10, wait=10.0, ring_s=10.0, rings=4, ids=("a", "q1"))],
    ),
    (
        "queued-elsewhere-is-a-transfer",
        [ev("q1", "queued", 0), ev("q2", "queued", 15, "B"), ev("a", "answered", 25, "B")],
        [
            leg(1, "A", "transferred", 0, finished=15, wait=15.0, ids=("q1", "q2")),
            leg(
                2,
                "B",
                "answered",
                15,
                finished=25,
                wait=10.0,
                ring_s=10.0,
                rings=4,
                ids=("a", "q2"),
            ),
        ],
    ),
    (
        "transferred-to-queue",
        [
            ev("q", "queued", 0),
            ev("t", "transferred", 15, to_queue="B"),
            ev("a", "answered", 40, "B"),
        ],
        [
            leg(1, "A", "transferred", 0, finished=15, wait=15.0, ids=("q", "t")),
            leg(
                2, "B", "answered", 15, finished=40, wait=25.0, ring_s=25.0, rings=9, ids=("a", "t")
            ),
        ],
    ),
    (
        "transferred-nowhere-then-answer-ignored",
        [ev("q", "queued", 0), ev("t", "transferred", 15), ev("a", "answered", 40)],
        [leg(1, "A", "transferred", 0, finished=15, wait=15.0, ids=("q", "t"))],
    ),
    (
        "agent-transfers-answered-call",
        [
            ev("q", "queued", 0),
            ev("a1", "answered", 10),
            ev("t", "transferred", 60, to_queue="B"),
            ev("a2", "answered", 80, "B"),
        ],
        [
            leg(
                1, "A", "answered", 0, finished=10, wait=10.0, ring_s=10.0, rings=4, ids=("a1", "q")
            ),
            leg(
                2,
                "B",
                "answered",
                60,
                finished=80,
                wait=20.0,
                ring_s=20.0,
                rings=7,
                ids=("a2", "t"),
            ),
        ],
    ),
    (
        "join-of-target-queue-before-transfer-event",
        [
            ev("q1", "queued", 0),
            ev("q2", "queued", 15, "B"),
            ev("t", "transferred", 15, to_queue="B"),
            ev("a", "answered", 25, "B"),
        ],
        [
            leg(1, "A", "transferred", 0, finished=15, wait=15.0, ids=("q1", "q2")),
            leg(
                2,
                "B",
                "answered",
                15,
                finished=25,
                wait=10.0,
                ring_s=10.0,
                rings=4,
                ids=("a", "q2", "t"),
            ),
        ],
    ),
    (
        "answer-then-transfer-same-instant",
        [
            ev("t", "transferred", 10, to_queue="B"),
            ev("a", "answered", 10),
            ev("q", "queued", 0),
        ],
        [
            leg(
                1, "A", "answered", 0, finished=10, wait=10.0, ring_s=10.0, rings=4, ids=("a", "q")
            ),
            leg(2, "B", "waiting", 10, ids=("t",)),
        ],
    ),
    (
        "ringing-after-answer-ignored",
        [ev("q", "queued", 0), ev("a", "answered", 10), ev("r", "ringing", 12)],
        [leg(1, "A", "answered", 0, finished=10, wait=10.0, ring_s=10.0, rings=4, ids=("a", "q"))],
    ),
    (
        "same-instant-ordered-by-type",
        [
            ev("0-end", "ended", 0),
            ev("z-ans", "answered", 0),
            ev("r", "ringing", 0),
            ev("q", "queued", 0),
        ],
        [
            leg(
                1,
                "A",
                "answered",
                0,
                ring=0,
                finished=0,
                wait=0.0,
                ring_s=0.0,
                rings=1,
                ids=("q", "r", "z-ans"),
            )
        ],
    ),
    (
        "leg-keeps-opening-event-service-type",
        [ev("q", "queued", 0), ev("a", "answered", 3, service="parking")],
        [leg(1, "A", "answered", 0, finished=3, wait=3.0, ring_s=3.0, rings=1, ids=("a", "q"))],
    ),
    (
        "duplicate-event-ids-count-once",
        [ev("q", "queued", 0), ev("q", "queued", 0), ev("a", "answered", 6)],
        [leg(1, "A", "answered", 0, finished=6, wait=6.0, ring_s=6.0, rings=2, ids=("a", "q"))],
    ),
]


@pytest.mark.parametrize(
    ("events", "expected"),
    [case[1:] for case in DERIVE_CASES],
    ids=[case[0] for case in DERIVE_CASES],
)
def test_derive_legs(events: list[CallEvent], expected: list[CallLeg]) -> None:
    assert list(derive_legs(events, STD)) == expected


@pytest.mark.parametrize(
    ("cycle", "ring_seconds", "rings"),
    [(2.5, 5.0, 2), (2.5, 5.000001, 3), (2.5, 0.5, 1), (0.1, 1.1, 11), (0.1, 0.3, 3)],
    ids=["2.5-exact", "2.5-just-over", "below-one-cycle", "0.1-float-trap-1.1", "0.1-0.3"],
)
def test_rings_with_other_cycles(cycle: float, ring_seconds: float, rings: int) -> None:
    standards = CallStandards(ring_cycle_s=cycle)
    events = [ev("q", "queued", 0), ev("a", "answered", ring_seconds)]
    (only,) = derive_legs(events, standards)
    assert only.rings == rings


def replay(events: tuple[CallEvent, ...] | list[CallEvent]) -> ContactState:
    state = ContactState()
    for event in events:
        state = apply_call_event(state, event, STD).state
    return state


PERMUTATION_SETS = {
    "answered-call": [
        ev("q", "queued", 0),
        ev("r", "ringing", 5),
        ev("a", "answered", 17),
        ev("e", "ended", 200),
    ],
    "transferred-call": [
        ev("q1", "queued", 0),
        ev("q2", "queued", 15, "B"),
        ev("a", "answered", 25, "B"),
        ev("e", "ended", 90),
    ],
    "one-instant": [
        ev("q", "queued", 0),
        ev("r", "ringing", 0),
        ev("x", "abandoned", 0),
        ev("e", "ended", 0),
    ],
}


@pytest.mark.parametrize("name", list(PERMUTATION_SETS), ids=list(PERMUTATION_SETS))
def test_every_arrival_order_gives_the_same_state(name: str) -> None:
    events = PERMUTATION_SETS[name]
    reference = replay(events)
    states = [replay(order) for order in itertools.permutations(events)]
    assert len(states) == 24
    for state in states:
        assert state.legs == reference.legs
        assert state.to_dict() == reference.to_dict()
    assert reference.legs == derive_legs(events, STD)


def test_answered_call_permutation_reference_values() -> None:
    (only,) = replay(PERMUTATION_SETS["answered-call"]).legs
    assert (only.wait_s, only.ring_s, only.rings) == (17.0, 12.0, 4)
    assert only.event_ids == ("a", "q", "r")


def test_duplicate_event_id_changes_nothing() -> None:
    state = replay([ev("q", "queued", 0), ev("a", "answered", 10)])
    again = apply_call_event(state, ev("a", "answered", 99, rings=7), STD)
    assert again.duplicate is True
    assert again.state is state
    assert (again.upserted, again.retracted) == ((), ())


def test_first_event_upserts_the_new_leg() -> None:
    result = apply_call_event(ContactState(), ev("q", "queued", 0), STD)
    assert result.duplicate is False
    assert result.upserted == (leg(1, "A", "waiting", 0, ids=("q",)),)
    assert result.retracted == ()


def test_late_event_corrects_an_existing_leg() -> None:
    state = replay([ev("a", "answered", 10)])
    result = apply_call_event(state, ev("q", "queued", 0), STD)
    assert result.upserted == (
        leg(1, "A", "answered", 0, finished=10, wait=10.0, ring_s=10.0, rings=4, ids=("a", "q")),
    )
    assert result.retracted == ()


def test_late_event_that_merges_legs_retracts_one() -> None:
    state = replay([ev("r", "ringing", 5, "B"), ev("t", "transferred", 6, "B", to_queue="A")])
    assert [(x.leg_id, x.queue, x.outcome) for x in state.legs] == [
        ("c-1:1", "B", "transferred"),
        ("c-1:2", "A", "waiting"),
    ]
    old_second = state.legs[1]
    result = apply_call_event(state, ev("q", "queued", 0, "A"), STD)
    assert result.state.legs == (leg(1, "A", "waiting", 0, ring=5, ids=("q", "r", "t")),)
    assert result.upserted == result.state.legs
    assert result.retracted == (state.legs[0], old_second)  # c-1:1 left queue B; c-1:2 is gone


def test_leg_moving_queue_is_retracted_from_its_old_scopes() -> None:
    events = [ev("q1", "queued", 0), ev("q2", "queued", 30, "B"), ev("a", "answered", 40, "B")]
    scopes: dict[str, ScopeState] = {}

    def feed(result_events: list[CallEvent], state: ContactState) -> ContactState:
        for event in result_events:
            result = apply_call_event(state, event, STD)
            for old in result.retracted:
                for scope in scopes_for(old):
                    scopes.setdefault(scope.key, ScopeState()).retract(old.leg_id)
            for new in result.upserted:
                for scope in scopes_for(new):
                    scopes.setdefault(scope.key, ScopeState()).upsert(new)
            state = result.state
        return state

    state = feed(events, ContactState())
    assert sorted(scopes["phone/B"].legs) == ["c-1:2"]
    result = apply_call_event(state, ev("q3", "queued", 10, "C"), STD)
    assert [x.leg_id for x in result.retracted] == ["c-1:2"]
    assert result.retracted[0].queue == "B"
    assert [(x.leg_id, x.queue, x.outcome) for x in result.upserted] == [
        ("c-1:1", "A", "transferred"),
        ("c-1:2", "C", "transferred"),
        ("c-1:3", "B", "answered"),
    ]
    feed([ev("q3", "queued", 10, "C")], state)
    assert sorted(scopes["phone/B"].legs) == ["c-1:3"]
    assert sorted(scopes["phone/C"].legs) == ["c-1:2"]
    assert sorted(scopes["phone/all"].legs) == ["c-1:1", "c-1:2", "c-1:3"]
    now = at(60)
    assert compute_kpis(scopes["phone/B"].legs.values(), "rolling_15m", now, STD).answered == 1
    assert compute_kpis(scopes["phone/all"].legs.values(), "rolling_15m", now, STD).offered == 1


def test_transfer_wait_counts_for_the_second_queue() -> None:
    events = [
        ev("q", "queued", 0),
        ev("t", "transferred", 30, to_queue="B"),
        ev("a", "answered", 45, "B"),
    ]
    legs = derive_legs(events, STD)
    now = at(60)
    by_queue = {
        q: compute_kpis([x for x in legs if x.queue == q], "today", now, STD) for q in ("A", "B")
    }
    assert (by_queue["A"].offered, by_queue["A"].answered) == (0, 0)
    assert (by_queue["B"].offered, by_queue["B"].answered, by_queue["B"].asa_seconds) == (
        1,
        1,
        15.0,
    )
    assert by_queue["B"].service_level["offered"] == 1.0
    every = compute_kpis(legs, "today", now, STD)
    assert (every.offered, every.answered) == (1, 1)


def test_events_beyond_the_cap_change_nothing() -> None:
    events = [ev("q", "queued", 0)] + [
        ev(f"r{i:03d}", "ringing", 1 + i) for i in range(MAX_EVENTS_PER_CONTACT - 1)
    ]
    state = ContactState(events=tuple(events), legs=derive_legs(events, STD))
    result = apply_call_event(state, ev("a", "answered", 1000), STD)
    assert result.duplicate is False
    assert result.state is state
    assert (result.upserted, result.retracted) == ((), ())
    assert apply_call_event(state, ev("r000", "ringing", 1), STD).duplicate is True


def test_event_of_another_contact_is_rejected() -> None:
    state = replay([ev("q", "queued", 0)])
    with pytest.raises(ValueError, match="contact"):
        apply_call_event(state, ev("a", "answered", 5, contact="c-2"), STD)


CANONICAL: dict[str, Any] = {
    "event_id": "e-1",
    "type": "call.answered",
    "occurred_at": "2026-03-29T02:30:00+02:00",
    "contact_id": "c-1",
    "channel": "phone",
    "queue": "council_tax",
    "service_type": "council_tax",
    "source": "pbx-1",
    "agent_id": None,
    "rings": 3,
}


def test_event_from_canonical_dict() -> None:
    event = CallEvent.from_dict(CANONICAL)
    assert event == CallEvent(
        event_id="e-1",
        type="call.answered",
        occurred_at=datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
        contact_id="c-1",
        channel="phone",
        queue="council_tax",
        service_type="council_tax",
        rings=3,
    )
    assert event.occurred_at.tzinfo is UTC
    assert event.to_dict()["occurred_at"] == "2026-03-29T00:30:00+00:00"
    assert CallEvent.from_dict(event.to_dict()) == event


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        ("2026-03-29T00:30:00Z", datetime(2026, 3, 29, 0, 30, tzinfo=UTC)),
        ("2026-03-29t00:30:00.25z", datetime(2026, 3, 29, 0, 30, 0, 250000, tzinfo=UTC)),
        ("2026-10-25T01:30:00+01:00", datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
    ],
    ids=["zulu", "lowercase-fraction", "bst-offset"],
)
def test_event_timestamps_become_utc(stamp: str, expected: datetime) -> None:
    assert CallEvent.from_dict({**CANONICAL, "occurred_at": stamp}).occurred_at == expected


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"event_id": None}, "event_id"),
        ({"type": "email.received"}, "not a call event type"),
        ({"occurred_at": "2026-03-29T00:30:00"}, "timezone-aware"),
        ({"occurred_at": "yesterday"}, "RFC 3339"),
        ({"occurred_at": 1774744200}, "RFC 3339"),
        ({"rings": 0}, "rings"),
        ({"rings": "3"}, "rings"),
        ({"rings": True}, "rings"),
        ({"queue": 7}, "queue"),
        ({"to_queue": ""}, "to_queue"),
    ],
    ids=[
        "missing-id",
        "not-a-call",
        "naive-time",
        "not-a-time",
        "epoch-number",
        "zero-rings",
        "string-rings",
        "bool-rings",
        "numeric-queue",
        "empty-to-queue",
    ],
)
def test_bad_events_are_value_errors(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CallEvent.from_dict({**CANONICAL, **changes})


ROUND_TRIP_LEGS = [
    leg(
        1,
        "A",
        "answered",
        0,
        ring=8.5,
        finished=20.25,
        wait=20.25,
        ring_s=11.75,
        rings=4,
        ids=("a", "q", "r"),
    ),
    leg(2, "B", "waiting", 30),
    leg(3, "B", "transferred", 30, finished=45.000001, wait=15.000001, ids=("t",)),
]


@pytest.mark.parametrize("original", ROUND_TRIP_LEGS, ids=["answered", "waiting", "transferred"])
def test_leg_round_trip(original: CallLeg) -> None:
    restored = CallLeg.from_dict(json.loads(json.dumps(original.to_dict())))
    assert restored == original


def test_contact_state_round_trip() -> None:
    state = replay(PERMUTATION_SETS["transferred-call"])
    restored = ContactState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert restored == state
    assert ContactState.from_dict({}) == ContactState()
