"""The snapshot store keeps the newest figures per scope; the collector exposes them
with bounded labels, read at scrape time from a fresh registry."""

from __future__ import annotations

from typing import Any

import pytest

from ct_aggregator.api import build_registry
from ct_aggregator.snapshots import SnapshotStore
from tests.phone_scenario import POSTS


def snapshot(as_of: str, offered: int, queue: str = "housing", **extra: Any) -> dict[str, Any]:
    window = {
        "offered": offered,
        "answered": offered - 1,
        "abandoned": 1,
        "short_abandoned": 0,
        "answered_within_rings": 2,
        "asa_seconds": 12.5,
        "wait_p90_seconds": None,
        "service_level": {"answered": 0.5, "offered": None},
        "waiting_now": 3,
        "longest_wait_seconds": 42.0,
        **extra,
    }
    return {
        "scope": {"channel": "phone", "queue": queue, "key": f"phone/{queue}"},
        "as_of": as_of,
        "standards_version": "builtin-1",
        "windows": {"today": window, "rolling_15m": {**window, "offered": 1}},
    }


@pytest.mark.parametrize(
    ("first", "second", "kept"),
    [
        ("2026-11-23T10:00:00+00:00", "2026-11-23T10:00:01+00:00", 2),  # newer wins
        ("2026-11-23T10:00:01+00:00", "2026-11-23T10:00:00+00:00", 1),  # older ignored
        ("2026-11-23T10:00:00+00:00", "2026-11-23T10:00:00+00:00", 2),  # same time: later record
    ],
)
def test_store_keeps_newest_by_event_time(first: str, second: str, kept: int) -> None:
    store = SnapshotStore()
    store.update(snapshot(first, offered=1))
    store.update(snapshot(second, offered=2))
    (row,) = store.rows(window="today")
    assert row.figures["offered"] == kept


def test_rows_filter_by_channel_queue_window() -> None:
    store = SnapshotStore()
    store.update(snapshot("2026-11-23T10:00:00+00:00", 5, queue="housing"))
    store.update(snapshot("2026-11-23T10:00:00+00:00", 7, queue="council_tax"))
    assert [r.queue for r in store.rows(queue="council_tax")] == ["council_tax"] * 2
    assert [r.window for r in store.rows(queue="housing")] == ["rolling_15m", "today"]
    assert list(store.rows(channel="email")) == []
    row = next(store.rows(queue="housing", window="today")).to_dict()
    assert row["offered"] == 5
    assert row["standards_version"] == "builtin-1"
    assert row["as_of"] == "2026-11-23T10:00:00+00:00"


def test_collector_exposes_figures_with_bounded_labels() -> None:
    store = SnapshotStore()
    registry = build_registry(store)
    store.update(snapshot("2026-11-23T10:00:00+00:00", 5))
    labels = {"channel": "phone", "queue": "housing", "window": "today"}
    assert registry.get_sample_value("sla_offered_contacts", labels) == 5
    assert registry.get_sample_value("sla_asa_seconds", labels) == 12.5
    assert (
        registry.get_sample_value("sla_offered_contacts", {**labels, "window": "rolling_15m"}) == 1
    )
    assert (
        registry.get_sample_value("sla_service_level_ratio", {**labels, "variant": "answered"})
        == 0.5
    )
    # no data is no sample, never a made-up zero
    assert registry.get_sample_value("sla_wait_p90_seconds", labels) is None
    assert (
        registry.get_sample_value("sla_service_level_ratio", {**labels, "variant": "offered"})
        is None
    )
    scope = {"channel": "phone", "queue": "housing"}
    assert registry.get_sample_value("sla_waiting_contacts", scope) == 3
    assert registry.get_sample_value("sla_longest_wait_seconds", scope) == 42.0
    as_of = registry.get_sample_value("sla_snapshot_event_time_seconds", scope)
    assert as_of == 1795428000.0  # 2026-11-23T10:00Z
    names = {m.name for m in registry.collect()}
    for metric in registry.collect():
        assert metric.documentation, metric.name
        for sample in metric.samples:
            bounded = {"channel", "queue", "window", "variant", "lateness", "contact_channel"}
            assert set(sample.labels) <= bounded
    assert "sla_service_level_ratio" in names


def test_other_channels_figures_and_late_events_are_exposed() -> None:
    store = SnapshotStore()
    registry = build_registry(store)
    store.update(
        {
            "scope": {"channel": "email", "queue": "enquiries", "key": "email/enquiries"},
            "as_of": "2026-11-23T10:00:00+00:00",
            "standards_version": "charter-2026.1",
            "windows": {
                "today": {
                    "email": {
                        "received": 7,
                        "pending": 3,
                        "follow_up_rate": 0.5,
                        "next_breach_in_seconds": None,
                    },
                    "nps": {"nps": -12.5, "responses": 8},
                }
            },
            "late": {"late_events_total": 4, "too_late_events_total": 1},
        }
    )
    store.update(
        {
            "scope": {"channel": "service", "queue": "all", "key": "service/all"},
            "as_of": "2026-11-23T10:00:00+00:00",
            "standards_version": "charter-2026.1",
            "windows": {
                "month_to_date": {
                    "resolution": {"fcr_rate_final": 0.75, "repeat_contacts": {"total": 2}},
                    "demand": {"contacts": 4, "channel_mix": {"phone": 0.75, "web": 0.25}},
                }
            },
        }
    )
    email = {"channel": "email", "queue": "enquiries", "window": "today"}
    assert registry.get_sample_value("sla_email_received_contacts", email) == 7
    assert registry.get_sample_value("sla_email_pending_contacts", email) == 3
    assert registry.get_sample_value("sla_email_followed_up_in_time_ratio", email) == 0.5
    assert registry.get_sample_value("sla_email_next_breach_seconds", email) is None
    assert registry.get_sample_value("sla_nps_score", email) == -12.5
    scope = {"channel": "email", "queue": "enquiries"}
    assert registry.get_sample_value("sla_late_events_total", {**scope, "lateness": "late"}) == 4
    assert (
        registry.get_sample_value("sla_late_events_total", {**scope, "lateness": "too_late"}) == 1
    )
    service = {"channel": "service", "queue": "all", "window": "month_to_date"}
    assert registry.get_sample_value("sla_fcr_final_ratio", service) == 0.75
    assert registry.get_sample_value("sla_repeat_contacts", service) == 2
    assert registry.get_sample_value("sla_demand_contacts", service) == 4
    mix = {**service, "contact_channel": "web"}
    assert registry.get_sample_value("sla_channel_mix_ratio", mix) == 0.25


def test_wait_histogram_of_todays_answered_calls() -> None:
    # the twelve-call scenario through the real stage handlers: answered waits today are
    # 3, 7, 10, 12, 13, 20, 20 and 25 s
    from tests.unit.sla_monitor.test_handlers import run

    store, _ = run(POSTS)
    registry = build_registry(store)
    scope = {"channel": "phone", "queue": "council_tax"}
    for le, count in [("5.0", 1), ("10.0", 3), ("20.0", 7), ("30.0", 8), ("+Inf", 8)]:
        value = registry.get_sample_value("contact_wait_seconds_bucket", {**scope, "le": le})
        assert value == count, le
    assert registry.get_sample_value("contact_wait_seconds_count", scope) == 8
    assert registry.get_sample_value("contact_wait_seconds_sum", scope) == 110.0
    assert registry.get_sample_value("contact_ring_seconds_count", scope) == 8
