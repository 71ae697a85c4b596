"""The email gateway's thread steps: the sample mapped by hand, threaded by RFC 5322."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import orjson
import pytest

from contact_events import parse_event
from ct_ingest.adapters.email_gateway import EmailGatewayEvent, map_email_step
from ct_ingest.adapters.payload_fields import parse_payload
from ct_ingest.adapters.refusals import PayloadInvalid

pytestmark = pytest.mark.timeout(10)


def thread(root: str) -> str:
    """The documented contact id: ``mail-`` + SHA-256 of the root Message-ID, 24 hex."""
    return "mail-" + hashlib.sha256(root.encode()).hexdigest()[:24]


E1, E2, E3 = (thread(f"{m}@mail.example.com") for m in ("CAE1.a7f3", "CAE2.b2c9", "CAE3.c4d1"))
# (type, occurred_at, contact, customer_email or None), in the sample's order
EXPECTED = [
    ("email.received", "09:00:00", E1, "Applicant.One@Example.com"),
    ("email.acknowledged", "09:00:30", E1, None),
    ("email.received", "09:30:00", E2, "applicant.two@example.com"),
    ("email.acknowledged", "09:50:00", E2, None),
    ("email.received", "10:00:00", E3, "applicant.three@example.com"),
    ("email.acknowledged", "10:00:10", E3, None),
    ("email.responded", "11:00:00", E1, None),
    ("email.closed", "11:05:00", E1, None),
    ("email.responded", "14:00:00", E2, None),  # a reply to the ack: threaded by References
]


def steps(samples: Path) -> list[dict[str, Any]]:
    loaded: list[dict[str, Any]] = json.loads((samples / "email_gateway.json").read_text())
    return loaded


def mapped(samples: Path) -> list[dict[str, Any]]:
    return [
        event
        for step in steps(samples)
        for event in map_email_step(
            parse_payload(EmailGatewayEvent, orjson.dumps(step)), source="email-gw"
        )
    ]


def test_the_sample_maps_to_the_hand_worked_events(samples: Path) -> None:
    events = mapped(samples)
    assert [
        (e["type"], e["occurred_at"], e["contact_id"], e.get("customer_email")) for e in events
    ] == [(kind, f"2026-11-16T{hms}+00:00", c, mail) for kind, hms, c, mail in EXPECTED]
    assert {(e["channel"], e["queue"], e["source"], e["service_type"]) for e in events} == {
        ("email", "mail-admissions", "email-gw", "admissions")
    }
    assert (events[0]["query_reason"], events[0]["customer_segment"]) == ("query", "applicant")
    ids = [e["event_id"] for e in events]
    assert len(set(ids)) == len(ids)
    assert ids == [e["event_id"] for e in mapped(samples)]  # the same on a re-send
    for event in events:  # valid once ingest has turned the address into customer_ref
        parse_event({k: v for k, v in event.items() if k != "customer_email"})


@pytest.mark.parametrize(
    ("headers", "root"),
    [
        ({"message_id": "<a@x>"}, "a@x"),
        ({"message_id": "<b@x>", "in_reply_to": "<a@x>"}, "a@x"),
        ({"message_id": "<c@x>", "in_reply_to": "<b@x>", "references": "<a@x>\r\n <b@x>"}, "a@x"),
        ({"message_id": "<c@x>", "thread_id": "T-77", "references": "<a@x>"}, "T-77"),
        ({"message_id": "d@x"}, "d@x"),  # no angle brackets: the same id
    ],
)
def test_the_thread_is_the_root_message(headers: dict[str, str], root: str) -> None:
    step = {"event": "received", "occurred_at": "2026-11-16T09:00:00Z", "mailbox": "m"}
    [event] = map_email_step(EmailGatewayEvent.model_validate(step | headers), source="s")
    assert event["contact_id"] == thread(root)


@pytest.mark.parametrize(
    ("body", "field", "rule"),
    [
        (b"{", "(body)", "json_invalid"),
        (b"[]", "(body)", "object_type"),
        (
            b'{"event": "opened", "occurred_at": "2026-11-16T09:00:00Z", "mailbox": "m",'
            b' "message_id": "<a@x>"}',
            "event",
            "literal_error",
        ),
        (
            b'{"event": "received", "occurred_at": "2026-11-16T09:00:00", "mailbox": "m",'
            b' "message_id": "<a@x>"}',
            "occurred_at",
            "timezone_aware",
        ),
        (
            b'{"event": "received", "occurred_at": "2026-11-16T09:00:00Z", "mailbox": "m"}',
            "(body)",
            "value_error",
        ),
        (
            b'{"event": "received", "occurred_at": "2026-11-16T09:00:00Z", "mailbox": "a b",'
            b' "message_id": "<a@x>"}',
            "mailbox",
            "string_pattern_mismatch",
        ),
    ],
)
def test_bad_payloads_name_the_field_and_rule(body: bytes, field: str, rule: str) -> None:
    with pytest.raises(PayloadInvalid) as refused:
        parse_payload(EmailGatewayEvent, body)
    assert [(e.field, e.rule) for e in refused.value.errors] == [(field, rule)]
    assert "a b" not in str([e.message for e in refused.value.errors])
