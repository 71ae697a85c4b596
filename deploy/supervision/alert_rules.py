"""Prometheus alerting rules for every standard of the charter, mirroring the stream.

The sla_monitor judges aggregate standards in event time: no alert below ``min_volume``
contacts, raise when the figure crosses its target, clear only once it is ``clear_margin``
past the target for ``clear_after_s``. The rules do the same on the exported gauges:

* raise: figure on the wrong side of the target with enough volume, ``for`` the allowed
  lateness (the stream waits that long before it judges a minute);
* hold (hysteresis): while the alert fires, it stays while the figure has not recovered
  past the margin, or the volume is too low to judge (``ALERTS`` is the rule's own state);
* clear: ``keep_firing_for`` the stream's ``clear_after_s``.

Contact deadlines (emails, complaints) are decided in the stream with live timers; their
rules read ``sla_open_alerts`` (and the pending gauges), so both views agree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ct_sla_monitor.core.standards import Standards

from .charter import duration, num, pct

JOIN = "on (channel, queue, window)"
OPEN = 'state=~"raised|escalated"'
GUIDE = "README.md#supervision-prometheus-alerts-and-dashboards"
#: Alertmanager templates: the figure, and a ratio with its window
VALUE = "{{ $value }}"
RATIO = "{{ $value | humanizePercentage }} ({{ $labels.window }})"


@dataclass(frozen=True, slots=True)
class Aggregate:
    """An aggregate standard judged on a ratio with a volume behind it."""

    alert: str
    standard: str
    figure: str  # selector of the ratio, windows included
    volume: str  # selector of the contacts behind it
    target: float
    direction: str  # "min": at least the target; "max": at most
    summary: str
    action: str


def aggregate_expr(a: Aggregate, s: Standards) -> str:
    """Raise on a breach with volume; hold while firing and not yet recovered."""
    margin, volume = s.alerts.clear_margin, s.alerts.min_volume
    bad, good = ("<", ">=") if a.direction == "min" else (">", "<=")
    recovered = a.target + margin if a.direction == "min" else a.target - margin
    enough = f"{JOIN} {a.volume} >= {volume}"
    return (
        f"(\n  {a.figure} {bad} {num(a.target)}\n  and {enough}\n)\nor\n(\n"
        f"  (\n    {a.figure}\n    unless {JOIN}\n"
        f"    ({a.figure} {good} {num(recovered)} and {enough})\n  )\n"
        f'  and {JOIN} ALERTS{{alertname="{a.alert}", alertstate="firing"}}\n)\n'
    )


def aggregates(s: Standards) -> tuple[Aggregate, ...]:
    """The aggregate standards, with the charter's numbers."""
    p, t = s.phone, num(s.calls.service_level_threshold_s)
    phone = 'channel="phone"'
    return (
        Aggregate(
            "PhoneAnswerRingsBelowTarget",
            "phone.answer_rings",
            f'sla_answered_within_rings_ratio{{{phone}, window=~"rolling_15m|today"}}',
            f"sla_answered_contacts{{{phone}}}",
            p.answer_rings_target,
            "min",
            f"answered within {s.calls.answer_within_rings} rings is {RATIO}; "
            f"target {pct(p.answer_rings_target)}",
            "Check agents are ready and ring groups reach free agents.",
        ),
        Aggregate(
            "PhoneServiceLevelBelowTarget",
            "phone.service_level",
            f'sla_service_level_ratio{{{phone}, variant="{s.calls.service_level_variant}", '
            'window=~"rolling_30m|today"}',
            f"sla_offered_contacts{{{phone}}}",
            p.service_level_target,
            "min",
            f"answered within {t} s is {RATIO}; target {pct(p.service_level_target)}",
            "Move agents onto this queue; see the Phone queues board.",
        ),
        Aggregate(
            "PhoneAbandonmentAboveMaximum",
            "phone.abandonment",
            f'sla_abandonment_ratio{{{phone}, window=~"rolling_30m|today"}}',
            f"sla_offered_contacts{{{phone}}}",
            p.abandonment_max,
            "max",
            f"abandonment is {RATIO}; limit {pct(p.abandonment_max)}",
            "Add agents; check queue announcements and call-back offers.",
        ),
        Aggregate(
            "ReceptionQueueTimeBelowTarget",
            "visit.queue_time",
            'sla_visit_called_in_time_ratio{channel="face_to_face", window="today"}',
            # the stream counts visitors called; tickets issued is the exported volume
            'sla_visit_ticketed_contacts{channel="face_to_face"}',
            s.visit.target,
            "min",
            f"called within {num(s.visit.queue_time_s)} s is {RATIO}; target {pct(s.visit.target)}",
            "Open another desk; see the Reception board.",
        ),
        Aggregate(
            "FirstContactResolutionBelowTarget",
            "all.first_contact_resolution",
            'sla_fcr_final_ratio{channel="service", window="month_to_date"}',
            # the stream counts decided cases; resolved cases is the exported volume
            'sla_cases_resolved_contacts{channel="service"}',
            s.resolution.fcr_target,
            "min",
            f"first-contact resolution is {RATIO}; target {pct(s.resolution.fcr_target)}",
            "Look at repeat contacts by query reason on the Resolution & satisfaction board.",
        ),
        Aggregate(
            "NpsBelowFloor",
            "all.satisfaction_nps",
            'sla_nps_score{window="today"}',
            "sla_nps_responses",
            s.satisfaction.nps_floor,
            "min",
            f"NPS is {VALUE} ({{{{ $labels.window }}}}); floor {num(s.satisfaction.nps_floor)}",
            "Read today's detractor comments for this channel and queue.",
        ),
    )


def _rule(
    alert: str,
    expr: str,
    severity: str,
    standard: str | None,
    summary: str,
    action: str,
    s: Standards,
    *,
    for_s: float,
    keep_s: float | None = None,
) -> dict[str, Any]:
    rule: dict[str, Any] = {"alert": alert, "expr": expr, "for": duration(for_s)}
    if keep_s is not None:
        rule["keep_firing_for"] = duration(keep_s)
    # None keeps the standard of the alert the expression reads (escalation)
    labels = {"severity": severity} | ({} if standard is None else {"standard": standard})
    rule["labels"] = labels | {"charter": s.version}
    rule["annotations"] = {
        "summary": "{{ $labels.channel }}/{{ $labels.queue }}: " + summary,
        "description": action,
        "runbook_url": GUIDE,
    }
    return rule


def _contact(standard: str, state: str) -> str:
    return f'sum by (channel, queue) (sla_open_alerts{{standard="{standard}", {state}}}) > 0'


def _pending(name: str) -> str:
    return f'max by (channel, queue) ({name}{{queue!="all", window="today"}}) > 0'


def rule_groups(s: Standards) -> list[dict[str, Any]]:
    """Every rule group, with the charter's numbers filled in."""
    hold, lateness = s.alerts.clear_after_s, s.allowed_lateness_s
    e, hours = s.email, num(s.email.follow_up_working_hours)
    standards = [
        _rule(
            a.alert,
            aggregate_expr(a, s),
            "critical",
            a.standard,
            a.summary,
            a.action,
            s,
            for_s=lateness,
            keep_s=hold,
        )
        for a in aggregates(s)
    ]
    warning = 'state="warning"'
    at_risk = _contact("email.follow_up", warning)
    breached = _contact("email.follow_up", OPEN)
    contacts = [
        _rule(
            "EmailAcknowledgeBreached",
            _contact("email.acknowledge", OPEN),
            "critical",
            "email.acknowledge",
            f"{VALUE} email(s) not acknowledged within {num(e.acknowledge_within_s)} s",
            "Acknowledge them now and check the mailbox's auto-reply.",
            s,
            for_s=60,
        ),
        _rule(
            "EmailFollowUpAtRisk",
            f"{at_risk}\nor\n{_pending('sla_email_at_risk_contacts')}",
            "warning",
            "email.follow_up",
            f"{VALUE} email(s) past {pct(e.at_risk_fraction)} of the {hours} "
            "working-hour allowance",
            "Answer them today, before they breach.",
            s,
            for_s=60,
        ),
        _rule(
            "EmailFollowUpBreached",
            f"{breached}\nor\n{_pending('sla_email_breached_contacts')}",
            "critical",
            "email.follow_up",
            f"{VALUE} email(s) unanswered past the {hours} working-hour deadline",
            "Answer them now, oldest first (GET /v1/pending lists them).",
            s,
            for_s=60,
        ),
        _rule(
            "ReceptionVisitorWaitingTooLong",
            _pending("sla_visit_breaching_contacts"),
            "critical",
            "visit.queue_time",
            f"{VALUE} visitor(s) waiting over {num(s.visit.queue_time_s)} s",
            "Call them now and open another desk.",
            s,
            for_s=60,
        ),
        _rule(
            "ComplaintStageResponseAtRisk",
            _contact("complaint.stage_response", warning),
            "warning",
            "complaint.stage_response",
            "{{ $value }} complaint stage(s) close to their response deadline",
            "Prioritise the response.",
            s,
            for_s=60,
        ),
        _rule(
            "ComplaintStageResponseBreached",
            _contact("complaint.stage_response", OPEN),
            "critical",
            "complaint.stage_response",
            "{{ $value }} complaint stage(s) past their response deadline",
            "Respond now and tell the complainant when to expect the answer.",
            s,
            for_s=60,
        ),
    ]
    escalation = _rule(
        "SlaBreachEscalated",
        'max without (alertname, alertstate) (\n  label_replace(ALERTS{alertstate="firing", '
        'severity="critical", standard!=""}, "breach", "$1", "alertname", "(.+)")\n)',
        "page",
        None,
        f"{{{{ $labels.breach }}}} has been breached for {duration(s.alerts.escalate_after_s)}",
        "Escalate to the duty manager: the breach is not being brought back.",
        s,
        for_s=s.alerts.escalate_after_s,
    )
    return [
        {"name": "ct-charter-standards", "rules": standards},
        {"name": "ct-charter-deadlines", "rules": contacts},
        {"name": "ct-charter-escalation", "rules": [escalation]},
    ]


def rules_yaml(s: Standards) -> str:
    """The rule file as YAML: expressions as literal blocks, other strings JSON-quoted."""
    out = [
        f"# Generated by `python -m deploy.supervision` from the charter {s.version}; do not edit.",
        "# Thresholds, volumes, for: and keep_firing_for: are the standards file's numbers.",
        "groups:",
    ]
    for group in rule_groups(s):
        out += [f"  - name: {group['name']}", "    rules:"]
        for rule in group["rules"]:
            out.append(f"      - alert: {rule['alert']}")
            out.append("        expr: |")
            out += [f"          {line}" for line in rule["expr"].rstrip("\n").split("\n")]
            for key in ("for", "keep_firing_for"):
                if key in rule:
                    out.append(f"        {key}: {rule[key]}")
            for key in ("labels", "annotations"):
                out.append(f"        {key}:")
                out += [f"          {k}: {json.dumps(v)}" for k, v in rule[key].items()]
    return "\n".join(out) + "\n"
