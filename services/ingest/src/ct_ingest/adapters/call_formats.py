"""Finding and reading call-record formats: built-in by name, or a TOML file by path."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from ct_ingest.adapters.call_records import CallFormat

_PACKAGE = "ct_ingest.adapters.formats"


class FormatUnknown(ValueError):
    """No built-in format has that name, and it is no readable format file."""


def builtin_formats() -> list[str]:
    """Names of the built-in formats."""
    files = resources.files(_PACKAGE).iterdir()
    return sorted(f.name.removesuffix(".toml") for f in files if f.name.endswith(".toml"))


def load_format(name_or_path: str) -> CallFormat:
    """The built-in format ``name_or_path``, or the format in that TOML file."""
    if name_or_path in builtin_formats():
        text = resources.files(_PACKAGE).joinpath(f"{name_or_path}.toml").read_text("utf-8")
        where = f"built-in format {name_or_path}"
    else:
        path = Path(name_or_path)
        if path.suffix != ".toml" or not path.is_file():
            known = ", ".join(builtin_formats())
            raise FormatUnknown(f"unknown format {name_or_path!r}; built-in: {known}")
        text, where = path.read_text("utf-8"), str(path)
    try:
        return CallFormat.model_validate(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        raise FormatUnknown(f"{where}: not valid TOML ({exc})") from None
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise FormatUnknown(f"{where}: {problems}") from None
