"""The phone service standards that every call figure is judged against."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SERVICE_LEVEL_VARIANTS = ("answered", "offered", "ignore_abandons", "positive_abandons")


@dataclass(frozen=True, slots=True)
class CallStandards:
    """Thresholds for calls, as published in a versioned standards file.

    "Within T" means wait <= ``service_level_threshold_s``; a short abandon means
    wait < ``short_abandon_s``; answered within N rings means rings <= ``answer_within_rings``.
    """

    version: str = "builtin-1"
    service_level_threshold_s: float = 20.0
    short_abandon_s: float = 5.0
    ring_cycle_s: float = 3.0
    answer_within_rings: int = 4
    site_timezone: str = "Europe/London"
    service_level_variant: str = "offered"

    def __post_init__(self) -> None:
        if not self.version:
            raise ValueError("standards version must not be empty")
        if not self.service_level_threshold_s >= 0:
            raise ValueError("service_level_threshold_s must be >= 0")
        if not self.short_abandon_s >= 0:
            raise ValueError("short_abandon_s must be >= 0")
        if not self.ring_cycle_s * 1_000_000 >= 1:
            raise ValueError("ring_cycle_s must be at least one microsecond")
        if self.answer_within_rings < 1:
            raise ValueError("answer_within_rings must be >= 1")
        if self.service_level_variant not in SERVICE_LEVEL_VARIANTS:
            raise ValueError(f"unknown service_level_variant {self.service_level_variant!r}")
        try:
            ZoneInfo(self.site_timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown site_timezone {self.site_timezone!r}") from exc

    @property
    def tz(self) -> ZoneInfo:
        """The site's time zone, which decides where "today" starts."""
        return ZoneInfo(self.site_timezone)

    @property
    def ring_cycle_us(self) -> int:
        """The ring cycle in whole microseconds."""
        return round(self.ring_cycle_s * 1_000_000)

    def to_dict(self) -> dict[str, Any]:
        """The standards as a JSON-safe dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CallStandards:
        """Standards from a dict; missing keys take the defaults, unknown keys are an error."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ValueError(f"unknown call standard keys: {unknown}")
        return cls(**dict(d))
