# mypy: disable-error-code="untyped-decorator"
"""faust wiring: topics, tables and the two agents. Decode, call a handler, encode."""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import faust
import faust.streams as faust_streams
import orjson
from aiokafka.partitioner import murmur2

from ct_broker.log_throttle import throttle_client_logs
from ct_broker.topics import (
    CALL_OUTCOMES,
    CONTACT_EVENTS,
    CONTACT_EVENTS_DLQ,
    SLA_ALERTS,
    SLA_METRICS,
)
from ct_sla_monitor.encoding import dumps, loads
from ct_sla_monitor.faust_app import App
from ct_sla_monitor.handlers import SOURCE, ContactStage, Rejected, ScopeStage
from ct_sla_monitor.in_order import (
    InOrder,
    committed_of,
    in_order,
    read_again,
    unacked_if_stopped,
)
from ct_sla_monitor.settings import MonitorSettings
from ct_sla_monitor.standards_file import StandardsBook, default_standards, load_standards
from ct_sla_monitor.write_behind import WriteBehind

log = logging.getLogger("ct_sla_monitor")


def faust_app_settings(settings: MonitorSettings, data_dir: Path) -> dict[str, Any]:
    """The faust settings of the monitor (and of the benchmarks' baselines beside it):
    the brokers, the memory store, the group timeouts tuned for a fast join, acks=all."""
    data_dir.mkdir(parents=True, exist_ok=True)
    return {
        "broker": [f"kafka://{hp.strip()}" for hp in settings.kafka_bootstrap_servers.split(",")],
        "store": "memory://",
        "datadir": str(data_dir),
        "web_enabled": False,
        "topic_partitions": settings.partitions,
        "topic_replication_factor": 1,
        "broker_session_timeout": settings.session_timeout_s,
        "broker_rebalance_timeout": settings.rebalance_timeout_s,
        "broker_heartbeat_interval": settings.heartbeat_interval_s,
        "broker_request_timeout": _request_timeout_s(settings),
        "consumer_auto_offset_reset": "earliest",
        "producer_acks": -1,
        "producer_enable_idempotence": settings.kafka_enable_idempotence,
    }


def create_monitor_app(settings: MonitorSettings, book: StandardsBook) -> faust.App:
    """The faust application with both stages, configured from ``settings``."""
    app = App(settings.app_id, **faust_app_settings(settings, settings.data_dir))
    raw = {
        "key_type": bytes,
        "value_type": bytes,
        "key_serializer": "raw",
        "value_serializer": "raw",
    }
    events = app.topic(CONTACT_EVENTS, partitions=settings.partitions, **raw)
    dlq = app.topic(CONTACT_EVENTS_DLQ, partitions=1, **raw)
    outcomes = app.topic(CALL_OUTCOMES, partitions=settings.partitions, **raw)
    metrics = app.topic(SLA_METRICS, partitions=settings.partitions, **raw)
    alerts = app.topic(SLA_ALERTS, partitions=settings.partitions, **raw)

    # Each agent takes its records in batches and writes each changed table key once per
    # batch (WriteBehind): a changelog record per key per batch, not per record. Records
    # are handled one by one, in order, as before. faust acks a batch (and may then commit
    # its offsets) without waiting for what the agent sent, so each batch waits until its
    # output and changelog records are acknowledged by the broker: a crash loses no state
    # or output whose input is committed.
    acks1, acks2 = Acks(), Acks()
    partitions = settings.partitions
    contacts = _held(_table(app, "contacts", None, partitions, acks1))
    facts = _held(_table(app, "scope-facts", None, partitions, acks2))
    futures = _held(_table(app, "scope-future", int, partitions, acks2))
    metas = _held(_table(app, "scope-meta", None, partitions, acks2))
    contact_alerts = _held(_table(app, "scope-contact-alerts", None, partitions, acks2))
    # faust can hand records over out of order around a rebalance (see in_order)
    order1, order2 = InOrder(committed_of(app)), InOrder(committed_of(app))
    stage1 = ContactStage(contacts, book)
    stage2 = ScopeStage(facts, metas, book, contact_alerts=contact_alerts)
    batch_max, within = settings.batch_max, settings.batch_within_s

    @app.agent(events)
    async def contact_lifecycle(stream: faust.Stream[bytes]) -> None:
        async for batch in stream.take_events(batch_max, within=within):
            with unacked_if_stopped(batch):
                grouped: dict[str, list[dict[str, Any]]] = {}  # each scope's messages, in order
                admitted = in_order(order1, batch)
                await read_again(order1, app)
                for event in admitted:
                    _enter(event)
                    value: bytes = event.value
                    clock = event_clock(value, event.message.timestamp, settings)
                    try:
                        result = clock if isinstance(clock, Rejected) else stage1.handle(value)
                    except Exception as exc:  # a bug must not stop the agent; the record is kept
                        log.error("stage 1 failed on a record: %s", type(exc).__name__)
                        result = Rejected("processing_error", [{"rule": type(exc).__name__}])
                    if isinstance(result, Rejected):
                        acks1.add(
                            await dlq.send(
                                key=event.key, value=value, headers=_reason_headers(result)
                            )
                        )
                        continue
                    source = [event.message.partition, event.message.offset]
                    for scope_key, message in result.items():
                        message = {**message, SOURCE: source}
                        if clock == FUTURE:
                            message[FUTURE] = True
                        grouped.setdefault(scope_key, []).append(message)
                for scope_key, messages in grouped.items():
                    for at in range(0, len(messages), MESSAGES_PER_RECORD):
                        record = dumps({MESSAGES: messages[at : at + MESSAGES_PER_RECORD]})
                        acks1.add(await outcomes.send(key=scope_key.encode(), value=record))
                # the messages are durable before the contact state that records their events
                # seen: an event found in the state on redelivery is a duplicate and sends none
                await acks1.wait()
                contacts.flush()
                await acks1.wait()

    # Live, each scope's snapshot is published at most once per publish interval (wall
    # clock, an adapter's concern): a busy scope would otherwise recompute every window on
    # every message. A snapshot that costs more waits longer, so that snapshots take at
    # most about a quarter of the worker's time however many scopes it holds (a backlog
    # is worked off first; the figures are the same whenever they are asked). Within a
    # batch, only a scope's last message may publish. Dirty scopes are flushed by the
    # timer. Alerts are decided on every message regardless.
    next_publish: dict[str, float] = {}
    dirty: set[str] = set()
    last_seen: dict[str, float] = {}  # wall time of each scope's last message (not a tick)

    @app.agent(outcomes)
    async def scope_figures(stream: faust.Stream[bytes]) -> None:
        loop = asyncio.get_running_loop()
        async for batch in stream.take_events(batch_max, within=within):
            with unacked_if_stopped(batch):
                redelivered = 0
                batch = in_order(order2, batch)
                await read_again(order2, app)
                work = [(e.key.decode(), e, m) for e in batch for m in messages_of(loads(e.value))]
                last_of = {scope_key: i for i, (scope_key, _, _) in enumerate(work)}
                for i, (scope_key, event, message) in enumerate(work):
                    _enter(event)
                    future = message.pop(FUTURE, False)
                    tick = message.get("tick")
                    if tick is None:
                        last_seen[scope_key] = time.time()
                    began = loop.time()
                    publish = last_of[scope_key] == i and began >= next_publish.get(scope_key, 0.0)
                    output = stage2.handle(
                        scope_key,
                        message,
                        tick=None if tick is None else datetime.fromisoformat(tick),
                        publish=publish,
                    )
                    redelivered += not output.applied
                    if future and output.applied:
                        futures[scope_key] += 1
                    for key, value in output.alerts:
                        acks2.add(await alerts.send(key=key, value=value))
                    if publish and output.applied:
                        cost = loop.time() - began
                        next_publish[scope_key] = began + publish_wait_s(
                            settings.publish_interval_s, cost, len(next_publish)
                        )
                        dirty.discard(scope_key)
                    else:  # held back, or a redelivery (no snapshot): the timer flushes it
                        dirty.add(scope_key)
                    if output.snapshot is not None:
                        snapshot = with_future_count(output.snapshot, futures[scope_key])
                        acks2.add(await metrics.send(key=event.key, value=snapshot))
                # the facts are durable before the meta that records their messages applied
                facts.flush()
                futures.flush()
                contact_alerts.flush()
                await acks2.wait()
                metas.flush()
                await acks2.wait()
                if redelivered:
                    log.warning(
                        "stage 2 skipped %d redelivered messages, already applied", redelivered
                    )

    @app.timer(interval=settings.tick_interval_s)
    async def deadline_ticks() -> None:
        # Live only: lets deadlines fall due when no event arrives, and flushes the scopes
        # whose snapshot was held back. The tick goes through the scope's own partition, so
        # stage 2 handles it like any message. Its instant is the wall clock, or, for a
        # scope catching up on older events, its event clock moved on (see tick_instant).
        if app.rebalancing:
            # the tables are being restored: a scope's meta read now may be an old one
            # (a restore replays the changelog from its start), and stage 2 keeps what it
            # reads until the next rebalance
            return
        wall = time.time()
        owned = {tp.partition for tp in app.consumer.assignment() if tp.topic == CALL_OUTCOMES}
        for scope_key in stage2.scopes():
            if scope_partition(scope_key, partitions) not in owned:
                # another worker's scope (its table rows linger here after a rebalance):
                # a tick from this worker's stale view of its clock would move it on
                continue
            deadlines = not scope_key.endswith("/all") and not scope_key.startswith("service/")
            if deadlines or scope_key in dirty:
                seen = last_seen.setdefault(scope_key, wall)
                lateness = stage2.standards(scope_key).allowed_lateness_s
                at = tick_instant(wall, stage2.clock(scope_key), seen, lateness)
                await outcomes.send(key=scope_key.encode(), value=dumps({"tick": at.isoformat()}))

    @app.on_partitions_revoked.connect
    async def _revoked(app: faust.App, revoked: Any, **kwargs: Any) -> None:
        stage2.forget()

    @app.on_partitions_assigned.connect
    async def _assigned(app: faust.App, assigned: Any, **kwargs: Any) -> None:
        stage2.forget()
        order1.reset()
        order2.reset()

    @app.on_rebalance_complete.connect
    async def _restored(app: faust.App, **kwargs: Any) -> None:
        # the tables are whole again: nothing read from them while they were being
        # restored may stay in stage 2's caches; and a scope taken over from another
        # worker may hold figures that worker never published (a snapshot held back):
        # the timer publishes every scope once
        stage2.forget()
        dirty.update(stage2.scopes())

    return app


def scope_partition(scope_key: str, partitions: int) -> int:
    """The call.outcomes.v1 partition of a scope's records (the producer's default
    partitioner: murmur2 of the key)."""
    return int(murmur2(scope_key.encode()) & 0x7FFFFFFF) % partitions


#: call.outcomes.v1 records carry a scope's messages from one batch of events, in order
#: (a record per message cost most of the worker's time in faust and Kafka client code)
MESSAGES = "messages"
#: at most this many messages to a record, which keeps it well under Kafka's 1 MB
MESSAGES_PER_RECORD = 100


def messages_of(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The stage-2 messages of one call.outcomes.v1 record: its batch of messages, or
    itself (a timer tick, or a record written one message at a time)."""
    messages = record.get(MESSAGES)
    return [record] if messages is None else list(messages)


#: An event ahead of its record's timestamp by more than the tolerance (a stage 1 -> 2 flag).
FUTURE = "future"


def event_clock(
    value: bytes | None, written_at_s: float | None, settings: MonitorSettings
) -> str | Rejected | None:
    """Judge a raw event's ``occurred_at`` against the time its record was written (the
    record's timestamp, so a replay judges the same): :data:`FUTURE`, a :class:`Rejected`
    (too far ahead, before ``earliest_event_time``, or beyond the calendar in UTC), or None
    (fine, or not readable: stage 1 says why)."""
    try:
        raw = orjson.loads(value or b"").get("occurred_at")
        occurred = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except (orjson.JSONDecodeError, AttributeError, ValueError):
        return None
    if occurred is None or occurred.tzinfo is None or written_at_s is None:
        return None
    try:
        occurred = occurred.astimezone(UTC)
    except OverflowError:
        return _out_of_range("out_of_range", "beyond the representable dates in UTC")
    if occurred < settings.earliest_event_time:
        return _out_of_range("too_far_in_past", "before the earliest accepted event time")
    ahead_s = occurred.timestamp() - written_at_s
    if ahead_s > settings.max_future_s:
        return _out_of_range("too_far_in_future", "too far ahead of the time it was written")
    return FUTURE if ahead_s > settings.future_tolerance_s else None


def _out_of_range(rule: str, message: str) -> Rejected:
    return Rejected("invalid_event", [{"field": "occurred_at", "rule": rule, "message": message}])


def tick_instant(
    wall_s: float, clock: datetime | None, last_seen_s: float, catch_up_after_s: float
) -> datetime:
    """The instant a live tick lets a scope's deadlines fall due at.

    The wall clock while the scope's event clock is within ``catch_up_after_s`` (the
    allowed lateness) of it: events are arriving in real time, late ones included. A
    scope further behind is catching up (a backlog, or a backfill of older events): its
    deadlines then move with its events, as in a replay, never further past its event
    clock than the wall time since its last message, so the deadlines of the past do not
    all fall due before the events that meet them have been read."""
    wall = datetime.fromtimestamp(wall_s, UTC)
    if clock is None or (wall - clock).total_seconds() <= catch_up_after_s:
        return wall
    return min(wall, clock + timedelta(seconds=max(0.0, wall_s - last_seen_s)))


#: a scope's snapshot waits at most this long behind its figures
MAX_PUBLISH_WAIT_S = 10.0


def publish_wait_s(interval_s: float, cost_s: float, scopes: int) -> float:
    """How long a scope waits before its next snapshot: the publish interval, or four
    times the snapshot's cost for every scope the worker publishes (snapshots then use at
    most about a quarter of its time), capped at MAX_PUBLISH_WAIT_S."""
    return max(interval_s, min(MAX_PUBLISH_WAIT_S, 4.0 * cost_s * max(scopes, 1)))


def with_future_count(snapshot: bytes, count: int) -> bytes:
    """The snapshot with its scope's ``future`` counter (unchanged while there is none)."""
    if not count:
        return snapshot
    return dumps({**loads(snapshot), FUTURE: {"future_events_total": count}})


class Acks:
    """The broker acknowledgements a batch waits for (its records' send futures)."""

    def __init__(self) -> None:
        self._pending: list[Awaitable[Any]] = []

    def add(self, sent: Awaitable[Any]) -> None:
        self._pending.append(sent)

    async def wait(self) -> None:
        """Until every record added so far is acknowledged (a failed send raises)."""
        pending, self._pending = self._pending, []
        if pending:
            await asyncio.gather(*pending)


class _AckedTable(faust.Table):  # type: ignore[misc]
    """A faust Table whose changelog records are added to an :class:`Acks`."""

    acks: Acks

    def send_changelog(self, *args: Any, **kwargs: Any) -> Any:
        sent = super().send_changelog(*args, **kwargs)
        self.acks.add(sent)
        return sent


def _table(app: faust.App, name: str, default: Any, partitions: int, acks: Acks) -> Any:
    """``app.Table(name, default=default, partitions=partitions)``, as an _AckedTable."""
    table = _AckedTable(
        app, name=name, default=default, beacon=app.tables.beacon, partitions=partitions
    )
    table.acks = acks
    return app.tables.add(table)


def _enter(event: Any) -> None:
    """Make ``event`` faust's current event: a table writes a key's changelog to the
    partition of the record being handled, which faust finds through this context
    variable. ``take_events`` fills its batch in another task, so the agent sets it."""
    faust_streams._current_event.set(None if event is None else weakref.ref(event))


def _held(table: Any) -> WriteBehind:
    return WriteBehind(table, current=faust_streams.current_event, enter=_enter)


def _request_timeout_s(settings: MonitorSettings) -> float:
    """faust's broker request timeout: three Kafka request timeouts, but never below twice
    the session timeout (faust refuses to start when the session timeout is the larger)."""
    return max(settings.kafka_request_timeout_s * 3, settings.session_timeout_s * 2)


def _reason_headers(rejected: Rejected) -> list[tuple[str, bytes]]:
    return [
        ("ct-reason", rejected.reason.encode()),
        ("ct-errors", dumps(rejected.errors)),
        ("ct-stage", b"sla_monitor.contact_lifecycle"),
    ]


def run_worker(settings: MonitorSettings | None = None) -> None:
    """Run one sla_monitor worker until SIGINT/SIGTERM."""
    settings = settings or MonitorSettings()
    book = (
        load_standards(settings.standards_file) if settings.standards_file else default_standards()
    )
    app = create_monitor_app(settings, book)
    # aiokafka, and faust's producer buffer, log every retry while the broker is away
    throttle_client_logs(prefixes=("aiokafka", "faust.transport"))
    # the Kafka client's debug records cost a tenth of the worker's time when the root
    # logger lets them through; it speaks at warning and above only
    logging.getLogger("aiokafka").setLevel(logging.WARNING)
    worker = faust.Worker(app, loglevel=settings.log_level, quiet=True)
    worker.execute_from_commandline()
