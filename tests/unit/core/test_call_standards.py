"""Call standards: defaults, validation and their dict form."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ct_sla_monitor.core.standards import SERVICE_LEVEL_VARIANTS, CallStandards


def test_defaults_are_the_charter() -> None:
    standards = CallStandards()
    assert standards.to_dict() == {
        "version": "builtin-1",
        "service_level_threshold_s": 20.0,
        "short_abandon_s": 5.0,
        "ring_cycle_s": 3.0,
        "answer_within_rings": 4,
        "site_timezone": "Europe/London",
        "service_level_variant": "offered",
    }
    assert standards.tz == ZoneInfo("Europe/London")
    assert standards.ring_cycle_us == 3_000_000


def test_variants_in_report_order() -> None:
    assert SERVICE_LEVEL_VARIANTS == ("answered", "offered", "ignore_abandons", "positive_abandons")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"service_level_variant": "abandoned"}, "service_level_variant"),
        ({"site_timezone": "Mars/Olympus_Mons"}, "site_timezone"),
        ({"ring_cycle_s": 0.0}, "ring_cycle_s"),
        ({"ring_cycle_s": float("nan")}, "ring_cycle_s"),
        ({"service_level_threshold_s": -1.0}, "service_level_threshold_s"),
        ({"short_abandon_s": float("nan")}, "short_abandon_s"),
        ({"answer_within_rings": 0}, "answer_within_rings"),
        ({"version": ""}, "version"),
        ({"colour": "blue"}, "unknown call standard keys"),
    ],
    ids=[
        "unknown-variant",
        "unknown-zone",
        "zero-cycle",
        "nan-cycle",
        "negative-threshold",
        "nan-short-abandon",
        "zero-rings",
        "empty-version",
        "unknown-key",
    ],
)
def test_bad_standards_are_value_errors(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CallStandards.from_dict({**CallStandards().to_dict(), **changes})


def test_round_trip_and_partial_dict() -> None:
    custom = CallStandards(version="council-2026", service_level_threshold_s=30.0)
    assert CallStandards.from_dict(custom.to_dict()) == custom
    assert CallStandards.from_dict({"version": "council-2026"}).short_abandon_s == 5.0
