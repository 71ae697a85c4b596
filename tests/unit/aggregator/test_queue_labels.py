"""Queue labels are bounded: a configured list, or the first ``max_queues`` queues seen;
every other queue is exported as ``other``, whose figures combine only where they can."""

from __future__ import annotations

from typing import Any

import pytest

from ct_aggregator.alert_book import AlertBook
from ct_aggregator.api import build_registry
from ct_aggregator.queue_labels import QueueLabels
from ct_aggregator.settings import AggregatorSettings
from ct_aggregator.snapshots import SnapshotStore


def test_configured_queues_keep_their_names_and_the_rest_share_other() -> None:
    labels = QueueLabels(["council_tax", "housing"], max_queues=1)
    assert labels.label("phone", "council_tax") == "council_tax"
    assert labels.label("email", "housing") == "housing"  # the list is not capped
    assert labels.label("phone", "parking") == "other"
    assert labels.label("phone", "all") == "all"


def test_without_a_list_the_first_queues_seen_are_kept() -> None:
    labels = QueueLabels(max_queues=2)
    assert [labels.label("phone", q) for q in ("a", "b", "c", "a", "all")] == [
        "a",
        "b",
        "other",
        "a",
        "all",
    ]
    # service types are counted apart: a queue list never names them
    assert [labels.label("service", s) for s in ("x", "y", "z")] == ["x", "y", "other"]


def test_settings_read_comma_separated_queues(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CT_AGGREGATOR_QUEUES", "council_tax, housing,")
    monkeypatch.setenv("CT_AGGREGATOR_MAX_QUEUES", "7")
    settings = AggregatorSettings()
    assert settings.queues == ("council_tax", "housing")
    assert settings.max_queues == 7
    monkeypatch.setenv("CT_AGGREGATOR_QUEUES", "")
    assert AggregatorSettings().queues is None


def phone(queue: str, offered: int, waiting: int, longest: float, sl: float) -> dict[str, Any]:
    figures = {
        "offered": offered,
        "answered": offered,
        "abandoned": 0,
        "short_abandoned": 0,
        "answered_within_rings": offered,
        "asa_seconds": 4.0,
        "service_level": {"offered": sl},
        "waiting_now": waiting,
        "longest_wait_seconds": longest,
    }
    return {
        "scope": {"channel": "phone", "queue": queue, "key": f"phone/{queue}"},
        "as_of": "2026-11-23T10:00:00+00:00",
        "standards_version": "v1",
        "windows": {"today": figures},
        "late": {"late_events_total": 1, "too_late_events_total": 0},
    }


def email(queue: str, pending: int, next_breach_s: float) -> dict[str, Any]:
    return {
        "scope": {"channel": "email", "queue": queue, "key": f"email/{queue}"},
        "as_of": "2026-11-23T10:00:00+00:00",
        "standards_version": "v1",
        "windows": {
            "today": {"email": {"pending": pending, "next_breach_in_seconds": next_breach_s}}
        },
    }


def test_queues_past_the_cap_combine_into_other() -> None:
    store, alerts = SnapshotStore(), AlertBook()
    for n, (offered, waiting, longest, sl) in enumerate(
        [
            (10, 1, 5.0, 0.9),
            (20, 2, 6.0, 0.8),
            (30, 3, 40.0, 0.7),
            (40, 0, 0.0, 0.6),
            (5, 4, 9.0, 1.0),
        ]
    ):
        store.update(phone(f"q{n}", offered, waiting, longest, sl))
    emails = [("q0", 1, 100.0), ("q3", 2, 50.0), ("q5", 3, 70.0), ("q6", 4, 60.0)]
    for queue, pending, next_breach_s in emails:
        store.update(email(queue, pending, next_breach_s))
    for queue in ("q1", "q4"):
        alerts.update(
            {
                "alert_id": f"a-{queue}",
                "state": "raised",
                "scope": f"phone/{queue}",
                "standard": "phone.service_level",
                "window": "today",
                "subject": None,
                "severity": 1,
            }
        )
    # scopes are read in key order (email/q0, email/q3, email/q5, ..., phone/q0, ...):
    # the first two queue names, q0 and q3, keep their labels on every channel
    registry = build_registry(store, alerts, QueueLabels(max_queues=2))

    def value(name: str, **labels: str) -> float | None:
        return registry.get_sample_value(name, labels)

    other = {"channel": "phone", "queue": "other"}  # q1, q2 and q4
    assert value("sla_offered_contacts", **other, window="today") == 20 + 30 + 5
    assert value("sla_waiting_contacts", **other) == 2 + 3 + 4
    assert value("sla_longest_wait_seconds", **other) == 40.0
    assert value("sla_late_events_total", **other, lateness="late") == 3
    # a ratio or a mean of several queues cannot be combined from them: left out
    assert value("sla_service_level_ratio", **other, window="today", variant="offered") is None
    assert value("sla_asa_seconds", **other, window="today") is None
    # the kept queues are exported as they are
    kept = {"channel": "phone", "queue": "q3", "window": "today", "variant": "offered"}
    assert value("sla_service_level_ratio", **kept) == 0.6
    email_other = {"channel": "email", "queue": "other", "window": "today"}  # q5 and q6
    assert value("sla_email_pending_contacts", **email_other) == 3 + 4
    assert value("sla_email_next_breach_seconds", **email_other) == 60.0  # the soonest
    assert value("sla_open_alerts", **other, standard="phone.service_level", state="raised") == 2
    queues = {
        s.labels["queue"] for f in registry.collect() for s in f.samples if "queue" in s.labels
    }
    assert queues == {"q0", "q3", "other"}


def test_two_hundred_queues_give_at_most_fifty_one_labels() -> None:
    store = SnapshotStore()
    for n in range(200):
        store.update(phone(f"queue{n:03d}", 10, 1, 5.0, 0.8))
    registry = build_registry(store, None, QueueLabels(max_queues=50))
    offered = [s for f in registry.collect() for s in f.samples if s.name == "sla_offered_contacts"]
    assert len(offered) == 51
    assert {s.labels["queue"] for s in offered} == {f"queue{n:03d}" for n in range(50)} | {"other"}
    assert sum(s.value for s in offered) == 200 * 10  # nothing lost, only pooled
