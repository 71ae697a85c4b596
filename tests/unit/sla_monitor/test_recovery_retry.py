"""Table recovery waits out an unreachable broker instead of crashing or stopping."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka.errors import (
    KafkaConnectionError,
    KafkaTimeoutError,
    NodeNotReadyError,
    UnknownTopicOrPartitionError,
)

from ct_sla_monitor import faust_app
from ct_sla_monitor.faust_app import transient, until_answered


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (KafkaTimeoutError("Failed to get offsets by times in 12000 ms"), True),
        (KafkaConnectionError("Connection at 127.0.0.1:9092 closed"), True),
        (NodeNotReadyError("node 111 not ready"), True),
        (UnknownTopicOrPartitionError(), True),
        (ValueError("a bug, not the broker"), False),
        (RuntimeError("faust refused"), False),
    ],
)
def test_which_errors_are_waited_out(exc: BaseException, expected: bool) -> None:
    assert transient(exc) is expected


@pytest.fixture
def no_pauses(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(faust_app.asyncio, "sleep", sleep)
    return slept


def test_a_step_is_tried_again_until_the_broker_answers(no_pauses: list[float]) -> None:
    failures = [KafkaTimeoutError("t")] * 5 + [KafkaConnectionError("c")] * 3
    tries: list[int] = []

    async def step() -> None:
        tries.append(1)
        if failures:
            raise failures.pop(0)

    asyncio.run(until_answered(step, "active starts"))
    assert len(tries) == 9
    # the pause doubles from RETRY_FIRST_S and stops growing at RETRY_MAX_S
    assert no_pauses == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0, 5.0, 5.0]


def test_any_other_error_is_raised_at_once(no_pauses: list[float]) -> None:
    tries: list[int] = []

    async def step() -> None:
        tries.append(1)
        raise ValueError("a bug")

    with pytest.raises(ValueError, match="a bug"):
        asyncio.run(until_answered(step, "active ends"))
    assert tries == [1] and no_pauses == []


def test_the_monitor_app_recovers_with_the_patient_recovery() -> None:
    app = faust_app.App("ct-test-recovery", broker="kafka://127.0.0.1:1")
    assert isinstance(app.tables.recovery, faust_app._Recovery)
