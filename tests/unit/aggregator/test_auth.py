"""Read tokens: with tokens configured, /v1/* and /wallboard need one (a bearer header, or
?token= where a browser cannot set headers); /metrics and the health checks stay open;
without tokens everything is open and the log says so. A token is never echoed."""

from __future__ import annotations

import logging

import httpx
import pytest
from pydantic import SecretStr, ValidationError

from ct_aggregator.alert_book import AlertBook
from ct_aggregator.api import build_registry, create_aggregator_api
from ct_aggregator.auth import ReadTokens
from ct_aggregator.metrics_reader import MetricsReader
from ct_aggregator.settings import AggregatorSettings
from ct_aggregator.snapshots import SnapshotStore

TOKEN = "supervisor-token-0123456789"
OTHER_TOKEN = "second-supervisor-token-abcdef"


def client(tokens: ReadTokens | None) -> httpx.AsyncClient:
    store, alerts = SnapshotStore(), AlertBook()
    reader = MetricsReader("127.0.0.1:1", {})  # never started: ASGITransport runs no lifespan
    api = create_aggregator_api(
        store, reader, build_registry(store, alerts), alerts, {}, read_tokens=tokens
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://test")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def guarded() -> httpx.AsyncClient:
    return client(ReadTokens([SecretStr(TOKEN), SecretStr(OTHER_TOKEN)]))


def test_tokens_are_compared_by_digest() -> None:
    tokens = ReadTokens([SecretStr(TOKEN)])
    assert tokens.enabled
    assert tokens.accepts(TOKEN)
    assert not tokens.accepts(TOKEN[:-1])
    assert not tokens.accepts(TOKEN + "x")
    assert not tokens.accepts("")
    assert not tokens.accepts(None)
    assert ReadTokens().accepts(None)  # none configured: open
    assert TOKEN not in repr(vars(tokens))  # only digests are held


@pytest.mark.parametrize(
    "path", ["/v1/kpis", "/v1/queues", "/v1/intervals", "/v1/alerts", "/v1/standards"]
)
async def test_api_routes_need_a_bearer_token(guarded: httpx.AsyncClient, path: str) -> None:
    missing = await guarded.get(path)
    assert missing.status_code == 401
    assert missing.json() == {"detail": "a read token is required: Authorization: Bearer <token>"}
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = await guarded.get(path, headers=bearer("not-the-token-but-long-enough"))
    assert (wrong.status_code, wrong.json()) == (401, {"detail": "the read token is not valid"})
    assert "not-the-token" not in wrong.text
    for token in (TOKEN, OTHER_TOKEN):
        assert (await guarded.get(path, headers=bearer(token))).status_code == 200


async def test_query_token_only_where_headers_cannot_be_set(guarded: httpx.AsyncClient) -> None:
    assert (await guarded.get("/v1/kpis", params={"token": TOKEN})).status_code == 401
    page = await guarded.get("/wallboard", params={"token": TOKEN})
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    stream_refused = await guarded.get("/v1/stream", params={"token": "wrong-token-0123456789"})
    assert stream_refused.status_code == 401
    assert "wrong-token" not in stream_refused.text


async def test_the_wallboard_without_a_token_explains_itself(guarded: httpx.AsyncClient) -> None:
    page = await guarded.get("/wallboard")
    assert page.status_code == 401
    assert "needs a read token" in page.text
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    # its script and style sheet hold no data: they stay open
    assert (await guarded.get("/wallboard/assets/locked.js")).status_code == 200
    assert (await guarded.get("/wallboard/assets/wallboard.css")).status_code == 200


@pytest.mark.parametrize("path", ["/metrics", "/healthz", "/openapi.json"])
async def test_metrics_and_health_stay_open(guarded: httpx.AsyncClient, path: str) -> None:
    assert (await guarded.get(path)).status_code == 200


async def test_openapi_declares_the_bearer_scheme(guarded: httpx.AsyncClient) -> None:
    schema = (await guarded.get("/openapi.json")).json()
    assert schema["components"]["securitySchemes"]["readToken"]["scheme"] == "bearer"
    assert schema["paths"]["/v1/kpis"]["get"]["security"] == [{"readToken": []}]
    assert "security" not in schema["paths"]["/metrics"]["get"]


async def test_without_tokens_everything_is_open_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="ct_aggregator"):
        open_client = client(None)
    assert "no read token configured" in caplog.text
    assert (await open_client.get("/v1/kpis")).status_code == 200
    assert (await open_client.get("/wallboard")).status_code == 200


def test_settings_refuse_short_tokens_without_echoing_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CT_AGGREGATOR_READ_TOKENS", f"{TOKEN},tiny-secret")
    with pytest.raises(ValidationError) as caught:
        AggregatorSettings()
    assert "at least 16 characters" in str(caught.value)
    assert "tiny-secret" not in str(caught.value)
    assert TOKEN not in str(caught.value)
    monkeypatch.setenv("CT_AGGREGATOR_READ_TOKENS", f" {TOKEN} , {OTHER_TOKEN}")
    tokens = AggregatorSettings().read_tokens
    assert [t.get_secret_value() for t in tokens] == [TOKEN, OTHER_TOKEN]
    assert TOKEN not in repr(AggregatorSettings())
