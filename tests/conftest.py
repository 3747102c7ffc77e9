"""Shared fixtures: where the conformance data and the Hanoi example are.

Conformance data lives outside the project (``../shared/conformance`` or ``$HERITAGE_LD_CONFORMANCE``); tests
that need it skip with a reason when it is absent, and fail instead when ``HERITAGE_LD_REQUIRE_CONFORMANCE=1``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from heritage_support import EXAMPLE, ROOT, conformance_root, free_port, require_conformance

__all__ = ["EXAMPLE", "ROOT", "conformance_root", "require_conformance"]


@pytest.fixture(scope="session")
def conformance() -> Path:
    """The root of the conformance data (skips/fails when absent)."""
    return require_conformance(".")


@pytest.fixture(scope="session")
def example_dir() -> Path:
    """The Hanoi 1972 example catalogue (read-only: copy it before changing anything)."""
    return EXAMPLE


@pytest.fixture()
def example_copy(tmp_path: Path) -> Path:
    """A private copy of the Hanoi example that a test may change."""
    dst = tmp_path / "hanoi-1972"
    shutil.copytree(EXAMPLE, dst)
    return dst


def _oxigraph() -> str:
    found = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(found).exists():
        pytest.skip("the oxigraph server is not installed (pip install 'heritage-ld[test]')")
    return found


@pytest.fixture()
def graph_store(tmp_path: Path) -> Iterator[str]:
    """A real oxigraph server on 127.0.0.1, stopped at the end; yields its base URL."""
    port = free_port()
    proc = subprocess.Popen([_oxigraph(), "serve", "--location", str(tmp_path / "oxi"), "--bind",
                             f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{url}/query", params={"query": "ASK {}"}, timeout=1)
                break
            except requests.ConnectionError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"oxigraph did not start: {proc.stderr.read() if proc.stderr else ''!r}")
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture(scope="session")
def dask_local() -> Iterator[object]:
    """A ``DaskExecutor`` on a LocalCluster of 2 worker processes, one per test session (do not close it)."""
    pytest.importorskip("distributed", reason="the dask executor needs 'heritage-ld[dask]'")
    from dask_cluster import local_cluster

    with local_cluster() as ex:
        yield ex


@pytest.fixture(scope="session")
def dask_scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The address of a ``dask scheduler`` with 2 ``dask worker`` processes on 127.0.0.1, one per session."""
    pytest.importorskip("distributed", reason="the dask executor needs 'heritage-ld[dask]'")
    from dask_cluster import scheduler_processes

    with scheduler_processes(tmp_path_factory.mktemp("dask-logs")) as address:
        yield address
