"""A build killed with SIGKILL at any moment leaves a ledger that the next build can trust.

The Hanoi example is built in a subprocess that is killed after a delay (early in the rdf step, during the
tiles, during the bags, near the end); a second build then runs to the end. Its output must equal a clean
``--force`` build of the same catalogue (apart from what is dated by history), and the ledger must name every item
exactly once, none withdrawn.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from heritage_ld.ledger import LEDGER_FILE

pytestmark = pytest.mark.slow

ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}


def _build(catalogue: Path, out: Path, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "heritage_ld", "build", str(catalogue), "-o", str(out), "-q",
                             "--no-tiles", *extra], env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _tree(root: Path) -> dict[str, bytes]:
    skip = ("iiif/activity/", "store/", LEDGER_FILE, "bags/")
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not p.relative_to(root).as_posix().startswith(skip)}


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, example_dir: Path) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("crash-reference") / "out"
    done = _build(example_dir, out, "--force")
    _, err = done.communicate(timeout=300)
    assert done.returncode == 0, err.decode()
    return _tree(out)


@pytest.mark.parametrize("delay", [0.6, 1.2, 2.0, 3.0])
def test_a_build_killed_at_any_moment_is_finished_by_the_next(
    delay: float, tmp_path: Path, example_dir: Path, reference: dict[str, bytes]
) -> None:
    out = tmp_path / "out"
    victim = _build(example_dir, out)
    time.sleep(delay)
    if victim.poll() is None:
        victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=60)
    rerun = _build(example_dir, out)
    _, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err.decode()
    assert b"Traceback" not in err
    after = _tree(out)
    assert after.keys() == reference.keys()
    assert [p for p in after if after[p] != reference[p]] == []
    db = sqlite3.connect(out / LEDGER_FILE)
    rows = db.execute("SELECT count(*), count(withdrawn) FROM items").fetchone()
    assert rows == (36, 0)
    for step in ("rdf", "iiif", "bags", "site", "store"):
        (n,) = db.execute("SELECT count(*) FROM outputs WHERE step = ?", (step,)).fetchone()
        assert n == 36, step  # every item recorded once by every step
    db.close()
