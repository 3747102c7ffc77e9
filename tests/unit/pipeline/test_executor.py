from __future__ import annotations

import threading

import pytest

from heritage_ld.errors import UsageError
from heritage_ld.pipeline import EXECUTORS, make_executor


def _square(x: int) -> int:
    return x * x


@pytest.mark.parametrize("name", ["serial", "threads", "processes"])
def test_results_come_back_in_input_order(name: str) -> None:
    ex = make_executor(name, 2)
    try:
        assert list(ex.map(_square, range(50))) == [x * x for x in range(50)]
    finally:
        ex.close()


def test_threads_run_in_parallel_with_bounded_lookahead() -> None:
    seen: set[str] = set()
    lock = threading.Lock()

    def record(x: int) -> int:
        with lock:
            seen.add(threading.current_thread().name)
        return x

    ex = make_executor("threads", 2)
    consumed = 0
    started = []
    try:
        gen = ex.map(lambda x: (started.append(x), record(x))[1], range(1000))
        next(gen)
        consumed = 1
        # the window is 4 tasks per worker: after one result, far fewer than 1000 tasks were submitted
        assert len(started) <= 2 * 4 + 1
        consumed += sum(1 for _ in gen)
    finally:
        ex.close()
    assert consumed == 1000
    assert all(n.startswith("heritage-ld") for n in seen)


def test_unknown_executor_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown executor 'gpu'"):
        make_executor("gpu")
    assert {"serial", "threads", "processes", "dask"} <= set(EXECUTORS)


def test_exceptions_propagate() -> None:
    def boom(x: int) -> int:
        raise ValueError(f"bad {x}")

    ex = make_executor("threads", 2)
    try:
        with pytest.raises(ValueError, match="bad 0"):
            list(ex.map(boom, range(3)))
    finally:
        ex.close()
