"""The aggregator's one Settings, read from the environment once at start."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ct_broker.settings import KafkaSettings


class AggregatorSettings(KafkaSettings):
    """Settings of the aggregator (env prefix ``CT_AGGREGATOR_``)."""

    model_config = SettingsConfigDict(env_prefix="CT_AGGREGATOR_", frozen=True)

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
