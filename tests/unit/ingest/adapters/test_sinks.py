"""Delivering events: the JSON-lines file, and ingest's HTTP answers (a scripted local server
stands in for ingest here; the round trip test posts to the real one)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import orjson
import pytest

from ct_ingest.adapters.sinks import IngestSink, JsonLinesSink, SinkRefused, SinkUnavailable

pytestmark = pytest.mark.timeout(10)

EVENT = {
    "event_id": "e1",
    "type": "call.queued",
    "occurred_at": "2026-11-16T09:00:00+00:00",
    "contact_id": "c1",
    "channel": "phone",
    "queue": "q",
    "service_type": "q",
    "source": "s",
}


def test_the_file_holds_canonical_events_and_counts_refusals(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    sink = JsonLinesSink(path, append=False)
    sink.send([EVENT, EVENT | {"event_id": "e2", "queue": "all"}, EVENT | {"event_id": "e3"}])
    sink.close()
    lines = path.read_bytes().splitlines()
    assert [orjson.loads(line)["event_id"] for line in lines] == ["e1", "e3"]
    assert orjson.loads(lines[0])["occurred_at"] == "2026-11-16T09:00:00Z"
    assert dict(sink.delivery.invalid) == {("queue", "value_error"): 1}
    again = JsonLinesSink(path, append=True)
    again.send([EVENT])
    again.close()
    assert len(path.read_bytes().splitlines()) == 3


Script = list[tuple[int, dict[str, str], dict[str, Any]]]


@pytest.fixture
def ingest() -> Iterator[tuple[str, Script, list[dict[str, Any]]]]:
    """A local server answering each POST with the next scripted (status, headers, body)."""
    script: Script = []
    seen: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            seen.append(
                {
                    "path": self.path,
                    "key": self.headers.get("X-Api-Key"),
                    "signed": self.headers.get("webhook-signature"),
                    "events": orjson.loads(body)["events"],
                }
            )
            status, headers, answer = script.pop(0)
            payload = orjson.dumps(answer)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", script, seen
    server.shutdown()
    server.server_close()


def accepted(*statuses: str) -> dict[str, Any]:
    return {
        "results": [
            {
                "index": i,
                "status": s,
                **(
                    {"errors": [{"field": "queue", "rule": "value_error", "message": "m"}]}
                    if s == "invalid"
                    else {}
                ),
            }
            for i, s in enumerate(statuses)
        ]
    }


def test_batches_are_retried_after_retry_after(ingest: Any) -> None:
    url, script, seen = ingest
    waits: list[float] = []
    script += [
        (503, {"Retry-After": "3"}, {"error": "broker_unavailable", "retry_after_s": 3}),
        (429, {"Retry-After": "1"}, {"error": "rate_limited", "retry_after_s": 1}),
        (200, {}, accepted("accepted", "duplicate_in_batch")),
        (200, {}, accepted("invalid")),
    ]
    sink = IngestSink(url, api_key="k-123", batch_size=2, sleep=waits.append)
    sink.send([EVENT, EVENT, EVENT | {"event_id": "e3"}])
    assert waits == [3.0, 1.0]
    assert [(s["path"], s["key"], len(s["events"])) for s in seen] == [
        ("/v1/events:batch", "k-123", 2)
    ] * 3 + [("/v1/events:batch", "k-123", 1)]
    assert (sink.delivery.accepted, sink.delivery.duplicates) == (1, 1)
    assert dict(sink.delivery.invalid) == {("queue", "value_error"): 1}


def test_a_refusal_stops_with_its_reason(ingest: Any) -> None:
    url, script, _ = ingest
    script.append((401, {}, {"error": "unauthorized", "reason": "unknown_api_key"}))
    with pytest.raises(SinkRefused, match="401: unauthorized, unknown_api_key"):
        IngestSink(url, api_key="wrong", sleep=lambda _: None).send([EVENT])


def test_signed_posts_carry_the_standard_webhooks_headers(ingest: Any) -> None:
    url, script, seen = ingest
    script.append((200, {}, accepted("accepted")))
    IngestSink(url, signing_secret="whsec_MDEyMzQ1Njc4OWFiY2RlZg==").send([EVENT])
    assert seen[0]["signed"].startswith("v1,")


def test_an_unreachable_ingest_is_given_up_after_the_budget() -> None:
    waits: list[float] = []
    sink = IngestSink("http://127.0.0.1:9", give_up_after_s=5, sleep=waits.append)
    with pytest.raises(SinkUnavailable, match="unreachable"):
        sink.send([EVENT])
    assert waits == [1.0, 2.0]  # backoff 1, 2; the next 4 s would pass the 5 s budget
