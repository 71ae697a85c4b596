"""Demand: contact starts by channel, service type and segment, and the channel mix."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ct_sla_monitor.core.demand import DemandRecord, demand_kpis, demand_record_from_event

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 1, 20, 12, tzinfo=UTC)
MIDNIGHT = datetime(2026, 1, 20, tzinfo=UTC)
US = timedelta(microseconds=1)
M = timedelta(minutes=1)


def start_event(kind: str, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "event_id": "e-1",
        "type": kind,
        "occurred_at": "2026-01-20T11:00:00Z",
        "contact_id": "c-1",
        "channel": "phone",
        "queue": "revenues",
        "service_type": "council_tax",
        "customer_segment": "citizen",
        "source": "pbx",
    }
    return {k: v for k, v in (data | extra).items() if v is not None}


AT_11 = datetime(2026, 1, 20, 11, tzinfo=UTC)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (start_event("call.queued"), DemandRecord("c-1", "phone", "council_tax", "citizen", AT_11)),
        (
            start_event("email.received", channel="email", customer_segment=None),
            DemandRecord("c-1", "email", "council_tax", None, AT_11),
        ),
        (
            start_event("webform.submitted", channel="web", service_type=None),
            DemandRecord("c-1", "web", None, "citizen", AT_11),
        ),
        (
            start_event("visit.ticketed", channel="face_to_face"),
            DemandRecord("c-1", "face_to_face", "council_tax", "citizen", AT_11),
        ),
        (start_event("call.answered"), None),
        (start_event("case.opened"), None),
        (start_event("complaint.raised"), None),
        (start_event("survey.answered", score=7), None),
    ],
    ids=[
        "call",
        "email-without-segment",
        "webform-without-service",
        "visit",
        "not-a-start",
        "case-is-not-demand",
        "complaint-is-not-demand",
        "survey-is-not-demand",
    ],
)
def test_demand_record_from_event(data: dict[str, Any], expected: DemandRecord | None) -> None:
    assert demand_record_from_event(data) == expected


def test_bad_start_event_is_value_error() -> None:
    with pytest.raises(ValueError):
        demand_record_from_event(start_event("call.queued", contact_id=""))


def test_record_round_trips_through_json() -> None:
    record = DemandRecord("c-1", "web", None, "student", AT_11 + US)
    data = json.loads(json.dumps(record.to_dict()))
    assert data["started_at"] == "2026-01-20T11:00:00.000001+00:00"
    assert DemandRecord.from_dict({**data, "extra": 1}) == record


def rec(
    contact: str,
    channel: str,
    at: datetime,
    service: str | None = "council_tax",
    segment: str | None = "citizen",
) -> DemandRecord:
    return DemandRecord(contact, channel, service, segment, at)


def result(
    by_channel: dict[str, int],
    by_service: dict[str, int],
    by_segment: dict[str, int],
    mix: dict[str, float],
) -> dict[str, Any]:
    return {
        "contacts": sum(by_channel.values()),
        "by_channel": by_channel,
        "by_service_type": by_service,
        "by_customer_segment": by_segment,
        "channel_mix": mix,
    }


DEMAND_CASES: list[tuple[str, list[DemandRecord], dict[str, Any]]] = [
    ("nothing", [], result({}, {}, {}, {})),
    (
        "two-phone-one-email-one-web",
        [
            rec("c1", "phone", AT_11),
            rec("c2", "phone", AT_11, service="housing"),
            rec("c3", "email", AT_11, segment="business"),
            rec("c4", "web", AT_11),
        ],
        result(
            {"email": 1, "phone": 2, "web": 1},
            {"council_tax": 3, "housing": 1},
            {"business": 1, "citizen": 3},
            {"email": 0.25, "phone": 0.5, "web": 0.25},
        ),
    ),
    (
        "thirds-to-six-places",
        [rec("c1", "phone", AT_11), rec("c2", "email", AT_11), rec("c3", "face_to_face", AT_11)],
        result(
            {"email": 1, "face_to_face": 1, "phone": 1},
            {"council_tax": 3},
            {"citizen": 3},
            {"email": 0.333333, "face_to_face": 0.333333, "phone": 0.333333},
        ),
    ),
    (
        "transferred-call-counts-once",
        [rec("c1", "phone", AT_11), rec("c1", "phone", AT_11 + 5 * M)],
        result({"phone": 1}, {"council_tax": 1}, {"citizen": 1}, {"phone": 1.0}),
    ),
    (
        "duplicate-record-counts-once",
        [rec("c1", "phone", AT_11), rec("c1", "phone", AT_11)],
        result({"phone": 1}, {"council_tax": 1}, {"citizen": 1}, {"phone": 1.0}),
    ),
    (
        "contact-started-yesterday-not-counted-today",
        [rec("c1", "phone", MIDNIGHT - 10 * M), rec("c1", "phone", MIDNIGHT + 10 * M)],
        result({}, {}, {}, {}),
    ),
    (
        "today-boundaries",
        [
            rec("c1", "phone", MIDNIGHT),
            rec("c2", "phone", MIDNIGHT - US),
            rec("c3", "email", NOW),
            rec("c4", "email", NOW + US),
        ],
        result(
            {"email": 1, "phone": 1},
            {"council_tax": 2},
            {"citizen": 2},
            {"email": 0.5, "phone": 0.5},
        ),
    ),
    (
        "missing-dimensions-are-unknown",
        [rec("c1", "web", AT_11, service=None, segment=None), rec("c2", "web", AT_11)],
        result(
            {"web": 2},
            {"council_tax": 1, "unknown": 1},
            {"citizen": 1, "unknown": 1},
            {"web": 1.0},
        ),
    ),
]


@pytest.mark.parametrize(
    ("records", "expected"),
    [d[1:] for d in DEMAND_CASES],
    ids=[d[0] for d in DEMAND_CASES],
)
def test_demand_today(records: list[DemandRecord], expected: dict[str, Any]) -> None:
    assert demand_kpis(records, "today", NOW, LONDON) == expected
    assert demand_kpis(reversed(records), "today", NOW, LONDON) == expected


@pytest.mark.parametrize(
    ("window", "expected_by_channel"),
    [
        ("month_to_date", {"email": 1, "phone": 1}),
        ("today", {"phone": 1}),
        ("rolling_30m", {"phone": 1}),
    ],
    ids=["month-to-date", "today", "rolling-30m"],
)
def test_demand_across_a_dst_month_start(window: str, expected_by_channel: dict[str, int]) -> None:
    now = datetime(2026, 4, 10, 12, tzinfo=UTC)  # month start 2026-03-31T23:00Z
    records = [
        rec("c1", "email", datetime(2026, 3, 31, 23, tzinfo=UTC)),
        rec("c2", "web", datetime(2026, 3, 31, 23, tzinfo=UTC) - US),
        rec("c3", "phone", now - 10 * M),
    ]
    assert demand_kpis(records, window, now, LONDON)["by_channel"] == expected_by_channel


def test_unknown_window_is_value_error() -> None:
    with pytest.raises(ValueError):
        demand_kpis([], "rolling_60m_typo", NOW, LONDON)
