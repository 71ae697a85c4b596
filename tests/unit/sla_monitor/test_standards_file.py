"""The versioned standards file: the default charter, scopes, round trip, and clear errors."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from ct_sla_monitor.core.standards import Standards
from ct_sla_monitor.standards_file import (
    StandardsFileError,
    default_standards,
    load_standards,
    load_standards_text,
    parse_document,
)

# -- the packaged default: METRICS.md's table ------------------------------------------------

DEFAULT_VALUES = [
    ("version", "charter-2026.1"),
    ("calls.version", "charter-2026.1"),
    ("calls.answer_within_rings", 4),
    ("calls.ring_cycle_s", 3.0),
    ("phone.answer_rings_target", 0.90),
    ("calls.short_abandon_s", 5.0),
    ("phone.abandonment_max", 0.05),
    ("calls.service_level_threshold_s", 20.0),
    ("phone.service_level_target", 0.80),
    ("calls.service_level_variant", "offered"),
    ("calls.site_timezone", "Europe/London"),
    ("email.acknowledge_within_s", 900.0),
    ("email.follow_up_working_hours", 24.0),
    ("email.at_risk_fraction", 0.8),
    ("visit.queue_time_s", 180.0),
    ("visit.target", 0.95),
    ("complaint.stage_response_working_hours", (80.0, 80.0, 160.0)),
    ("resolution.fcr_target", 0.70),
    ("resolution.recontact_window_s", 7 * 86400.0),
    ("satisfaction.nps_floor", 0.0),
    ("alerts.clear_margin", 0.02),
    ("alerts.clear_after_s", 300.0),
    ("alerts.min_volume", 10),
    ("alerts.escalate_after_s", 1800.0),
    ("allowed_lateness_s", 300.0),
    ("calendar.timezone", "Europe/London"),
    ("calendar.weekdays", (0, 1, 2, 3, 4)),
    ("calendar.opens", time(9)),
    ("calendar.closes", time(17)),
]


def _get(obj: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return obj


@pytest.mark.parametrize(
    ("attribute", "expected"), DEFAULT_VALUES, ids=[a for a, _ in DEFAULT_VALUES]
)
def test_default_charter_values(attribute: str, expected: object) -> None:
    assert _get(default_standards().default, attribute) == expected


@pytest.mark.parametrize(
    ("day", "closed"),
    [
        pytest.param(date(2026, 8, 31), True, id="summer-bank-holiday"),
        pytest.param(date(2026, 12, 28), True, id="boxing-day-observed"),
        pytest.param(date(2040, 12, 25), True, id="christmas-2040"),
        pytest.param(date(2026, 8, 28), False, id="ordinary-friday"),
        pytest.param(date(2026, 8, 3), False, id="scottish-only-holiday"),
    ],
)
def test_default_bank_holidays(day: date, closed: bool) -> None:
    assert (day in default_standards().default.calendar.holidays) is closed


def test_default_follow_up_deadline_over_bank_holiday() -> None:
    calendar = default_standards().default.calendar
    received = datetime.fromisoformat("2026-08-28T16:30:00+01:00")  # Friday
    deadline = calendar.add_working(received, timedelta(hours=24))
    assert deadline == datetime.fromisoformat("2026-09-03T16:30:00+01:00")  # Thursday


# -- sites and overrides ----------------------------------------------------------------------

SCOPED = """\
version = "test-1"

[calendar]
extra_holidays = ["2026-12-24"]

[[sites]]
name = "Edinburgh"
queues = ["edi-phone", "edi-reception"]
holidays = "GB-SCT"

[[sites]]
name = "New York"
queues = ["ny-phone"]
timezone = "America/New_York"
weekdays = ["mon", "tue", "wed", "thu", "fri", "sat"]
opens = 08:30:00
closes = "16:30"
holidays = "none"

[[overrides]]
customer_segment = "business"
phone.service_level_target = 0.9
phone.abandonment_max = 0.03

[[overrides]]
queue = "council-tax"
phone.service_level_target = 0.85
resolution.fcr_target = 0.8

[[overrides]]
queue = "council-tax"
customer_segment = "business"
phone.service_level_target = 0.95

[[overrides]]
queue = "ny-phone"
phone.service_level_variant = "answered"
phone.service_level_threshold_s = 30
"""

SCOPES = [
    # id, queue, segment, (service level target, abandonment max, fcr target, variant, zone)
    ("no-scope", None, None, (0.8, 0.05, 0.7, "offered", "Europe/London")),
    ("queue", "council-tax", None, (0.85, 0.05, 0.8, "offered", "Europe/London")),
    ("segment", None, "business", (0.9, 0.03, 0.7, "offered", "Europe/London")),
    ("queue-and-segment", "council-tax", "business", (0.95, 0.03, 0.8, "offered", "Europe/London")),
    (
        "queue-other-segment",
        "council-tax",
        "citizen",
        (0.85, 0.05, 0.8, "offered", "Europe/London"),
    ),
    ("unknown-queue-segment", "waste", "business", (0.9, 0.03, 0.7, "offered", "Europe/London")),
    ("site-queue", "ny-phone", None, (0.8, 0.05, 0.7, "answered", "America/New_York")),
    (
        "site-queue-segment",
        "ny-phone",
        "business",
        (0.9, 0.03, 0.7, "answered", "America/New_York"),
    ),
    ("scottish-site", "edi-phone", None, (0.8, 0.05, 0.7, "offered", "Europe/London")),
]


@pytest.fixture(scope="module")
def scoped() -> Any:
    return load_standards_text(SCOPED, "scoped.toml")


@pytest.mark.parametrize(
    ("queue", "segment", "expected"), [pytest.param(*s[1:], id=s[0]) for s in SCOPES]
)
def test_for_scope(
    scoped: Any,
    queue: str | None,
    segment: str | None,
    expected: tuple[float, float, float, str, str],
) -> None:
    s: Standards = scoped.for_scope(queue, segment)
    got = (
        s.phone.service_level_target,
        s.phone.abandonment_max,
        s.resolution.fcr_target,
        s.calls.service_level_variant,
        s.calendar.timezone,
    )
    assert got == expected
    assert s.version == s.calls.version == "test-1"
    assert s.calls.site_timezone == s.calendar.timezone
    assert scoped.for_scope(queue, segment) is s  # cached


def test_site_calendars(scoped: Any) -> None:
    ny = scoped.for_scope("ny-phone").calendar
    assert (ny.weekdays, ny.opens, ny.closes) == ((0, 1, 2, 3, 4, 5), time(8, 30), time(16, 30))
    assert ny.holidays == frozenset({date(2026, 12, 24)})  # extra_holidays come from [calendar]
    assert scoped.for_scope("ny-phone").calls.service_level_threshold_s == 30.0
    edi = scoped.for_scope("edi-reception").calendar
    assert {date(2026, 8, 3), date(2026, 1, 2), date(2026, 12, 24)} <= edi.holidays
    assert date(2026, 8, 31) not in edi.holidays
    main = scoped.default.calendar
    assert date(2026, 8, 31) in main.holidays and date(2026, 8, 3) not in main.holidays


# -- round trip --------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["default", "scoped"])
def test_public_view_round_trips(which: str) -> None:
    book = default_standards() if which == "default" else load_standards_text(SCOPED)
    published = json.loads(json.dumps(book.public_view()))
    again = parse_document(published)
    assert again == book
    assert again.to_document() == book.to_document()
    assert again.for_scope("ny-phone", "business") == book.for_scope("ny-phone", "business")


def test_default_document_shape() -> None:
    doc = default_standards().to_document()
    assert doc["calendar"] == {
        "timezone": "Europe/London",
        "opens": "09:00",
        "closes": "17:00",
        "weekdays": ["mon", "tue", "wed", "thu", "fri"],
        "holidays": "GB-ENG",
        "extra_holidays": [],
    }
    assert doc["sites"] == [] and doc["overrides"] == []
    doc["version"] = "changed"  # a copy: the book is not changed
    assert default_standards().version == "charter-2026.1"


def test_load_from_path(tmp_path: Path) -> None:
    path = tmp_path / "standards.toml"
    path.write_text(SCOPED, encoding="utf-8")
    assert load_standards(path) == load_standards_text(SCOPED)
    with pytest.raises(StandardsFileError, match=r"missing\.toml: cannot read"):
        load_standards(tmp_path / "missing.toml")


# -- errors: file, line, field, rule ----------------------------------------------------------

BAD_FILES = [
    # id, text, line, field, rule fragment
    (
        "ratio-above-one",
        'version = "v"\n[phone]\nservice_level_target = 1.5\n',
        3,
        "phone.service_level_target",
        "less than or equal to 1",
    ),
    (
        "zero-duration",
        'version = "v"\n[email]\nacknowledge_within_s = 0\n',
        3,
        "email.acknowledge_within_s",
        "greater than 0",
    ),
    (
        "unknown-field",
        'version = "v"\n[visit]\ntarget = 0.9\nqueue_time = 180\n',
        4,
        "visit.queue_time",
        "unknown key",
    ),
    ("unknown-section", 'version = "v"\n\n[phones]\ntarget = 1\n', 3, "phones", "unknown key"),
    (
        "missing-version",
        "[phone]\nservice_level_target = 0.9\n",
        1,
        "version",
        "required but missing",
    ),
    (
        "closes-before-opens",
        'version = "v"\n[calendar]\nopens = "17:00"\ncloses = "09:00"\n',
        4,
        "calendar.closes",
        "closes must be after opens (17:00)",
    ),
    (
        "unknown-timezone",
        'version = "v"\n[calendar]\ntimezone = "Europe/Londres"\n',
        3,
        "calendar.timezone",
        "unknown time zone 'Europe/Londres'",
    ),
    (
        "unknown-holiday-calendar",
        'version = "v"\n[calendar]\nholidays = "GB-XYZ"\n',
        3,
        "calendar.holidays",
        "unknown holiday calendar 'GB-XYZ'",
    ),
    (
        "bad-variant",
        'version = "v"\n[phone]\nservice_level_variant = "abandoned"\n',
        3,
        "phone.service_level_variant",
        "Input should be 'answered', 'offered'",
    ),
    (
        "two-stage-hours",
        'version = "v"\n[complaint]\nstage_response_working_hours = [80, 80]\n',
        3,
        "complaint.stage_response_working_hours",
        "at least 3 items",
    ),
    (
        "string-number",
        'version = "v"\n[phone]\nanswer_within_rings = "4"\n',
        3,
        "phone.answer_within_rings",
        "valid integer",
    ),
    (
        "fractional-rings",
        'version = "v"\n[phone]\nanswer_within_rings = 4.5\n',
        3,
        "phone.answer_within_rings",
        "valid integer",
    ),
    (
        "bad-weekday",
        'version = "v"\n[calendar]\nweekdays = ["monday"]\n',
        3,
        "calendar.weekdays[0]",
        "Input should be 'mon'",
    ),
    (
        "bad-time",
        'version = "v"\n[calendar]\nopens = "9am"\n',
        3,
        "calendar.opens",
        'expected a local time like "09:00"',
    ),
    (
        "bad-extra-holiday",
        'version = "v"\n[calendar]\nextra_holidays = [\n  "2026-12-24",\n  "2026-02-30",\n]\n',
        3,
        "calendar.extra_holidays[1]",
        "expected a date",
    ),
    (
        "after-multiline-array",
        'version = "v"\n[calendar]\nextra_holidays = [\n  "2026-12-24",\n]\nholidays = "XX"\n',
        6,
        "calendar.holidays",
        "unknown holiday calendar",
    ),
    (
        "override-without-scope",
        'version = "v"\n[[overrides]]\nqueue = "a"\nphone.service_level_target = 0.9\n\n'
        "[[overrides]]\nphone.service_level_target = 0.9\n",
        6,
        "overrides[1]",
        "must name a queue, a customer_segment, or both",
    ),
    (
        "override-bad-value",
        'version = "v"\n[[overrides]]\ncustomer_segment = "business"\n'
        "phone.service_level_target = 90\n",
        4,
        "overrides[0].phone.service_level_target",
        "less than or equal to 1",
    ),
    (
        "override-unknown-key",
        'version = "v"\n[[overrides]]\nqueue = "a"\nemail.follow_up_hours = 8\n',
        4,
        "overrides[0].email.follow_up_hours",
        "unknown key",
    ),
    (
        "override-subtable-form",
        'version = "v"\n[[overrides]]\nqueue = "a"\n[overrides.visit]\ntarget = -0.1\n',
        5,
        "overrides[0].visit.target",
        "greater than or equal to 0",
    ),
    (
        "override-changes-nothing",
        'version = "v"\n[[overrides]]\nqueue = "a"\n',
        2,
        "overrides[0]",
        "must change at least one standard",
    ),
    (
        "override-duplicate-scope",
        'version = "v"\n[[overrides]]\nqueue = "a"\nvisit.target = 0.9\n'
        '[[overrides]]\nqueue = "a"\nvisit.target = 0.8\n',
        5,
        "overrides[1]",
        "same queue and customer_segment as overrides[0]",
    ),
    (
        "site-bad-timezone",
        'version = "v"\n[[sites]]\nname = "a"\nqueues = ["q1"]\n[[sites]]\nname = "b"\n'
        'queues = ["q2"]\ntimezone = "Europe"\n',
        8,
        "sites[1].timezone",
        "unknown time zone",
    ),
    (
        "queue-in-two-sites",
        'version = "v"\n[[sites]]\nname = "a"\nqueues = ["q1"]\n[[sites]]\nname = "b"\n'
        'queues = ["q1"]\n',
        7,
        "sites[1].queues[0]",
        "queue 'q1' already belongs to site 'a'",
    ),
    (
        "site-closes-before-inherited-opens",
        'version = "v"\n[[sites]]\nname = "a"\nqueues = ["q"]\ncloses = "08:00"\n',
        5,
        "sites[0].closes",
        "closes (08:00) must be after opens (09:00)",
    ),
    (
        "site-without-queues",
        'version = "v"\n[[sites]]\nname = "a"\nqueues = []\n',
        4,
        "sites[0].queues",
        "at least 1 item",
    ),
    (
        "toml-syntax",
        'version = "v"\n[phone]\nservice_level_target = \n',
        3,
        "",
        "not valid TOML: Invalid value (at line 3",
    ),
]


@pytest.mark.parametrize(
    ("text", "line", "field", "rule"), [pytest.param(*b[1:], id=b[0]) for b in BAD_FILES]
)
def test_bad_file_names_line_field_and_rule(text: str, line: int, field: str, rule: str) -> None:
    with pytest.raises(StandardsFileError) as caught:
        load_standards_text(text, "standards.toml")
    first = str(caught.value).splitlines()[0]
    prefix = f"standards.toml:{line}: {field}: " if field else f"standards.toml:{line}: "
    assert first.startswith(prefix), first
    assert rule in first, first
    assert "Traceback" not in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_every_problem_is_listed_in_line_order() -> None:
    text = 'version = "v"\n[phone]\nservice_level_target = 2\n[visit]\ntarget = -1\nfoo = 1\n'
    with pytest.raises(StandardsFileError) as caught:
        load_standards_text(text, "s.toml")
    assert [(i.line, i.field) for i in caught.value.issues] == [
        (3, "phone.service_level_target"),
        (5, "visit.target"),
        (6, "visit.foo"),
    ]


def test_document_errors_have_no_line() -> None:
    with pytest.raises(StandardsFileError) as caught:
        parse_document({"version": "v", "phone": {"service_level_target": 3}}, "request")
    assert str(caught.value).startswith("request: phone.service_level_target: ")
