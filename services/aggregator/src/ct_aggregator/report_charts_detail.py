"""The monthly report's charts of resolution, fix times, repeat contacts, complaints and
NPS, and the list of every chart in the order the page shows them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from matplotlib.ticker import MaxNLocator

from ct_aggregator.report_charts import (
    TARGET_COLOUR,
    Chart,
    _empty,
    _figure,
    _legend_below,
    _periods,
    _png,
    channel_mix,
    demand_by_service,
    demand_by_week,
    standard_charts,
)


def _per_period(
    report: Mapping[str, Any], section: Mapping[str, Any]
) -> tuple[list[str], list[Mapping[str, Any]]]:
    """The tick labels and a section's figures of each week, then of the month."""
    keys, labels = _periods(report)
    cells = {**section["weeks"], report["month"]: section["month"]}
    return labels, [cells.get(k) or {} for k in keys]


def fcr_chart(report: Mapping[str, Any]) -> Chart:
    """Stacked bars per week and for the month: cases resolved at first contact (final),
    not at first contact, and still provisional; the final rate against the target."""
    key, title = "fcr", "First-contact resolution: final vs provisional"
    resolution = report["resolution"]
    labels, figures = _per_period(report, resolution)
    if not any(f.get("resolved") for f in figures):
        return _empty(key, title, "No case was resolved this month")
    figure, axes = _figure(8.0, 4.5)
    bottom = [0] * len(labels)
    parts = (
        ("fcr_final", "first contact (final)", "#2ca02c"),
        ("not_first_contact", "not first contact", "#d62728"),
        ("fcr_provisional", "provisional (re-contact window open)", "#bbbbbb"),
    )
    for field, label, colour in parts:
        counts = [int(f.get(field, 0)) for f in figures]
        bars = axes.bar(labels, counts, bottom=bottom, label=label, color=colour)
        bars[-1].set_hatch("//")
        bottom = [a + b for a, b in zip(bottom, counts, strict=True)]
    for x, f in enumerate(figures):
        rate = f.get("fcr_rate_final")
        if rate is not None:
            axes.annotate(f"{rate:.0%}", (x, bottom[x]), ha="center", va="bottom", fontsize=9)
    target = (resolution["month"] or {}).get("fcr_target")
    axes.set_title(f"FCR, final rate above each bar (target {target:.0%})" if target else title)
    axes.set_xlabel("week of the cases' first contact (month: hatched)")
    axes.set_ylabel("cases resolved")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    _legend_below(figure, 3)
    return Chart(key, title, _png(figure))


#: matplotlib's box statistics and the fix-time quantiles they are drawn from
_BOX = {"whislo": "p10", "q1": "p25", "med": "median", "q3": "p75", "whishi": "p90", "mean": "mean"}


def fix_time_chart(report: Mapping[str, Any]) -> Chart:
    """Box plots of fix time by query reason, in calendar and in working hours (box: p25 to
    p75, line: median, whiskers: p10 to p90, dot: mean)."""
    key, title = "fix_time", "Fix time by query reason (opened to resolved)"
    table: Mapping[str, Mapping[str, Any]] = report["resolution"]["fix_time_by_query_reason"]
    if not table:
        return _empty(key, title, "No case was opened and resolved this month")
    figure = _figure(9.0, 4.0)[0]
    figure.clear()
    panels = figure.subplots(1, 2)
    for axes, measure, label in zip(
        panels,
        ("calendar_hours", "working_hours"),
        ("calendar hours", "working hours"),
        strict=True,
    ):
        stats = [
            {
                "label": f"{reason}\n(n={row['cases']})",
                "whislo": row[measure]["p10"],
                "q1": row[measure]["p25"],
                "med": row[measure]["median"],
                "q3": row[measure]["p75"],
                "whishi": row[measure]["p90"],
                "mean": row[measure]["mean"],
                "fliers": [],
            }
            for reason, row in table.items()
        ]
        axes.bxp(stats, showmeans=True, showfliers=False)
        axes.set_ylabel(label)
        axes.set_xlabel("query reason")
        axes.set_title(label.capitalize())
    figure.suptitle(f"{title}: box p25-p75, whiskers p10-p90, triangle the mean")
    return Chart(key, title, _png(figure))


def repeat_chart(report: Mapping[str, Any]) -> Chart:
    """Horizontal bars: the top query reasons of repeat contacts."""
    key, title = "repeat_reasons", f"Top repeat-contact reasons, {report['month']}"
    top = report["repeat_contacts"]["top_reasons"]
    if not top:
        return _empty(key, title, "No repeat contact this month")
    figure, axes = _figure(8.0, 1.4 + 0.45 * len(top))
    ordered = list(reversed(top))
    bars = axes.barh([t["name"] for t in ordered], [t["count"] for t in ordered], color="#8c564b")
    axes.bar_label(bars, labels=[f"{t['count']} ({t['share']:.0%})" for t in ordered])
    axes.set_title(title)
    axes.set_xlabel("repeat contacts (same customer and service type within the window)")
    axes.set_ylabel("query reason")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    return Chart(key, title, _png(figure))


def complaint_chart(report: Mapping[str, Any]) -> Chart:
    """Grouped bars per complaint stage: answered in time, answered late, open, overdue."""
    key, title = "complaints", f"Complaints by stage, {report['month']}"
    stages: Mapping[str, Mapping[str, Any]] = report["complaints"]["month"]["stages"]
    month = report["complaints"]["month"]
    if not month["raised"] and not any(s["responded"] or s["open"] for s in stages.values()):
        return _empty(key, title, "No complaint this month")
    figure, axes = _figure(8.0, 4.5)
    names = [f"stage {n}" for n in stages]
    rows = list(stages.values())
    parts: tuple[tuple[str, list[int], str], ...] = (
        ("answered in time", [s["responded_in_time"] for s in rows], "#2ca02c"),
        ("answered late", [s["responded"] - s["responded_in_time"] for s in rows], "#ff7f0e"),
        ("open, in time", [s["open"] - s["overdue"] for s in rows], "#bbbbbb"),
        ("open, overdue", [s["overdue"] for s in rows], TARGET_COLOUR),
    )
    width = 0.2
    for i, (label, counts, colour) in enumerate(parts):
        xs = [x + (i - 1.5) * width for x in range(len(names))]
        bars = axes.bar(xs, counts, width, label=label, color=colour)
        axes.bar_label(bars, fontsize=8)
    axes.set_xticks(range(len(names)), names)
    axes.set_title(
        f"{title}: {month['raised']} raised, {month['escalated']} escalated "
        f"({(month['escalation_rate'] or 0):.0%})"
    )
    axes.set_xlabel("complaint stage")
    axes.set_ylabel("complaint stages")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    _legend_below(figure, 4)
    return Chart(key, title, _png(figure))


def nps_chart(report: Mapping[str, Any]) -> Chart:
    """NPS per week and for the month (bars, responses above), with the floor."""
    key, title = "nps", "Net Promoter Score"
    nps = report["nps"]
    labels, figures = _per_period(report, nps)
    if not any(f.get("responses") for f in figures):
        return _empty(key, title, "No survey answered this month")
    figure, axes = _figure()
    values = [f.get("nps") or 0.0 for f in figures]
    colours = ["#2ca02c" if v >= 0 else TARGET_COLOUR for v in values]
    bars = axes.bar(labels, values, color=colours)
    bars[-1].set_hatch("//")
    axes.bar_label(
        bars,
        labels=[f"{v:g} (n={f.get('responses', 0)})" for v, f in zip(values, figures, strict=True)],
        fontsize=8,
    )
    floor = (nps["month"] or {}).get("nps_floor", 0.0)
    axes.axhline(
        floor, color=TARGET_COLOUR, linestyle="--", linewidth=1.5, label=f"floor {floor:g}"
    )
    axes.set_ylim(-100, 100)
    axes.set_title(f"{title}: % promoters - % detractors (floor {floor:g})")
    axes.set_xlabel("week (month: hatched)")
    axes.set_ylabel("NPS (points)")
    axes.legend(loc="lower right")
    return Chart(key, title, _png(figure))


def all_charts(report: Mapping[str, Any]) -> list[Chart]:
    """Every chart of the report, in page order."""
    return [
        demand_by_week(report),
        channel_mix(report),
        demand_by_service(report),
        *standard_charts(report),
        fcr_chart(report),
        fix_time_chart(report),
        repeat_chart(report),
        complaint_chart(report),
        nps_chart(report),
    ]
