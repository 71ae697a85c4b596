"""``ct replay``: recompute figures and alerts from recorded events with the same stage
handlers, and the same pure core, the live monitor uses.

A replay never joins the live consumer group and never writes to a topic: it reads a
JSON-lines file of canonical events, or a range of ``contact.events.v1`` with a
group-less consumer, and prints what the period gives.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition
from tqdm import tqdm

from ct_aggregator.archive_reader import merge_in_topic_order
from ct_broker.offsets import end_offsets
from ct_broker.topics import CONTACT_EVENTS
from ct_sla_monitor.replay_engine import ReplayResult
from ct_sla_monitor.replay_engine import replay_events as replay_through_stages
from ct_sla_monitor.standards_file import StandardsBook


def replay_events(
    records: Iterable[bytes],
    book: StandardsBook,
    window: str = "all",
    scope: str | None = None,
    progress: bool = False,
    total: int | None = None,
    until: datetime | Mapping[str, datetime] | None = None,
    snapshots: bool = False,
) -> ReplayResult:
    """:func:`ct_sla_monitor.replay_engine.replay_events` with a progress bar (events/s)
    on stderr when ``progress``."""
    with tqdm(
        total=total,
        unit="ev",
        unit_scale=True,
        desc="replay",
        disable=not progress,
        file=sys.stderr,
        dynamic_ncols=True,
    ) as bar:
        return replay_through_stages(
            records,
            book,
            window=window,
            scope=scope,
            on_event=lambda: bar.update(1),
            until=until,
            snapshots=snapshots,
        )


def read_jsonl(path: Path, in_file_order: bool = False) -> list[bytes]:
    """The events of a JSON-lines file in event-time order (by ``occurred_at``, then file
    order; a line that is not an event keeps its place at the start, for the stage to
    reject). A replay judges the period as it happened, whatever order it was written in.
    ``in_file_order`` keeps the lines as written: a recorded stream (an export of the topic)
    replays in the order it arrived in, late events and all."""
    keyed: list[tuple[str, int, bytes]] = []
    with path.open("rb") as handle:
        for n, line in enumerate(handle):
            line = line.strip()
            if line:
                keyed.append(("" if in_file_order else _occurred_at(line), n, line))
    keyed.sort(key=lambda item: (item[0], item[1]))
    return [line for *_, line in keyed]


def _occurred_at(line: bytes) -> str:
    try:
        value = orjson.loads(line).get("occurred_at")
        return datetime.fromisoformat(value).astimezone(UTC).isoformat() if value else ""
    except (orjson.JSONDecodeError, AttributeError, TypeError, ValueError):
        return ""


def count_lines(path: Path) -> int:
    """How many non-blank lines a file has (for the progress bar's total)."""
    with path.open("rb") as handle:
        return sum(1 for line in handle if line.strip())


async def _read_topic(
    bootstrap: str,
    start: datetime | None,
    end: datetime | None,
    topic: str,
    offsets: Mapping[int, tuple[int, int]] | None = None,
) -> list[tuple[int, int, int, bytes]]:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False
    )
    await consumer.start()
    records: list[tuple[int, int, int, bytes]] = []
    try:
        await consumer.topics()
        partitions = [
            TopicPartition(topic, p)
            for p in sorted(consumer.partitions_for_topic(topic) or ())
            if offsets is None or p in offsets
        ]
        ends = await end_offsets(consumer, partitions)  # assigns them
        begins = await consumer.beginning_offsets(partitions)
        firsts: dict[TopicPartition, int] = dict(begins)
        if start is not None:
            found = await consumer.offsets_for_times(
                {tp: int(start.timestamp() * 1000) for tp in partitions}
            )
            firsts = {tp: (found[tp].offset if found[tp] else ends[tp]) for tp in partitions}
        for tp in partitions:
            if offsets is not None:
                low, high = offsets[tp.partition]
                ends[tp] = max(firsts[tp], min(ends[tp], high + 1))
                firsts[tp] = min(ends[tp], max(firsts[tp], low))
        for tp in partitions:
            consumer.seek(tp, firsts[tp])
        remaining = {tp for tp in partitions if firsts[tp] < ends[tp]}
        end_ms = None if end is None else int(end.timestamp() * 1000)
        while remaining:
            batches = await consumer.getmany(*remaining, timeout_ms=1000)
            for tp, batch in batches.items():
                for record in batch:
                    if record.offset >= ends[tp]:
                        remaining.discard(tp)
                        break
                    if end_ms is None or record.timestamp <= end_ms:
                        records.append(
                            (record.timestamp, tp.partition, record.offset, record.value)
                        )
                    if record.offset + 1 >= ends[tp]:
                        remaining.discard(tp)
    finally:
        await consumer.stop()
    return records


def read_topic(
    bootstrap: str,
    start: datetime | None = None,
    end: datetime | None = None,
    topic: str = CONTACT_EVENTS,
    offsets: Mapping[int, tuple[int, int]] | None = None,
) -> list[bytes]:
    """The records of ``topic`` between two times (by record timestamp), merged across
    partitions in (timestamp, partition, offset) order; read without a consumer group.
    ``offsets`` (partition: (first, last), inclusive) reads only those partitions and
    offsets (times still apply)."""
    return merge_in_topic_order(asyncio.run(_read_topic(bootstrap, start, end, topic, offsets)))


_TABLE_FIELDS = (
    ("offered", "offered"),
    ("answered", "answered"),
    ("abandoned", "abandoned"),
    ("short_abandoned", "short ab."),
    ("answered_within_rings", "in rings"),
    ("asa_seconds", "ASA s"),
)


def print_tables(result: ReplayResult, out: TextIO | None = None) -> None:
    """A readable summary: per phone scope the call figures and service level, per other
    scope its figures in JSON, then the alerts."""
    out = out or sys.stdout
    print(
        f"replayed {result.events} events ({result.rejected} rejected, "
        f"{result.duplicates} duplicates) under standards {result.standards_version}, "
        f"window {result.window}",
        file=out,
    )
    phone = {k: v for k, v in result.scopes.items() if k.startswith("phone/")}
    if phone:
        header = ["scope", *(label for _, label in _TABLE_FIELDS), "SL answered", "SL offered"]
        rows = [header]
        for key, figures in sorted(phone.items()):
            sl = figures.get("service_level", {})
            rows.append(
                [
                    key,
                    *(_cell(figures.get(name)) for name, _ in _TABLE_FIELDS),
                    _cell(sl.get("answered")),
                    _cell(sl.get("offered")),
                ]
            )
        widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
        for row in rows:
            print(
                "  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)),
                file=out,
            )
    for key, figures in sorted(result.scopes.items()):
        if not key.startswith("phone/"):
            print(f"{key}: {orjson.dumps(figures, option=orjson.OPT_SORT_KEYS).decode()}", file=out)
    print(f"alerts: {len(result.alerts)}", file=out)
    for alert in result.alerts:
        print(
            f"  {alert['at']}  {alert['state']:<9} {alert['scope']:<28} {alert['standard']}"
            f"  observed={alert.get('observed')} target={alert.get('target')}"
            f"  events={len(alert.get('event_ids', []))}",
            file=out,
        )


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") if value % 1 else f"{value:.0f}"
    return str(value)
