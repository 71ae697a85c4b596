"""Stage 2 for resolution: month start, touches, FCR verdicts, repeat contacts and KPIs."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ct_sla_monitor.core.case_items import CaseItem
from ct_sla_monitor.core.resolution import (
    ResolutionState,
    Touch,
    fcr_verdict,
    in_report_window,
    month_start,
    repeat_contacts,
    resolution_kpis,
    touch_from_event,
)
from ct_sla_monitor.core.standards import Standards

STD = Standards()
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
KOLKATA = ZoneInfo("Asia/Kolkata")
REF_A = "k1:" + "a" * 64
REF_B = "k1:" + "b" * 64
REF_C = "k1:" + "c" * 64
US = timedelta(microseconds=1)
D = timedelta(days=1)
H = timedelta(hours=1)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, us, tzinfo=UTC)


def touch(
    touch_id: str,
    contact: str,
    when: datetime,
    *,
    ref: str = REF_A,
    service: str = "council_tax",
    channel: str = "phone",
    reason: str | None = None,
) -> Touch:
    return Touch(touch_id, contact, ref, service, channel, reason, when)


def case(
    contact: str,
    resolved: datetime | None,
    *,
    opened: datetime | None = None,
    ref: str | None = REF_A,
    service: str | None = "council_tax",
    resolution: str = "first_contact",
    contacts: int = 1,
) -> CaseItem:
    return CaseItem(
        item_id=contact,
        channel="phone",
        queue="revenues",
        service_type=service,
        customer_ref=ref,
        opened_at=opened,
        resolved_at=resolved,
        resolution=None if resolved is None else resolution,
        contacts=None if resolved is None else contacts,
    )


# --- month start and the month_to_date window -------------------------------------------


@pytest.mark.parametrize(
    ("now", "tz", "expected"),
    [
        (utc(2026, 4, 10, 12), LONDON, utc(2026, 3, 31, 23)),
        (utc(2026, 3, 15, 12), LONDON, utc(2026, 3, 1)),
        (utc(2026, 3, 31, 23, 30), LONDON, utc(2026, 3, 31, 23)),
        (utc(2026, 3, 31, 22, 59, 59, 999999), LONDON, utc(2026, 3, 1)),
        (utc(2026, 10, 31, 23, 30), LONDON, utc(2026, 9, 30, 23)),
        (utc(2026, 11, 1, 0, 0), LONDON, utc(2026, 11, 1)),
        (utc(2026, 3, 20, 12), NEW_YORK, utc(2026, 3, 1, 5)),
        (utc(2026, 1, 1, 0, 0), KOLKATA, utc(2025, 12, 31, 18, 30)),
    ],
    ids=[
        "april-starts-in-bst",
        "march-starts-in-gmt",
        "first-half-hour-of-april",
        "last-microsecond-of-march",
        "dst-ends-inside-october",
        "november-midnight-gmt",
        "new-york-march",
        "kolkata-new-year",
    ],
)
def test_month_start(now: datetime, tz: ZoneInfo, expected: datetime) -> None:
    assert month_start(now, tz) == expected


NOW_APRIL = utc(2026, 4, 10, 12)


@pytest.mark.parametrize(
    ("t", "window", "expected"),
    [
        (utc(2026, 3, 31, 23), "month_to_date", True),
        (utc(2026, 3, 31, 23) - US, "month_to_date", False),
        (NOW_APRIL, "month_to_date", True),
        (NOW_APRIL + US, "month_to_date", False),
        (utc(2026, 4, 9, 23), "today", True),
        (utc(2026, 4, 9, 23) - US, "today", False),
        (NOW_APRIL - timedelta(minutes=15), "rolling_15m", False),
        (NOW_APRIL - timedelta(minutes=15) + US, "rolling_15m", True),
    ],
    ids=[
        "month-start-inclusive",
        "before-month-start",
        "now-inclusive",
        "after-now",
        "today-start-bst",
        "before-today",
        "rolling-start-exclusive",
        "rolling-just-inside",
    ],
)
def test_in_report_window(t: datetime, window: str, expected: bool) -> None:
    assert in_report_window(t, window, NOW_APRIL, LONDON) is expected


# --- touches ----------------------------------------------------------------------------


def event(kind: str, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "event_id": "e-1",
        "type": kind,
        "occurred_at": "2026-01-05T10:00:00Z",
        "contact_id": "c-1",
        "channel": "phone",
        "queue": "revenues",
        "service_type": "council_tax",
        "query_reason": "problem",
        "customer_ref": REF_A,
        "source": "pbx",
        "rings": 3,
    }
    return {k: v for k, v in (data | extra).items() if v is not None}


WHEN = utc(2026, 1, 5, 10)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (event("call.queued"), touch("e-1", "c-1", WHEN, reason="problem")),
        (
            event("email.received", channel="email", query_reason=None),
            touch("e-1", "c-1", WHEN, channel="email"),
        ),
        (
            event("webform.submitted", channel="web"),
            touch("e-1", "c-1", WHEN, channel="web", reason="problem"),
        ),
        (
            event("visit.ticketed", channel="face_to_face"),
            touch("e-1", "c-1", WHEN, channel="face_to_face", reason="problem"),
        ),
        (event("case.opened"), touch("e-1", "c-1", WHEN, reason="problem")),
        (event("complaint.raised"), touch("e-1", "c-1", WHEN, reason="problem")),
        (event("call.answered"), None),
        (event("case.resolved", resolution="first_contact", contacts=1), None),
        (event("survey.answered", score=9), None),
        (event("call.queued", customer_ref=None), None),
        (event("call.queued", service_type=None), None),
    ],
    ids=[
        "call-queued",
        "email-without-reason",
        "webform",
        "visit",
        "case-opened",
        "complaint-raised",
        "not-a-start",
        "case-resolved-not-a-start",
        "survey-not-a-start",
        "anonymous",
        "no-service-type",
    ],
)
def test_touch_from_event(data: dict[str, Any], expected: Touch | None) -> None:
    assert touch_from_event(data) == expected


def test_touch_from_bad_event_is_value_error() -> None:
    with pytest.raises(ValueError):
        touch_from_event(event("call.queued", occurred_at="yesterday"))


def test_touch_round_trips_through_json() -> None:
    t = touch("e-1", "c-1", WHEN + US, reason="query")
    data = json.loads(json.dumps(t.to_dict()))
    assert data["at"] == "2026-01-05T10:00:00.000001+00:00"
    assert Touch.from_dict({**data, "extra": True}) == t


# --- the FCR verdict --------------------------------------------------------------------

R = utc(2026, 1, 5, 10)  # resolution time of the case under test; window end R + 7 d
THE_CASE = case("call-1", R)

VERDICTS: list[tuple[str, CaseItem, list[Touch], datetime, str | None]] = [
    ("recontact-day-6-other-channel", THE_CASE, [touch("t", "em-1", R + 6 * D, channel="email")],
     R + 10 * D, "not_first_contact"),
    ("recontact-day-8-is-outside", THE_CASE, [touch("t", "em-1", R + 8 * D)], R + 10 * D,
     "first_contact"),
    ("no-touch-before-window-end", THE_CASE, [], R + 3 * D, "provisional"),
    ("day-6-recontact-decides-early", THE_CASE, [touch("t", "em-1", R + 6 * D)], R + 6 * D + H,
     "not_first_contact"),
    ("touch-after-now-not-yet-seen", THE_CASE, [touch("t", "em-1", R + 6 * D)], R + 5 * D,
     "provisional"),
    ("touch-exactly-at-window-end-counts", THE_CASE, [touch("t", "em-1", R + 7 * D)], R + 7 * D,
     "not_first_contact"),
    ("touch-just-after-window-end", THE_CASE, [touch("t", "em-1", R + 7 * D + US)], R + 8 * D,
     "first_contact"),
    ("final-at-exactly-window-end", THE_CASE, [], R + 7 * D, "first_contact"),
    ("provisional-just-before-window-end", THE_CASE, [], R + 7 * D - US, "provisional"),
    ("different-customer", THE_CASE, [touch("t", "em-1", R + D, ref=REF_B)], R + 8 * D,
     "first_contact"),
    ("different-service-type", THE_CASE, [touch("t", "em-1", R + D, service="housing")],
     R + 8 * D, "first_contact"),
    ("same-contact-id", THE_CASE, [touch("t", "call-1", R + D)], R + 8 * D, "first_contact"),
    ("touch-at-resolution-instant", THE_CASE, [touch("t", "em-1", R)], R + 8 * D,
     "first_contact"),
    ("touch-before-resolution", THE_CASE, [touch("t", "em-1", R - H)], R + 8 * D,
     "first_contact"),
    ("resolved-by-follow-up", case("call-1", R, resolution="follow_up"), [], R + 8 * D,
     "not_first_contact"),
    ("two-contacts", case("call-1", R, contacts=2), [], R + D, "not_first_contact"),
    ("not-resolved", case("call-1", None), [touch("t", "em-1", R + D)], R + 8 * D, None),
    ("anonymous-case-cannot-be-recontacted", case("call-1", R, ref=None),
     [touch("t", "em-1", R + D)], R + 8 * D, "first_contact"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("the_case", "touches", "now", "expected"),
    [v[1:] for v in VERDICTS],
    ids=[v[0] for v in VERDICTS],
)
def test_fcr_verdict(
    the_case: CaseItem, touches: list[Touch], now: datetime, expected: str | None
) -> None:
    assert fcr_verdict(the_case, touches, now, STD) == expected


def test_recontact_window_is_configurable() -> None:
    short = replace(STD, resolution=replace(STD.resolution, recontact_window_s=3 * 86400.0))
    touches = [touch("t", "em-1", R + 4 * D)]
    assert fcr_verdict(THE_CASE, touches, R + 3 * D - US, short) == "provisional"
    assert fcr_verdict(THE_CASE, touches, R + 5 * D, short) == "first_contact"


# --- repeat contacts --------------------------------------------------------------------

NOW = utc(2026, 1, 20, 12)  # month start 2026-01-01T00:00Z
J5 = utc(2026, 1, 5, 10)

REPEATS: list[tuple[str, list[Touch], int, dict[str, int]]] = [
    ("transfer-of-one-contact-is-no-repeat",
     [touch("a", "c1", J5), touch("b", "c1", J5 + 5 * timedelta(minutes=1))], 0, {}),
    ("second-contact-within-window",
     [touch("a", "c1", J5), touch("b", "c2", J5 + D, reason="query")], 1, {"query": 1}),
    ("exactly-one-window-apart", [touch("a", "c1", J5), touch("b", "c2", J5 + 7 * D)], 1,
     {"unknown": 1}),
    ("just-over-one-window-apart", [touch("a", "c1", J5), touch("b", "c2", J5 + 7 * D + US)], 0,
     {}),
    ("same-instant-neither-is-earlier", [touch("a", "c1", J5), touch("b", "c2", J5)], 0, {}),
    ("other-customer", [touch("a", "c1", J5), touch("b", "c2", J5 + D, ref=REF_B)], 0, {}),
    ("other-service", [touch("a", "c1", J5), touch("b", "c2", J5 + D, service="housing")], 0,
     {}),
    ("earlier-contact-before-month-start",
     [touch("a", "c1", utc(2025, 12, 30, 10)), touch("b", "c2", utc(2026, 1, 2, 10))], 1,
     {"unknown": 1}),
    ("reason-from-a-later-touch-of-the-contact",
     [touch("a", "c1", J5), touch("b", "c2", J5 + D),
      touch("c", "c2", J5 + D + H, reason="complaint")], 1, {"complaint": 1}),
    ("contact-that-started-before-the-window",
     [touch("a", "c1", utc(2025, 12, 30, 10)), touch("b", "c2", utc(2025, 12, 31, 23)),
      touch("c", "c2", utc(2026, 1, 2, 10))], 0, {}),
    ("three-contacts-two-repeats",
     [touch("a", "c1", J5, reason="problem"), touch("b", "c2", J5 + D, reason="problem"),
      touch("c", "c3", J5 + 2 * D, channel="web", reason="clarification")], 2,
     {"clarification": 1, "problem": 1}),
    ("after-now-not-counted", [touch("a", "c1", J5), touch("b", "c2", NOW + US)], 0, {}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("touches", "total", "by_reason"),
    [r[1:] for r in REPEATS],
    ids=[r[0] for r in REPEATS],
)
def test_repeat_contacts_month_to_date(
    touches: list[Touch], total: int, by_reason: dict[str, int]
) -> None:
    result = repeat_contacts(reversed(touches), "month_to_date", NOW, STD)
    assert result == {
        "total": total,
        "by_service_type": {"council_tax": total} if total else {},
        "by_query_reason": by_reason,
    }


# --- the resolution KPIs ----------------------------------------------------------------


def january_state() -> ResolutionState:
    """Cases and touches worked by hand in test_resolution_kpis (2026-01, GMT)."""
    state = ResolutionState()
    cases = [
        # not first contact: REF_A came back by email three days later
        case("call-a", utc(2026, 1, 5, 10, 30), opened=utc(2026, 1, 5, 10)),
        # first contact, final: no re-contact in 7 days; fix 2 h
        case("call-b", utc(2026, 1, 6, 12), opened=utc(2026, 1, 6, 10), ref=REF_B),
        # first contact, provisional at NOW; fix 30 min
        case("call-c", utc(2026, 1, 19, 9, 30), opened=utc(2026, 1, 19, 9), ref=REF_C),
        # follow-up: 18 h calendar, 2 working hours (16:00-17:00, 09:00-10:00)
        case(
            "call-d",
            utc(2026, 1, 8, 10),
            opened=utc(2026, 1, 7, 16),
            ref=REF_B,
            service="housing",
            resolution="follow_up",
            contacts=2,
        ),
        case("call-e", utc(2025, 12, 30, 10), opened=utc(2025, 12, 30, 9)),  # last month
        case("call-f", None, opened=utc(2026, 1, 20, 11)),  # not resolved
        case("call-g", utc(2026, 1, 20, 13), opened=utc(2026, 1, 20, 11)),  # after NOW
    ]
    touches = [
        touch("t1", "call-a", utc(2026, 1, 5, 9, 55), reason="problem"),
        touch("t2", "call-a", utc(2026, 1, 5, 10)),  # its case.opened: same contact
        touch("t3", "em-x", utc(2026, 1, 8, 9), channel="email", reason="clarification"),
        touch("t4", "call-b", utc(2026, 1, 6, 9, 58), ref=REF_B, reason="problem"),
        touch("t5", "web-y", utc(2026, 1, 15, 9), channel="web"),  # 7 d after t3 exactly
        touch("t6", "call-h", utc(2026, 1, 9, 10), service="housing"),
        touch("t7", "call-c0", utc(2025, 12, 29, 10), ref=REF_C),
        touch("t8", "call-c1", utc(2026, 1, 2, 10), ref=REF_C, reason="query"),
        touch("t9", "call-c", utc(2026, 1, 19, 8, 59), ref=REF_C),
        touch("t10", "call-b", utc(2026, 1, 6, 10, 5), ref=REF_B),  # a transfer
    ]
    for c in reversed(cases):
        state.upsert_case(c)
    for t in touches:
        state.add_touch(t)
    return state


def kpis(**figures: Any) -> dict[str, Any]:
    empty: dict[str, Any] = {
        "resolved": 0,
        "fcr_final": 0,
        "fcr_provisional": 0,
        "not_first_contact": 0,
        "fcr_rate_final": None,
        "fcr_rate_including_provisional": None,
        "fcr_target": 0.7,
        "fix_time_seconds_mean": None,
        "fix_time_working_seconds_mean": None,
        "repeat_contacts": {"total": 0, "by_service_type": {}, "by_query_reason": {}},
    }
    return empty | figures


KPI_CASES: list[tuple[str, str, datetime, dict[str, Any]]] = [
    (
        "month-to-date",
        "month_to_date",
        NOW,
        kpis(
            resolved=4,
            fcr_final=1,
            fcr_provisional=1,
            not_first_contact=2,
            fcr_rate_final=0.333333,
            fcr_rate_including_provisional=0.5,
            fix_time_seconds_mean=18900.0,
            fix_time_working_seconds_mean=4500.0,
            repeat_contacts={
                "total": 3,
                "by_service_type": {"council_tax": 3},
                "by_query_reason": {"clarification": 1, "query": 1, "unknown": 1},
            },
        ),
    ),
    ("today-has-nothing-yet", "today", NOW, kpis()),
    (
        "rolling-30m-just-after-case-c",
        "rolling_30m",
        utc(2026, 1, 19, 9, 45),
        kpis(
            resolved=1,
            fcr_provisional=1,
            fcr_rate_including_provisional=1.0,
            fix_time_seconds_mean=1800.0,
            fix_time_working_seconds_mean=1800.0,
        ),
    ),
    (
        "today-on-the-day-of-case-c-with-touch-t9",
        "today",
        utc(2026, 1, 19, 12),
        kpis(
            resolved=1,
            fcr_provisional=1,
            fcr_rate_including_provisional=1.0,
            fix_time_seconds_mean=1800.0,
            fix_time_working_seconds_mean=1800.0,
        ),
    ),
]


@pytest.mark.parametrize(
    ("window", "now", "expected"),
    [k[1:] for k in KPI_CASES],
    ids=[k[0] for k in KPI_CASES],
)
def test_resolution_kpis(window: str, now: datetime, expected: dict[str, Any]) -> None:
    assert resolution_kpis(january_state(), window, now, STD) == expected


ACCEPTANCE: list[tuple[str, list[Touch], datetime, dict[str, Any]]] = [
    ("provisional-before-window-end", [], R + 3 * D,
     {"fcr_final": 0, "fcr_provisional": 1, "not_first_contact": 0, "fcr_rate_final": None,
      "fcr_rate_including_provisional": 1.0}),
    ("final-after-window", [touch("t", "web-1", R + 8 * D, channel="web")], R + 8 * D,
     {"fcr_final": 1, "fcr_provisional": 0, "not_first_contact": 0, "fcr_rate_final": 1.0,
      "fcr_rate_including_provisional": 1.0}),
    ("recontact-day-6", [touch("t", "web-1", R + 6 * D, channel="web")], R + 8 * D,
     {"fcr_final": 0, "fcr_provisional": 0, "not_first_contact": 1, "fcr_rate_final": 0.0,
      "fcr_rate_including_provisional": 0.0}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("touches", "now", "expected"),
    [a[1:] for a in ACCEPTANCE],
    ids=[a[0] for a in ACCEPTANCE],
)
def test_api_figures_separate_provisional_and_final(
    touches: list[Touch], now: datetime, expected: dict[str, Any]
) -> None:
    state = ResolutionState()
    state.upsert_case(case("call-1", R, opened=R - H))
    for t in touches:
        state.add_touch(t)
    figures = resolution_kpis(state, "month_to_date", now, STD)
    assert {key: figures[key] for key in expected} == expected


def test_month_to_date_across_a_dst_month_start() -> None:
    state = ResolutionState()
    state.upsert_case(case("in", utc(2026, 3, 31, 23), opened=utc(2026, 3, 31, 22)))
    state.upsert_case(case("out", utc(2026, 3, 31, 23) - US, opened=utc(2026, 3, 31, 22)))
    figures = resolution_kpis(state, "month_to_date", NOW_APRIL, STD)
    assert (figures["resolved"], figures["fcr_final"]) == (1, 1)
    assert figures["fix_time_seconds_mean"] == 3600.0


def test_unknown_window_is_value_error() -> None:
    with pytest.raises(ValueError):
        resolution_kpis(ResolutionState(), "yesterday", NOW, STD)


def test_retract_case() -> None:
    state = january_state()
    state.retract_case("call-b")
    state.retract_case("no-such-case")
    assert resolution_kpis(state, "month_to_date", NOW, STD)["fcr_final"] == 0


# --- pruning and persistence ------------------------------------------------------------

# a re-contact window shorter than the 60-minute rolling window
TEN_MINUTE_RECONTACT = replace(STD, resolution=replace(STD.resolution, recontact_window_s=600.0))


@pytest.mark.parametrize(
    ("now", "standards", "cases", "touches", "dropped"),
    [
        (
            NOW,  # case cut-off 2026-01-01T00:00Z; touch cut-off 2025-12-25T00:00Z
            STD,
            [
                case("resolved-dec-30", utc(2025, 12, 30, 10)),
                case("resolved-at-month-start", utc(2026, 1, 1)),
                case("open-since-dec-20", None, opened=utc(2025, 12, 20)),
                case("open-since-jan-3", None, opened=utc(2026, 1, 3)),
            ],
            [
                touch("old", "c-old", utc(2025, 12, 25) - US),
                touch("edge", "c-edge", utc(2025, 12, 25)),
                touch("span-1", "c-span", utc(2025, 12, 20)),
                touch("span-2", "c-span", utc(2025, 12, 26)),
            ],
            (["open-since-dec-20", "resolved-dec-30"], ["old"]),
        ),
        (
            utc(2026, 1, 1, 0, 10),  # case cut-off Dec 25 00:10; touches Dec 24 23:10
            STD,
            [
                case("resolved-dec-31-2350", utc(2025, 12, 31, 23, 50)),
                case("resolved-dec-25-0009", utc(2025, 12, 25, 0, 9)),
                case("resolved-dec-25-0010", utc(2025, 12, 25, 0, 10)),
            ],
            [
                touch("before", "c1", utc(2025, 12, 24, 23, 10) - US),
                touch("at", "c2", utc(2025, 12, 24, 23, 10)),
                touch("inside-60m", "c3", utc(2025, 12, 24, 23, 40) - US),
            ],
            (["resolved-dec-25-0009"], ["before"]),
        ),
        (
            # R = 10 min < 60 min: case cut-off Dec 31 23:10 (now - 60 min); touches 23:00
            utc(2026, 1, 1, 0, 10),
            TEN_MINUTE_RECONTACT,
            [
                case("resolved-before-60m", utc(2025, 12, 31, 23, 10) - US),
                case("resolved-at-60m", utc(2025, 12, 31, 23, 10)),
                case("resolved-dec-31-2340", utc(2025, 12, 31, 23, 40) - US),
                case("open-since-dec-31-2309", None, opened=utc(2025, 12, 31, 23, 9)),
            ],
            [
                touch("before", "c1", utc(2025, 12, 31, 23) - US),
                touch("at", "c2", utc(2025, 12, 31, 23)),
            ],
            (["open-since-dec-31-2309", "resolved-before-60m"], ["before"]),
        ),
    ],
    ids=["mid-month", "ten-minutes-into-the-month", "recontact-window-shorter-than-60m"],
)
def test_prune(
    now: datetime,
    standards: Standards,
    cases: list[CaseItem],
    touches: list[Touch],
    dropped: tuple[list[str], list[str]],
) -> None:
    state = ResolutionState()
    for c in cases:
        state.upsert_case(c)
    for t in touches:
        state.add_touch(t)
    assert state.prune(now, standards) == dropped
    assert sorted(state.cases) == sorted(c.item_id for c in cases if c.item_id not in dropped[0])
    assert sorted(state.touches) == sorted(
        t.touch_id for t in touches if t.touch_id not in dropped[1]
    )


def test_pruning_does_not_change_the_figures() -> None:
    state = january_state()
    before = {w: resolution_kpis(state, w, NOW, STD) for w in ("month_to_date", "today")}
    state.prune(NOW, STD)
    assert {w: resolution_kpis(state, w, NOW, STD) for w in before} == before


def test_state_round_trips_through_json() -> None:
    state = january_state()
    restored = ResolutionState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert restored == state


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError):
        touch("t", "c", datetime(2026, 1, 5, 10))
    with pytest.raises(ValueError):
        case("c", datetime(2026, 1, 5, 10))
