"""The Phone queues board."""

from __future__ import annotations

from ct_sla_monitor.core.standards import Standards

from .boards_overview import WINDOW
from .charter import num, pct
from .panels import Board, Panel, Query, Variable, at_least, at_most, wait_limit

PHONE = 'channel="phone", queue=~"$queue"'


def phone_queues(s: Standards) -> Board:
    """Phone queues: waiting now, the three phone standards, and the waits behind them."""
    p, m = s.phone, s.alerts.clear_margin
    t, rings = num(s.calls.service_level_threshold_s), s.calls.answer_within_rings
    variant, warn = s.calls.service_level_variant, s.email.at_risk_fraction
    queue = Variable("queue", "Queue", 'label_values(sla_offered_contacts{channel="phone"}, queue)')
    return Board(
        uid="ct-phone",
        title="Phone queues",
        description="Calls waiting, the phone standards per queue, and the waits behind them.",
        variables=(queue, WINDOW),
        panels=(
            Panel(
                "Calls waiting now",
                "stat",
                (Query(f"sla_waiting_contacts{{{PHONE}}}", "{{queue}}"),),
                "Callers in the queue now, not yet answered.",
                None,
            ),
            Panel(
                "Longest wait now",
                "stat",
                (Query(f"sla_longest_wait_seconds{{{PHONE}}}", "{{queue}}"),),
                f"How long the longest-waiting caller has queued. Amber from {pct(warn)} of {t} s.",
                f"someone has waited over {t} s: take that call next.",
                "s",
                wait_limit(s.calls.service_level_threshold_s, warn),
            ),
            Panel(
                f"Answered within {t} s (30 min)",
                "stat",
                (
                    Query(
                        f'sla_service_level_ratio{{{PHONE}, window="rolling_30m", '
                        f'variant="{variant}"}}',
                        "{{queue}}",
                    ),
                ),
                f"Service level as the charter judges it (variant '{variant}'). Target "
                f"{pct(p.service_level_target)}.",
                "put more agents on this queue now.",
                "percentunit",
                at_least(p.service_level_target, m),
            ),
            Panel(
                "Abandoned (30 min)",
                "stat",
                (Query(f'sla_abandonment_ratio{{{PHONE}, window="rolling_30m"}}', "{{queue}}"),),
                f"Abandoned calls of calls offered. Limit {pct(p.abandonment_max)}.",
                "callers give up: add agents, check the queue announcements.",
                "percentunit",
                at_most(p.abandonment_max, m),
            ),
            Panel(
                f"Answered within {t} s",
                "timeseries",
                (
                    Query(
                        f'sla_service_level_ratio{{{PHONE}, window=~"rolling_30m|today", '
                        f'variant="{variant}"}}',
                        "{{queue}} {{window}}",
                    ),
                ),
                f"Service level over the last 30 minutes and today. The shaded line is the "
                f"target, {pct(p.service_level_target)}.",
                "a falling line warns before the figure breaches: move agents early.",
                "percentunit",
                at_least(p.service_level_target, m),
                width=12,
                height=8,
            ),
            Panel(
                f"Answered within {rings} rings",
                "timeseries",
                (
                    Query(
                        f'sla_answered_within_rings_ratio{{{PHONE}, window=~"rolling_15m|today"}}',
                        "{{queue}} {{window}}",
                    ),
                ),
                f"Answered calls picked up within {rings} rings ({num(s.calls.ring_cycle_s)} s "
                f"a ring). Target {pct(p.answer_rings_target)}.",
                "calls ring unanswered at free agents: check agent states and ring groups.",
                "percentunit",
                at_least(p.answer_rings_target, m),
                width=12,
                height=8,
            ),
            Panel(
                "Abandonment",
                "timeseries",
                (
                    Query(
                        f'sla_abandonment_ratio{{{PHONE}, window=~"rolling_30m|today"}}',
                        "{{queue}} {{window}}",
                    ),
                ),
                f"Abandoned of offered, over 30 minutes and today. Limit {pct(p.abandonment_max)}.",
                "add agents; offer call-backs when the wait is long.",
                "percentunit",
                at_most(p.abandonment_max, m),
                width=12,
                height=8,
            ),
            Panel(
                "Service level by variant ($window)",
                "table",
                (Query(f'sla_service_level_ratio{{{PHONE}, window="$window"}}'),),
                "The four ways vendors count service level, side by side (answered, offered, "
                f"ignore_abandons, positive_abandons). The charter judges '{variant}'.",
                None,
                "percentunit",
                width=12,
                height=8,
            ),
            Panel(
                "Calls ($window)",
                "timeseries",
                (
                    Query(
                        f'sla_offered_contacts{{{PHONE}, window="$window"}}', "offered {{queue}}"
                    ),
                    Query(
                        f'sla_answered_contacts{{{PHONE}, window="$window"}}', "answered {{queue}}"
                    ),
                    Query(
                        f'sla_abandoned_contacts{{{PHONE}, window="$window"}}',
                        "abandoned {{queue}}",
                    ),
                    Query(
                        f'sla_short_abandoned_contacts{{{PHONE}, window="$window"}}',
                        "short abandons {{queue}}",
                    ),
                ),
                f"Calls offered, answered and abandoned in the window; short abandons (under "
                f"{num(s.calls.short_abandon_s)} s) are counted apart and left out of the rates.",
                None,
                width=12,
                height=8,
            ),
            Panel(
                "Speed of answer ($window)",
                "timeseries",
                tuple(
                    Query(f'{name}{{{PHONE}, window="$window"}}', f"{label} {{{{queue}}}}")
                    for name, label in (
                        ("sla_asa_seconds", "mean"),
                        ("sla_wait_p50_seconds", "p50"),
                        ("sla_wait_p90_seconds", "p90"),
                        ("sla_wait_p99_seconds", "p99"),
                    )
                ),
                f"Waits of answered calls: the mean (ASA) and percentiles. The line is {t} s.",
                f"the median wait is over {t} s: the queue is understaffed, not just unlucky.",
                "s",
                wait_limit(s.calls.service_level_threshold_s, warn),
                width=12,
                height=8,
            ),
        ),
    )
