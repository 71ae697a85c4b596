"""Following a growing log file through rotation, and remembering where reading stopped.

:class:`LineFollower` hands out complete lines (a line still being written waits for its
newline). At the end of the file it notices a rotation (the path now names another file:
a new inode) or a truncation in place (copytruncate: the file is shorter than the
position), and goes on from the start of the new content. A :class:`Position` says
where reading stopped (inode, byte offset, line number); :class:`StateFile` keeps it, with
the mapper's own state, across restarts, written atomically. On a restart after a
rotation, the rotated file is looked up by its inode in the same directory
(``queue_log.1``), finished, and then the new file is read from its start.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

import orjson

#: Bytes of the file's start kept as its fingerprint: an inode number is reused when a file
#: is deleted and another created, so the inode alone cannot tell them apart.
HEAD_BYTES = 256


@dataclass(frozen=True, slots=True)
class Position:
    """Where reading stopped: the file (inode, and a digest of its first bytes), the byte
    offset and the lines read so far."""

    inode: int
    offset: int
    line_no: int
    head: str = ""


class StateFile:
    """A JSON file with a :class:`Position` and the mapper's state; replaced atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> tuple[Position | None, dict[str, Any]]:
        """The saved position and mapper state, or ``(None, {})`` when there is none."""
        try:
            data = orjson.loads(self.path.read_bytes())
        except FileNotFoundError:
            return None, {}
        except orjson.JSONDecodeError:
            raise ValueError(f"{self.path}: not a state file written by this command") from None
        where = data.get("position")
        position = Position(**where) if isinstance(where, dict) else None
        return position, data.get("mapper") or {}

    def save(self, position: Position, mapper_state: dict[str, Any]) -> None:
        """Write position and state to a temporary file, sync it, and rename it in place."""
        payload = {"position": asdict(position), "mapper": mapper_state}
        tmp = self.path.with_name(self.path.name + ".tmp")
        with tmp.open("wb") as out:
            out.write(orjson.dumps(payload))
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.path)


class LineFollower:
    """Complete lines of ``path`` from ``start`` (or the beginning), through rotations."""

    def __init__(self, path: Path, start: Position | None = None) -> None:
        self.path = path
        self.notices: list[str] = []
        self._queue: list[tuple[Path, int, int]] = []  # (file, offset, line_no) to read
        self._file: IO[bytes] | None = None
        self._inode = 0
        self._line_no = 0
        self._plan(start)

    @property
    def position(self) -> Position:
        """Where the next line starts (in the file being read)."""
        if self._file is None:
            return Position(self._inode, 0, self._line_no)
        offset = self._file.tell()
        head = os.pread(self._file.fileno(), min(offset, HEAD_BYTES), 0)
        return Position(self._inode, offset, self._line_no, _digest(head))

    def size(self) -> int:
        """Bytes in the current file (for a progress bar)."""
        return os.fstat(self._file.fileno()).st_size if self._file is not None else 0

    def lines(self, limit: int = 1000) -> Iterator[tuple[int, str]]:
        """Up to ``limit`` complete lines ``(line number, text)`` available now."""
        count = 0
        while count < limit:
            if self._file is None and not self._open_next():
                return
            assert self._file is not None
            start = self._file.tell()
            raw = self._file.readline()
            if raw.endswith(b"\n"):
                self._line_no += 1
                count += 1
                yield self._line_no, raw.decode("utf-8", errors="replace")
                continue
            self._file.seek(start)  # nothing, or a line still being written
            if not self._moved_on():
                return

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    # -- rotation -----------------------------------------------------------------------

    def _plan(self, start: Position | None) -> None:
        if start is None:
            self._queue.append((self.path, 0, 0))
            return
        if start.inode == _inode(self.path) and _same_head(self.path, start):
            self._queue.append((self.path, start.offset, start.line_no))
            return
        rotated = _find_inode(self.path, start)
        if rotated is not None:
            self._queue.append((rotated, start.offset, start.line_no))
        else:
            self.notices.append(
                "the file was rotated while stopped and the old one is gone; "
                "reading the new file from its start"
            )
        self._queue.append((self.path, 0, 0))

    def _open_next(self) -> bool:
        while self._queue:
            path, offset, line_no = self._queue.pop(0)
            try:
                handle = path.open("rb")
            except FileNotFoundError:
                continue
            size = os.fstat(handle.fileno()).st_size
            if offset > size:  # truncated while we were away
                offset, line_no = 0, 0
            handle.seek(offset)
            self._file, self._line_no = handle, line_no
            self._inode = os.fstat(handle.fileno()).st_ino
            return True
        if self._file is None and self.path.exists():
            self._queue.append((self.path, 0, 0))
            return self._open_next()
        return False

    def _moved_on(self) -> bool:
        """At the end of the current file: switch if the path was rotated or truncated."""
        assert self._file is not None
        now = _inode(self.path)
        if now is not None and now != self._inode:
            self.close()
            self._queue.append((self.path, 0, 0))
            return self._open_next()
        if now is not None and os.stat(self.path).st_size < self._file.tell():
            self._file.seek(0)
            self._line_no = 0
            self.notices.append("the file was truncated; reading it again from its start")
            return True
        return False


def _inode(path: Path) -> int | None:
    try:
        return os.stat(path).st_ino
    except FileNotFoundError:
        return None


def _find_inode(path: Path, start: Position) -> Path | None:
    """The rotated file: another name in the directory with the inode and head we read."""
    try:
        return next(
            (
                p
                for p in path.parent.iterdir()
                if p != path and _inode(p) == start.inode and _same_head(p, start)
            ),
            None,
        )
    except OSError:
        return None


def _same_head(path: Path, start: Position) -> bool:
    """The file starts with the bytes read before (a file too short is not the same)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(min(start.offset, HEAD_BYTES))
    except OSError:
        return False
    return not start.head or _digest(head) == start.head


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]
