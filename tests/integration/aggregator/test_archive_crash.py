"""THE CRASH TEST: ``ct archive run`` as a process, events produced all the while, killed
with SIGKILL mid-file three times and restarted; then stopped with SIGTERM. ``ct archive
verify`` finds no gap and no duplicate, and every produced event is archived exactly once.
A truncated copy of the same archive fails verification with a message naming the file."""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ct_aggregator.archive_reader import read_archive
from tests.integration.aggregator.archive_kafka import (
    archived_count,
    consume_all,
    new_topic,
    produce,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

KILLS = 3


@dataclass
class CrashRun:
    data_dir: Path
    produced: list[bytes]
    topic: str
    bootstrap: str
    verify: subprocess.CompletedProcess[str]


def _ct(*args: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "ct_cli.main", *args], env=env, stdin=subprocess.DEVNULL
    )


class Producer(threading.Thread):
    """Produces numbered events in small acknowledged batches until stopped."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        super().__init__(daemon=True)
        self.bootstrap, self.topic = bootstrap, topic
        self.produced: list[bytes] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            n = len(self.produced)
            batch = [
                (None, b"contact-%d" % (i % 101), b'{"event_id": "crash-%06d"}' % i, None)
                for i in range(n, n + 25)
            ]
            asyncio.run(produce(self.bootstrap, self.topic, batch))
            self.produced += [value for *_, value, _ in batch]
            time.sleep(0.02)


def _wait(count: Callable[[], int], goal: int, what: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while count() < goal:
        assert time.monotonic() < deadline, f"timed out waiting for {what}: {count()} of {goal}"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def crash_run(kafka_broker: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CrashRun]:
    topic = new_topic(kafka_broker)
    data_dir = tmp_path_factory.mktemp("crash") / "archive"
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_broker,
        "CT_ARCHIVE_TOPIC": topic,
        "CT_ARCHIVE_FLUSH_RECORDS": "40",
        "CT_ARCHIVE_FLUSH_SECONDS": "0.1",
        "CT_ARCHIVE_SEGMENT_MAX_RECORDS": "700",
    }
    jitter = random.Random(6)
    producer = Producer(kafka_broker, topic)
    producer.start()
    archiver = None
    try:
        for kill in range(KILLS):
            archiver = _ct("archive", "run", "--data-dir", str(data_dir), env=env)
            goal = archived_count(data_dir) + 300
            _wait(lambda: archived_count(data_dir), goal, f"archiving before kill {kill}")
            # the day's segment is open (700 records a segment), a flush due every 0.1 s
            time.sleep(jitter.uniform(0, 0.1))
            archiver.send_signal(signal.SIGKILL)
            archiver.wait(timeout=10)
        archiver = _ct("archive", "run", "--data-dir", str(data_dir), env=env)
        goal = len(producer.produced) + 300
        _wait(lambda: len(producer.produced), goal, "more events after the last restart")
        producer.stop.set()
        producer.join(timeout=30)
        total = len(producer.produced)
        _wait(lambda: archived_count(data_dir), total, "the archive to catch up")
        archiver.send_signal(signal.SIGTERM)
        assert archiver.wait(timeout=30) == 0
        verify = subprocess.run(
            [sys.executable, "-m", "ct_cli.main", "archive", "verify", "--data-dir", str(data_dir)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        yield CrashRun(data_dir, producer.produced, topic, kafka_broker, verify)
    finally:
        producer.stop.set()
        if archiver is not None and archiver.poll() is None:
            archiver.kill()
            archiver.wait(timeout=10)


def test_verify_finds_no_gap_and_no_duplicate_after_sigkills(crash_run: CrashRun) -> None:
    assert crash_run.verify.returncode == 0, crash_run.verify.stdout + crash_run.verify.stderr
    last = crash_run.verify.stdout.strip().splitlines()[-1]
    assert last.startswith("OK: ") and "no gap, no duplicate" in last
    assert len(crash_run.produced) >= (KILLS + 1) * 300


def test_every_produced_event_is_archived_exactly_once(crash_run: CrashRun) -> None:
    archived = read_archive(crash_run.data_dir)
    assert len(archived) == len(crash_run.produced)
    assert sorted(archived) == sorted(crash_run.produced)
    assert archived == consume_all(crash_run.bootstrap, crash_run.topic, len(archived))


def test_a_truncated_segment_fails_verification(crash_run: CrashRun, tmp_path: Path) -> None:
    copy = tmp_path / "archive"
    shutil.copytree(crash_run.data_dir, copy)
    segment = max(copy.glob("*/segment-*.jsonl.gz"), key=lambda p: p.stat().st_size)
    segment.write_bytes(segment.read_bytes()[: segment.stat().st_size // 2])
    where = f"{segment.parent.name}/{segment.name}"
    done = subprocess.run(
        [sys.executable, "-m", "ct_cli.main", "archive", "verify", "--data-dir", str(copy)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert f"problem: {where}: size or SHA-256 differs from the manifest" in done.stdout
    assert f"problem: {where}: truncated or corrupt gzip data" in done.stdout
    assert done.stdout.strip().splitlines()[-1].startswith("FAILED")
