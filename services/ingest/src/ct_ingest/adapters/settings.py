"""The webhook adapters' settings (``CT_ADAPTERS_*``), read from the environment once.

Ingest's own settings (``CT_INGEST_*``) hold the sources, keys and limits; these hold only
what the adapters add: Twilio's auth token (TaskRouter cannot send an API key, it signs
instead) and the names the adapters use when ingest runs open.
"""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from ct_ingest.adapters.payload_fields import Name


class AdapterSettings(BaseSettings):
    """Settings of the webhook adapters (env prefix ``CT_ADAPTERS_``)."""

    model_config = SettingsConfigDict(env_prefix="CT_ADAPTERS_", frozen=True)

    twilio_auth_token: SecretStr | None = Field(
        default=None,
        description="The Twilio account's auth token: every TaskRouter callback must carry "
        "its X-Twilio-Signature. Unset: callbacks are refused (401), unless ingest runs open "
        "(no CT_INGEST_SOURCES), when they are taken unsigned.",
    )
    twilio_public_url: str | None = Field(
        default=None,
        description="The scheme and host Twilio is configured to call (e.g. "
        "'https://contact.example.gov.uk') when ingest sits behind a proxy; the signature "
        "covers the URL Twilio requested. Unset: the URL of the request as received.",
    )
    twilio_source: Name = Field(
        default="twilio",
        description="The source of TaskRouter events. When CT_INGEST_SOURCES names it, its "
        "rate limit and rights apply.",
    )
    twilio_default_queue: Name = Field(
        default="twilio", description="Queue of a task whose attributes and event name none."
    )
    email_source: Name = Field(default="email-gateway", description="Source when ingest is open.")
    webform_source: Name = Field(default="webform", description="Source when ingest is open.")
    kiosk_source: Name = Field(default="kiosk", description="Source when ingest is open.")


class ImportSettings(BaseSettings):
    """Defaults of ``ct import-calls`` and ``ct ingest-queue-log`` (env prefix ``CT_IMPORT_``);
    their flags win."""

    model_config = SettingsConfigDict(env_prefix="CT_IMPORT_", frozen=True)

    ingest_url: str = Field(default="http://127.0.0.1:8000", description="Ingest base URL.")
    api_key: SecretStr | None = Field(default=None, description="The source's API key.")
    signing_secret: SecretStr | None = Field(
        default=None, description="The source's signing secret, when it must sign."
    )
