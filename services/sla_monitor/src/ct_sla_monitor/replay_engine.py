"""Replaying recorded events through both stage handlers, in process: the same handlers
and pure core the live monitor runs, over dict state instead of faust tables. ``ct replay``,
``ct audit`` and the monthly report are built on it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from ct_sla_monitor.handlers import ContactStage, Rejected, ScopeStage
from ct_sla_monitor.standards_file import StandardsBook


@dataclass(slots=True)
class ReplayResult:
    """What a replayed period gives: figures per scope, the alerts it raised, counts."""

    window: str
    standards_version: str
    events: int = 0
    rejected: int = 0
    duplicates: int = 0
    scopes: dict[str, dict[str, Any]] = field(default_factory=dict)
    late: dict[str, dict[str, int]] = field(default_factory=dict)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    #: each scope's last snapshot, as the live monitor publishes it (when asked for)
    snapshots: dict[str, dict[str, Any]] | None = None

    def to_dict(self) -> dict[str, Any]:
        extra = {} if self.snapshots is None else {"snapshots": self.snapshots}
        return extra | {
            "window": self.window,
            "standards_version": self.standards_version,
            "events": self.events,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
            "scopes": self.scopes,
            "late": self.late,
            "alerts": self.alerts,
        }


def replay_events(
    records: Iterable[bytes],
    book: StandardsBook,
    window: str = "all",
    scope: str | None = None,
    on_event: Callable[[], None] | None = None,
    until: datetime | Mapping[str, datetime] | None = None,
    snapshots: bool = False,
) -> ReplayResult:
    """Drive both stages over ``records`` (raw canonical events, in order) and report the
    figures of every scope (or one) over ``window`` at the end of the period. ``on_event``
    is called once per record (a progress bar).

    ``until``: after the last record every scope is ticked at this instant, as the live
    timer does, so the per-contact deadlines due by then raise their alerts (a period's
    deadlines fall due even where no later event passes them); a mapping gives each scope
    its own instant (an audit ticks each where the live monitor last did). ``snapshots``: also give
    each scope's last snapshot (what the live monitor publishes on sla.metrics.v1)."""
    stage1 = ContactStage({}, book)
    stage2 = ScopeStage({}, {}, book, keep_everything=window == "all")
    result = ReplayResult(window=window, standards_version=book.version)
    for raw in records:
        result.events += 1
        if on_event is not None:
            on_event()
        routed = stage1.handle(raw)
        if isinstance(routed, Rejected):
            result.rejected += 1
            continue
        if not routed:
            result.duplicates += 1
        for scope_key, message in routed.items():
            output = stage2.handle(scope_key, message, publish=False)
            result.alerts.extend(orjson.loads(value) for _, value in output.alerts)
    if until is not None or snapshots:
        result.snapshots = {}
        for scope_key in stage2.scopes():
            at = until.get(scope_key) if isinstance(until, Mapping) else until
            tick = None if at is None else at.astimezone(UTC)
            message = {} if tick is None else {"tick": tick.isoformat()}
            output = stage2.handle(scope_key, message, tick=tick, publish=snapshots)
            result.alerts.extend(orjson.loads(value) for _, value in output.alerts)
            if output.snapshot is not None:
                result.snapshots[scope_key] = orjson.loads(output.snapshot)
        if not snapshots:
            result.snapshots = None
    for scope_key in stage2.scopes():
        if scope is not None and scope_key != scope:
            continue
        result.scopes[scope_key] = stage2.figures(scope_key, window)
        result.late[scope_key] = dict(stage2.metas[scope_key]["late"])
    if scope is not None:
        result.alerts = [a for a in result.alerts if a["scope"] == scope]
        if result.snapshots is not None:
            result.snapshots = {k: v for k, v in result.snapshots.items() if k == scope}
    return result
