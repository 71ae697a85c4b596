"""Remembering signed message ids, so a captured request cannot be played again.

A signed request stays acceptable while its timestamp is within the tolerance, so its
``webhook-id`` is remembered until ``timestamp + tolerance``; after that the timestamp
check refuses it anyway. The memory is bounded: when it is full of ids that have not
expired, new messages are refused (fail closed) rather than old ids forgotten early.
"""

from __future__ import annotations

import heapq
from enum import Enum

Key = tuple[str, str]  # (source, webhook-id)


class Claim(Enum):
    """What :meth:`ReplayGuard.claim` found."""

    CLAIMED = "claimed"  # first use: go on
    REPLAYED = "replayed"  # already used and not expired: refuse
    FULL = "full"  # no room for another id: refuse for now (retriable)


class ReplayGuard:
    """The message ids seen within their tolerance, at most ``capacity`` of them."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._capacity = capacity
        self._expires: dict[Key, float] = {}
        self._queue: list[tuple[float, Key]] = []

    def __len__(self) -> int:
        return len(self._expires)

    def claim(self, key: Key, expires_at: float, now: float) -> Claim:
        """Take ``key`` until ``expires_at``, unless it is held already or there is no room."""
        self._forget_expired(now)
        held = self._expires.get(key)
        if held is not None:
            return Claim.REPLAYED
        if len(self._expires) >= self._capacity:
            return Claim.FULL
        self._expires[key] = expires_at
        heapq.heappush(self._queue, (expires_at, key))
        return Claim.CLAIMED

    def release(self, key: Key) -> None:
        """Give ``key`` back: its request was not accepted, so the sender may retry it."""
        self._expires.pop(key, None)
        if len(self._queue) > 2 * self._capacity:  # drop the queue entries of released keys
            self._queue = [(at, k) for k, at in self._expires.items()]
            heapq.heapify(self._queue)

    def _forget_expired(self, now: float) -> None:
        while self._queue and self._queue[0][0] <= now:
            at, key = heapq.heappop(self._queue)
            if self._expires.get(key) == at:
                del self._expires[key]
