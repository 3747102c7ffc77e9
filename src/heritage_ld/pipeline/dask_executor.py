"""The ``dask`` executor: per-item work on a Dask cluster (``dask.distributed``), the build itself on the client.

Without an address, a :class:`distributed.LocalCluster` of worker processes (one thread each) is started for the
build and stopped after it. With one (``--scheduler tcp://HOST:PORT``, or Dask's own ``DASK_SCHEDULER_ADDRESS``
/ ``scheduler-address`` setting), the build connects to that scheduler and uses its workers; they must see the
catalogue and the output folder at the same paths (a shared file system) and run the same heritage-ld.

Work goes in chunks (:func:`~heritage_ld.pipeline.executor.chunk_size`: about eight tasks per worker, at most
64 items each), at most three chunks per worker in flight; results come back in input order. A task that raises
is retried by Dask (``retries``), unless it is one of our own refusals (an error about the data, the same on every
try); a task whose worker dies is retried on another (Dask's
``distributed.scheduler.allowed-failures``). When it keeps failing, the build stops with an
:class:`~heritage_ld.errors.ExecutionError` naming the task and its items (codes ``X001``–``X004``), except a
file that cannot be read or written, which stays the :class:`OSError` the build reports as for any executor.
"""

from __future__ import annotations

import functools
import importlib
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Sized
from concurrent.futures import CancelledError
from pathlib import Path
from typing import Any, TypeVar

from heritage_ld.errors import ExecutionError, HeritageLDError, UsageError
from heritage_ld.pipeline.executor import chunk_size, default_jobs, run_chunk, windowed
from heritage_ld.problems import Location, report

__all__ = ["RETRIES", "DaskExecutor", "Refused", "describe", "failure", "run_refusing", "scheduler_address"]

T = TypeVar("T")
R = TypeVar("R")

#: How many times Dask runs a task again after it raised (``Client.submit(retries=...)``).
RETRIES = 2

#: Chunks in flight per worker: one running, the next ones already on the worker (no idle gap between tasks).
WINDOW_PER_WORKER = 3



def scheduler_address(address: str | None = None) -> str | None:
    """The scheduler to use: ``address``, else Dask's ``scheduler-address`` setting (``DASK_SCHEDULER_ADDRESS``)."""
    if address:
        return address
    if os.environ.get("DASK_SCHEDULER_ADDRESS"):  # (Dask reads its environment once, when imported)
        return os.environ["DASK_SCHEDULER_ADDRESS"]
    import dask

    found = dask.config.get("scheduler-address", None)
    return str(found) if found else None


class DaskExecutor:
    """Runs work on a Dask cluster: the scheduler at ``address`` (or ``DASK_SCHEDULER_ADDRESS``), else a
    ``LocalCluster`` of ``jobs`` worker processes started here. Needs ``heritage-ld[dask]``.

    ``timeout`` (seconds) bounds the wait for the scheduler to answer and to have a worker (default: Dask's
    ``distributed.comm.timeouts.connect``, e.g. ``DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT=5s``).

    Raises:
        UsageError: ``dask[distributed]`` is not installed.
        ExecutionError: no scheduler answers at the address (``X001``), or it has no worker (``X002``).
    """

    name = "dask"

    def __init__(self, jobs: int | None = None, address: str | None = None, *, retries: int = RETRIES,
                 timeout: float | None = None) -> None:
        try:  # (typed as Any: distributed's own functions are untyped)
            distributed: Any = importlib.import_module("distributed")
        except ImportError as exc:  # pragma: no cover - depends on the extra
            raise UsageError("the dask executor needs the optional extra: pip install 'heritage-ld[dask]'") from exc
        self.retries = retries
        self.address = scheduler_address(address)
        if timeout is None:  # Dask's own setting (distributed.comm.timeouts.connect, 30 s unless configured)
            timeout = _connect_timeout()
        self._cluster: Any = None
        self._client: Any
        if self.address:
            try:
                self._client = distributed.Client(self.address, timeout=timeout, set_as_default=False)
            except (OSError, TimeoutError, ValueError) as exc:
                raise ExecutionError([report("X001", Location(self.address), address=self.address,
                                             reason=str(exc) or type(exc).__name__)]) from None
            try:
                self._client.wait_for_workers(1, timeout=timeout)
            except TimeoutError:
                self._client.close()
                raise ExecutionError([report("X002", Location(self.address), address=self.address,
                                             seconds=f"{timeout:g}")]) from None
        else:
            # On 127.0.0.1 only, no dashboard, its HTTP endpoint on a free port (not 8787: another cluster may
            # hold it).
            try:
                self._cluster = distributed.LocalCluster(
                    n_workers=jobs or default_jobs(), threads_per_worker=1, processes=True, host="127.0.0.1",
                    dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                    silence_logs=logging.ERROR)
            except RuntimeError as exc:  # worker processes are spawned: they import the caller's __main__ again
                raise UsageError(f"could not start a Dask LocalCluster ({exc}); a Python script that builds with "
                                 "the dask executor must do it under: if __name__ == '__main__':") from None
            self._client = distributed.Client(self._cluster, set_as_default=False)
            self.address = str(self._cluster.scheduler_address)
        self.jobs = max(1, sum(self._client.nthreads().values()))

    @property
    def client(self) -> Any:
        """The :class:`distributed.Client` (to look at the cluster, or share it with other work)."""
        return self._client

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        count = len(items) if isinstance(items, Sized) else None
        size = chunk_size(count, self.jobs)
        submit = self._client.submit

        def send(chunk: list[T]) -> Any:
            return submit(run_refusing, fn, chunk, retries=self.retries, pure=False)

        fail = functools.partial(failure, fn=fn, address=self.address or "", retries=self.retries)
        done = windowed(send, items, size=size, window=WINDOW_PER_WORKER * self.jobs, fail=fail)
        try:
            for results in done:
                if isinstance(results, Refused):
                    raise results.error
                yield from results
        finally:
            done.close()  # cancels what is still in flight

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


class Refused:
    """What a task returns instead of raising one of our own errors (:class:`HeritageLDError`: a refusal about the
    data, such as a bag that may not be overwritten): the same on every try, so Dask is not asked to retry it."""

    __slots__ = ("error",)

    def __init__(self, error: HeritageLDError) -> None:
        self.error = error


def run_refusing(fn: Callable[[T], R], chunk: list[T]) -> list[R] | Refused:
    """:func:`~heritage_ld.pipeline.executor.run_chunk` on a worker, returning our own errors (not raising them)."""
    try:
        return run_chunk(fn, chunk)
    except HeritageLDError as exc:
        return Refused(exc)


def _connect_timeout() -> float:
    import dask
    from dask.utils import parse_timedelta

    return float(parse_timedelta(dask.config.get("distributed.comm.timeouts.connect", "30s")) or 30)


def describe(chunk: list[Any]) -> str:
    """Which items a chunk of work is about, for a message: accessions (of items, of batches of items), bag
    folders, media file names; the first and the last when there are many.

    >>> from pathlib import Path
    >>> describe([Path("media/a.jpg"), Path("media/b.jpg"), Path("media/c.jpg")])
    'a.jpg … c.jpg, 3 inputs'
    """
    labels = [label for x in chunk for label in _labels(x)]
    if not labels:
        return f"{len(chunk)} input(s)"
    if len(labels) <= 2:
        return ", ".join(labels)
    return f"{labels[0]} … {labels[-1]}, {len(labels)} inputs"


def _labels(x: Any) -> list[str]:
    accession = getattr(x, "accession", None)
    if isinstance(accession, str):
        return [accession]
    members = getattr(x, "items", None)
    if isinstance(members, tuple):  # a step's batch: ((item, digest), ...)
        return [label for m in members for label in _labels(m[0] if isinstance(m, tuple) and m else m)]
    for attribute in ("target", "path", "source"):
        value = getattr(x, attribute, None)
        if isinstance(value, Path):
            return [value.name]
    if isinstance(x, Path):
        return [x.name]
    return []


def _task(fn: Callable[..., Any], index: int) -> str:
    inner = fn.func if isinstance(fn, functools.partial) else fn
    module = getattr(inner, "__module__", "") or ""
    name = getattr(inner, "__qualname__", type(inner).__name__)
    return f"task {index + 1} of {module.rsplit('.', 1)[-1]}.{name}"


def failure(exc: BaseException, index: int, chunk: list[Any], *, fn: Callable[..., Any], address: str = "",
            retries: int = RETRIES) -> BaseException | None:
    """The error to raise when chunk ``index`` of ``fn`` failed on the cluster with ``exc`` (after Dask's retries),
    or ``None`` to raise ``exc`` itself (a file error, or one of ours: the build reports those as it always does).
    """
    if isinstance(exc, (OSError, HeritageLDError)) and type(exc).__module__.split(".")[0] not in (
            "distributed", "tornado"):
        return None
    where = Location(address or "dask")
    task, what = _task(fn, index), describe(chunk)
    kind = type(exc).__name__
    if kind == "KilledWorker":
        problem = report("X003", where, task=task, what=what, reason=str(exc) or kind)
    elif isinstance(exc, CancelledError) or kind in ("CommClosedError", "FutureCancelledError"):
        problem = report("X001", where, address=address or "dask", reason=f"lost it during {task} ({what}): {kind}")
    else:
        problem = report("X004", where, task=task, what=what, retries=retries, error=f"{kind}: {exc}")
    return ExecutionError([problem])
