"""Pluggable executors: how the pipeline runs independent work (per item, per file) in parallel.

``serial`` runs in the calling thread (debugging, tiny inputs); ``threads`` suits I/O and hashing (hashlib,
Pillow and lxml release the GIL); ``auto`` (the command line's default) is ``threads`` plus worker processes for
the build's pure-Python work on large builds; ``processes`` suits pure-Python CPU work; ``dask`` hands work to a Dask
cluster (optional extra ``heritage-ld[dask]``, :mod:`heritage_ld.pipeline.dask_executor`). Any
:class:`concurrent.futures.Executor` (a pool of one's own, a Dask ``Client.get_executor()``) is adapted by
:func:`as_executor`. Every executor returns results in input order, so output stays deterministic whatever the
parallelism, and keeps only a bounded window of tasks in flight, so memory stays flat on huge inputs.
"""

from __future__ import annotations

import math
import multiprocessing
import multiprocessing.context
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sized
from concurrent.futures import BrokenExecutor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures import Executor as _FuturesExecutor
from typing import Any, Protocol, TypeVar

from heritage_ld.errors import ExecutionError, UsageError
from heritage_ld.problems import Location, report

__all__ = ["EXECUTORS", "AutoExecutor", "Executor", "FuturesExecutor", "ProcessExecutor", "as_executor", "chunk_size", "default_jobs",
           "make_executor", "run_chunk", "windowed"]

T = TypeVar("T")
R = TypeVar("R")


class Executor(Protocol):
    """Runs a function over many inputs; results come back in input order."""

    name: str
    jobs: int

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]: ...

    def close(self) -> None: ...


def default_jobs() -> int:
    """The number of CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


class SerialExecutor:
    name = "serial"

    def __init__(self, jobs: int = 1) -> None:
        self.jobs = 1

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        return map(fn, items)

    def close(self) -> None:
        return None


class _PoolExecutor:
    name = "pool"

    def __init__(self, pool: _FuturesExecutor, jobs: int) -> None:
        self._pool = pool
        self.jobs = jobs

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        # Bounded look-ahead: at most 4 tasks per worker in flight, so memory stays flat on huge inputs.
        window = self.jobs * 4
        it = iter(items)
        futures = []
        try:
            for item in it:
                futures.append(self._pool.submit(fn, item))
                if len(futures) >= window:
                    yield futures.pop(0).result()
            while futures:
                yield futures.pop(0).result()
        except BrokenExecutor as exc:  # a worker process killed (the OOM killer): one clear error, no traceback
            task = getattr(fn, "__qualname__", repr(fn))
            raise ExecutionError([report("X005", Location(self.name), task=task, reason=str(exc))]) from None

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class ThreadExecutor(_PoolExecutor):
    name = "threads"

    def __init__(self, jobs: int | None = None) -> None:
        n = jobs or default_jobs()
        super().__init__(ThreadPoolExecutor(max_workers=n, thread_name_prefix="heritage-ld"), n)


class AutoExecutor(ThreadExecutor):
    """Threads, and worker processes for the build's pure-Python work when there is enough of it (the CLI's
    default; see :meth:`heritage_ld.pipeline.build.BuildContext.cpu`).

    Worker processes start with ``forkserver``, which imports the caller's main module again in each worker: a
    script that runs a build must keep its top-level code under ``if __name__ == "__main__":`` (the ``threads``
    executor, the API's default, has no such rule).
    """

    name = "auto"


def _die_with_parent() -> None:
    """Worker initializer: on Linux, the worker is killed when its parent ends, so a build killed with SIGKILL
    leaves no worker finishing a batch into OUT behind the next build's back (PR_SET_PDEATHSIG)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - no libc prctl
        return


#: Imported once by the fork server, so that each worker starts with them loaded (forked, not imported again).
#: ``__main__`` is left out on purpose: a caller's script without an ``if __name__ == "__main__":`` guard would
#: otherwise run again in the server.
_PRELOAD = ["heritage_ld.pipeline.steps.rdf", "heritage_ld.pipeline.steps.edm", "heritage_ld.publish.site",
            "heritage_ld.bags.identify", "heritage_ld.pipeline.steps.bags"]


def _process_context() -> multiprocessing.context.BaseContext:
    if "forkserver" not in multiprocessing.get_all_start_methods():  # pragma: no cover - not Linux
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    return context


class ProcessExecutor(_PoolExecutor):
    name = "processes"

    def __init__(self, jobs: int | None = None) -> None:
        n = jobs or default_jobs()
        # forkserver, not fork: the build holds threads (SQLite, progress) whose locks a forked child would
        # inherit held, and hang on.
        super().__init__(ProcessPoolExecutor(max_workers=n, mp_context=_process_context(),
                                             initializer=_die_with_parent), n)


#: The most items one task of a chunked executor carries (a task then takes long enough that the scheduler's
#: few milliseconds per task are noise; see docs/scaling.md for the measurement).
MAX_CHUNK = 64

#: Tasks per worker a chunked executor aims at for one ``map`` (enough to balance uneven items).
TASKS_PER_WORKER = 8


def chunk_size(count: int | None, workers: int) -> int:
    """How many items one task carries when ``count`` items go to ``workers`` workers: about
    :data:`TASKS_PER_WORKER` tasks per worker, at most :data:`MAX_CHUNK` items each (``count`` unknown: 8).

    >>> chunk_size(30, 2), chunk_size(10_000, 2), chunk_size(None, 2)
    (2, 64, 8)
    """
    if count is None:
        return 8
    return max(1, min(MAX_CHUNK, math.ceil(count / (max(1, workers) * TASKS_PER_WORKER))))


def run_chunk(fn: Callable[[T], R], chunk: list[T]) -> list[R]:
    """Run ``fn`` over a chunk of inputs, in order (what one task of a chunked executor does on a worker)."""
    return [fn(x) for x in chunk]


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def windowed(
    submit: Callable[[list[T]], Any],
    items: Iterable[T],
    *,
    size: int,
    window: int,
    fail: Callable[[BaseException, int, list[T]], BaseException | None] | None = None,
) -> Generator[list[Any], None, None]:
    """Submit ``items`` in chunks of ``size`` with at most ``window`` chunks in flight; yield each chunk's results
    in input order. ``submit(chunk)`` returns a future whose ``result()`` is the list of the chunk's results.

    When a chunk fails, the chunks in flight are cancelled and ``fail(exc, index, chunk)`` may return the
    exception to raise instead (one that names the chunk); ``None`` re-raises the original.
    """
    pending: deque[tuple[int, list[T], Any]] = deque()
    chunks = enumerate(_chunks(items, size))
    try:
        for index, chunk in chunks:
            pending.append((index, chunk, submit(chunk)))
            while len(pending) >= window:
                yield _result(pending.popleft(), fail)
        while pending:
            yield _result(pending.popleft(), fail)
    finally:
        for _, _, future in pending:  # an error, or the consumer stopped early: nothing left running
            future.cancel()


def _result(entry: tuple[int, list[T], Any], fail: Callable[[BaseException, int, list[T]], BaseException | None]
            | None) -> list[Any]:
    index, chunk, future = entry
    try:
        result: list[Any] = future.result()
    except Exception as exc:
        better = fail(exc, index, chunk) if fail is not None else None
        if better is None or better is exc:
            raise
        raise better from exc
    return result


class FuturesExecutor:
    """Any :class:`concurrent.futures.Executor` as an :class:`Executor`: work goes in chunks (see
    :func:`chunk_size`), at most ``2 × jobs`` chunks in flight, results in input order.

    The pool stays the caller's: :meth:`close` does not shut it down. A Dask ``Client.get_executor()`` works
    (its exceptions are then named as :class:`~heritage_ld.pipeline.dask_executor.DaskExecutor` names them).

    >>> from concurrent.futures import ThreadPoolExecutor
    >>> with ThreadPoolExecutor(2) as pool:
    ...     list(as_executor(pool).map(abs, [-1, -2, 3]))
    [1, 2, 3]
    """

    name = "futures"

    def __init__(self, pool: _FuturesExecutor, jobs: int | None = None) -> None:
        self._pool = pool
        self.jobs = jobs or _pool_workers(pool)
        self._fail: Callable[..., BaseException | None] | None = None
        if type(pool).__module__.startswith("distributed"):
            from heritage_ld.pipeline.dask_executor import failure

            self._fail = failure
            self.name = "dask"

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        count = len(items) if isinstance(items, Sized) else None
        size = chunk_size(count, self.jobs)

        def submit(chunk: list[T]) -> Future[list[R]]:
            return self._pool.submit(run_chunk, fn, chunk)

        fail = None if self._fail is None else _naming(self._fail, fn)
        for results in windowed(submit, items, size=size, window=2 * self.jobs, fail=fail):
            yield from results

    def close(self) -> None:
        return None


def _naming(fail: Callable[..., BaseException | None], fn: Callable[..., Any]
            ) -> Callable[[BaseException, int, list[Any]], BaseException | None]:
    def named(exc: BaseException, index: int, chunk: list[Any]) -> BaseException | None:
        return fail(exc, index, chunk, fn=fn)

    return named


def _pool_workers(pool: _FuturesExecutor) -> int:
    """The workers of a pool: a Dask client's threads, a stdlib pool's ``_max_workers``, else the CPUs."""
    client = getattr(pool, "_client", None)
    if client is not None and hasattr(client, "nthreads"):
        return max(1, int(sum(client.nthreads().values())))
    workers = getattr(pool, "_max_workers", None)
    return workers if isinstance(workers, int) and workers > 0 else default_jobs()


def as_executor(executor: Executor | _FuturesExecutor, jobs: int | None = None) -> Executor:
    """``executor`` as an :class:`Executor`: one already is; a :class:`concurrent.futures.Executor` is adapted
    (:class:`FuturesExecutor`)."""
    if isinstance(executor, _FuturesExecutor):
        return FuturesExecutor(executor, jobs)
    return executor


def _dask(jobs: int | None = None, address: str | None = None) -> Executor:
    from heritage_ld.pipeline.dask_executor import DaskExecutor

    return DaskExecutor(jobs, address)


#: Executor names (CLI ``--executor`` choices) to classes.
EXECUTORS: dict[str, Callable[..., Executor]] = {
    "serial": SerialExecutor,
    "threads": ThreadExecutor,
    "auto": AutoExecutor,
    "processes": ProcessExecutor,
    "dask": _dask,
}


def make_executor(name: str = "threads", jobs: int | None = None, *, scheduler: str | None = None) -> Executor:
    """An executor by name; raises :class:`UsageError` for an unknown name.

    ``scheduler`` (``tcp://HOST:PORT``) is the address of an existing Dask scheduler for ``dask`` (default:
    ``DASK_SCHEDULER_ADDRESS``, else a ``LocalCluster`` of ``jobs`` worker processes is started); naming one
    with another executor is a usage error.
    """
    try:
        factory = EXECUTORS[name]
    except KeyError:
        raise UsageError(f"unknown executor {name!r}; choose one of {', '.join(EXECUTORS)}") from None
    if name == "dask":
        return factory(jobs, scheduler)
    if scheduler:
        raise UsageError(f"--scheduler {scheduler!r} needs --executor dask (not {name!r})")
    return factory(jobs)
