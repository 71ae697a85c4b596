"""The monthly report's charts, drawn with matplotlib's object API on the Agg canvas (no
pyplot, no display, safe in a server thread) and returned as PNG bytes.

Every chart has a title, labelled axes and, where a standard applies, its target drawn as a
dashed red line. A chart with nothing to show says so inside the picture.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

CHANNEL_COLOURS = {
    "phone": "#1f77b4",
    "email": "#ff7f0e",
    "web": "#2ca02c",
    "face_to_face": "#9467bd",
    "social": "#8c564b",
}
TARGET_COLOUR = "#d62728"
MONTH_LABEL = "Month"


@dataclass(frozen=True, slots=True)
class Chart:
    """One rendered chart: a stable key, its title and the PNG."""

    key: str
    title: str
    png: bytes


def _figure(width: float = 8.0, height: float = 4.0) -> tuple[Figure, Axes]:
    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    return figure, figure.add_subplot()


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _empty(key: str, title: str, message: str) -> Chart:
    figure, axes = _figure(8.0, 1.6)
    axes.set_title(title)
    axes.text(0.5, 0.5, message, ha="center", va="center", fontsize=12, color="#555555")
    axes.set_axis_off()
    return Chart(key, title, _png(figure))


def _colour(channel: str) -> str | None:
    return CHANNEL_COLOURS.get(channel)


def _tick(label: str) -> str:
    """A week's label on two lines (``W40`` over ``(1-4 Oct)``), so that ticks never overlap."""
    return label.replace(" (", "\n(", 1)


def _legend_below(figure: Figure, columns: int) -> None:
    figure.legend(loc="outside lower center", ncols=max(1, min(columns, 4)), fontsize=9)


def demand_by_week(report: Mapping[str, Any]) -> Chart:
    """Stacked bars: each week's contacts by channel."""
    key, title = "demand_by_week", f"Contacts by channel per week, {report['month']}"
    weeks = report["weeks"]
    per_week = report["demand"]["weeks"]
    channels = sorted({c for w in per_week.values() for c in w.get("by_channel", {})})
    if not channels:
        return _empty(key, title, "No contacts started this month")
    figure, axes = _figure()
    labels = [_tick(w["label"]) for w in weeks]
    bottom = [0] * len(weeks)
    for channel in channels:
        counts = [per_week[w["key"]]["by_channel"].get(channel, 0) for w in weeks]
        axes.bar(labels, counts, bottom=bottom, label=channel, color=_colour(channel))
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    axes.set_title(title)
    axes.set_xlabel("week (ISO, cut at the month's edges)")
    axes.set_ylabel("contacts started")
    _legend_below(figure, len(channels))
    return Chart(key, title, _png(figure))


def channel_mix(report: Mapping[str, Any]) -> Chart:
    """Horizontal bars: each channel's share of the month's contacts."""
    key, title = "channel_mix", f"Channel mix, {report['month']}"
    demand = report["demand"]["month"]
    mix: Mapping[str, float] = demand.get("channel_mix", {})
    if not mix:
        return _empty(key, title, "No contacts started this month")
    figure, axes = _figure(8.0, 1.2 + 0.5 * len(mix))
    channels = sorted(mix, key=lambda c: mix[c])
    bars = axes.barh(channels, [mix[c] for c in channels], color=[_colour(c) for c in channels])
    counts = demand.get("by_channel", {})
    axes.bar_label(bars, labels=[f"{mix[c]:.1%} ({counts.get(c, 0):,})" for c in channels])
    axes.xaxis.set_major_formatter(PercentFormatter(xmax=1))
    top = max(mix.values()) * 1.3  # room for the labels, even at 100%
    axes.set_xlim(0, top)
    axes.set_xticks([i / 10 for i in range(0, 11, 2) if i / 10 <= top])
    axes.set_title(title)
    axes.set_xlabel("share of contacts started in the month")
    axes.set_ylabel("channel")
    return Chart(key, title, _png(figure))


def demand_by_service(report: Mapping[str, Any]) -> Chart:
    """Stacked horizontal bars: the month's contacts per service type, by channel."""
    key, title = "demand_by_service", f"Contacts by service type and channel, {report['month']}"
    table: Mapping[str, Mapping[str, int]] = report["demand"]["by_service_type_and_channel"]
    if not table:
        return _empty(key, title, "No contacts started this month")
    services = sorted(table, key=lambda s: sum(table[s].values()))
    channels = sorted({c for row in table.values() for c in row})
    figure, axes = _figure(8.0, 1.4 + 0.4 * len(services))
    left = [0] * len(services)
    for channel in channels:
        counts = [table[s].get(channel, 0) for s in services]
        axes.barh(services, counts, left=left, label=channel, color=_colour(channel))
        left = [a + b for a, b in zip(left, counts, strict=True)]
    axes.set_title(title)
    axes.set_xlabel("contacts started")
    axes.set_ylabel("service type")
    axes.legend(title="channel", loc="lower right")
    return Chart(key, title, _png(figure))


def _periods(report: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """(keys, labels) of the weeks and then the month."""
    weeks = report["weeks"]
    labels = [_tick(w["label"]) for w in weeks] + [MONTH_LABEL]
    return [w["key"] for w in weeks] + [report["month"]], labels


def _grouped_bars(
    axes: Axes, labels: Sequence[str], series: Mapping[str, Sequence[float | None]]
) -> None:
    width = 0.8 / max(1, len(series))
    for i, (name, values) in enumerate(series.items()):
        xs = [x + (i - (len(series) - 1) / 2) * width for x in range(len(labels))]
        heights = [0.0 if v is None else v for v in values]
        bars = axes.bar(xs, heights, width=width, label=name, color=_colour(name.split("/")[0]))
        for bar, value in zip(bars, values, strict=True):
            if value is None:
                bar.set_visible(False)
        bars[-1].set_hatch("//")  # the month
    axes.set_xticks(range(len(labels)), labels)


def standard_chart(report: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]) -> Chart:
    """One standard: the weekly and monthly figure of each of its scopes (bars; the month
    hatched), and the target as a dashed line."""
    first = rows[0]
    sign = ">=" if first["direction"] == "min" else "<="
    ratio = first["unit"] == "ratio"
    target = first["target"]
    shown = f"{target:.0%}" if ratio else f"{target:g}"
    key = f"standard_{first['standard']}"
    title = f"{first['label']}: target {sign} {shown}"
    keys, labels = _periods(report)
    series: dict[str, list[float | None]] = {}
    for row in rows:
        cells = {**row["weeks"], report["month"]: row["month"]}
        series[row["scope"]] = [cells.get(k, {}).get("value") for k in keys]
    figure, axes = _figure(8.0, 4.5)
    _grouped_bars(axes, labels, series)
    axes.axhline(target, color=TARGET_COLOUR, linestyle="--", linewidth=1.5, label="target")
    if ratio:
        axes.yaxis.set_major_formatter(PercentFormatter(xmax=1))
        shown_values = [v for values in series.values() for v in values if v is not None]
        # a limit (abandonment <= 5%) is read near zero: zoom to it rather than to 100%
        top = 1.05 if first["direction"] == "min" else max([target, *shown_values]) * 1.5
        axes.set_ylim(0, min(1.05, top))
    axes.set_title(title)
    axes.set_xlabel("week (month: hatched)")
    axes.set_ylabel("share of contacts" if ratio else "points")
    _legend_below(figure, len(series) + 1)
    return Chart(key, title, _png(figure))


def standard_charts(report: Mapping[str, Any]) -> list[Chart]:
    """One chart per standard, over its channel-wide scopes (``<channel>/all``,
    ``service/all``, complaint stages)."""
    by_standard: dict[str, list[Mapping[str, Any]]] = {}
    for row in report["standards"]:
        scope = row["scope"]
        if scope.endswith("/all") or scope.startswith("complaint/"):
            by_standard.setdefault(row["standard"], []).append(row)
    return [standard_chart(report, rows) for rows in by_standard.values()]
