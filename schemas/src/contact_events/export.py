"""Write the JSON Schema of the contract: ``python -m contact_events.export [DIR]``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import orjson
from pydantic import TypeAdapter

from contact_events.models import SCHEMA_VERSION, ContactEvent

SCHEMA_FILE = f"contact-event.v{SCHEMA_VERSION}.schema.json"


def contact_event_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a version-1 contact event."""
    schema = TypeAdapter(ContactEvent).json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://contact-telemetry.example/schemas/{SCHEMA_FILE}",
        "title": f"Contact event, version {SCHEMA_VERSION}",
        **schema,
    }


def render() -> bytes:
    """The schema file's exact bytes (sorted keys, two-space indent, final newline)."""
    return (
        orjson.dumps(contact_event_schema(), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
        + b"\n"
    )


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0] if args else "schemas/json") / SCHEMA_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(render())
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
