"""Settings of ``ct run``: where the broker is, and the demo traffic."""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class RunSettings(BaseSettings):
    """``ct run`` settings (env prefix ``CT_RUN_``)."""

    model_config = SettingsConfigDict(env_prefix="CT_RUN_", frozen=True)

    kafka_bootstrap_servers: str | None = Field(
        default=None,
        validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS", "kafka_bootstrap_servers"),
        description="Use this Kafka. Unset: start the embedded Tansu broker.",
    )
    broker_port: int = Field(
        default=9092, ge=0, le=65535, description="Port of the embedded broker (0: any free port)."
    )
    partitions: int = Field(default=4, ge=1, description="Partitions of the keyed topics.")
    demo: bool = Field(default=True, description="Post simulated demo traffic to ingest.")
    demo_rate: float = Field(
        default=2.0,
        gt=0,
        description="Demo contacts per second on every channel (about 28% of them calls).",
    )


class SimulateSettings(BaseSettings):
    """``ct simulate`` settings (env prefix ``CT_SIMULATE_``)."""

    model_config = SettingsConfigDict(env_prefix="CT_SIMULATE_", frozen=True)

    api_key: SecretStr | None = Field(
        default=None, description="The demo source's ingest API key (ct run sets it)."
    )

    def api_key_value(self) -> str | None:
        return None if self.api_key is None else self.api_key.get_secret_value()
