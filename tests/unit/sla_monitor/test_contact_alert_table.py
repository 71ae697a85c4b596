"""Per-contact alert states are kept one table key each, not inside the scope's meta: a
busy queue holds thousands (every email or visitor past its deadline today), and in one
meta record they outgrew Kafka's 1 MB message limit and stopped the worker in the soak.
Stage 2 rebuilt from its tables gives what an uninterrupted one gives."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import orjson

from ct_sla_monitor.core.scope_engine import ScopeMeta
from ct_sla_monitor.handlers import ContactStage, Rejected, ScopeStage
from ct_sla_monitor.standards_file import default_standards
from tests.unit.sla_monitor.emails import T0, received

SCOPE = "email/benefits"
EMAILS = 40


def steps() -> list[tuple[str, dict[str, Any], datetime | None]]:
    """Stage 2's inputs: the emails' messages, then ticks that let their deadlines pass."""
    stage1 = ContactStage({}, default_standards())
    out: list[tuple[str, dict[str, Any], datetime | None]] = []
    for n in range(EMAILS):
        result = stage1.handle(orjson.dumps(received(n)))
        assert not isinstance(result, Rejected), result
        out += [(scope, orjson.loads(orjson.dumps(m)), None) for scope, m in result.items()]
    for hours in (1, 4, 30, 80):
        tick = T0 + timedelta(hours=hours)
        out.append((SCOPE, {"tick": tick.isoformat()}, tick))
    return out


def drive(
    stage: ScopeStage, inputs: list[tuple[str, dict[str, Any], datetime | None]]
) -> tuple[list[tuple[bytes, bytes]], dict[str, bytes]]:
    alerts: list[tuple[bytes, bytes]] = []
    snapshots: dict[str, bytes] = {}
    for scope, message, tick in inputs:
        output = stage.handle(scope, dict(message), tick=tick)
        alerts += output.alerts
        if output.snapshot is not None:
            snapshots[scope] = output.snapshot
    return alerts, snapshots


def test_contact_alerts_live_in_their_own_table_not_in_the_meta() -> None:
    facts: dict[str, Any] = {}
    metas: dict[str, Any] = {}
    table: dict[str, Any] = {}
    alerts, _ = drive(ScopeStage(facts, metas, default_standards(), contact_alerts=table), steps())
    assert len(alerts) >= EMAILS  # every email's acknowledgement deadline passed
    assert all("contact" not in meta for meta in metas.values())
    mine = [key for key in table if key.startswith(f"{SCOPE}|")]
    assert len(mine) >= EMAILS and len(mine) == len(table)
    # each value is one alert (small), whatever how many the scope holds
    assert max(len(orjson.dumps(v)) for v in table.values()) < 4_000


def test_a_stage_rebuilt_from_the_tables_carries_on_as_an_uninterrupted_one() -> None:
    book, inputs = default_standards(), steps()
    whole_alerts, whole_snapshots = drive(ScopeStage({}, {}, book), inputs)
    facts: dict[str, Any] = {}
    metas: dict[str, Any] = {}
    table: dict[str, Any] = {}
    cut = len(inputs) - 2  # after the first two ticks: alerts are open
    first = ScopeStage(facts, metas, book, contact_alerts=table)
    alerts, snapshots = drive(first, inputs[:cut])
    assert table, "no alert state was kept before the restart"
    fresh = ScopeStage(facts, metas, book, contact_alerts=table)  # only the tables survive
    more_alerts, more_snapshots = drive(fresh, inputs[cut:])
    assert alerts + more_alerts == whole_alerts
    assert {**snapshots, **more_snapshots} == whole_snapshots


def test_alerts_kept_inside_an_old_meta_move_to_the_table() -> None:
    book, inputs = default_standards(), steps()
    facts: dict[str, Any] = {}
    metas: dict[str, Any] = {}
    table: dict[str, Any] = {}
    cut = len(inputs) - 2
    drive(ScopeStage(facts, metas, book, contact_alerts=table), inputs[:cut])
    # as written before the alerts were kept apart: inside the meta, no table
    contacts = {k.partition("|")[2]: v for k, v in table.items()}
    metas[SCOPE] = ScopeMeta.from_dict(metas[SCOPE], contacts).to_dict()
    assert len(metas[SCOPE]["contact"]) == len(contacts)
    old: dict[str, Any] = {}
    fresh = ScopeStage(facts, metas, book, contact_alerts=old)
    _, snapshots = drive(fresh, inputs[cut:])
    whole_table: dict[str, Any] = {}
    _, whole = drive(ScopeStage({}, {}, book, contact_alerts=whole_table), inputs)
    assert snapshots[SCOPE] == whole[SCOPE]
    assert "contact" not in metas[SCOPE]
    assert old == whole_table and old
