"""The monthly standards report: the month's contacts replayed through the monitor's own
stage handlers (``ct_sla_monitor.replay_engine``, window ``all``), once for the whole month
and once per week, and read into sections (JSON-safe data).

``ct report`` and ``GET /v1/reports/monthly`` build it; :mod:`report_csv` and
:mod:`report_html` render it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ct_aggregator.report_facts import collect_facts
from ct_aggregator.report_period import MonthRecords, ReportMonth, select_month
from ct_aggregator.report_sections import (
    alert_section,
    complaint_section,
    demand_section,
    late_section,
    nps_section,
    repeat_section,
    resolution_section,
    weekly_resolution,
)
from ct_aggregator.report_standards import complaint_rows, standard_rows
from ct_sla_monitor.replay_engine import ReplayResult, replay_events
from ct_sla_monitor.standards_file import StandardsBook

REPORT_KIND = "monthly_standards_report"
WEEK_DEFINITION = (
    "ISO weeks (Monday to Sunday) in the site's time zone, cut at the month's edges; a "
    "contact belongs to the month and the week of its first event, with all its events"
)


class NoEventsForMonth(LookupError):
    """No contact started in the month among the events read."""


def month_selection(records: list[bytes], month: str, book: StandardsBook) -> MonthRecords:
    """The events of the contacts that started in ``month`` (``YYYY-MM``, in the charter's
    site time zone). A bad month is a ValueError; no such contact, NoEventsForMonth."""
    selection = select_month(records, ReportMonth.parse(month, book.default.calls.tz))
    if selection.contacts == 0:
        raise NoEventsForMonth(f"no contact started in {month} among {selection.read} events")
    return selection


def replayed_events(selection: MonthRecords) -> int:
    """How many events building the report replays (the month once, and each week)."""
    return 2 * len(selection.records)


def build_monthly_report(
    selection: MonthRecords,
    book: StandardsBook,
    ordered_by: str = "as recorded",
    on_event: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """The report of a month's events (see :func:`month_selection`). ``ordered_by`` says
    what order the events were replayed in (it decides which count as late); ``on_event``
    is called once per replayed event (a progress bar)."""
    month = selection.month
    month_result = replay_events(selection.records, book, window="all", on_event=on_event)
    week_results: dict[str, ReplayResult] = {
        week: replay_events(records, book, window="all", on_event=on_event)
        for week, records in selection.by_week.items()
    }
    month_scopes = month_result.scopes
    week_scopes = {week: result.scopes for week, result in week_results.items()}
    facts = collect_facts(selection.records, book)
    week_facts = {week: collect_facts(r, book) for week, r in selection.by_week.items()}
    complaints = complaint_section(month_scopes, week_scopes)
    resolution = weekly_resolution(month_scopes, facts, week_facts, book)
    judged_weeks = {week: {**scopes, **resolution[week]} for week, scopes in week_scopes.items()}
    return {
        "report": REPORT_KIND,
        "month": month.key,
        "timezone": month.tz.key,
        "period": {"start": month.start.isoformat(), "end": month.end.isoformat()},
        "standards_version": book.version,
        "week_definition": WEEK_DEFINITION,
        "weeks": [w.to_dict() for w in selection.weeks],
        "events": {
            "read": selection.read,
            "unreadable": selection.unreadable,
            "of_the_month": len(selection.records),
            "contacts": selection.contacts,
            "rejected": month_result.rejected,
            "duplicates": month_result.duplicates,
            "by_week": {week: len(r) for week, r in selection.by_week.items()},
        },
        "late": late_section(month_result, ordered_by),
        "demand": demand_section(month_scopes, week_scopes),
        "standards": [
            *standard_rows(book, month_scopes, judged_weeks),
            *complaint_rows(book, complaints["month"], complaints["weeks"]),
        ],
        "resolution": resolution_section(month_scopes, judged_weeks, facts, book),
        "repeat_contacts": repeat_section(month_scopes),
        "complaints": complaints,
        "nps": nps_section(month_scopes, facts, week_facts, book, selection.latest),
        "alerts": alert_section(month_result),
    }
