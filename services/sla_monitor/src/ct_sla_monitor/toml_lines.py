"""Where a field of a TOML document is written: a map from field paths to line numbers,
so that errors name the line (tomllib reports none for valid syntax)."""

from __future__ import annotations

import re
from collections.abc import Mapping

Loc = tuple[str | int, ...]

_KEY = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_DOTTED = rf"{_KEY}(?:\s*\.\s*{_KEY})*"
_HEADER = re.compile(rf"\s*(\[\[?)\s*({_DOTTED})\s*\]")
_ASSIGN = re.compile(rf"\s*({_DOTTED})\s*=(.*)")
_PART = re.compile(_KEY)


def line_of(path: Loc, lines: Mapping[Loc, int]) -> int:
    """The line of the deepest part of ``path`` written in the file (1 when none is)."""
    for end in range(len(path), 0, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return 1


def line_map(text: str) -> dict[Loc, int]:
    """Where each table and key is written: field path -> first line number."""
    lines: dict[Loc, int] = {}
    arrays: dict[Loc, int] = {}  # array-of-tables path -> entries so far
    table: Loc = ()
    depth, multiline = 0, ""
    for number, line in enumerate(text.splitlines(), start=1):
        if multiline:
            if line.count(multiline) % 2:
                multiline = ""
            continue
        if depth > 0:
            depth += _bracket_depth(line)
            continue
        if header := _HEADER.match(line):
            table = _table_path(_split_key(header[2]), arrays, header[1] == "[[")
            lines.setdefault(table, number)
        elif assign := _ASSIGN.match(line):
            key = _split_key(assign[1])
            for end in range(1, len(key) + 1):
                lines.setdefault(table + key[:end], number)
            value = assign[2]
            multiline = next((q for q in ('"""', "'''") if value.count(q) % 2), "")
            depth = 0 if multiline else _bracket_depth(value)
    return lines


def _split_key(dotted: str) -> tuple[str, ...]:
    return tuple(p[1:-1] if p[0] in "\"'" else p for p in _PART.findall(dotted))


def _table_path(keys: tuple[str, ...], arrays: dict[Loc, int], is_array: bool) -> Loc:
    path: Loc = ()
    for n, key in enumerate(keys, start=1):
        path += (key,)
        if is_array and n == len(keys):
            arrays[path] = arrays.get(path, 0) + 1
            path += (arrays[path] - 1,)
        elif path in arrays:
            path += (arrays[path] - 1,)
    return path


def _bracket_depth(fragment: str) -> int:
    """Brackets opened minus closed in a line, outside strings and comments."""
    depth, quote, escaped = 0, "", False
    for c in fragment:
        if quote:
            if escaped:
                escaped = False
            elif c == "\\" and quote == '"':
                escaped = True
            elif c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c == "#":
            break
        elif c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
    return depth
