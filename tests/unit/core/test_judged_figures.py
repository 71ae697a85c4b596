"""The running sums the engine judges on equal a scan of the facts held, at every minute.

The oracle is :func:`aggregate_observations` over :func:`window_figures`, which rescans
every fact; the ledger is updated fact by fact (upserts, replacements, retractions and
prunes in random order) and asked at each closed minute. Seeds are fixed, so a failure
reproduces.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ct_sla_monitor.core.call_records import CallLeg
from ct_sla_monitor.core.case_items import CaseItem
from ct_sla_monitor.core.resolution import Touch
from ct_sla_monitor.core.satisfaction import SurveyResponse
from ct_sla_monitor.core.scope_figures import aggregate_observations, window_figures, windows_of
from ct_sla_monitor.core.scope_items import ScopeItems
from ct_sla_monitor.core.standards import ResolutionStandards, Standards
from ct_sla_monitor.core.visit_items import VisitItem

STANDARDS = Standards(resolution=ResolutionStandards(recontact_window_s=3 * 3600.0))
MINUTE = timedelta(minutes=1)


def _instant(rng: random.Random, start: datetime, span_min: int) -> datetime:
    """An instant in [start, start + span], often exactly on a minute (window edges)."""
    minute = start + rng.randrange(span_min) * MINUTE
    return minute if rng.random() < 0.3 else minute + timedelta(seconds=rng.randrange(1, 60))


def _leg(rng: random.Random, n: int, start: datetime, span: int) -> tuple[str, dict[str, Any]]:
    queued = _instant(rng, start, span)
    outcome = rng.choice(["answered", "answered", "abandoned", "waiting", "transferred"])
    wait = rng.choice([0.0, 3.0, 5.0, 19.0, 20.0, 20.5, 45.0, 300.0])
    finished = None if outcome == "waiting" else queued + timedelta(seconds=wait)
    leg = CallLeg(
        leg_id=f"leg-{n}",
        contact_id=f"c-{n}",
        channel="phone",
        queue="q",
        service_type="tax",
        queued_at=queued,
        outcome=outcome,
        finished_at=finished,
        wait_s=None if finished is None else wait,
        rings=rng.choice([None, 1, 3, 4, 5, 9]) if outcome == "answered" else None,
        event_ids=(f"e-{n}",),
    )
    return "call", leg.to_dict()


def _visit(rng: random.Random, n: int, start: datetime, span: int) -> tuple[str, dict[str, Any]]:
    ticketed = _instant(rng, start, span)
    called = ticketed + timedelta(seconds=rng.choice([0, 60, 180, 181, 600]))
    visit = VisitItem(
        contact_id=f"v-{n}",
        channel="face_to_face",
        queue="desk",
        service_type="tax",
        query_reason=None,
        customer_segment=None,
        customer_ref=None,
        ticketed_at=ticketed,
        called_at=called if rng.random() < 0.8 else None,
        event_ids=(f"e-{n}",),
    )
    return "visit", visit.to_dict()


def _survey(rng: random.Random, n: int, start: datetime, span: int) -> tuple[str, dict[str, Any]]:
    survey = SurveyResponse(
        item_id=f"s-{n % 40}",  # the same survey id again replaces it
        contact_id=f"c-{n}",
        channel="face_to_face",
        queue="desk",
        score=rng.randrange(11),
        answered_at=_instant(rng, start, span),
    )
    return "survey", survey.to_dict()


def _case(rng: random.Random, n: int, start: datetime, span: int) -> tuple[str, dict[str, Any]]:
    opened = _instant(rng, start, span)
    resolved = opened + timedelta(minutes=rng.choice([0, 5, 90])) if rng.random() < 0.9 else None
    case = CaseItem(
        item_id=f"k-{n % 60}",
        channel="phone",
        queue="q",
        service_type="tax",
        customer_ref=f"cust-{rng.randrange(8)}" if rng.random() < 0.9 else None,
        opened_at=opened,
        resolved_at=resolved,
        resolution=rng.choice(["first_contact", "first_contact", "follow_up"]),
        contacts=rng.choice([1, 1, 1, 2]),
        event_ids=(f"e-{n}",),
    )
    return "case", case.to_dict()


def _touch(rng: random.Random, n: int, start: datetime, span: int) -> tuple[str, dict[str, Any]]:
    touch = Touch(
        touch_id=f"t-{n}",
        contact_id=f"k-{rng.randrange(60)}" if rng.random() < 0.3 else f"other-{n}",
        customer_ref=f"cust-{rng.randrange(8)}",
        service_type="tax",
        channel="phone",
        query_reason=None,
        at=_instant(rng, start, span),
    )
    return "touch", touch.to_dict()


MAKERS = {
    "phone/q": [_leg],
    "face_to_face/desk": [_visit, _survey],
    "service/tax": [_case, _touch],
}


def _oracle(scope: str, items: ScopeItems, minute: datetime) -> list[tuple[Any, ...]]:
    figures = {w: window_figures(scope, items, w, minute, STANDARDS) for w in windows_of(scope)}
    return [_key(o) for o in aggregate_observations(scope, items, figures, minute, STANDARDS)]


def _key(obs: Any) -> tuple[Any, ...]:
    return (obs.standard, obs.window, obs.value, obs.volume, obs.target, obs.direction, obs.at)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(
    ("scope", "start"),
    [
        ("phone/q", datetime(2026, 3, 28, 22, 0, tzinfo=UTC)),  # across the spring DST night
        ("face_to_face/desk", datetime(2026, 10, 24, 21, 0, tzinfo=UTC)),  # autumn DST night
        ("service/tax", datetime(2026, 10, 31, 12, 0, tzinfo=UTC)),  # across a month's end
    ],
)
def test_running_sums_equal_a_scan_at_every_minute(scope: str, start: datetime, seed: int) -> None:
    rng = random.Random(seed)
    items = ScopeItems()
    ledger = items.judged_ledger(scope, STANDARDS)
    span = 36 * 60  # facts over 36 h, the clock walking through them
    made: list[tuple[str, dict[str, Any]]] = []
    compared = 0
    minute = start
    for n in range(900):
        maker = rng.choice(MAKERS[scope])
        kind, fact = maker(rng, n, start, span)
        items.upsert(kind, fact)
        made.append((kind, fact))
        if rng.random() < 0.08 and made:  # a fact retracted (moved to another scope)
            kind, old = rng.choice(made)
            if kind != "touch":
                key = old.get("leg_id") or old["item_id"]
                items.retract(kind, key)
        if rng.random() < 0.02:
            items.pruned_at = None  # prune now, whatever the hour
            items.prune(minute - timedelta(minutes=rng.randrange(0, 120)), STANDARDS)
        if n % 3 == 0:
            minute += MINUTE * rng.choice([1, 1, 1, 2, 7, 61])
            observed = ledger.observations(minute)
            assert observed is not None
            assert [_key(o) for o in observed] == _oracle(scope, items, minute)
            compared += sum(o.volume > 0 for o in observed)
    assert compared > 100  # many comparisons had contacts in their window


def _answered(n: int, at: datetime) -> dict[str, Any]:
    leg = CallLeg(
        leg_id=f"leg-{n}",
        contact_id=f"c-{n}",
        channel="phone",
        queue="q",
        service_type="tax",
        queued_at=at,
        outcome="answered",
        finished_at=at + timedelta(seconds=5),
        wait_s=5.0,
        rings=1,
    )
    return leg.to_dict()


def test_unchanged_figures_are_skipped_only_when_asked() -> None:
    items = ScopeItems()
    ledger = items.judged_ledger("phone/q", STANDARDS)
    start = datetime(2026, 5, 5, 9, tzinfo=UTC)
    items.upsert("call", _answered(1, start))
    assert ledger.observations(start + 90 * MINUTE, skip_if_unchanged=True)  # first: judged
    # at 91 min the rolling windows were already empty and today's figures are the same
    assert ledger.observations(start + 91 * MINUTE, skip_if_unchanged=True) is None
    unchanged = ledger.observations(start + 92 * MINUTE)  # not skipped unless asked
    assert unchanged is not None and len(unchanged) == 6
    items.upsert("call", _answered(2, start + 60 * MINUTE))  # changes today's figures
    changed = ledger.observations(start + 93 * MINUTE, skip_if_unchanged=True)
    assert changed is not None
    today_rings = next(
        o for o in changed if (o.standard, o.window) == ("phone.answer_rings", "today")
    )
    assert today_rings.volume == 2
