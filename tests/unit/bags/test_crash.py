"""SIGKILL of a process writing a large bag: no bag at the target, originals unchanged, the rerun succeeds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from heritage_ld.bags import validate_bag, write_bag

from .conftest import snapshot

pytestmark = pytest.mark.slow

SCRIPT = """
import sys
from heritage_ld.bags import write_bag
write_bag([sys.argv[1]], sys.argv[2], jobs=1)
"""


def test_sigkill_during_a_large_bag_leaves_nothing_and_the_rerun_succeeds(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    block = os.urandom(1 << 20)
    for i in range(6):  # 6 x 32 MiB: big enough to be caught mid-copy, small enough to be quick
        with open(src / f"master-{i}.tif", "wb") as f:
            for _ in range(32):
                f.write(block)
    before = snapshot(src)
    target = tmp_path / "bag"
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(src), str(target)])
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".bag.partial-*/data/*")) and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not target.exists(), "a killed build must not leave a bag at the target"
    assert snapshot(src) == before
    write_bag([src], target)
    assert validate_bag(target).valid
    assert not list(tmp_path.glob(".bag.partial-*")), "the rerun cleans up what the killed process left"
