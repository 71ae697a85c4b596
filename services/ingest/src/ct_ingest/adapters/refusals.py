"""Why a source payload cannot be mapped: the field and the rule, never the value."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from contact_events import EventError


class PayloadInvalid(ValueError):
    """The payload is not what the adapter's format describes. ``errors`` name the field and
    the rule broken; nothing in them quotes a submitted value."""

    def __init__(self, errors: Sequence[EventError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.rule}" for e in errors))
        self.errors = list(errors)

    @classmethod
    def one(cls, field: str, rule: str, message: str) -> PayloadInvalid:
        """A refusal with a single reason."""
        return cls([EventError(field, rule, message)])


def from_validation(exc: ValidationError) -> PayloadInvalid:
    """The refusal of a pydantic validation error, with values left out."""
    errors: list[EventError] = []
    for err in exc.errors(include_input=False, include_url=False, include_context=False):
        field = ".".join(str(part) for part in err["loc"]) or "(body)"
        errors.append(EventError(field, err["type"], _safe_message(err)))
    return PayloadInvalid(errors)


def _safe_message(err: Any) -> str:
    # pydantic's messages for literal and enum errors list the allowed values, never the input.
    message = str(err["msg"])
    return message if err["type"] != "json_invalid" else "not valid JSON"
