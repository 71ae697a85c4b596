"""Replacing raw customer identifiers with a keyed, versioned reference, pure.

A sender may put one raw identifier on an ingest input, instead of a ``customer_ref``:

- ``customer_phone``: parsed with libphonenumber (a number without a country code is read
  in the default region, e.g. ``GB``) and normalised to E.164, ``+442079460958``;
- ``customer_email``: stripped of surrounding spaces and lower-cased.

It becomes ``customer_ref = "<key version>:" + HMAC-SHA256(key, normalised)`` in hex, and the
raw field is removed, so the identifier never goes further than this function. The
canonical event has no raw-identifier fields at all. Errors name the field and the rule,
never the value.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Any

import phonenumbers

from contact_events import EventError

PHONE_FIELD = "customer_phone"
EMAIL_FIELD = "customer_email"
REF_FIELD = "customer_ref"
IDENTIFIER_FIELDS = (PHONE_FIELD, EMAIL_FIELD)
PHONE_MAX_CHARS = 64
EMAIL_MAX_CHARS = 254
KEY_VERSION = re.compile(r"^[A-Za-z0-9]{1,16}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class IdentifierInvalid(ValueError):
    """A raw identifier cannot be normalised. ``rule`` says why; the value is not kept."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(rule)
        self.rule = rule
        self.message = message


def normalise_phone(raw: str, default_region: str) -> str:
    """E.164 of a phone number; one without a country code is read in ``default_region``."""
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException:
        raise IdentifierInvalid("phone_unparseable", "not a phone number") from None
    if not phonenumbers.is_valid_number(number):
        raise IdentifierInvalid("phone_invalid", "not a valid phone number") from None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(raw: str) -> str:
    """An e-mail address stripped of surrounding white space and lower-cased."""
    address = raw.strip().lower()
    if not _EMAIL.match(address):
        raise IdentifierInvalid("email_invalid", "not an e-mail address")
    return address


@dataclass(frozen=True, slots=True)
class Pseudonymiser:
    """Turns normalised identifiers into ``customer_ref`` with the current versioned key."""

    key_version: str
    key: bytes
    default_region: str = "GB"

    def __post_init__(self) -> None:
        if not KEY_VERSION.match(self.key_version):
            raise ValueError("a key version is 1-16 letters or digits")
        if not self.key:
            raise ValueError("a pseudonymisation key cannot be empty")

    def ref(self, normalised: str) -> str:
        """``"<version>:" + HMAC-SHA256(key, normalised)`` in lower-case hex."""
        digest = hmac.new(self.key, normalised.encode(), hashlib.sha256).hexdigest()
        return f"{self.key_version}:{digest}"

    def apply(self, data: dict[str, Any]) -> tuple[dict[str, Any], list[EventError]]:
        """``data`` without raw identifiers and with their ``customer_ref``, plus the errors.

        At most one of ``customer_ref``, ``customer_phone`` and ``customer_email`` may be
        given (null counts as absent). The raw fields are removed even when invalid.
        """
        raw = {name: data[name] for name in IDENTIFIER_FIELDS if name in data}
        if not raw:
            return data, []
        clean = {name: value for name, value in data.items() if name not in raw}
        given = {name: value for name, value in raw.items() if value is not None}
        if not given:  # null is the same as absent, as for customer_ref
            return clean, []
        if len(given) + (data.get(REF_FIELD) is not None) > 1:
            message = "give at most one of customer_ref, customer_phone, customer_email"
            return clean, [EventError(REF_FIELD, "conflicting_identifiers", message)]
        [(name, value)] = given.items()
        try:
            normalised = self._normalise(name, value)
        except IdentifierInvalid as exc:
            return clean, [EventError(name, exc.rule, exc.message)]
        return clean | {REF_FIELD: self.ref(normalised)}, []

    def _normalise(self, name: str, value: Any) -> str:
        if not isinstance(value, str):
            raise IdentifierInvalid("string_type", "Input should be a valid string")
        limit = PHONE_MAX_CHARS if name == PHONE_FIELD else EMAIL_MAX_CHARS
        if len(value) > limit:
            raise IdentifierInvalid("string_too_long", f"at most {limit} characters")
        if name == PHONE_FIELD:
            return normalise_phone(value, self.default_region)
        return normalise_email(value)
