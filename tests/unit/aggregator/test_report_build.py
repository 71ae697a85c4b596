"""The monthly report of a hand-made October (tests/unit/aggregator/report_month.py): every
figure as worked out by hand, per week and for the month, and the month's edges."""

from __future__ import annotations

from typing import Any

import pytest

from ct_aggregator.report_build import (
    NoEventsForMonth,
    build_monthly_report,
    month_selection,
)
from ct_sla_monitor.standards_file import default_standards
from tests.unit.aggregator.report_month import WANTED, month_records

WEEKS = ["2026-W40", "2026-W41", "2026-W42", "2026-W43", "2026-W44"]


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    book = default_standards()
    return build_monthly_report(month_selection(month_records(), "2026-10", book), book)


def row(report: dict[str, Any], standard: str, scope: str) -> dict[str, Any]:
    found = [r for r in report["standards"] if r["standard"] == standard and r["scope"] == scope]
    assert len(found) == 1, (standard, scope)
    return found[0]


def test_period_and_weeks(report: dict[str, Any]) -> None:
    assert report["timezone"] == "Europe/London"
    assert report["period"] == {
        "start": "2026-09-30T23:00:00+00:00",  # BST
        "end": "2026-11-01T00:00:00+00:00",  # GMT
    }
    assert [w["key"] for w in report["weeks"]] == WEEKS
    assert [w["label"] for w in report["weeks"]] == [
        "W40 (1-4 Oct)",
        "W41 (5-11 Oct)",
        "W42 (12-18 Oct)",
        "W43 (19-25 Oct)",
        "W44 (26-31 Oct)",
    ]


def test_events_of_the_month(report: dict[str, Any]) -> None:
    events = report["events"]
    # 47 events + a line that is not JSON + a repeat; c0 (September) and c9 (November:
    # 00:30 GMT on the 1st) are left out with their 3 events each
    assert (events["read"], events["unreadable"], events["of_the_month"]) == (49, 1, 42)
    assert (events["contacts"], events["duplicates"], events["rejected"]) == (12, 1, 0)
    # c3 (queued Sunday 23:30, abandoned Monday) stays whole in W40
    assert events["by_week"] == dict(zip(WEEKS, [10, 11, 6, 10, 5], strict=True))


def test_demand_and_channel_mix(report: dict[str, Any]) -> None:
    month = report["demand"]["month"]
    assert month["by_channel"] == dict(sorted(WANTED["demand"].items()))
    assert month["contacts"] == 11  # the complaint is no contact of its own
    assert month["channel_mix"] == {"email": 0.090909, "face_to_face": 0.181818, "phone": 0.727273}
    assert month["by_service_type"] == {"council_tax": 10, "housing": 1}
    weeks = {w: d["by_channel"] for w, d in report["demand"]["weeks"].items()}
    assert weeks == {w: dict(sorted(c.items())) for w, c in WANTED["demand_weeks"].items()}
    assert report["demand"]["by_service_type_and_channel"] == {
        "council_tax": {"email": 1, "face_to_face": 2, "phone": 7},
        "housing": {"phone": 1},
    }


@pytest.mark.parametrize(
    "standard", ["phone.service_level", "phone.answer_rings", "phone.abandonment"]
)
def test_phone_standards_per_week_and_month(report: dict[str, Any], standard: str) -> None:
    (value, volume), weekly = WANTED[standard]
    found = row(report, standard, "phone/all")
    assert (found["month"]["value"], found["month"]["volume"]) == (value, volume)
    assert found["month"]["met"] is False
    assert [(c["value"], c["volume"]) for c in found["weeks"].values()] == weekly


def test_other_channels_standards(report: dict[str, Any]) -> None:
    assert row(report, "email.acknowledge", "email/all")["month"] == {
        "value": 1.0,
        "volume": 1,
        "met": True,
    }
    assert row(report, "email.follow_up", "email/all")["month"]["value"] == 1.0
    visit = row(report, "visit.queue_time", "face_to_face/all")
    assert visit["month"] == {"value": 0.5, "volume": 2, "met": False}  # v2 waited 200 s
    assert visit["weeks"]["2026-W43"]["value"] == 0.5
    assert visit["weeks"]["2026-W40"] == {"value": None, "volume": 0, "met": None}
    stage1 = row(report, "complaint.stage_response", "complaint/stage1")
    assert stage1["month"] == {"value": 1.0, "volume": 1, "met": True}
    nps = row(report, "all.satisfaction_nps", "phone/all")
    assert nps["month"] == {"value": 0.0, "volume": 2, "met": True}  # at the floor is met


def test_first_contact_resolution(report: dict[str, Any]) -> None:
    month = report["resolution"]["month"]
    # c4's case is undone by R1's call c5 four days later; c6's is final by the 30th
    assert (month["resolved"], month["fcr_final"], month["not_first_contact"]) == (2, 1, 1)
    assert (month["fcr_provisional"], month["fcr_rate_final"]) == (0, 0.5)
    weeks = report["resolution"]["weeks"]
    assert (weeks["2026-W41"]["not_first_contact"], weeks["2026-W41"]["fcr_rate_final"]) == (1, 0.0)
    assert (weeks["2026-W42"]["fcr_final"], weeks["2026-W42"]["fcr_rate_final"]) == (1, 1.0)
    assert weeks["2026-W40"]["resolved"] == 0
    fcr = row(report, "all.first_contact_resolution", "service/all")
    assert [c["value"] for c in fcr["weeks"].values()] == [None, 0.0, 1.0, None, None]


def test_fix_time_and_repeat_reasons(report: dict[str, Any]) -> None:
    fix = report["resolution"]["fix_time_by_query_reason"]
    assert list(fix) == ["problem", "query"]
    assert fix["problem"]["calendar_hours"]["median"] == 0.083  # 5 min
    assert fix["query"]["working_hours"]["median"] == 0.5  # 30 min on a Monday morning
    # consistent with the core's own mean over the same cases: (300 + 1800) / 2 s
    assert report["resolution"]["month"]["fix_time_seconds_mean"] == 1050.0
    repeats = report["repeat_contacts"]
    assert (repeats["total"], repeats["by_query_reason"]) == (1, {"query": 1})
    assert repeats["top_reasons"] == [{"name": "query", "count": 1, "share": 1.0}]


def test_complaints_and_nps(report: dict[str, Any]) -> None:
    month = report["complaints"]["month"]
    assert (month["raised"], month["escalated"]) == (1, 0)
    assert month["stages"]["1"]["mean_response_working_hours"] == 8.0
    assert report["complaints"]["weeks"]["2026-W44"]["raised"] == 1
    nps = report["nps"]
    assert (nps["month"]["promoters"], nps["month"]["detractors"], nps["month"]["nps"]) == (
        1,
        1,
        0.0,
    )
    assert nps["by_channel"]["phone"]["nps"] == 0.0
    assert [w["nps"] for w in nps["weeks"].values()] == [None, None, 100.0, -100.0, None]


def test_late_event_is_counted_and_included(report: dict[str, Any]) -> None:
    late = report["late"]
    # c7's survey was recorded after c8's call, nine days after it happened
    assert (late["late_events"], late["too_late_events"]) == (0, 1)
    assert late["by_scope"]["phone/all"]["too_late_events_total"] == 1
    assert "includes them" in late["statement"]
    assert report["nps"]["weeks"]["2026-W43"]["responses"] == 1  # and it still counts


def test_counts_of_the_weeks_add_up_to_the_month(report: dict[str, Any]) -> None:
    weeks = report["demand"]["weeks"].values()
    assert sum(w["contacts"] for w in weeks) == report["demand"]["month"]["contacts"]
    for standard in ("phone.service_level", "phone.answer_rings"):
        found = row(report, standard, "phone/all")
        assert sum(c["volume"] for c in found["weeks"].values()) == found["month"]["volume"]


def test_a_month_without_contacts_is_refused() -> None:
    with pytest.raises(NoEventsForMonth, match="2026-12"):
        month_selection(month_records(), "2026-12", default_standards())


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "26-10", "october"])
def test_a_bad_month_is_refused(month: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM"):
        month_selection(month_records(), month, default_standards())
