"""Stage 2's decisions for one scope after each message or timer tick: its event-time
clock, late-event counts, figures per window, pending deadlines, and alerts.

``ScopeMeta`` is everything besides the facts that a scope keeps between messages; the
adapter stores it (a faust table) and hands it back. Nothing here reads the clock: the
event-time clock moves with the events; a live timer's ``tick`` only lets deadlines fall
due when no event arrives, and every alert carries its own event time (the deadline), so
a replay that reaches the same instants raises the same alerts.

Aggregate standards are judged at every minute boundary of event time once it is closed:
at or before the clock minus the allowed lateness. By then every on-time event of that
minute is in, so the judgement does not depend on the order events arrived in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from .alerts import (
    MAX_SEVERITY,
    AggregateAlertState,
    Alert,
    evaluate_aggregate,
    evaluate_deadline,
)
from .call_kpis import ALL_QUEUES
from .deadline_index import deadline_key
from .judged_figures import wants_provenance
from .lateness import LatenessCounters, classify_lateness
from .scope_figures import (
    late_call_ids,
    pending_items,
    window_figures,
    windows_of,
)
from .scope_items import ScopeItems
from .standards import Standards
from .timestamps import format_timestamp, parse_optional_timestamp, parse_timestamp


@dataclass(slots=True)
class ScopeMeta:
    """A scope's clock, late-event counters and alert states (mutable)."""

    clock: datetime | None = None
    judged_until: datetime | None = None  # the last minute boundary aggregates were judged at
    late: LatenessCounters = field(default_factory=LatenessCounters)
    aggregate: dict[str, AggregateAlertState] = field(default_factory=dict)
    contact: dict[str, Alert] = field(default_factory=dict)
    #: per source partition, the highest source offset applied (see first_delivery)
    sources: dict[str, int] = field(default_factory=dict)
    #: the dict form of each state and alert last written (states are immutable, so one
    #: still held needs no second serialisation): not part of the meta itself
    _written: dict[str, tuple[object, dict[str, Any]]] = field(
        default_factory=dict, compare=False, repr=False
    )
    #: keys of ``contact`` set or dropped since :meth:`take_contact_changes`
    _contact_changes: set[str] = field(default_factory=set, compare=False, repr=False)

    def put_contact(self, key: str, alert: Alert) -> None:
        """Record the state of a per-contact alert."""
        self.contact[key] = alert
        self._contact_changes.add(key)

    def drop_contact(self, key: str) -> None:
        """Forget a per-contact alert (its item is gone, or it never opened)."""
        if self.contact.pop(key, None) is not None:
            self._contact_changes.add(key)

    def take_contact_changes(self) -> dict[str, dict[str, Any] | None]:
        """Each per-contact alert set (its dict form) or dropped (None) since the last
        call. An adapter that keeps each alert apart (a busy scope holds thousands; in one
        record they outgrew Kafka's 1 MB message limit) writes only these."""
        changes, self._contact_changes = self._contact_changes, set()
        return {k: self.contact_dict(k) if k in self.contact else None for k in sorted(changes)}

    def contact_dict(self, key: str) -> dict[str, Any]:
        """The dict form of one per-contact alert."""
        return self._dict_of(f"c|{key}", self.contact[key])

    def to_dict(self, contacts: bool = True) -> dict[str, Any]:
        """The meta as JSON-safe data; without ``contacts``, the per-contact alerts are left
        out (an adapter keeping them apart, see :meth:`take_contact_changes`)."""
        out = {
            "clock": None if self.clock is None else format_timestamp(self.clock),
            "judged_until": None
            if self.judged_until is None
            else format_timestamp(self.judged_until),
            "late": self.late.to_dict(),
            "aggregate": {
                k: self._dict_of(f"a|{k}", self.aggregate[k]) for k in sorted(self.aggregate)
            },
            "sources": dict(sorted(self.sources.items())),
        }
        if contacts:
            out["contact"] = {k: self.contact_dict(k) for k in sorted(self.contact)}
        return out

    def first_delivery(self, source: tuple[int, int] | list[int]) -> bool:
        """Whether a message made from source record ``(partition, offset)`` is new to
        this scope, recording it if so. Stage 1 handles each source partition in offset
        order and a scope's messages travel on one partition, so a message from an offset
        at or below the highest applied is a redelivery (stage 1 ran that record again
        after a crash or a rebalance) and must not be applied twice."""
        partition, offset = str(source[0]), int(source[1])
        if offset <= self.sources.get(partition, -1):
            return False
        self.sources[partition] = offset
        return True

    def _dict_of(self, key: str, value: AggregateAlertState | Alert) -> dict[str, Any]:
        written = self._written.get(key)
        if written is not None and written[0] is value:
            return written[1]
        out = value.to_dict()
        self._written[key] = (value, out)
        return out

    @classmethod
    def from_dict(
        cls, d: Mapping[str, Any], contacts: Mapping[str, Mapping[str, Any]] | None = None
    ) -> ScopeMeta:
        """The meta from :meth:`to_dict` output; the per-contact alerts kept apart are
        ``contacts``. Alerts found inside ``d`` (written before they were kept apart) count
        as changed, so that an adapter moves them out."""
        inside = d.get("contact", {})
        meta = cls(
            clock=parse_optional_timestamp(d.get("clock"), "clock"),
            judged_until=parse_optional_timestamp(d.get("judged_until"), "judged_until"),
            late=LatenessCounters.from_dict(d.get("late", {})),
            aggregate={k: AggregateAlertState.from_dict(v) for k, v in d["aggregate"].items()},
            contact={k: Alert.from_dict(v) for k, v in {**inside, **(contacts or {})}.items()},
            sources={str(k): int(v) for k, v in d.get("sources", {}).items()},
        )
        meta._contact_changes = set(inside)
        return meta


def observe_event_time(meta: ScopeMeta, at: str, standards: Standards) -> None:
    """Count the event as late or not against the scope's clock, then advance the clock."""
    t = parse_timestamp(at, "at")
    meta.late = meta.late.add(classify_lateness(t, meta.clock, standards.allowed_lateness_s))
    if meta.clock is None or t > meta.clock:
        meta.clock = t


@dataclass(frozen=True, slots=True)
class ScopeOutcome:
    """What one step decided: the snapshot to publish, alert transitions, dropped facts."""

    snapshot: dict[str, Any] | None
    alerts: tuple[Alert, ...]
    dropped: tuple[tuple[str, str], ...]


def evaluate_scope(
    scope_key: str,
    meta: ScopeMeta,
    items: ScopeItems,
    standards: Standards,
    *,
    tick: datetime | None = None,
    judge_aggregates: bool = True,
    with_snapshot: bool = True,
) -> ScopeOutcome:
    """Figures, pending deadlines and alerts of a scope at its clock (deadlines at the
    later of the clock and ``tick``). Updates ``meta`` and ``items`` in place. Without
    ``with_snapshot`` the alerts are decided but the figures are not computed (a caller
    that publishes at most so often asks for them later)."""
    if meta.clock is None:
        return ScopeOutcome(None, (), ())
    now = meta.clock
    due_now = max(now, tick) if tick is not None else now
    alerts: list[Alert] = []
    if judge_aggregates:
        alerts.extend(_judge_aggregates(scope_key, meta, items, standards))
    dropped = tuple(items.prune(min(now, meta.judged_until or now), standards))
    if not scope_key.endswith(f"/{ALL_QUEUES}"):  # one alert per contact, from its queue
        alerts.extend(_deadline_alerts(scope_key, meta, items, due_now, standards))
    if not with_snapshot:
        return ScopeOutcome(None, tuple(alerts), dropped)
    figures = {
        w: window_figures(scope_key, items, w, now, standards) for w in windows_of(scope_key)
    }
    channel, _, queue = scope_key.partition("/")
    pending, pending_counts = pending_items(items, due_now, standards)
    snapshot = {
        "scope": {"channel": channel, "queue": queue, "key": scope_key},
        "as_of": format_timestamp(now),
        "standards_version": standards.version,
        "windows": figures,
        "pending": pending,
        "pending_summary": pending_counts,
        "pending_as_of": format_timestamp(due_now),
        "late": meta.late.to_dict(),
    }
    return ScopeOutcome(snapshot, tuple(alerts), dropped)


_MINUTE = timedelta(minutes=1)
_NEVER = datetime.max.replace(tzinfo=UTC)
#: after a longer silence, judging resumes this far back rather than minute by minute
MAX_CATCH_UP = timedelta(days=1)


def closed_minutes(
    judged_until: datetime | None, clock: datetime, allowed_lateness_s: float
) -> list[datetime]:
    """The minute boundaries still to judge: after ``judged_until`` (or only the latest one
    at first), up to the last boundary at or before clock - allowed lateness."""
    closed = clock - timedelta(seconds=allowed_lateness_s)
    horizon = closed.replace(second=0, microsecond=0)
    if judged_until is None:
        return [horizon]
    start = max(judged_until + _MINUTE, horizon - MAX_CATCH_UP)
    steps = int((horizon - start) / _MINUTE) + 1 if horizon >= start else 0
    return [start + i * _MINUTE for i in range(steps)]


def _judge_aggregates(
    scope_key: str, meta: ScopeMeta, items: ScopeItems, standards: Standards
) -> list[Alert]:
    assert meta.clock is not None
    emitted: list[Alert] = []
    ledger = items.judged_ledger(scope_key, standards)
    for minute in closed_minutes(meta.judged_until, meta.clock, standards.allowed_lateness_s):
        # figures unchanged since the last minute decide nothing new, unless an open
        # alert's escalation or clearing falls due
        quiet = minute < _next_due(meta, standards)
        for obs in ledger.observations(minute, skip_if_unchanged=quiet) or ():
            key = f"{obs.standard}|{obs.window}"
            previous = meta.aggregate.get(key)
            state, alerts = evaluate_aggregate(previous, obs, standards.alerts)
            if alerts and wants_provenance(obs):  # the calls behind it, only when it is news
                ids = late_call_ids(items.calls.legs.values(), obs.window, minute, standards)
                obs = replace(obs, event_ids=tuple(ids))
                state, alerts = evaluate_aggregate(previous, obs, standards.alerts)
            meta.aggregate[key] = state
            emitted.extend(alerts)
        meta.judged_until = minute
    return emitted


def _next_due(meta: ScopeMeta, standards: Standards) -> datetime:
    """The earliest instant an open aggregate alert may escalate or clear with its figure
    unchanged (far in the future with none open)."""
    policy = standards.alerts
    due = _NEVER
    for state in meta.aggregate.values():
        opened = state.open_alert
        if opened is None:
            continue
        if state.recovering_since is not None:
            due = min(due, state.recovering_since + timedelta(seconds=policy.clear_after_s))
        elif policy.escalate_after_s > 0 and opened.severity < MAX_SEVERITY:
            since = opened.breached_at or opened.at
            due = min(due, since + timedelta(seconds=policy.escalate_after_s * opened.severity))
    return due


def _deadline_alerts(
    scope_key: str, meta: ScopeMeta, items: ScopeItems, now: datetime, standards: Standards
) -> list[Alert]:
    emitted: list[Alert] = []
    index = items.deadline_index(standards)
    for deadline in index.take_due(now):
        key = deadline_key(deadline)
        previous = meta.contact.get(key)
        if previous is None and deadline.status(now) == "met":
            continue
        current, transitions = evaluate_deadline(
            previous,
            scope=scope_key,
            standard=deadline.standard,
            standards_version=standards.version,
            subject=deadline.item_id,
            started_at=deadline.started_at,
            at_risk_at=deadline.at_risk_at,
            due_at=deadline.due_at,
            satisfied_at=deadline.satisfied_at,
            now=now,
            event_ids=deadline.event_ids,
            policy=standards.alerts,
        )
        emitted.extend(transitions)
        if current is None:
            meta.drop_contact(key)
        elif current is not previous:
            meta.put_contact(key, current)
        if current is None or current.is_open:  # a cleared alert is final
            index.schedule(deadline, now)
    for key in index.take_removed():  # the item was pruned or moved
        meta.drop_contact(key)
    if index.fresh:  # alerts kept for items no longer held
        for key in [k for k in meta.contact if not index.holds(k)]:
            meta.drop_contact(key)
        index.fresh = False
    return emitted
