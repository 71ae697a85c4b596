"""Prometheus collector: reads the snapshot store at scrape time.

Labels come only from bounded sets (channel, queue, window, variant); never a contact,
customer or agent.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from ct_aggregator.alert_book import AlertBook
from ct_aggregator.snapshots import SnapshotStore

#: figure key in a snapshot window -> (metric name, help text)
WINDOW_GAUGES: dict[str, tuple[str, str]] = {
    "offered": ("sla_offered_contacts", "Calls offered in the window (short abandons excluded)."),
    "answered": ("sla_answered_contacts", "Calls answered in the window."),
    "abandoned": ("sla_abandoned_contacts", "Calls abandoned in the window (short excluded)."),
    "short_abandoned": ("sla_short_abandoned_contacts", "Short abandons in the window."),
    "answered_within_rings": (
        "sla_answered_within_rings_contacts",
        "Calls answered within the standard's number of rings.",
    ),
    "answered_within_rings_ratio": (
        "sla_answered_within_rings_ratio",
        "Share of answered calls answered within the standard's rings.",
    ),
    "abandonment_rate": ("sla_abandonment_ratio", "Abandoned / offered, short abandons excluded."),
    "asa_seconds": ("sla_asa_seconds", "Average speed of answer: mean wait of answered calls."),
    "wait_p50_seconds": ("sla_wait_p50_seconds", "Median wait of answered calls."),
    "wait_p90_seconds": ("sla_wait_p90_seconds", "90th percentile wait of answered calls."),
    "wait_p99_seconds": ("sla_wait_p99_seconds", "99th percentile wait of answered calls."),
}
#: (path into a window's figures, metric name, help) for the other channels' figures.
#: Service scopes (``service/<service type>``) put the service type in the queue label.
NESTED_GAUGES: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("email", "received"), "sla_email_received_contacts", "Emails and web forms received."),
    (
        ("email", "acknowledge_rate"),
        "sla_email_acknowledged_in_time_ratio",
        "Share of decided acknowledgements made within the calendar-time standard.",
    ),
    (
        ("email", "follow_up_rate"),
        "sla_email_followed_up_in_time_ratio",
        "Share of decided follow-ups sent within the working-time standard.",
    ),
    (("email", "pending"), "sla_email_pending_contacts", "Emails awaiting a follow-up now."),
    (
        ("email", "at_risk"),
        "sla_email_at_risk_contacts",
        "Pending emails past the warning share of their allowance.",
    ),
    (
        ("email", "breached_pending"),
        "sla_email_breached_contacts",
        "Pending emails past their follow-up deadline.",
    ),
    (
        ("email", "oldest_pending_seconds"),
        "sla_email_oldest_pending_seconds",
        "Age of the oldest pending email.",
    ),
    (
        ("email", "next_breach_in_seconds"),
        "sla_email_next_breach_seconds",
        "Time until the next pending email breaches.",
    ),
    (("visit", "ticketed"), "sla_visit_ticketed_contacts", "Visitors who took a ticket."),
    (
        ("visit", "served_within_rate"),
        "sla_visit_called_in_time_ratio",
        "Share of called visitors called within the queue-time standard.",
    ),
    (("visit", "waiting_now"), "sla_visit_waiting_contacts", "Visitors waiting now."),
    (
        ("visit", "longest_wait_seconds"),
        "sla_visit_longest_wait_seconds",
        "Longest current wait at reception.",
    ),
    (
        ("visit", "breaches_now"),
        "sla_visit_breaching_contacts",
        "Visitors waiting past the queue-time standard now.",
    ),
    (("visit", "walked_out"), "sla_visit_walked_out_contacts", "Visitors who left uncalled."),
    (("complaint", "raised"), "sla_complaints_raised_contacts", "Complaints raised."),
    (
        ("complaint", "escalation_rate"),
        "sla_complaint_escalation_ratio",
        "Share of complaints raised that were escalated.",
    ),
    (("nps", "nps"), "sla_nps_score", "Net Promoter Score (-100 to 100)."),
    (("nps", "responses"), "sla_nps_responses", "Survey responses behind the NPS."),
    (("resolution", "resolved"), "sla_cases_resolved_contacts", "Cases resolved."),
    (
        ("resolution", "fcr_final"),
        "sla_fcr_final_contacts",
        "Cases resolved at first contact, final (re-contact window over).",
    ),
    (
        ("resolution", "fcr_provisional"),
        "sla_fcr_provisional_contacts",
        "Cases resolved at first contact, still inside the re-contact window.",
    ),
    (
        ("resolution", "fcr_rate_final"),
        "sla_fcr_final_ratio",
        "First-contact resolution among decided cases.",
    ),
    (
        ("resolution", "fcr_rate_including_provisional"),
        "sla_fcr_provisional_ratio",
        "First-contact resolution counting provisional cases.",
    ),
    (
        ("resolution", "fix_time_seconds_mean"),
        "sla_fix_time_mean_seconds",
        "Mean case fix time, calendar time.",
    ),
    (
        ("resolution", "fix_time_working_seconds_mean"),
        "sla_fix_time_working_mean_seconds",
        "Mean case fix time, working time.",
    ),
    (
        ("resolution", "repeat_contacts", "total"),
        "sla_repeat_contacts",
        "Contacts by a customer who contacted about the same service within the window.",
    ),
    (("demand", "contacts"), "sla_demand_contacts", "Contacts started."),
)
_SCOPE = ["channel", "queue"]
_WINDOW = ["channel", "queue", "window"]


def _dig(figures: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = figures
    for part in path:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


class SnapshotCollector(Collector):
    """Exposes the latest event-time figures of every scope as gauges."""

    def __init__(self, store: SnapshotStore) -> None:
        self._store = store

    def collect(self) -> Iterator[Metric]:
        families = {
            key: GaugeMetricFamily(name, text, labels=_WINDOW)
            for key, (name, text) in WINDOW_GAUGES.items()
        }
        service_level = GaugeMetricFamily(
            "sla_service_level_ratio",
            "Service level within the standard's threshold, by vendor variant.",
            labels=[*_WINDOW, "variant"],
        )
        waiting = GaugeMetricFamily(
            "sla_waiting_contacts",
            "Calls waiting now (at the snapshot's event time).",
            labels=_SCOPE,
        )
        longest = GaugeMetricFamily(
            "sla_longest_wait_seconds",
            "Longest current wait of a call still queued.",
            labels=_SCOPE,
        )
        as_of = GaugeMetricFamily(
            "sla_snapshot_event_time_seconds",
            "Event time (Unix seconds) the scope's figures were computed at.",
            labels=_SCOPE,
        )
        nested = {
            name: GaugeMetricFamily(name, text, labels=_WINDOW) for _, name, text in NESTED_GAUGES
        }
        mix = GaugeMetricFamily(
            "sla_channel_mix_ratio",
            "Share of contacts started on each channel.",
            labels=[*_WINDOW, "contact_channel"],
        )
        late = CounterMetricFamily(
            "sla_late_events",
            "Events that arrived after a later one of their scope: within the allowed "
            "lateness (late) or beyond it (too_late). Both still count.",
            labels=[*_SCOPE, "lateness"],
        )
        seen_scopes: set[tuple[str, str]] = set()
        for row in self._store.rows():
            labels = [row.channel, row.queue, row.window]
            for path, name, _ in NESTED_GAUGES:
                value = _dig(row.figures, path)
                if isinstance(value, int | float) and not isinstance(value, bool):
                    nested[name].add_metric(labels, float(value))
            for channel, share in sorted(
                (_dig(row.figures, ("demand", "channel_mix")) or {}).items()
            ):
                mix.add_metric([*labels, channel], float(share))
            labels = [row.channel, row.queue, row.window]
            for key, family in families.items():
                value = row.figures.get(key)
                if value is not None:
                    family.add_metric(labels, float(value))
            for variant, value in sorted(row.figures.get("service_level", {}).items()):
                if value is not None:
                    service_level.add_metric([*labels, variant], float(value))
            scope = (row.channel, row.queue)
            if scope not in seen_scopes:
                seen_scopes.add(scope)
                waiting.add_metric(list(scope), float(row.figures.get("waiting_now", 0)))
                longest.add_metric(list(scope), float(row.figures.get("longest_wait_seconds", 0)))
                as_of.add_metric(list(scope), datetime.fromisoformat(row.as_of).timestamp())
        for snap in self._store.snapshots():
            scope_labels = [snap["scope"]["channel"], snap["scope"]["queue"]]
            counts = snap.get("late", {})
            late.add_metric([*scope_labels, "late"], float(counts.get("late_events_total", 0)))
            late.add_metric(
                [*scope_labels, "too_late"], float(counts.get("too_late_events_total", 0))
            )
        yield from families.values()
        yield from (service_level, waiting, longest, as_of)
        yield from nested.values()
        yield from (mix, late)


class AlertCollector(Collector):
    """Open alerts per scope, standard and state."""

    def __init__(self, alerts: AlertBook) -> None:
        self._alerts = alerts

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "sla_open_alerts",
            "Alerts open now (warning, raised or escalated), by scope and standard.",
            labels=["channel", "queue", "standard", "state"],
        )
        for (scope, standard, state), count in sorted(self._alerts.open_counts().items()):
            channel, _, queue = scope.partition("/")
            family.add_metric([channel, queue, standard, state], float(count))
        yield family
