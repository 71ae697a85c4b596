"""The charter the supervision files are generated from, and how its numbers are written."""

from __future__ import annotations

from pathlib import Path

from ct_sla_monitor.core.standards import Standards
from ct_sla_monitor.standards_file import default_standards, load_standards


def charter(path: Path | None = None) -> Standards:
    """The charter's default standards (those of a scope without overrides): from
    ``path`` when given, else the built-in default file."""
    book = load_standards(path) if path is not None else default_standards()
    return book.default


def num(value: float) -> str:
    """A threshold as PromQL and YAML write it: shortest form, no float noise
    (0.8 + 0.02 is written 0.82)."""
    rounded = round(value, 9)
    return str(int(rounded)) if rounded == int(rounded) else repr(rounded)


def pct(value: float) -> str:
    """A share as people read it: 0.8 -> "80%", 0.955 -> "95.5%"."""
    return f"{num(value * 100)}%"


def duration(seconds: float) -> str:
    """Seconds as a Prometheus duration: 300 -> "5m", 90 -> "90s", 7200 -> "2h"."""
    whole = round(seconds)
    for unit, size in (("h", 3600), ("m", 60)):
        if whole >= size and whole % size == 0:
            return f"{whole // size}{unit}"
    return f"{whole}s"
