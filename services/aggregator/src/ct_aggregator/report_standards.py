"""Each standard of the charter against its target, per scope, for the month and per week,
read from the replayed figures (window ``all``) of the month and of each week."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ct_sla_monitor.core.report_figures import meets_target
from ct_sla_monitor.core.standards import Standards
from ct_sla_monitor.standards_file import StandardsBook

Figures = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class StandardSpec:
    """Where one standard's figure, volume and target are found."""

    standard: str
    label: Callable[[Standards], str]
    channels: tuple[str, ...]  # the scope prefixes it applies to
    value: Callable[[Figures, Standards], float | None]
    volume: Callable[[Figures], int]
    target: Callable[[Standards], float]
    direction: str  # "min": at least the target; "max": at most
    unit: str = "ratio"


def _part(figures: Figures, name: str) -> Figures:
    found = figures.get(name)
    return found if isinstance(found, Mapping) else {}


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


SPECS: tuple[StandardSpec, ...] = (
    StandardSpec(
        "phone.answer_rings",
        lambda s: f"Answered within {s.calls.answer_within_rings} rings",
        ("phone",),
        lambda f, s: _num(f.get("answered_within_rings_ratio")),
        lambda f: int(f.get("answered", 0)),
        lambda s: s.phone.answer_rings_target,
        "min",
    ),
    StandardSpec(
        "phone.service_level",
        lambda s: (
            f"Answered within {s.calls.service_level_threshold_s:g} s "
            f"({s.calls.service_level_variant})"
        ),
        ("phone",),
        lambda f, s: _num(_part(f, "service_level").get(s.calls.service_level_variant)),
        lambda f: int(f.get("offered", 0)),
        lambda s: s.phone.service_level_target,
        "min",
    ),
    StandardSpec(
        "phone.abandonment",
        lambda s: "Abandoned (short abandons excluded)",
        ("phone",),
        lambda f, s: _num(f.get("abandonment_rate")),
        lambda f: int(f.get("offered", 0)),
        lambda s: s.phone.abandonment_max,
        "max",
    ),
    StandardSpec(
        "email.acknowledge",
        lambda s: f"Acknowledged within {s.email.acknowledge_within_s / 60:g} min",
        ("email", "web"),
        lambda f, s: _num(_part(f, "email").get("acknowledge_rate")),
        lambda f: int(_part(f, "email").get("acknowledge_decided", 0)),
        lambda s: 1.0,
        "min",
    ),
    StandardSpec(
        "email.follow_up",
        lambda s: f"Answered within {s.email.follow_up_working_hours:g} working hours",
        ("email", "web"),
        lambda f, s: _num(_part(f, "email").get("follow_up_rate")),
        lambda f: int(_part(f, "email").get("follow_up_decided", 0)),
        lambda s: 1.0,
        "min",
    ),
    StandardSpec(
        "visit.queue_time",
        lambda s: f"Visitors called within {s.visit.queue_time_s / 60:g} min",
        ("face_to_face",),
        lambda f, s: _num(_part(f, "visit").get("served_within_rate")),
        lambda f: int(_part(f, "visit").get("called", 0)),
        lambda s: s.visit.target,
        "min",
    ),
    StandardSpec(
        "all.first_contact_resolution",
        lambda s: "Resolved at first contact (final verdicts)",
        ("service",),
        lambda f, s: _num(_part(f, "resolution").get("fcr_rate_final")),
        lambda f: (
            int(_part(f, "resolution").get("fcr_final", 0))
            + int(_part(f, "resolution").get("not_first_contact", 0))
        ),
        lambda s: s.resolution.fcr_target,
        "min",
    ),
    StandardSpec(
        "all.satisfaction_nps",
        lambda s: "Net Promoter Score (floor)",
        ("phone", "email", "web", "face_to_face", "social"),
        lambda f, s: _num(_part(f, "nps").get("nps")),
        lambda f: int(_part(f, "nps").get("responses", 0)),
        lambda s: s.satisfaction.nps_floor,
        "min",
        unit="points",
    ),
)


def standards_of(book: StandardsBook, scope_key: str) -> Standards:
    """The standards a scope is judged by (its queue's, or the default for ``all`` and
    service scopes), as the monitor's stage 2 resolves them."""
    channel, _, queue = scope_key.partition("/")
    return book.for_scope(None if channel == "service" or queue == "all" else queue)


def _cell(spec: StandardSpec, figures: Figures | None, standards: Standards) -> dict[str, Any]:
    if not figures:
        return {"value": None, "volume": 0, "met": None}
    value = spec.value(figures, standards)
    return {
        "value": value,
        "volume": spec.volume(figures),
        "met": meets_target(value, spec.target(standards), spec.direction),
    }


def standard_rows(
    book: StandardsBook,
    month: Mapping[str, Figures],
    weeks: Mapping[str, Mapping[str, Figures]],
) -> list[dict[str, Any]]:
    """One row per standard and scope that had a figure in the month: its label, target,
    direction and unit, the month's value, volume and verdict (``met``), and the same per
    week (no figure that week: value None, volume 0)."""
    rows: list[dict[str, Any]] = []
    for spec in SPECS:
        for scope_key in sorted(month):
            if scope_key.partition("/")[0] not in spec.channels:
                continue
            standards = standards_of(book, scope_key)
            cell = _cell(spec, month[scope_key], standards)
            if cell["value"] is None and cell["volume"] == 0:
                continue
            rows.append(
                {
                    "standard": spec.standard,
                    "label": spec.label(standards),
                    "scope": scope_key,
                    "target": spec.target(standards),
                    "direction": spec.direction,
                    "unit": spec.unit,
                    "month": cell,
                    "weeks": {
                        week: _cell(spec, scopes.get(scope_key), standards)
                        for week, scopes in weeks.items()
                    },
                }
            )
    return rows


def _stage_cell(pooled: Figures, stage: int) -> dict[str, Any]:
    figures = _part(_part(pooled, "stages"), str(stage))
    value = _num(figures.get("responded_in_time_rate"))
    return {
        "value": value,
        "volume": int(figures.get("responded", 0)),
        "met": meets_target(value, 1.0, "min"),
    }


def complaint_rows(
    book: StandardsBook, month: Figures, weeks: Mapping[str, Figures]
) -> list[dict[str, Any]]:
    """One row per complaint stage answered in the month: the share answered within the
    stage's deadline (target: every one), over every channel's complaints (pooled)."""
    allowances = book.default.complaint.stage_response_working_hours
    rows: list[dict[str, Any]] = []
    for stage, hours in enumerate(allowances, start=1):
        cell = _stage_cell(month, stage)
        if cell["volume"] == 0:
            continue
        rows.append(
            {
                "standard": "complaint.stage_response",
                "label": f"Complaint stage {stage} answered within {hours:g} working hours",
                "scope": f"complaint/stage{stage}",
                "target": 1.0,
                "direction": "min",
                "unit": "ratio",
                "month": cell,
                "weeks": {week: _stage_cell(pooled, stage) for week, pooled in weeks.items()},
            }
        )
    return rows
