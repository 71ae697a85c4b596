"""A scope's figures per window, its pending deadlines, and the observations its
aggregate standards are judged on."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from .alerts import AggregateObservation
from .call_histograms import call_histograms
from .call_kpis import compute_kpis
from .call_records import CallLeg
from .complaint_items import complaint_kpis
from .deadlines import PENDING_SHOWN, Deadline, pending_summary, pending_view
from .demand import demand_kpis
from .email_items import email_kpis
from .resolution import REPORT_WINDOWS, resolution_kpis
from .satisfaction import nps_kpis
from .scope_items import ScopeItems
from .standards import Standards
from .visit_items import visit_kpis
from .windows import REPORTED_WINDOWS, in_window

#: every window a snapshot reports; month to date only for the service scopes
SERVICE_WINDOWS = REPORT_WINDOWS


def windows_of(scope_key: str) -> tuple[str, ...]:
    """The windows reported for a scope."""
    return SERVICE_WINDOWS if scope_key.startswith("service/") else REPORTED_WINDOWS


def judged_windows(scope_key: str) -> tuple[str, ...]:
    """The windows the scope's aggregate standards are judged over."""
    if scope_key.startswith("service/"):
        return ("today", "month_to_date")
    return ("today", "rolling_15m", "rolling_30m")


def window_figures(
    scope_key: str,
    items: ScopeItems,
    window: str,
    now: datetime,
    standards: Standards,
) -> dict[str, Any]:
    """The figures of one window: call figures at the top level for phone scopes, every
    other kind's under its own key (email, visit, complaint, nps, resolution, demand)."""
    out: dict[str, Any] = {}
    if scope_key.startswith("service/"):
        out["resolution"] = resolution_kpis(items.resolution, window, now, standards)
        out["demand"] = demand_kpis(items.of_kind("demand"), window, now, standards.calls.tz)
        return out
    if scope_key.startswith("phone/"):
        legs = items.calls.legs.values()
        out.update(compute_kpis(legs, window, now, standards.calls).to_dict())
        if window == "today":
            out["histograms"] = call_histograms(legs, window, now, standards.calls)
    if scope_key.startswith(("email/", "web/")):
        out["email"] = email_kpis(items.of_kind("email"), window, now, standards)
    if scope_key.startswith("face_to_face/"):
        out["visit"] = visit_kpis(items.of_kind("visit"), window, now, standards)
    if items.of_kind("complaint"):
        out["complaint"] = complaint_kpis(items.of_kind("complaint"), window, now, standards)
    if items.of_kind("survey"):
        out["nps"] = nps_kpis(items.of_kind("survey"), window, now, standards)
    return out


def scope_deadlines(items: ScopeItems, standards: Standards) -> list[Deadline]:
    """Every per-contact deadline of the scope's emails, visits and complaint stages."""
    return items.deadline_index(standards).all()


def pending_items(
    items: ScopeItems, now: datetime, standards: Standards, shown: int = PENDING_SHOWN
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The first ``shown`` deadlines started and still unsatisfied at ``now``, soonest due
    first, and the summary counting all of them (see ``pending_summary``)."""
    rows = pending_view(scope_deadlines(items, standards), now)
    return rows[:shown], {**pending_summary(rows), "shown": min(shown, len(rows))}


def late_call_ids(legs: Any, window: str, now: datetime, standards: Standards) -> Iterator[str]:
    """Event ids of the calls that pulled a phone figure down in the window."""
    threshold = standards.calls.service_level_threshold_s
    for leg in sorted(legs, key=lambda leg: leg.leg_id):
        assert isinstance(leg, CallLeg)
        if leg.finished_at is None or not in_window(
            leg.finished_at, window, now, standards.calls.tz
        ):
            continue
        late = leg.outcome == "answered" and (leg.wait_s or 0.0) > threshold
        gave_up = (
            leg.outcome == "abandoned" and (leg.wait_s or 0.0) >= standards.calls.short_abandon_s
        )
        if late or gave_up:
            yield from leg.event_ids


def aggregate_observations(
    scope_key: str,
    items: ScopeItems,
    figures: dict[str, dict[str, Any]],
    now: datetime,
    standards: Standards,
) -> list[AggregateObservation]:
    """The observations of the scope's aggregate standards (METRICS.md) at ``now``."""
    version = standards.version
    out: list[AggregateObservation] = []

    def observe(
        standard: str,
        window: str,
        value: Any,
        volume: int,
        target: float,
        direction: str,
        event_ids: tuple[str, ...] = (),
    ) -> None:
        out.append(
            AggregateObservation(
                scope=scope_key,
                standard=standard,
                window=window,
                standards_version=version,
                value=None if value is None else float(value),
                volume=int(volume),
                target=target,
                direction=direction,
                at=now,
                event_ids=event_ids,
            )
        )

    phone = standards.phone
    if scope_key.startswith("phone/"):
        for window in ("rolling_15m", "today"):
            f = figures[window]
            observe(
                "phone.answer_rings",
                window,
                f["answered_within_rings_ratio"],
                f["answered"],
                phone.answer_rings_target,
                "min",
            )
        for window in ("rolling_30m", "today"):
            f = figures[window]
            ids = tuple(late_call_ids(items.calls.legs.values(), window, now, standards))
            variant = standards.calls.service_level_variant
            observe(
                "phone.service_level",
                window,
                f["service_level"][variant],
                f["offered"],
                phone.service_level_target,
                "min",
                ids,
            )
            observe(
                "phone.abandonment",
                window,
                f["abandonment_rate"],
                f["offered"],
                phone.abandonment_max,
                "max",
                ids,
            )
    if scope_key.startswith("face_to_face/"):
        f = figures["today"]["visit"]
        observe(
            "visit.queue_time",
            "today",
            f.get("served_within_rate"),
            f.get("called", 0),
            standards.visit.target,
            "min",
        )
    if scope_key.startswith("service/"):
        f = figures["month_to_date"]["resolution"]
        decided = f.get("fcr_final", 0) + f.get("not_first_contact", 0)
        observe(
            "all.first_contact_resolution",
            "month_to_date",
            f.get("fcr_rate_final"),
            decided,
            standards.resolution.fcr_target,
            "min",
        )
    nps = figures["today"].get("nps")
    if nps is not None:
        observe(
            "all.satisfaction_nps",
            "today",
            nps.get("nps"),
            nps.get("responses", 0),
            standards.satisfaction.nps_floor,
            "min",
        )
    return out
