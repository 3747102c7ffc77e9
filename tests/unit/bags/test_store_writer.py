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


def test_sources_on_a_store_streamed_and_identified_by_range_reads(store: Store, tmp_path: Path) -> None:
    """Payload read from a store (no local copy); formats identified from the two ends of each file: the same
    bag as from local files."""
    pdf = b"%PDF-1.4\n" + os.urandom(400_000) + b"\n%%EOF\n"  # more than the two ends fido reads
    (tmp_path / "doc.pdf").write_bytes(pdf)
    source = Store.from_url(f"memory://bagw-src-{os.getpid()}-{next(_n)}/cat")
    source.write_bytes("media/doc.pdf", pdf)
    reads: list[tuple[int, int]] = []
    real = Store.read_range

    def counted(self: Store, rel: str, start: int, end: int) -> bytes:
        reads.append((start, end))
        return real(self, rel, start, end)

    Store.read_range = counted  # type: ignore[method-assign]
    try:
        write_store_bag({"doc.pdf": source.url_of("media/doc.pdf")}, store, info=INFO, date=WHEN)
    finally:
        Store.read_range = real  # type: ignore[method-assign]
    assert sum(end - start for start, end in reads) <= 2 * 128 * 1024
    local = tmp_path / "bag"
    write_bag({"doc.pdf": tmp_path / "doc.pdf"}, local, info=INFO, date=WHEN)
    for rel in sorted(scan_tree(local).files):
        assert store.read_bytes(rel) == (local / rel).read_bytes(), rel
    assert b"fmt/" in store.read_bytes("data/ro-crate-metadata.json")


def test_update_on_the_store_keeps_what_was_added(store: Store, sources: dict[str, Path]) -> None:
    from heritage_ld.bags.store_update import update_store_bag

    write_store_bag(sources, store, info=INFO, tag_files=TAGS, date=WHEN)
    payload = {k: store.read_bytes(k) for k in store.listing() if k.startswith("data/media/")}
    # a label added by hand (as `heritage-ld bag update` would), then a build's change that does not name it
    assert "bag-info.txt" in update_store_bag(store, info=[("Internal-Sender-Description", "by hand")],
                                              tag_files={}, date=WHEN)
    changed = update_store_bag(store, info=[*INFO, ("External-Description", "new")], tag_files=TAGS, date=WHEN)
    assert "bag-info.txt" in changed and "metadata/premis-events.ttl" in changed
    text = store.read_bytes("bag-info.txt").decode()
    assert "External-Description: new" in text and "Internal-Sender-Description: by hand" in text
    assert store.read_bytes("metadata/premis-events.ttl").decode().count("metadata modification") >= 2
    assert {k: store.read_bytes(k) for k in payload} == payload  # the payload left alone
    assert update_store_bag(store, info=[*INFO, ("External-Description", "new")], tag_files=TAGS, date=WHEN) == ()
    assert validate_store_bag(store).valid


def test_a_source_that_is_a_link_out_is_refused_and_nothing_looks_like_a_bag(
        store: Store, sources: dict[str, Path], tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"not for the store\n")
    link = tmp_path / "src" / "link.txt"
    link.symlink_to(secret)
    with pytest.raises(StoreError):
        write_store_bag({**sources, "media/link.txt": link}, store, info=INFO, date=WHEN)
    assert not store.exists(DECLARATION)
    assert all(store.read_bytes(rel) != secret.read_bytes() for rel in store.listing())  # never read through it


@pytest.mark.parametrize("name", ["../outside.txt", "media/bad\x00name.txt"])
def test_an_unsafe_payload_name_is_refused_before_anything_is_written(
        store: Store, sources: dict[str, Path], name: str) -> None:
    from heritage_ld.errors import UsageError

    with pytest.raises(UsageError):
        write_store_bag({**sources, name: sources["media/a.txt"]}, store, info=INFO, date=WHEN)
    assert store.listing() == {}


def test_a_file_name_with_a_control_character_is_bagged_on_the_store_too(store: Store, sources: dict[str, Path]) -> None:
    done = write_store_bag({**sources, "media/bell\x07.txt": sources["media/a.txt"]}, store, info=INFO, date=WHEN)
    assert done.files == 4 and validate_store_bag(store).valid
    assert b"data/media/bell%07.txt" in store.read_bytes("metadata/premis.xml")
