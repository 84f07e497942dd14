"""Atomic, private file writes: a reader sees the old file or the new one, never half of one.

The new content goes to a temporary file in the same directory, created by ``mkstemp``
(mode 0600, so nobody else can read it while it is written), is flushed to disk, given
the usual permissions and renamed over the target. A writer killed half-way leaves only a
``.tmp-*`` file, which the next writer (holding the lock) removes.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TMP_PREFIX = ".tmp-"


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a private temporary path; on success it replaces ``path`` atomically."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f"{TMP_PREFIX}{path.name}-", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        _fsync(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # the finished file gets the usual permissions
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_bytes(path: str | Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def leftovers(folder: str | Path) -> list[Path]:
    """Temporary files left in ``folder`` by a writer that was killed."""
    return sorted(Path(folder).glob(f"{TMP_PREFIX}*"))


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes, read in 1 MB blocks."""
    with open(path, "rb") as fh:
        return stream_sha256(fh)


def stream_sha256(fh) -> str:
    """SHA-256 of the rest of an open binary file, read in 1 MB blocks."""
    digest = hashlib.sha256()
    for block in iter(lambda: fh.read(1 << 20), b""):
        digest.update(block)
    return digest.hexdigest()


def _fsync(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX only; a no-op elsewhere)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
