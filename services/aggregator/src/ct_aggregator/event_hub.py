"""A small publish/subscribe hub between the topic reader and the ``/v1/stream`` clients.

The reader's handlers publish each change (a scope's new view, an alert transition) once;
the hub numbers it, keeps the last ``replay`` events for clients that reconnect with
``Last-Event-ID``, and copies it into every subscriber's bounded queue. A subscriber whose
queue is full is not waited for: its queue is emptied and marked ``lagged``, and its stream
sends the full current state instead of the missed events. Everything runs on the event
loop's thread; nothing blocks.
"""

from __future__ import annotations

import asyncio
import secrets
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import orjson


@dataclass(frozen=True, slots=True)
class HubEvent:
    """One published change: its number, its SSE event name and its JSON data."""

    id: int
    kind: str
    data: bytes


#: put in a queue when its subscriber fell behind (resync) or when the hub closes (end)
LAGGED = HubEvent(-1, "lagged", b"")
CLOSED = HubEvent(-2, "closed", b"")


@dataclass(eq=False, slots=True)
class Subscription:
    """One client's bounded queue of events."""

    queue: asyncio.Queue[HubEvent]


@dataclass(slots=True)
class EventHub:
    """Numbers events, keeps a short replay buffer, and fans them out to subscribers.

    ``epoch`` is new for every hub, so an id handed out before a restart is never taken
    for one of this hub's."""

    queue_size: int = 512
    replay: int = 2048
    epoch: str = field(default_factory=lambda: secrets.token_hex(4))
    last_id: int = 0
    closed: bool = False
    _recent: deque[HubEvent] = field(default_factory=deque)
    _subscribers: set[Subscription] = field(default_factory=set)

    def __len__(self) -> int:
        return len(self._subscribers)

    def publish(self, kind: str, payload: Any) -> HubEvent:
        """Number ``payload`` as event ``kind`` and hand it to every subscriber."""
        self.last_id += 1
        event = HubEvent(self.last_id, kind, orjson.dumps(payload))
        self._recent.append(event)
        while len(self._recent) > self.replay:
            self._recent.popleft()
        for sub in self._subscribers:
            try:
                sub.queue.put_nowait(event)
            except asyncio.QueueFull:
                _drain(sub.queue)
                sub.queue.put_nowait(LAGGED)
        return event

    def skip(self) -> None:
        """Count a change nobody is listening for without building it: the replay buffer
        is emptied, so a client that comes back later gets the full state instead."""
        self.last_id += 1
        self._recent.clear()

    def subscribe(self) -> Subscription:
        """A new subscriber; events published from now on reach its queue."""
        sub = Subscription(asyncio.Queue(maxsize=self.queue_size))
        if self.closed:
            sub.queue.put_nowait(CLOSED)
        self._subscribers.add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        """Stop feeding ``sub`` (a second call is harmless)."""
        self._subscribers.discard(sub)

    def event_id(self, number: int) -> str:
        """The SSE ``id`` of event ``number``: ``<epoch>-<number>``."""
        return f"{self.epoch}-{number}"

    def since(self, last_event_id: str) -> list[HubEvent] | None:
        """The events after ``last_event_id`` (an SSE id this hub gave) if the replay
        buffer still holds all of them; None when some are gone or the id is not ours."""
        epoch, _, number = last_event_id.partition("-")
        if epoch != self.epoch or not number.isdigit() or len(number) > 18:
            return None
        last_id = int(number)
        if last_id > self.last_id:
            return None
        if last_id == self.last_id:
            return []
        if not self._recent or self._recent[0].id > last_id + 1:
            return None
        return [event for event in self._recent if event.id > last_id]

    def close(self) -> None:
        """End every stream (on shutdown): each subscriber gets CLOSED next."""
        self.closed = True
        for sub in self._subscribers:
            _drain(sub.queue)
            sub.queue.put_nowait(CLOSED)


def _drain(queue: asyncio.Queue[HubEvent]) -> None:
    while not queue.empty():
        queue.get_nowait()
