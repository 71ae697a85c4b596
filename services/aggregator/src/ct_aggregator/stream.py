"""``GET /v1/stream``: Server-Sent Events of KPI snapshots and alert changes.

A stream opens with ``retry: 2000`` (reconnect after 2 s) and then either the full state,
as one ``sync`` event, or, for a client that reconnects with ``Last-Event-ID``, the
events it missed if the hub still holds them all. After that it sends each change as it
happens:

- ``snapshot``: the new view of one scope (as an item of ``/v1/queues``);
- ``alert``: one alert transition (as an item of ``/v1/alerts?state=all``);
- ``sync``: ``{"snapshots": [...], "alerts": [...open ones]}``, again whenever the client
  fell too far behind to be sent every change.

Every event has an ``id`` (``<server epoch>-<number>``). A comment line keeps an idle
connection open. The stream ends cleanly when the client goes away or the server stops.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Header, Query
from fastapi.responses import StreamingResponse

from ct_aggregator.event_hub import CLOSED, LAGGED, EventHub, HubEvent

RETRY_MS = 2000
KEEP_ALIVE = b": keep-alive\n\n"
StateFn = Callable[[], dict[str, Any]]


def frame(event_id: str, kind: str, data: bytes) -> bytes:
    """One SSE event (``data`` is one line of JSON)."""
    return b"id: %s\nevent: %s\ndata: %s\n\n" % (event_id.encode(), kind.encode(), data)


async def sse_frames(
    hub: EventHub, state: StateFn, heartbeat_s: float, last_event_id: str | None = None
) -> AsyncIterator[bytes]:
    """The frames of one client's stream, until the hub closes or the client leaves."""
    sub = hub.subscribe()  # first, so nothing published from now on can be missed
    try:
        backlog = hub.since(last_event_id) if last_event_id else None
        floor = hub.last_id
        opening = [b"retry: %d\n\n" % RETRY_MS]
        if backlog is None:
            opening.append(frame(hub.event_id(floor), "sync", orjson.dumps(state())))
        else:
            opening.extend(frame(hub.event_id(e.id), e.kind, e.data) for e in backlog)
        yield b"".join(opening)
        while True:
            try:
                event: HubEvent = await asyncio.wait_for(sub.queue.get(), heartbeat_s)
            except TimeoutError:
                yield KEEP_ALIVE
                continue
            if event is CLOSED:
                return
            if event is LAGGED:
                floor = hub.last_id
                yield frame(hub.event_id(floor), "sync", orjson.dumps(state()))
            elif event.id > floor:
                yield frame(hub.event_id(event.id), event.kind, event.data)
    finally:
        hub.unsubscribe(sub)


def stream_router(hub: EventHub, state: StateFn, heartbeat_s: float) -> APIRouter:
    """The ``/v1/stream`` route over ``hub``; ``state`` gives the full state for ``sync``."""
    router = APIRouter()

    @router.get(
        "/v1/stream",
        summary="Live KPI snapshots and alert changes (Server-Sent Events)",
        response_class=StreamingResponse,
        responses={200: {"content": {"text/event-stream": {}}, "description": "An SSE stream"}},
    )
    async def stream(
        last_event_id: Annotated[
            str | None,
            Header(description="Sent by EventSource on reconnect: resume after this event."),
        ] = None,
        token: Annotated[
            str | None,
            Query(description="The read token, for clients that cannot set headers (EventSource)."),
        ] = None,
    ) -> StreamingResponse:
        return StreamingResponse(
            sse_frames(hub, state, heartbeat_s, last_event_id),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    return router
