"""Stage 2 for resolution: first-contact resolution, fix times and repeat contacts.

Every channel meets here. A *touch* is one contact-start event by a known customer. A case
resolved at first contact stays ``provisional`` until the re-contact window after its
resolution has passed; a touch by the same customer about the same service type from
another contact inside that window makes it ``not_first_contact``.

Windows: those of :mod:`windows`, plus ``month_to_date`` (local first of the month 00:00 in
the calendar's time zone, inclusive, to ``now``, inclusive).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from .case_items import CaseItem, fix_time
from .events import Envelope
from .fields import optional_text, required_text
from .items import ratio
from .standards import Standards
from .timestamps import format_timestamp, parse_timestamp, require_aware
from .windows import ALL_TIME, REPORTED_WINDOWS, in_window

CONTACT_START_TYPES = (
    "call.queued",
    "email.received",
    "webform.submitted",
    "visit.ticketed",
    "case.opened",
    "complaint.raised",
)
REPORT_WINDOWS = (*REPORTED_WINDOWS, "month_to_date")
ROLLING_RETENTION = timedelta(minutes=60)
UNKNOWN = "unknown"


def month_start(now: datetime, tz: ZoneInfo) -> datetime:
    """The first day of ``now``'s local month, 00:00 in ``tz``, as a UTC datetime."""
    local = require_aware(now, "now").astimezone(tz)
    return datetime(local.year, local.month, 1, tzinfo=tz).astimezone(UTC)


def in_report_window(t: datetime, window: str, now: datetime, tz: ZoneInfo) -> bool:
    """Whether ``t`` belongs to ``window`` (one of REPORT_WINDOWS) as seen at ``now``."""
    if window != "month_to_date":
        return in_window(t, window, now, tz)
    t, now = require_aware(t, "t"), require_aware(now, "now")
    return month_start(now, tz) <= t <= now


def check_report_window(window: str) -> None:
    """Nothing for one of REPORT_WINDOWS or ``all``; anything else is a ValueError."""
    if window not in REPORT_WINDOWS and window != ALL_TIME:
        raise ValueError(f"unknown window {window!r}; expected one of {REPORT_WINDOWS}")


@dataclass(frozen=True, slots=True)
class Touch:
    """One contact start by a known customer; ``touch_id`` is the event_id."""

    touch_id: str
    contact_id: str
    customer_ref: str
    service_type: str
    channel: str
    query_reason: str | None
    at: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "at", require_aware(self.at, "at"))

    def to_dict(self) -> dict[str, Any]:
        """The touch as JSON-safe data; :meth:`from_dict` restores it exactly."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        return {**out, "at": format_timestamp(self.at)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Touch:
        """The touch from :meth:`to_dict` output (extra keys ignored); bad data is a ValueError."""
        return cls(
            touch_id=required_text(d, "touch_id"),
            contact_id=required_text(d, "contact_id"),
            customer_ref=required_text(d, "customer_ref"),
            service_type=required_text(d, "service_type"),
            channel=required_text(d, "channel"),
            query_reason=optional_text(d, "query_reason"),
            at=parse_timestamp(d.get("at"), "at"),
        )


def touch_from_event(event: Mapping[str, Any]) -> Touch | None:
    """The touch a canonical event makes; None for other types or without customer or service."""
    if event.get("type") not in CONTACT_START_TYPES:
        return None
    env = Envelope.from_dict(event)
    if env.customer_ref is None or env.service_type is None:
        return None
    return Touch(
        touch_id=env.event_id,
        contact_id=env.contact_id,
        customer_ref=env.customer_ref,
        service_type=env.service_type,
        channel=env.channel,
        query_reason=env.query_reason,
        at=env.occurred_at,
    )


def _recontact_window(standards: Standards) -> timedelta:
    return timedelta(seconds=standards.resolution.recontact_window_s)


@dataclass(slots=True)
class ResolutionState:
    """The resolved cases and customer touches that the resolution figures need (mutable)."""

    cases: dict[str, CaseItem] = field(default_factory=dict)
    touches: dict[str, Touch] = field(default_factory=dict)

    def add_touch(self, touch: Touch) -> None:
        """Remember a touch; the same touch_id again replaces it."""
        self.touches[touch.touch_id] = touch

    def upsert_case(self, case: CaseItem) -> None:
        """Add a case, or replace the version held under its item_id."""
        self.cases[case.item_id] = case

    def retract_case(self, case_id: str) -> None:
        """Forget a case; an unknown id is ignored."""
        self.cases.pop(case_id, None)

    def prune(self, now: datetime, standards: Standards) -> tuple[list[str], list[str]]:
        """Drop what no window can need any more; return (case ids, touch ids), sorted.

        With W = the earlier of this month's start and ``now`` - 60 min, and R the
        re-contact window: a case goes once it was resolved (or, unresolved, opened) before
        both the month start and ``now`` - max(R, 60 min); a contact's touches go together,
        once its latest touch is before W - R.
        """
        now = require_aware(now, "now")
        tz, r = ZoneInfo(standards.calendar.timezone), _recontact_window(standards)
        start = month_start(now, tz)
        case_cutoff = min(start, now - max(r, ROLLING_RETENTION))
        touch_cutoff = min(start, now - ROLLING_RETENTION) - r
        gone_cases = sorted(
            case_id
            for case_id, case in self.cases.items()
            if (ref := case.resolved_at or case.opened_at or case.closed_at) is not None
            and ref < case_cutoff
        )
        latest: dict[str, datetime] = {}
        for touch in self.touches.values():
            latest[touch.contact_id] = max(touch.at, latest.get(touch.contact_id, touch.at))
        gone_touches = sorted(
            touch_id for touch_id, t in self.touches.items() if latest[t.contact_id] < touch_cutoff
        )
        for case_id in gone_cases:
            del self.cases[case_id]
        for touch_id in gone_touches:
            del self.touches[touch_id]
        return gone_cases, gone_touches

    def to_dict(self) -> dict[str, Any]:
        """The state as JSON-safe data, in id order."""
        return {
            "cases": [self.cases[k].to_dict() for k in sorted(self.cases)],
            "touches": [self.touches[k].to_dict() for k in sorted(self.touches)],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ResolutionState:
        """The state from :meth:`to_dict` output."""
        cases = (CaseItem.from_dict(c) for c in d.get("cases", ()))
        touches = (Touch.from_dict(t) for t in d.get("touches", ()))
        return cls(cases={c.item_id: c for c in cases}, touches={t.touch_id: t for t in touches})


def fcr_verdict(
    case: CaseItem, touches: Iterable[Touch], now: datetime, standards: Standards
) -> str | None:
    """The case's first-contact verdict at ``now``.

    None until resolved. ``not_first_contact`` when not resolved at first contact with
    exactly one contact, or when a touch by the same customer about the same service type,
    from another contact, came after the resolution and at or before its end of window
    (resolved_at + R) and at or before ``now``. Otherwise ``first_contact`` (final) once
    ``now`` >= resolved_at + R, else ``provisional``.
    """
    if case.resolved_at is None:
        return None
    if case.resolution != "first_contact" or case.contacts != 1:
        return "not_first_contact"
    now = require_aware(now, "now")
    end = case.resolved_at + _recontact_window(standards)
    if case.customer_ref is not None and case.service_type is not None:
        for t in touches:
            if (
                t.customer_ref == case.customer_ref
                and t.service_type == case.service_type
                and t.contact_id != case.item_id
                and case.resolved_at < t.at <= min(end, now)
            ):
                return "not_first_contact"
    return "first_contact" if now >= end else "provisional"


def _mean(values: list[float]) -> float | None:
    return round(math.fsum(values) / len(values), 3) if values else None


def repeat_contacts(
    touches: Iterable[Touch], window: str, now: datetime, standards: Standards
) -> dict[str, Any]:
    """Contacts starting in ``window`` whose customer had another contact about the same
    service type that started earlier, at most R before.

    A contact is counted once, at its earliest touch (ties by touch_id); its query reason is
    the first one its touches name. Result: total, by_service_type and by_query_reason.
    """
    check_report_window(window)
    tz, r = ZoneInfo(standards.calendar.timezone), _recontact_window(standards)
    first: dict[str, Touch] = {}
    reason: dict[str, str] = {}
    for t in sorted(touches, key=lambda t: (t.at, t.touch_id)):
        first.setdefault(t.contact_id, t)
        if t.query_reason is not None:
            reason.setdefault(t.contact_id, t.query_reason)
    by_customer: dict[tuple[str, str], list[Touch]] = defaultdict(list)
    for t in first.values():
        by_customer[(t.customer_ref, t.service_type)].append(t)
    by_service: dict[str, int] = defaultdict(int)
    by_reason: dict[str, int] = defaultdict(int)
    for t in first.values():
        if in_report_window(t.at, window, now, tz) and any(
            t.at - r <= other.at < t.at for other in by_customer[(t.customer_ref, t.service_type)]
        ):
            by_service[t.service_type] += 1
            by_reason[reason.get(t.contact_id, UNKNOWN)] += 1
    return {
        "total": sum(by_service.values()),
        "by_service_type": dict(sorted(by_service.items())),
        "by_query_reason": dict(sorted(by_reason.items())),
    }


def resolution_kpis(
    state: ResolutionState, window: str, now: datetime, standards: Standards
) -> dict[str, Any]:
    """The resolution figures of ``state`` over ``window`` at ``now`` (ratios 6 dp, s 3 dp).

    Cases count by ``resolved_at``. ``fcr_rate_final`` = fcr_final / (fcr_final +
    not_first_contact): decided cases only, provisional ones left out.
    ``fcr_rate_including_provisional`` = (fcr_final + fcr_provisional) / resolved. Fix-time
    means cover the cases in the window that were also opened.
    """
    check_report_window(window)
    now = require_aware(now, "now")
    tz = ZoneInfo(standards.calendar.timezone)
    touches_by_customer: dict[tuple[str, str], list[Touch]] = defaultdict(list)
    for t in state.touches.values():
        touches_by_customer[(t.customer_ref, t.service_type)].append(t)
    counts = {"first_contact": 0, "provisional": 0, "not_first_contact": 0}
    calendar_s: list[float] = []
    working_s: list[float] = []
    for case_id in sorted(state.cases):
        case = state.cases[case_id]
        if case.resolved_at is None or not in_report_window(case.resolved_at, window, now, tz):
            continue
        key = (case.customer_ref or "", case.service_type or "")
        verdict = fcr_verdict(case, touches_by_customer.get(key, ()), now, standards)
        if verdict is not None:
            counts[verdict] += 1
        cal, work = fix_time(case, standards)
        if cal is not None and work is not None:
            calendar_s.append(cal)
            working_s.append(work)
    final, provisional = counts["first_contact"], counts["provisional"]
    not_fcr = counts["not_first_contact"]
    resolved = final + provisional + not_fcr
    return {
        "resolved": resolved,
        "fcr_final": final,
        "fcr_provisional": provisional,
        "not_first_contact": not_fcr,
        "fcr_rate_final": ratio(final, final + not_fcr),
        "fcr_rate_including_provisional": ratio(final + provisional, resolved),
        "fcr_target": standards.resolution.fcr_target,
        "fix_time_seconds_mean": _mean(calendar_s),
        "fix_time_working_seconds_mean": _mean(working_s),
        "repeat_contacts": repeat_contacts(state.touches.values(), window, now, standards),
    }
