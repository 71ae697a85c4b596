"""The replay memory: an id is refused again until it expires; bounded, failing closed."""

from __future__ import annotations

import pytest

from ct_ingest.core.replay import Claim, ReplayGuard


def test_a_reused_id_is_refused_until_it_expires() -> None:
    guard = ReplayGuard(capacity=10)

    assert guard.claim(("pbx-1", "m1"), expires_at=400, now=100) is Claim.CLAIMED
    assert guard.claim(("pbx-1", "m1"), expires_at=450, now=399) is Claim.REPLAYED
    assert guard.claim(("kiosk", "m1"), expires_at=450, now=399) is Claim.CLAIMED  # per source
    assert guard.claim(("pbx-1", "m1"), expires_at=700, now=400) is Claim.CLAIMED  # expired


def test_a_released_id_can_be_claimed_again() -> None:
    guard = ReplayGuard(capacity=10)
    guard.claim(("pbx-1", "m1"), expires_at=400, now=100)

    guard.release(("pbx-1", "m1"))

    assert guard.claim(("pbx-1", "m1"), expires_at=400, now=101) is Claim.CLAIMED


def test_full_of_live_ids_it_refuses_new_ones_and_never_forgets_early() -> None:
    guard = ReplayGuard(capacity=2)
    guard.claim(("s", "a"), expires_at=200, now=0)
    guard.claim(("s", "b"), expires_at=300, now=0)

    assert guard.claim(("s", "c"), expires_at=300, now=10) is Claim.FULL
    assert guard.claim(("s", "a"), expires_at=300, now=10) is Claim.REPLAYED
    assert guard.claim(("s", "c"), expires_at=400, now=200) is Claim.CLAIMED  # 'a' expired
    assert len(guard) == 2


def test_released_ids_do_not_grow_the_memory() -> None:
    guard = ReplayGuard(capacity=3)
    for n in range(100):
        assert guard.claim(("s", f"m{n}"), expires_at=1000, now=0) is Claim.CLAIMED
        guard.release(("s", f"m{n}"))

    assert len(guard) == 0
    assert len(guard._queue) <= 7


def test_capacity_must_be_positive() -> None:
    with pytest.raises(ValueError):
        ReplayGuard(capacity=0)
