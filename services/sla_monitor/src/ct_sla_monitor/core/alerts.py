"""Breach alerts: a scope's figure against its target, and a contact against its deadline.

An alert goes ``warning`` -> ``raised`` -> ``escalated``... -> ``cleared``; every transition
is emitted once, as an :class:`Alert` carrying its provenance (standard, version, window,
figure and at most ``max_provenance`` event ids). The rules are in ``alert_rules``.

Aggregate alerts (:func:`evaluate_aggregate`) fold a scope's observations, keyed by
(scope, standard, window), with hysteresis, a minimum volume and escalation. Contact alerts
(:func:`evaluate_deadline`) are a pure function of the contact's instants and ``now``, so
live timers and a replay emit the same alerts with the same times.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from .alert_rules import (
    ALERT_KINDS,
    ALERT_STATES,
    DIRECTIONS,
    MAX_SEVERITY,
    Alert,
    cap_provenance,
    check_direction,
    deadline_steps,
    escalation_due,
    is_breached,
    is_recovered,
    make_alert_id,
)
from .standards import AlertPolicy
from .timestamps import (
    format_optional_timestamp,
    parse_optional_timestamp,
    require_aware,
    seconds_between,
)

__all__ = [
    "ALERT_KINDS",
    "ALERT_STATES",
    "DIRECTIONS",
    "MAX_SEVERITY",
    "AggregateAlertState",
    "AggregateObservation",
    "Alert",
    "evaluate_aggregate",
    "evaluate_deadline",
]


@dataclass(frozen=True, slots=True)
class AggregateObservation:
    """A scope's figure over a window at one event time, with the events behind it."""

    scope: str
    standard: str
    window: str
    standards_version: str
    value: float | None
    volume: int
    target: float
    direction: str  # "min": value must be >= target; "max": value must be <= target
    at: datetime
    event_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check_direction(self.direction)
        require_aware(self.at, "at")


@dataclass(frozen=True, slots=True)
class AggregateAlertState:
    """What one (scope, standard, window) keeps between observations."""

    open_alert: Alert | None = None
    recovering_since: datetime | None = None  # first of the current run of recovered figures
    last_at: datetime | None = None  # event time of the latest observation applied

    def to_dict(self) -> dict[str, Any]:
        """The state as JSON-safe data."""
        return {
            "open_alert": None if self.open_alert is None else self.open_alert.to_dict(),
            "recovering_since": format_optional_timestamp(self.recovering_since),
            "last_at": format_optional_timestamp(self.last_at),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> AggregateAlertState:
        """The state from :meth:`to_dict` output."""
        alert = d.get("open_alert")
        return cls(
            open_alert=None if alert is None else Alert.from_dict(alert),
            recovering_since=parse_optional_timestamp(
                d.get("recovering_since"), "recovering_since"
            ),
            last_at=parse_optional_timestamp(d.get("last_at"), "last_at"),
        )


def evaluate_aggregate(
    state: AggregateAlertState | None, obs: AggregateObservation, policy: AlertPolicy
) -> tuple[AggregateAlertState, tuple[Alert, ...]]:
    """Apply one observation of a (scope, standard, window); return the new state and alerts.

    Observations must come in event-time order: one earlier than the last applied is
    ignored (state returned unchanged, nothing emitted). A missing figure or a volume below
    ``policy.min_volume`` neither raises nor counts toward clearing (it restarts the hold).
    A breach raises one alert; while it stays open, each ``escalate_after_s`` of breach age
    escalates it once (all escalations due are emitted at ``obs.at``). It clears once the
    figure has been past target +/- ``clear_margin`` for ``clear_after_s`` of event time.
    """
    state = state or AggregateAlertState()
    if state.last_at is not None and obs.at < state.last_at:
        return state, ()
    opened = state.open_alert
    if opened is not None and (opened.scope, opened.standard, opened.window) != (
        obs.scope,
        obs.standard,
        obs.window,
    ):
        raise ValueError(f"observation of {obs.scope}/{obs.standard} applied to another key")
    # (the states are built directly: this runs for every standard at every closed minute)
    at = obs.at
    if obs.value is None or obs.volume < policy.min_volume:
        return AggregateAlertState(opened, None, at), ()
    value = obs.value
    if is_breached(value, obs.target, obs.direction):
        if opened is None:
            alert_id = make_alert_id(obs.scope, obs.standard, obs.window, at)
            alert = _aggregate_alert(obs, policy, "raised", 1, alert_id, at)
            return AggregateAlertState(alert, None, at), (alert,)
        return _escalate(AggregateAlertState(opened, None, at), opened, obs, policy)
    if opened is None or not is_recovered(value, obs.target, obs.direction, policy.clear_margin):
        return AggregateAlertState(opened, None, at), ()
    since = state.recovering_since or at
    if seconds_between(since, at) < policy.clear_after_s:
        return AggregateAlertState(opened, since, at), ()
    cleared = _aggregate_alert(
        obs, policy, "cleared", opened.severity, opened.alert_id, opened.breached_at
    )
    return AggregateAlertState(None, None, at), (cleared,)


def _escalate(
    state: AggregateAlertState, opened: Alert, obs: AggregateObservation, policy: AlertPolicy
) -> tuple[AggregateAlertState, tuple[Alert, ...]]:
    breached_at = opened.breached_at or opened.at
    age_s = seconds_between(breached_at, obs.at)
    emitted: list[Alert] = []
    current = opened
    if not escalation_due(age_s, current.severity, policy):
        return state, ()
    while escalation_due(age_s, current.severity, policy):
        current = _aggregate_alert(
            obs, policy, "escalated", current.severity + 1, opened.alert_id, breached_at
        )
        emitted.append(current)
    return replace(state, open_alert=current), tuple(emitted)


def _aggregate_alert(
    obs: AggregateObservation,
    policy: AlertPolicy,
    state: str,
    severity: int,
    alert_id: str,
    breached_at: datetime | None,
) -> Alert:
    return Alert(
        alert_id=alert_id,
        state=state,
        kind="aggregate",
        scope=obs.scope,
        standard=obs.standard,
        standards_version=obs.standards_version,
        window=obs.window,
        subject=None,
        observed=obs.value,
        target=obs.target,
        severity=severity,
        at=obs.at,
        breached_at=breached_at,
        event_ids=cap_provenance(obs.event_ids, policy),
    )


def evaluate_deadline(
    previous: Alert | None,
    *,
    scope: str,
    standard: str,
    standards_version: str,
    subject: str,
    started_at: datetime,
    at_risk_at: datetime | None,
    due_at: datetime,
    satisfied_at: datetime | None,
    now: datetime,
    event_ids: tuple[str, ...],
    policy: AlertPolicy,
) -> tuple[Alert | None, tuple[Alert, ...]]:
    """The contact's current alert (or None) and the transitions not yet emitted by ``now``.

    ``previous`` is the alert this function last returned for the subject. Transitions:
    warning at ``at_risk_at`` (None: no warning) unless satisfied by then; raised at
    ``due_at`` (also ``breached_at``) once ``now`` is past it unsatisfied; escalated at
    ``due_at + escalate_after_s * severity`` while unsatisfied; cleared at
    ``satisfied_at`` once an alert is open. A jump in ``now`` emits every step passed, in
    order; a ``satisfied_at`` after ``now`` is not yet known. Emitted transitions are never
    withdrawn: a late correction only clears. A cleared alert is final.
    """
    if previous is not None and not previous.is_open:
        return previous, ()
    if previous is not None and (previous.scope, previous.standard, previous.subject) != (
        scope,
        standard,
        subject,
    ):
        raise ValueError(f"alert of {previous.subject!r} applied to {subject!r}")
    now = require_aware(now, "now")
    due_at = require_aware(due_at, "due_at")
    satisfied = None if satisfied_at is None else require_aware(satisfied_at, "satisfied_at")
    if satisfied is not None and satisfied > now:
        satisfied = None
    steps = deadline_steps(
        at_risk_at=None if at_risk_at is None else require_aware(at_risk_at, "at_risk_at"),
        due_at=due_at,
        satisfied_at=satisfied,
        now=now,
        policy=policy,
    )
    target = seconds_between(require_aware(started_at, "started_at"), due_at)
    ids = cap_provenance(event_ids, policy)
    current = previous
    emitted: list[Alert] = []
    pending = [s for s in steps if previous is None or s[1] > previous.severity]
    if satisfied is not None and (pending or current is not None):
        last_severity = pending[-1][1] if pending else previous.severity if previous else 0
        pending.append(("cleared", last_severity, satisfied))
    for state, severity, at in pending:
        alert_id = (
            current.alert_id if current is not None else make_alert_id(scope, standard, subject, at)
        )
        current = Alert(
            alert_id=alert_id,
            state=state,
            kind="contact",
            scope=scope,
            standard=standard,
            standards_version=standards_version,
            window=None,
            subject=subject,
            observed=seconds_between(due_at, at),
            target=target,
            severity=severity,
            at=at,
            breached_at=due_at if severity >= 1 else None,
            event_ids=ids,
        )
        emitted.append(current)
    return current, tuple(emitted)
