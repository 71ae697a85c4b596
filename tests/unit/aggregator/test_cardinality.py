"""Events from 10,000 distinct agents and customers, on a few queues, leave the number of
exported series unchanged: agents and customers never become labels.

The events go through the real handlers of ``ct_sla_monitor.handlers`` with dict state.
Stage 1 (per contact, where agents and customers are seen) takes every event one by one.
Stage 2 evaluates every window over every fact of a scope, once per message, so feeding it
30,000 messages one by one would take minutes; here each scope gets its messages merged
into one per phase (the same facts, the latest event time), which gives the snapshot the
last of those messages would have given.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
from prometheus_client import CollectorRegistry

from ct_aggregator.api import build_registry
from ct_aggregator.snapshots import SnapshotStore
from ct_sla_monitor.core.scope_items import fact_id
from ct_sla_monitor.handlers import ContactStage, Rejected, ScopeStage
from ct_sla_monitor.standards_file import default_standards

pytestmark = pytest.mark.timeout(120)

CONTACTS = 10_000
QUEUES = ("council_tax", "housing", "switchboard")
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday
# contacts start until 10:51:40 and finish within four minutes, so every scope's clock
# ends inside the 10:45 quarter hour, with every window well filled in both phases
SPAN_S = 6700
CHANNEL_MIX = ("phone", "email", "phone", "face_to_face", "phone", "phone", "face_to_face", "phone")


def agent(i: int) -> str:
    return f"agent-{i:05d}"


def customer(i: int) -> str:
    return "k1:" + hashlib.sha256(str(i).encode()).hexdigest()


def contact_events(i: int) -> list[dict[str, Any]]:
    """The events of contact ``i``: its own agent and customer; channel by ``i % 8``."""
    at = START + timedelta(seconds=i * SPAN_S / CONTACTS)
    queue = QUEUES[i % 3]
    channel = CHANNEL_MIX[i % len(CHANNEL_MIX)]
    base = {
        "contact_id": f"c{i:05d}",
        "channel": channel,
        "queue": "reception" if channel == "face_to_face" else queue,
        "service_type": queue,
        "customer_segment": ("citizen", "business")[i % 2],
        "customer_ref": customer(i),
        "source": "cardinality-test",
    }
    steps: list[tuple[float, str, dict[str, Any]]] = []
    if channel == "phone":
        wait = float(i * 7 % 40)
        steps.append((0, "call.queued", {}))
        if i % 17 == 0:
            steps.append((wait + 6, "call.abandoned", {}))
        else:
            steps.append((wait, "call.answered", {"agent_id": agent(i), "rings": 1 + i % 5}))
    elif channel == "email":
        steps.append((0, "email.received", {}))
        steps.append((60, "email.acknowledged", {"agent_id": agent(i)}))
        if i % 3:
            steps.append((120, "email.responded", {"agent_id": agent(i)}))
        steps.append((150, "survey.answered", {"score": i % 11, "agent_id": agent(i)}))
    else:
        wait = 20 + i % 7 * 30
        steps.append((0, "visit.ticketed", {}))
        steps.append((wait, "visit.called", {"agent_id": agent(i)}))
        steps.append((wait + 30, "visit.served", {"agent_id": agent(i)}))
    if i % 5 == 0:
        steps.append((1, "case.opened", {"agent_id": agent(i)}))
        steps.append((100, "case.resolved", {"resolution": "first_contact", "contacts": 1}))
    return [
        {
            **base,
            **extra,
            "event_id": f"c{i:05d}-{n}",
            "type": kind_,
            "occurred_at": (at + timedelta(seconds=delay)).isoformat(),
        }
        for n, (delay, kind_, extra) in enumerate(steps)
    ]


def merge(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """Several stage-2 messages of one scope as one: each fact's last version (or its
    retraction), and the latest event time."""
    facts: dict[tuple[str, str], dict[str, Any] | None] = {}
    at: str | None = None
    for message in messages:
        for retract in message["retracts"]:
            facts[(retract["kind"], retract["id"])] = None
        for fact in message["upserts"]:
            facts[(fact["kind"], fact_id(fact["kind"], fact))] = fact
        if message["at"] is not None and (
            at is None or datetime.fromisoformat(message["at"]) > datetime.fromisoformat(at)
        ):
            at = message["at"]
    return {
        "at": at,
        "retracts": [{"kind": k, "id": i} for (k, i), fact in facts.items() if fact is None],
        "upserts": [fact for fact in facts.values() if fact is not None],
    }


class Pipeline:
    """Both stages with dict state, feeding a SnapshotStore."""

    def __init__(self) -> None:
        book = default_standards()
        self.stage1 = ContactStage({}, book)
        self.stage2 = ScopeStage({}, {}, book)
        self.store = SnapshotStore()

    def run(self, contacts: Iterable[int]) -> None:
        events = sorted(
            (e for i in contacts for e in contact_events(i)), key=lambda e: e["occurred_at"]
        )
        by_scope: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for event in events:
            result = self.stage1.handle(orjson.dumps(event))
            assert not isinstance(result, Rejected), result
            for scope_key, message in result.items():
                by_scope[scope_key].append(message)
        for scope_key in sorted(by_scope):
            output = self.stage2.handle(scope_key, merge(by_scope[scope_key]))
            if output.snapshot is not None:
                self.store.update(orjson.loads(output.snapshot))


def series(registry: CollectorRegistry) -> set[tuple[str, tuple[tuple[str, str], ...]]]:
    return {
        (sample.name, tuple(sorted(sample.labels.items())))
        for family in registry.collect()
        for sample in family.samples
    }


def test_ten_thousand_agents_and_customers_add_no_series() -> None:
    pipeline = Pipeline()
    registry = build_registry(pipeline.store)
    # a warm-up eleventh (every 11th contact: since 11 is prime to 8 and 3, every channel,
    # queue and service type, all through the period), then the other ten elevenths
    pipeline.run(i for i in range(CONTACTS) if i % 11 == 0)
    before = series(registry)
    pipeline.run(i for i in range(CONTACTS) if i % 11)
    after = series(registry)

    assert after == before
    assert len(before) > 300  # every figure of 13 scopes, not an empty exposition
    labels = {value for _, pairs in after for _, value in pairs}
    assert not any(v.startswith(("agent-", "k1:", "c0", "c1")) for v in labels)
    queues = {value for _, pairs in after for name, value in pairs if name == "queue"}
    assert queues == {*QUEUES, "reception", "all"}
    # the figures did take in all 10,000 contacts: today's demand counts every one
    demand = registry.get_sample_value(
        "sla_demand_contacts", {"channel": "service", "queue": "all", "window": "today"}
    )
    assert demand == CONTACTS
