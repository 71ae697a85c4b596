"""The Kafka client's repeated log lines are let through once per interval, the next one
saying how many were held back; other messages and other loggers pass untouched."""

from __future__ import annotations

import logging

from ct_broker.log_throttle import RepeatThrottle


def _record(name: str, msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord(name, logging.ERROR, __file__, 1, msg, args, None)


def test_one_line_per_template_per_interval_then_a_count() -> None:
    now = [0.0]
    throttle = RepeatThrottle(every_s=30, clock=lambda: now[0])
    template = "Unable connect to node with id %s: %s"
    passed = []
    for second in range(61):
        now[0] = float(second)
        for _ in range(5):  # five attempts a second, as aiokafka makes
            record = _record("aiokafka.conn", template, 111, "refused")
            if throttle.filter(record):
                passed.append((second, record.getMessage()))
    assert [s for s, _ in passed] == [0, 30, 60]
    assert passed[0][1] == "Unable connect to node with id 111: refused"
    assert passed[1][1].endswith("[149 alike held back]")
    assert throttle.filter(_record("aiokafka.conn", "another message"))
    assert throttle.filter(_record("aiokafka.cluster", template, 111, "refused"))
