"""The report's month and weeks in a time zone: ISO weeks cut at the month's edges, DST."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from ct_aggregator.report_period import ReportMonth, parse_month, record_span


@pytest.mark.parametrize(
    ("text", "tz", "start", "end", "weeks"),
    [
        # October 1999 in Israel, from Friday the 1st: what the offsets were is the
        # tz database's; the test pins both edges and the cut ISO weeks
        (
            "1999-10",
            "Asia/Jerusalem",
            "1999-09-30T22:00:00+00:00",
            "1999-10-31T22:00:00+00:00",
            ["1999-W39 1-3", "1999-W40 4-10", "1999-W41 11-17", "1999-W42 18-24", "1999-W43 25-31"],
        ),
        # February 2027 in London starts on a Monday: four whole weeks
        (
            "2027-02",
            "Europe/London",
            "2027-02-01T00:00:00+00:00",
            "2027-03-01T00:00:00+00:00",
            ["2027-W05 1-7", "2027-W06 8-14", "2027-W07 15-21", "2027-W08 22-28"],
        ),
        # December: the last week is ISO week 53 of 2026, cut at the 31st
        (
            "2026-12",
            "UTC",
            "2026-12-01T00:00:00+00:00",
            "2027-01-01T00:00:00+00:00",
            ["2026-W49 1-6", "2026-W50 7-13", "2026-W51 14-20", "2026-W52 21-27", "2026-W53 28-31"],
        ),
    ],
)
def test_month_and_weeks(text: str, tz: str, start: str, end: str, weeks: list[str]) -> None:
    month = ReportMonth.parse(text, ZoneInfo(tz))
    assert (month.start.isoformat(), month.end.isoformat()) == (start, end)
    found = month.weeks()
    assert [f"{w.key} {w.first_day.day}-{w.last_day.day}" for w in found] == weeks
    assert found[0].start == month.start and found[-1].end == month.end
    assert all(a.end == b.start for a, b in pairwise(found))


def test_a_week_across_the_clock_change_is_seven_local_days() -> None:
    # London leaves BST on Sunday 25 October 2026: W43 is 7 days and one hour long
    week = ReportMonth.parse("2026-10", ZoneInfo("Europe/London")).weeks()[3]
    assert (week.start, week.end) == (
        datetime(2026, 10, 18, 23, tzinfo=UTC),
        datetime(2026, 10, 26, 0, tzinfo=UTC),
    )


def test_the_span_read_reaches_past_both_edges() -> None:
    month = ReportMonth.parse("2026-10", ZoneInfo("UTC"))
    before, after = record_span(month)
    assert before < month.start and after > month.end


@pytest.mark.parametrize("text", ["2026-00", "2026-13", "2026-1", "2026/10", "", "2026-10-01"])
def test_bad_months(text: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM"):
        parse_month(text)
