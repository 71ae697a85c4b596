"""What the snapshot collector exports: the figure behind each gauge, its name and help,
and how the queues past the label cap (``other``) combine.

Names never change once dashboards use them. The ``other`` bucket holds several queues,
so only figures that combine exactly are exported for it: counts add up (``sum``), the
longest or oldest wait is the largest (``max``), the next breach is the soonest
(``min``). Ratios, means and percentiles cannot be combined from their parts; for
``other`` they are left out (the channel's ``all`` series and the JSON API have them).
"""

from __future__ import annotations

from typing import Literal

Merge = Literal["sum", "max", "min"]

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
#: how the ``other`` queue label combines each gauge; a name missing here is not exported
#: for ``other``
OTHER_MERGE: dict[str, Merge] = {
    "sla_offered_contacts": "sum",
    "sla_answered_contacts": "sum",
    "sla_abandoned_contacts": "sum",
    "sla_short_abandoned_contacts": "sum",
    "sla_answered_within_rings_contacts": "sum",
    "sla_waiting_contacts": "sum",
    "sla_longest_wait_seconds": "max",
    "sla_snapshot_event_time_seconds": "max",
    "sla_email_received_contacts": "sum",
    "sla_email_pending_contacts": "sum",
    "sla_email_at_risk_contacts": "sum",
    "sla_email_breached_contacts": "sum",
    "sla_email_oldest_pending_seconds": "max",
    "sla_email_next_breach_seconds": "min",
    "sla_visit_ticketed_contacts": "sum",
    "sla_visit_waiting_contacts": "sum",
    "sla_visit_longest_wait_seconds": "max",
    "sla_visit_breaching_contacts": "sum",
    "sla_visit_walked_out_contacts": "sum",
    "sla_complaints_raised_contacts": "sum",
    "sla_nps_responses": "sum",
    "sla_cases_resolved_contacts": "sum",
    "sla_fcr_final_contacts": "sum",
    "sla_fcr_provisional_contacts": "sum",
    "sla_repeat_contacts": "sum",
    "sla_demand_contacts": "sum",
    "sla_late_events": "sum",
    "sla_future_events": "sum",
    "sla_open_alerts": "sum",
}
