"""Field types the JSON webhook adapters share (pydantic, pure)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal, TypeVar

import orjson
from pydantic import AfterValidator, AwareDatetime, BaseModel, Field, ValidationError

from ct_ingest.adapters.refusals import PayloadInvalid, from_validation

#: A name as the contract takes it (queue, service type, segment).
Name = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")]
#: A free identifier the source gives (message id, submission id, ticket), kept short.
SourceId = Annotated[str, Field(min_length=1, max_length=998)]
QueryReason = Literal["problem", "query", "clarification", "complaint"]


def _in_utc(moment: datetime) -> datetime:
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValueError("the instant is out of range") from None


#: An instant with its offset (RFC 3339), held in UTC.
Instant = Annotated[AwareDatetime, AfterValidator(_in_utc)]

ModelT = TypeVar("ModelT", bound=BaseModel)


def parse_payload(model: type[ModelT], raw: bytes) -> ModelT:
    """``raw`` JSON validated as ``model``, or :class:`PayloadInvalid` naming field and rule."""
    try:
        data: Any = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise PayloadInvalid.one("(body)", "json_invalid", "body is not valid JSON") from None
    if not isinstance(data, dict):
        raise PayloadInvalid.one("(body)", "object_type", "the body is a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise from_validation(exc) from None


def dimensions(payload: BaseModel) -> dict[str, Any]:
    """The optional contract dimensions a payload carries (``None`` left out)."""
    names = ("service_type", "query_reason", "customer_segment")
    return {n: getattr(payload, n) for n in names if getattr(payload, n, None) is not None}
