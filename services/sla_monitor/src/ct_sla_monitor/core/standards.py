"""The phone service standards that every call figure is judged against."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .working_time import WorkingCalendar

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
        except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
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


@dataclass(frozen=True, slots=True)
class PhoneTargets:
    """Targets the phone figures are judged against (METRICS.md, default charter)."""

    answer_rings_target: float = 0.90  # share of answered calls within the rings
    abandonment_max: float = 0.05  # abandoned / offered, short abandons excluded
    service_level_target: float = 0.80  # judged by CallStandards.service_level_variant


@dataclass(frozen=True, slots=True)
class EmailStandards:
    """Email and web-form deadlines."""

    acknowledge_within_s: float = 900.0  # calendar time: "by return"
    follow_up_working_hours: float = 24.0  # working time on the site's calendar
    at_risk_fraction: float = 0.8  # warning once this share of the allowance is used


@dataclass(frozen=True, slots=True)
class VisitStandards:
    """Face-to-face reception."""

    queue_time_s: float = 180.0  # within means queue time <= this; past it is a breach
    target: float = 0.95


@dataclass(frozen=True, slots=True)
class ComplaintStandards:
    """Response deadline of each complaint stage, in working hours."""

    stage_response_working_hours: tuple[float, float, float] = (80.0, 80.0, 160.0)


@dataclass(frozen=True, slots=True)
class ResolutionStandards:
    """First-contact resolution."""

    fcr_target: float = 0.70
    recontact_window_s: float = 7 * 86400.0


@dataclass(frozen=True, slots=True)
class SatisfactionStandards:
    """Net Promoter Score."""

    nps_floor: float = 0.0


@dataclass(frozen=True, slots=True)
class AlertPolicy:
    """How alerts are raised and cleared."""

    clear_margin: float = 0.02  # clear only once the figure is this far past the target
    clear_after_s: float = 300.0  # ... and has stayed there this long (event time)
    min_volume: int = 10  # no aggregate alert on fewer contacts in the window
    escalate_after_s: float = 1800.0  # an open breach this old is raised again, escalated
    max_provenance: int = 100  # event ids carried by one alert


@dataclass(frozen=True, slots=True)
class Standards:
    """One version of the whole charter, as it applies to one scope.

    The standards file (loaded outside the core) builds these; overrides per queue or
    customer segment, and sites with their own calendars, give a different ``Standards``
    for the scopes they name. ``calls.version`` always equals ``version``.
    """

    version: str = "builtin-1"
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)
    calls: CallStandards = field(default_factory=CallStandards)
    phone: PhoneTargets = field(default_factory=PhoneTargets)
    email: EmailStandards = field(default_factory=EmailStandards)
    visit: VisitStandards = field(default_factory=VisitStandards)
    complaint: ComplaintStandards = field(default_factory=ComplaintStandards)
    resolution: ResolutionStandards = field(default_factory=ResolutionStandards)
    satisfaction: SatisfactionStandards = field(default_factory=SatisfactionStandards)
    alerts: AlertPolicy = field(default_factory=AlertPolicy)
    allowed_lateness_s: float = 300.0  # later events are counted as late, still applied
