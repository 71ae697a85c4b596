"""What can go wrong in ingest, as exceptions.

The tree::

    IngestError                  anything ingest refuses or cannot do
     ├── BrokerUnavailable       no acknowledgement from Kafka (retriable: 503 + Retry-After)
     └── BodyTooLarge            the request body is over the limit (not retriable: 413)

``retriable`` says whether sending the same request again later can succeed. Invalid
events are :class:`contact_events.InvalidEvent`, raised by the contract itself.
"""

from __future__ import annotations


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
