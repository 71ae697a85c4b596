"""The monthly report as one CSV table in long form, for spreadsheets and pivot tables:
``section, period, scope, measure, value, volume, target, met``. ``period`` is the month
(``YYYY-MM``) or an ISO week (``YYYY-Www``); nested figures are flattened into dotted
measure names (``stages.2.responded_in_time``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from typing import Any

COLUMNS = ("section", "period", "scope", "measure", "value", "volume", "target", "met")
Row = dict[str, Any]


def _flatten(prefix: str, value: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            yield from _flatten(f"{prefix}.{key}" if prefix else str(key), inner)
    elif isinstance(value, list):
        for i, inner in enumerate(value, start=1):
            yield from _flatten(f"{prefix}.{i}", inner)
    else:
        yield prefix, value


def _rows(section: str, period: str, scope: str, figures: Any) -> Iterator[Row]:
    for measure, value in _flatten("", figures):
        yield {
            "section": section,
            "period": period,
            "scope": scope,
            "measure": measure,
            "value": value,
        }


def _periodic(report: Mapping[str, Any], section: str, scope: str = "all") -> Iterator[Row]:
    """A section's ``month`` and ``weeks`` figures."""
    part = report[section]
    yield from _rows(section, report["month"], scope, part.get("month"))
    for week, figures in part.get("weeks", {}).items():
        yield from _rows(section, week, scope, figures)


def report_rows(report: Mapping[str, Any]) -> Iterator[Row]:
    """Every figure of the report as a row (see the module's columns)."""
    month = report["month"]
    yield from _rows("events", month, "all", report["events"])
    late = {k: v for k, v in report["late"].items() if k in ("late_events", "too_late_events")}
    yield from _rows("late", month, "all", late)
    yield from _periodic(report, "demand")
    for service, by_channel in report["demand"]["by_service_type_and_channel"].items():
        yield from _rows("demand", month, f"service/{service}", {"by_channel": by_channel})
    for row in report["standards"]:
        periods = [(month, row["month"]), *row["weeks"].items()]
        for period, cell in periods:
            yield {
                "section": "standards",
                "period": period,
                "scope": row["scope"],
                "measure": row["standard"],
                "value": cell["value"],
                "volume": cell["volume"],
                "target": row["target"],
                "met": cell["met"],
            }
    yield from _periodic(report, "resolution")
    for service, figures in report["resolution"]["by_service_type"].items():
        yield from _rows("resolution", month, f"service/{service}", figures)
    for reason, figures in report["resolution"]["fix_time_by_query_reason"].items():
        yield from _rows("fix_time", month, f"query_reason/{reason}", figures)
    repeats = {k: v for k, v in report["repeat_contacts"].items() if k != "top_reasons"}
    yield from _rows("repeat_contacts", month, "all", repeats)
    yield from _periodic(report, "complaints")
    yield from _periodic(report, "nps")
    for channel, figures in report["nps"]["by_channel"].items():
        yield from _rows("nps", month, f"{channel}/all", figures)
    yield from _rows("alerts", month, "all", report["alerts"]["by_standard"])


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def render_csv(report: Mapping[str, Any]) -> str:
    """The report as CSV text, with a header line."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in report_rows(report):
        writer.writerow({key: _cell(row.get(key)) for key in COLUMNS})
    return out.getvalue()
