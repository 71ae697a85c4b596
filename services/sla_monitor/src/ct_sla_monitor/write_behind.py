"""A table's writes held back and written once per key per batch.

The live agents take their records in batches (faust's ``take_events``, which acks a
batch's records only after the agent has finished with the batch). Within a batch, a
scope's meta and a busy contact's state change on nearly every record; writing each change
to a faust table sends a changelog record each time, which was most of the worker's cost.
:class:`WriteBehind` keeps the batch's changes in front of the table (reads see them) and
:meth:`WriteBehind.flush` writes each changed key once, under the record that last changed
it (a faust table writes a key's changelog to that record's partition), before the batch
is acked. A crash before the flush leaves the table as it was before the batch, and the
batch's records are delivered again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

#: stands for a key deleted within the batch
_DELETED = object()


class WriteBehind(MutableMapping[str, Any]):
    """``table`` with its writes held until :meth:`flush`.

    ``current`` names the record being handled (faust's current event); it is recorded
    with each write and made current again, by ``enter``, when the write reaches the
    table."""

    def __init__(
        self,
        table: MutableMapping[str, Any],
        current: Callable[[], Any] = lambda: None,
        enter: Callable[[Any], None] = lambda _record: None,
    ) -> None:
        self._table = table
        self._current = current
        self._enter = enter
        self._pending: dict[str, tuple[Any, Any]] = {}  # key -> (value or _DELETED, record)

    def __getitem__(self, key: str) -> Any:
        held = self._pending.get(key)
        if held is None:
            return self._table[key]
        if held[0] is _DELETED:
            raise KeyError(key)
        return held[0]

    def __setitem__(self, key: str, value: Any) -> None:
        self._pending[key] = (value, self._current())

    def __delitem__(self, key: str) -> None:
        if key not in self:
            raise KeyError(key)
        self._pending[key] = (_DELETED, self._current())

    def __contains__(self, key: object) -> bool:
        held = self._pending.get(key) if isinstance(key, str) else None
        if held is None:
            return key in self._table
        return held[0] is not _DELETED

    def __iter__(self) -> Iterator[str]:
        pending = self._pending
        for key in self._table:
            if key not in pending:
                yield key
        for key, (value, _record) in list(pending.items()):
            if value is not _DELETED:
                yield key

    def __len__(self) -> int:
        return sum(1 for _ in self)

    @property
    def held(self) -> int:
        """How many keys wait for the next flush."""
        return len(self._pending)

    def flush(self) -> int:
        """Write every held change to the table, once per key; returns how many."""
        written = len(self._pending)
        for key, (value, record) in self._pending.items():
            self._enter(record)
            if value is _DELETED:
                self._table.pop(key, None)
            else:
                self._table[key] = value
        self._pending.clear()
        return written
