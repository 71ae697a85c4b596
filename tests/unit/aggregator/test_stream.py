"""/v1/stream: the hub numbers changes, replays them after ``Last-Event-ID`` while it holds
them all, resyncs a client that fell behind, keeps idle streams alive, and forgets a
client that leaves; the route streams through the real ASGI app."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest

from ct_aggregator.alert_book import AlertBook
from ct_aggregator.api import build_registry, create_aggregator_api
from ct_aggregator.event_hub import CLOSED, LAGGED, EventHub
from ct_aggregator.feed import LiveFeed
from ct_aggregator.intervals import IntervalStore
from ct_aggregator.metrics_reader import MetricsReader
from ct_aggregator.snapshots import SnapshotStore
from ct_aggregator.stream import sse_frames
from ct_sla_monitor.standards_file import default_standards

pytestmark = pytest.mark.timeout(20)


def state() -> dict[str, Any]:
    return {"snapshots": [], "alerts": []}


def events_of(chunk: bytes) -> list[dict[str, str]]:
    """The SSE events in a chunk, as field dicts (comments and retry lines left out)."""
    out = []
    for block in chunk.decode().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in fields:
            out.append(fields)
    return out


def test_the_hub_numbers_events_and_replays_what_it_still_holds() -> None:
    hub = EventHub(replay=3)
    for n in range(5):
        hub.publish("snapshot", {"n": n})
    assert hub.last_id == 5
    assert [e.id for e in hub.since(hub.event_id(3)) or []] == [4, 5]
    assert hub.since(hub.event_id(5)) == []
    assert hub.since(hub.event_id(1)) is None  # event 2 is gone: resync instead
    for foreign in ("", "abc", "other-3", f"{hub.epoch}-", f"{hub.epoch}-6", f"{hub.epoch}-x1"):
        assert hub.since(foreign) is None
    hub.skip()  # a change nobody listened for: later resumes must resync
    assert hub.since(hub.event_id(5)) is None


def test_a_full_queue_is_replaced_by_one_lagged_marker() -> None:
    hub = EventHub(queue_size=2)
    sub = hub.subscribe()
    for n in range(3):
        hub.publish("snapshot", {"n": n})
    assert sub.queue.qsize() == 1 and sub.queue.get_nowait() is LAGGED
    hub.close()
    assert sub.queue.get_nowait() is CLOSED
    assert hub.subscribe().queue.get_nowait() is CLOSED  # a closed hub ends new streams too


async def test_frames_sync_then_changes_then_keep_alive_then_end() -> None:
    hub = EventHub()
    hub.publish("snapshot", {"n": 0})
    frames = sse_frames(hub, state, heartbeat_s=0.05)
    first = await anext(frames)
    assert first.startswith(b"retry: 2000\n\n")
    (sync,) = events_of(first)
    assert sync == {"id": f"{hub.epoch}-1", "event": "sync", "data": '{"snapshots":[],"alerts":[]}'}
    hub.publish("alert", {"state": "raised"})
    (alert,) = events_of(await anext(frames))
    assert alert == {"id": f"{hub.epoch}-2", "event": "alert", "data": '{"state":"raised"}'}
    assert await anext(frames) == b": keep-alive\n\n"
    hub.close()
    with pytest.raises(StopAsyncIteration):
        await anext(frames)
    assert len(hub) == 0


async def test_a_reconnecting_client_gets_what_it_missed() -> None:
    hub = EventHub()
    for n in range(3):
        hub.publish("snapshot", {"n": n})
    frames = sse_frames(hub, state, 5.0, last_event_id=hub.event_id(1))
    assert [e["id"] for e in events_of(await anext(frames))] == [
        hub.event_id(2),
        hub.event_id(3),
    ]
    await frames.aclose()
    assert len(hub) == 0
    stale = sse_frames(hub, state, 5.0, last_event_id="an-old-server-41")
    assert [e["event"] for e in events_of(await anext(stale))] == ["sync"]
    await stale.aclose()


async def test_a_client_that_falls_behind_is_resynced() -> None:
    hub = EventHub(queue_size=8)
    frames = sse_frames(hub, state, 5.0)
    await anext(frames)  # the opening sync
    for n in range(20):  # more than the client's queue holds
        hub.publish("snapshot", {"n": n})
    (resync,) = events_of(await anext(frames))
    assert (resync["event"], resync["id"]) == ("sync", hub.event_id(20))
    hub.publish("snapshot", {"n": 20})
    (after,) = events_of(await anext(frames))
    assert (after["id"], after["data"]) == (hub.event_id(21), '{"n":20}')
    await frames.aclose()


def snapshot(queue: str) -> dict[str, Any]:
    return {
        "scope": {"channel": "face_to_face", "queue": queue, "key": f"face_to_face/{queue}"},
        "as_of": "2026-11-23T10:00:00+00:00",
        "pending_as_of": "2026-11-23T10:04:00+00:00",
        "standards_version": "charter-2026.1",
        "windows": {"today": {"visit": {"called": 0, "served_within_rate": None}}},
        "pending": [
            {
                "standard": "visit.queue_time",
                "item_id": "v1",
                "started_at": "2026-11-23T10:00:00+00:00",
                "status": "breached",
                "seconds_to_due": -60.0,
            }
        ],
    }


class AsgiStream:
    """One GET to an ASGI app, read message by message; ``leave()`` disconnects."""

    def __init__(self, app: Any, path: str) -> None:
        self.messages: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._gone = asyncio.Event()
        self._asked = False
        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"test"), (b"accept", b"text/event-stream")],
            "client": ("127.0.0.1", 50000),
            "server": ("test", 80),
        }
        self.task = asyncio.create_task(app(scope, self._receive, self.messages.put))

    async def _receive(self) -> dict[str, Any]:
        if not self._asked:
            self._asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await self._gone.wait()
        return {"type": "http.disconnect"}

    async def next(self) -> dict[str, Any]:
        return await asyncio.wait_for(self.messages.get(), 5)

    async def leave(self) -> None:
        self._gone.set()
        await asyncio.wait_for(self.task, 5)


@pytest.fixture
async def app_and_feed() -> AsyncIterator[tuple[Any, LiveFeed]]:
    store, alerts = SnapshotStore(), AlertBook()
    book = default_standards()
    feed = LiveFeed(store, alerts, IntervalStore(), EventHub(), book.for_scope)
    feed.on_snapshot(snapshot("reception"))
    reader = MetricsReader("127.0.0.1:1", {})
    yield create_aggregator_api(store, reader, build_registry(store), alerts, {}, feed=feed), feed


async def test_the_route_streams_views_and_alerts_and_forgets_a_client_that_leaves(
    app_and_feed: tuple[Any, LiveFeed],
) -> None:
    app, feed = app_and_feed
    client = AsgiStream(app, "/v1/stream")
    start = await client.next()
    assert start["status"] == 200
    assert (b"content-type", b"text/event-stream; charset=utf-8") in start["headers"]
    (sync,) = events_of((await client.next())["body"])
    held = orjson.loads(sync["data"])
    assert [v["scope"] for v in held["snapshots"]] == ["face_to_face/reception"]
    assert held["snapshots"][0]["state"] == "breach"  # a visitor 4 minutes in

    feed.on_snapshot(snapshot("front_desk"))
    (change,) = events_of((await client.next())["body"])
    view = orjson.loads(change["data"])
    assert (change["event"], view["scope"], view["state"]) == (
        "snapshot",
        "face_to_face/front_desk",
        "breach",
    )
    breaches = next(m for m in view["measures"] if m["key"] == "breaches")
    assert (breaches["value"], breaches["state"]) == (1, "breach")
    alert = {
        "alert_id": "a1",
        "state": "raised",
        "scope": "face_to_face/front_desk",
        "standard": "visit.queue_time",
        "window": None,
        "subject": "v1",
        "severity": 1,
    }
    feed.on_alert(alert)
    feed.on_alert(alert)  # a re-delivery is not a change: not sent again
    (raised,) = events_of((await client.next())["body"])
    assert (raised["event"], orjson.loads(raised["data"])["alert_id"]) == ("alert", "a1")
    assert len(feed.hub) == 1
    await client.leave()
    assert len(feed.hub) == 0
    assert client.messages.empty()
