"""WriteBehind: reads see the batch's writes at once; the table sees each changed key once
per flush, under the record that last changed it; the result equals writing through."""

from __future__ import annotations

import random
from collections.abc import Iterator, MutableMapping
from typing import Any

import pytest

from ct_sla_monitor.write_behind import WriteBehind


class RecordingTable(MutableMapping[str, Any]):
    """A dict that logs every write and delete with the record current at the time."""

    def __init__(self, data: dict[str, Any] | None = None) -> None:
        self.data: dict[str, Any] = dict(data or {})
        self.current: Any = None
        self.log: list[tuple[str, str, Any]] = []

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.log.append(("set", key, self.current))
        self.data[key] = value

    def __delitem__(self, key: str) -> None:
        self.log.append(("del", key, self.current))
        del self.data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


def held(table: RecordingTable, record: list[Any]) -> WriteBehind:
    def enter(rec: Any) -> None:
        table.current = rec

    return WriteBehind(table, current=lambda: record[0], enter=enter)


def test_reads_see_held_writes_and_the_table_sees_nothing_before_flush() -> None:
    table, record = RecordingTable({"a": 1, "b": 2}), ["r1"]
    wb = held(table, record)
    wb["a"] = 10
    wb["c"] = 3
    del wb["b"]
    assert (wb["a"], wb.get("b"), wb["c"]) == (10, None, 3)
    assert "b" not in wb and "c" in wb
    assert sorted(wb) == ["a", "c"] and len(wb) == 2
    assert sorted(wb.items()) == [("a", 10), ("c", 3)]
    assert table.log == [] and table.data == {"a": 1, "b": 2}
    with pytest.raises(KeyError):
        del wb["b"]
    assert wb.pop("zzz", None) is None


def test_flush_writes_each_key_once_under_its_last_record() -> None:
    table, record = RecordingTable({"gone": 0}), ["r1"]
    wb = held(table, record)
    wb["k"] = 1
    record[0] = "r2"
    wb["k"] = 2
    wb["x"] = 1
    record[0] = "r3"
    del wb["x"]  # created and deleted within the batch: the delete is a no-op at the table
    del wb["gone"]
    assert wb.held == 3
    assert wb.flush() == 3
    assert table.data == {"k": 2}
    assert sorted(table.log) == [("del", "gone", "r3"), ("set", "k", "r2")]
    assert wb.held == 0 and wb.flush() == 0


@pytest.mark.parametrize("seed", range(12))
def test_random_operations_equal_writing_through(seed: int) -> None:
    rng = random.Random(seed)
    plain: dict[str, Any] = {f"k{i}": i for i in range(5)}
    table = RecordingTable(dict(plain))
    wb = held(table, [None])
    for step in range(300):
        key = f"k{rng.randrange(10)}"
        op = rng.random()
        if op < 0.5:
            plain[key] = wb[key] = step
        elif op < 0.7:
            assert plain.pop(key, None) == wb.pop(key, None)
        elif op < 0.8:
            wb.flush()
        else:
            assert (key in wb) == (key in plain) and wb.get(key) == plain.get(key)
        assert dict(wb.items()) == plain
    wb.flush()
    assert table.data == plain
