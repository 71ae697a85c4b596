"""Replaying recorded events through both stage handlers, in process: the same handlers
and pure core the live monitor runs, over dict state instead of faust tables. ``ct replay``,
``ct audit`` and the monthly report are built on it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
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

    def to_dict(self) -> dict[str, Any]:
        return {
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
) -> ReplayResult:
    """Drive both stages over ``records`` (raw canonical events, in order) and report the
    figures of every scope (or one) over ``window`` at the end of the period. ``on_event``
    is called once per record (a progress bar)."""
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
    for scope_key in stage2.scopes():
        if scope is not None and scope_key != scope:
            continue
        result.scopes[scope_key] = stage2.figures(scope_key, window)
        result.late[scope_key] = dict(stage2.metas[scope_key]["late"])
    if scope is not None:
        result.alerts = [a for a in result.alerts if a["scope"] == scope]
    return result
