"""Emails received one a second in a working morning, for the stage-2 tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # a Tuesday, working hours


def received(n: int) -> dict[str, Any]:
    """The ``email.received`` of email ``m-<n>`` in the benefits queue, ``n`` s after T0."""
    return {
        "event_id": f"m-{n}-r",
        "type": "email.received",
        "occurred_at": (T0 + timedelta(seconds=n)).isoformat(),
        "contact_id": f"m-{n}",
        "channel": "email",
        "queue": "benefits",
        "service_type": "general",
        "source": "test",
    }
