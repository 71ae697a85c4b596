"""Resource use of our own processes, read from /proc (Linux): RSS, CPU time, open files."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field

_TICKS = os.sysconf("SC_CLK_TCK")


def rss_bytes(pid: int) -> int:
    """Resident set size of ``pid`` now (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time ``pid`` has used so far (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # after the command: state is field 3; utime and stime are fields 14 and 15
    return (int(fields[11]) + int(fields[12])) / _TICKS


def open_files(pid: int) -> int:
    """File descriptors ``pid`` holds now (0 once it is gone)."""
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return 0


@dataclass(slots=True)
class Sample:
    """One observation of a process."""

    at: float
    rss_bytes: int
    cpu_seconds: float
    open_files: int


@dataclass
class Sampler:
    """Samples processes every ``interval_s`` on a background thread until stopped."""

    pids: dict[str, int]
    interval_s: float = 1.0
    samples: dict[str, list[Sample]] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> Sampler:
        """Begin sampling (one sample at once)."""
        self._take()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop sampling (one last sample)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._take()

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self._take()

    def _take(self) -> None:
        now = time.monotonic()
        for name, pid in self.pids.items():
            self.samples.setdefault(name, []).append(
                Sample(now, rss_bytes(pid), cpu_seconds(pid), open_files(pid))
            )

    def peak_rss(self, name: str) -> int:
        """The largest RSS seen for ``name``."""
        return max((s.rss_bytes for s in self.samples.get(name, [])), default=0)
