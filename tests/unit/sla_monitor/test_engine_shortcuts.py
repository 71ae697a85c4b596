"""The engine's shortcuts change no figure and no alert.

Aggregate standards are judged on running sums with unchanged minutes skipped, and
deadlines are only checked when they may move. Here the same simulated days (every
channel, understaffed so alerts open, escalate and clear) are replayed twice: once as the
engine runs, once with both decisions made the brute-force way — every observation
rescanned from the facts at every closed minute, every deadline of every item evaluated
at every step — and the two replays must agree to the byte.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson
import pytest

from ct_cli.simulator.config import SimConfig
from ct_cli.simulator.engine import generate
from ct_sla_monitor.core import scope_engine
from ct_sla_monitor.core.alerts import Alert, evaluate_aggregate, evaluate_deadline
from ct_sla_monitor.core.complaint_items import complaint_deadlines
from ct_sla_monitor.core.email_items import email_deadlines
from ct_sla_monitor.core.scope_engine import ScopeMeta, closed_minutes
from ct_sla_monitor.core.scope_figures import (
    aggregate_observations,
    judged_windows,
    window_figures,
)
from ct_sla_monitor.core.scope_items import ScopeItems
from ct_sla_monitor.core.standards import Standards
from ct_sla_monitor.core.visit_items import visit_deadlines
from ct_sla_monitor.replay_engine import replay_events
from ct_sla_monitor.standards_file import default_standards


def _judge_by_rescan(
    scope_key: str, meta: ScopeMeta, items: ScopeItems, standards: Standards
) -> list[Alert]:
    assert meta.clock is not None
    emitted: list[Alert] = []
    for minute in closed_minutes(meta.judged_until, meta.clock, standards.allowed_lateness_s):
        figures = {
            w: window_figures(scope_key, items, w, minute, standards)
            for w in judged_windows(scope_key)
        }
        for obs in aggregate_observations(scope_key, items, figures, minute, standards):
            key = f"{obs.standard}|{obs.window}"
            state, alerts = evaluate_aggregate(meta.aggregate.get(key), obs, standards.alerts)
            meta.aggregate[key] = state
            emitted.extend(alerts)
        meta.judged_until = minute
    return emitted


def _every_deadline_every_step(
    scope_key: str, meta: ScopeMeta, items: ScopeItems, now: datetime, standards: Standards
) -> list[Alert]:
    deadlines = [d for e in items.of_kind("email") for d in email_deadlines(e, standards)]
    deadlines += [d for v in items.of_kind("visit") for d in visit_deadlines(v, standards)]
    deadlines += [d for c in items.of_kind("complaint") for d in complaint_deadlines(c, standards)]
    emitted: list[Alert] = []
    live: set[str] = set()
    for deadline in sorted(deadlines, key=lambda d: (d.due_at, d.item_id, d.standard)):
        key = f"{deadline.standard}|{deadline.item_id}"
        live.add(key)
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
            meta.contact.pop(key, None)
        else:
            meta.contact[key] = current
    for key in [k for k in meta.contact if k not in live]:
        del meta.contact[key]
    return emitted


def _replay(records: list[bytes]) -> bytes:
    result = replay_events(records, default_standards(), window="all")
    return orjson.dumps(result.to_dict(), option=orjson.OPT_SORT_KEYS)


@pytest.fixture(scope="module")
def records() -> list[bytes]:
    config = SimConfig(
        seed=11,
        start=datetime(2026, 10, 25, 22, tzinfo=UTC),  # the Monday after the DST change
        duration=timedelta(hours=20),
        daily_contacts=500,
        staffing=0.7,
    )
    return [orjson.dumps(event) for event in generate(config)]


def test_shortcuts_give_the_brute_force_figures_and_alerts(
    records: list[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = _replay(records)
    monkeypatch.setattr(scope_engine, "_judge_aggregates", _judge_by_rescan)
    monkeypatch.setattr(scope_engine, "_deadline_alerts", _every_deadline_every_step)
    slow = _replay(records)
    result = orjson.loads(fast)
    kinds = {(a["kind"], a["state"]) for a in result["alerts"]}
    # the period exercises both paths: aggregate and contact alerts, raised and cleared
    assert {("aggregate", "raised"), ("aggregate", "cleared")} <= kinds
    assert {("contact", "raised"), ("contact", "warning")} <= kinds
    assert fast == slow
