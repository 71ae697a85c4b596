"""The one configuration of the ingest service, read from the environment once at start."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ct_broker.settings import KafkaSettings


class IngestSettings(KafkaSettings):
    """Ingest's settings: ``CT_INGEST_*`` variables, plus the unprefixed ``KAFKA_*`` ones."""

    model_config = SettingsConfigDict(env_prefix="CT_INGEST_", frozen=True)

    host: str = Field(default="127.0.0.1", description="Interface the HTTP server listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="TCP port of the HTTP server.")
    max_body_bytes: int = Field(
        default=1_048_576,
        gt=0,
        description="Largest request body accepted, in bytes; a longer one is refused with 413 "
        "as soon as the limit is passed, without reading the rest.",
    )
    max_batch_events: int = Field(
        default=1000,
        gt=0,
        description="Most events accepted in one POST /v1/events:batch; more gives 413.",
    )
    retry_after_s: int = Field(
        default=5,
        ge=0,
        description="Seconds a sender is told to wait (Retry-After) when the broker is down.",
    )
