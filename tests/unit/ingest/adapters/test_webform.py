"""The web form handler's submissions and replies: the sample mapped by hand."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from contact_events import parse_event
from ct_ingest.adapters.webform import WebformEvent, map_webform

pytestmark = pytest.mark.timeout(10)


def contact(submission: str) -> str:
    """``web-<form>-`` + SHA-256 of form and submission id (joined by a unit separator)."""
    digest = hashlib.sha256(f"contact-us\x1f{submission}".encode()).hexdigest()[:24]
    return f"web-contact-us-{digest}"


W1, W2, W3 = contact("sub-7c1e"), contact("sub-7c2f"), contact("sub-7c3a")
EXPECTED = [
    (f"{W1}-submitted", "webform.submitted", "12:00:00", W1),
    (f"{W1}-acknowledged", "email.acknowledged", "12:00:00", W1),  # confirmed on the spot
    (f"{W2}-submitted", "webform.submitted", "12:30:00", W2),
    (f"{W2}-replied", "email.responded", "12:40:00", W2),
    (f"{W3}-submitted", "webform.submitted", "13:00:00", W3),
    (f"{W1}-replied", "email.responded", "15:00:00", W1),
]


def test_the_sample_maps_to_the_hand_worked_events(samples: Path) -> None:
    posts: list[dict[str, Any]] = json.loads((samples / "webform.json").read_text())
    events = [e for p in posts for e in map_webform(WebformEvent.model_validate(p), source="web")]
    assert [(e["event_id"], e["type"], e["occurred_at"], e["contact_id"]) for e in events] == [
        (eid, kind, f"2026-11-16T{hms}+00:00", c) for eid, kind, hms, c in EXPECTED
    ]
    assert {(e["channel"], e["queue"], e["service_type"], e["source"]) for e in events} == {
        ("web", "contact-us", "housing", "web")
    }
    assert [e.get("customer_email") for e in events[:2]] == ["resident.one@example.org"] * 2
    assert events[0]["query_reason"] == "problem"
    assert all("customer_email" not in e for e in events[2:])
    for event in events:
        parse_event({k: v for k, v in event.items() if k != "customer_email"})
