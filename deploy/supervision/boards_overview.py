"""The Overview board: every channel against the charter on one screen."""

from __future__ import annotations

from ct_sla_monitor.core.standards import Standards

from .charter import num, pct
from .panels import (
    GREEN,
    RED,
    Board,
    Panel,
    Query,
    Variable,
    any_is,
    at_least,
    at_most,
    wait_limit,
)

CHANNEL = Variable("channel", "Channel", "label_values(sla_snapshot_event_time_seconds, channel)")
QUEUE = Variable(
    "queue", "Queue", 'label_values(sla_snapshot_event_time_seconds{channel=~"$channel"}, queue)'
)
SERVICE_TYPE = Variable(
    "service_type", "Service type", 'label_values(sla_demand_contacts{channel="service"}, queue)'
)
WINDOW = Variable(
    "window",
    "Window",
    options=("today", "rolling_15m", "rolling_30m", "rolling_60m", "interval_15m"),
)
EVERY_EMAIL: tuple[tuple[str, float | None], ...] = ((RED, None), (GREEN, 1.0))

PHONE = 'channel="phone", queue=~"$queue"'
EMAIL = 'channel=~"email|web", queue=~"$queue"'
VISIT = 'channel="face_to_face", queue=~"$queue"'


def overview(s: Standards) -> Board:
    """Overview: one figure per standard, coloured by the charter's targets."""
    p, m = s.phone, s.alerts.clear_margin
    t, rings = num(s.calls.service_level_threshold_s), s.calls.answer_within_rings
    variant = s.calls.service_level_variant
    return Board(
        uid="ct-overview",
        title="Overview: all channels against the charter",
        description="Every standard of the charter, live, for the chosen channel and queue "
        "('all' is every queue of a channel).",
        variables=(CHANNEL, QUEUE, SERVICE_TYPE),
        panels=(
            Panel(
                f"Phone: answered within {t} s (30 min)",
                "stat",
                (
                    Query(
                        f'sla_service_level_ratio{{{PHONE}, window="rolling_30m", '
                        f'variant="{variant}"}}',
                        "{{queue}}",
                    ),
                ),
                f"Calls answered within {t} s over the last 30 minutes, of calls offered "
                f"(variant '{variant}', short abandons left out). Charter: at least "
                f"{pct(p.service_level_target)}.",
                "callers wait too long. Move agents onto the phones from email or back-office "
                "work, and open Phone queues to see which queue is behind.",
                "percentunit",
                at_least(p.service_level_target, m),
            ),
            Panel(
                f"Phone: answered within {rings} rings (15 min)",
                "stat",
                (
                    Query(
                        f'sla_answered_within_rings_ratio{{{PHONE}, window="rolling_15m"}}',
                        "{{queue}}",
                    ),
                ),
                f"Answered calls picked up within {rings} rings over the last 15 minutes. "
                f"Charter: at least {pct(p.answer_rings_target)}.",
                "agents are slow to pick up ringing calls. Check for agents in a wrap-up or "
                "not-ready state while calls ring, and for phones left ringing on empty desks.",
                "percentunit",
                at_least(p.answer_rings_target, m),
            ),
            Panel(
                "Phone: abandoned (30 min)",
                "stat",
                (Query(f'sla_abandonment_ratio{{{PHONE}, window="rolling_30m"}}', "{{queue}}"),),
                f"Callers who hung up before an answer (after the first "
                f"{num(s.calls.short_abandon_s)} s), of calls offered, over the last 30 "
                f"minutes. Charter: at most {pct(p.abandonment_max)}.",
                "callers give up. Add agents to the queue, and check the wait message and "
                "the call-back offer work.",
                "percentunit",
                at_most(p.abandonment_max, m),
            ),
            Panel(
                "Phone: longest wait now",
                "stat",
                (Query(f"sla_longest_wait_seconds{{{PHONE}}}", "{{queue}}"),),
                f"How long the longest-waiting caller has been queuing. Amber from "
                f"{pct(s.email.at_risk_fraction)} of the {t} s threshold.",
                f"a caller has waited more than {t} s: answer that queue first.",
                "s",
                wait_limit(s.calls.service_level_threshold_s, s.email.at_risk_fraction),
            ),
            Panel(
                f"Email & web: acknowledged within {num(s.email.acknowledge_within_s / 60)} "
                "min (today)",
                "stat",
                (
                    Query(
                        f'sla_email_acknowledged_in_time_ratio{{{EMAIL}, window="today"}}',
                        "{{channel}} {{queue}}",
                    ),
                ),
                "Emails and web forms acknowledged by return today, of those whose "
                "acknowledgement is decided. Charter: every one.",
                "an acknowledgement went out late or not at all. Check the auto-reply of that "
                "mailbox or form, then acknowledge the waiting ones by hand.",
                "percentunit",
                EVERY_EMAIL,
            ),
            Panel(
                f"Email & web: answered within {num(s.email.follow_up_working_hours)} working "
                "hours (today)",
                "stat",
                (
                    Query(
                        f'sla_email_followed_up_in_time_ratio{{{EMAIL}, window="today"}}',
                        "{{channel}} {{queue}}",
                    ),
                ),
                "Emails and web forms whose first substantive reply was due or sent today and "
                "was in time. Charter: every one.",
                "a reply missed its deadline. Open Email & web deadlines and answer the "
                "breached ones, oldest first.",
                "percentunit",
                EVERY_EMAIL,
            ),
            Panel(
                "Email & web: past the deadline now",
                "stat",
                (
                    Query(
                        f'sla_email_breached_contacts{{{EMAIL}, window="today"}}',
                        "{{channel}} {{queue}}",
                    ),
                ),
                "Emails and web forms still unanswered past their follow-up deadline.",
                "answer these first; each is a breach of the charter until answered.",
                "short",
                any_is(RED),
            ),
            Panel(
                f"Reception: called within {num(s.visit.queue_time_s / 60)} min (today)",
                "stat",
                (Query(f'sla_visit_called_in_time_ratio{{{VISIT}, window="today"}}', "{{queue}}"),),
                f"Visitors called to a desk within {num(s.visit.queue_time_s)} s of taking a "
                f"ticket, today. Charter: at least {pct(s.visit.target)}.",
                "visitors queue too long. Open another desk or call staff down to reception.",
                "percentunit",
                at_least(s.visit.target, m),
            ),
            Panel(
                f"Reception: waiting over {num(s.visit.queue_time_s / 60)} min now",
                "stat",
                (Query(f'sla_visit_breaching_contacts{{{VISIT}, window="today"}}', "{{queue}}"),),
                f"Visitors waiting now who took their ticket more than "
                f"{num(s.visit.queue_time_s)} s ago: each is a live breach.",
                "call the longest-waiting visitor now, and open another desk.",
                "short",
                any_is(RED),
            ),
            Panel(
                "First-contact resolution (month to date)",
                "stat",
                (
                    Query(
                        'sla_fcr_final_ratio{channel="service", queue=~"$service_type", '
                        'window="month_to_date"}',
                        "{{queue}}",
                    ),
                ),
                "Cases resolved at the first contact, of cases decided this month (a case is "
                "decided once the re-contact window has passed without a new contact). "
                f"Charter: at least {pct(s.resolution.fcr_target)}.",
                "customers have to come back. Open Resolution & satisfaction and look at the "
                "repeat contacts by service type.",
                "percentunit",
                at_least(s.resolution.fcr_target, m),
            ),
            Panel(
                "Net Promoter Score (today)",
                "stat",
                (
                    Query(
                        'sla_nps_score{channel=~"$channel", queue=~"$queue", window="today"}',
                        "{{channel}} {{queue}}",
                    ),
                ),
                f"Promoters minus detractors, in points, from today's surveys. Alert floor: "
                f"{num(s.satisfaction.nps_floor)}.",
                "more detractors than the floor allows. Read today's survey comments for the "
                "channel and queue.",
                "none",
                ((RED, None), (GREEN, s.satisfaction.nps_floor)),
            ),
            Panel(
                "Channel mix (today)",
                "bargauge",
                (
                    Query(
                        'sla_channel_mix_ratio{channel="service", queue=~"$service_type", '
                        'window="today"}',
                        "{{queue}}: {{contact_channel}}",
                    ),
                ),
                "Share of today's contacts that started on each channel, per service type.",
                None,
                "percentunit",
                width=12,
                height=7,
            ),
            Panel(
                "Open alerts (judged in the stream)",
                "table",
                (
                    Query(
                        "sum by (channel, queue, standard, state) (sla_open_alerts{channel=~"
                        '"$channel"})',
                    ),
                ),
                "Alerts the sla_monitor holds open now (warning, raised, escalated), per "
                "queue and standard; GET /v1/alerts lists them with the events behind them. "
                "Work through the raised and escalated ones; a warning is a deadline coming.",
                None,
                width=12,
                height=7,
            ),
        ),
    )
