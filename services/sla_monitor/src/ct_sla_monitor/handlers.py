"""The two stages as plain handlers over key-value state (faust tables in production,
dicts in tests). They decode, call the core, and say what to publish."""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from contact_events import InvalidEvent, decode_event
from ct_sla_monitor.core.contact_router import kind_of, route_event
from ct_sla_monitor.core.scope_engine import ScopeMeta, evaluate_scope, observe_event_time
from ct_sla_monitor.core.scope_figures import window_figures
from ct_sla_monitor.core.scope_items import ScopeItems, fact_id
from ct_sla_monitor.core.standards import Standards
from ct_sla_monitor.core.windows import ALL_TIME
from ct_sla_monitor.encoding import dumps
from ct_sla_monitor.standards_file import StandardsBook

#: A live stage-2 message's source record, ``[partition, offset]`` of contact.events.v1.
SOURCE = "src"

#: A snapshot larger than this (bytes) would pass the producer's 1 MB request limit: it is
#: published without its pending list (its summary still counts every open deadline), or,
#: still too large, not at all, with a warning, rather than failing stage 2's batch
MAX_SNAPSHOT_BYTES = 900_000

log = logging.getLogger(__name__)

#: Separates the parts of table keys (scope, kind, id); scope keys and kinds never hold it.
_SEP = "|"


@dataclass(frozen=True, slots=True)
class Rejected:
    """A record that is not a valid event: it goes to the dead-letter topic."""

    reason: str
    errors: list[dict[str, str]]


@dataclass(slots=True)
class ContactStage:
    """Stage 1, keyed by contact: events become facts (call legs, emails, visits, ...),
    routed to their scopes."""

    contacts: MutableMapping[str, Any]
    book: StandardsBook

    def handle(self, raw: bytes) -> Rejected | dict[str, dict[str, Any]]:
        """Apply one raw event. Returns the message per scope key, or Rejected."""
        try:
            event = decode_event(raw)
        except InvalidEvent as exc:
            return Rejected("invalid_event", [e.to_dict() for e in exc.errors])
        body = event.model_dump(mode="json")
        key = f"{kind_of(event.type)}{_SEP}{event.contact_id}"
        standards = self.book.for_scope(event.queue, event.customer_segment)
        result = route_event(self.contacts.get(key), body, standards)
        if result.duplicate:
            return {}
        if result.state is not None:
            self.contacts[key] = result.state
        return {scope: message.to_dict() for scope, message in sorted(result.messages.items())}


@dataclass(frozen=True, slots=True)
class ScopeOutput:
    """What stage 2 publishes after one message: a snapshot if it changed, and alerts."""

    snapshot: bytes | None
    alerts: list[tuple[bytes, bytes]]  # (key, value)
    applied: bool = True  # False: a redelivered message, already applied and skipped


@dataclass(slots=True)
class ScopeStage:
    """Stage 2, keyed by scope: keeps the scope's facts and meta (clock, late counts, alert
    states) in tables, and returns its snapshot and alert transitions."""

    facts: MutableMapping[str, Any]
    metas: MutableMapping[str, Any]
    book: StandardsBook
    keep_everything: bool = False  # a replay reporting totals: also keep every fact apart
    #: each scope's per-contact alert states, one key each (``scope|alert key``): kept in
    #: the meta, a busy scope's thousands outgrew Kafka's 1 MB message limit
    contact_alerts: MutableMapping[str, Any] = field(default_factory=dict)
    _items: dict[str, ScopeItems] = field(default_factory=dict)
    _metas: dict[str, ScopeMeta] = field(default_factory=dict)
    _everything: dict[str, ScopeItems] = field(default_factory=dict)
    _last: dict[str, bytes] = field(default_factory=dict)
    #: whether _items holds every scope's facts from the table (built in one pass)
    _indexed: bool = False
    #: each scope's per-contact alerts from the table, until its meta is loaded
    _alert_index: dict[str, dict[str, Any]] | None = None

    def forget(self) -> None:
        """Drop the in-memory caches (after a rebalance); they rebuild from the tables."""
        self._items.clear()
        self._metas.clear()
        self._last.clear()
        self._indexed = False
        self._alert_index = None

    def scopes(self) -> list[str]:
        """Scope keys this worker holds meta for (those it can tick)."""
        return sorted(self.metas.keys())

    def standards(self, scope_key: str) -> Standards:
        """The standards a scope is judged by."""
        return self.book.for_scope(_queue_of(scope_key))

    def clock(self, scope_key: str) -> datetime | None:
        """The scope's event-time clock (its newest event time), None before any event."""
        return self._scope_meta(scope_key).clock

    def _scope_items(self, scope_key: str) -> ScopeItems:
        items = self._items.get(scope_key)
        if items is None:
            if not self._indexed:
                self._index_facts()
                items = self._items.get(scope_key)
            if items is None:  # no fact in the table: a scope new since the index
                items = self._items[scope_key] = ScopeItems()
        return items

    def _index_facts(self) -> None:
        """Build every scope's facts from the table in one pass, in key order (as each
        scope's own scan would). Scanning the table once per scope instead made a
        restarted worker, or one given new queues, quadratic in the facts it held."""
        for key, value in sorted(self.facts.items()):
            scope_key, _, rest = key.partition(_SEP)
            items = self._items.get(scope_key)
            if items is None:
                items = self._items[scope_key] = ScopeItems()
            items.upsert(rest.partition(_SEP)[0], value)
        self._indexed = True

    def _scope_meta(self, scope_key: str) -> ScopeMeta:
        meta = self._metas.get(scope_key)
        if meta is None:
            if self._alert_index is None:  # one pass over the table, as for the facts
                self._alert_index = {}
                for key, value in self.contact_alerts.items():
                    scope, _, alert_key = key.partition(_SEP)
                    self._alert_index.setdefault(scope, {})[alert_key] = value
            contacts = self._alert_index.pop(scope_key, {})
            stored = self.metas.get(scope_key)
            meta = ScopeMeta.from_dict(stored, contacts) if stored is not None else ScopeMeta()
            self._metas[scope_key] = meta
        return meta

    def handle(
        self,
        scope_key: str,
        message: dict[str, Any],
        tick: datetime | None = None,
        publish: bool = True,
    ) -> ScopeOutput:
        """Apply one message (facts, or a timer tick) and evaluate the scope. Alerts are
        always decided; the snapshot only when ``publish`` (a live worker publishes each
        scope at most so often, and the figures are the same whenever they are asked).
        A live message names its source record (:data:`SOURCE`); one already applied is
        skipped, so a record that stage 1 handled twice counts once."""
        standards = self.book.for_scope(_queue_of(scope_key))
        meta = self._scope_meta(scope_key)
        source = message.get(SOURCE)
        if source is not None and not meta.first_delivery(source):
            return ScopeOutput(None, [], applied=False)
        items = self._scope_items(scope_key)
        kept = (
            self._everything.setdefault(scope_key, ScopeItems()) if self.keep_everything else None
        )
        for retract in message.get("retracts", ()):
            items.retract(retract["kind"], retract["id"])
            if kept is not None:
                kept.retract(retract["kind"], retract["id"])
            self.facts.pop(_SEP.join((scope_key, retract["kind"], retract["id"])), None)
        for fact in message.get("upserts", ()):
            kind = fact["kind"]
            items.upsert(kind, fact)
            if kept is not None:
                kept.upsert(kind, fact)
            self.facts[_SEP.join((scope_key, kind, fact_id(kind, fact)))] = fact
        if message.get("at") is not None:
            observe_event_time(meta, message["at"], standards)
        outcome = evaluate_scope(
            scope_key,
            meta,
            items,
            standards,
            tick=tick,
            judge_aggregates=tick is None,
            with_snapshot=publish,
        )
        for kind, key in outcome.dropped:
            self.facts.pop(_SEP.join((scope_key, kind, key)), None)
        self.metas[scope_key] = meta.to_dict(contacts=False)
        for alert_key, state in meta.take_contact_changes().items():
            key = _SEP.join((scope_key, alert_key))
            if state is None:
                self.contact_alerts.pop(key, None)
            else:
                self.contact_alerts[key] = state
        alerts = [
            (f"{a.scope}{_SEP}{a.standard}".encode(), dumps(a.to_dict())) for a in outcome.alerts
        ]
        if outcome.snapshot is None:
            return ScopeOutput(None, alerts)
        raw = fitted_snapshot(scope_key, outcome.snapshot)
        if raw is None or self._last.get(scope_key) == raw:
            return ScopeOutput(None, alerts)
        self._last[scope_key] = raw
        return ScopeOutput(raw, alerts)

    def figures(self, scope_key: str, window: str) -> dict[str, Any]:
        """The scope's figures over ``window`` at its clock (e.g. ``all``, after a replay)."""
        stored = self.metas.get(scope_key)
        meta = ScopeMeta.from_dict(stored) if stored is not None else ScopeMeta()
        if meta.clock is None:
            return {}
        standards = self.book.for_scope(_queue_of(scope_key))
        items = self._scope_items(scope_key)
        if window == ALL_TIME and self.keep_everything:
            items = self._everything.get(scope_key, items)
        return window_figures(scope_key, items, window, meta.clock, standards)


def fitted_snapshot(
    scope_key: str, snapshot: dict[str, Any], limit: int = MAX_SNAPSHOT_BYTES
) -> bytes | None:
    """The snapshot encoded, within ``limit`` bytes: without its pending list if need be;
    None (and a warning) when even that is too large."""
    raw = dumps(snapshot)
    if len(raw) <= limit:
        return raw
    trimmed = dumps({**snapshot, "pending": []})
    if len(trimmed) <= limit:
        log.warning(
            "scope %s: snapshot of %d bytes over %d; published without its pending list",
            scope_key,
            len(raw),
            limit,
        )
        return trimmed
    log.error(
        "scope %s: snapshot of %d bytes over %d even without its pending list; not published",
        scope_key,
        len(trimmed),
        limit,
    )
    return None


def _queue_of(scope_key: str) -> str | None:
    channel, _, queue = scope_key.partition("/")
    return None if channel == "service" or queue == "all" else queue
