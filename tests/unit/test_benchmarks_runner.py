"""``python -m benchmarks``: asking for help prints it and runs nothing; an unknown benchmark is refused."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "benchmarks", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, check=False)


def test_help_prints_usage_and_runs_no_benchmark() -> None:
    for args in (["--help"], ["bags", "-h"]):
        done = _run(*args)
        assert done.returncode == 0, done.stderr
        assert "python -m benchmarks" in done.stdout and "bags, build" in done.stdout
        assert "==" not in done.stdout  # no benchmark started


def test_an_unknown_benchmark_is_refused() -> None:
    done = _run("nosuch")
    assert done.returncode == 2 and "unknown benchmark(s): nosuch" in done.stderr
