"""Breach alerts: hysteresis, minimum volume, escalation, deadlines and provenance."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from ct_sla_monitor.core.alerts import (
    AggregateAlertState,
    AggregateObservation,
    Alert,
    evaluate_aggregate,
    evaluate_deadline,
)
from ct_sla_monitor.core.standards import AlertPolicy

T0 = datetime(2026, 1, 14, 10, 0, tzinfo=UTC)
POLICY = AlertPolicy()  # margin 0.02, hold 300 s, min volume 10, escalate 1800 s, 100 ids
SCOPE = "phone/council_tax"
SL = "phone.service_level"


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def obs(
    minute: float,
    value: float | None,
    volume: int = 20,
    *,
    direction: str = "min",
    target: float = 0.80,
    ids: tuple[str, ...] = ("e-1",),
    standard: str = SL,
) -> AggregateObservation:
    return AggregateObservation(
        scope=SCOPE,
        standard=standard,
        window="rolling_30m",
        standards_version="v7",
        value=value,
        volume=volume,
        target=target,
        direction=direction,
        at=at(minute),
        event_ids=ids,
    )


def run(
    seq: list[AggregateObservation], policy: AlertPolicy = POLICY
) -> tuple[AggregateAlertState | None, list[Alert]]:
    state: AggregateAlertState | None = None
    out: list[Alert] = []
    for o in seq:
        state, emitted = evaluate_aggregate(state, o, policy)
        out.extend(emitted)
    return state, out


def summary(alerts: list[Alert]) -> list[tuple[str, int, datetime]]:
    return [(a.state, a.severity, a.at) for a in alerts]


def sl(
    points: list[tuple[float, float | None] | tuple[float, float | None, int]],
) -> list[AggregateObservation]:
    return [obs(p[0], p[1], *p[2:]) for p in points]


AGGREGATE_CASES = [
    pytest.param(
        sl([(0, 0.79), (1, 0.81), (2, 0.79), (3, 0.81), (4, 0.83), (6, 0.83), (9, 0.83)]),
        [("raised", 1, at(0)), ("cleared", 1, at(9))],
        id="flapping-one-raise-one-clear",
    ),
    pytest.param(
        sl([(0, 0.79), (1, 0.81), (5, 0.81), (20, 0.819)]),
        [("raised", 1, at(0))],
        id="band-between-target-and-margin-never-clears",
    ),
    pytest.param(
        sl([(0, 0.79), (1, 0.82), (5, 0.82), (6, 0.82)]),
        [("raised", 1, at(0)), ("cleared", 1, at(6))],
        id="exactly-target-plus-margin-recovers-after-exactly-hold",
    ),
    pytest.param(sl([(0, 0.80), (1, 0.80)]), [], id="exactly-target-is-no-breach"),
    pytest.param(
        sl([(0, 0.70), (1, 0.85), (4, 0.81), (5, 0.85), (9, 0.85), (10, 0.85)]),
        [("raised", 1, at(0)), ("cleared", 1, at(10))],
        id="hold-reset-by-band-dip",
    ),
    pytest.param(
        sl([(0, 0.70), (1, 0.85), (4, 0.75), (5, 0.85), (9, 0.85), (10, 0.85)]),
        [("raised", 1, at(0)), ("cleared", 1, at(10))],
        id="hold-reset-by-breach-dip-without-second-raise",
    ),
    pytest.param(sl([(0, 0.0, 9), (1, 0.0, 9)]), [], id="nine-contacts-at-zero-nothing"),
    pytest.param(sl([(0, 0.0, 9), (1, 0.0, 10)]), [("raised", 1, at(1))], id="ten-contacts-raise"),
    pytest.param(sl([(0, None, 50)]), [], id="no-figure-nothing"),
    pytest.param(
        sl([(0, 0.5), (1, 0.9), (3, 0.9, 5), (6, 0.9), (10, 0.9), (11, 0.9)]),
        [("raised", 1, at(0)), ("cleared", 1, at(11))],
        id="low-volume-restarts-hold",
    ),
    pytest.param(
        sl([(0, 0.5), (1, 0.9), (6, None, 20), (7, 0.9)]),
        [("raised", 1, at(0))],
        id="missing-figure-restarts-hold",
    ),
    pytest.param(
        sl([(0, 0.5), (29, 0.5), (30, 0.5), (45, 0.5), (59, 0.5), (60, 0.5)]),
        [("raised", 1, at(0)), ("escalated", 2, at(30)), ("escalated", 3, at(60))],
        id="escalation-every-30-min-of-breach-age",
    ),
    pytest.param(
        sl([(0, 0.5), (65, 0.5)]),
        [("raised", 1, at(0)), ("escalated", 2, at(65)), ("escalated", 3, at(65))],
        id="escalation-catches-up-on-a-gap",
    ),
    pytest.param(
        sl([(0, 0.5), (30, 0.81), (31, 0.9)]),
        [("raised", 1, at(0))],
        id="no-escalation-once-not-breached",
    ),
    pytest.param(
        sl([(0, 0.5), (30, 0.5), (31, 0.9), (36, 0.9)]),
        [("raised", 1, at(0)), ("escalated", 2, at(30)), ("cleared", 2, at(36))],
        id="cleared-keeps-escalated-severity",
    ),
    pytest.param(
        sl([(0, 0.5), (1, 0.9), (6, 0.9), (7, 0.5)]),
        [("raised", 1, at(0)), ("cleared", 1, at(6)), ("raised", 1, at(7))],
        id="new-breach-after-clear-raises-again",
    ),
    pytest.param(
        sl([(0, 0.5), (10, 0.9), (5, 0.5), (15, 0.9)]),
        [("raised", 1, at(0)), ("cleared", 1, at(15))],
        id="out-of-order-observation-ignored",
    ),
    pytest.param(
        [
            obs(m, v, direction="max", target=0.05)
            for m, v in [(0, 0.05), (1, 0.06), (2, 0.04), (3, 0.03), (7, 0.03), (8, 0.03)]
        ],
        [("raised", 1, at(1)), ("cleared", 1, at(8))],
        id="max-direction-abandonment",
    ),
    pytest.param(
        [obs(m, v, direction="max", target=0.05) for m, v in [(0, 0.06), (1, 0.031), (9, 0.04)]],
        [("raised", 1, at(0))],
        id="max-direction-band",
    ),
]


@pytest.mark.parametrize(("seq", "expected"), AGGREGATE_CASES)
def test_aggregate_transitions(
    seq: list[AggregateObservation], expected: list[tuple[str, int, datetime]]
) -> None:
    _, alerts = run(seq)
    assert summary(alerts) == expected


def test_aggregate_raise_carries_provenance() -> None:
    policy = AlertPolicy(max_provenance=3)
    state, alerts = run([obs(0, 0.79, ids=("e5", "e1", "e3", "e1", "e4"))], policy)
    assert alerts == [
        Alert(
            alert_id="phone/council_tax|phone.service_level|rolling_30m|2026-01-14T10:00:00+00:00",
            state="raised",
            kind="aggregate",
            scope=SCOPE,
            standard=SL,
            standards_version="v7",
            window="rolling_30m",
            subject=None,
            observed=0.79,
            target=0.80,
            severity=1,
            at=T0,
            breached_at=T0,
            event_ids=("e1", "e3", "e4"),
        )
    ]
    assert state is not None and state.open_alert == alerts[0]


def test_aggregate_transitions_share_the_alert_id_and_breach_time() -> None:
    _, alerts = run(sl([(0, 0.5), (30, 0.5), (31, 0.9), (36, 0.9), (40, 0.5)]))
    first = "phone/council_tax|phone.service_level|rolling_30m|2026-01-14T10:00:00+00:00"
    second = "phone/council_tax|phone.service_level|rolling_30m|2026-01-14T10:40:00+00:00"
    assert [a.alert_id for a in alerts] == [first, first, first, second]
    assert [a.breached_at for a in alerts] == [T0, T0, T0, at(40)]
    assert [a.observed for a in alerts] == [0.5, 0.5, 0.9, 0.5]


def test_out_of_order_observation_returns_state_unchanged() -> None:
    state, _ = run(sl([(0, 0.5), (10, 0.9)]))
    assert state is not None
    again, emitted = evaluate_aggregate(state, obs(5, 0.1), POLICY)
    assert (again, emitted) == (state, ())


def test_observation_of_another_key_is_refused() -> None:
    state, _ = run(sl([(0, 0.5)]))
    with pytest.raises(ValueError):
        evaluate_aggregate(state, obs(1, 0.5, standard="phone.abandonment"), POLICY)


def test_unknown_direction_is_refused() -> None:
    with pytest.raises(ValueError):
        obs(0, 0.5, direction="above")


# --- contact deadlines: start 10:00, at risk 11:20 (80 min), due 11:40 (100 min) ---

ESC = 30  # minutes, POLICY.escalate_after_s


def deadline(
    previous: Alert | None,
    now_min: float,
    satisfied_min: float | None = None,
    *,
    at_risk_min: float | None = 80,
    policy: AlertPolicy = POLICY,
    subject: str = "em-1",
) -> tuple[Alert | None, tuple[Alert, ...]]:
    return evaluate_deadline(
        previous,
        scope="email/benefits",
        standard="email.follow_up",
        standards_version="v7",
        subject=subject,
        started_at=T0,
        at_risk_at=None if at_risk_min is None else at(at_risk_min),
        due_at=at(100),
        satisfied_at=None if satisfied_min is None else at(satisfied_min),
        now=at(now_min),
        event_ids=("m-2", "m-1"),
        policy=policy,
    )


DEADLINE_CASES = [
    pytest.param(None, 79, [], id="before-at-risk"),
    pytest.param(None, 80, [("warning", 0, 80)], id="exactly-at-risk-warns"),
    pytest.param(None, 100, [("warning", 0, 80)], id="exactly-due-not-yet-breached"),
    pytest.param(None, 101, [("warning", 0, 80), ("raised", 1, 100)], id="past-due-raises"),
    pytest.param(
        None,
        200,
        [
            ("warning", 0, 80),
            ("raised", 1, 100),
            ("escalated", 2, 130),
            ("escalated", 3, 160),
            ("escalated", 4, 190),
        ],
        id="jump-far-past-emits-every-step",
    ),
    pytest.param(
        None,
        130,
        [("warning", 0, 80), ("raised", 1, 100), ("escalated", 2, 130)],
        id="exactly-escalation-time",
    ),
    pytest.param(50, 200, [], id="satisfied-before-at-risk-never-alerts"),
    pytest.param(80, 200, [], id="satisfied-exactly-at-risk-never-alerts"),
    pytest.param(90, 200, [("warning", 0, 80), ("cleared", 0, 90)], id="satisfied-before-due"),
    pytest.param(
        100, 200, [("warning", 0, 80), ("cleared", 0, 100)], id="satisfied-exactly-at-due"
    ),
    pytest.param(
        140,
        200,
        [("warning", 0, 80), ("raised", 1, 100), ("escalated", 2, 130), ("cleared", 2, 140)],
        id="satisfied-after-due",
    ),
    pytest.param(
        130,
        200,
        [("warning", 0, 80), ("raised", 1, 100), ("cleared", 1, 130)],
        id="satisfied-exactly-at-escalation",
    ),
    pytest.param(
        150, 120, [("warning", 0, 80), ("raised", 1, 100)], id="satisfaction-after-now-unknown"
    ),
]


@pytest.mark.parametrize(("satisfied", "now", "expected"), DEADLINE_CASES)
def test_deadline_transitions_in_one_call(
    satisfied: float | None, now: float, expected: list[tuple[str, int, float]]
) -> None:
    _, emitted = deadline(None, now, satisfied)
    assert [(a.state, a.severity, a.at) for a in emitted] == [
        (s, sev, at(m)) for s, sev, m in expected
    ]


def test_live_timers_emit_each_step_once_like_a_replay() -> None:
    calls = [
        (85, [("warning", 80)]),
        (95, []),
        (101, [("raised", 100)]),
        (131, [("escalated", 130)]),
        (140, []),
        (200, [("cleared", 150)]),
        (200, []),
        (300, []),
    ]
    current: Alert | None = None
    for now, expected in calls:
        satisfied = 150 if now >= 150 else None
        current, emitted = deadline(current, now, satisfied)
        assert [(a.state, a.at) for a in emitted] == [(s, at(m)) for s, m in expected], now
    assert current is not None and current.state == "cleared" and current.severity == 2


def test_deadline_alert_fields_and_provenance() -> None:
    policy = AlertPolicy(max_provenance=1)
    _, (warning, raised) = deadline(None, 101, policy=policy)
    alert_id = "email/benefits|email.follow_up|em-1|2026-01-14T11:20:00+00:00"
    assert warning == Alert(
        alert_id=alert_id,
        state="warning",
        kind="contact",
        scope="email/benefits",
        standard="email.follow_up",
        standards_version="v7",
        window=None,
        subject="em-1",
        observed=-1200.0,
        target=6000.0,
        severity=0,
        at=at(80),
        breached_at=None,
        event_ids=("m-1",),
    )
    assert (raised.alert_id, raised.at, raised.breached_at, raised.observed) == (
        alert_id,
        at(100),
        at(100),
        0.0,
    )


def test_deadline_without_at_risk_opens_at_the_deadline() -> None:
    current, emitted = deadline(None, 101, at_risk_min=None)
    assert [(a.state, a.at) for a in emitted] == [("raised", at(100))]
    assert current is not None
    assert current.alert_id == "email/benefits|email.follow_up|em-1|2026-01-14T11:40:00+00:00"


def test_late_correction_clears_a_warning_already_sent() -> None:
    warned, _ = deadline(None, 85)
    assert warned is not None
    current, emitted = deadline(warned, 90, satisfied_min=70)
    assert [(a.state, a.severity, a.at) for a in emitted] == [("cleared", 0, at(70))]
    assert current is not None and current.alert_id == warned.alert_id


def test_escalation_stops_at_max_severity() -> None:
    policy = AlertPolicy(escalate_after_s=60)
    _, emitted = deadline(None, 1000, policy=policy)
    # warning, raised at 100, escalations 2..10 at minutes 101..109, then no more
    assert [(a.severity, a.at) for a in emitted] == [(0, at(80)), (1, at(100))] + [
        (s, at(99 + s)) for s in range(2, 11)
    ]


def test_no_escalation_when_disabled() -> None:
    _, emitted = deadline(None, 1000, policy=AlertPolicy(escalate_after_s=0))
    assert [a.state for a in emitted] == ["warning", "raised"]


def test_previous_of_another_subject_is_refused() -> None:
    warned, _ = deadline(None, 85)
    with pytest.raises(ValueError):
        deadline(warned, 90, subject="em-2")


# --- JSON round trips ---


def roundtrip_alerts() -> list[Alert]:
    _, aggregate = run(sl([(0, 0.5), (30, 0.5), (31, 0.9), (36, 0.9)]))
    _, contact = deadline(None, 200, 140)
    return aggregate + list(contact)


def test_alert_json_round_trip() -> None:
    for alert in roundtrip_alerts():
        assert Alert.from_dict(json.loads(json.dumps(alert.to_dict()))) == alert


def test_alert_from_dict_ignores_extra_keys_and_checks_state() -> None:
    d = roundtrip_alerts()[0].to_dict()
    assert Alert.from_dict({**d, "extra": 1}) == roundtrip_alerts()[0]
    with pytest.raises(ValueError):
        Alert.from_dict({**d, "state": "open"})
    with pytest.raises(ValueError):
        Alert.from_dict({**d, "severity": "1"})


@pytest.mark.parametrize(
    "seq",
    [
        pytest.param([], id="empty"),
        pytest.param(sl([(0, 0.5)]), id="open"),
        pytest.param(sl([(0, 0.5), (1, 0.9)]), id="recovering"),
        pytest.param(sl([(0, 0.5), (1, 0.9), (6, 0.9)]), id="cleared"),
    ],
)
def test_aggregate_state_json_round_trip(seq: list[AggregateObservation]) -> None:
    state, _ = run(seq)
    state = state or AggregateAlertState()
    restored = AggregateAlertState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert restored == state
