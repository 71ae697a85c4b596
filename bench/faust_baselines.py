# mypy: disable-error-code="untyped-decorator"
"""The faust baselines of the SLA engine benchmark, run as their own worker process.

``python -m bench.faust_baselines table`` (baseline A) keeps one faust Table keyed by
contact and updates it on every event, the naive way; ``python -m bench.faust_baselines
decode`` (baseline B) only decodes each event. Both read ``contact.events.v1`` with the
sla_monitor's own faust settings (``MonitorSettings``: session and rebalance timeout,
heartbeat, memory store, offsets from the earliest), under their own consumer group.
"""

from __future__ import annotations

import argparse
import os
import time

import faust
import orjson

from ct_broker.topics import CONTACT_EVENTS
from ct_sla_monitor.agents import faust_app_settings
from ct_sla_monitor.faust_app import App
from ct_sla_monitor.settings import MonitorSettings

#: consumer group (faust app id) of each baseline
GROUPS = {"table": "bench-baseline-table", "decode": "bench-baseline-decode"}
#: set in the environment: each process appends the wall time of its first event there
MARK_FILE = "BENCH_FIRST_EVENT_FILE"


def mark_first_event() -> None:
    """Append this process's first-event wall time to ``$BENCH_FIRST_EVENT_FILE``."""
    path = os.environ.get(MARK_FILE)
    if path:
        with open(path, "a") as marks:
            marks.write(f"{time.time()}\n")


def baseline_app(kind: str, settings: MonitorSettings) -> faust.App:
    """The faust app of baseline ``kind`` (``table`` or ``decode``)."""
    app = App(GROUPS[kind], **faust_app_settings(settings, settings.data_dir / kind))
    events = app.topic(
        CONTACT_EVENTS,
        partitions=settings.partitions,
        key_type=bytes,
        value_type=bytes,
        key_serializer="raw",
        value_serializer="raw",
    )
    if kind == "table":
        contacts = app.Table("bench-contacts", default=None, partitions=settings.partitions)

        @app.agent(events)
        async def naive_table(stream: faust.Stream[bytes]) -> None:
            first = True
            async for event in stream.events():
                if first:
                    mark_first_event()
                    first = False
                body = orjson.loads(event.value)
                key = body["contact_id"]
                state = contacts.get(key) or {"events": 0}
                contacts[key] = {"events": state["events"] + 1, "last": body["type"]}

    else:

        @app.agent(events)
        async def decode_only(stream: faust.Stream[bytes]) -> None:
            async for event in stream.events():
                orjson.loads(event.value)

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kind", choices=sorted(GROUPS), help="table: baseline A; decode: B")
    args = parser.parse_args()
    settings = MonitorSettings()
    worker = faust.Worker(
        baseline_app(args.kind, settings), loglevel=settings.log_level, quiet=True
    )
    worker.execute_from_commandline()


if __name__ == "__main__":
    main()
