"""Builds on Dask give the same bytes as builds with threads: the Hanoi example and a synthetic catalogue, on a
LocalCluster of 2 worker processes, through ``Client.get_executor()``, through the CLI with ``--executor dask``
(its own LocalCluster) and with ``--scheduler`` / ``DASK_SCHEDULER_ADDRESS`` naming a scheduler and 2 workers
started as separate processes; a worker that dies on every try stops the build with a coded problem."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from heritage_ld.catalogue import read_catalogue
from heritage_ld.cli import app
from heritage_ld.errors import ExecutionError
from heritage_ld.pipeline import build
from heritage_ld.synth import write_synthetic_catalogue

pytest.importorskip("distributed", reason="the dask executor needs 'heritage-ld[dask]'")

from dask_cluster import WORKERS, compare_outputs, wait_for_workers

EPOCH = "1700000000"


@pytest.fixture(autouse=True)
def _dated(monkeypatch: pytest.MonkeyPatch) -> None:
    # Without it, the ledger dates the IIIF change stream with the clock: two builds a second apart differ.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synth") / "cat"
    write_synthetic_catalogue(folder, items=30, media_size="8KB", media="jpeg")
    return folder


@pytest.fixture(scope="module")
def synthetic_threads(tmp_path_factory: pytest.TempPathFactory, synthetic: Path) -> Path:
    out = tmp_path_factory.mktemp("synth-threads")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    try:
        build(read_catalogue(synthetic), out, executor="threads", jobs=2)
    finally:
        del os.environ["SOURCE_DATE_EPOCH"]
    return out


class Recorder:
    """Counts what the build reports per progress task."""

    def __init__(self) -> None:
        self.done: dict[str, int] = {}

    def start(self, task: str, total: int) -> None:
        self.done[task] = 0

    def advance(self, task: str, amount: int = 1) -> None:
        self.done[task] += amount

    def finish(self, task: str) -> None:
        return None


def test_synthetic_on_a_local_cluster_is_byte_identical(dask_local: Any, synthetic: Path, synthetic_threads: Path,
                                                        tmp_path: Path) -> None:
    progress = Recorder()
    report = build(read_catalogue(synthetic), tmp_path, executor=dask_local, progress=progress)
    assert compare_outputs(synthetic_threads, tmp_path) == []
    # progress comes from the workers' results, item by item
    assert progress.done["rdf"] == progress.done["site"] == progress.done["bags"] == 30
    assert report.results["rdf"].data["written"] == 30
    # incremental on the cluster too: nothing changed, nothing is sent
    again = build(read_catalogue(synthetic), tmp_path, executor=dask_local)
    assert again.results["rdf"].data["written"] == 0 and again.results["site"].data["written"] == 0
    assert compare_outputs(synthetic_threads, tmp_path) == []


def test_hanoi_on_a_local_cluster_is_byte_identical(dask_local: Any, example_dir: Path,
                                                    tmp_path: Path) -> None:
    collection = read_catalogue(example_dir)
    build(collection, tmp_path / "threads", executor="threads", jobs=2)
    report = build(collection, tmp_path / "dask", executor=dask_local)
    assert report.items == {"created": 36}
    assert compare_outputs(tmp_path / "threads", tmp_path / "dask") == []


def test_a_client_executor_builds_the_same(dask_local: Any, synthetic: Path, synthetic_threads: Path,
                                           tmp_path: Path) -> None:
    build(read_catalogue(synthetic), tmp_path, executor=dask_local.client.get_executor(retries=1))
    assert compare_outputs(synthetic_threads, tmp_path) == []


def test_cli_dask_starts_a_local_cluster(synthetic: Path, synthetic_threads: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["build", str(synthetic), "-o", str(tmp_path), "--executor", "dask",
                                      "--jobs", str(WORKERS)])
    assert result.exit_code == 0, result.output
    assert "built 30 items" in result.stdout
    assert compare_outputs(synthetic_threads, tmp_path) == []


def _transitions(address: str) -> int:
    """How many task transitions the scheduler made so far (it grows when the build sends it work)."""
    from distributed import Client

    with Client(address, set_as_default=False) as client:
        return int(client.run_on_scheduler(lambda dask_scheduler: dask_scheduler.transition_counter))


def test_cli_on_a_separate_scheduler_and_workers(dask_scheduler: str, synthetic: Path, synthetic_threads: Path,
                                                 tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _transitions(dask_scheduler)
    named = CliRunner().invoke(app, ["build", str(synthetic), "-o", str(tmp_path / "named"), "--executor", "dask",
                                     "--scheduler", dask_scheduler, "-q"])
    assert named.exit_code == 0, named.output
    assert compare_outputs(synthetic_threads, tmp_path / "named") == []
    middle = _transitions(dask_scheduler)
    assert middle > before
    # the same scheduler from Dask's environment variable
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", dask_scheduler)
    env = CliRunner().invoke(app, ["build", str(synthetic), "-o", str(tmp_path / "env"), "--executor", "dask", "-q"])
    assert env.exit_code == 0, env.output
    assert compare_outputs(synthetic_threads, tmp_path / "env") == []
    assert _transitions(dask_scheduler) > middle


def test_a_worker_that_dies_every_time_is_x003(dask_scheduler: str) -> None:
    from heritage_ld.pipeline.dask_executor import DaskExecutor

    ex = DaskExecutor(address=dask_scheduler)
    try:
        assert ex.jobs == WORKERS
        with pytest.raises(ExecutionError) as caught:
            list(ex.map(os._exit, [3]))  # the worker process exits
    finally:
        ex.close()
    (problem,) = caught.value.problems
    assert problem.code == "X003"
    assert problem.get("what") == "1 input(s)" and problem.get("task") == "task 1 of posix._exit"
    assert problem.location.file == dask_scheduler
    wait_for_workers(dask_scheduler, WORKERS)  # its nanny starts it again, for the tests after this one


def test_cli_unreachable_scheduler_is_x001_exit_2(synthetic: Path, tmp_path: Path) -> None:
    import dask

    from heritage_support import free_port

    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        result = CliRunner().invoke(app, ["build", str(synthetic), "-o", str(tmp_path), "--executor", "dask",
                                          "--scheduler", f"tcp://127.0.0.1:{free_port()}", "-q"])
    assert result.exit_code == 2
    assert " X001 " in result.stderr and "Traceback" not in result.output


def test_cli_scheduler_needs_dask(synthetic: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["build", str(synthetic), "-o", str(tmp_path), "--scheduler",
                                      "tcp://127.0.0.1:8786", "-q"])
    assert result.exit_code == 2
    assert "--executor dask" in result.stderr
