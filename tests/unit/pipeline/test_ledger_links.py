"""The build ledger is never opened through a link, a folder or a special file (red-team of #11): SQLite would
follow a link to a database outside OUT and write into it."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from heritage_ld.ledger import Ledger, LedgerError, ledger_path


def _outside_db(tmp_path: Path) -> Path:
    """A real ledger database outside the output folder."""
    other = tmp_path / "other"
    Ledger.open(other).close()
    return ledger_path(other)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_ledger_linked_to_a_database_outside_out_is_refused_and_left_alone(tmp_path: Path) -> None:
    outside = _outside_db(tmp_path)
    before = _digest(outside)
    out = tmp_path / "out"
    out.mkdir()
    os.symlink(outside, ledger_path(out))
    with pytest.raises(LedgerError, match="symbolic link"):
        Ledger.open(out)
    assert _digest(outside) == before
    assert ledger_path(out).is_symlink()  # not moved either: the user decides
    assert Ledger.read_only(out) is None  # nor read through it


@pytest.mark.parametrize("suffix", ["-wal", "-journal", "-shm"])
def test_a_linked_side_file_of_sqlite_is_refused(tmp_path: Path, suffix: str) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    out = tmp_path / "out"
    Ledger.open(out).close()
    os.symlink(victim, ledger_path(out).with_name(ledger_path(out).name + suffix))
    with pytest.raises(LedgerError, match="symbolic link"):
        Ledger.open(out)
    assert victim.read_bytes() == b"precious"


def test_a_folder_or_a_fifo_in_place_of_the_ledger_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    ledger_path(out).mkdir()
    with pytest.raises(LedgerError, match="is a folder, not a regular file"):
        Ledger.open(out)
    ledger_path(out).rmdir()
    os.mkfifo(ledger_path(out))
    with pytest.raises(LedgerError, match="is a special file"):
        Ledger.open(out)
