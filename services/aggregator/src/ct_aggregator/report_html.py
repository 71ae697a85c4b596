"""The monthly report as one self-contained HTML page: inline style, every chart embedded
as a base64 PNG, no script and no external URL, so it can be mailed or archived as is."""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

from ct_aggregator.report_charts import Chart
from ct_aggregator.report_charts_detail import all_charts

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:60em;color:#222;padding:0 1em}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.8em 0;font-size:.9em}
th,td{border:1px solid #ccc;padding:.25em .6em;text-align:right}
th:first-child,td:first-child{text-align:left}
.met{background:#e3f4e3}.missed{background:#fbe0e0}.note{color:#555;font-size:.9em}
figure{margin:1.2em 0}figcaption{font-size:.85em;color:#555}img{max-width:100%}
"""


def _img(chart: Chart) -> str:
    data = base64.b64encode(chart.png).decode("ascii")
    title = escape(chart.title)
    return (
        f'<figure id="chart-{escape(chart.key)}"><img alt="{title}" '
        f'src="data:image/png;base64,{data}"><figcaption>{title}</figcaption></figure>'
    )


def _value(value: Any, unit: str = "count") -> str:
    if value is None:
        return "-"
    if unit == "ratio":
        return f"{float(value):.1%}"
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".")
    return f"{value:,}" if isinstance(value, int) else escape(str(value))


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _td(text: str, css: str = "") -> str:
    return f'<td class="{css}">{text}</td>' if css else f"<td>{text}</td>"


def _judged(cell: Mapping[str, Any], unit: str) -> str:
    css = {True: "met", False: "missed"}.get(cell["met"], "")
    return _td(f"{_value(cell['value'], unit)} <small>({cell['volume']:,})</small>", css)


def _standards_table(report: Mapping[str, Any]) -> str:
    weeks = report["weeks"]
    header = ["standard", "scope", "target", "month", *(w["label"] for w in weeks)]
    rows = []
    for row in report["standards"]:
        sign = ">=" if row["direction"] == "min" else "<="
        rows.append(
            [
                _td(escape(row["label"])),
                _td(escape(row["scope"])),
                _td(f"{sign} {_value(row['target'], row['unit'])}"),
                _judged(row["month"], row["unit"]),
                *(_judged(row["weeks"][w["key"]], row["unit"]) for w in weeks),
            ]
        )
    return _table(header, rows)


def _figures_table(title: str, columns: Mapping[str, Mapping[str, Any] | None]) -> str:
    """Rows = measures, columns = periods (or other keys)."""
    measures: list[str] = []
    for figures in columns.values():
        measures += [m for m in (figures or {}) if m not in measures and not _nested(figures, m)]
    rows = [
        [_td(escape(m)), *(_td(_value((f or {}).get(m))) for f in columns.values())]
        for m in measures
    ]
    return _table([title, *columns], rows)


def _nested(figures: Mapping[str, Any] | None, key: str) -> bool:
    return isinstance((figures or {}).get(key), Mapping | list)


def _section(title: str, *parts: str) -> str:
    return f"<section><h2>{escape(title)}</h2>{''.join(parts)}</section>"


def _periodic(report: Mapping[str, Any], part: Mapping[str, Any]) -> dict[str, Any]:
    labels = {w["key"]: w["label"] for w in report["weeks"]}
    return {"month": part["month"], **{labels[k]: v for k, v in part["weeks"].items()}}


def render_html(report: Mapping[str, Any], charts: list[Chart] | None = None) -> str:
    """The page (charts drawn now unless given)."""
    charts = all_charts(report) if charts is None else charts
    by_key = {c.key: c for c in charts}
    standard_imgs = "".join(_img(c) for c in charts if c.key.startswith("standard_"))
    events, late = report["events"], report["late"]
    month = escape(report["month"])
    complaints = report["complaints"]["month"]
    stages = {f"stage {n}": figures for n, figures in complaints["stages"].items()}
    intro = (
        f"<p>Time zone {escape(report['timezone'])}: {escape(report['period']['start'])} to "
        f"{escape(report['period']['end'])}. Judged by the charter "
        f"<b>{escape(report['standards_version'])}</b>. {events['contacts']:,} contacts, "
        f"{events['of_the_month']:,} events ({events['rejected']:,} rejected, "
        f"{events['duplicates']:,} duplicates).</p>"
        f'<p class="note">Weeks: {escape(report["week_definition"])}. Figures are '
        "recomputed from the raw events by the monitor's own core (window: the whole "
        "period). A week's figures are as of that week's last event (its contacts' "
        "deadlines still open then are not yet decided), except first-contact resolution, "
        "whose verdicts are those at the month's end.</p>"
        f"<p><b>Late data.</b> {escape(late['statement'])} Events replayed "
        f"{escape(late['order'])}.</p>"
    )
    body = "".join(
        [
            f"<h1>Monthly standards report, {month}</h1>",
            intro,
            _section("Standards against their targets", _standards_table(report), standard_imgs),
            _section(
                "Demand and channel mix",
                _img(by_key["demand_by_week"]),
                _img(by_key["channel_mix"]),
                _img(by_key["demand_by_service"]),
                _figures_table(
                    "contacts by channel",
                    {"month": report["demand"]["month"]["by_channel"]}
                    | {
                        w["label"]: report["demand"]["weeks"][w["key"]]["by_channel"]
                        for w in report["weeks"]
                    },
                ),
            ),
            _section(
                "First-contact resolution and fix time",
                _img(by_key["fcr"]),
                _figures_table("resolution", _periodic(report, report["resolution"])),
                _img(by_key["fix_time"]),
            ),
            _section(
                "Repeat contacts",
                _img(by_key["repeat_reasons"]),
                _figures_table(
                    "repeat contacts by service type",
                    {"month": report["repeat_contacts"]["by_service_type"]},
                ),
            ),
            _section(
                "Complaints by stage",
                _img(by_key["complaints"]),
                _figures_table("complaint stage", stages),
            ),
            _section(
                "Net Promoter Score",
                _img(by_key["nps"]),
                _figures_table("NPS", _periodic(report, report["nps"])),
            ),
        ]
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Monthly standards report {month}</title><style>{_STYLE}</style></head>"
        f"<body>{body}</body></html>\n"
    )
