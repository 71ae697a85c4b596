"""``ct audit``: replay a period and compare it with what the live pipeline recorded.

The replay drives the monitor's own handlers over the raw events (topic or archive) and
ticks every scope at the end of the period, as the live timer did. The live record is
``sla.alerts.v1`` (every alert transition) and ``sla.metrics.v1`` (each scope's last
snapshot). Alerts are compared as sets of exact JSON values; snapshots figure by figure,
leaving out what depends on the wall clock the live timer ran on (the pending list, as of
the last tick). Given the same events and the same standards version, any difference is a
bug, and the report names each one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from ct_sla_monitor.replay_engine import ReplayResult

#: snapshot keys that follow the live timer's wall clock, not the events
WALL_CLOCK_KEYS = ("pending", "pending_summary", "pending_as_of", "future")


def canonical(value: Any) -> bytes:
    """The value as sorted-key JSON: equal values, equal bytes."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


@dataclass(slots=True)
class AuditReport:
    """What a comparison found."""

    period: dict[str, str | None]
    standards_version: str
    events: int
    late_events: int
    too_late_events: int
    alerts_compared: int
    scopes_compared: int
    redelivered_alerts: int = 0
    differences: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "standards_version": self.standards_version,
            "events": self.events,
            "late_events": self.late_events,
            "too_late_events": self.too_late_events,
            "alerts_compared": self.alerts_compared,
            "scopes_compared": self.scopes_compared,
            "redelivered_alerts": self.redelivered_alerts,
            "differences": self.differences,
            "identical": not self.differences,
        }


def last_snapshots(
    records: Iterable[bytes], until: datetime | None = None
) -> dict[str, dict[str, Any]]:
    """Each scope's last snapshot among ``records`` (sla.metrics.v1 values in topic order),
    as of ``until`` at the latest."""
    latest: dict[str, dict[str, Any]] = {}
    for raw in records:
        snapshot = orjson.loads(raw)
        as_of = datetime.fromisoformat(snapshot["as_of"])
        if until is None or as_of <= until:
            latest[snapshot["scope"]["key"]] = snapshot
    return latest


def _event_figures(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in snapshot.items() if k not in WALL_CLOCK_KEYS}


def scope_ticks(snapshots: Mapping[str, dict[str, Any]]) -> dict[str, datetime]:
    """Each scope's last live tick instant (``pending_as_of`` of its last snapshot): the
    instant its deadlines were last judged at, which the replay ticks it at too."""
    return {
        scope: datetime.fromisoformat(snapshot["pending_as_of"])
        for scope, snapshot in snapshots.items()
        if snapshot.get("pending_as_of")
    }


def _alerts_between(
    alerts: Iterable[dict[str, Any]],
    start: datetime | None,
    until: datetime,
    ticks: Mapping[str, datetime],
) -> list[bytes]:
    kept = []
    for alert in alerts:
        at = datetime.fromisoformat(alert["at"])
        if at <= min(until, ticks.get(alert["scope"], until)) and (start is None or at >= start):
            kept.append(canonical(alert))
    return sorted(kept)


def _figure_differences(
    scope: str, live: Mapping[str, Any], replayed: Mapping[str, Any]
) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(path: str, a: Any, b: Any) -> None:
        if isinstance(a, dict) and isinstance(b, dict):
            for key in sorted(set(a) | set(b)):
                walk(f"{path}.{key}" if path else key, a.get(key), b.get(key))
        elif canonical(a) != canonical(b):
            found.append({"kind": "figure", "scope": scope, "path": path, "live": a, "replay": b})

    walk("", dict(live), dict(replayed))
    return found


def compare(
    replay: ReplayResult,
    live_alerts: Iterable[dict[str, Any]],
    live_snapshots: Mapping[str, dict[str, Any]],
    start: datetime | None,
    until: datetime,
) -> AuditReport:
    """The differences between a replay (with snapshots, ticked at ``until``) and the live
    record of the same period."""
    replayed_snapshots = replay.snapshots or {}
    late = sum(v.get("late_events_total", 0) for v in replay.late.values())
    too_late = sum(v.get("too_late_events_total", 0) for v in replay.late.values())
    report = AuditReport(
        period={
            "from": None if start is None else start.astimezone(UTC).isoformat(),
            "to": until.astimezone(UTC).isoformat(),
        },
        standards_version=replay.standards_version,
        events=replay.events,
        late_events=late,
        too_late_events=too_late,
        alerts_compared=0,
        scopes_compared=0,
    )
    ticks = scope_ticks(live_snapshots)
    # Alert records are delivered at least once: after a worker's crash it may send a
    # transition again, byte for byte. A repeat is counted, not a difference; a transition
    # the replay raises more often than live (or live more often once repeats are set
    # aside) still is.
    received = _alerts_between(live_alerts, start, until, ticks)
    live = sorted(set(received))
    report.redelivered_alerts = len(received) - len(live)
    replayed = _alerts_between(replay.alerts, start, until, ticks)
    report.alerts_compared = max(len(live), len(replayed))
    only_live, only_replay = _multiset_difference(live, replayed)
    for raw in only_live:
        report.differences.append({"kind": "alert", "only_in": "live", "alert": orjson.loads(raw)})
    for raw in only_replay:
        report.differences.append(
            {"kind": "alert", "only_in": "replay", "alert": orjson.loads(raw)}
        )
    for scope in sorted(set(live_snapshots) | set(replayed_snapshots)):
        if scope not in replayed_snapshots or scope not in live_snapshots:
            side = "live" if scope in live_snapshots else "replay"
            report.differences.append({"kind": "scope", "only_in": side, "scope": scope})
            continue
        report.scopes_compared += 1
        report.differences.extend(
            _figure_differences(
                scope,
                _event_figures(live_snapshots[scope]),
                _event_figures(replayed_snapshots[scope]),
            )
        )
    return report


def _multiset_difference(a: list[bytes], b: list[bytes]) -> tuple[list[bytes], list[bytes]]:
    remaining = list(b)
    only_a: list[bytes] = []
    counts: dict[bytes, int] = {}
    for item in remaining:
        counts[item] = counts.get(item, 0) + 1
    for item in a:
        if counts.get(item, 0):
            counts[item] -= 1
        else:
            only_a.append(item)
    only_b = [item for item, n in sorted(counts.items()) for _ in range(n)]
    return only_a, only_b


def print_report(report: AuditReport) -> str:
    """The report as text: a verdict first, then each difference."""
    head = (
        f"audit of {report.events} events ({report.period['from'] or 'the beginning'} to "
        f"{report.period['to']}) under standards {report.standards_version}: "
        f"{report.alerts_compared} alerts and {report.scopes_compared} scopes compared; "
        f"{report.late_events} events arrived late ({report.too_late_events} too late), "
        "and every figure includes them"
        + (
            f"; {report.redelivered_alerts} live alert records were repeats of one already "
            "recorded (redelivered after a restart) and count once"
            if report.redelivered_alerts
            else ""
        )
    )
    if not report.differences:
        return f"{head}\nno differences: the replay and the live record are identical\n"
    lines = [head, f"{len(report.differences)} differences:"]
    for diff in report.differences:
        if diff["kind"] == "alert":
            a = diff["alert"]
            lines.append(
                f"  alert only in {diff['only_in']}: {a['at']} {a['state']} {a['scope']} "
                f"{a['standard']} ({a.get('alert_id')})"
            )
        elif diff["kind"] == "scope":
            lines.append(f"  scope only in {diff['only_in']}: {diff['scope']}")
        else:
            lines.append(
                f"  {diff['scope']} {diff['path']}: live {diff['live']!r}, "
                f"replay {diff['replay']!r}"
            )
    return "\n".join(lines) + "\n"
