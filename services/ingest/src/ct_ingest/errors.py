"""What can go wrong in ingest, as exceptions.

The tree::

    IngestError                  anything ingest refuses or cannot do
     ├── BrokerUnavailable       no acknowledgement from Kafka (retriable: 503 + Retry-After)
     ├── BodyTooLarge            the request body is over the limit (not retriable: 413)
     └── Refused                 the caller may not do this now; carries the metrics label
          ├── Unauthorized       no or bad credentials: API key, signature, replay (401)
          ├── Forbidden          a known source posting what it may not (403)
          ├── RateLimited        the source's rate is used up (retriable: 429 + Retry-After)
          └── ReplayCacheFull    no room to remember another signed id (retriable: 503)

``retriable`` says whether sending the same request again later can succeed. Invalid
events are :class:`contact_events.InvalidEvent`, raised by the contract itself. No
message here ever holds a submitted value.
"""

from __future__ import annotations

from collections.abc import Sequence


class IngestError(Exception):
    """Base class of ingest's own errors."""

    retriable: bool = False


class BrokerUnavailable(IngestError):
    """The broker did not acknowledge the write: not connected, a Kafka error, or a timeout.

    Nothing was promised to the sender; it may retry, and the ``event_id`` makes that safe.
    """

    retriable = True


class BodyTooLarge(IngestError):
    """The request body is longer than ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"request body over {limit} bytes")
        self.limit = limit


class Refused(IngestError):
    """The request is refused before any event is looked at.

    ``source`` is the metrics label of the caller: its configured name, or ``unknown``.
    ``outcome`` is the ``ct_ingest_events_total`` outcome it counts as.
    """

    outcome = "refused"

    def __init__(self, reason: str, source: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.source = source


class Unauthorized(Refused):
    """No API key, an unknown one, or a missing, wrong, stale or replayed signature."""

    outcome = "unauthorized"


class Forbidden(Refused):
    """A known source posting an event type or to a route it is not allowed."""

    outcome = "forbidden"

    def __init__(self, reason: str, source: str, indexes: Sequence[int] | None = None) -> None:
        super().__init__(reason, source)
        self.indexes = list(indexes) if indexes is not None else None


class RateLimited(Refused):
    """The source sent more than its rate allows; a token is back in ``retry_after_s``."""

    outcome = "rate_limited"
    retriable = True

    def __init__(self, source: str, retry_after_s: int) -> None:
        super().__init__("rate_limited", source)
        self.retry_after_s = retry_after_s


class ReplayCacheFull(Refused):
    """Too many signed message ids are remembered to take another one now."""

    outcome = "unavailable"
    retriable = True
