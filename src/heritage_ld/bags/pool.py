"""Where the hashing work runs: threads for large files, worker processes for many small ones.

hashlib releases the GIL while it hashes a large buffer, so threads use every core on large files. On small
files (a few KB) the per-file Python work holds the GIL as long as the hashing does, and two threads run no
faster than one (measured on the benchmark's 20,000-file corpus); there, forked worker processes each with
their own interpreter do scale. Processes are used only where forking is safe: on Linux, from a process
that runs no other thread (a fork copies locks held by other threads in whatever state they are).
"""

from __future__ import annotations

import multiprocessing
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from typing import TypeVar

__all__ = ["MANY_FILES", "SMALL_FILE", "batches", "map_batches", "use_processes"]

T = TypeVar("T")
R = TypeVar("R")

#: From this many payload files of at most :data:`SMALL_FILE` bytes on average, worker processes pay off.
MANY_FILES = 1000
SMALL_FILE = 256 * 1024


def batches(order: list[str], sizes: Mapping[str, int], *, max_bytes: int = 8 << 20,
            max_files: int = 64) -> Iterator[list[str]]:
    """Group small files into one pool task each (up to ``max_files`` or ``max_bytes``); a big file goes alone.

    A task per file costs a future, a lock and a wake-up: on 20,000 small files that overhead was larger
    than the hashing itself (profiled on ``benchmarks/bags_bench.py``'s "many small" corpus).

    >>> list(batches(["big", "a", "b", "c"], {"big": 10 << 20, "a": 1, "b": 1, "c": 1}, max_files=2))
    [['big'], ['a', 'b'], ['c']]
    """
    current: list[str] = []
    total = 0
    for path in order:
        size = sizes[path]
        if current and (total + size > max_bytes or len(current) >= max_files):
            yield current
            current, total = [], 0
        current.append(path)
        total += size
    if current:
        yield current


def use_processes(sizes: Iterable[int], jobs: int) -> bool:
    """Whether files of these sizes are hashed faster by ``jobs`` worker processes than by threads.

    >>> use_processes([4096] * 5000, 2) == (sys.platform.startswith("linux") and threading.active_count() == 1)
    True
    >>> use_processes([40 << 20] * 5000, 2), use_processes([4096] * 10, 2), use_processes([4096] * 5000, 1)
    (False, False, False)
    """
    if jobs < 2 or not sys.platform.startswith("linux") or threading.active_count() != 1:
        return False
    count = total = 0
    for size in sizes:
        count += 1
        total += size
    return count >= MANY_FILES and total <= count * SMALL_FILE


def map_batches(fn: Callable[[T], R], tasks: Iterable[T], jobs: int, *, processes: bool,
                name: str = "bag") -> Iterator[R]:
    """``fn`` over ``tasks`` on ``jobs`` workers (processes if asked, else threads), results in task order.

    With processes, ``fn`` and the tasks must be picklable (a module-level function, plain data).
    """
    pool: Executor
    if processes:
        pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"))
    else:
        pool = ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix=name)
    with pool:
        yield from pool.map(fn, tasks)
