"""The stall rule on its own: a partition is stalled when records wait and its committed
offset has not moved for the threshold; progress or an empty backlog resets the clock."""

from __future__ import annotations

from ct_aggregator.pipeline_health import ProgressWatch

P = ("ct-sla-monitor", "contact.events.v1", 0)


def test_waiting_records_and_no_progress_for_the_threshold_is_a_stall() -> None:
    watch = ProgressWatch(stall_after_s=30)
    assert watch.observe({P: 10}, {P: 5}, now=0) == {}
    assert watch.observe({P: 10}, {P: 9}, now=29.9) == {}
    assert watch.observe({P: 10}, {P: 9}, now=30) == {P: 30}


def test_progress_or_an_empty_backlog_resets_the_clock() -> None:
    watch = ProgressWatch(stall_after_s=30)
    watch.observe({P: 10}, {P: 5}, now=0)
    assert watch.observe({P: 11}, {P: 5}, now=40) == {}  # moved: a slow consumer, not stuck
    assert watch.observe({P: 11}, {P: 0}, now=80) == {}  # nothing waiting
    assert watch.observe({P: 11}, {P: 3}, now=100) == {}
    assert watch.observe({P: 11}, {P: 3}, now=130) == {P: 50}  # since last seen empty


def test_a_group_with_no_offset_yet_stalls_too() -> None:
    watch = ProgressWatch(stall_after_s=5)
    watch.observe({P: -1}, {P: 7}, now=0)
    assert watch.observe({P: -1}, {P: 7}, now=6) == {P: 6}
