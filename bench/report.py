"""Figures, their baselines and targets: the printed table and the JSON results file."""

from __future__ import annotations

import json
import platform
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO


@dataclass(slots=True)
class Figure:
    """One measured figure beside the baseline measured in the same run.

    ``ratio`` is figure ÷ baseline. ``met`` is None when the figure has no target of its own
    (it is reported for context); ``note`` says how it was measured or why it could not be.
    """

    benchmark: str
    name: str
    value: float | None
    unit: str
    baseline_name: str
    baseline: float | None
    target: str = ""
    met: bool | None = None
    note: str = ""
    ratio: float | None = field(default=None)

    def __post_init__(self) -> None:
        if self.value is not None and self.baseline:
            self.ratio = self.value / self.baseline


def at_least(value: float | None, bound: float) -> bool:
    """A target of the form figure ≥ bound (a missing figure misses it)."""
    return value is not None and value >= bound


def at_most(value: float | None, bound: float) -> bool:
    """A target of the form figure ≤ bound (a missing figure misses it)."""
    return value is not None and value <= bound


def _cell(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _verdict(met: bool | None) -> str:
    return "-" if met is None else ("met" if met else "MISSED")


def print_table(figures: Iterable[Figure], out: TextIO) -> None:
    """Every figure as one row: benchmark, figure, value, baseline, ratio, target, verdict."""
    header = ["benchmark", "figure", "value", "unit", "baseline", "base value", "ratio", "target"]
    rows = [[*header, "result"]]
    for f in figures:
        ratio = "-" if f.ratio is None else f"{f.ratio:.2f}x"
        rows.append(
            [
                f.benchmark,
                f.name,
                _cell(f.value),
                f.unit,
                f.baseline_name,
                _cell(f.baseline),
                ratio,
                f.target or "-",
                _verdict(f.met),
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for n, row in enumerate(rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)), file=out)
        if n == 0:
            print("  ".join("-" * w for w in widths), file=out)


def markdown_table(figures: Iterable[Figure]) -> str:
    """The same table in Markdown, for docs/performance.md."""
    lines = [
        "| benchmark | figure | value | baseline | baseline value | ratio | target | result |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for f in figures:
        ratio = "-" if f.ratio is None else f"{f.ratio:.2f}x"
        lines.append(
            f"| {f.benchmark} | {f.name} | {_cell(f.value)} {f.unit} | {f.baseline_name} | "
            f"{_cell(f.baseline)} | {ratio} | {f.target or '-'} | {_verdict(f.met)} |"
        )
    return "\n".join(lines) + "\n"


def write_results(
    figures: list[Figure],
    directory: Path,
    mode: str,
    extra: dict[str, Any] | None = None,
    prefix: str = "bench",
) -> Path:
    """Write ``figures`` (and run details) to ``directory/<prefix>-<time>.json``, and for
    benchmark runs to ``latest.json`` too; return the timestamped path."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    document = {
        "started": stamp,
        "mode": mode,
        "machine": {"cpus": _cpus(), "python": platform.python_version()},
        "figures": [asdict(f) for f in figures],
        **(extra or {}),
    }
    text = json.dumps(document, indent=2)
    path = directory / f"{prefix}-{stamp}.json"
    path.write_text(text)
    if prefix == "bench":
        (directory / "latest.json").write_text(text)
    return path


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0))
