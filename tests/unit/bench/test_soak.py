"""The soak's verdict: a process that died during the soak is never "flat"."""

from __future__ import annotations

from bench.procstat import Sample
from bench.soak import died_at, growth


def _samples(rss_mb: list[int]) -> list[Sample]:
    return [
        Sample(at=60.0 * n, rss_bytes=mb * 2**20, cpu_seconds=0.0, open_files=10)
        for n, mb in enumerate(rss_mb)
    ]


def test_a_process_alive_throughout_has_no_death() -> None:
    assert died_at(_samples([80, 90, 95, 95])) is None


def test_the_first_sample_without_rss_is_when_it_died() -> None:
    samples = _samples([80, 500, 1055, 0, 0, 0, 0, 0])
    assert died_at(samples) == 3.0
    # RSS at the end is 0, which alone would pass as "flat": died_at is what fails it
    assert growth(samples)[1] == 0.0
