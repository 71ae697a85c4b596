"""The reception kiosk's ticket steps: the sample mapped by hand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from contact_events import parse_event
from ct_ingest.adapters.kiosk import KioskEvent, map_kiosk

pytestmark = pytest.mark.timeout(10)

K = "kiosk-town-hall-2026-11-16-"
EXPECTED = [
    ("visit.ticketed", "09:00:00", "A001", {"service_type": "council_tax"}),
    ("visit.called", "09:02:00", "A001", {"agent_id": "desk-3"}),
    ("visit.ticketed", "09:05:00", "A002", {"service_type": "housing"}),
    ("visit.ticketed", "09:06:00", "A003", {"service_type": "housing"}),
    ("visit.left", "09:08:00", "A003", {}),
    ("visit.called", "09:09:00", "A002", {"agent_id": "desk-1"}),
    ("visit.served", "09:10:00", "A001", {}),
    ("visit.left", "09:11:00", "A001", {}),
    ("visit.ticketed", "09:15:00", "A004", {"service_type": "parking"}),
    ("visit.called", "09:18:00", "A004", {"agent_id": "desk-3"}),
    ("visit.served", "09:20:00", "A002", {}),
    ("visit.ticketed", "09:21:00", "A005", {"service_type": "housing"}),
    ("visit.served", "09:25:00", "A004", {}),
]
STEP = {"ticketed": "ticket_issued", "called": "called", "served": "served", "left": "left"}


def test_the_sample_maps_to_the_hand_worked_events(samples: Path) -> None:
    posts: list[dict[str, Any]] = json.loads((samples / "kiosk.json").read_text())
    events = [e for p in posts for e in map_kiosk(KioskEvent.model_validate(p), source="kiosk")]
    assert events == [
        {
            "event_id": f"{K}{ticket}-{STEP[kind.removeprefix('visit.')]}",
            "type": kind,
            "occurred_at": f"2026-11-16T{hms}+00:00",
            "contact_id": f"{K}{ticket}",
            "channel": "face_to_face",
            "queue": "town-hall",
            "source": "kiosk",
            **extra,
        }
        for kind, hms, ticket, extra in EXPECTED
    ]
    for event in events:
        parse_event(event)


def test_the_same_number_on_another_day_is_another_visitor() -> None:
    step = {
        "event": "ticket_issued",
        "occurred_at": "2026-11-17T09:00:00Z",
        "site": "s",
        "ticket": "A001",
    }
    monday = map_kiosk(KioskEvent.model_validate(step | {"issued_on": "2026-11-16"}), source="k")
    tuesday = map_kiosk(KioskEvent.model_validate(step | {"issued_on": "2026-11-17"}), source="k")
    assert monday[0]["contact_id"] != tuesday[0]["contact_id"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ticket": "A 001"}, "ticket"),
        ({"issued_on": "16/11/2026"}, "issued_on"),
        ({"event": "queued"}, "event"),
        ({"occurred_at": "0001-01-01T00:00:00+01:00"}, "occurred_at"),
    ],
)
def test_bad_steps_are_refused(change: dict[str, str], field: str) -> None:
    step = {
        "event": "called",
        "occurred_at": "2026-11-16T09:00:00Z",
        "site": "s",
        "ticket": "A001",
        "issued_on": "2026-11-16",
    }
    with pytest.raises(ValidationError) as refused:
        KioskEvent.model_validate(step | change)
    assert [e["loc"][0] for e in refused.value.errors()] == [field]
