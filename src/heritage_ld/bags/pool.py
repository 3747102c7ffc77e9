"""Where the hashing work runs: threads for large files, worker processes for many small ones.

hashlib releases the GIL while it hashes a large buffer, so threads use every core on large files. On small
files (a few KB) the per-file Python work holds the GIL as long as the hashing does, and two threads run no
faster than one (measured on the benchmark's 20,000-file corpus); there, forked worker processes each with
their own interpreter do scale. Processes are used only where forking is safe: on Linux, from a process
that runs no other thread (a fork copies locks held by other threads in whatever state they are).
"""

from __future__ import annotations

import collections
import gc
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any, TypeVar

__all__ = ["MANY_FILES", "SMALL_FILE", "Results", "map_spans", "spans", "use_processes", "worth_processes"]

T = TypeVar("T")
R = TypeVar("R")

#: From this many payload files of at most :data:`SMALL_FILE` bytes on average, worker processes pay off.
MANY_FILES = 1000
SMALL_FILE = 256 * 1024


def spans(sizes: Sequence[int], *, max_bytes: int = 8 << 20, max_files: int = 64) -> Iterator[tuple[int, int]]:
    """``(start, stop)`` runs of consecutive files to hand a worker as one task: up to ``max_files`` files or
    ``max_bytes`` bytes; a big file goes alone.

    A task per file costs a future, a lock and a wake-up: on 20,000 small files that overhead was larger
    than the hashing itself (profiled on ``benchmarks/bags_bench.py``'s "many small" corpus).

    >>> list(spans([10 << 20, 1, 1, 1], max_files=2))
    [(0, 1), (1, 3), (3, 4)]
    """
    start = total = 0
    for i, size in enumerate(sizes):
        if i > start and (total + size > max_bytes or i - start >= max_files):
            yield start, i
            start, total = i, 0
        total += size
    if start < len(sizes):
        yield start, len(sizes)


def use_processes(sizes: Iterable[int], jobs: int) -> bool:
    """Whether files of these sizes are hashed faster by ``jobs`` worker processes than by threads.

    >>> use_processes([4096] * 5000, 2) == (sys.platform.startswith("linux") and threading.active_count() == 1)
    True
    >>> use_processes([40 << 20] * 5000, 2), use_processes([4096] * 10, 2), use_processes([4096] * 5000, 1)
    (False, False, False)
    """
    count = total = 0
    for size in sizes:
        count += 1
        total += size
    return worth_processes(count, total, jobs)


def worth_processes(count: int, total: int, jobs: int) -> bool:
    """:func:`use_processes` for ``count`` files of ``total`` bytes in all.

    >>> worth_processes(10, 40960, 2), worth_processes(5000, 1 << 40, 2)
    (False, False)
    """
    if jobs < 2 or not sys.platform.startswith("linux") or threading.active_count() != 1:
        return False
    return count >= MANY_FILES and total <= count * SMALL_FILE


# What a forked worker runs: set by the pool's initializer, which the fork hands over without pickling.
_shared: tuple[Callable[[Sequence[Any]], Any], Sequence[Any]] | None = None


def _share(fn: Callable[[Sequence[Any]], Any], items: Sequence[Any], parent: int) -> None:
    global _shared
    _shared = (fn, items)
    _die_with(parent)


def _die_with(parent: int) -> None:
    """Have this forked worker killed when its parent dies (Linux ``PR_SET_PDEATHSIG``).

    A writer killed by SIGKILL must not leave workers copying into its temporary folder: the next run removes
    that folder, and a worker still creating files there would race with the removal.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the call above took effect
        os._exit(1)


def _run_span(start: int, stop: int) -> Any:
    assert _shared is not None, "a worker without its shared task list"
    fn, items = _shared
    return fn(items[start:stop])


def map_spans(fn: Callable[[Sequence[T]], R], items: Sequence[T], runs: Iterable[tuple[int, int]], jobs: int, *,
              processes: bool, name: str = "bag") -> Results[R]:
    """``fn(items[start:stop])`` for each run, on ``jobs`` workers (processes if asked, else threads).

    The work starts at once (every run is submitted before this returns); the :class:`Results` returned
    give the results in run order and shut the pool down when exhausted or closed. With processes the workers
    are forked, and ``fn`` and ``items`` reach them through the fork itself: only the ``(start, stop)`` pairs
    are sent and only the results come back pickled (on 20,000 files, pickling the tasks to the workers cost
    the parent more time than parsing both manifests).

    >>> list(map_spans(sum, [1, 2, 3, 4], [(0, 2), (2, 4)], 2, processes=False))
    [3, 7]
    """
    pool: Executor
    if processes:
        pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_share, initargs=(fn, items, os.getpid()))
    else:
        pool = ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix=name)
    try:
        if processes:
            # The workers are forked on the first submit. Frozen objects are left alone by the collector, so
            # a collection in a worker does not touch (and so copy) every page of the parent's heap.
            gc.freeze()
            try:
                futures = [pool.submit(_run_span, start, stop) for start, stop in runs]
            finally:
                gc.unfreeze()
        else:
            futures = [pool.submit(fn, items[start:stop]) for start, stop in runs]
    except BaseException:
        pool.shutdown(cancel_futures=True)
        raise
    return Results(pool, futures)


class Results(Iterator[R]):
    """The results of :func:`map_spans` in run order; :meth:`close` cancels what has not started and shuts
    the pool down (also done when the last result has been taken, or one raised)."""

    def __init__(self, pool: Executor, futures: list[Future[R]]) -> None:
        self._pool = pool
        self._futures = collections.deque(futures)

    def __iter__(self) -> Results[R]:
        return self

    def __next__(self) -> R:
        if not self._futures:
            self.close()
            raise StopIteration
        try:
            return self._futures.popleft().result()
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        self._futures.clear()
        self._pool.shutdown(cancel_futures=True)
