"""The Resolution & satisfaction board."""

from __future__ import annotations

from ct_sla_monitor.core.standards import Standards

from .boards_overview import SERVICE_TYPE
from .charter import num, pct
from .panels import AMBER, GREEN, RED, Board, Panel, Query, Variable, at_least

SERVICE = 'channel="service", queue=~"$service_type"'
CONTACTS = 'channel=~"$channel", queue=~"$queue"'
#: Pipeline thresholds (not the charter's): the same numbers as deploy/rules/pipeline_health.yml.
LAG_WARNING = 1000
UP: tuple[tuple[str, float | None], ...] = ((RED, None), (GREEN, 1.0))


def resolution_satisfaction(s: Standards) -> Board:
    """First-contact resolution, fix time, repeat contacts, NPS and complaints."""
    r, m = s.resolution, s.alerts.clear_margin
    days = num(r.recontact_window_s / 86400)
    channel = Variable(
        "channel",
        "Channel",
        'label_values(sla_snapshot_event_time_seconds{channel!="service"}, channel)',
    )
    queue = Variable(
        "queue",
        "Queue",
        'label_values(sla_snapshot_event_time_seconds{channel=~"$channel"}, queue)',
    )
    return Board(
        uid="ct-resolution",
        title="Resolution & satisfaction",
        description="First-contact resolution, fix times, repeat contacts, complaints and NPS.",
        variables=(SERVICE_TYPE, channel, queue),
        panels=(
            Panel(
                "First-contact resolution (month to date)",
                "stat",
                (Query(f'sla_fcr_final_ratio{{{SERVICE}, window="month_to_date"}}', "{{queue}}"),),
                f"Cases resolved at the first contact with no new contact within {days} days, "
                f"of cases decided this month. Target {pct(r.fcr_target)}.",
                "look at the repeat contacts below: the top query reasons are the ones to fix "
                "at the source (clearer letters, web pages, forms).",
                "percentunit",
                at_least(r.fcr_target, m),
            ),
            Panel(
                "Including provisional (month to date)",
                "stat",
                (
                    Query(
                        f'sla_fcr_provisional_ratio{{{SERVICE}, window="month_to_date"}}',
                        "{{queue}}",
                    ),
                ),
                f"The same counting cases still inside their {days}-day re-contact window; it "
                "can still fall.",
                "already below target before the window closes: the final figure will be too.",
                "percentunit",
                at_least(r.fcr_target, m),
            ),
            Panel(
                "Fix time (month to date)",
                "stat",
                (
                    Query(
                        f'sla_fix_time_mean_seconds{{{SERVICE}, window="month_to_date"}}',
                        "calendar {{queue}}",
                    ),
                    Query(
                        f'sla_fix_time_working_mean_seconds{{{SERVICE}, window="month_to_date"}}',
                        "working {{queue}}",
                    ),
                ),
                "Mean time from case opened to resolved, in calendar and in working time.",
                None,
                "s",
                width=12,
            ),
            Panel(
                "Cases resolved (month to date)",
                "timeseries",
                (
                    Query(
                        f'sla_cases_resolved_contacts{{{SERVICE}, window="month_to_date"}}',
                        "resolved {{queue}}",
                    ),
                    Query(
                        f'sla_fcr_final_contacts{{{SERVICE}, window="month_to_date"}}',
                        "first contact, final {{queue}}",
                    ),
                    Query(
                        f'sla_fcr_provisional_contacts{{{SERVICE}, window="month_to_date"}}',
                        "first contact, provisional {{queue}}",
                    ),
                ),
                "Resolved cases, and those resolved at first contact (final and provisional).",
                None,
                width=12,
                height=8,
            ),
            Panel(
                "Repeat contacts (today)",
                "timeseries",
                (Query(f'sla_repeat_contacts{{{SERVICE}, window="today"}}', "{{queue}}"),),
                f"Contacts by customers who had contacted about the same service within "
                f"{days} days. GET /v1/kpis?channel=service splits them by query reason.",
                None,
                width=12,
                height=8,
            ),
            Panel(
                "Net Promoter Score (today)",
                "stat",
                (Query(f'sla_nps_score{{{CONTACTS}, window="today"}}', "{{channel}} {{queue}}"),),
                f"Promoters (9-10) minus detractors (0-6), in points. Floor "
                f"{num(s.satisfaction.nps_floor)}.",
                "read the detractors' comments for that channel and queue today.",
                "none",
                ((RED, None), (GREEN, s.satisfaction.nps_floor)),
            ),
            Panel(
                "Survey responses (today)",
                "stat",
                (
                    Query(
                        f'sla_nps_responses{{{CONTACTS}, window="today"}}', "{{channel}} {{queue}}"
                    ),
                ),
                f"Responses behind the NPS. Under {s.alerts.min_volume} (amber) no alert is "
                "raised: too few to judge.",
                None,
                "short",
                ((AMBER, None), (GREEN, float(s.alerts.min_volume))),
            ),
            Panel(
                "Complaints raised (today)",
                "stat",
                (
                    Query(
                        f'sla_complaints_raised_contacts{{{CONTACTS}, window="today"}}',
                        "{{channel}} {{queue}}",
                    ),
                ),
                "Complaints opened today (stage 1).",
                None,
            ),
            Panel(
                "Complaint escalation rate (today)",
                "stat",
                (
                    Query(
                        f'sla_complaint_escalation_ratio{{{CONTACTS}, window="today"}}',
                        "{{channel}} {{queue}}",
                    ),
                ),
                "Complaints escalated to a further stage, of those raised.",
                None,
                "percentunit",
            ),
            Panel(
                "Demand by service type (today)",
                "bargauge",
                (Query(f'sla_demand_contacts{{{SERVICE}, window="today"}}', "{{queue}}"),),
                "Contacts started today on any channel, per service type.",
                None,
                width=12,
                height=7,
            ),
        ),
    )
