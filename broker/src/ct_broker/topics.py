"""The topics of the pipeline, created explicitly with their partition counts."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, KafkaError, TopicAlreadyExistsError

CONTACT_EVENTS = "contact.events.v1"
CONTACT_EVENTS_DLQ = "contact.events.dlq.v1"
#: Internal: stage 1 (keyed by contact) hands call outcomes to stage 2 (keyed by scope).
CALL_OUTCOMES = "sla.outcomes.v1"
SLA_METRICS = "sla.metrics.v1"
SLA_ALERTS = "sla.alerts.v1"


@dataclass(frozen=True, slots=True)
class TopicSpec:
    name: str
    partitions: int


def pipeline_topics(partitions: int = 4) -> tuple[TopicSpec, ...]:
    """Every topic the pipeline uses. Keyed topics get ``partitions``; the DLQ one."""
    return (
        TopicSpec(CONTACT_EVENTS, partitions),
        TopicSpec(CONTACT_EVENTS_DLQ, 1),
        TopicSpec(CALL_OUTCOMES, partitions),
        TopicSpec(SLA_METRICS, partitions),
        TopicSpec(SLA_ALERTS, partitions),
    )


async def ensure_topics(
    bootstrap_servers: str, specs: tuple[TopicSpec, ...], timeout_s: float = 30.0
) -> list[str]:
    """Create the topics that do not exist yet; return the names created.

    Retries while the broker is still coming up, for at most ``timeout_s``.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=5000)
        try:
            await admin.start()
            existing = set(await admin.list_topics())
            missing = [s for s in specs if s.name not in existing]
            for spec in missing:
                with contextlib.suppress(TopicAlreadyExistsError):
                    await admin.create_topics([NewTopic(spec.name, spec.partitions, 1)])
            return [s.name for s in missing]
        except (KafkaConnectionError, KafkaError, OSError):
            if loop.time() > deadline:
                raise
            await asyncio.sleep(0.2)
        finally:
            await admin.close()
