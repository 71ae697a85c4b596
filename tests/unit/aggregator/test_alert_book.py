"""The alert book keeps the latest transition of each alert, and forgets closed alerts
once they are older than the retention, in event time, per scope."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from ct_aggregator.alert_book import PRUNE_EVERY, AlertBook

T0 = datetime.fromisoformat("2026-11-23T09:00:00+00:00")


def transition(
    subject: str, state: str, hours: float, scope: str = "email/benefits"
) -> dict[str, Any]:
    at = (T0 + timedelta(hours=hours)).isoformat()
    return {
        "alert_id": f"{scope}|email.acknowledge|{subject}",
        "state": state,
        "kind": "contact",
        "scope": scope,
        "standard": "email.acknowledge",
        "window": None,
        "subject": subject,
        "severity": 1,
        "at": at,
    }


def subjects(book: AlertBook, state: str = "all") -> list[str]:
    return [a["subject"] for a in book.alerts(state)]


@pytest.mark.parametrize(
    ("cleared_at_h", "newest_h", "kept"),
    [
        (0.0, 23.9, True),  # inside the 24 h
        (0.0, 24.0, True),  # exactly at the edge: kept
        (0.0, 24.1, False),  # past it: forgotten
    ],
)
def test_a_cleared_alert_is_kept_for_the_retention(
    cleared_at_h: float, newest_h: float, kept: bool
) -> None:
    book = AlertBook(retention=timedelta(hours=24))
    book.update(transition("m1", "raised", cleared_at_h - 1))
    book.update(transition("m1", "cleared", cleared_at_h))
    book.update(transition("m2", "raised", newest_h))  # moves the scope's clock on
    assert subjects(book) == (["m1", "m2"] if kept else ["m2"])
    book.prune()
    assert len(book) == (2 if kept else 1)


def test_open_alerts_never_expire() -> None:
    book = AlertBook(retention=timedelta(hours=1))
    book.update(transition("m1", "raised", 0))
    book.update(transition("m2", "cleared", 100))
    book.prune()
    assert subjects(book, "open") == ["m1"]
    assert subjects(book) == ["m1", "m2"]


def test_each_scope_expires_against_its_own_clock() -> None:
    book = AlertBook(retention=timedelta(hours=1))
    book.update(transition("m1", "cleared", 0, scope="email/benefits"))
    book.update(transition("v1", "cleared", 0, scope="face_to_face/reception"))
    book.update(transition("m2", "raised", 5, scope="email/benefits"))
    book.prune()
    assert sorted(subjects(book)) == ["m2", "v1"]


def test_a_late_clear_of_an_old_open_alert_closes_it() -> None:
    book = AlertBook(retention=timedelta(hours=1))
    book.update(transition("m1", "raised", 0))
    book.update(transition("m2", "raised", 10))
    assert book.update(transition("m1", "cleared", 2))  # closed, and already past retention
    assert subjects(book) == ["m2"]
    assert len(book) == 1


def test_the_book_stays_bounded_however_many_contacts_pass() -> None:
    book = AlertBook(retention=timedelta(hours=2))
    for n in range(5 * PRUNE_EVERY):  # one contact alert raised and cleared per minute
        book.update(transition(f"m{n}", "raised", n / 60))
        book.update(transition(f"m{n}", "cleared", n / 60 + 0.1))
    assert len(book) <= 2 * 60 + PRUNE_EVERY  # two hours of alerts, plus one prune's lag
    assert len(subjects(book)) == 2 * 60 + 1  # minutes 0-120 behind the newest, inclusive


def test_a_rebuilt_book_holds_the_same_alerts() -> None:
    transitions = [
        transition(f"m{n % 700}", ("raised", "cleared")[n % 2], n / 50) for n in range(3000)
    ]
    first, second = AlertBook(retention=timedelta(hours=3)), AlertBook(retention=timedelta(hours=3))
    for t in transitions:
        first.update(t)
    for t in transitions + transitions[:500]:  # read again from the start, with redeliveries
        second.update(t)
    assert list(first.alerts("all")) == list(second.alerts("all"))


def test_a_redelivered_transition_changes_nothing_and_an_alert_without_time_stays() -> None:
    book = AlertBook(retention=timedelta(hours=1))
    untimed = {**transition("m1", "cleared", 0), "at": None}
    assert book.update(untimed)
    assert not book.update(untimed)
    book.update(transition("m2", "raised", 50))
    book.prune()
    assert subjects(book) == ["m1", "m2"]
