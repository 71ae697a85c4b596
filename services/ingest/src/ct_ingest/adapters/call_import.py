"""Reading a per-call records file through a format: batches of events and a report.

Every data row is counted. A malformed row (wrong number of fields, a time or number that
does not parse, an unknown outcome) is recorded with its line number and reason and
skipped, never silently; rows of an ignored outcome are counted by their value.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ct_ingest.adapters.call_records import CallFormat, FormatMismatch, RowInvalid, RowMapper

Event = dict[str, Any]


@dataclass(slots=True)
class ImportReport:
    """What a file held: rows read, calls by outcome, rows skipped and why."""

    rows: int = 0
    answered: int = 0
    abandoned: int = 0
    not_offered: int = 0
    ignored: Counter[str] = field(default_factory=Counter)
    malformed: list[tuple[int, str]] = field(default_factory=list)
    events: int = 0

    @property
    def offered(self) -> int:
        """Calls that reached a queue or an agent: answered + abandoned."""
        return self.answered + self.abandoned

    @property
    def skipped(self) -> int:
        """Rows that gave no events for a reason other than not being offered."""
        return sum(self.ignored.values()) + len(self.malformed)


def count_lines(path: Path) -> int:
    """Physical lines in the file (for a progress bar's total)."""
    lines, last = 0, b"\n"
    with path.open("rb") as raw:
        while chunk := raw.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last != b"\n")


def read_call_records(
    path: Path,
    fmt: CallFormat,
    tz: ZoneInfo,
    source: str,
    report: ImportReport,
    *,
    batch_size: int = 500,
    progress: Callable[[int], None] | None = None,
) -> Iterator[list[Event]]:
    """Batches of the file's events, filling ``report`` as rows are read. ``progress`` is
    told how many physical lines each step consumed. A header without the format's
    columns raises :class:`~ct_ingest.adapters.call_records.FormatMismatch`."""
    with path.open(encoding=fmt.encoding, errors="replace", newline="") as text:
        reader = csv.reader(text, delimiter=fmt.delimiter, strict=True)
        try:
            header = next(reader)
        except (StopIteration, csv.Error):
            raise FormatMismatch(fmt.required_columns()) from None
        mapper = RowMapper(fmt, header, tz, source)
        done = reader.line_num
        if progress:
            progress(done)
        batch: list[Event] = []
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error:
                report.rows += 1
                report.malformed.append((reader.line_num, "not readable as a delimited row"))
                continue
            finally:
                if progress:
                    progress(reader.line_num - done)
                done = reader.line_num
            if not any(cell.strip() for cell in row):
                continue  # a blank line holds no call
            report.rows += 1
            try:
                result = mapper.map(row)
            except RowInvalid as exc:
                report.malformed.append((reader.line_num, str(exc)))
                continue
            if result.kind == "ignored":
                report.ignored[result.label] += 1
            elif result.kind == "not_offered":
                report.not_offered += 1
            elif result.kind == "answered":
                report.answered += 1
            else:
                report.abandoned += 1
            batch.extend(result.events)
            if len(batch) >= batch_size:
                report.events += len(batch)
                yield batch
                batch = []
        if batch:
            report.events += len(batch)
            yield batch
