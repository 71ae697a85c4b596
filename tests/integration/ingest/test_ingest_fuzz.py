"""Fuzzing: schemathesis generates requests from ingest's OpenAPI document, valid and
invalid, for every operation; none may be answered 5xx.

The app runs in-process (ASGI) in schemathesis' own event loop, where its lifespan starts
the publisher on the session broker, so valid events really are written. Requests carry a
configured source's key, so generation reaches validation and publishing, not only 401.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.python import asgi

from ct_ingest.api import create_ingest_api
from ct_ingest.publisher import EventPublisher
from ct_ingest.settings import IngestSettings
from tests.integration.ingest.sources import PBX_KEY, SECURE, SOURCES

pytestmark = pytest.mark.timeout(90)

EXAMPLES = 40  # per operation and generation mode


def test_no_request_from_the_openapi_document_gets_a_5xx(
    kafka_broker: str, contact_topic: str
) -> None:
    fuzzed = SECURE | {"sources": {"pbx-1": SOURCES["pbx-1"] | {"allowed": ["*"]}}}
    ingest = IngestSettings(
        kafka_bootstrap_servers=kafka_broker,
        kafka_request_timeout_s=2.0,
        max_body_bytes=16_384,
        max_batch_events=20,
        **fuzzed,
    )
    app = create_ingest_api(ingest, EventPublisher(ingest))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/v1/events", "/v1/events:batch", "/metrics"}
    seen: dict[str, set[int]] = {}
    try:
        for operation in operations:
            strategy = st.one_of(
                operation.as_strategy(mode, headers={"X-Api-Key": PBX_KEY})
                for mode in (
                    schemathesis.GenerationMode.POSITIVE,
                    schemathesis.GenerationMode.NEGATIVE,
                )
            )

            @given(case=strategy)
            @settings(
                max_examples=2 * EXAMPLES,
                deadline=None,
                database=None,
                phases=[Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def no_server_error(case: schemathesis.Case) -> None:
                response = case.call()
                seen.setdefault(case.operation.path, set()).add(response.status_code)
                assert response.status_code < 500, case.as_curl_command()

            no_server_error()
    finally:
        asgi.shutdown_lifespans()  # stops the publisher
    assert 202 in seen["/v1/events"] and 422 in seen["/v1/events"]
    assert 200 in seen["/v1/events:batch"]
