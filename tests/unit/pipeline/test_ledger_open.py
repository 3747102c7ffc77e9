"""A ledger file a killed build left before it wrote the schema is started afresh, not an error (a build killed
at any moment is finished by the next); one with tables but no schema row is set aside with a warning."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from heritage_ld.ledger import LEDGER_FILE, Ledger


def test_an_empty_ledger_file_is_started_afresh(tmp_path: Path) -> None:
    (tmp_path / LEDGER_FILE).write_bytes(b"")  # created, nothing written yet
    ledger = Ledger.open(tmp_path)
    try:
        assert ledger.fresh and ledger.reset_reason is None
        assert ledger.media() == {}
    finally:
        ledger.close()


def test_a_database_without_tables_is_started_afresh(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / LEDGER_FILE)
    db.execute("PRAGMA user_version = 0")
    db.execute("PRAGMA journal_mode = WAL")  # a header and a WAL, no table: killed before the schema
    db.close()
    ledger = Ledger.open(tmp_path)
    try:
        assert ledger.fresh and ledger.reset_reason is None
    finally:
        ledger.close()
    assert not list(tmp_path.glob("*.broken"))


def test_tables_without_a_schema_row_are_set_aside(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / LEDGER_FILE)
    db.execute("CREATE TABLE other (x)")
    db.commit()
    db.close()
    ledger = Ledger.open(tmp_path)
    try:
        assert ledger.fresh and ledger.reset_reason is not None and "no meta table" in ledger.reset_reason
    finally:
        ledger.close()
    assert (tmp_path / f"{LEDGER_FILE}.broken").exists()
