"""A hand-made October 2026 (Europe/London: BST until the 25th, then GMT) for the monthly
report's tests, with the figures worked out by hand in ``WANTED``.

Contacts (all service type council_tax unless said):

- W40 (Thu 1 - Sun 4 Oct): calls c1 (answered after 10 s: 4 rings), c2 (answered after
  30 s: 10 rings), c3 (queued Sunday 23:30 local, abandoned after 61 min, on Monday: it
  stays in W40, the week of its first event).
- W41 (5 - 11 Oct): call c4 by customer R1 (5 s, 2 rings) with case c4 resolved at first
  contact 5 min later (reason problem); email e1 acknowledged after 10 min and answered
  after 8 working hours; call c5 by R1 again on the 9th (15 s, 5 rings; reason query):
  a repeat contact, which makes case c4 not a first-contact resolution.
- W42 (12 - 18 Oct): call c6 by R2 (8 s, 3 rings), case c6 resolved at first contact after
  30 min (reason query), final by the month's end; survey of c6: 10 (promoter).
- W43 (19 - 25 Oct): visitors v1 (called after 120 s) and v2 (200 s); call c7 (3 s,
  1 ring); survey of c7: 5 (detractor), recorded last of all (nine days late).
- W44 (26 - 31 Oct): complaint m1 by email, stage 1 answered after 8 working hours; call
  c8 (service housing, 25 s, 9 rings).
- Outside the month: call c0 (30 Sep) and c9 (1 Nov local). Also one line that is not
  JSON and one repeated event.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import orjson

R1 = "v1:" + "a" * 64
R2 = "v1:" + "b" * 64


def _event(
    kind: str,
    contact: str,
    at: datetime,
    channel: str = "phone",
    queue: str = "council_tax",
    **extra: Any,
) -> dict[str, Any]:
    body = {
        "event_id": f"{contact}-{kind}-{extra.pop('n', 0)}",
        "type": kind,
        "occurred_at": at.isoformat(),
        "contact_id": contact,
        "channel": channel,
        "queue": queue,
        "service_type": extra.pop("service_type", "council_tax"),
        "source": "test",
    }
    return {**body, **extra}


def _call(
    contact: str, queued: str, wait_s: float, outcome: str = "answered", **extra: Any
) -> list[dict[str, Any]]:
    start = datetime.fromisoformat(queued)
    end = start + timedelta(seconds=wait_s)
    return [
        _event("call.queued", contact, start, **extra),
        _event(f"call.{outcome}", contact, end, **extra),
        _event("call.ended", contact, end + timedelta(minutes=2), **extra),
    ]


def _case(contact: str, opened: str, minutes: float, reason: str, ref: str) -> list[dict[str, Any]]:
    start = datetime.fromisoformat(opened)
    extra = {"customer_ref": ref, "query_reason": reason}
    return [
        _event("case.opened", contact, start, **extra),
        _event(
            "case.resolved",
            contact,
            start + timedelta(minutes=minutes),
            resolution="first_contact",
            contacts=1,
            **extra,
        ),
    ]


def _visit(contact: str, ticketed: str, wait_s: float) -> list[dict[str, Any]]:
    start = datetime.fromisoformat(ticketed)
    f2f = {"channel": "face_to_face", "queue": "reception"}
    return [
        _event("visit.ticketed", contact, start, **f2f),
        _event("visit.called", contact, start + timedelta(seconds=wait_s), **f2f),
        _event("visit.served", contact, start + timedelta(seconds=wait_s + 300), **f2f),
    ]


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


EMAIL = {"channel": "email", "queue": "council_tax"}
LATE_SURVEY = _event("survey.answered", "c7", _at("2026-10-21T09:10:00+01:00"), score=5)


def month_events() -> list[dict[str, Any]]:
    """The events in the order they are recorded (by time, but for the late survey)."""
    events = [
        *_call("c0", "2026-09-30T12:00:00+01:00", 10),
        *_call("c1", "2026-10-01T09:00:00+01:00", 10),
        *_call("c2", "2026-10-01T10:00:00+01:00", 30),
        *_call("c3", "2026-10-04T23:30:00+01:00", 3660, "abandoned"),
        *_call("c4", "2026-10-05T09:00:00+01:00", 5, customer_ref=R1, query_reason="problem"),
        *_case("c4", "2026-10-05T09:00:05+01:00", 5, "problem", R1),
        _event("email.received", "e1", _at("2026-10-05T10:00:00+01:00"), **EMAIL),
        _event("email.acknowledged", "e1", _at("2026-10-05T10:10:00+01:00"), **EMAIL),
        _event("email.responded", "e1", _at("2026-10-06T10:00:00+01:00"), **EMAIL),
        *_call("c5", "2026-10-09T09:00:00+01:00", 15, customer_ref=R1, query_reason="query"),
        *_call("c6", "2026-10-12T09:00:00+01:00", 8, customer_ref=R2, query_reason="query"),
        *_case("c6", "2026-10-12T09:00:08+01:00", 30, "query", R2),
        _event("survey.answered", "c6", _at("2026-10-12T09:40:00+01:00"), score=10),
        *_visit("v1", "2026-10-20T10:00:00+01:00", 120),
        *_visit("v2", "2026-10-20T11:00:00+01:00", 200),
        *_call("c7", "2026-10-21T09:00:00+01:00", 3),
        _event("complaint.raised", "m1", _at("2026-10-26T10:00:00+00:00"), **EMAIL),
        _event("complaint.responded", "m1", _at("2026-10-27T10:00:00+00:00"), stage=1, **EMAIL),
        *_call("c8", "2026-10-30T09:00:00+00:00", 25, service_type="housing"),
        *_call("c9", "2026-11-01T00:30:00+00:00", 10),
    ]
    events.sort(key=lambda e: _at(e["occurred_at"]))
    return [*events, LATE_SURVEY]


def month_records() -> list[bytes]:
    """The recorded month: the events, a line that is not JSON, and a repeated event."""
    records = [orjson.dumps(e) for e in month_events()]
    return [b"not json", *records, records[3]]


#: the figures worked by hand (see the module docstring)
WANTED: dict[str, Any] = {
    "contacts": 12,
    "demand": {"phone": 8, "email": 1, "face_to_face": 2},
    "demand_weeks": {
        "2026-W40": {"phone": 3},
        "2026-W41": {"phone": 2, "email": 1},
        "2026-W42": {"phone": 1},
        "2026-W43": {"phone": 1, "face_to_face": 2},
        "2026-W44": {"phone": 1},
    },
    # standard -> (month value, volume), then per week
    "phone.service_level": ((0.625, 8), [(0.333333, 3), (1.0, 2), (1.0, 1), (1.0, 1), (0.0, 1)]),
    "phone.answer_rings": ((0.571429, 7), [(0.5, 2), (0.5, 2), (1.0, 1), (1.0, 1), (0.0, 1)]),
    "phone.abandonment": ((0.125, 8), [(0.333333, 3), (0.0, 2), (0.0, 1), (0.0, 1), (0.0, 1)]),
}
