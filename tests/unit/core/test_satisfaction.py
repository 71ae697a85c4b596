"""Satisfaction: survey responses and NPS over windows, worked by hand."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ct_sla_monitor.core.satisfaction import SurveyResponse, nps_kpis, survey_from_event
from ct_sla_monitor.core.standards import Standards

STD = Standards()
NOW = datetime(2026, 1, 20, 12, tzinfo=UTC)
US = timedelta(microseconds=1)
REF = "k1:" + "a" * 64


def survey_event(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "event_id": "s-1",
        "type": "survey.answered",
        "occurred_at": "2026-01-20T11:00:00+00:00",
        "contact_id": "call-1",
        "channel": "phone",
        "queue": "revenues",
        "service_type": "council_tax",
        "customer_segment": "citizen",
        "customer_ref": REF,
        "source": "survey-tool",
        "score": 9,
    }
    return {k: v for k, v in (data | extra).items() if v is not None}


def test_survey_from_event() -> None:
    response = survey_from_event(survey_event())
    assert response == SurveyResponse(
        item_id="s-1",
        contact_id="call-1",
        channel="phone",
        queue="revenues",
        score=9,
        answered_at=datetime(2026, 1, 20, 11, tzinfo=UTC),
        service_type="council_tax",
        customer_segment="citizen",
        customer_ref=REF,
    )
    assert response.event_ids == ("s-1",)
    assert SurveyResponse.kind == "survey"


@pytest.mark.parametrize(
    "data",
    [
        survey_event(score=11),
        survey_event(score=-1),
        survey_event(score=True),
        survey_event(score=9.0),
        survey_event(score="9"),
        survey_event(score=None),
        survey_event(type="case.opened"),
        survey_event(channel=None),
    ],
    ids=["eleven", "negative", "bool", "float", "string", "missing", "wrong-type", "no-channel"],
)
def test_bad_survey_events_are_value_errors(data: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        survey_from_event(data)


def test_response_round_trips_through_json() -> None:
    response = survey_from_event(survey_event(query_reason="complaint", score=0))
    data = json.loads(json.dumps(response.to_dict()))
    assert data["kind"] == "survey"
    assert data["answered_at"] == "2026-01-20T11:00:00+00:00"
    assert SurveyResponse.from_dict({**data, "ignored": 1}) == response


_ids = iter(range(1, 1_000_000))


def responses(*scores: int, at: datetime = NOW - timedelta(hours=1)) -> list[SurveyResponse]:
    return [
        SurveyResponse(f"s-{next(_ids)}", "c", "phone", "revenues", score, at) for score in scores
    ]


def figures(
    count: int, promoters: int, passives: int, detractors: int, nps: float | None, floor: float
) -> dict[str, Any]:
    return {
        "responses": count,
        "promoters": promoters,
        "passives": passives,
        "detractors": detractors,
        "nps": nps,
        "nps_floor": floor,
        "below_floor": None if nps is None else nps < floor,
    }


NPS_CASES: list[tuple[str, list[SurveyResponse], float, dict[str, Any]]] = [
    ("no-responses", [], 0.0, figures(0, 0, 0, 0, None, 0.0)),
    ("one-of-each-band-edge", responses(10, 9, 8, 7, 6, 0), 0.0, figures(6, 2, 2, 2, 0.0, 0.0)),
    ("three-promoters-one-detractor", responses(10, 10, 10, 6), 0.0,
     figures(4, 3, 0, 1, 50.0, 0.0)),
    ("all-detractors", responses(0), 0.0, figures(1, 0, 0, 1, -100.0, 0.0)),
    ("all-promoters", responses(9, 9, 9), 0.0, figures(3, 3, 0, 0, 100.0, 0.0)),
    ("one-third-rounds-down", responses(10, 8, 8), 0.0, figures(3, 1, 2, 0, 33.3, 0.0)),
    ("two-thirds-rounds-up", responses(10, 10, 7), 0.0, figures(3, 2, 1, 0, 66.7, 0.0)),
    ("half-rounds-away-from-zero-up", responses(9, *[8] * 15), 0.0,
     figures(16, 1, 15, 0, 6.3, 0.0)),
    ("half-rounds-away-from-zero-down", responses(6, *[8] * 15), 0.0,
     figures(16, 0, 15, 1, -6.3, 0.0)),
    ("minus-one-third", responses(6, 7, 7), 0.0, figures(3, 0, 2, 1, -33.3, 0.0)),
    ("at-the-floor-is-not-below", responses(10, 5), 0.0, figures(2, 1, 0, 1, 0.0, 0.0)),
    ("below-a-configured-floor", responses(10, 8), 60.0, figures(2, 1, 1, 0, 50.0, 60.0)),
    ("duplicates-count-once", responses(10) * 3 + responses(0), 0.0,
     figures(2, 1, 0, 1, 0.0, 0.0)),
    ("outside-today-ignored", responses(10) + responses(0, at=datetime(2026, 1, 20, tzinfo=UTC)
     - US) + responses(0, at=NOW + US), 0.0, figures(1, 1, 0, 0, 100.0, 0.0)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("given", "floor", "expected"),
    [n[1:] for n in NPS_CASES],
    ids=[n[0] for n in NPS_CASES],
)
def test_nps_today(given: list[SurveyResponse], floor: float, expected: dict[str, Any]) -> None:
    standards = replace(STD, satisfaction=replace(STD.satisfaction, nps_floor=floor))
    assert nps_kpis(given, "today", NOW, standards) == expected


@pytest.mark.parametrize(
    ("window", "expected_count"),
    [("month_to_date", 2), ("today", 1), ("rolling_15m", 1), ("rolling_30m", 1)],
    ids=["month-to-date", "today", "rolling-15m", "rolling-30m"],
)
def test_nps_windows_across_a_dst_month_start(window: str, expected_count: int) -> None:
    now = datetime(2026, 4, 10, 12, tzinfo=UTC)  # month start 2026-03-31T23:00Z
    given = [
        *responses(10, at=datetime(2026, 3, 31, 23, tzinfo=UTC)),
        *responses(0, at=datetime(2026, 3, 31, 23, tzinfo=UTC) - US),
        *responses(9, at=now - timedelta(minutes=10)),
    ]
    assert nps_kpis(given, window, now, STD)["responses"] == expected_count


def test_unknown_window_is_value_error() -> None:
    with pytest.raises(ValueError):
        nps_kpis([], "last_week", NOW, STD)
