"""The sla_monitor's one Settings, read from the environment once at start."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ct_broker.settings import KafkaSettings


class MonitorSettings(KafkaSettings):
    """Settings of the faust worker (env prefix ``CT_MONITOR_``)."""

    model_config = SettingsConfigDict(env_prefix="CT_MONITOR_", frozen=True)

    app_id: str = Field(
        default="ct-sla-monitor",
        description="faust application id: the consumer group and the table topics' prefix.",
    )
    partitions: int = Field(default=4, ge=1, description="Partitions of the keyed topics.")
    session_timeout_s: float = Field(
        default=6.0,
        gt=0,
        description="Consumer-group session timeout. A fresh group's join waits about half "
        "of it on Tansu, so the faust default (60 s) would stall start-up for ~30 s.",
    )
    heartbeat_interval_s: float = Field(default=1.0, gt=0, description="Group heartbeat interval.")
    rebalance_timeout_s: float = Field(
        default=60.0,
        gt=0,
        description="How long the group waits, in a rebalance, for a worker to finish the "
        "batch in hand and rejoin. Keep it well above the longest batch: a worker left out "
        "mid-batch would write its tables' changelogs after their new owner restored them.",
    )
    data_dir: Path = Field(
        default=Path("var/sla_monitor"), description="faust's data directory (table metadata)."
    )
    log_level: str = Field(default="warn", description="faust log level: crit, error, warn, info.")
    standards_file: Path | None = Field(
        default=None,
        description="The versioned standards file (TOML); unset: the built-in default charter. "
        "A bad file stops start-up with an error naming the line and the field.",
    )
    tick_interval_s: float = Field(
        default=1.0, gt=0, description="How often live deadline timers check what fell due."
    )
    publish_interval_s: float = Field(
        default=0.5,
        ge=0,
        description="Publish each scope's snapshot at most this often (0: on every message); "
        "the timer flushes what was held back.",
    )
    batch_max: int = Field(
        default=500,
        ge=1,
        description="Each agent takes up to this many records at a time and writes each "
        "changed table key once per batch (its changelog record), before the batch is acked.",
    )
    batch_within_s: float = Field(
        default=0.05,
        gt=0,
        description="A batch is handled once this long has passed since the last, full or "
        "not: the most a record waits for its batch to fill.",
    )
    future_tolerance_s: float = Field(
        default=60.0,
        ge=0,
        description="An event whose occurred_at is more than this ahead of the time it was "
        "written to Kafka (the record's timestamp) is counted in its scopes' "
        "future_events_total (a source's clock is ahead); it is still processed.",
    )
    max_future_s: float = Field(
        default=86_400.0,
        gt=0,
        description="An event more than this ahead of its record's timestamp goes to the "
        "dead-letter topic (rule too_far_in_future): it would move its scopes' clocks.",
    )
    earliest_event_time: datetime = Field(
        default=datetime.fromisoformat("1990-01-01T00:00:00+00:00"),
        description="An event before this goes to the dead-letter topic (rule "
        "too_far_in_past): a zeroed clock (1970, year 1). Backfills of older records need "
        "an earlier value.",
    )
