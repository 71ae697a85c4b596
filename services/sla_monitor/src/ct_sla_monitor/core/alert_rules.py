"""The alert record and the rules behind alerts, as plain predicates.

``alerts`` applies them in its state machines and re-exports what callers need; import
from there.

* A figure *breaches* when it is on the wrong side of its target: below it for a
  ``"min"`` standard (service level), above it for a ``"max"`` one (abandonment).
* It has *recovered* only once it is at least ``clear_margin`` past the target on the
  right side. Between the two it neither breaches nor recovers (the hysteresis band).
* Comparisons allow :data:`TOLERANCE`, so a figure of exactly 0.82 recovers against a
  target of 0.80 with a margin of 0.02 despite binary floating point.
* A contact's deadline history is a fixed sequence of steps (warning, raised, escalated
  ...) that depends only on its instants and ``now``, never on how often it is evaluated.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .fields import id_tuple, optional_float, optional_text, required_int, required_text
from .standards import AlertPolicy
from .timestamps import (
    format_optional_timestamp,
    format_timestamp,
    parse_optional_timestamp,
    parse_timestamp,
)

DIRECTIONS = ("min", "max")
TOLERANCE = 1e-9
MAX_SEVERITY = 10  # escalation stops here, so a long-forgotten breach stays bounded
ALERT_STATES = ("warning", "raised", "escalated", "cleared")
ALERT_KINDS = ("aggregate", "contact")


@dataclass(frozen=True, slots=True)
class Alert:
    """One transition of one alert; all transitions of an alert share its ``alert_id``.

    ``observed`` is the figure (aggregate) or the seconds from the deadline to ``at``,
    negative before it (contact); ``target`` is the target figure (aggregate) or the
    calendar seconds from the contact's start to its deadline (contact). ``severity`` is
    0 for a warning, 1 once raised and one more per escalation.
    """

    alert_id: str
    state: str
    kind: str
    scope: str
    standard: str
    standards_version: str
    window: str | None
    subject: str | None
    observed: float | None
    target: float | None
    severity: int
    at: datetime
    breached_at: datetime | None
    event_ids: tuple[str, ...]

    def __post_init__(self) -> None:
        if self.state not in ALERT_STATES:
            raise ValueError(f"state must be one of {ALERT_STATES}, got {self.state!r}")
        if self.kind not in ALERT_KINDS:
            raise ValueError(f"kind must be one of {ALERT_KINDS}, got {self.kind!r}")

    @property
    def is_open(self) -> bool:
        """Whether the alert still needs clearing."""
        return self.state != "cleared"

    def to_dict(self) -> dict[str, Any]:
        """The transition as JSON-safe data."""
        return {
            "alert_id": self.alert_id,
            "state": self.state,
            "kind": self.kind,
            "scope": self.scope,
            "standard": self.standard,
            "standards_version": self.standards_version,
            "window": self.window,
            "subject": self.subject,
            "observed": self.observed,
            "target": self.target,
            "severity": self.severity,
            "at": format_timestamp(self.at),
            "breached_at": format_optional_timestamp(self.breached_at),
            "event_ids": list(self.event_ids),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Alert:
        """The transition from :meth:`to_dict` output; unknown keys are ignored."""
        return cls(
            alert_id=required_text(d, "alert_id"),
            state=required_text(d, "state"),
            kind=required_text(d, "kind"),
            scope=required_text(d, "scope"),
            standard=required_text(d, "standard"),
            standards_version=required_text(d, "standards_version"),
            window=optional_text(d, "window"),
            subject=optional_text(d, "subject"),
            observed=optional_float(d, "observed"),
            target=optional_float(d, "target"),
            severity=required_int(d, "severity"),
            at=parse_timestamp(d.get("at"), "at"),
            breached_at=parse_optional_timestamp(d.get("breached_at"), "breached_at"),
            event_ids=id_tuple(d),
        )


def check_direction(direction: str) -> str:
    """``direction`` itself when it is ``"min"`` or ``"max"``; anything else is a ValueError."""
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}, got {direction!r}")
    return direction


def is_breached(value: float, target: float, direction: str) -> bool:
    """Whether ``value`` is on the wrong side of ``target``."""
    if check_direction(direction) == "min":
        return target - value > TOLERANCE
    return value - target > TOLERANCE


def is_recovered(value: float, target: float, direction: str, margin: float) -> bool:
    """Whether ``value`` is at least ``margin`` past ``target`` on the right side."""
    if check_direction(direction) == "min":
        return value - target >= margin - TOLERANCE
    return target - value >= margin - TOLERANCE


def escalation_due(age_s: float, severity: int, policy: AlertPolicy) -> bool:
    """Whether a breach ``age_s`` old at ``severity`` is due its next escalation."""
    if policy.escalate_after_s <= 0 or severity >= MAX_SEVERITY:
        return False
    return age_s >= policy.escalate_after_s * severity


def cap_provenance(event_ids: Iterable[str], policy: AlertPolicy) -> tuple[str, ...]:
    """The distinct event ids, sorted, keeping the first ``policy.max_provenance``."""
    return tuple(sorted(set(event_ids))[: max(0, policy.max_provenance)])


def make_alert_id(scope: str, standard: str, key: str, opened_at: datetime) -> str:
    """A readable id, the same for the same inputs: ``scope|standard|key|opened_at``.

    ``key`` is the window of an aggregate alert or the subject of a contact alert.
    """
    return f"{scope}|{standard}|{key}|{format_timestamp(opened_at)}"


def deadline_steps(
    *,
    at_risk_at: datetime | None,
    due_at: datetime,
    satisfied_at: datetime | None,
    now: datetime,
    policy: AlertPolicy,
) -> tuple[tuple[str, int, datetime], ...]:
    """Every ``(state, severity, at)`` a contact has gone through by ``now``, in order.

    ``satisfied_at`` must already be None when it lies after ``now``. Clearing is not a
    step: the caller clears an open alert once the contact is satisfied. Warning has
    severity 0, raised 1, and each escalation one more.
    """
    steps: list[tuple[str, int, datetime]] = []

    def unsatisfied_at(t: datetime) -> bool:
        return satisfied_at is None or satisfied_at > t

    if at_risk_at is not None and at_risk_at <= min(due_at, now) and unsatisfied_at(at_risk_at):
        steps.append(("warning", 0, at_risk_at))
    if now <= due_at or not unsatisfied_at(due_at):
        return tuple(steps)
    steps.append(("raised", 1, due_at))
    severity = 1
    while policy.escalate_after_s > 0 and severity < MAX_SEVERITY:
        at = due_at + timedelta(seconds=policy.escalate_after_s * severity)
        if at > now or not unsatisfied_at(at):
            break
        severity += 1
        steps.append(("escalated", severity, at))
    return tuple(steps)
