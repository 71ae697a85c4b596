"""A busy queue's snapshot lists only its soonest-due open deadlines and counts them all,
so it stays far under Kafka's 1 MB message limit (the soak's monitor died when one grew
past it); the queue view counts from the summary."""

from __future__ import annotations

import logging
from typing import Any

import orjson
import pytest

from ct_aggregator.queue_view import email_measures
from ct_sla_monitor.core.deadlines import PENDING_SHOWN
from ct_sla_monitor.encoding import dumps
from ct_sla_monitor.handlers import ContactStage, Rejected, ScopeStage, fitted_snapshot
from ct_sla_monitor.standards_file import default_standards
from tests.unit.sla_monitor.emails import received


def last_snapshot(emails: int) -> dict[str, Any]:
    book = default_standards()
    stage1, stage2 = ContactStage({}, book), ScopeStage({}, {}, book)
    last: bytes | None = None
    for n in range(emails):
        result = stage1.handle(orjson.dumps(received(n)))
        assert not isinstance(result, Rejected), result
        for scope_key, message in result.items():
            out = stage2.handle(scope_key, orjson.loads(orjson.dumps(message))).snapshot
            if scope_key == "email/benefits" and out is not None:
                last = out
    assert last is not None
    return dict(orjson.loads(last))


@pytest.mark.parametrize("emails", [3, PENDING_SHOWN + 150])
def test_snapshot_lists_the_soonest_due_and_counts_every_open_deadline(emails: int) -> None:
    snapshot = last_snapshot(emails)
    summary = snapshot["pending_summary"]
    # each email waits for its acknowledgement and its follow-up
    assert summary["total"] == 2 * emails
    assert summary["standards"]["email.follow_up"]["count"] == emails
    assert summary["shown"] == len(snapshot["pending"]) == min(2 * emails, PENDING_SHOWN)
    dues = [p["due_at"] for p in snapshot["pending"]]
    assert dues == sorted(dues)
    measures = {
        m["key"]: m["value"] for m in email_measures(snapshot, default_standards().for_scope())
    }
    assert measures["pending"] == emails


def test_an_oversize_snapshot_goes_out_without_its_list_or_not_at_all(
    caplog: pytest.LogCaptureFixture,
) -> None:
    snapshot = {"scope": "email/benefits", "pending": [{"item_id": "m-1" * 100}] * 50}
    whole = dumps(snapshot)
    assert fitted_snapshot("email/benefits", snapshot, limit=len(whole)) == whole
    with caplog.at_level(logging.WARNING):
        trimmed = fitted_snapshot("email/benefits", snapshot, limit=len(whole) - 1)
        assert trimmed is not None
        assert orjson.loads(trimmed) == {"scope": "email/benefits", "pending": []}
        assert fitted_snapshot("email/benefits", snapshot, limit=10) is None
    assert [r.levelname for r in caplog.records] == ["WARNING", "ERROR"]
    assert "m-1" not in caplog.text  # no contact ids in the log
