"""A scope's live view: the headline measures a supervisor watches, each judged ok,
warning or breach against the scope's standards. ``/v1/queues``, ``/v1/stream`` and the
wallboard show these views.

Per channel:

- phone: calls waiting; the longest current wait (warning from the charter's warning
  share of the service-level threshold, breach past it); service level and abandonment
  over ``rolling_30m`` (the window their alerts judge), breach past the target, warning
  within ``clear_margin`` of it, and not judged under ``min_volume`` offered calls;
- email and web: emails awaiting a follow-up, at risk (warning), breached (breach: past
  the follow-up or the acknowledgement deadline), and the time to the next breach;
- face to face: visitors waiting, the longest wait (warning from the warning share of the
  queue-time standard, breach past it), visitors past the standard now (breach), and the
  share called within the standard today (breach under the target).

Emails and visitors are counted from the snapshot's pending deadlines (its summary counts
every one; its list shows only the soonest due), which the sla_monitor re-evaluates every
second (``pending_as_of``), so a visitor who waits past three minutes turns red with no
further event. The longest call wait is the snapshot's,
carried forward to ``pending_as_of`` while calls are waiting. Pure: no I/O.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ct_sla_monitor.core.deadlines import pending_summary
from ct_sla_monitor.core.standards import Standards

State = Literal["none", "ok", "warning", "breach"]
_RANK: dict[str, int] = {"none": 0, "ok": 1, "warning": 2, "breach": 3}
#: the window the phone ratios are shown for: the one their alerts judge
PHONE_WINDOW = "rolling_30m"
FOLLOW_UP, ACKNOWLEDGE, QUEUE_TIME = "email.follow_up", "email.acknowledge", "visit.queue_time"


def worst(states: list[str]) -> str:
    """The most severe of ``states`` ("none" when empty)."""
    return max(states, key=lambda s: _RANK[s], default="none")


def _measure(
    key: str,
    label: str,
    value: float | None,
    unit: str,
    state: str = "none",
    target: float | None = None,
    direction: str | None = None,
    note: str | None = None,
    window: str | None = None,
) -> dict[str, Any]:
    return {
        "key": key,
        "label": label,
        "value": value,
        "unit": unit,
        "state": state,
        "target": target,
        "direction": direction,
        "note": note,
        "window": window,
    }


def _wait_state(seconds: float | None, limit: float, warn_fraction: float) -> str:
    if seconds is None:
        return "ok"
    if seconds > limit:
        return "breach"
    return "warning" if seconds >= limit * warn_fraction else "ok"


def _ratio_state(
    value: float | None, target: float, margin: float, direction: str, volume: int, minimum: int
) -> tuple[str, str | None]:
    if value is None:
        return "none", "no calls yet"
    if volume < minimum:
        return "none", f"{volume} of {minimum} calls needed to judge"
    if direction == "min":
        near = round(target + margin, 9)  # 0.8 + 0.02 is 0.8200000000000001 in floats
        return ("breach" if value < target else "warning" if value < near else "ok"), None
    near = round(target - margin, 9)
    return ("breach" if value > target else "warning" if value > near else "ok"), None


def _seconds_since(start: str, now: datetime) -> float:
    return max(0.0, (now - datetime.fromisoformat(start)).total_seconds())


def phone_measures(snapshot: dict[str, Any], standards: Standards) -> list[dict[str, Any]]:
    """Calls waiting, longest wait, service level and abandonment of a phone scope."""
    windows = snapshot.get("windows", {})
    recent = windows.get(PHONE_WINDOW, {})
    anywindow: dict[str, Any] = next(iter(windows.values()), {})
    waiting = int(anywindow.get("waiting_now", 0))
    longest = float(anywindow.get("longest_wait_seconds", 0.0))
    if waiting:
        longest += _seconds_since(snapshot["as_of"], _live_as_of(snapshot))
    threshold = standards.calls.service_level_threshold_s
    fraction = standards.email.at_risk_fraction
    policy, phone = standards.alerts, standards.phone
    offered = int(recent.get("offered", 0))
    level = (recent.get("service_level") or {}).get(standards.calls.service_level_variant)
    level_state, level_note = _ratio_state(
        level, phone.service_level_target, policy.clear_margin, "min", offered, policy.min_volume
    )
    abandon = recent.get("abandonment_rate")
    abandon_state, abandon_note = _ratio_state(
        abandon, phone.abandonment_max, policy.clear_margin, "max", offered, policy.min_volume
    )
    return [
        _measure("waiting", "Calls waiting", waiting, "count"),
        _measure(
            "longest_wait",
            "Longest wait",
            round(longest, 3) if waiting else 0.0,
            "seconds",
            _wait_state(longest if waiting else None, threshold, fraction),
            threshold,
            "max",
        ),
        _measure(
            "service_level",
            f"Answered ≤ {threshold:g} s",
            level,
            "ratio",
            level_state,
            phone.service_level_target,
            "min",
            level_note,
            PHONE_WINDOW,
        ),
        _measure(
            "abandonment",
            "Abandoned",
            abandon,
            "ratio",
            abandon_state,
            phone.abandonment_max,
            "max",
            abandon_note,
            PHONE_WINDOW,
        ),
    ]


def pending_counts(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The snapshot's counts of its open deadlines: its ``pending_summary`` (every open
    deadline, where the ``pending`` list shows only the soonest due), or, for a snapshot
    from before the summary, the same counts taken from its list."""
    summary = snapshot.get("pending_summary")
    return summary if summary is not None else pending_summary(snapshot.get("pending", []))


def _standard_counts(summary: dict[str, Any], standard: str) -> dict[str, Any]:
    counts: dict[str, Any] = summary.get("standards", {}).get(standard, {})
    return counts


def email_measures(snapshot: dict[str, Any], standards: Standards) -> list[dict[str, Any]]:
    """Emails awaiting a follow-up, at risk, breached, and the next breach of a scope."""
    summary = pending_counts(snapshot)
    follow_ups = _standard_counts(summary, FOLLOW_UP)
    at_risk = int(follow_ups.get("at_risk", 0))
    # an email past its acknowledgement and its follow-up deadline is one breached email
    breached = int(summary.get("breached_items", {}).get("email", 0))
    return [
        _measure("pending", "Awaiting reply", int(follow_ups.get("count", 0)), "count"),
        _measure("at_risk", "At risk", at_risk, "count", "warning" if at_risk else "ok"),
        _measure("breached", "Breached", breached, "count", "breach" if breached else "ok"),
        _measure("next_breach", "Next deadline in", summary.get("next_due_seconds"), "seconds"),
    ]


def visit_measures(snapshot: dict[str, Any], standards: Standards) -> list[dict[str, Any]]:
    """Visitors waiting, the longest wait, breaches now and today's share called in time."""
    now = _live_as_of(snapshot)
    waits = _standard_counts(pending_counts(snapshot), QUEUE_TIME)
    oldest = waits.get("oldest_started_at")
    longest = _seconds_since(oldest, now) if oldest is not None else None
    breaches = int(waits.get("breached", 0))
    limit, fraction = standards.visit.queue_time_s, standards.email.at_risk_fraction
    today = snapshot.get("windows", {}).get("today", {}).get("visit", {})
    rate, called = today.get("served_within_rate"), int(today.get("called", 0))
    rate_state = "none" if rate is None else "breach" if rate < standards.visit.target else "ok"
    return [
        _measure("waiting", "Visitors waiting", int(waits.get("count", 0)), "count"),
        _measure(
            "longest_wait",
            "Longest wait",
            round(longest, 3) if longest is not None else 0.0,
            "seconds",
            _wait_state(longest, limit, fraction),
            limit,
            "max",
        ),
        _measure(
            "breaches",
            f"Over {limit / 60:g} min now",
            breaches,
            "count",
            "breach" if breaches else "ok",
        ),
        _measure(
            "called_in_time",
            "Called in time",
            rate,
            "ratio",
            rate_state,
            standards.visit.target,
            "min",
            None if rate is None else f"{called} called",
            "today",
        ),
    ]


_MEASURES = {
    "phone": phone_measures,
    "email": email_measures,
    "web": email_measures,
    "face_to_face": visit_measures,
}


def _live_as_of(snapshot: dict[str, Any]) -> datetime:
    as_of = datetime.fromisoformat(snapshot["as_of"])
    pending_as_of = snapshot.get("pending_as_of")
    return max(as_of, datetime.fromisoformat(pending_as_of)) if pending_as_of else as_of


def scope_view(snapshot: dict[str, Any], standards: Standards) -> dict[str, Any]:
    """The view of one scope's snapshot: its measures, their worst state, and the full
    figures of every window (the pending items themselves stay on /v1/pending)."""
    scope = snapshot["scope"]
    measure = _MEASURES.get(scope["channel"])
    measures = measure(snapshot, standards) if measure is not None else []
    return {
        "scope": scope["key"],
        "channel": scope["channel"],
        "queue": scope["queue"],
        "as_of": snapshot["as_of"],
        "live_as_of": _live_as_of(snapshot).isoformat(),
        "standards_version": snapshot.get("standards_version"),
        "state": worst([m["state"] for m in measures]),
        "measures": measures,
        "windows": snapshot.get("windows", {}),
    }
