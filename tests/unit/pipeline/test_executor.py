from __future__ import annotations

import threading
from pathlib import Path

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


def test_a_process_pool_builds_the_same_bytes_as_threads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Every step's per-item work is a module-level function over picklable batches: the site's item pages
    # used to be a closure over a jinja environment, and --executor processes failed on it with a traceback.
    from dask_cluster import compare_outputs
    from heritage_ld.catalogue import read_catalogue
    from heritage_ld.pipeline import build
    from heritage_ld.synth import write_synthetic_catalogue

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    write_synthetic_catalogue(tmp_path / "cat", items=12, media_size="4KB", media="jpeg")
    collection = read_catalogue(tmp_path / "cat")
    build(collection, tmp_path / "threads", executor="threads", jobs=2)
    report = build(collection, tmp_path / "processes", executor="processes", jobs=2)
    assert report.results["site"].data["written"] == 12
    assert compare_outputs(tmp_path / "threads", tmp_path / "processes") == []
