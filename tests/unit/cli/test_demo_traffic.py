"""The demo traffic is valid contract data on every channel, in time order per contact."""

from __future__ import annotations

import random
from collections import Counter

from contact_events import parse_event
from ct_cli.demo_traffic import plan_contact


def test_every_planned_event_is_valid_and_in_order() -> None:
    rng = random.Random(7)
    channels: Counter[str] = Counter()
    types: set[str] = set()
    for n in range(400):
        plan = plan_contact(rng, n)
        delays = [delay for delay, _ in plan]
        assert delays == sorted(delays)
        assert len({body["event_id"] for _, body in plan}) == len(plan)
        for _, body in plan:
            event = parse_event({**body, "occurred_at": "2026-11-23T10:00:00+00:00"})
            types.add(event.type)
        channels[plan[0][1]["channel"]] += 1
    assert set(channels) == {"phone", "email", "web", "face_to_face"}
    assert {"case.resolved", "survey.answered", "visit.called", "email.responded"} <= types
