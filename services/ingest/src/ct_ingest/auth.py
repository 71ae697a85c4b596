"""Who is posting: API keys per source, rate limits, request signatures and rights.

With sources configured (``CT_INGEST_SOURCES``), every request needs one source's key in
``X-Api-Key`` (else 401), within the source's rate (else 429). A source with a signing
secret must sign every request (else 401). The source's name replaces the ``source`` the
body claims, and an event type the source is not allowed is refused with 403. With no
sources configured, ingest is open: no key, no limit, the body's own ``source`` (local
development only; production settings refuse it).

The order is cheap first: key and rate before the body is read, the signature after.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from starlette.requests import Request

from ct_ingest.body import read_body
from ct_ingest.core.credentials import find_source, may_call, may_post
from ct_ingest.errors import Forbidden, Unauthorized
from ct_ingest.metrics import UNKNOWN_SOURCE
from ct_ingest.rate_limit import RateLimiter
from ct_ingest.settings import IngestSettings
from ct_ingest.signing import CLAIM_STATE, SignatureChecker

API_KEY_HEADER = "X-Api-Key"


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated source of a request, or the open caller when no sources exist."""

    source: str | None  # None: open ingest, no authentication configured
    allowed: tuple[str, ...] = ("*",)
    signing_key: bytes | None = field(default=None, repr=False)

    @property
    def label(self) -> str:
        """The metrics label: the source name, or ``unknown`` for the open caller."""
        return self.source or UNKNOWN_SOURCE

    def require_type(self, event_type: str) -> None:
        """Raise :class:`Forbidden` unless the caller may post ``event_type``."""
        if not may_post(self.allowed, event_type):
            raise Forbidden("event_type_not_allowed", self.label)

    def require_types(self, typed: Sequence[tuple[int, str]]) -> None:
        """Raise :class:`Forbidden` naming the indexes of ``(index, type)`` not allowed."""
        refused = [index for index, kind in typed if not may_post(self.allowed, kind)]
        if refused:
            raise Forbidden("event_type_not_allowed", self.label, refused)

    def require_route(self, route_path: str) -> None:
        """Raise :class:`Forbidden` unless the source may call ``route_path`` (adapters)."""
        if self.source is not None and not may_call(self.allowed, route_path):
            raise Forbidden("route_not_allowed", self.label)


class Gatekeeper:
    """Admits callers by API key and rate, and reads their (signed) bodies."""

    def __init__(
        self,
        settings: IngestSettings,
        limiter: RateLimiter | None = None,
        checker: SignatureChecker | None = None,
    ) -> None:
        self._sources = dict(settings.sources)
        self._hashes = {name: tuple(s.key_hashes) for name, s in self._sources.items()}
        self._max_body_bytes = settings.max_body_bytes
        self.limiter = limiter or RateLimiter(
            {name: (s.rate_per_s, s.burst) for name, s in self._sources.items()}
        )
        self.checker = checker or SignatureChecker(
            settings.signature_tolerance_s, settings.replay_cache_size
        )

    @property
    def open(self) -> bool:
        """No sources are configured: requests need no key."""
        return not self._sources

    def admit(self, api_key: str | None) -> Caller:
        """The caller presenting ``api_key``; raise Unauthorized (401) or RateLimited (429)."""
        if self.open:
            return Caller(source=None)
        if not api_key:
            raise Unauthorized("missing_api_key", UNKNOWN_SOURCE)
        name = find_source(api_key, self._hashes)
        if name is None:
            raise Unauthorized("unknown_api_key", UNKNOWN_SOURCE)
        self.limiter.admit(name)
        source = self._sources[name]
        return Caller(name, tuple(source.allowed), source.signing_key())

    async def read_body(self, request: Request, caller: Caller) -> bytes:
        """The body within the size limit (else BodyTooLarge), its signature checked when the
        source signs. A good signature's claim is left on the request for the middleware."""
        body = await read_body(request, self._max_body_bytes)
        if caller.source is not None and caller.signing_key is not None:
            claim = self.checker.check(caller.source, caller.signing_key, request.headers, body)
            setattr(request.state, CLAIM_STATE, claim)
        return body
