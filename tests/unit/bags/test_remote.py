"""Bags on object storage (fsspec's memory file system here; tests/e2e/test_object_storage.py uses a real S3 API):
published with bagit.txt last after read-back verification, validated where they are."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

from heritage_ld.bags import write_bag
from heritage_ld.bags.remote import publish_bag, validate_store_bag
from heritage_ld.storage import Store, StoreError

_n = itertools.count()


@pytest.fixture
def store() -> Store:
    return Store.from_url(f"memory://bags-{os.getpid()}-{next(_n)}/out/bags/ITEM")


@pytest.fixture
def bag(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_bytes(b"alpha\n")
    (src / "sub" / "b.bin").write_bytes(os.urandom(5000))
    target = tmp_path / "bag"
    write_bag([src], target, describe=False)
    return target


def test_publish_then_validate_on_the_store(bag: Path, store: Store) -> None:
    sent = publish_bag(bag, store)
    listing = store.listing()
    assert sorted(listing) == sorted(p.relative_to(bag).as_posix() for p in bag.rglob("*") if p.is_file())
    assert sent == len(listing)
    for rel in listing:
        assert store.read_bytes(rel) == (bag / rel).read_bytes()
    report = validate_store_bag(store)
    assert report.valid, report.problems
    assert report.files >= 2
    assert validate_store_bag(store, fast=True).valid


def test_corrupted_payload_on_the_store_is_b001(bag: Path, store: Store) -> None:
    publish_bag(bag, store)
    store.write_bytes("data/a.txt", b"ALPHA\n")
    codes = {p.code for p in validate_store_bag(store).problems}
    assert "B001" in codes
    assert validate_store_bag(store, completeness_only=True).valid  # same size, same names


def test_missing_and_extra_payload(bag: Path, store: Store) -> None:
    publish_bag(bag, store)
    store.remove(["data/sub/b.bin"])
    store.write_bytes("data/extra.txt", b"x")
    codes = sorted(p.code for p in validate_store_bag(store, completeness_only=True).errors)
    assert "B002" in codes and "B003" in codes


def test_a_bad_upload_never_gets_a_declaration(bag: Path, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    real = Store.put_files

    def corrupting(self: Store, pairs: list[tuple[Path, str]]) -> None:  # every time: sending again fails too
        real(self, pairs)
        if any(rel == "data/a.txt" for _, rel in pairs):
            self.write_bytes("data/a.txt", b"bit rot in transit")

    monkeypatch.setattr(Store, "put_files", corrupting)
    with pytest.raises(StoreError) as err:
        publish_bag(bag, store)
    assert {p.code for p in err.value.problems} == {"S004"}  # one per algorithm (sha256, sha512)
    assert "bagit.txt" not in store.listing()
    assert "B008" in {p.code for p in validate_store_bag(store).problems}  # no declaration: not a bag


def test_a_missing_upload_is_s005(bag: Path, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    real = Store.put_files
    monkeypatch.setattr(Store, "put_files", lambda self, pairs: real(self, [p for p in pairs if p[1] != "data/a.txt"]))
    with pytest.raises(StoreError) as err:
        publish_bag(bag, store)
    assert [p.code for p in err.value.problems] == ["S005"]
    assert "bagit.txt" not in store.listing()


def test_republish_hides_the_old_bag_first_and_removes_stale_files(bag: Path, store: Store, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    publish_bag(bag, store)
    src2 = tmp_path / "src2"
    src2.mkdir()
    (src2 / "new.txt").write_bytes(b"new\n")
    bag2 = tmp_path / "bag2"
    write_bag([src2], bag2, describe=False)
    seen: list[bool] = []
    real = Store.put_files

    def watching(self: Store, pairs: list[tuple[Path, str]]) -> None:
        seen.append("bagit.txt" in self.listing())
        real(self, pairs)

    monkeypatch.setattr(Store, "put_files", watching)
    publish_bag(bag2, store, changed=[])  # told nothing changed: what differs on the store is found and sent
    assert seen and not any(seen)  # no declaration while files were being replaced
    assert "data/a.txt" not in store.listing()
    assert store.read_bytes("data/new.txt") == b"new\n"
    assert validate_store_bag(store).valid


def test_validate_nothing_there_is_s003(store: Store) -> None:
    with pytest.raises(StoreError) as err:
        validate_store_bag(store)
    assert [p.code for p in err.value.problems] == ["S003"]


def test_one_transfer_gone_wrong_is_sent_again(bag: Path, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    real = Store.put_files
    calls: list[list[str]] = []

    def once(self: Store, pairs: list[tuple[Path, str]]) -> None:
        calls.append([rel for _, rel in pairs])
        real(self, pairs)
        if len(calls) == 1:
            self.write_bytes("data/a.txt", b"bit rot in transit")

    monkeypatch.setattr(Store, "put_files", once)
    publish_bag(bag, store)
    assert calls[1] == ["data/a.txt"]
    assert validate_store_bag(store).valid
