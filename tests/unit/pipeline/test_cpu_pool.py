"""Pure-Python work of a threads build runs in worker processes when there is enough of it, with the same bytes."""

from __future__ import annotations

from pathlib import Path

import pytest

from heritage_ld import read_catalogue
from heritage_ld.model import UrlScheme
from heritage_ld.pipeline import build
from heritage_ld.pipeline.build import CPU_POOL_FROM, BuildContext, BuildOptions
from heritage_ld.pipeline.executor import make_executor
from heritage_ld.pipeline.progress import NullProgress
from heritage_ld.synth import write_synthetic_catalogue


def _tree(root: Path) -> dict[str, bytes]:
    skip = ("store/", "ledger.sqlite3")
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not p.relative_to(root).as_posix().startswith(skip)}


def _context(executor: str, jobs: int) -> BuildContext:
    c = read_catalogue(Path(__file__).resolve().parents[3] / "examples" / "hanoi-1972")
    return BuildContext(c, Path("."), UrlScheme(c.base_url), make_executor(executor, jobs), NullProgress(),
                        BuildOptions())


@pytest.mark.parametrize(("executor", "jobs", "items", "pooled"), [
    ("auto", 2, CPU_POOL_FROM, True),
    ("auto", 2, CPU_POOL_FROM - 1, False),  # too little work to pay for starting processes
    ("auto", 1, 10_000, False),  # one CPU: nothing to gain
    ("threads", 2, 10_000, False),  # the caller's choice is kept (the API's default)
    ("serial", 1, 10_000, False),
])
def test_where_pure_python_work_runs(executor: str, jobs: int, items: int, pooled: bool) -> None:
    ctx = _context(executor, jobs)
    try:
        where = ctx.cpu(items)
        assert (where.name == "processes") is pooled
        assert (where is ctx.executor) is not pooled
        if pooled:
            assert ctx.cpu(items) is where  # one pool per build
            assert list(where.map(abs, [-1, -2])) == [1, 2]
    finally:
        if ctx.cpu_pool is not None:
            ctx.cpu_pool.close()
        ctx.executor.close()


@pytest.mark.slow
def test_worker_processes_write_the_same_bytes(tmp_path: Path) -> None:
    write_synthetic_catalogue(tmp_path / "cat", items=CPU_POOL_FROM + 10, media="none")
    collection = read_catalogue(tmp_path / "cat")
    opts = BuildOptions(source_date_epoch=1_700_000_000)
    steps = ("rdf", "bags", "site")
    build(collection, tmp_path / "pooled", only=steps, options=opts, executor="auto", jobs=2)
    build(collection, tmp_path / "serial", only=steps, options=opts, executor="serial")
    pooled, serial = _tree(tmp_path / "pooled"), _tree(tmp_path / "serial")
    assert len(pooled) > 5 * CPU_POOL_FROM
    assert pooled.keys() == serial.keys()
    assert [p for p in pooled if pooled[p] != serial[p]] == []
    bags = {p.split("/")[1] for p in pooled if p.startswith("bags/")}
    assert len(bags) == CPU_POOL_FROM + 10  # every bag staged in a worker and put in place by a group commit
    assert not [p for p in pooled if "/." in p]  # no staged folder left behind


def _die_on_three(x: int) -> int:
    import os
    import signal

    if x == 3:
        os.kill(os.getpid(), signal.SIGKILL)  # what the OOM killer does to a worker
    return x


def test_a_killed_worker_is_one_clear_error() -> None:
    from heritage_ld.errors import ExecutionError
    from heritage_ld.pipeline.executor import ProcessExecutor

    ex = ProcessExecutor(2)
    try:
        with pytest.raises(ExecutionError) as caught:
            list(ex.map(_die_on_three, range(8)))
    finally:
        ex.close()  # and closing the broken pool does not hang
    assert [p.code for p in caught.value.problems] == ["X005"]
    assert caught.value.exit_code == 2
    assert "_die_on_three" in str(caught.value)


@pytest.mark.slow
def test_workers_stop_once_no_step_left_needs_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The store is loaded in the build process: the workers the rdf step started are stopped before it runs
    (idle workers held about 125 MB beside the store's own memory)."""
    import importlib
    import multiprocessing

    build_module = importlib.import_module("heritage_ld.pipeline.build")  # (the package exports build, the function)

    write_synthetic_catalogue(tmp_path / "cat", items=CPU_POOL_FROM + 10, media="none")
    collection = read_catalogue(tmp_path / "cat")
    seen: dict[str, object] = {}
    others = {p.pid for p in multiprocessing.active_children()}  # other tests' processes in this test worker
    real = build_module._load

    def load(name: str):  # type: ignore[no-untyped-def]
        step = real(name)

        def spy(ctx: BuildContext):  # type: ignore[no-untyped-def]
            seen[f"{name} before"] = ctx.cpu_pool
            result = step(ctx)
            seen[f"{name} after"] = ctx.cpu_pool
            seen[f"{name} children"] = {p.pid for p in multiprocessing.active_children()} - others
            return result

        return spy

    monkeypatch.setattr(build_module, "_load", load)
    build(collection, tmp_path / "out", only=("rdf", "store"), executor="auto", jobs=2,
          options=BuildOptions(source_date_epoch=1_700_000_000))
    assert seen["rdf after"] is not None and len(seen["rdf children"]) == 2  # type: ignore[arg-type]
    assert seen["store before"] is None and seen["store children"] == set()  # stopped before the store step
