"""Late events: how far behind the watermark an event arrived, and counters of them.

Late events of both kinds are still applied, so the figures they touch are corrected.
Each kind has its own counter; ``too_late`` ones (beyond ``allowed_lateness_s``) make a
correction to figures already reported visible. An event exactly ``allowed_lateness_s``
behind the watermark is ``late``, not ``too_late``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .timestamps import require_aware, seconds_between

__all__ = ["LATENESS_VERDICTS", "LatenessCounters", "classify_lateness"]

LATENESS_VERDICTS = ("on_time", "late", "too_late")


def classify_lateness(
    event_time: datetime, watermark: datetime | None, allowed_lateness_s: float
) -> str:
    """``"on_time"`` (no watermark yet, or at or after it), ``"late"`` or ``"too_late"``."""
    event_time = require_aware(event_time, "event_time")
    if watermark is None or event_time >= require_aware(watermark, "watermark"):
        return "on_time"
    if seconds_between(event_time, watermark) <= allowed_lateness_s:
        return "late"
    return "too_late"


@dataclass(frozen=True, slots=True)
class LatenessCounters:
    """Running totals of late events, one counter per verdict (the two are disjoint)."""

    late_events_total: int = 0
    too_late_events_total: int = 0

    def add(self, verdict: str) -> LatenessCounters:
        """The counters after one more event with ``verdict``."""
        if verdict not in LATENESS_VERDICTS:
            raise ValueError(f"verdict must be one of {LATENESS_VERDICTS}, got {verdict!r}")
        if verdict == "on_time":
            return self
        if verdict == "late":
            return LatenessCounters(self.late_events_total + 1, self.too_late_events_total)
        return LatenessCounters(self.late_events_total, self.too_late_events_total + 1)

    def to_dict(self) -> dict[str, Any]:
        """The counters as JSON-safe data."""
        return {
            "late_events_total": self.late_events_total,
            "too_late_events_total": self.too_late_events_total,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> LatenessCounters:
        """The counters from :meth:`to_dict` output; missing keys count zero."""
        values = [d.get(key, 0) for key in ("late_events_total", "too_late_events_total")]
        for value in values:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"lateness counters must be non-negative integers, got {value!r}")
        return cls(late_events_total=values[0], too_late_events_total=values[1])
