"""heritage_ld.bags.store_writer: a bag written straight to a store (fsspec's memory file system) holds the
bytes write_bag writes into a folder; bagit.txt last; a failed source leaves no declaration."""

from __future__ import annotations

import itertools
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from heritage_ld.bags import validate_bag, write_bag
from heritage_ld.bags.remote import validate_store_bag
from heritage_ld.bags.store_writer import DECLARATION, remove_store_bag, write_store_bag
from heritage_ld.bags.tree import scan_tree
from heritage_ld.storage import Store, StoreError

_n = itertools.count()
WHEN = datetime(1972, 12, 30, tzinfo=timezone.utc)
INFO = [("External-Identifier", "HNM.1"), ("Source-Organization", "Hanoi Museum")]
TAGS = {"metadata/item.ttl": b"<a> <b> <c> .\n"}


@pytest.fixture
def store() -> Store:
    return Store.from_url(f"memory://bagw-{os.getpid()}-{next(_n)}/bags/HNM.1")


@pytest.fixture
def sources(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "src").mkdir()
    a = tmp_path / "src" / "a.txt"
    a.write_bytes(b"hello world\n")
    b = tmp_path / "src" / "big.bin"
    b.write_bytes(os.urandom((5 << 20) + 17))  # more than one read chunk
    return {"media/a.txt": a, "media/big.bin": b}


def test_same_bytes_as_a_folder_bag(store: Store, sources: dict[str, Path], tmp_path: Path) -> None:
    done = write_store_bag(sources, store, info=INFO, tag_files=TAGS, date=WHEN, events_base="https://x/bags/HNM.1")
    local = tmp_path / "bag"
    write_bag(sources, local, info=INFO, tag_files=TAGS, date=WHEN, events_base="https://x/bags/HNM.1")
    files = sorted(scan_tree(local).files)
    assert sorted(store.listing()) == files
    for rel in files:
        assert store.read_bytes(rel) == (local / rel).read_bytes(), rel
    assert done.files == 3 and DECLARATION in done.written
    assert validate_store_bag(store).valid and validate_bag(local).valid


def test_a_source_that_fails_leaves_no_declaration(store: Store, sources: dict[str, Path], tmp_path: Path) -> None:
    write_store_bag(sources, store, info=INFO, date=WHEN)
    assert store.exists(DECLARATION)
    broken = {**sources, "media/gone.txt": tmp_path / "missing.txt"}
    with pytest.raises(StoreError):
        write_store_bag(broken, store, info=INFO, date=WHEN)
    assert not store.exists(DECLARATION)  # the old version stopped being a bag first
    assert not validate_store_bag(store).valid
    write_store_bag(sources, store, info=INFO, date=WHEN)  # the next write completes it
    assert validate_store_bag(store).valid


def test_files_of_an_earlier_version_are_removed(store: Store, sources: dict[str, Path]) -> None:
    write_store_bag(sources, store, date=WHEN)
    write_store_bag({"media/a.txt": sources["media/a.txt"]}, store, date=WHEN)
    assert "data/media/big.bin" not in store.listing()
    assert validate_store_bag(store).valid
    assert remove_store_bag(store) > 0 and store.listing() == {}
