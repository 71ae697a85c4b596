"""The monitor's event-time guard on its own: an event is judged against the time its
record was written, so a replay judges it the same way live."""

from __future__ import annotations

from datetime import datetime

import orjson
import pytest

from ct_sla_monitor.agents import FUTURE, event_clock
from ct_sla_monitor.handlers import Rejected
from ct_sla_monitor.settings import MonitorSettings

WRITTEN = datetime.fromisoformat("2026-11-23T12:00:00+00:00").timestamp()
SETTINGS = MonitorSettings()


@pytest.mark.parametrize(
    ("occurred_at", "verdict"),
    [
        ("2026-11-23T12:00:00+00:00", None),
        ("2026-11-23T12:01:00+00:00", None),  # 60 s ahead: within the tolerance
        ("2026-11-23T12:01:01+00:00", FUTURE),
        ("2026-11-23T12:10:00+01:00", None),  # an offset, not the future: 11:10 UTC
        ("2026-11-24T12:00:00+00:00", FUTURE),  # exactly the 1-day limit
        ("2026-11-24T12:00:01+00:00", "too_far_in_future"),
        ("1999-10-01T09:00:00+02:00", None),  # the 1999 bank records still import
        ("1989-12-31T23:59:59+00:00", "too_far_in_past"),
        ("9999-12-31T23:59:59-05:00", "out_of_range"),
        ("0001-01-01T00:30:00+01:00", "out_of_range"),
        ("2026-11-23T12:00:00", None),  # no offset: stage 1 refuses it with its own rule
        ("yesterday", None),
    ],
)
def test_verdicts(occurred_at: str, verdict: str | None) -> None:
    got = event_clock(orjson.dumps({"occurred_at": occurred_at}), WRITTEN, SETTINGS)
    if isinstance(got, Rejected):
        assert got.reason == "invalid_event"
        assert [e["field"] for e in got.errors] == ["occurred_at"]
        got = got.errors[0]["rule"]
    assert got == verdict


@pytest.mark.parametrize("value", [None, b"", b"\xff", b"[1]", b"{}", b'{"occurred_at": 5}'])
def test_unreadable_records_are_left_to_stage_1(value: bytes | None) -> None:
    assert event_clock(value, WRITTEN, SETTINGS) is None
