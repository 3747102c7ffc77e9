"""Dask clusters for the tests: a ``LocalCluster`` of 2 worker processes, and a scheduler and 2 workers started
as separate processes (``dask scheduler``, ``dask worker``) on 127.0.0.1, stopped at the end even on failure.

The fixtures are in ``tests/conftest.py`` (``dask_local``, ``dask_scheduler``), one cluster of each kind per
test session.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

from heritage_support import ROOT, free_port

__all__ = ["ALLOWED_FAILURES", "WORKERS", "compare_outputs", "local_cluster", "scheduler_processes"]

#: Worker processes of each cluster.
WORKERS = 2

#: The separate scheduler gives a task up the first time its worker dies (Dask's default retries 3 times): the
#: killed-worker test then fails fast instead of killing four workers.
ALLOWED_FAILURES = 0


@contextmanager
def local_cluster() -> Iterator[object]:
    """A :class:`~heritage_ld.pipeline.dask_executor.DaskExecutor` on a new LocalCluster of 2 processes."""
    from heritage_ld.pipeline.dask_executor import DaskExecutor

    ex = DaskExecutor(WORKERS)
    try:
        yield ex
    finally:
        ex.close()


def _env() -> dict[str, str]:
    src = str(ROOT / "src")
    path = os.environ.get("PYTHONPATH", "")
    return dict(os.environ, PYTHONPATH=src + (os.pathsep + path if path else ""),
                DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES=str(ALLOWED_FAILURES))


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in reversed(procs):  # workers first, then the scheduler
        if proc.poll() is None:
            proc.terminate()
    for proc in reversed(procs):
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@contextmanager
def scheduler_processes(logs: Path, *, wrap: Sequence[str] = (),
                        worker_env: Callable[[int], dict[str, str]] | None = None) -> Iterator[str]:
    """``dask scheduler`` and 2 ``dask worker`` processes on 127.0.0.1 (random free ports); yields the address.

    ``wrap``: a command the workers are started through (``unshare …``: a worker that does not see this
    machine's files); ``worker_env``: more environment variables for worker ``n``."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = [sys.executable, "-m", "dask"]
    env = _env()
    procs: list[subprocess.Popen[bytes]] = []
    logs.mkdir(parents=True, exist_ok=True)
    try:
        with open(logs / "scheduler.log", "wb") as log:
            procs.append(subprocess.Popen([*dask, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                           "--no-dashboard", "--no-show"], stdout=log, stderr=log, env=env))
        for n in range(WORKERS):
            with open(logs / f"worker-{n}.log", "wb") as log:
                procs.append(subprocess.Popen([*wrap, *dask, "worker", address, "--host", "127.0.0.1", "--nthreads",
                                               "1", "--no-dashboard", "--name", f"w{n}"], stdout=log, stderr=log,
                                              env={**env, **(worker_env(n) if worker_env else {})}))
        wait_for_workers(address, WORKERS, procs)
        yield address
    finally:
        _stop(procs)


def wait_for_workers(address: str, count: int, procs: list[subprocess.Popen[bytes]] | None = None,
                     timeout: float = 60) -> None:
    """Wait until the scheduler at ``address`` has ``count`` workers (a killed one is restarted by its nanny)."""
    from distributed import Client

    deadline = time.monotonic() + timeout
    while True:
        with suppress(OSError, TimeoutError), Client(address, timeout=5, set_as_default=False) as client:
            client.wait_for_workers(count, timeout=max(1, deadline - time.monotonic()))
            return
        if time.monotonic() > deadline or any(p.poll() is not None for p in procs or []):
            raise RuntimeError(f"the Dask cluster at {address} did not get {count} workers")
        time.sleep(0.5)


def compare_outputs(a: Path, b: Path) -> list[str]:
    """The files that differ between two build folders (every file but the ledger and the RocksDB files of
    ``store/``, whose bytes differ from one run to the next whatever the executor; the store's quads are compared
    instead). Empty when the builds are byte-identical."""
    def files(root: Path) -> dict[str, Path]:
        return {p.relative_to(root).as_posix(): p for p in root.rglob("*")
                if p.is_file() and p.name != "ledger.sqlite3" and not p.relative_to(root).as_posix().startswith("store/")}

    fa, fb = files(a), files(b)
    differ = sorted(set(fa) ^ set(fb))
    differ += [rel for rel in sorted(set(fa) & set(fb)) if fa[rel].read_bytes() != fb[rel].read_bytes()]
    if ((a / "store").is_dir() or (b / "store").is_dir()) and _quads(a / "store") != _quads(b / "store"):
        differ.append("store/ (its quads)")
    return differ


def _quads(store: Path) -> list[str]:
    import pyoxigraph

    if not store.is_dir():
        return []
    db = pyoxigraph.Store.read_only(str(store))
    return sorted(str(q) for q in db)
