"""Each adapter's sample, from its source format through the running pipeline to /v1/kpis.

One pipeline of real processes (embedded broker, ``ct ingest``, ``ct sla-monitor``, ``ct
aggregator``) serves every round trip; each sample has its own queues, so their figures do
not mix. Ingest runs with sources and keys, so the adapters are authenticated as they
would be in production: the queue_log follower and the CSV imports post with pbx-1's key,
the email gateway and the kiosk with theirs, the web form signs (Standard Webhooks), and
TaskRouter callbacks carry X-Twilio-Signature. Every expected figure is worked by hand from
the samples in tests/samples/ (the charter: 20 s, 4 rings of 3 s, short abandon < 5 s,
acknowledge in 15 min, reception within 3 min).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from ct_ingest.core.credentials import hash_api_key
from ct_ingest.core.signatures import sign, signing_key
from tests.running_pipeline import Pipeline, running_pipeline

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
PBX_KEY, MAIL_KEY, WEB_KEY, KIOSK_KEY = "sk_rt_pbx", "sk_rt_mail", "sk_rt_web", "sk_rt_kiosk"
WEB_SECRET = "whsec_" + base64.b64encode(b"round-trip-signing-secret").decode()
TWILIO_TOKEN = "rt-twilio-auth-token-0001"
SOURCES = {
    "pbx-1": {"key_hashes": [hash_api_key(PBX_KEY)], "allowed": ["call."]},
    "email-gw": {
        "key_hashes": [hash_api_key(MAIL_KEY)],
        "allowed": ["/v1/adapters/email-gateway", "email."],
    },
    "webform": {
        "key_hashes": [hash_api_key(WEB_KEY)],
        "signing_secret": WEB_SECRET,
        "allowed": ["/v1/adapters/webform", "webform.", "email."],
    },
    "kiosk": {"key_hashes": [hash_api_key(KIOSK_KEY)], "allowed": ["/v1/adapters/kiosk", "visit."]},
    # TaskRouter cannot send a key; naming it a source gives it rights and a rate limit
    "twilio": {
        "key_hashes": [hash_api_key("never-sent")],
        "allowed": ["/v1/adapters/twilio/taskrouter", "call."],
    },
}


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    extra = {
        "CT_INGEST_SOURCES": json.dumps(SOURCES),
        "CT_ADAPTERS_TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
    }
    logs = tmp_path_factory.mktemp("adapters-pipeline")
    with running_pipeline(logs, extra, inherit_settings=False) as running:
        yield running


def figures(
    pipeline: Pipeline,
    channel: str,
    queue: str,
    want: dict[str, Any],
    section: str | None = None,
    timeout_s: float = 40.0,
) -> dict[str, Any]:
    """The scope's ``today`` figures named in ``want`` (from the row's ``section`` object,
    if given), once they equal ``want``; else the last seen."""
    deadline = time.monotonic() + timeout_s
    seen: dict[str, Any] = {}
    while time.monotonic() < deadline:
        answer = httpx.get(
            f"{pipeline.api_url}/v1/kpis",
            params={"channel": channel, "queue": queue, "window": "today"},
        )
        rows = answer.json()["kpis"]
        if rows:
            row = rows[0] if section is None else rows[0].get(section) or {}
            seen = {k: row.get(k) for k in want}
            if seen == want:
                break
        time.sleep(0.25)
    return seen


def calls(
    offered: int,
    answered: int,
    abandoned: int,
    short: int,
    rings: int,
    asa: float | None,
    p50: float | None,
    p90: float | None,
    levels: tuple[float | None, ...],
) -> dict[str, Any]:
    names = ("answered", "offered", "ignore_abandons", "positive_abandons")
    return {
        "offered": offered,
        "answered": answered,
        "abandoned": abandoned,
        "short_abandoned": short,
        "answered_within_rings": rings,
        "asa_seconds": asa,
        "wait_p50_seconds": p50,
        "wait_p90_seconds": p90,
        "service_level": dict(zip(names, levels, strict=True)),
        "waiting_now": 0,
    }


def run_ct(*args: str, timeout_s: float = 60) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CT_")}
    return subprocess.run(
        [sys.executable, "-m", "ct_cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )


def test_asterisk_queue_log_followed_over_http(pipeline: Pipeline, tmp_path: Path) -> None:
    log, state = tmp_path / "queue_log", tmp_path / "queue_log.state.json"
    shutil.copy(SAMPLES / "asterisk_queue_log", log)
    follower = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ct_cli.main",
            "ingest-queue-log",
            str(log),
            "--follow",
            "--state",
            str(state),
            "--ingest-url",
            pipeline.ingest_url,
            "--api-key",
            PBX_KEY,
            "--source",
            "pbx-1",
            "--pbx",
            "pbx1",
            "--poll-interval",
            "0.1",
            "--quiet",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    size = log.stat().st_size
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if state.exists() and orjson.loads(state.read_bytes())["position"]["offset"] == size:
            break
        time.sleep(0.1)
    follower.send_signal(signal.SIGTERM)
    out, err = follower.communicate(timeout=10)
    assert follower.returncode == 0, err
    assert out.splitlines()[-1] == "  events: 33 mapped, 33 delivered to " + pipeline.ingest_url

    # sales: C1 answered after 26 s (rang from 09:00:02: 24 s, 8 rings), C2 after 8 s
    # (5 s, 2 rings), C7 after 10 s (4 s, 2 rings); abandoned 45, 120 and 30 s; C5 left
    # after 3 s (a short abandon)
    sales = calls(6, 3, 3, 1, 2, 14.667, 10.0, 26.0, (0.666667, 0.333333, 0.333333, 0.333333))
    assert figures(pipeline, "phone", "ast-sales", sales) == sales
    # support: C7 after its transfer 12 s (3 s, 1 ring), C8 30 s (2 s: the 0 ms
    # RINGNOANSWER rang nothing), C10 40 s (10 s, 4 rings)
    support = calls(3, 3, 0, 0, 3, 27.333, 30.0, 40.0, (0.333333, 0.333333, 0.333333, 0.333333))
    assert figures(pipeline, "phone", "ast-support", support) == support


def twilio_signature(url: str, params: dict[str, str]) -> str:
    """Twilio's recipe: the URL, then every name and value, sorted by name; HMAC-SHA1."""
    text = url + "".join(name + params[name] for name in sorted(params))
    return base64.b64encode(
        hmac.new(TWILIO_TOKEN.encode(), text.encode(), hashlib.sha1).digest()
    ).decode()


def test_twilio_taskrouter_callbacks(pipeline: Pipeline) -> None:
    url = f"{pipeline.ingest_url}/v1/adapters/twilio/taskrouter"
    answered: list[int] = []
    for params in json.loads((SAMPLES / "taskrouter_callbacks.json").read_text()):
        response = httpx.post(
            url, data=params, headers={"X-Twilio-Signature": twilio_signature(url, params)}
        )
        assert response.status_code == 200, response.text
        answered.append(response.json()["accepted"])
    assert answered == [1] * 12 + [0]  # the worker event maps to nothing
    # T1 answered after 11 s (rang 6 s: 2 rings), T2 after 35 s (15 s: 5 rings); T3 hung
    # up after 50 s, T4 after 2 s (short)
    billing = calls(3, 2, 1, 1, 1, 23.0, 11.0, 35.0, (0.5, 0.333333, 0.333333, 0.333333))
    assert figures(pipeline, "phone", "tr-billing", billing) == billing


def test_email_gateway_threads(pipeline: Pipeline) -> None:
    for step in json.loads((SAMPLES / "email_gateway.json").read_text()):
        response = httpx.post(
            f"{pipeline.ingest_url}/v1/adapters/email-gateway",
            json=step,
            headers={"X-Api-Key": MAIL_KEY},
        )
        assert (response.status_code, response.json()["accepted"]) == (200, 1), response.text
    # at 14:00: E1 acknowledged in 30 s and answered; E2 acknowledged after 20 min (late)
    # and answered; E3 acknowledged in 10 s, still waiting for its answer (4 h)
    want = {
        "received": 3,
        "acknowledged_in_time": 2,
        "acknowledge_decided": 3,
        "responded_in_time": 2,
        "follow_up_decided": 2,
        "pending": 1,
        "unacknowledged_breached": 0,
        "oldest_pending_seconds": 14400.0,
    }
    assert figures(pipeline, "email", "mail-admissions", want, "email") == want


def test_web_form_submissions_and_replies(pipeline: Pipeline) -> None:
    for post in json.loads((SAMPLES / "webform.json").read_text()):
        body = orjson.dumps(post)
        msg_id, now = f"msg_{uuid.uuid4().hex}", int(time.time())
        headers = {
            "X-Api-Key": WEB_KEY,
            "Content-Type": "application/json",
            "webhook-id": msg_id,
            "webhook-timestamp": str(now),
            "webhook-signature": sign(signing_key(WEB_SECRET), msg_id, now, body),
        }
        response = httpx.post(
            f"{pipeline.ingest_url}/v1/adapters/webform", content=body, headers=headers
        )
        assert response.status_code == 200, response.text
    # at 15:00: W1 confirmed on the spot and answered at 15:00; W2 answered in 10 min
    # (which acknowledges it); W3 never acknowledged (breached at 13:15), pending for 2 h
    want = {
        "received": 3,
        "acknowledged_in_time": 2,
        "acknowledge_decided": 3,
        "responded_in_time": 2,
        "follow_up_decided": 2,
        "pending": 1,
        "unacknowledged_breached": 1,
        "oldest_pending_seconds": 7200.0,
    }
    assert figures(pipeline, "web", "contact-us", want, "email") == want


def test_reception_kiosk_tickets(pipeline: Pipeline) -> None:
    for step in json.loads((SAMPLES / "kiosk.json").read_text()):
        response = httpx.post(
            f"{pipeline.ingest_url}/v1/adapters/kiosk", json=step, headers={"X-Api-Key": KIOSK_KEY}
        )
        assert (response.status_code, response.json()["accepted"]) == (200, 1), response.text
    # at 09:25: A001 called after 2 min, A002 after 4 min, A004 after exactly 3 min (within);
    # A003 walked out; A005 has waited 4 min, past the standard
    want = {
        "ticketed": 5,
        "called": 3,
        "served_within": 2,
        "served_within_rate": 0.666667,
        "served": 3,
        "walked_out": 1,
        "waiting_now": 1,
        "longest_wait_seconds": 240.0,
        "breaches_now": 1,
    }
    assert figures(pipeline, "face_to_face", "town-hall", want, "visit") == want


def test_csv_call_records_both_formats(pipeline: Pipeline) -> None:
    for sample, fmt in (
        ("calls_plain.csv", "plain"),
        ("anonymous_bank_sample.txt", "anonymous-bank"),
    ):
        done = run_ct(
            "import-calls",
            str(SAMPLES / sample),
            "--format",
            fmt,
            "--ingest-url",
            pipeline.ingest_url,
            "--api-key",
            PBX_KEY,
            "--quiet",
        )
        assert done.returncode == 0, done.stderr
    # plain: P1 17 s, P3 0 s (served at once), P7 25 s; P2 abandoned after 40 s, P6 after
    # 2 s; no ringing events, so rings come from the wait: 6, 1 and 9
    plain = calls(4, 3, 1, 1, 1, 14.0, 17.0, 25.0, (0.666667, 0.5, 0.5, 0.5))
    assert figures(pipeline, "phone", "csv-council-tax", plain) == plain
    # the bank's PS calls of 1 Oct 1999: 0 s (served from the VRU), 8, 20 and 26 s; one
    # hung up after 13 s; rings 1, 3, 7 and 9
    regular = calls(5, 4, 1, 0, 2, 13.5, 8.0, 26.0, (0.75, 0.6, 0.75, 0.8))
    assert figures(pipeline, "phone", "regular", regular) == regular
    # the NW call hung up after 2 s in the queue: a short abandon, not offered
    prospects = calls(0, 0, 0, 1, 0, None, None, None, (None, None, None, None))
    assert figures(pipeline, "phone", "prospects", prospects) == prospects
