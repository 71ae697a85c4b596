"""The token bucket: a burst at once, then the rate; the wait until the next token."""

from __future__ import annotations

import pytest

from ct_ingest.core.token_bucket import TokenBucket, retry_after_s


def test_a_burst_then_one_token_per_interval() -> None:
    bucket = TokenBucket(rate_per_s=2.0, burst=3, now=0.0)

    assert [bucket.take(0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.take(0.0) == pytest.approx(0.5)  # one token every 0.5 s
    assert bucket.take(0.25) == pytest.approx(0.25)
    assert bucket.take(0.5) == 0.0
    assert bucket.take(0.5) == pytest.approx(0.5)


def test_refills_up_to_the_burst_only() -> None:
    bucket = TokenBucket(rate_per_s=1.0, burst=2, now=0.0)
    bucket.take(0.0)
    bucket.take(0.0)

    taken = [bucket.take(100.0) for _ in range(3)]

    assert taken[:2] == [0.0, 0.0]
    assert taken[2] == pytest.approx(1.0)


def test_a_clock_going_backwards_adds_nothing() -> None:
    bucket = TokenBucket(rate_per_s=1.0, burst=1, now=10.0)
    bucket.take(10.0)

    assert bucket.take(5.0) == pytest.approx(1.0)
    assert bucket.take(10.5) == pytest.approx(0.5)


@pytest.mark.parametrize(("wait", "header"), [(0.01, 1), (0.5, 1), (1.0, 1), (1.01, 2), (9.2, 10)])
def test_retry_after_rounds_up_to_whole_seconds(wait: float, header: int) -> None:
    assert retry_after_s(wait) == header


@pytest.mark.parametrize(("rate", "burst"), [(0.0, 1), (-1.0, 1), (1.0, 0)])
def test_bad_parameters_are_refused(rate: float, burst: int) -> None:
    with pytest.raises(ValueError):
        TokenBucket(rate, burst, now=0.0)
