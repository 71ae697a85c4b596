"""Asterisk ``queue_log`` lines to canonical call events: a pure, stateful fold.

Asterisk's app_queue writes one line per queue event (``/var/log/asterisk/queue_log``)::

    epoch|callid|queue|agent|EVENT|data1|data2|...

``callid`` is the caller channel's unique id, so one call's lines share it; the contact id is
``<pbx>-<callid>``. Every event id is derived from the PBX name and the line's own text,
so reading the same line again gives the same ``event_id`` and changes nothing downstream.

========================  ==========================================  =====================
queue_log event           data                                        canonical events
========================  ==========================================  =====================
ENTERQUEUE                url|callerid|position                       call.queued
RINGNOANSWER              ringtime (ms)                               call.ringing at
                                                                      epoch - ringtime
CONNECT                   holdtime|bridged uniqueid|ringtime (s)      call.ringing at
                                                                      epoch - ringtime,
                                                                      call.answered
ABANDON                   position|origposition|waittime              call.abandoned
EXITWITHTIMEOUT           position|origposition|waittime              call.abandoned
EXITEMPTY                 position|origposition|waittime              call.abandoned
EXITWITHKEY               key|position|origposition|waittime          call.abandoned
COMPLETECALLER/-AGENT     holdtime|calltime|origposition              call.ended
TRANSFER, BLINDTRANSFER   extension|context|holdtime|calltime|...     call.transferred
ATTENDEDTRANSFER          method|method data|holdtime|calltime|...    call.transferred
========================  ==========================================  =====================

Decisions:

- The three EXIT events count as abandoned: the caller left the queue unanswered, whether
  by hanging up, by a queue timeout, by an empty queue or by pressing a key.
- No ``rings`` are reported. queue_log gives only the answering member's last ring time, in
  whole seconds; earlier members that rang unanswered (RINGNOANSWER) rang too. The mapper
  sends every ring start as ``call.ringing``, and the standards' ring cycle turns ring time
  (first ring to answer) into rings, as for any other source. A ring never starts before
  the call joined the queue (timestamps are whole seconds, ring times milliseconds). A
  RINGNOANSWER of 0 ms (the member's device never rang) is no ring. A CONNECT without a
  ring time (Asterisk before 1.6) sends no ringing, so the queue wait counts as ring time.
- A transfer that puts the call into another queue is followed by that queue's
  ENTERQUEUE for the same callid. The mapper holds a ``call.transferred`` back until then
  (at most ``transfer_grace_s`` of log time) to fill in ``to_queue``; otherwise, or at
  :meth:`QueueLogMapper.flush`, it is sent without one.
- The caller id of ENTERQUEUE is not carried: without ingest's pseudonymisation key it
  could only travel raw.
- Events Asterisk logs about agents and queues (QUEUESTART, ADDMEMBER, PAUSE, ...) and any
  other unknown event are counted by name and skipped; malformed lines are recorded with
  their line number and reason, and skipped.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ct_ingest.adapters.naming import digest, safe_id, safe_name, timestamp

EVENTS = (
    "ENTERQUEUE",
    "RINGNOANSWER",
    "CONNECT",
    "ABANDON",
    "EXITWITHTIMEOUT",
    "EXITEMPTY",
    "EXITWITHKEY",
    "COMPLETECALLER",
    "COMPLETEAGENT",
    "TRANSFER",
    "ATTENDEDTRANSFER",
    "BLINDTRANSFER",
)
_ABANDONS = frozenset({"ABANDON", "EXITWITHTIMEOUT", "EXITEMPTY", "EXITWITHKEY"})
_COMPLETES = frozenset({"COMPLETECALLER", "COMPLETEAGENT"})
_TRANSFERS = frozenset({"TRANSFER", "ATTENDEDTRANSFER", "BLINDTRANSFER"})
_EPOCH = re.compile(r"^\d{1,12}(\.\d{1,6})?$")
_NO_AGENT = frozenset({"", "NONE"})
#: Calls with no line for this long (log time) are forgotten, so the state stays bounded.
FORGET_AFTER_MS = 86_400_000
_EPOCH_0 = datetime(1970, 1, 1, tzinfo=UTC)
MALFORMED_KEPT = 1000

Event = dict[str, Any]


class _Malformed(ValueError):
    """A line that cannot be read; the message is the reason, free of the line's values."""


@dataclass(slots=True)
class QueueLogStats:
    """What a run of the mapper saw."""

    lines: int = 0
    events: Counter[str] = field(default_factory=Counter)
    unknown: Counter[str] = field(default_factory=Counter)
    malformed: list[tuple[int, str]] = field(default_factory=list)
    malformed_count: int = 0

    def refuse(self, line_no: int, reason: str) -> None:
        """Record a malformed line (the first ``MALFORMED_KEPT`` are kept with their reason)."""
        self.malformed_count += 1
        if len(self.malformed) < MALFORMED_KEPT:
            self.malformed.append((line_no, reason))


@dataclass(frozen=True, slots=True)
class _Line:
    line_no: int
    text: str
    epoch_ms: int
    callid: str
    queue: str
    agent: str
    name: str
    data: tuple[str, ...]


class QueueLogMapper:
    """Feed it queue_log lines in file order; it returns the canonical events of each.

    ``pbx`` names the PBX in contact and event ids (two PBXes never share ids); ``source``
    is the canonical events' ``source``. :meth:`state` and ``state=`` carry open calls and
    held-back transfers across restarts.
    """

    def __init__(
        self,
        *,
        source: str = "asterisk",
        pbx: str | None = None,
        transfer_grace_s: float = 5.0,
        state: dict[str, Any] | None = None,
    ) -> None:
        self.source = safe_name(source)
        self.pbx = safe_name(pbx if pbx is not None else source)
        self.transfer_grace_ms = round(transfer_grace_s * 1000)
        self.stats = QueueLogStats()
        state = state or {}
        #: callid -> [queue, entered at, last line at] (Unix milliseconds)
        self._calls: dict[str, list[Any]] = {k: list(v) for k, v in state.get("calls", {}).items()}
        #: callid -> [held call.transferred event, its Unix milliseconds]
        self._held: dict[str, list[Any]] = {k: list(v) for k, v in state.get("held", {}).items()}

    def state(self) -> dict[str, Any]:
        """JSON-safe state: open calls and held-back transfers."""
        return {"calls": dict(self._calls), "held": dict(self._held)}

    def feed(self, text: str, line_no: int) -> list[Event]:
        """The events of one line (plus any held transfer it releases)."""
        text = text.rstrip("\r\n")
        if not text.strip():
            return []
        self.stats.lines += 1
        try:
            line = _parse(text, line_no)
        except _Malformed as exc:
            self.stats.refuse(line_no, str(exc))
            return []
        out = self._release_due(line.epoch_ms)
        handler = _HANDLERS.get(line.name)
        if handler is None:
            self.stats.unknown[line.name or "(empty)"] += 1
        elif not line.callid or line.queue in _NO_AGENT:
            self.stats.refuse(line_no, f"{line.name} without a callid or a queue")
        else:
            try:
                out += handler(self, line)
            except _Malformed as exc:
                self.stats.refuse(line_no, str(exc))
            self._forget_before(line.epoch_ms - FORGET_AFTER_MS)
        return self._count(out)

    def flush(self) -> list[Event]:
        """Send every held transfer as it is (end of input, or the log went quiet)."""
        out = [held[0] for _, held in sorted(self._held.items(), key=lambda kv: kv[1][1])]
        for callid in list(self._held):
            self._calls.pop(callid, None)
        self._held.clear()
        return self._count(out)

    # -- the handlers -------------------------------------------------------------------

    def _enter(self, line: _Line) -> list[Event]:
        queue = safe_name(line.queue)
        out: list[Event] = []
        held = self._held.pop(line.callid, None)
        if held is not None:
            out.append({**held[0], "to_queue": queue})
        self._calls[line.callid] = [queue, line.epoch_ms, line.epoch_ms]
        out.append(self._event(line, "call.queued", "queued", line.epoch_ms))
        return out

    def _ring(self, line: _Line) -> list[Event]:
        ring_ms = _int(line.data, 0, "RINGNOANSWER ringtime")
        out = self._release(line.callid)
        if ring_ms > 0:
            start = max(line.epoch_ms - ring_ms, self._entered(line.callid, line.epoch_ms))
            out.append(self._event(line, "call.ringing", "ringing", start))
        self._touch(line)
        return out

    def _connect(self, line: _Line) -> list[Event]:
        hold_s = _int(line.data, 0, "CONNECT holdtime")
        out = self._release(line.callid)
        if len(line.data) > 2 and line.data[2] != "":
            ring_s = _int(line.data, 2, "CONNECT ringtime")
            floor = self._entered(line.callid, line.epoch_ms - 1000 * hold_s)
            start = max(line.epoch_ms - 1000 * ring_s, floor)
            out.append(self._event(line, "call.ringing", "ringing", start))
        agent = {} if line.agent in _NO_AGENT else {"agent_id": safe_id(line.agent)}
        out.append(self._event(line, "call.answered", "answered", line.epoch_ms, **agent))
        self._touch(line)
        return out

    def _leave(self, line: _Line) -> list[Event]:
        out = self._release(line.callid)
        out.append(self._event(line, "call.abandoned", "abandoned", line.epoch_ms))
        self._calls.pop(line.callid, None)
        return out

    def _complete(self, line: _Line) -> list[Event]:
        out = self._release(line.callid)
        out.append(self._event(line, "call.ended", "ended", line.epoch_ms))
        self._calls.pop(line.callid, None)
        return out

    def _transfer(self, line: _Line) -> list[Event]:
        out = self._release(line.callid)
        event = self._event(line, "call.transferred", "transferred", line.epoch_ms)
        self._held[line.callid] = [event, line.epoch_ms]
        self._touch(line)
        return out

    # -- helpers ------------------------------------------------------------------------

    def _event(self, line: _Line, kind: str, suffix: str, at_ms: int, **extra: Any) -> Event:
        queue = safe_name(line.queue)
        return {
            "event_id": f"{self.pbx}-{digest(self.pbx, line.text)}-{suffix}",
            "type": kind,
            "occurred_at": timestamp(_EPOCH_0 + timedelta(milliseconds=at_ms)),
            "contact_id": safe_id(f"{self.pbx}-{line.callid}"),
            "channel": "phone",
            "queue": queue,
            "service_type": queue,
            "source": self.source,
            **extra,
        }

    def _entered(self, callid: str, fallback: int) -> int:
        call = self._calls.get(callid)
        return int(call[1]) if call is not None else fallback

    def _touch(self, line: _Line) -> None:
        call = self._calls.get(line.callid)
        if call is not None:
            call[2] = line.epoch_ms

    def _release(self, callid: str) -> list[Event]:
        held = self._held.pop(callid, None)
        if held is None:
            return []
        self._calls.pop(callid, None)
        return [held[0]]

    def _release_due(self, now_ms: int) -> list[Event]:
        due = [c for c, (_, at) in self._held.items() if at + self.transfer_grace_ms < now_ms]
        out = [self._held[c][0] for c in sorted(due, key=lambda c: self._held[c][1])]
        for callid in due:
            del self._held[callid]
            self._calls.pop(callid, None)
        return out

    def _forget_before(self, horizon: int) -> None:
        for callid in [c for c, call in self._calls.items() if call[2] < horizon]:
            del self._calls[callid]

    def _count(self, events: list[Event]) -> list[Event]:
        self.stats.events.update(e["type"] for e in events)
        return events


def _parse(text: str, line_no: int) -> _Line:
    fields = text.split("|")
    if len(fields) < 5:
        raise _Malformed("expected at least 5 fields: epoch|callid|queue|agent|event")
    epoch, callid, queue, agent, name = (f.strip() for f in fields[:5])
    if not _EPOCH.match(epoch):
        raise _Malformed("the first field is not a Unix time")
    epoch_ms = round(float(epoch) * 1000)
    return _Line(line_no, text, epoch_ms, callid, queue, agent, name, tuple(fields[5:]))


def _int(data: tuple[str, ...], index: int, what: str) -> int:
    value = data[index].strip() if index < len(data) else ""
    if not value.isdigit():
        raise _Malformed(f"{what} is not a whole number")
    return int(value)


_HANDLERS: dict[str, Callable[[QueueLogMapper, _Line], list[Event]]] = {
    "ENTERQUEUE": QueueLogMapper._enter,
    "RINGNOANSWER": QueueLogMapper._ring,
    "CONNECT": QueueLogMapper._connect,
    **{name: QueueLogMapper._leave for name in _ABANDONS},
    **{name: QueueLogMapper._complete for name in _COMPLETES},
    **{name: QueueLogMapper._transfer for name in _TRANSFERS},
}
