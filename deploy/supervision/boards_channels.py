"""The Email & web deadlines and Reception boards."""

from __future__ import annotations

from ct_sla_monitor.core.standards import Standards

from .boards_overview import EVERY_EMAIL, WINDOW
from .charter import num, pct
from .panels import (
    AMBER,
    GREEN,
    RED,
    Board,
    Panel,
    Query,
    Variable,
    any_is,
    at_least,
    wait_limit,
)

EMAIL = 'channel=~"$channel", queue=~"$queue"'
VISIT = 'channel="face_to_face", queue=~"$queue"'


def email_deadlines(s: Standards) -> Board:
    """Email & web: what is pending, at risk and past its deadline."""
    e = s.email
    ack_min, hours = num(e.acknowledge_within_s / 60), num(e.follow_up_working_hours)
    channel = Variable("channel", "Channel", "label_values(sla_email_received_contacts, channel)")
    queue = Variable(
        "queue",
        "Mailbox",
        'label_values(sla_email_received_contacts{channel=~"$channel"}, queue)',
    )
    return Board(
        uid="ct-email",
        title="Email & web deadlines",
        description=f"Emails and web forms: acknowledged within {ack_min} min, answered "
        f"within {hours} working hours.",
        variables=(channel, queue, WINDOW),
        panels=(
            Panel(
                "Pending now",
                "stat",
                (Query(f'sla_email_pending_contacts{{{EMAIL}, window="today"}}', "{{queue}}"),),
                "Received and not yet answered.",
                None,
            ),
            Panel(
                "At risk now",
                "stat",
                (Query(f'sla_email_at_risk_contacts{{{EMAIL}, window="today"}}', "{{queue}}"),),
                f"Pending past {pct(e.at_risk_fraction)} of their {hours} working-hour allowance.",
                "answer these today, before they breach.",
                "short",
                any_is(AMBER),
            ),
            Panel(
                "Past the deadline now",
                "stat",
                (Query(f'sla_email_breached_contacts{{{EMAIL}, window="today"}}', "{{queue}}"),),
                f"Pending past the {hours} working-hour deadline.",
                "answer them now, oldest first (GET /v1/pending lists them).",
                "short",
                any_is(RED),
            ),
            Panel(
                "Next deadline in",
                "stat",
                (Query(f'sla_email_next_breach_seconds{{{EMAIL}, window="today"}}', "{{queue}}"),),
                f"Time until the next pending email breaches. Amber under {ack_min} min.",
                None,
                "s",
                ((AMBER, None), (GREEN, e.acknowledge_within_s)),
            ),
            Panel(
                "Oldest pending",
                "stat",
                (
                    Query(
                        f'sla_email_oldest_pending_seconds{{{EMAIL}, window="today"}}', "{{queue}}"
                    ),
                ),
                "Age of the oldest unanswered email or form, in calendar time.",
                None,
                "s",
            ),
            Panel(
                f"Acknowledged within {ack_min} min",
                "timeseries",
                (
                    Query(
                        f"sla_email_acknowledged_in_time_ratio{{{EMAIL}, "
                        'window=~"rolling_60m|today"}',
                        "{{queue}} {{window}}",
                    ),
                ),
                "Acknowledgements sent in time, of those decided. Charter: every one.",
                "fix the auto-reply, then acknowledge by hand.",
                "percentunit",
                EVERY_EMAIL,
                width=12,
                height=8,
            ),
            Panel(
                f"Answered within {hours} working hours",
                "timeseries",
                (
                    Query(
                        f"sla_email_followed_up_in_time_ratio{{{EMAIL}, "
                        'window=~"rolling_60m|today"}',
                        "{{queue}} {{window}}",
                    ),
                ),
                "First substantive replies in time, of those decided. Charter: every one.",
                "move staff onto the mailbox until the backlog is inside its deadlines.",
                "percentunit",
                EVERY_EMAIL,
                width=12,
                height=8,
            ),
            Panel(
                "Received ($window)",
                "timeseries",
                (Query(f'sla_email_received_contacts{{{EMAIL}, window="$window"}}', "{{queue}}"),),
                "Emails and web forms received in the window.",
                None,
                width=12,
                height=8,
            ),
            Panel(
                "Open email alerts",
                "table",
                (
                    Query(
                        f"sum by (channel, queue, standard, state) (sla_open_alerts{{{EMAIL}, "
                        'standard=~"email.acknowledge|email.follow_up"})'
                    ),
                ),
                "Deadline alerts open now: warning (at risk) or raised (breached); each "
                "raised row is an email past its deadline.",
                None,
                width=12,
                height=8,
            ),
        ),
    )


def reception(s: Standards) -> Board:
    """Reception: the queue at the desks against the queue-time standard."""
    v, m = s.visit, s.alerts.clear_margin
    minutes = num(v.queue_time_s / 60)
    queue = Variable("queue", "Desk", "label_values(sla_visit_ticketed_contacts, queue)")
    return Board(
        uid="ct-reception",
        title="Reception",
        description=f"Visitors waiting, and how many are called within {minutes} min.",
        variables=(queue, WINDOW),
        panels=(
            Panel(
                "Waiting now",
                "stat",
                (Query(f'sla_visit_waiting_contacts{{{VISIT}, window="today"}}', "{{queue}}"),),
                "Visitors with a ticket, not yet called.",
                None,
            ),
            Panel(
                "Longest wait now",
                "stat",
                (Query(f'sla_visit_longest_wait_seconds{{{VISIT}, window="today"}}', "{{queue}}"),),
                f"The longest current wait. Amber from {pct(s.email.at_risk_fraction)} of "
                f"{minutes} min.",
                "call that visitor now.",
                "s",
                wait_limit(v.queue_time_s, s.email.at_risk_fraction),
            ),
            Panel(
                f"Waiting over {minutes} min now",
                "stat",
                (Query(f'sla_visit_breaching_contacts{{{VISIT}, window="today"}}', "{{queue}}"),),
                "Visitors past the standard now: each is a live breach.",
                "open another desk or bring staff to reception.",
                "short",
                any_is(RED),
            ),
            Panel(
                f"Called within {minutes} min (today)",
                "stat",
                (Query(f'sla_visit_called_in_time_ratio{{{VISIT}, window="today"}}', "{{queue}}"),),
                f"Visitors called within {num(v.queue_time_s)} s, of those called today. "
                f"Target {pct(v.target)}.",
                "too many waited too long today: plan more desk cover for the busy hours.",
                "percentunit",
                at_least(v.target, m),
            ),
            Panel(
                f"Called within {minutes} min",
                "timeseries",
                (
                    Query(
                        f'sla_visit_called_in_time_ratio{{{VISIT}, window=~"rolling_60m|today"}}',
                        "{{queue}} {{window}}",
                    ),
                ),
                f"The same over the last hour and today; the line is {pct(v.target)}.",
                "the last hour is below target: open another desk.",
                "percentunit",
                at_least(v.target, m),
                width=12,
                height=8,
            ),
            Panel(
                "Tickets and walk-outs ($window)",
                "timeseries",
                (
                    Query(
                        f'sla_visit_ticketed_contacts{{{VISIT}, window="$window"}}',
                        "tickets {{queue}}",
                    ),
                    Query(
                        f'sla_visit_walked_out_contacts{{{VISIT}, window="$window"}}',
                        "walked out {{queue}}",
                    ),
                ),
                "Tickets issued, and visitors who left before being called.",
                None,
                width=12,
                height=8,
            ),
        ),
    )
