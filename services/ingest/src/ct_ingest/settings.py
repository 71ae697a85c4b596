"""The one configuration of the ingest service, read from the environment once at start.

Unsafe defaults are refused where they would matter: with ``CT_INGEST_ENVIRONMENT=production``
ingest does not start without configured sources (API keys) or with the documented
development pseudonymisation key. Locally, both are allowed and :meth:`IngestSettings.warnings`
says what is insecure.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, Self

import phonenumbers
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from ct_broker.settings import KafkaSettings
from ct_ingest.core.pseudonyms import KEY_VERSION, Pseudonymiser
from ct_ingest.core.signatures import TOLERANCE_S, signing_key

#: The documented development key: refused in production, warned about locally.
DEV_PSEUDONYMISATION_VERSION = "dev"
DEV_PSEUDONYMISATION_KEY = "insecure-development-pseudonymisation-key"
_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
_MIN_KEY_CHARS = 16
_MIN_SECRET_BYTES = 16

SourceName = Annotated[
    str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
]


class SourceSettings(BaseModel):
    """One system allowed to post: its API key hashes, optional signing secret, rights, rate."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key_hashes: list[str] = Field(
        min_length=1,
        max_length=2,
        description="SHA-256 hex of the source's API key; two during a rotation.",
    )
    signing_secret: SecretStr | None = Field(
        default=None,
        description="Standard Webhooks secret (base64, optionally 'whsec_'-prefixed). When "
        "set, every request of the source must be signed.",
    )
    allowed: list[str] = Field(
        default=["*"],
        min_length=1,
        description="What the source may post: '*', event types ('call.queued'), type "
        "prefixes ending in a dot ('call.'), or adapter routes ('/v1/...').",
    )
    rate_per_s: float = Field(default=50.0, gt=0, description="Requests a second, on average.")
    burst: int = Field(default=100, ge=1, description="Requests allowed at once (bucket size).")

    @field_validator("key_hashes")
    @classmethod
    def _hex_digests(cls, hashes: list[str]) -> list[str]:
        hashes = [h.strip().lower() for h in hashes]
        if not all(_SHA256_HEX.match(h) for h in hashes):
            raise ValueError("key_hashes are SHA-256 digests: 64 hex characters each")
        return hashes

    @field_validator("signing_secret")
    @classmethod
    def _usable_secret(cls, secret: SecretStr | None) -> SecretStr | None:
        if secret is not None and len(signing_key(secret.get_secret_value())) < _MIN_SECRET_BYTES:
            raise ValueError(f"a signing secret decodes to at least {_MIN_SECRET_BYTES} bytes")
        return secret

    def signing_key(self) -> bytes | None:
        """The HMAC key of the signing secret, or None when requests are not signed."""
        if self.signing_secret is None:
            return None
        return signing_key(self.signing_secret.get_secret_value())


class IngestSettings(KafkaSettings):
    """Ingest's settings: ``CT_INGEST_*`` variables, plus the unprefixed ``KAFKA_*`` ones."""

    model_config = SettingsConfigDict(env_prefix="CT_INGEST_", frozen=True)

    environment: Literal["local", "production"] = Field(
        default="local",
        description="'production' refuses to start with no sources or the development key.",
    )
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
    sources: dict[SourceName, SourceSettings] = Field(
        default={},
        description="JSON {name: source}. Empty: no authentication (local development only); "
        "otherwise every request needs a source's key in X-Api-Key.",
    )
    signature_tolerance_s: int = Field(
        default=TOLERANCE_S,
        ge=1,
        le=3600,
        description="A signed request's webhook-timestamp may be this far from now, either way.",
    )
    replay_cache_size: int = Field(
        default=100_000,
        ge=1,
        description="Signed message ids remembered within the tolerance; when full, new "
        "signed requests get 503 until ids expire.",
    )
    pseudonymisation_keys: dict[str, SecretStr] = Field(
        default={DEV_PSEUDONYMISATION_VERSION: SecretStr(DEV_PSEUDONYMISATION_KEY)},
        description="JSON {version: key} of the HMAC keys that turn customer identifiers "
        "into customer_ref. The default is a documented development key.",
    )
    pseudonymisation_current: str = Field(
        default=DEV_PSEUDONYMISATION_VERSION,
        description="The version of pseudonymisation_keys used for new references.",
    )
    phone_default_region: str = Field(
        default="GB",
        description="Region (ISO 3166 alpha-2) of phone numbers given without a country code.",
    )
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        default="info",
        description="Log level of the ingest process; 'debug' also logs the Kafka client's "
        "requests, with the (pseudonymised) event values.",
    )

    @field_validator("phone_default_region")
    @classmethod
    def _known_region(cls, region: str) -> str:
        region = region.upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError("not a region libphonenumber knows (ISO 3166 alpha-2, e.g. 'GB')")
        return region

    @field_validator("pseudonymisation_keys")
    @classmethod
    def _usable_keys(cls, keys: dict[str, SecretStr]) -> dict[str, SecretStr]:
        for version, key in keys.items():
            if not KEY_VERSION.match(version):
                raise ValueError("a key version is 1-16 letters or digits")
            if len(key.get_secret_value()) < _MIN_KEY_CHARS:
                raise ValueError(f"a pseudonymisation key has at least {_MIN_KEY_CHARS} characters")
        return keys

    @model_validator(mode="after")
    def _consistent_and_safe(self) -> Self:
        if self.pseudonymisation_current not in self.pseudonymisation_keys:
            raise ValueError("pseudonymisation_current must name one of pseudonymisation_keys")
        owners: dict[str, str] = {}
        for name, source in self.sources.items():
            for digest in source.key_hashes:
                if owners.setdefault(digest, name) != name:
                    raise ValueError("one API key hash is configured for two sources")
        if self.environment == "production":
            if not self.sources:
                raise ValueError("production needs CT_INGEST_SOURCES: ingest never runs open")
            if self._dev_key_in_use():
                raise ValueError("production needs a real CT_INGEST_PSEUDONYMISATION_KEYS key")
        return self

    def _dev_key_in_use(self) -> bool:
        key = self.pseudonymisation_keys[self.pseudonymisation_current].get_secret_value()
        return key == DEV_PSEUDONYMISATION_KEY

    def warnings(self) -> list[str]:
        """What is insecure about these settings (allowed outside production)."""
        found = []
        if not self.sources:
            found.append("no CT_INGEST_SOURCES: every request is accepted without an API key")
        if self._dev_key_in_use():
            found.append("the development pseudonymisation key is in use")
        return found

    def pseudonymiser(self) -> Pseudonymiser:
        """The current versioned key, ready to turn identifiers into ``customer_ref``."""
        key = self.pseudonymisation_keys[self.pseudonymisation_current]
        return Pseudonymiser(
            key_version=self.pseudonymisation_current,
            key=key.get_secret_value().encode(),
            default_region=self.phone_default_region,
        )
