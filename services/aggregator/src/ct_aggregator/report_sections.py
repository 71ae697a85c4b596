"""The sections of the monthly report, read from the replayed figures of the month and of
each week (window ``all``): demand and channel mix, first-contact resolution, repeat
contacts, complaints, NPS and late events."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ct_aggregator.report_facts import ReportFacts
from ct_sla_monitor.core.contact_router import UNSPECIFIED_SERVICE
from ct_sla_monitor.core.report_figures import fix_time_distribution, pool_complaints, top_counts
from ct_sla_monitor.core.resolution import resolution_kpis
from ct_sla_monitor.core.satisfaction import nps_kpis
from ct_sla_monitor.replay_engine import ReplayResult
from ct_sla_monitor.standards_file import StandardsBook

Scopes = Mapping[str, Mapping[str, Any]]
#: how many query reasons the top repeat-contact reasons list
TOP_REASONS = 10
SERVICE_ALL = "service/all"


def _channel_alls(scopes: Scopes) -> dict[str, Mapping[str, Any]]:
    """The ``<channel>/all`` scopes (not the service ones), by channel."""
    return {
        key.partition("/")[0]: figures
        for key, figures in sorted(scopes.items())
        if key.endswith("/all") and not key.startswith("service/")
    }


def _service_types(scopes: Scopes) -> dict[str, Mapping[str, Any]]:
    return {
        key.partition("/")[2]: figures
        for key, figures in sorted(scopes.items())
        if key.startswith("service/") and key != SERVICE_ALL
    }


_NO_DEMAND: dict[str, Any] = {
    "contacts": 0,
    "by_channel": {},
    "by_service_type": {},
    "by_customer_segment": {},
    "channel_mix": {},
}


def _demand(scopes: Scopes) -> dict[str, Any]:
    return dict(scopes.get(SERVICE_ALL, {}).get("demand") or _NO_DEMAND)


def demand_section(month: Scopes, weeks: Mapping[str, Scopes]) -> dict[str, Any]:
    """Contacts of the month by channel, service type and segment, the channel mix, each
    service type's contacts by channel, and the same per week."""
    return {
        "month": _demand(month),
        "by_service_type_and_channel": {
            service: dict((figures.get("demand") or {}).get("by_channel", {}))
            for service, figures in _service_types(month).items()
        },
        "weeks": {week: _demand(scopes) for week, scopes in weeks.items()},
    }


def _without_repeats(figures: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return None if figures is None else {k: v for k, v in figures.items() if k != "repeat_contacts"}


def judged_resolution(
    facts: ReportFacts, found: ReportFacts, book: StandardsBook, service_type: str | None = None
) -> dict[str, Any] | None:
    """The resolution figures of ``found``'s cases (of one service type, or all), judged at
    the month's service clock against every contact of the month (``facts``)."""
    if facts.service_clock is None:
        return None
    state = found.resolution_state(touches=facts.touches)
    if service_type is not None:
        state.cases = {
            key: case
            for key, case in state.cases.items()
            if (case.service_type or UNSPECIFIED_SERVICE) == service_type
        }
    figures = resolution_kpis(state, "all", facts.service_clock, book.default)
    return _without_repeats(figures)


def weekly_resolution(
    month: Scopes, facts: ReportFacts, week_facts: Mapping[str, ReportFacts], book: StandardsBook
) -> dict[str, dict[str, dict[str, Any]]]:
    """Per week, per service scope of the month: the resolution figures of the week's cases
    judged at the month's end (a week's own replay would leave nearly every verdict
    provisional)."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for week, found in week_facts.items():
        out[week] = {}
        for scope_key in month:
            channel, _, service = scope_key.partition("/")
            if channel != "service":
                continue
            figures = judged_resolution(facts, found, book, None if service == "all" else service)
            if figures is not None:
                out[week][scope_key] = {"resolution": figures}
    return out


def resolution_section(
    month: Scopes,
    weekly: Mapping[str, Scopes],
    facts: ReportFacts,
    book: StandardsBook,
) -> dict[str, Any]:
    """First-contact resolution final and provisional (month, per service type, and per
    week from :func:`weekly_resolution`), and the fix-time distribution by query reason of
    the month's cases."""
    return {
        "month": _without_repeats(month.get(SERVICE_ALL, {}).get("resolution")),
        "by_service_type": {
            service: _without_repeats(figures["resolution"])
            for service, figures in _service_types(month).items()
            if "resolution" in figures
        },
        "weeks": {
            week: (scopes.get(SERVICE_ALL) or {}).get("resolution")
            for week, scopes in weekly.items()
        },
        "fix_time_by_query_reason": fix_time_distribution(facts.case_items(), book.default),
    }


def repeat_section(month: Scopes) -> dict[str, Any]:
    """Repeat contacts of the month: total, by service type, by query reason, and the top
    reasons with their shares."""
    resolution = month.get(SERVICE_ALL, {}).get("resolution") or {}
    repeats = resolution.get("repeat_contacts") or {}
    by_reason = dict(repeats.get("by_query_reason", {}))
    return {
        "total": int(repeats.get("total", 0)),
        "by_service_type": dict(repeats.get("by_service_type", {})),
        "by_query_reason": by_reason,
        "top_reasons": top_counts(by_reason, TOP_REASONS),
    }


def _complaints(scopes: Scopes) -> dict[str, Any]:
    parts = [f["complaint"] for f in _channel_alls(scopes).values() if "complaint" in f]
    return pool_complaints(parts)


def complaint_section(month: Scopes, weeks: Mapping[str, Scopes]) -> dict[str, Any]:
    """Complaints raised, escalated and answered per stage, over every channel."""
    return {
        "month": _complaints(month),
        "weeks": {week: _complaints(scopes) for week, scopes in weeks.items()},
    }


def nps_section(
    month: Scopes,
    facts: ReportFacts,
    week_facts: Mapping[str, ReportFacts],
    book: StandardsBook,
    now: datetime | None,
) -> dict[str, Any]:
    """NPS over every channel (month and per week) and per channel (month)."""
    standards = book.default

    def overall(found: ReportFacts) -> dict[str, Any] | None:
        if now is None:
            return None
        return nps_kpis(found.survey_list(), "all", now, standards)

    return {
        "month": overall(facts),
        "by_channel": {
            channel: figures["nps"]
            for channel, figures in _channel_alls(month).items()
            if "nps" in figures
        },
        "weeks": {week: overall(found) for week, found in week_facts.items()},
    }


def late_section(result: ReplayResult, ordered_by: str) -> dict[str, Any]:
    """Events that arrived after a later event of their channel, within the allowed lateness
    or beyond it, as the month's replay counted them; every figure includes them."""
    channels = {
        key: counts
        for key, counts in sorted(result.late.items())
        if key.endswith("/all") and not key.startswith("service/")
    }
    late = sum(c.get("late_events_total", 0) for c in channels.values())
    too_late = sum(c.get("too_late_events_total", 0) for c in channels.values())
    return {
        "late_events": late,
        "too_late_events": too_late,
        "by_scope": {key: dict(counts) for key, counts in sorted(result.late.items())},
        "order": ordered_by,
        "statement": (
            f"{late + too_late} events arrived after a later event of their channel "
            f"({too_late} beyond the allowed lateness); every figure in this report "
            "includes them (corrected figures)."
        ),
    }


def alert_section(result: ReplayResult) -> dict[str, Any]:
    """How many alert transitions the month's replay made, by standard and state."""
    counts = Counter((a.get("standard", ""), a.get("state", "")) for a in result.alerts)
    by_standard: dict[str, dict[str, int]] = {}
    for (standard, state), n in sorted(counts.items()):
        by_standard.setdefault(standard, {})[state] = n
    return {"transitions": len(result.alerts), "by_standard": by_standard}
