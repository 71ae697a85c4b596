"""The pydantic models of the standards file: one section per standard family, sites
and overrides. Values are validated here; cross-field rules and defaults resolution live in
:mod:`ct_sla_monitor.standards_file`."""

from __future__ import annotations

from datetime import date, time
from functools import cache
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holiday_calendars
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
)

from ct_sla_monitor.core.standards import (
    AlertPolicy,
    CallStandards,
    ComplaintStandards,
    EmailStandards,
    PhoneTargets,
    ResolutionStandards,
    SatisfactionStandards,
    VisitStandards,
)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _clock(v: object) -> object:
    if isinstance(v, str):
        try:
            return time.fromisoformat(v)
        except ValueError:
            raise ValueError(f'expected a local time like "09:00", got {v!r}') from None
    return v


def _local(v: time) -> time:
    if v.tzinfo is not None:
        raise ValueError("opening hours are local wall times, without an offset")
    return v


def _day(v: object) -> object:
    if isinstance(v, str):
        try:
            return date.fromisoformat(v)
        except ValueError:
            raise ValueError(f'expected a date like "2026-12-24", got {v!r}') from None
    return v


def _zone(v: str) -> str:
    try:
        ZoneInfo(v)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"unknown time zone {v!r} (an IANA name like 'Europe/London')") from None
    return v


@cache
def _supported_holiday_calendars() -> dict[str, list[str]]:
    return dict(holiday_calendars.list_supported_countries())


def _holiday_code(v: str) -> str:
    if v.lower() == "none":
        return "none"
    country, _, subdiv = v.upper().partition("-")
    known = _supported_holiday_calendars()
    if country not in known or (subdiv and subdiv not in known[country]):
        raise ValueError(
            f"unknown holiday calendar {v!r} (a country code with an optional subdivision, "
            "like 'GB-ENG', or 'none')"
        )
    return v.upper()


def _distinct(v: list[str]) -> list[str]:
    if len(set(v)) != len(v):
        raise ValueError("each entry may appear only once")
    return v


def hhmm(t: time) -> str:
    return t.isoformat(timespec="minutes" if not (t.second or t.microsecond) else "auto")


Ratio = Annotated[float, Field(ge=0, le=1)]
Seconds = Annotated[float, Field(gt=0)]
SecondsOrZero = Annotated[float, Field(ge=0)]
Count = Annotated[int, Field(ge=1)]
Name = Annotated[str, Field(min_length=1)]
Zone = Annotated[str, AfterValidator(_zone)]
HolidayCode = Annotated[str, AfterValidator(_holiday_code)]
ClockTime = Annotated[
    time, BeforeValidator(_clock), AfterValidator(_local), PlainSerializer(hhmm, when_used="json")
]
Day = Annotated[date, BeforeValidator(_day)]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Weekdays = Annotated[list[Weekday], Field(min_length=1), AfterValidator(_distinct)]
Variant = Literal["answered", "offered", "ignore_abandons", "positive_abandons"]

_CALL, _PHONE, _EMAIL, _VISIT = CallStandards(), PhoneTargets(), EmailStandards(), VisitStandards()
_COMPLAINT, _RESOLUTION = ComplaintStandards(), ResolutionStandards()
_SATISFACTION, _ALERTS = SatisfactionStandards(), AlertPolicy()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class CalendarSection(_Strict):
    """Working hours of a site, in its local wall time."""

    timezone: Zone = "Europe/London"
    weekdays: Weekdays = ["mon", "tue", "wed", "thu", "fri"]
    opens: ClockTime = time(9)
    closes: ClockTime = time(17)
    holidays: HolidayCode = "GB-ENG"
    extra_holidays: list[Day] = []


class PhoneSection(_Strict):
    service_level_threshold_s: Seconds = _CALL.service_level_threshold_s
    short_abandon_s: SecondsOrZero = _CALL.short_abandon_s
    ring_cycle_s: Seconds = _CALL.ring_cycle_s
    answer_within_rings: Count = _CALL.answer_within_rings
    service_level_variant: Variant = "offered"
    answer_rings_target: Ratio = _PHONE.answer_rings_target
    abandonment_max: Ratio = _PHONE.abandonment_max
    service_level_target: Ratio = _PHONE.service_level_target


class EmailSection(_Strict):
    acknowledge_within_s: Seconds = _EMAIL.acknowledge_within_s
    follow_up_working_hours: Seconds = _EMAIL.follow_up_working_hours
    at_risk_fraction: Ratio = _EMAIL.at_risk_fraction


class VisitSection(_Strict):
    queue_time_s: Seconds = _VISIT.queue_time_s
    target: Ratio = _VISIT.target


class ComplaintSection(_Strict):
    stage_response_working_hours: Annotated[list[Seconds], Field(min_length=3, max_length=3)] = (
        list(_COMPLAINT.stage_response_working_hours)
    )


class ResolutionSection(_Strict):
    fcr_target: Ratio = _RESOLUTION.fcr_target
    recontact_window_s: Seconds = _RESOLUTION.recontact_window_s


class SatisfactionSection(_Strict):
    nps_floor: Annotated[float, Field(ge=-100, le=100)] = _SATISFACTION.nps_floor


class AlertsSection(_Strict):
    clear_margin: Ratio = _ALERTS.clear_margin
    clear_after_s: SecondsOrZero = _ALERTS.clear_after_s
    min_volume: Count = _ALERTS.min_volume
    escalate_after_s: Seconds = _ALERTS.escalate_after_s
    max_provenance: Count = _ALERTS.max_provenance


SECTIONS: dict[str, type[_Strict]] = {
    "phone": PhoneSection, "email": EmailSection, "visit": VisitSection,
    "complaint": ComplaintSection, "resolution": ResolutionSection,
    "satisfaction": SatisfactionSection, "alerts": AlertsSection,
}  # fmt: skip


class SiteSection(_Strict):
    """A site with its own calendar; unset calendar fields come from [calendar]."""

    name: Name
    queues: Annotated[list[Name], Field(min_length=1), AfterValidator(_distinct)]
    timezone: Zone | None = None
    weekdays: Weekdays | None = None
    opens: ClockTime | None = None
    closes: ClockTime | None = None
    holidays: HolidayCode | None = None
    extra_holidays: list[Day] | None = None


class OverrideEntry(_Strict):
    """Changes to some standards for a queue, a customer segment, or both."""

    queue: Name | None = None
    customer_segment: Name | None = None
    phone: dict[str, Any] | None = None
    email: dict[str, Any] | None = None
    visit: dict[str, Any] | None = None
    complaint: dict[str, Any] | None = None
    resolution: dict[str, Any] | None = None
    satisfaction: dict[str, Any] | None = None
    alerts: dict[str, Any] | None = None


class StandardsDocument(_Strict):
    """The whole file."""

    version: Name
    allowed_lateness_s: SecondsOrZero = 300.0
    calendar: CalendarSection = CalendarSection()
    phone: PhoneSection = PhoneSection()
    email: EmailSection = EmailSection()
    visit: VisitSection = VisitSection()
    complaint: ComplaintSection = ComplaintSection()
    resolution: ResolutionSection = ResolutionSection()
    satisfaction: SatisfactionSection = SatisfactionSection()
    alerts: AlertsSection = AlertsSection()
    sites: list[SiteSection] = []
    overrides: list[OverrideEntry] = []
