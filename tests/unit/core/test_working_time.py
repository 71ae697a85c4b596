"""The business-hours calendar: deadlines and working time across weekends, holidays and DST.

Every expectation was worked out by hand. London is GMT (UTC+0) until 2026-03-29 01:00 UTC
and after 2026-10-25 01:00 UTC, BST (UTC+1) in between; so 09:00-17:00 local is
08:00Z-16:00Z in summer and 09:00Z-17:00Z in winter.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from ct_sla_monitor.core.working_time import WorkingCalendar

# England and Wales bank holidays of 2026, written out by hand.
BANK_HOLIDAYS_2026 = frozenset(
    date.fromisoformat(d)
    for d in (
        "2026-01-01",
        "2026-04-03",
        "2026-04-06",
        "2026-05-04",
        "2026-05-25",
        "2026-08-31",
        "2026-12-25",
        "2026-12-28",
    )
)
LONDON = WorkingCalendar(holidays=BANK_HOLIDAYS_2026)
# All week, 00:00-06:00: the US spring-forward (2026-03-08 02:00) and fall-back
# (2026-11-01 02:00) nights fall inside opening hours.
NEW_YORK_NIGHTS = WorkingCalendar(
    timezone="America/New_York", weekdays=(0, 1, 2, 3, 4, 5, 6), opens=time(0), closes=time(6)
)
# India has no DST; Monday to Saturday; Republic Day 2026-01-26 is a Monday.
KOLKATA = WorkingCalendar(
    timezone="Asia/Kolkata",
    weekdays=(0, 1, 2, 3, 4, 5),
    opens=time(10),
    closes=time(18),
    holidays=frozenset({date(2026, 1, 26)}),
)
# Southern hemisphere: Sydney leaves DST on 2026-04-05 (UTC+11 -> UTC+10). No holidays.
SYDNEY = WorkingCalendar(timezone="Australia/Sydney")

CALENDARS = {
    "london": LONDON,
    "new_york_nights": NEW_YORK_NIGHTS,
    "kolkata": KOLKATA,
    "sydney": SYDNEY,
}


def _t(s: str) -> datetime:
    return datetime.fromisoformat(s)


ADD_WORKING_CASES = [
    # id, calendar, start, working hours, expected deadline
    ("fri-1630-before-bank-holiday", "london", "2026-08-28T15:30:00Z", 24, "2026-09-03T15:30:00Z"),
    ("same-with-local-offset", "london", "2026-08-28T16:30:00+01:00", 24, "2026-09-03T15:30:00Z"),
    ("saturday-before-bank-holiday", "london", "2026-08-29T10:00:00Z", 24, "2026-09-03T16:00:00Z"),
    ("dst-start-sunday-after-change", "london", "2026-03-29T10:00:00Z", 24, "2026-04-01T16:00:00Z"),
    (
        "dst-start-sunday-before-change",
        "london",
        "2026-03-29T00:30:00Z",
        24,
        "2026-04-01T16:00:00Z",
    ),
    ("dst-end-sunday-first-0130", "london", "2026-10-25T00:30:00Z", 24, "2026-10-28T17:00:00Z"),
    ("dst-end-sunday-second-0130", "london", "2026-10-25T01:30:00Z", 24, "2026-10-28T17:00:00Z"),
    ("friday-before-spring-forward", "london", "2026-03-27T16:30:00Z", 24, "2026-04-01T15:30:00Z"),
    ("friday-before-fall-back", "london", "2026-10-23T15:30:00Z", 24, "2026-10-28T16:30:00Z"),
    (
        "received-0859-counts-from-0900",
        "london",
        "2026-06-02T07:59:00Z",
        24,
        "2026-06-04T16:00:00Z",
    ),
    (
        "received-1701-counts-from-next-day",
        "london",
        "2026-06-02T16:01:00Z",
        24,
        "2026-06-05T16:00:00Z",
    ),
    ("received-at-opening", "london", "2026-06-02T08:00:00Z", 24, "2026-06-04T16:00:00Z"),
    ("received-at-closing", "london", "2026-06-02T16:00:00Z", 1, "2026-06-03T09:00:00Z"),
    ("inside-one-day", "london", "2026-06-02T09:00:00Z", 2, "2026-06-02T11:00:00Z"),
    ("reaches-closing-exactly", "london", "2026-06-02T12:00:00Z", 4, "2026-06-02T16:00:00Z"),
    (
        "christmas-and-observed-boxing-day",
        "london",
        "2026-12-24T16:00:00Z",
        8,
        "2026-12-29T16:00:00Z",
    ),
    ("easter-friday-and-monday", "london", "2026-04-02T14:00:00Z", 4, "2026-04-07T10:00:00Z"),
    (
        "complaint-stage-80h-over-bank-holiday",
        "london",
        "2026-08-24T08:00:00Z",
        80,
        "2026-09-07T16:00:00Z",
    ),
    (
        "ny-spring-forward-day-is-5h",
        "new_york_nights",
        "2026-03-07T17:00:00Z",
        5,
        "2026-03-08T10:00:00Z",
    ),
    (
        "ny-spring-forward-then-next-day",
        "new_york_nights",
        "2026-03-07T17:00:00Z",
        6,
        "2026-03-09T05:00:00Z",
    ),
    (
        "kolkata-saturday-sunday-holiday",
        "kolkata",
        "2026-01-24T11:30:00Z",
        8,
        "2026-01-27T11:30:00Z",
    ),
    ("sydney-dst-end-weekend", "sydney", "2026-04-03T05:00:00Z", 2, "2026-04-06T00:00:00Z"),
]


@pytest.mark.parametrize(
    ("calendar", "start", "hours", "expected"),
    [pytest.param(*c[1:], id=c[0]) for c in ADD_WORKING_CASES],
)
def test_add_working(calendar: str, start: str, hours: float, expected: str) -> None:
    got = CALENDARS[calendar].add_working(_t(start), timedelta(hours=hours))
    assert got == _t(expected)
    assert got.utcoffset() == timedelta(0)


def test_zero_duration_returns_start_even_outside_hours() -> None:
    start = _t("2026-06-02T16:01:00Z")
    assert LONDON.add_working(start, timedelta(0)) == start


WORKING_BETWEEN_CASES = [
    # id, calendar, start, end, expected working hours
    ("inside-one-day", "london", "2026-06-02T09:00:00Z", "2026-06-02T11:30:00Z", 2.5),
    ("across-weekend", "london", "2026-06-05T14:00:00Z", "2026-06-08T10:00:00Z", 4),
    ("across-bank-holiday", "london", "2026-08-28T15:00:00Z", "2026-09-01T09:00:00Z", 2),
    ("across-fall-back-night", "london", "2026-10-23T15:00:00Z", "2026-10-26T10:00:00Z", 2),
    ("across-spring-forward-night", "london", "2026-03-27T16:00:00Z", "2026-03-30T09:00:00Z", 2),
    ("both-outside-hours", "london", "2026-06-02T17:00:00Z", "2026-06-03T07:00:00Z", 0),
    ("two-weeks-with-holiday", "london", "2026-08-24T00:00:00Z", "2026-09-07T00:00:00Z", 72),
    ("end-before-start", "london", "2026-06-03T10:00:00Z", "2026-06-02T10:00:00Z", 0),
    ("end-equals-start", "london", "2026-06-02T10:00:00Z", "2026-06-02T10:00:00Z", 0),
    ("ny-spring-forward-day", "new_york_nights", "2026-03-08T05:00:00Z", "2026-03-09T04:00:00Z", 5),
    ("ny-fall-back-day", "new_york_nights", "2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z", 7),
    ("kolkata-over-holiday", "kolkata", "2026-01-24T11:30:00Z", "2026-01-27T05:30:00Z", 2),
]


@pytest.mark.parametrize(
    ("calendar", "start", "end", "hours"),
    [pytest.param(*c[1:], id=c[0]) for c in WORKING_BETWEEN_CASES],
)
def test_working_between(calendar: str, start: str, end: str, hours: float) -> None:
    assert CALENDARS[calendar].working_between(_t(start), _t(end)) == timedelta(hours=hours)


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        pytest.param("2026-06-02T08:00:00Z", True, id="opening-inclusive"),
        pytest.param("2026-06-02T07:59:59Z", False, id="before-opening"),
        pytest.param("2026-06-02T16:00:00Z", False, id="closing-exclusive"),
        pytest.param("2026-08-31T12:00:00Z", False, id="bank-holiday"),
        pytest.param("2026-06-06T12:00:00Z", False, id="saturday"),
        pytest.param("2026-01-05T09:00:00Z", True, id="winter-opening"),
    ],
)
def test_is_working(instant: str, expected: bool) -> None:
    assert LONDON.is_working(_t(instant)) is expected


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        pytest.param("2026-08-28T16:30:00Z", "2026-09-01T08:00:00Z", id="friday-evening-bh"),
        pytest.param("2026-06-02T10:00:00Z", "2026-06-02T10:00:00Z", id="already-open"),
        pytest.param("2026-10-24T12:00:00Z", "2026-10-26T09:00:00Z", id="into-gmt"),
    ],
)
def test_next_opening(instant: str, expected: str) -> None:
    assert LONDON.next_opening(_t(instant)) == _t(expected)


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"timezone": "Mars/Olympus_Mons"}, id="unknown-timezone"),
        pytest.param({"timezone": "Europe"}, id="timezone-directory"),
        pytest.param({"weekdays": ()}, id="no-weekdays"),
        pytest.param({"weekdays": (0, 7)}, id="weekday-out-of-range"),
        pytest.param({"opens": time(17), "closes": time(9)}, id="closes-before-opens"),
        pytest.param({"opens": time(9), "closes": time(9)}, id="closes-equals-opens"),
    ],
)
def test_invalid_calendar(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        WorkingCalendar(**kwargs)  # type: ignore[arg-type]


def test_naive_and_negative_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        LONDON.add_working(datetime(2026, 6, 2, 9), timedelta(hours=1))
    with pytest.raises(ValueError, match="timezone-aware"):
        LONDON.working_between(datetime(2026, 6, 2, 9), _t("2026-06-02T12:00:00Z"))
    with pytest.raises(ValueError, match="negative"):
        LONDON.add_working(_t("2026-06-02T09:00:00Z"), timedelta(hours=-1))
