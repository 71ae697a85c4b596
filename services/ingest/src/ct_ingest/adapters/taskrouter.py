"""Twilio TaskRouter event callbacks to canonical call events, and their signature (pure).

TaskRouter POSTs every workspace event to the ``EventCallbackUrl``, form-encoded:
``EventType``, ``Sid`` (the event's own sid), ``Timestamp`` (Unix seconds; ``TimestampMs``
in milliseconds), ``TaskSid``, ``TaskAttributes`` (the task's JSON attributes),
``TaskQueueName``, ``WorkerSid`` and more. A voice task made by ``<Enqueue>`` carries the
call in its attributes (``call_sid``, ``from``, ``to``).

==========================  ==================  ==========================================
EventType                   canonical event     notes
==========================  ==================  ==========================================
task.created                call.queued         the call is waiting for a worker
reservation.created         call.ringing        the task is offered to a worker (rings)
reservation.accepted        call.answered       ``agent_id`` = WorkerSid
task.canceled               call.abandoned      the caller hung up, or the task timed out
task.completed              call.ended
==========================  ==================  ==========================================

Any other event type maps to nothing (TaskRouter sends many; they are acknowledged and
ignored). The contact is the call (``call_sid``), else the task; the queue is the
attributes' ``queue``, else ``TaskQueueName``, else the configured default (so every event
of a task names the same queue); ``service_type`` is the attributes' ``service_type``, else
the queue. ``event_id`` is ``tr-`` + the event ``Sid``, stable across TaskRouter's
retries. The caller's number (``from``) travels as ``customer_phone``, which ingest turns
into ``customer_ref`` before anything is written.

The signature: ``X-Twilio-Signature`` is base64(HMAC-SHA1(auth token, URL + every POST
parameter's name and value, sorted by name)), URL being the full URL Twilio requested.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import orjson

from ct_ingest.adapters.naming import digest, from_epoch, safe_id, safe_name, timestamp
from ct_ingest.adapters.refusals import PayloadInvalid
from ct_ingest.core.pseudonyms import PHONE_FIELD

MAPPED: dict[str, str] = {
    "task.created": "call.queued",
    "reservation.created": "call.ringing",
    "reservation.accepted": "call.answered",
    "task.canceled": "call.abandoned",
    "task.completed": "call.ended",
}
#: The callback parameters the mapper reads (TaskRouter sends more).
CALLBACK_FIELDS = (
    "EventType",
    "Sid",
    "Timestamp",
    "TimestampMs",
    "TaskSid",
    "TaskAttributes",
    "TaskQueueName",
    "WorkerSid",
)
_DEFAULT_PORTS = {"https": 443, "http": 80}
_LATEST_MS = 32_503_680_000_000  # 3000-01-01

Event = dict[str, Any]


def twilio_signature(auth_token: str, url: str, params: Sequence[tuple[str, str]]) -> str:
    """The ``X-Twilio-Signature`` Twilio computes for a POST of ``params`` to ``url``.

    Parameters are taken sorted by name (a repeated name's values sorted too), each as
    name followed by value, appended to the URL; the HMAC-SHA1 is keyed by the auth token.
    """
    payload = url + "".join(name + value for name, value in sorted(params))
    mac = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


def signature_valid(
    auth_token: str, url: str, params: Sequence[tuple[str, str]], signature: str
) -> bool:
    """Whether ``signature`` is Twilio's for this request, compared in constant time.

    The URL is tried as given and with its default port added or removed, because Twilio
    signs the URL as configured while proxies may add or drop ``:443``.
    """
    found = False
    for candidate in _url_variants(url):
        expected = twilio_signature(auth_token, candidate, params)
        found |= hmac.compare_digest(expected.encode(), signature.encode())
    return found


def map_taskrouter(
    params: Mapping[str, str], *, source: str, default_queue: str = "twilio"
) -> list[Event]:
    """The canonical events of one TaskRouter callback (none for an unmapped EventType)."""
    event_type = _required(params, "EventType")
    if event_type not in MAPPED:
        return []
    kind = MAPPED[event_type]
    attributes = _attributes(params.get("TaskAttributes", ""))
    task_sid = _required(params, "TaskSid")
    at_ms = _moment_ms(params)
    call = _text(attributes.get("call_sid")) or task_sid
    queue = safe_name(
        _text(attributes.get("queue")) or params.get("TaskQueueName") or default_queue
    )
    service = safe_name(_text(attributes.get("service_type")) or queue)
    event_sid = params.get("Sid") or digest(event_type, task_sid, str(at_ms))
    event: Event = {
        "event_id": safe_id(f"tr-{event_sid}"),
        "type": kind,
        "occurred_at": timestamp(from_epoch(at_ms / 1000)),
        "contact_id": safe_id(f"tr-{call}"),
        "channel": "phone",
        "queue": queue,
        "service_type": service,
        "source": source,
    }
    if kind == "call.answered" and params.get("WorkerSid"):
        event["agent_id"] = safe_id(params["WorkerSid"])
    caller = _text(attributes.get("from"))
    if caller:
        event[PHONE_FIELD] = caller
    return [event]


def _required(params: Mapping[str, str], name: str) -> str:
    value = params.get(name, "").strip()
    if not value:
        raise PayloadInvalid.one(name, "missing", f"{name} is required")
    return value


def _attributes(raw: str) -> dict[str, Any]:
    if not raw.strip():
        return {}
    try:
        attributes = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise PayloadInvalid.one("TaskAttributes", "json_invalid", "not valid JSON") from None
    if not isinstance(attributes, dict):
        raise PayloadInvalid.one("TaskAttributes", "object_type", "must be a JSON object")
    return attributes


def _moment_ms(params: Mapping[str, str]) -> int:
    millis = params.get("TimestampMs", "").strip()
    seconds = params.get("Timestamp", "").strip()
    if millis.isdigit():
        value, field = int(millis), "TimestampMs"
    elif seconds.isdigit():
        value, field = 1000 * int(seconds), "Timestamp"
    else:
        raise PayloadInvalid.one("Timestamp", "missing", "Timestamp (Unix seconds) is required")
    if value > _LATEST_MS:
        raise PayloadInvalid.one(field, "out_of_range", "not a Unix time before the year 3000")
    return value


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _url_variants(url: str) -> list[str]:
    parts = urlsplit(url)
    default = _DEFAULT_PORTS.get(parts.scheme)
    host = parts.hostname or ""
    if parts.port is not None and parts.port == default:
        other = parts._replace(netloc=host)
    elif parts.port is None and default is not None:
        other = parts._replace(netloc=f"{host}:{default}")
    else:
        return [url]
    return [url, urlunsplit(other)]
