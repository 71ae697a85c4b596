"""IngestSettings: CT_INGEST_* for ingest, the unprefixed KAFKA_* for the broker; frozen."""

from __future__ import annotations

import os

import pytest
from pydantic import ValidationError

from ct_ingest.settings import IngestSettings


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith(("CT_INGEST_", "KAFKA_"))]:
        monkeypatch.delenv(name)

    settings = IngestSettings()

    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert (settings.max_body_bytes, settings.max_batch_events) == (1_048_576, 1000)
    assert settings.retry_after_s == 5
    assert all(field.description for field in IngestSettings.model_fields.values())


def test_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CT_INGEST_PORT", "9001")
    monkeypatch.setenv("CT_INGEST_RETRY_AFTER_S", "11")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")
    monkeypatch.setenv("KAFKA_REQUEST_TIMEOUT_S", "3")

    settings = IngestSettings()

    assert (settings.port, settings.retry_after_s) == (9001, 11)
    assert settings.kafka_bootstrap_servers == "kafka:9092"
    assert settings.producer_config()["request_timeout_ms"] == 3000


def test_frozen_and_validated() -> None:
    settings = IngestSettings()
    with pytest.raises(ValidationError):
        settings.port = 1  # type: ignore[misc]
    with pytest.raises(ValidationError):
        IngestSettings(max_body_bytes=0)
