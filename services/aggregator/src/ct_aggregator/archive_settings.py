"""Settings of the raw-event archiver (env prefix ``CT_ARCHIVE_``, Kafka via ``KAFKA_*``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ct_broker.settings import KafkaSettings
from ct_broker.topics import CONTACT_EVENTS


class ArchiveSettings(KafkaSettings):
    """Where and how often ``ct archive run`` writes the archive."""

    model_config = SettingsConfigDict(env_prefix="CT_ARCHIVE_", frozen=True)

    data_dir: Path = Field(
        default=Path("var/archive"),
        description="The archive's directory: one sub-directory per UTC day of record "
        "timestamps, each with its segments and manifest.",
    )
    topic: str = Field(
        default=CONTACT_EVENTS, description="The topic archived (the system of record)."
    )
    flush_records: int = Field(
        default=1000,
        ge=1,
        description="Write the buffered records to disk once this many are waiting.",
    )
    flush_seconds: float = Field(
        default=1.0,
        gt=0,
        le=300,
        description="Write buffered records at the latest this many seconds after the first "
        "of them arrived: how long a record may sit in memory before it is durable.",
    )
    segment_max_records: int = Field(
        default=50_000,
        ge=1,
        description="A day's segment takes flushes until it holds this many records; the "
        "next flush starts a new numbered segment.",
    )
