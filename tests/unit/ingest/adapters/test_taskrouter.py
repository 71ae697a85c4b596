"""TaskRouter event callbacks: the sample mapped by hand, and the X-Twilio-Signature check."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import pytest

from contact_events import parse_event
from ct_ingest.adapters.refusals import PayloadInvalid
from ct_ingest.adapters.taskrouter import map_taskrouter, signature_valid, twilio_signature

pytestmark = pytest.mark.timeout(10)


def sid(prefix: str, n: int) -> str:
    return f"{prefix}{n:032x}"


def callbacks(samples: Path) -> list[dict[str, str]]:
    loaded: list[dict[str, str]] = json.loads((samples / "taskrouter_callbacks.json").read_text())
    return loaded


# (event sid n, type, occurred_at, call n, extra): worked from the sample, in order.
EXPECTED: list[tuple[int, str, str, int, dict[str, Any]]] = [
    (1, "call.queued", "11:00:00", 1, {}),
    (2, "call.ringing", "11:00:05", 1, {}),
    (3, "call.answered", "11:00:11", 1, {"agent_id": sid("WK", 1)}),
    (4, "call.ended", "11:06:00", 1, {}),
    (5, "call.queued", "11:10:00", 2, {}),
    (6, "call.ringing", "11:10:20", 2, {}),
    (7, "call.answered", "11:10:35", 2, {"agent_id": sid("WK", 2)}),
    (8, "call.ended", "11:15:00", 2, {}),
    (9, "call.queued", "11:20:00", 3, {}),
    (10, "call.abandoned", "11:20:50", 3, {}),
    (11, "call.queued", "11:30:00", 4, {}),
    (12, "call.abandoned", "11:30:02", 4, {}),
]


def test_the_sample_maps_to_the_hand_worked_events(samples: Path) -> None:
    events = [e for params in callbacks(samples) for e in map_taskrouter(params, source="tw")]
    assert events == [
        {
            "event_id": f"tr-{sid('EV', n)}",
            "type": kind,
            "occurred_at": f"2026-11-16T{hms}+00:00",
            "contact_id": f"tr-{sid('CA', call)}",
            "channel": "phone",
            "queue": "tr-billing",
            "service_type": "billing",
            "source": "tw",
            **extra,
            "customer_phone": f"+44207946000{call}",
        }
        for n, kind, hms, call, extra in EXPECTED
    ]
    for event in events:  # valid once ingest has turned the phone into customer_ref
        parse_event({k: v for k, v in event.items() if k != "customer_phone"})


def test_the_worker_event_maps_to_nothing(samples: Path) -> None:
    [worker_event] = [p for p in callbacks(samples) if p["EventType"].startswith("worker.")]
    assert map_taskrouter(worker_event, source="tw") == []


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        # no call in the attributes: the task is the contact; the queue its TaskQueueName
        (
            {
                "EventType": "task.created",
                "TaskSid": "WT1",
                "Timestamp": "1794826800",
                "TaskQueueName": "Sales Line",
            },
            {
                "contact_id": "tr-WT1",
                "queue": "Sales_Line",
                "service_type": "Sales_Line",
                "occurred_at": "2026-11-16T11:00:00+00:00",
            },
        ),
        # neither: the configured default queue; TimestampMs wins over Timestamp
        (
            {
                "EventType": "task.completed",
                "TaskSid": "WT1",
                "Timestamp": "1",
                "TimestampMs": "1794826800250",
                "TaskAttributes": "{}",
            },
            {
                "contact_id": "tr-WT1",
                "queue": "fallback",
                "service_type": "fallback",
                "occurred_at": "2026-11-16T11:00:00.250000+00:00",
            },
        ),
    ],
)
def test_contact_and_queue_fall_back(params: dict[str, str], expected: dict[str, str]) -> None:
    [event] = map_taskrouter(params, source="tw", default_queue="fallback")
    assert {k: event[k] for k in expected} == expected
    assert event["event_id"].startswith("tr-")


@pytest.mark.parametrize(
    ("params", "field", "rule"),
    [
        ({"TaskSid": "WT1", "Timestamp": "1"}, "EventType", "missing"),
        ({"EventType": "task.created", "Timestamp": "1"}, "TaskSid", "missing"),
        ({"EventType": "task.created", "TaskSid": "WT1"}, "Timestamp", "missing"),
        (
            {"EventType": "task.created", "TaskSid": "WT1", "Timestamp": "99999999999999"},
            "Timestamp",
            "out_of_range",
        ),
        (
            {
                "EventType": "task.created",
                "TaskSid": "WT1",
                "Timestamp": "1",
                "TaskAttributes": "{not json",
            },
            "TaskAttributes",
            "json_invalid",
        ),
        (
            {
                "EventType": "task.created",
                "TaskSid": "WT1",
                "Timestamp": "1",
                "TaskAttributes": "[1, 2]",
            },
            "TaskAttributes",
            "object_type",
        ),
    ],
)
def test_bad_callbacks_name_the_field(params: dict[str, str], field: str, rule: str) -> None:
    with pytest.raises(PayloadInvalid) as refused:
        map_taskrouter(params, source="tw")
    [error] = refused.value.errors
    assert (error.field, error.rule) == (field, rule)


TOKEN = "12345abcdef67890"
URL = "https://contact.example.gov.uk/v1/adapters/twilio/taskrouter?tenant=north"
PARAMS = [
    ("EventType", "task.created"),
    ("TaskSid", "WT1"),
    ("AccountSid", "AC9"),
    ("TaskAttributes", '{"from":"+441632960001"}'),
]


def by_hand(token: str, url: str, params: list[tuple[str, str]]) -> str:
    """Twilio's documented recipe, written out: URL, then name+value sorted by name."""
    assert params == PARAMS  # written out below in the order of their names
    text = (
        url
        + "AccountSidAC9"
        + "EventTypetask.created"
        + ('TaskAttributes{"from":"+441632960001"}' + "TaskSidWT1")
    )
    digest = hmac.new(token.encode(), text.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def test_the_signature_follows_twilios_recipe() -> None:
    expected = by_hand(TOKEN, URL, PARAMS)
    assert twilio_signature(TOKEN, URL, PARAMS) == expected
    assert signature_valid(TOKEN, URL, list(reversed(PARAMS)), expected)


@pytest.mark.parametrize(
    ("token", "url", "params", "valid"),
    [
        (TOKEN, URL, PARAMS, True),
        # a proxy that adds or drops the default port does not break it
        (TOKEN, URL.replace(".uk/", ".uk:443/"), PARAMS, True),
        ("another-token-0000", URL, PARAMS, False),
        (TOKEN, URL.replace("north", "south"), PARAMS, False),
        (TOKEN, URL, [*PARAMS[:-1], ("TaskAttributes", '{"from":"+441632960002"}')], False),
        (TOKEN, URL, [*PARAMS, ("Extra", "1")], False),
        (TOKEN, URL.replace("https://", "http://"), PARAMS, False),
    ],
)
def test_the_signature_check(
    token: str, url: str, params: list[tuple[str, str]], valid: bool
) -> None:
    signature = by_hand(TOKEN, URL, PARAMS)
    assert signature_valid(token, url, params, signature) is valid
