"""One writer per index: an exclusive lock on ``<index>/.lock`` that names its holder.

The lock is an OS file lock (``flock``), so it dies with its process: the lock of a
writer that was killed is free again at once, and the record it left in the file (PID,
host, command, start time) only tells the next writer that it recovered a stale lock.
Readers never lock: SQLite (WAL) and the atomic renames give them the last committed state.
The lock file itself is never deleted (deleting it would let two writers lock two files).
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from nlp.errors import IndexLocked, UserError

LOCK = ".lock"


@contextmanager
def writer_lock(root: str | Path, command: str = "nlp ingest") -> Iterator[dict | None]:
    """Hold the index's writer lock; yield the record of a stale lock recovered, if any."""
    root = Path(root)
    try:
        fd = os.open(root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as err:
        raise UserError(f"Cannot write the index {root} ({err.strerror}); choose a folder you "
                        "can write with --index") from None
    try:
        if not _wait_lock(fd):
            raise IndexLocked(_held_message(root, _read(fd)))
        stale = _read(fd)
        _write(fd, {"pid": os.getpid(), "host": socket.gethostname(), "command": command,
                    "started": datetime.now(timezone.utc).isoformat(timespec="seconds")})
        try:
            yield stale
        finally:
            _write(fd, None)  # released cleanly: no record left behind
    finally:
        os.close(fd)  # closing the descriptor releases the flock


def holder(root: str | Path) -> dict | None:
    """The record of the process holding the lock now, or None if the index is free."""
    file = Path(root) / LOCK
    if not file.is_file():
        return None
    fd = os.open(file, os.O_RDONLY)  # flock needs no write access: doctor can probe too
    try:  # a writer trying at this instant waits for us (see _wait_lock)
        if _try_lock(fd):
            return None  # nobody holds it (our probe lock goes with the close)
        return _read(fd) or {"pid": None}
    finally:
        os.close(fd)


def stale_record(root: str | Path) -> dict | None:
    """A record left by a writer that died holding the lock (None if none, or if held)."""
    file = Path(root) / LOCK
    if not file.is_file() or holder(root) is not None:
        return None
    fd = os.open(file, os.O_RDONLY)
    try:
        return _read(fd)
    finally:
        os.close(fd)


def describe(record: dict | None) -> str:
    """'PID 123 (nlp ingest, started 2024-05-01T10:00:00+00:00 on host)' for messages."""
    if not record or not record.get("pid"):
        return "another process"
    return (f"PID {record['pid']} ({record.get('command', '?')}, started "
            f"{record.get('started', '?')} on {record.get('host', '?')})")


def _held_message(root: Path, record: dict | None) -> str:
    pid = (record or {}).get("pid")
    stop = f" or stop it (kill {pid})" if pid else ""
    return (f"Index {root} is being written by {describe(record)}. Wait for it to finish"
            f"{stop}; searches keep working meanwhile.")


def record(root: str | Path) -> dict | None:
    """What the lock file says (holder or dead writer), read without touching the lock."""
    try:
        fd = os.open(Path(root) / LOCK, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        return _read(fd)
    finally:
        os.close(fd)


def _wait_lock(fd: int, patience: float = 0.5) -> bool:
    """Try for a moment: ``holder()`` probes by locking briefly, which must not refuse us."""
    deadline = time.monotonic() + patience
    while not _try_lock(fd):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _try_lock(fd: int) -> bool:
    import fcntl  # POSIX (Linux, macOS); Windows is not supported

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _read(fd: int) -> dict | None:
    os.lseek(fd, 0, os.SEEK_SET)
    data = os.read(fd, 4096)
    try:
        record = json.loads(data) if data.strip() else None
    except ValueError:
        return {"pid": None, "raw": data[:200].decode("utf-8", "replace")}
    return record if isinstance(record, dict) else None


def _write(fd: int, record: dict | None) -> None:
    os.ftruncate(fd, 0)
    if record is not None:
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, json.dumps(record).encode())
        os.fsync(fd)
