"""Grafana building blocks: variables, panels with charter thresholds, whole dashboards.

A panel says what it shows (``meaning``) and what to do when it turns red, or amber where
amber is its worst colour (``action``); both go into the panel's description and into the
README's guide.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: The provisioned Prometheus data source (deploy/grafana/provisioning/datasources).
DATASOURCE = {"type": "prometheus", "uid": "ct-prometheus"}
TAG = "contact-telemetry"
#: A hair past a limit, so that a figure exactly at a "<=" limit stays on the good side
#: (Grafana colours a step from its value upwards, inclusive).
EPSILON = 1e-6

GREEN, AMBER, RED, NEUTRAL = "green", "orange", "red", "blue"
Steps = tuple[tuple[str, float | None], ...]


def at_least(target: float, margin: float) -> Steps:
    """A "min" standard: red below target, amber within the clearing margin, green above."""
    return ((RED, None), (AMBER, target), (GREEN, target + margin))


def at_most(limit: float, margin: float) -> Steps:
    """A "max" standard: green well below, amber within the margin, red past the limit."""
    return ((GREEN, None), (AMBER, limit - margin), (RED, limit + EPSILON))


def wait_limit(limit: float, warn_fraction: float) -> Steps:
    """A wait against a limit: amber from ``warn_fraction`` of it, red past it."""
    return ((GREEN, None), (AMBER, limit * warn_fraction), (RED, limit + EPSILON))


def any_is(colour: str) -> Steps:
    """A count where one is already too many (``colour`` from 1)."""
    return ((GREEN, None), (colour, 1.0))


NO_STANDARD: Steps = ((NEUTRAL, None),)


@dataclass(frozen=True, slots=True)
class Query:
    """One PromQL expression of a panel, with its legend."""

    expr: str
    legend: str = ""


@dataclass(frozen=True, slots=True)
class Panel:
    """One panel; ``kind`` is a Grafana panel type (stat, timeseries, table, bargauge)."""

    title: str
    kind: str
    queries: tuple[Query, ...]
    meaning: str
    action: str | None = None
    unit: str = "short"
    steps: Steps = NO_STANDARD
    width: int = 6
    height: int = 5


@dataclass(frozen=True, slots=True)
class Variable:
    """A template variable: a label's values (``label_values``) or a fixed list."""

    name: str
    label: str
    query: str = ""
    options: tuple[str, ...] = ()
    include_all: bool = True


@dataclass(frozen=True, slots=True)
class Board:
    """One dashboard."""

    uid: str
    title: str
    description: str
    variables: tuple[Variable, ...]
    panels: tuple[Panel, ...] = field(default_factory=tuple)


def _variable(v: Variable) -> dict[str, Any]:
    if v.options:
        first = v.options[0]
        return {
            "name": v.name,
            "label": v.label,
            "type": "custom",
            "query": ",".join(v.options),
            "current": {"text": first, "value": first},
            "options": [{"text": o, "value": o, "selected": o == first} for o in v.options],
            "multi": False,
            "includeAll": False,
        }
    return {
        "name": v.name,
        "label": v.label,
        "type": "query",
        "datasource": DATASOURCE,
        "query": v.query,
        "definition": v.query,
        "refresh": 2,
        "sort": 1,
        "multi": True,
        "includeAll": v.include_all,
        "allValue": ".*",
        "current": {"text": "All", "value": "$__all"} if v.include_all else {},
    }


def _action(p: Panel) -> str | None:
    """ "When red: ..." (or amber, the panel's worst colour); None without an action."""
    if p.action is None:
        return None
    colours = {colour for colour, _ in p.steps}
    worst = "red" if RED in colours else "amber" if AMBER in colours else None
    if worst is None:
        raise ValueError(f"panel {p.title!r} has an action but never turns red or amber")
    return f"When {worst}: {p.action}"


def _description(p: Panel) -> str:
    action = _action(p)
    return p.meaning if action is None else f"{p.meaning} {action}"


def _panel(p: Panel, panel_id: int, x: int, y: int) -> dict[str, Any]:
    instant = p.kind in ("stat", "table", "bargauge")
    targets = [
        {
            "refId": chr(ord("A") + i),
            "datasource": DATASOURCE,
            "expr": q.expr,
            "legendFormat": q.legend,
            "instant": instant,
            "range": not instant,
            **({"format": "table"} if p.kind == "table" else {}),
        }
        for i, q in enumerate(p.queries)
    ]
    defaults: dict[str, Any] = {
        "unit": p.unit,
        "color": {"mode": "thresholds"},
        "thresholds": {
            "mode": "absolute",
            "steps": [
                {"color": c, "value": None if v is None else round(v, 9)} for c, v in p.steps
            ],
        },
    }
    options: dict[str, Any] = {}
    if p.kind == "timeseries":
        defaults["custom"] = {"thresholdsStyle": {"mode": "line+area"}, "lineWidth": 2}
        defaults["color"] = {"mode": "palette-classic"}
        options = {"legend": {"displayMode": "table", "placement": "bottom", "calcs": ["last"]}}
    elif p.kind == "stat":
        options = {"colorMode": "background", "graphMode": "none", "textMode": "value_and_name"}
        options["reduceOptions"] = {"calcs": ["lastNotNull"], "fields": "", "values": False}
    elif p.kind == "bargauge":
        options = {"displayMode": "gradient", "orientation": "horizontal"}
    return {
        "id": panel_id,
        "type": p.kind,
        "title": p.title,
        "description": _description(p),
        "datasource": DATASOURCE,
        "gridPos": {"x": x, "y": y, "w": p.width, "h": p.height},
        "targets": targets,
        "fieldConfig": {"defaults": defaults, "overrides": []},
        "options": options,
    }


def board_json(board: Board, charter_version: str) -> dict[str, Any]:
    """The Grafana dashboard JSON of ``board``; panels flow left to right, 24 columns."""
    panels: list[dict[str, Any]] = []
    x = y = row_height = 0
    for n, p in enumerate(board.panels, start=1):
        if x + p.width > 24:
            x, y, row_height = 0, y + row_height, 0
        panels.append(_panel(p, n, x, y))
        x, row_height = x + p.width, max(row_height, p.height)
    return {
        "uid": board.uid,
        "title": board.title,
        "description": f"{board.description} Thresholds: charter {charter_version}.",
        "tags": [TAG],
        "timezone": "browser",
        "editable": False,
        "schemaVersion": 39,
        "version": 1,
        "refresh": "10s",
        "time": {"from": "now-6h", "to": "now"},
        "links": [{"type": "dashboards", "tags": [TAG], "asDropdown": True, "title": "Boards"}],
        "templating": {"list": [_variable(v) for v in board.variables]},
        "annotations": {"list": []},
        "panels": panels,
    }


def guide_markdown(boards: tuple[Board, ...]) -> str:
    """The README's guide: every board's panels, what they mean, what to do when red."""
    lines: list[str] = []
    for board in boards:
        lines += [f"**{board.title}** (`{board.uid}`): {board.description}", ""]
        for p in board.panels:
            action = _action(p)
            todo = "" if action is None else " *{}:*{}".format(*action.split(":", 1))
            lines.append(f"- **{p.title}**: {p.meaning}{todo}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
