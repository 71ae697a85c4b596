"""The Pipeline health board: is the data behind the figures complete and current?"""

from __future__ import annotations

from ct_sla_monitor.core.standards import Standards

from .charter import num
from .panels import AMBER, GREEN, RED, Board, Panel, Query, Variable, any_is

CONTACTS = 'channel=~"$channel", queue=~"$queue"'
#: Pipeline thresholds (not the charter's): the same numbers as deploy/rules/pipeline_health.yml.
LAG_WARNING = 1000
UP: tuple[tuple[str, float | None], ...] = ((RED, None), (GREEN, 1.0))


def pipeline_health(s: Standards) -> Board:
    """Pipeline health: scrapes, ingest, consumer lag, dead letters, late events."""
    lateness = num(s.allowed_lateness_s)
    channel = Variable("channel", "Channel", "label_values(sla_late_events_total, channel)")
    queue = Variable(
        "queue", "Queue", 'label_values(sla_late_events_total{channel=~"$channel"}, queue)'
    )
    return Board(
        uid="ct-pipeline",
        title="Pipeline health",
        description="Whether the figures can be trusted: every part up, events flowing, "
        "nothing stuck or rejected.",
        variables=(channel, queue),
        panels=(
            Panel(
                "Scrape targets up",
                "stat",
                (Query('up{job=~"ct-.+"}', "{{job}}"),),
                "Whether Prometheus can read each service's /metrics.",
                "the service is down or unreachable: its figures are frozen. Restart it and "
                "read its log.",
                "none",
                UP,
            ),
            Panel(
                "Lag and dead letters readable",
                "stat",
                (Query("ct_pipeline_health_up", "{{job}}"),),
                "Whether the aggregator could read the consumer lag and the dead-letter topic.",
                "the aggregator cannot reach Kafka: check the broker.",
                "none",
                UP,
            ),
            Panel(
                "sla_monitor consumer lag",
                "stat",
                (Query("sum by (topic) (ct_consumer_lag_messages)", "{{topic}}"),),
                "Events not yet processed by the sla_monitor. Figures are this far behind.",
                "the sla_monitor is down or too slow: check it runs, add workers (one per "
                "partition at most).",
                "short",
                ((GREEN, None), (AMBER, float(LAG_WARNING))),
            ),
            Panel(
                "Dead letters",
                "stat",
                (Query("sum by (reason) (ct_dlq_records_total)", "{{reason}}"),),
                "Records refused by the sla_monitor, by reason (GET /v1/dlq/stats). They "
                "count in no figure.",
                "a source sends events that do not fit the contract: read the ct-errors "
                "header of the records in contact.events.dlq.v1 and fix the sender.",
                "short",
                any_is(AMBER),
            ),
            Panel(
                "Events ingested",
                "timeseries",
                (
                    Query(
                        "sum by (outcome) (rate(ct_ingest_events_total[$__rate_interval]))",
                        "{{outcome}}",
                    ),
                ),
                "Events per second posted to ingest, by outcome.",
                None,
                "ops",
                width=12,
                height=8,
            ),
            Panel(
                "Ingest requests by status",
                "timeseries",
                (
                    Query(
                        "sum by (code) (rate(ct_ingest_requests_total[$__rate_interval]))",
                        "{{code}}",
                    ),
                ),
                "HTTP requests per second by status code. 503 means the broker could not "
                "take the events (senders retry); 422 means invalid events.",
                None,
                "reqps",
                width=12,
                height=8,
            ),
            Panel(
                "Broker acknowledgement time",
                "timeseries",
                tuple(
                    Query(
                        f"histogram_quantile({q}, sum by (le) "
                        "(rate(ct_ingest_publish_seconds_bucket[$__rate_interval])))",
                        f"p{num(q * 100)}",
                    )
                    for q in (0.5, 0.99)
                ),
                "How long ingest waits for Kafka to acknowledge a write.",
                None,
                "s",
                width=12,
                height=8,
            ),
            Panel(
                "Consumer lag by topic",
                "timeseries",
                (Query("sum by (group, topic) (ct_consumer_lag_messages)", "{{group}} {{topic}}"),),
                "The lag over time: rising means the sla_monitor falls behind.",
                None,
                "short",
                ((GREEN, None), (AMBER, float(LAG_WARNING))),
                width=12,
                height=8,
            ),
            Panel(
                "Dead letters written",
                "timeseries",
                (
                    Query(
                        "sum by (reason) (increase(ct_dlq_records_total[$__rate_interval]))",
                        "{{reason}}",
                    ),
                ),
                "New dead-letter records over time.",
                None,
                width=12,
                height=8,
            ),
            Panel(
                "Late events",
                "timeseries",
                (
                    Query(
                        "sum by (channel, lateness) (increase(sla_late_events_total"
                        f"{{{CONTACTS}}}[$__rate_interval]))",
                        "{{channel}} {{lateness}}",
                    ),
                ),
                f"Events that arrived after a later one of their queue: 'late' within the "
                f"allowed {lateness} s, 'too_late' beyond it. Both still count; a rising "
                "too_late line means a source's clock or buffering is off.",
                None,
                width=12,
                height=8,
            ),
        ),
    )
