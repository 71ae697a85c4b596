"""Checking Standard Webhooks signatures of a source's requests, and refusing replays.

:class:`SignatureChecker` verifies the signature (core: :mod:`ct_ingest.core.signatures`)
against the wall clock, then claims the ``webhook-id`` in a bounded replay memory. A claim
is kept only when the request is answered 2xx: :class:`ReplayReleaseMiddleware` gives it
back otherwise, so a sender may retry a message that got 503 (the ``event_id`` keeps the
retry safe), while a captured, accepted request cannot be played again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ct_ingest.core.replay import Claim, Key, ReplayGuard
from ct_ingest.core.signatures import SignatureRejected, verify
from ct_ingest.errors import ReplayCacheFull, Unauthorized

ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
#: Where a request's claimed ``(source, webhook-id)`` waits for its answer (``scope["state"]``).
CLAIM_STATE = "ct_ingest_webhook_claim"


class SignatureChecker:
    """Verifies signed requests within ``tolerance_s`` and remembers their ids."""

    def __init__(
        self, tolerance_s: float, capacity: int, clock: Callable[[], float] = time.time
    ) -> None:
        self._tolerance_s = tolerance_s
        self._guard = ReplayGuard(capacity)
        self._clock = clock

    def check(self, source: str, key: bytes, headers: Mapping[str, str], body: bytes) -> Key:
        """Verify and claim; return the claim, or raise Unauthorized / ReplayCacheFull."""
        now = self._clock()
        msg_id = headers.get(ID_HEADER)
        try:
            signed_at = verify(
                key,
                msg_id,
                headers.get(TIMESTAMP_HEADER),
                headers.get(SIGNATURE_HEADER),
                body,
                now,
                self._tolerance_s,
            )
        except SignatureRejected as exc:
            raise Unauthorized(exc.reason, source) from None
        assert msg_id is not None  # verify() refuses a missing id
        claim = (source, msg_id)
        found = self._guard.claim(claim, signed_at + self._tolerance_s, now)
        if found is Claim.REPLAYED:
            raise Unauthorized("webhook_id_reused", source)
        if found is Claim.FULL:
            raise ReplayCacheFull("replay_cache_full", source)
        return claim

    def release(self, claim: Key) -> None:
        """Forget a claim whose request was not accepted."""
        self._guard.release(claim)


class ReplayReleaseMiddleware:
    """Releases a request's webhook-id claim unless the request was answered 2xx."""

    def __init__(self, app: ASGIApp, checker: SignatureChecker) -> None:
        self.app = app
        self.checker = checker

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        state = scope.setdefault("state", {})
        try:
            await self.app(scope, receive, recording_send)
        finally:
            claim = state.get(CLAIM_STATE)
            if claim is not None and not 200 <= status < 300:
                self.checker.release(claim)
