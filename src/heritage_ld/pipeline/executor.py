"""Pluggable executors: how the pipeline runs independent work (per item, per file) in parallel.

``serial`` runs in the calling thread (debugging, tiny inputs); ``threads`` suits I/O and hashing (hashlib,
Pillow and lxml release the GIL); ``auto`` (the command line's default) is ``threads`` plus worker processes for
the build's pure-Python work on large builds; ``processes`` suits pure-Python CPU work; ``dask`` hands work to a Dask
cluster (optional extra ``heritage-ld[dask]``). Every executor returns results in input order, so output
stays deterministic whatever the parallelism.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor as _FuturesExecutor
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import Protocol, TypeVar

from heritage_ld.errors import UsageError

__all__ = ["EXECUTORS", "AutoExecutor", "Executor", "ProcessExecutor", "default_jobs", "make_executor"]

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
        for item in it:
            futures.append(self._pool.submit(fn, item))
            if len(futures) >= window:
                yield futures.pop(0).result()
        while futures:
            yield futures.pop(0).result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class ThreadExecutor(_PoolExecutor):
    name = "threads"

    def __init__(self, jobs: int | None = None) -> None:
        n = jobs or default_jobs()
        super().__init__(ThreadPoolExecutor(max_workers=n, thread_name_prefix="heritage-ld"), n)


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
            "heritage_ld.bags.identify"]


def _process_context() -> multiprocessing.context.BaseContext:
    if "forkserver" not in multiprocessing.get_all_start_methods():  # pragma: no cover - not Linux
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    return context


class AutoExecutor(ThreadExecutor):
    """Threads, and worker processes for the build's pure-Python work when there is enough of it (the CLI's
    default; see :meth:`heritage_ld.pipeline.build.BuildContext.cpu`).

    Worker processes start with ``forkserver``, which imports the caller's main module again in each worker: a
    script that runs a build must keep its top-level code under ``if __name__ == "__main__":`` (the ``threads``
    executor, the API's default, has no such rule).
    """

    name = "auto"


class ProcessExecutor(_PoolExecutor):
    name = "processes"

    def __init__(self, jobs: int | None = None) -> None:
        n = jobs or default_jobs()
        # forkserver, not fork: the build holds threads (SQLite, progress) whose locks a forked child would
        # inherit held, and hang on (measured: `--executor processes` hung in the bags step with fork).
        super().__init__(ProcessPoolExecutor(max_workers=n, mp_context=_process_context(),
                                             initializer=_die_with_parent), n)


class DaskExecutor:
    """Runs work on a Dask cluster (``address``) or a local one; needs ``heritage-ld[dask]``."""

    name = "dask"

    def __init__(self, jobs: int | None = None, address: str | None = None) -> None:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - depends on the extra
            raise UsageError("the dask executor needs the optional extra: pip install 'heritage-ld[dask]'") from exc
        self.jobs = jobs or default_jobs()
        if address:
            self._client = Client(address)
        else:
            self._client = Client(LocalCluster(n_workers=self.jobs, threads_per_worker=1, processes=True))

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        futures = self._client.map(fn, list(items), pure=False)
        for f in futures:
            yield f.result()

    def close(self) -> None:
        self._client.close()


#: Executor names (CLI ``--executor`` choices) to classes.
EXECUTORS: dict[str, Callable[..., Executor]] = {
    "serial": SerialExecutor,
    "threads": ThreadExecutor,
    "auto": AutoExecutor,
    "processes": ProcessExecutor,
    "dask": DaskExecutor,
}


def make_executor(name: str = "threads", jobs: int | None = None) -> Executor:
    """An executor by name; raises :class:`UsageError` for an unknown name."""
    try:
        factory = EXECUTORS[name]
    except KeyError:
        raise UsageError(f"unknown executor {name!r}; choose one of {', '.join(EXECUTORS)}") from None
    return factory(jobs)
