"""Figures the monthly standards report needs beyond the live windows' own: the fix-time
distribution by query reason, the top entries of a count table, complaint figures pooled
over several scopes, and whether a figure meets its target.

Pure functions over core facts and figures; nothing here reads a clock.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from .call_kpis import _nearest_rank as nearest_rank
from .case_items import CaseItem, fix_time
from .complaint_items import COMPLAINT_STAGES
from .items import ratio
from .resolution import UNKNOWN
from .standards import Standards

#: the quantiles a fix-time distribution reports (nearest rank), with their keys
FIX_TIME_QUANTILES = (("p10", 10), ("p25", 25), ("median", 50), ("p75", 75), ("p90", 90))
_HOUR_S = 3600.0


def _summary(hours: list[float]) -> dict[str, float | None]:
    ordered = sorted(hours)
    out: dict[str, float | None] = {"min": round(ordered[0], 3), "max": round(ordered[-1], 3)}
    out.update({key: nearest_rank(ordered, p) for key, p in FIX_TIME_QUANTILES})
    out["mean"] = round(math.fsum(ordered) / len(ordered), 3)
    return out


def fix_time_distribution(
    cases: Iterable[CaseItem], standards: Standards
) -> dict[str, dict[str, Any]]:
    """Fix times (opened -> resolved, :func:`~.case_items.fix_time`) of the cases that were
    opened and resolved, by query reason ("unknown" when a case names none), in reason order.

    Each reason: ``cases``, and ``calendar_hours`` and ``working_hours`` with min, p10, p25,
    median, p75, p90 (nearest rank), max and mean, in hours to 3 dp.
    """
    calendar: dict[str, list[float]] = defaultdict(list)
    working: dict[str, list[float]] = defaultdict(list)
    for case in sorted(cases, key=lambda c: c.item_id):
        cal, work = fix_time(case, standards)
        if cal is None or work is None:
            continue
        reason = case.query_reason or UNKNOWN
        calendar[reason].append(cal / _HOUR_S)
        working[reason].append(work / _HOUR_S)
    return {
        reason: {
            "cases": len(calendar[reason]),
            "calendar_hours": _summary(calendar[reason]),
            "working_hours": _summary(working[reason]),
        }
        for reason in sorted(calendar)
    }


def top_counts(counts: Mapping[str, int], n: int) -> list[dict[str, Any]]:
    """The ``n`` largest entries of a count table, largest first (ties by name), each with
    its share of the whole table's total (6 dp). Zero counts are left out."""
    total = sum(counts.values())
    ranked = sorted(((name, c) for name, c in counts.items() if c > 0), key=lambda e: (-e[1], e[0]))
    return [{"name": name, "count": c, "share": ratio(c, total)} for name, c in ranked[:n]]


def pool_complaints(parts: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Complaint figures (:func:`~.complaint_items.complaint_kpis` output) of disjoint scopes
    added up: counts summed, rates recomputed from the sums, mean working hours weighted by
    the responses behind them (6 dp)."""
    raised = escalated = to_2 = to_3 = 0
    stage_sums = {
        n: dict.fromkeys(("responded", "in_time", "open", "overdue"), 0) for n in COMPLAINT_STAGES
    }
    hours = dict.fromkeys(COMPLAINT_STAGES, 0.0)
    for part in parts:
        raised += int(part.get("raised", 0))
        escalated += int(part.get("escalated", 0))
        to_2 += int(part.get("escalated_to_stage_2", 0))
        to_3 += int(part.get("escalated_to_stage_3", 0))
        for n in COMPLAINT_STAGES:
            stage = part.get("stages", {}).get(str(n), {})
            sums = stage_sums[n]
            sums["responded"] += int(stage.get("responded", 0))
            sums["in_time"] += int(stage.get("responded_in_time", 0))
            sums["open"] += int(stage.get("open", 0))
            sums["overdue"] += int(stage.get("overdue", 0))
            mean = stage.get("mean_response_working_hours")
            if mean is not None:
                hours[n] += float(mean) * int(stage.get("responded", 0))
    return {
        "raised": raised,
        "escalated_to_stage_2": to_2,
        "escalated_to_stage_3": to_3,
        "escalated": escalated,
        "escalation_rate": ratio(escalated, raised),
        "stages": {
            str(n): {
                "responded": s["responded"],
                "responded_in_time": s["in_time"],
                "responded_in_time_rate": ratio(s["in_time"], s["responded"]),
                "mean_response_working_hours": (
                    round(hours[n] / s["responded"], 6) if s["responded"] else None
                ),
                "open": s["open"],
                "overdue": s["overdue"],
            }
            for n, s in stage_sums.items()
        },
    }


def meets_target(value: float | None, target: float, direction: str) -> bool | None:
    """Whether a figure meets its target: at least it for ``min``, at most it for ``max``;
    None without a figure. Any other direction is a ValueError."""
    if direction not in ("min", "max"):
        raise ValueError(f"direction must be 'min' or 'max', got {direction!r}")
    if value is None:
        return None
    return value >= target if direction == "min" else value <= target
