"""``ct run``: the embedded broker, the three services and demo traffic, as child
processes. Ctrl-C (or SIGTERM) stops every process it started."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from types import FrameType

import httpx
import orjson

from ct_broker.embedded import EmbeddedBroker, free_port
from ct_broker.topics import ensure_topics, pipeline_topics
from ct_cli.archive_command import run_archive_dir
from ct_cli.settings import RunSettings
from ct_ingest.core.credentials import hash_api_key

#: The source name ``ct run`` configures for its demo traffic, and the variable through which
#: ``ct simulate`` gets the source's key.
DEMO_SOURCE = "demo"
DEMO_KEY_VARIABLE = "CT_SIMULATE_API_KEY"


def _spawn(command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "ct_cli.main", *command], env=env, stdin=subprocess.DEVNULL
    )


def _wait_http(url: str, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    return False


def demo_source(env: dict[str, str]) -> tuple[dict[str, str], str]:
    """``env`` with a ``demo`` source added to ``CT_INGEST_SOURCES`` (other sources kept),
    and that source's fresh random API key."""
    key = secrets.token_urlsafe(32)
    sources = orjson.loads(env.get("CT_INGEST_SOURCES") or "{}")
    sources[DEMO_SOURCE] = {"key_hashes": [hash_api_key(key)], "rate_per_s": 200, "burst": 400}
    return {**env, "CT_INGEST_SOURCES": orjson.dumps(sources).decode()}, key


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def run_pipeline(settings: RunSettings, ingest_url: str, api_url: str) -> int:
    """Start everything, print the URLs, and supervise until interrupted."""
    broker: EmbeddedBroker | None = None
    bootstrap = settings.kafka_bootstrap_servers
    if bootstrap is None:
        port = settings.broker_port
        if port == 0 or not _port_free(port):
            port = free_port()
        broker = EmbeddedBroker(port=port).start()
        bootstrap = broker.bootstrap_servers
        print(f"embedded Tansu broker on {bootstrap} (in memory)", flush=True)
    else:
        print(f"using Kafka at {bootstrap}", flush=True)
    children: dict[str, subprocess.Popen[bytes]] = {}

    def _stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    try:
        created = asyncio.run(ensure_topics(bootstrap, pipeline_topics(settings.partitions)))
        if created:
            print("created topics: " + ", ".join(created), flush=True)
        env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap}
        demo_key = None
        if settings.demo:  # the demo posts as an authenticated source, like a real system
            env, demo_key = demo_source(env)
        for name in ("ingest", "sla-monitor", "aggregator"):
            children[name] = _spawn([name], env)
        archive_dir = run_archive_dir(in_memory_broker=broker is not None)
        children["archive"] = _spawn(["archive", "run", "--data-dir", str(archive_dir)], env)
        if not (_wait_http(f"{ingest_url}/healthz", 30) and _wait_http(f"{api_url}/healthz", 30)):
            print("a service did not come up; stopping", file=sys.stderr)
            return 1
        if demo_key is not None:
            children["simulate"] = _spawn(
                [
                    "simulate",
                    "--rate",
                    str(settings.demo_rate),
                    "--speed",
                    "1",
                    "--ingest-url",
                    ingest_url,
                    "--no-progress",
                ],
                {**env, DEMO_KEY_VARIABLE: demo_key},
            )
        print(
            "\ncontact-telemetry is running:\n"
            f"  ingest API docs   {ingest_url}/docs   (POST {ingest_url}/v1/events)\n"
            + (f"  demo source key   X-Api-Key: {demo_key}\n" if demo_key else "")
            + f"  ingest metrics    {ingest_url}/metrics\n"
            f"  KPIs              {api_url}/v1/kpis?channel=phone&queue=all&window=today\n"
            f"  Prometheus        {api_url}/metrics\n"
            f"  wallboard         {api_url}/wallboard\n"
            f"  aggregator docs   {api_url}/docs\n"
            f"  raw-event archive {archive_dir}   (ct archive verify --data-dir {archive_dir})\n"
            "Ctrl-C stops everything.\n",
            flush=True,
        )
        while True:
            for name, child in children.items():
                if child.poll() is not None:
                    print(f"{name} exited with code {child.returncode}; stopping", file=sys.stderr)
                    return 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nstopping...", flush=True)
        return 0
    finally:
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children.values():
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        if broker is not None:
            broker.stop()
