"""Where command-line adapters deliver canonical events: a JSON-lines file, or ingest.

:class:`JsonLinesSink` validates each event against the contract and appends its canonical
JSON, one per line, for replays and audits. :class:`IngestSink` posts batches to
``POST /v1/events:batch`` with the source's API key (and a Standard Webhooks signature
when given a signing secret); 429, 503 and connection failures are retried after
``Retry-After`` (re-sending is safe: events carry their ``event_id``); any other refusal
stops with :class:`SinkRefused`. Both count what happened in a :class:`Delivery`.
"""

from __future__ import annotations

import os
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

import orjson

from contact_events import InvalidEvent, encode_event, parse_event
from ct_ingest.auth import API_KEY_HEADER
from ct_ingest.core.signatures import sign, signing_key

Event = dict[str, Any]
BATCH_PATH = "/v1/events:batch"
_RETRIABLE = frozenset({429, 502, 503, 504})


@dataclass(slots=True)
class Delivery:
    """Events delivered, and why the others were not (field and rule, never a value)."""

    accepted: int = 0
    duplicates: int = 0
    invalid: Counter[tuple[str, str]] = field(default_factory=Counter)

    @property
    def refused(self) -> int:
        return sum(self.invalid.values())


class EventSink(Protocol):
    """Something that takes canonical events; ``flush`` makes what was sent durable."""

    delivery: Delivery

    def send(self, events: Sequence[Event]) -> None: ...

    def flush(self) -> None: ...

    def close(self) -> None: ...


class SinkRefused(RuntimeError):
    """Ingest refused the request for good (401, 403, 413, 422 ...): retrying cannot help."""


class SinkUnavailable(RuntimeError):
    """Ingest stayed unreachable or unavailable longer than the retry budget."""


class JsonLinesSink:
    """Appends canonical events to a JSON-lines file (``append=False`` starts it afresh)."""

    def __init__(self, path: Path, *, append: bool) -> None:
        self.path = path
        self.delivery = Delivery()
        self._file: IO[bytes] = path.open("ab" if append else "wb")

    def send(self, events: Sequence[Event]) -> None:
        lines = []
        for data in events:
            try:
                lines.append(encode_event(parse_event(data)) + b"\n")
            except InvalidEvent as exc:
                self.delivery.invalid.update((e.field, e.rule) for e in exc.errors)
        self._file.write(b"".join(lines))
        self.delivery.accepted += len(lines)

    def flush(self) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        if not self._file.closed:
            self.flush()
            self._file.close()


class IngestSink:
    """Posts events to ingest in batches, retrying what may succeed later."""

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        signing_secret: str | None = None,
        batch_size: int = 500,
        timeout_s: float = 30.0,
        give_up_after_s: float | None = 300.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.url = base_url.rstrip("/") + BATCH_PATH
        self.delivery = Delivery()
        self._api_key = api_key
        self._key = signing_key(signing_secret) if signing_secret else None
        self._batch_size = batch_size
        self._timeout_s = timeout_s
        self._give_up_after_s = give_up_after_s
        self._sleep = sleep

    def send(self, events: Sequence[Event]) -> None:
        for chunk in _chunks(events, self._batch_size):
            self._post(chunk)

    def flush(self) -> None:
        """Nothing is buffered: a batch returns once ingest acknowledged it."""

    def close(self) -> None:
        """Nothing to close."""

    def _post(self, chunk: Sequence[Event]) -> None:
        body = orjson.dumps({"events": list(chunk)})
        message_id = f"ct-{uuid.uuid4().hex}"
        waited, backoff = 0.0, 1.0
        while True:
            status, retry_after, answer = self._request(body, message_id)
            if status == 200:
                self._tally(answer)
                return
            if status is not None and status not in _RETRIABLE:
                raise SinkRefused(f"ingest answered {status}: {_reason(answer)}")
            wait = float(retry_after) if retry_after is not None else backoff
            backoff = min(backoff * 2, 30.0)
            if self._give_up_after_s is not None and waited + wait > self._give_up_after_s:
                what = "unreachable" if status is None else f"answering {status}"
                raise SinkUnavailable(f"ingest stayed {what} for {waited:.0f} s")
            self._sleep(wait)
            waited += wait

    def _request(self, body: bytes, message_id: str) -> tuple[int | None, int | None, Any]:
        headers = {"Content-Type": "application/json"}
        if self._api_key:
            headers[API_KEY_HEADER] = self._api_key
        if self._key is not None:
            now = int(time.time())
            headers |= {
                "webhook-id": message_id,
                "webhook-timestamp": str(now),
                "webhook-signature": sign(self._key, message_id, now, body),
            }
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self._timeout_s) as response:
                return response.status, None, _json(response.read())
        except urllib.error.HTTPError as exc:
            retry = exc.headers.get("Retry-After", "")
            return exc.code, int(retry) if retry.isdigit() else None, _json(exc.read())
        except (urllib.error.URLError, OSError, TimeoutError):
            return None, None, None

    def _tally(self, answer: Any) -> None:
        for item in (answer or {}).get("results", []):
            status = item.get("status")
            if status == "accepted":
                self.delivery.accepted += 1
            elif status == "duplicate_in_batch":
                self.delivery.duplicates += 1
            elif status == "invalid":
                errors = item.get("errors") or [{"field": "?", "rule": "invalid"}]
                self.delivery.invalid.update((e.get("field"), e.get("rule")) for e in errors)


def _chunks(events: Sequence[Event], size: int) -> Iterator[Sequence[Event]]:
    for start in range(0, len(events), size):
        yield events[start : start + size]


def _json(raw: bytes) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None


def _reason(answer: Any) -> str:
    if not isinstance(answer, dict):
        return "no reason given"
    parts = [str(answer.get(k)) for k in ("error", "reason") if answer.get(k)]
    parts += [f"{e.get('field')}: {e.get('rule')}" for e in answer.get("errors") or []]
    return ", ".join(parts) or "no reason given"
