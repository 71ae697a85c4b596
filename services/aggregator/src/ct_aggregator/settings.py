"""The aggregator's one Settings, read from the environment once at start."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from ct_broker.settings import KafkaSettings

#: a read token shorter than this is refused: it could be guessed
MIN_TOKEN_LENGTH = 16


def _split(value: object) -> object:
    """A comma-separated string from the environment as a list (other values unchanged)."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class AggregatorSettings(KafkaSettings):
    """Settings of the aggregator (env prefix ``CT_AGGREGATOR_``)."""

    model_config = SettingsConfigDict(
        env_prefix="CT_AGGREGATOR_", frozen=True, hide_input_in_errors=True
    )

    host: str = Field(default="127.0.0.1", description="Interface the API listens on.")
    port: int = Field(default=8001, ge=1, le=65535, description="Port of the query API.")
    metrics_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="Serve /metrics on this separate port too; unset: only on the API port.",
    )
    standards_file: Path | None = Field(
        default=None,
        description="The standards file to publish at /v1/standards; unset: the built-in "
        "default charter. Give the sla_monitor the same file.",
    )
    read_tokens: Annotated[tuple[SecretStr, ...], NoDecode] = Field(
        default=(),
        description="Comma-separated read tokens for supervisors (at least 16 characters "
        "each). When set, /v1/* and /wallboard need 'Authorization: Bearer <token>'; unset: "
        "open (for development). Separate from ingest's keys.",
    )
    queues: Annotated[tuple[str, ...] | None, NoDecode] = Field(
        default=None,
        description="Comma-separated queues that get their own Prometheus label; any other "
        "queue is exported as 'other'. Unset: the first max_queues queues seen.",
    )
    max_queues: int = Field(
        default=50,
        ge=1,
        le=1000,
        description="Without a queue list, at most this many queue (and service type) "
        "labels; later ones share 'other'. The JSON API always keeps real names.",
    )
    interval_history_max: int = Field(
        default=20_000,
        ge=1,
        description="Most (scope, 15-minute interval) entries kept for /v1/intervals; the "
        "oldest intervals go first.",
    )
    stream_heartbeat_s: float = Field(
        default=15.0,
        gt=0,
        le=300,
        description="Idle seconds before /v1/stream sends a keep-alive comment.",
    )
    stream_queue_size: int = Field(
        default=512,
        ge=8,
        description="Events buffered per /v1/stream client; a client that falls further "
        "behind gets a fresh full state instead of the missed events.",
    )

    alert_retention_hours: float = Field(
        default=24.0,
        gt=0,
        description="A cleared alert stays in /v1/alerts?state=all this long (event time, "
        "after the newest alert of its queue), then is forgotten; open alerts always stay.",
    )
    stall_after_s: float = Field(
        default=30.0,
        gt=0,
        description="A partition of the sla_monitor's input with records waiting and no "
        "committed progress for this long is stalled: /readyz fails naming it, and "
        "ct_consumer_stalled is 1.",
    )

    @field_validator("read_tokens", "queues", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        return _split(value)

    @field_validator("read_tokens")
    @classmethod
    def _long_enough(cls, tokens: tuple[SecretStr, ...]) -> tuple[SecretStr, ...]:
        if any(len(token.get_secret_value()) < MIN_TOKEN_LENGTH for token in tokens):
            raise ValueError(f"every read token needs at least {MIN_TOKEN_LENGTH} characters")
        return tokens

    @field_validator("queues")
    @classmethod
    def _no_empty_list(cls, queues: tuple[str, ...] | None) -> tuple[str, ...] | None:
        return queues or None
