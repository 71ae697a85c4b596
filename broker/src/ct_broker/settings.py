"""Kafka client settings, mixed into every service's own ``Settings``.

The variables are not prefixed (``KAFKA_BOOTSTRAP_SERVERS``...), so one set of
variables points every service at the same broker.
"""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings


class KafkaSettings(BaseSettings):
    """Where the broker is and how clients talk to it."""

    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092",
        validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS", "kafka_bootstrap_servers"),
        description="Comma-separated host:port list of the Kafka brokers.",
    )
    kafka_enable_idempotence: bool = Field(
        default=False,
        validation_alias=AliasChoices("KAFKA_ENABLE_IDEMPOTENCE", "kafka_enable_idempotence"),
        description="Idempotent producers. Off for the embedded Tansu broker (it rejects "
        "InitProducerId); on for Apache Kafka.",
    )
    kafka_request_timeout_s: float = Field(
        default=10.0,
        gt=0,
        validation_alias=AliasChoices("KAFKA_REQUEST_TIMEOUT_S", "kafka_request_timeout_s"),
        description="Upper bound on one broker request, and on waiting for an acknowledgement.",
    )

    def producer_config(self) -> dict[str, Any]:
        """Keyword arguments for ``AIOKafkaProducer``: acks=all, bounded waits."""
        timeout_ms = int(self.kafka_request_timeout_s * 1000)
        return {
            "bootstrap_servers": self.kafka_bootstrap_servers,
            "acks": "all",
            "enable_idempotence": self.kafka_enable_idempotence,
            "request_timeout_ms": timeout_ms,
            "retry_backoff_ms": 200,
            "linger_ms": 2,
            "max_request_size": 4 * 1024 * 1024,
        }
