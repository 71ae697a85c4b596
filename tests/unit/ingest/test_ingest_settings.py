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


PBX_HASH = "0c451d4146f1be2e8a9aedc62a15c32b4e020bc2b4f3adbff7ec18a76fb049ff"
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def _clean(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith(("CT_INGEST_", "KAFKA_"))]:
        monkeypatch.delenv(name)


def test_by_default_open_with_the_development_key_and_warns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _clean(monkeypatch)

    settings = IngestSettings()

    assert settings.environment == "local" and settings.sources == {}
    assert settings.pseudonymiser().key_version == "dev"
    assert settings.phone_default_region == "GB" and settings.signature_tolerance_s == 300
    assert settings.warnings() == [
        "no CT_INGEST_SOURCES: every request is accepted without an API key",
        "the development pseudonymisation key is in use",
    ]


def test_sources_and_keys_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    _clean(monkeypatch)
    monkeypatch.setenv(
        "CT_INGEST_SOURCES",
        f'{{"pbx-1": {{"key_hashes": ["{PBX_HASH.upper()}"], "signing_secret": "{SECRET}", '
        '"allowed": ["call."], "rate_per_s": 5, "burst": 10}}',
    )
    monkeypatch.setenv(
        "CT_INGEST_PSEUDONYMISATION_KEYS",
        '{"k1": "an-older-key-of-2025", "k2": "test-pseudonymisation-key-2026"}',
    )
    monkeypatch.setenv("CT_INGEST_PSEUDONYMISATION_CURRENT", "k2")
    monkeypatch.setenv("CT_INGEST_ENVIRONMENT", "production")

    settings = IngestSettings()

    pbx = settings.sources["pbx-1"]
    assert pbx.key_hashes == [PBX_HASH]  # stored lower-case
    assert (pbx.allowed, pbx.rate_per_s, pbx.burst) == (["call."], 5.0, 10)
    assert pbx.signing_key() is not None and len(pbx.signing_key() or b"") == 24
    assert settings.pseudonymiser().key == b"test-pseudonymisation-key-2026"
    assert settings.warnings() == []
    assert "test-pseudonymisation" not in repr(settings) and SECRET not in repr(settings)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {
                "environment": "production",
                "pseudonymisation_keys": {"k1": "x" * 20},
                "pseudonymisation_current": "k1",
            },
            "production needs CT_INGEST_SOURCES",
        ),
        (
            {"environment": "production", "sources": {"pbx-1": {"key_hashes": [PBX_HASH]}}},
            "production needs a real CT_INGEST_PSEUDONYMISATION_KEYS key",
        ),
        ({"pseudonymisation_current": "k9"}, "must name one of pseudonymisation_keys"),
        ({"pseudonymisation_keys": {"k-1": "x" * 20}}, "key version"),
        ({"pseudonymisation_keys": {"dev": "short"}}, "at least 16 characters"),
        ({"sources": {"pbx-1": {"key_hashes": ["abc"]}}}, "64 hex characters"),
        ({"sources": {"pbx-1": {"key_hashes": [PBX_HASH] * 3}}}, "at most 2 items"),
        ({"sources": {"pbx-1": {"key_hashes": []}}}, "at least 1 item"),
        (
            {"sources": {"a": {"key_hashes": [PBX_HASH]}, "b": {"key_hashes": [PBX_HASH]}}},
            "two sources",
        ),
        ({"sources": {"pbx 1": {"key_hashes": [PBX_HASH]}}}, "pattern"),
        (
            {"sources": {"pbx-1": {"key_hashes": [PBX_HASH], "signing_secret": "whsec_c2hvcnQ="}}},
            "at least 16 bytes",
        ),
        ({"sources": {"pbx-1": {"key_hashes": [PBX_HASH], "rate_per_s": 0}}}, "greater than 0"),
        ({"sources": {"pbx-1": {"key_hashes": [PBX_HASH], "owner": "x"}}}, "Extra inputs"),
        ({"phone_default_region": "XX"}, "region"),
    ],
)
def test_unsafe_or_inconsistent_settings_are_refused(
    monkeypatch: pytest.MonkeyPatch, values: dict[str, object], message: str
) -> None:
    _clean(monkeypatch)
    with pytest.raises(ValidationError, match=message):
        IngestSettings(**values)  # type: ignore[arg-type]
