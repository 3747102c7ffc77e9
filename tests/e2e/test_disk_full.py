"""A really full disk: the build output on a small tmpfs, filled up, then each step run again (issue #11, item 4).

Needs root (``mount -t tmpfs``); skipped otherwise. ``tests/test_cli_failures.py`` simulates the same failures
in-process everywhere.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from heritage_ld.cli import app
from hostile_media import small_catalogue, tree

pytestmark = pytest.mark.slow

runner = CliRunner()
TEMPORARY = re.compile(r"(^\..+\.\d+\.tmp$|\.part$)")


@pytest.fixture()
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 MB tmpfs mounted at ``tmp_path/disk`` (skips when it cannot be mounted)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64M", "tmpfs", str(disk)],
                             capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def _fill(disk: Path) -> None:
    """Write zeros until the disk is full."""
    chunk = b"\0" * (1 << 20)
    with (disk / "filler").open("wb", buffering=0) as f:
        try:
            while True:
                f.write(chunk)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    with (disk / "filler2").open("wb", buffering=0) as f:  # the last partial block
        try:
            while True:
                f.write(b"\0" * 512)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC


@pytest.mark.parametrize("step", ["rdf", "iiif", "site", "store"])
def test_a_full_disk_stops_a_step_with_one_line_and_keeps_the_previous_output(
    tmp_path: Path, small_disk: Path, step: str
) -> None:
    root = small_catalogue(tmp_path / "c")
    out = small_disk / "out"
    first = runner.invoke(app, ["build", str(root), "-o", str(out), "--only", "rdf,iiif,site,store", "-q"])
    assert first.exit_code == 0, first.output
    before = tree(out / step)
    if step == "iiif":  # make the tiles out of date, so that they are written again
        for source in (root / "media").iterdir():
            os.utime(source)
    _fill(small_disk)
    result = runner.invoke(app, ["build", str(root), "-o", str(out), "--only", step, "-q", "--force"])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    # the step's folder, or the build ledger, which a build writes first (and never sets aside when it is full)
    assert len(lines) == 1 and lines[0].startswith((f"error: disk full while writing {out / step}",
                                                    f"error: disk full while writing {out / 'ledger.sqlite3'}")), lines
    assert not list(out.glob("ledger.sqlite3*.broken"))
    assert [p for p in out.rglob("*") if TEMPORARY.search(p.name)] == []
    assert tree(out / step) == before
