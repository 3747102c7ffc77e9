"""The dask executor on a real LocalCluster of 2 worker processes (one per session), and the adapter of any
``concurrent.futures.Executor``. Functions sent to the workers come from the standard library: the workers
import them by name."""

from __future__ import annotations

import math
import operator
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from heritage_ld.errors import ExecutionError, UsageError
from heritage_ld.pipeline.executor import FuturesExecutor, as_executor, chunk_size, make_executor, windowed

pytest.importorskip("distributed", reason="the dask executor needs 'heritage-ld[dask]'")

from heritage_ld.pipeline.dask_executor import WINDOW_PER_WORKER, describe, scheduler_address


def test_results_come_back_in_input_order(dask_local: Any) -> None:
    assert dask_local.jobs == 2
    assert list(dask_local.map(abs, range(-300, 0))) == list(range(300, 0, -1))
    assert list(dask_local.map(abs, iter(range(-20, 0)))) == list(range(20, 0, -1))  # not Sized: chunks of 8


def test_the_work_runs_in_the_worker_processes(dask_local: Any) -> None:
    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers cannot import this test module
    try:
        pids = set(dask_local.map(_pid, range(64)))
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    assert os.getpid() not in pids
    assert len(pids) == 2  # both workers got work


def _pid(_: object) -> int:
    return os.getpid()


def test_lookahead_is_bounded(dask_local: Any) -> None:
    client = dask_local.client
    results = dask_local.map(abs, range(-100_000, 0))
    assert next(results) == 100_000
    window = WINDOW_PER_WORKER * dask_local.jobs
    # 100,000 items in chunks of 64: about 1,563 tasks, of which at most a window was ever submitted
    assert 0 < len(client.futures) <= window
    results.close()  # the consumer stops: what is in flight is cancelled
    deadline = time.monotonic() + 10
    while client.futures and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not client.futures


def test_a_task_that_keeps_failing_is_named_with_its_items(dask_local: Any) -> None:
    paths = [Path(f"media/{n}.jpg") for n in range(3)]
    with pytest.raises(ExecutionError) as caught:
        list(dask_local.map(operator.attrgetter("no_such_attribute"), paths))
    (problem,) = caught.value.problems
    assert problem.code == "X004"
    assert problem.get("what") == "0.jpg"  # 3 items, 2 workers: one item per task, the first fails first
    assert problem.get("task") == "task 1 of operator.attrgetter"
    assert problem.get("retries") == 2
    assert "AttributeError" in problem.get("error")


def test_a_file_error_stays_a_file_error(dask_local: Any) -> None:
    # the build turns an OSError into a StorageError naming the file, as with every executor
    with pytest.raises(FileNotFoundError):
        list(dask_local.map(os.stat, ["/nonexistent/heritage-ld"]))


def test_a_dask_client_executor_is_adapted(dask_local: Any) -> None:
    pool = dask_local.client.get_executor(retries=1)
    ex = as_executor(pool)
    assert isinstance(ex, FuturesExecutor) and ex.name == "dask" and ex.jobs == 2
    assert list(ex.map(abs, range(-50, 0))) == list(range(50, 0, -1))
    with pytest.raises(ExecutionError) as caught:
        list(ex.map(math.sqrt, [4.0, -1.0]))
    assert caught.value.problems[0].code == "X004"
    ex.close()  # the caller's: still usable after
    assert pool.submit(abs, -3).result() == 3


def test_any_futures_executor_is_adapted_and_not_shut_down() -> None:
    with ThreadPoolExecutor(3) as pool:
        ex = as_executor(pool)
        assert ex.jobs == 3
        assert list(ex.map(abs, range(-1000, 0))) == list(range(1000, 0, -1))
        with pytest.raises(ValueError):  # a plain pool's exceptions are left as they are
            list(ex.map(math.sqrt, [-1.0]))
        ex.close()
        assert pool.submit(abs, -2).result() == 2


def test_windowed_submits_no_more_than_the_window() -> None:
    submitted: list[list[int]] = []

    class Done:
        def __init__(self, chunk: list[int]) -> None:
            self.chunk = chunk

        def result(self) -> list[int]:
            return self.chunk

        def cancel(self) -> bool:
            return True

    def submit(chunk: list[int]) -> Done:
        submitted.append(chunk)
        return Done(chunk)

    gen = windowed(submit, range(1000), size=10, window=3)
    assert next(gen) == list(range(10))
    assert len(submitted) == 3
    assert sum(len(c) for c in gen) == 990


def test_chunk_sizes() -> None:
    assert chunk_size(1, 2) == 1
    assert chunk_size(16, 2) == 1
    assert chunk_size(17, 2) == 2
    assert chunk_size(1_000_000, 100) == 64


def test_describe_names_items_batches_and_files() -> None:
    from heritage_ld.model import Item, ItemKind, MultilingualText

    a, b, c = (Item(f"A.{n}", ItemKind.PHOTOGRAPH, MultilingualText.of(en="x")) for n in range(3))

    class Batch:
        items = ((a, "d"), (b, "d"), (c, "d"))

    assert describe([Batch()]) == "A.0 … A.2, 3 inputs"
    assert describe([a, b]) == "A.0, A.1"
    assert describe([1, 2]) == "2 input(s)"


def test_scheduler_address_comes_from_dask_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    import dask

    assert scheduler_address("tcp://h:1") == "tcp://h:1"
    with dask.config.set({"scheduler-address": "tcp://127.0.0.1:9"}):
        assert scheduler_address() == "tcp://127.0.0.1:9"


def test_no_scheduler_is_x001() -> None:
    import dask

    from heritage_support import free_port

    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}), pytest.raises(ExecutionError) as caught:
        make_executor("dask", scheduler=f"tcp://127.0.0.1:{free_port()}")
    assert caught.value.problems[0].code == "X001"


def test_a_scheduler_needs_the_dask_executor() -> None:
    with pytest.raises(UsageError, match="needs --executor dask"):
        make_executor("threads", 2, scheduler="tcp://127.0.0.1:8786")


def test_our_own_refusal_comes_back_as_itself(dask_local: Any) -> None:
    # make_executor("gpu") raises UsageError on the worker: an error about the request, returned (not retried)
    # and raised here as the same exception, as with threads
    with pytest.raises(UsageError, match="unknown executor 'gpu'"):
        list(dask_local.map(make_executor, ["serial", "gpu"]))


def test_a_scheduler_without_workers_is_x002() -> None:
    from distributed import LocalCluster

    from heritage_ld.pipeline.dask_executor import DaskExecutor

    with (LocalCluster(n_workers=0, processes=False, dashboard_address=None,
                       scheduler_kwargs={"dashboard_address": "127.0.0.1:0"}) as empty,
          pytest.raises(ExecutionError) as caught):
        DaskExecutor(address=empty.scheduler_address, timeout=1)
    (problem,) = caught.value.problems
    assert problem.code == "X002" and problem.get("address") == empty.scheduler_address
