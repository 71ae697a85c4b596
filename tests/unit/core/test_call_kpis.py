"""Stage 2: call KPIs per scope and window, with hand-computed expectations."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ct_sla_monitor.core.call_kpis import (
    CallKpis,
    Scope,
    ScopeState,
    build_snapshot,
    compute_kpis,
    scopes_for,
)
from ct_sla_monitor.core.call_lifecycle import CallLeg
from ct_sla_monitor.core.standards import SERVICE_LEVEL_VARIANTS, CallStandards
from ct_sla_monitor.core.windows import WINDOWS

NOW = datetime(2026, 1, 14, 12, 0, tzinfo=UTC)
STD = CallStandards()
_ids = iter(range(1, 1_000_000))


def finished(
    outcome: str,
    wait: float,
    *,
    rings: int | None = None,
    at: datetime | None = None,
    leg_id: str | None = None,
    queue: str = "A",
) -> CallLeg:
    """A finished leg; it finishes a minute before NOW unless ``at`` is given."""
    end = NOW - timedelta(minutes=1) if at is None else at
    if outcome == "answered" and rings is None:
        rings = 1
    return CallLeg(
        leg_id=leg_id or f"c-{next(_ids)}:1",
        contact_id="c",
        channel="phone",
        queue=queue,
        service_type="council_tax",
        queued_at=end - timedelta(seconds=wait),
        outcome=outcome,
        finished_at=end,
        wait_s=wait,
        ring_s=wait if outcome == "answered" else None,
        rings=rings,
    )


def waiting(queued_at: datetime, leg_id: str | None = None) -> CallLeg:
    return CallLeg(
        leg_id=leg_id or f"c-{next(_ids)}:1",
        contact_id="c",
        channel="phone",
        queue="A",
        service_type="council_tax",
        queued_at=queued_at,
        outcome="waiting",
    )


def counts(k: CallKpis) -> tuple[int, int, int, int, int, int]:
    return (
        k.offered,
        k.answered,
        k.abandoned,
        k.short_abandoned,
        k.answered_within_threshold,
        k.abandoned_within_threshold,
    )


# (offered, answered, abandoned, short_abandoned, answered<=T, abandoned<=T)
BOUNDARY_CASES = [
    ("answered-wait-exactly-T", finished("answered", 20.0), (1, 1, 0, 0, 1, 0), 1.0),
    ("answered-wait-T+0.001", finished("answered", 20.001), (1, 1, 0, 0, 0, 0), 0.0),
    ("abandon-exactly-short-limit", finished("abandoned", 5.0), (1, 0, 1, 0, 0, 1), 0.0),
    ("abandon-just-below-short-limit", finished("abandoned", 4.999), (0, 0, 0, 1, 0, 0), None),
    ("abandon-wait-exactly-T", finished("abandoned", 20.0), (1, 0, 1, 0, 0, 1), 0.0),
    ("abandon-wait-T+0.001", finished("abandoned", 20.001), (1, 0, 1, 0, 0, 0), 0.0),
    ("instant-abandon-is-short", finished("abandoned", 0.0), (0, 0, 0, 1, 0, 0), None),
    ("transferred-not-offered", finished("transferred", 12.0), (0, 0, 0, 0, 0, 0), None),
    ("waiting-not-offered", waiting(NOW - timedelta(seconds=30)), (0, 0, 0, 0, 0, 0), None),
]


@pytest.mark.parametrize(
    ("one", "expected", "service_level_offered"),
    [case[1:] for case in BOUNDARY_CASES],
    ids=[case[0] for case in BOUNDARY_CASES],
)
def test_single_leg_boundaries(
    one: CallLeg, expected: tuple[int, ...], service_level_offered: float | None
) -> None:
    kpis = compute_kpis([one], "rolling_15m", NOW, STD)
    assert counts(kpis) == expected
    assert kpis.service_level["offered"] == service_level_offered


@pytest.mark.parametrize(
    ("rings", "within"),
    [(1, 1), (4, 1), (5, 0)],
    ids=["1-ring", "exactly-4-rings", "5-rings"],
)
def test_answered_within_rings(rings: int, within: int) -> None:
    kpis = compute_kpis([finished("answered", 12.0, rings=rings)], "today", NOW, STD)
    assert kpis.answered_within_rings == within
    assert kpis.answered_within_rings_ratio == float(within)


def mix() -> list[CallLeg]:
    return [
        finished("answered", 3.0, rings=1),
        finished("answered", 10.0, rings=4),
        finished("answered", 20.0, rings=4),
        finished("answered", 25.0, rings=5),
        finished("answered", 40.0, rings=9),
        finished("abandoned", 2.0),
        finished("abandoned", 4.999),
        finished("abandoned", 5.0),
        finished("abandoned", 15.0),
        finished("abandoned", 30.0),
        finished("transferred", 8.0),
        waiting(NOW - timedelta(seconds=90)),
        waiting(NOW - timedelta(seconds=30.5)),
        waiting(NOW + timedelta(seconds=10)),
    ]


def test_hand_computed_mix() -> None:
    # answered waits 3, 10, 20, 25, 40 -> 3 within 20 s; abandons 5, 15, 30 (2 within 20 s);
    # short abandons 2, 4.999; offered = 5 + 3 = 8.
    kpis = compute_kpis(mix(), "today", NOW, STD)
    assert kpis == CallKpis(
        offered=8,
        answered=5,
        abandoned=3,
        short_abandoned=2,
        answered_within_threshold=3,
        abandoned_within_threshold=2,
        answered_within_rings=3,
        answered_within_rings_ratio=0.6,
        abandonment_rate=0.375,
        asa_seconds=19.6,
        wait_p50_seconds=20.0,
        wait_p90_seconds=40.0,
        wait_p99_seconds=40.0,
        service_level={
            "answered": 0.6,  # 3 / 5
            "offered": 0.375,  # 3 / 8
            "ignore_abandons": 0.5,  # 3 / (8 - 2)
            "positive_abandons": 0.625,  # (3 + 2) / 8
        },
        waiting_now=2,
        longest_wait_seconds=90.0,
    )
    assert list(kpis.service_level) == list(SERVICE_LEVEL_VARIANTS)


def test_order_independence() -> None:
    legs = mix() + [finished("answered", w) for w in (0.1, 0.2, 0.3, 0.7, 1.1)]
    reference = compute_kpis(legs, "today", NOW, STD)
    rng = random.Random(7)
    for _ in range(20):
        rng.shuffle(legs)
        assert compute_kpis(legs, "today", NOW, STD) == reference


def test_rounding_of_ratios_and_seconds() -> None:
    legs = [finished("answered", w) for w in (1.0, 30.0, 30.0)]
    kpis = compute_kpis(legs, "today", NOW, STD)
    assert kpis.service_level["answered"] == 0.333333  # 1 / 3
    assert kpis.asa_seconds == 20.333  # 61 / 3
    single = compute_kpis([finished("answered", 12.3456)], "today", NOW, STD)
    assert (single.asa_seconds, single.wait_p50_seconds) == (12.346, 12.346)


@pytest.mark.parametrize(
    ("waits", "p50", "p90", "p99"),
    [
        ([7.5], 7.5, 7.5, 7.5),
        ([10.0, 20.0], 10.0, 20.0, 20.0),
        ([4.0, 1.0, 3.0, 2.0], 2.0, 4.0, 4.0),
        ([float(i) for i in range(1, 11)], 5.0, 9.0, 10.0),
        ([float(i) for i in range(100, 0, -1)], 50.0, 90.0, 99.0),
    ],
    ids=["n1", "n2", "n4-unsorted", "n10", "n100-reversed"],
)
def test_nearest_rank_percentiles(waits: list[float], p50: float, p90: float, p99: float) -> None:
    kpis = compute_kpis([finished("answered", w) for w in waits], "today", NOW, STD)
    assert (kpis.wait_p50_seconds, kpis.wait_p90_seconds, kpis.wait_p99_seconds) == (p50, p90, p99)


def test_percentiles_ignore_abandons() -> None:
    legs = [finished("answered", 2.0), finished("abandoned", 100.0)]
    assert compute_kpis(legs, "today", NOW, STD).wait_p99_seconds == 2.0


@pytest.mark.parametrize("window", WINDOWS, ids=list(WINDOWS))
def test_empty_window_has_none_ratios(window: str) -> None:
    old = finished("answered", 5.0, at=NOW - timedelta(days=2))
    kpis = compute_kpis([old], window, NOW, STD)
    assert kpis.to_dict() == {
        "offered": 0,
        "answered": 0,
        "abandoned": 0,
        "short_abandoned": 0,
        "answered_within_threshold": 0,
        "abandoned_within_threshold": 0,
        "answered_within_rings": 0,
        "answered_within_rings_ratio": None,
        "abandonment_rate": None,
        "asa_seconds": None,
        "wait_p50_seconds": None,
        "wait_p90_seconds": None,
        "wait_p99_seconds": None,
        "service_level": dict.fromkeys(SERVICE_LEVEL_VARIANTS),
        "waiting_now": 0,
        "longest_wait_seconds": 0.0,
    }


def test_only_short_abandons_gives_none_rates() -> None:
    kpis = compute_kpis([finished("abandoned", 1.0)], "today", NOW, STD)
    assert (kpis.short_abandoned, kpis.abandonment_rate) == (1, None)
    assert kpis.service_level == dict.fromkeys(SERVICE_LEVEL_VARIANTS)


# (finished at, expected answered count in today / rolling_15m / rolling_30m / rolling_60m)
# at NOW = 12:00Z
MEMBERSHIP_CASES = [
    ("one-minute-ago", NOW - timedelta(minutes=1), (1, 1, 1, 1)),
    ("exactly-15m-ago", NOW - timedelta(minutes=15), (1, 0, 1, 1)),
    ("15m-ago-plus-1ms", NOW - timedelta(minutes=15) + timedelta(milliseconds=1), (1, 1, 1, 1)),
    ("exactly-30m-ago", NOW - timedelta(minutes=30), (1, 0, 0, 1)),
    ("exactly-60m-ago", NOW - timedelta(minutes=60), (1, 0, 0, 0)),
    ("60m-ago-plus-1ms", NOW - timedelta(minutes=60) + timedelta(milliseconds=1), (1, 0, 0, 1)),
    ("at-now", NOW, (1, 1, 1, 1)),
    ("after-now", NOW + timedelta(seconds=1), (0, 0, 0, 0)),
    ("local-midnight", datetime(2026, 1, 14, 0, 0, tzinfo=UTC), (1, 0, 0, 0)),
    ("yesterday-235959", datetime(2026, 1, 13, 23, 59, 59, tzinfo=UTC), (0, 0, 0, 0)),
]


@pytest.mark.parametrize(
    ("end", "expected"),
    [case[1:] for case in MEMBERSHIP_CASES],
    ids=[case[0] for case in MEMBERSHIP_CASES],
)
def test_window_membership_by_finish_time(
    end: datetime, expected: tuple[int, int, int, int]
) -> None:
    legs = [finished("answered", 4.0, at=end)]
    got = tuple(compute_kpis(legs, w, NOW, STD).answered for w in WINDOWS)
    assert got == expected


def _utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, us, tzinfo=UTC)


MIDNIGHT_CASES = [
    (
        "london-235959-yesterday",
        "Europe/London",
        _utc(2026, 1, 14, 12),
        _utc(2026, 1, 13, 23, 59, 59),
        0,
    ),
    ("london-000000", "Europe/London", _utc(2026, 1, 14, 12), _utc(2026, 1, 14), 1),
    (
        "spring-dst-235959-yesterday",
        "Europe/London",
        _utc(2026, 3, 29, 12),
        _utc(2026, 3, 28, 23, 59, 59),
        0,
    ),
    ("spring-dst-000000", "Europe/London", _utc(2026, 3, 29, 12), _utc(2026, 3, 29), 1),
    (
        "spring-dst-late-evening",
        "Europe/London",
        _utc(2026, 3, 29, 22, 59, 59),
        _utc(2026, 3, 29),
        1,
    ),
    (
        "autumn-dst-235959-yesterday",
        "Europe/London",
        _utc(2026, 10, 25, 12),
        _utc(2026, 10, 24, 22, 59, 59),
        0,
    ),
    ("autumn-dst-000000", "Europe/London", _utc(2026, 10, 25, 12), _utc(2026, 10, 24, 23), 1),
    (
        "autumn-dst-late-evening",
        "Europe/London",
        _utc(2026, 10, 25, 23, 59, 59),
        _utc(2026, 10, 24, 23),
        1,
    ),
    (
        "new-york-235959-yesterday",
        "America/New_York",
        _utc(2026, 1, 14, 12),
        _utc(2026, 1, 14, 4, 59, 59),
        0,
    ),
    ("new-york-000000", "America/New_York", _utc(2026, 1, 14, 12), _utc(2026, 1, 14, 5), 1),
    (
        "sydney-235959-yesterday",
        "Australia/Sydney",
        _utc(2026, 1, 14, 12),
        _utc(2026, 1, 13, 12, 59, 59),
        0,
    ),
    ("sydney-000000", "Australia/Sydney", _utc(2026, 1, 14, 12), _utc(2026, 1, 13, 13), 1),
]


@pytest.mark.parametrize(
    ("zone", "now", "answered_at", "expected"),
    [case[1:] for case in MIDNIGHT_CASES],
    ids=[case[0] for case in MIDNIGHT_CASES],
)
def test_today_starts_at_site_midnight(
    zone: str, now: datetime, answered_at: datetime, expected: int
) -> None:
    standards = CallStandards(site_timezone=zone)
    legs = [finished("answered", 4.0, at=answered_at)]
    assert compute_kpis(legs, "today", now, standards).answered == expected


@pytest.mark.parametrize(
    ("queued_offsets", "waiting_now", "longest"),
    [
        ([], 0, 0.0),
        ([10.0, 125.5], 2, 125.5),
        ([0.0], 1, 0.0),
        ([-5.0], 0, 0.0),
        ([0.0004, 3600.0], 2, 3600.0),
        ([61.2345], 1, 61.234),
    ],
    ids=["none", "two", "queued-at-now", "queued-in-future", "an-hour", "rounded-3dp"],
)
def test_waiting_now_and_longest_wait(
    queued_offsets: list[float], waiting_now: int, longest: float
) -> None:
    legs = [waiting(NOW - timedelta(seconds=s)) for s in queued_offsets]
    legs.append(finished("answered", 600.0))  # finished legs never count as waiting
    for window in WINDOWS:
        kpis = compute_kpis(legs, window, NOW, STD)
        assert (kpis.waiting_now, kpis.longest_wait_seconds) == (waiting_now, longest)


def test_other_standards_move_the_boundaries() -> None:
    standards = CallStandards(
        service_level_threshold_s=30.0, short_abandon_s=0.0, answer_within_rings=2
    )
    legs = [
        finished("answered", 25.0, rings=2),
        finished("answered", 30.0, rings=3),
        finished("abandoned", 0.0),
    ]
    kpis = compute_kpis(legs, "today", NOW, standards)
    assert counts(kpis) == (3, 2, 1, 0, 2, 1)
    assert kpis.answered_within_rings == 1
    assert kpis.service_level == {
        "answered": 1.0,
        "offered": 0.666667,
        "ignore_abandons": 1.0,
        "positive_abandons": 1.0,
    }


def test_unknown_window_is_value_error() -> None:
    with pytest.raises(ValueError, match="unknown window"):
        compute_kpis([], "rolling_45m", NOW, STD)


@pytest.mark.parametrize(
    ("scope", "key"),
    [(Scope("phone", "council_tax"), "phone/council_tax"), (Scope("phone", "all"), "phone/all")],
    ids=["queue", "all"],
)
def test_scope_key_round_trip(scope: Scope, key: str) -> None:
    assert scope.key == key
    assert Scope.from_key(key) == scope


@pytest.mark.parametrize(
    "key", ["phone", "/A", "phone/"], ids=["no-slash", "no-channel", "no-queue"]
)
def test_bad_scope_keys(key: str) -> None:
    with pytest.raises(ValueError, match="scope"):
        Scope.from_key(key)


def test_scopes_for_leg() -> None:
    one = finished("answered", 3.0, queue="parking")
    assert scopes_for(one) == (Scope("phone", "parking"), Scope("phone", "all"))


def test_scope_state_upsert_replaces_and_retract_forgets() -> None:
    state = ScopeState()
    first = finished("answered", 3.0, leg_id="c-9:1")
    second = finished("answered", 8.0, leg_id="c-9:1")
    state.upsert(first)
    state.upsert(second)
    assert state.legs == {"c-9:1": second}
    state.retract("c-9:1")
    state.retract("c-unknown:1")
    assert state.legs == {}


def test_scope_state_round_trip() -> None:
    state = ScopeState()
    for one in mix():
        state.upsert(one)
    restored = ScopeState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert restored.legs == state.legs


def _legs_by_id(spec: dict[str, CallLeg]) -> ScopeState:
    return ScopeState(legs={k: CallLeg(**{**_fields(v), "leg_id": k}) for k, v in spec.items()})


def _fields(one: CallLeg) -> dict[str, Any]:
    return {name: getattr(one, name) for name in CallLeg.__dataclass_fields__}


LONDON_STD = CallStandards()


@pytest.mark.parametrize(
    ("now", "spec", "dropped"),
    [
        (
            _utc(2026, 1, 14, 10),
            {
                "yesterday-late": finished("answered", 5.0, at=_utc(2026, 1, 13, 23, 59, 59)),
                "midnight": finished("answered", 5.0, at=_utc(2026, 1, 14)),
                "transferred-old": finished("transferred", 5.0, at=_utc(2026, 1, 13, 8)),
                "future": finished("answered", 5.0, at=_utc(2026, 1, 14, 11)),
                "waiting-24h": waiting(_utc(2026, 1, 13, 10)),
                "waiting-24h-1s": waiting(_utc(2026, 1, 13, 9, 59, 59)),
            },
            ["transferred-old", "waiting-24h-1s", "yesterday-late"],
        ),
        (
            _utc(2026, 1, 14, 0, 10),
            {
                "at-60m": finished("answered", 5.0, at=_utc(2026, 1, 13, 23, 10)),
                "inside-60m": finished("abandoned", 9.0, at=_utc(2026, 1, 13, 23, 10, 0, 1000)),
                "at-30m": finished("answered", 5.0, at=_utc(2026, 1, 13, 23, 40)),
                "today": finished("answered", 5.0, at=_utc(2026, 1, 14, 0, 5)),
            },
            ["at-60m"],
        ),
        (
            # rolling_60m reaches back to 23:59:59 yesterday, one second before today's start
            _utc(2026, 1, 14, 0, 59, 59),
            {
                "at-60m": finished("answered", 5.0, at=_utc(2026, 1, 13, 23, 59, 59)),
                "inside-60m": finished("abandoned", 9.0, at=_utc(2026, 1, 13, 23, 59, 59, 1000)),
                "before-60m": finished("answered", 5.0, at=_utc(2026, 1, 13, 23, 59, 58)),
                "midnight": finished("answered", 5.0, at=_utc(2026, 1, 14)),
            },
            ["at-60m", "before-60m"],
        ),
        (
            _utc(2026, 10, 25, 12),
            {
                "bst-midnight": finished("answered", 5.0, at=_utc(2026, 10, 24, 23)),
                "bst-yesterday": finished("answered", 5.0, at=_utc(2026, 10, 24, 22, 59, 59)),
            },
            ["bst-yesterday"],
        ),
    ],
    ids=["mid-morning", "just-after-midnight", "last-second-of-the-first-hour", "autumn-dst-day"],
)
def test_prune(now: datetime, spec: dict[str, CallLeg], dropped: list[str]) -> None:
    state = _legs_by_id(spec)
    assert state.prune(now, LONDON_STD.tz) == dropped
    assert sorted(state.legs) == sorted(set(spec) - set(dropped))


def test_snapshot_to_dict() -> None:
    state = ScopeState()
    for one in [
        finished("answered", 10.0, at=NOW - timedelta(minutes=20)),
        finished("answered", 30.0, at=NOW - timedelta(minutes=5)),
        finished("abandoned", 8.0, at=NOW - timedelta(hours=2)),
        waiting(NOW - timedelta(seconds=42)),
    ]:
        state.upsert(one)
    scope = Scope("phone", "A")
    snapshot = build_snapshot(state, scope, NOW, CallStandards(version="charter-2026.1"))
    data = json.loads(json.dumps(snapshot.to_dict()))
    assert data["scope"] == {"channel": "phone", "queue": "A", "key": "phone/A"}
    assert data["as_of"] == "2026-01-14T12:00:00+00:00"
    assert data["standards_version"] == "charter-2026.1"
    assert list(data["windows"]) == list(WINDOWS)
    windows = data["windows"]
    assert [windows[w]["offered"] for w in WINDOWS] == [3, 1, 2, 2]
    assert [windows[w]["answered"] for w in WINDOWS] == [2, 1, 2, 2]
    assert windows["today"]["service_level"] == {
        "answered": 0.5,
        "offered": 0.333333,
        "ignore_abandons": 0.5,
        "positive_abandons": 0.666667,
    }
    assert windows["rolling_30m"]["asa_seconds"] == 20.0
    assert windows["rolling_60m"]["asa_seconds"] == 20.0
    assert [windows[w]["waiting_now"] for w in WINDOWS] == [1, 1, 1, 1]
    assert windows["rolling_15m"]["longest_wait_seconds"] == 42.0
