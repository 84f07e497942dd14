"""``AnalyserPool``: analyser children kept busy, results handed back in order to the one
writer; ``shared_pool``: one such pool per process, reused across ingest calls.

The children (``nlp.ingestion.children``) are transport: each runs the pipeline's parse and
``analyse_document`` (``nlp.ingestion.pipeline``) on one file at a time under a budget.
"""

from __future__ import annotations

import atexit
import select
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from nlp.errors import ParseError
from nlp.ingestion.children import STARTUP_S, AnalyserProcess, Budget
from nlp.ingestion.pipeline import Analysed

GROW_AFTER_S = 5.0  # start another analyser child when the files left take longer than this
AHEAD = 4  # files per analyser child that may be analysed ahead of the one the writer waits for
POLL_S = 1.0  # longest wait for any child's reply before checking the budgets again


class AnalyserPool:
    """Analyser children, more only where it pays; ``imap`` streams results back in order.

    A child that finishes hands its result in at once and takes the next file, even while
    the file the writer waits for is still being analysed elsewhere (so a long file does
    not leave the other children idle); at most ``AHEAD`` files per child are analysed
    ahead of the writer.

    One child starts with the first file. Another (up to ``workers``) starts in the
    background once the files left look like more work than ``GROW_AFTER_S`` seconds of one
    child (its start-up, loading the spaCy pipelines, costs a few seconds of a core); the
    estimate is the children's seconds per byte so far times the bytes left.
    Children stay up between calls.
    """

    def __init__(self, budget: Budget | None = None, workers: int = 2) -> None:
        self.budget = budget or Budget()
        self.workers = max(1, workers)
        self._children: list[AnalyserProcess] = []
        self._threads: list[threading.Thread] = []  # children starting in the background

    def __enter__(self) -> AnalyserPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def imap(self, paths: Iterable[str | Path], settings=None, workers: int | None = None,
             entities: bool = True) -> Iterator[Analysed | ParseError]:
        """An ``Analysed`` or the ``ParseError`` of each path, in order; ``entities=False``
        skips entity extraction (chunks only)."""
        run = _PoolRun(self, [Path(p) for p in paths], settings,
                       max(1, min(workers or self.workers, self.workers)))
        run.entities = entities
        for i in range(len(run.paths)):
            while i not in run.results:
                run.feed(i + 1 + AHEAD * run.limit)
                run.collect(i)
            yield run.results.pop(i)

    def close(self) -> None:
        """Stop the children."""
        for thread in self._threads:
            thread.join(STARTUP_S)
        for child in self._children:
            child.close()
        self._children, self._threads = [], []


class _PoolRun:
    """The state of one ``AnalyserPool.imap``: idle, starting and busy children."""

    def __init__(self, pool: AnalyserPool, paths: list[Path], settings, limit: int) -> None:
        self.pool, self.paths, self.settings, self.limit = pool, paths, settings, limit
        for thread in pool._threads:  # children an earlier run was still starting
            thread.join()
        pool._threads = []
        for child in pool._children:
            if child.busy:  # an earlier run was abandoned: its answer is of no use
                child.abandon()
        if not pool._children:
            pool._children.append(AnalyserProcess(pool.budget))
        self.idle = list(pool._children[:limit])
        self.starting: list[tuple[AnalyserProcess, threading.Thread]] = []
        self.pending: list[tuple[int, AnalyserProcess]] = []  # (file number, its child)
        self.results: dict[int, Analysed | ParseError] = {}  # collected, not yet yielded
        self.sizes = [_size(p) for p in paths]
        self.spent, self.done = 0.0, 0  # child seconds and bytes of the files analysed
        self.next = 0
        self.entities = True

    def feed(self, upto: int) -> None:
        """Give every free child its next file below ``upto`` (waiting for a starting child
        if none is free)."""
        for child, thread in list(self.starting):
            if not thread.is_alive() or (not self.pending and not self.idle):
                thread.join()
                self.starting.remove((child, thread))
                self.idle.append(child)
        while self.next < min(len(self.paths), upto) and self.idle:
            child = self.idle.pop(0)
            child.submit(self.paths[self.next], self.settings, self.entities)
            self.pending.append((self.next, child))
            self.next += 1

    def collect(self, head: int) -> None:
        """Take in the results of the children that have finished; if none has, wait until
        one has sent something (at most ``POLL_S``). File ``head``, the one the writer waits
        for, is collected with ``result`` once overdue, which reports its timeout."""
        ready = [(i, c) for i, c in self.pending if c.poll()]
        if not ready:
            fds = [fd for _, c in self.pending if (fd := c.fileno()) is not None]
            select.select(fds, [], [], POLL_S)
            ready = [(i, c) for i, c in self.pending if c.poll() or (i == head and c.overdue())]
        for i, child in ready:
            self.pending.remove((i, child))
            try:
                out: Analysed | ParseError = child.result()
            except ParseError as err:
                out = err
            self.idle.append(child)
            if isinstance(out, Analysed):
                self.spent += sum(out.seconds.values())
                self.done += self.sizes[i]
            self.results[i] = out
        if ready:
            self.grow()

    def grow(self) -> None:
        """Start one more child in the background if the files left make it pay."""
        busy = len(self.idle) + len(self.pending) + len(self.starting)
        left = sum(self.sizes[self.next:])  # bytes no child has yet
        if busy >= self.limit or not left or not self.done:
            return
        if self.spent / self.done * left / busy < GROW_AFTER_S:  # seconds per byte so far
            return
        child = AnalyserProcess(self.pool.budget)
        self.pool._children.append(child)
        child.start()  # here: a child dies with the thread that started it
        thread = threading.Thread(target=child.wait_ready, daemon=True)
        thread.start()
        self.pool._threads.append(thread)
        self.starting.append((child, thread))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


_SHARED: dict[str, AnalyserPool] = {}
_SHARED_LOCK = threading.Lock()


@contextmanager
def shared_pool(budget: Budget, workers: int) -> Iterator[AnalyserPool]:
    """The process's pool of analyser children (started once); a private one if it is busy."""
    if not _SHARED_LOCK.acquire(blocking=False):
        with AnalyserPool(budget, workers) as pool:
            yield pool
        return
    try:
        pool = _SHARED.get("pool")
        if pool is None or pool.budget != budget or pool.workers < workers:
            if pool is not None:
                pool.close()
            pool = _SHARED["pool"] = AnalyserPool(budget, workers)
        try:
            yield pool
        except BaseException:
            _SHARED.pop("pool").close()  # it may hold requests nobody will collect
            raise
    finally:
        _SHARED_LOCK.release()


def _close_shared() -> None:
    for pool in _SHARED.values():
        pool.close()


atexit.register(_close_shared)
