"""heritage_ld.storage: locations, the Store helpers on fsspec's memory file system, errors, redaction."""

from __future__ import annotations

import hashlib
import itertools
import os
import time
from pathlib import Path
from typing import Any

import pytest

from heritage_ld.storage import Store, StoreError, is_url, redact, resolve
from heritage_ld.storage.sync import SyncIndex, changes, mirror_down, upload

_n = itertools.count()


@pytest.fixture
def store() -> Store:
    return Store.from_url(f"memory://unit-{os.getpid()}-{next(_n)}/root/")


def test_resolve_paths_and_urls() -> None:
    assert resolve("out") == Path("out")
    assert resolve(Path("a/b")) == Path("a/b")
    assert resolve("file:///tmp/x%20y") == Path("/tmp/x y")
    assert resolve("s3://bucket/a/b/") == Store("s3", "bucket/a/b")
    assert resolve("MEMORY://m/x") == Store("memory", "m/x")
    assert is_url("gs://b") and not is_url("c:/x") and not is_url(Path("s3:/x"))


def test_write_read_list_digest_remove(store: Store, tmp_path: Path) -> None:
    store.write_bytes("a/b.txt", b"hello")
    local = tmp_path / "big.bin"
    local.write_bytes(os.urandom(3 << 20))  # several chunks
    store.put_files([(local, "big.bin")])
    assert store.read_bytes("a/b.txt") == b"hello"
    assert sorted(store.listing()) == ["a/b.txt", "big.bin"]
    assert store.listing()["big.bin"]["size"] == 3 << 20
    assert store.digests("big.bin", ["sha256", "md5"]) == [hashlib.sha256(local.read_bytes()).hexdigest(),
                                                          hashlib.md5(local.read_bytes()).hexdigest()]
    with store.open_read("big.bin") as f:
        assert f.read(4) == local.read_bytes()[:4]
    back = tmp_path / "back" / "b.txt"
    store.get_files([("a/b.txt", back)])
    assert back.read_bytes() == b"hello"
    store.remove(["a/b.txt", "not-there"])
    assert sorted(store.listing()) == ["big.bin"]
    assert store.exists("big.bin") and not store.exists("a/b.txt")
    assert store.child("a/").url == store.url + "/a"


def test_missing_file_is_s003(store: Store) -> None:
    with pytest.raises(StoreError) as err:
        store.read_bytes("nope.txt")
    assert [p.code for p in err.value.problems] == ["S003"]
    assert err.value.problems[0].location.file == store.url_of("nope.txt")
    assert store.listing("nothing/here") == {}


def test_unknown_protocol_is_s001() -> None:
    with pytest.raises(StoreError) as err:
        Store.from_url("nosuchproto://b/x").exists()
    assert [p.code for p in err.value.problems] == ["S001"]


def test_failure_is_s002_and_never_shows_a_secret(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "very-secret-value-42")

    class Leaky:
        def cat_file(self, path: str) -> bytes:
            raise RuntimeError("signature for very-secret-value-42 does not match")

    monkeypatch.setattr(Store, "fs", property(lambda self: Leaky()))
    with pytest.raises(StoreError) as err:
        store.read_bytes("x")
    assert [p.code for p in err.value.problems] == ["S002"]
    assert "very-secret-value-42" not in str(err.value)
    assert "***" in str(err.value)


def test_redact_only_secret_looking_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_TOKEN", "tok-1234")
    monkeypatch.setenv("HOME_FOLDER_NAME", "tok-1234-not-secret")
    assert redact("a tok-1234 b") == "a *** b"


def test_upload_sends_only_changes_and_deletes_what_went(store: Store, tmp_path: Path) -> None:
    root = tmp_path / "tree"
    (root / "d").mkdir(parents=True)
    (root / "a.txt").write_bytes(b"a")
    (root / "d" / "b.txt").write_bytes(b"b")
    (root / "d" / ".b.txt.123.tmp").write_bytes(b"half")  # an atomic write's temporary: never sent
    index = SyncIndex(tmp_path / "index.sqlite3")
    first = changes(root, index)
    assert first.send == ("a.txt", "d/b.txt") and first.delete == ()
    assert upload(root, store, first.send, index, first.stamps) == 2
    assert sorted(store.listing()) == ["a.txt", "d/b.txt"]
    assert changes(root, index).send == ()
    time.sleep(0.01)
    (root / "a.txt").write_bytes(b"aa")
    (root / "d" / "b.txt").unlink()
    second = changes(root, index)
    assert second.send == ("a.txt",) and second.delete == ("d/b.txt",)
    index.close()


def test_mirror_down_downloads_only_what_changed(store: Store, tmp_path: Path) -> None:
    store.write_bytes("collection.toml", b"x = 1\n")
    store.write_bytes("media/a.jpg", b"\xff\xd8")
    local, index = tmp_path / "mirror", tmp_path / "mirror.sqlite3"
    assert mirror_down(store, local, index) == (2, 0)
    assert (local / "media" / "a.jpg").read_bytes() == b"\xff\xd8"
    assert mirror_down(store, local, index) == (0, 2)
    store.write_bytes("media/a.jpg", b"\xff\xd8\xff")  # another size
    store.remove(["collection.toml"])
    assert mirror_down(store, local, index) == (1, 0)
    assert (local / "media" / "a.jpg").read_bytes() == b"\xff\xd8\xff"
    assert not (local / "collection.toml").exists()


def test_cache_must_be_local(tmp_path: Path) -> None:
    from heritage_ld.pipeline.remote import build_catalogue

    with pytest.raises(StoreError) as err:
        build_catalogue(tmp_path, tmp_path / "out", cache="s3://bucket/cache")
    assert [p.code for p in err.value.problems] == ["S006"]


@pytest.mark.parametrize("bags_to_store", [True, False])
def test_build_catalogue_from_and_to_memory(tmp_path: Path, bags_to_store: bool) -> None:
    """The whole path through fsspec's memory file system: catalogue mirrored, OUT uploaded, ledger copied; bags
    written straight to the store by the bags step, or (``bags_to_store=False``) built in the working copy and
    published by the upload."""
    import sqlite3

    from heritage_ld.bags.remote import validate_store_bag
    from heritage_ld.pipeline.remote import build_catalogue
    from heritage_ld.synth import write_synthetic_catalogue

    local = tmp_path / "cat"
    write_synthetic_catalogue(local, items=3, media_size="8KB")
    base = f"memory://build-{os.getpid()}-{next(_n)}"
    source = Store.from_url(f"{base}/catalogue")
    source.put_files([(local / rel, rel) for rel in ("collection.toml", "items.csv")]
                     + [(p, p.relative_to(local).as_posix()) for p in (local / "media").rglob("*") if p.is_file()])

    def build() -> Any:
        return build_catalogue(source.url, f"{base}/out", cache=tmp_path / "cache", only=["rdf", "iiif", "bags"],
                               bags_to_store=bags_to_store)

    report = build()
    assert report.count == 3 and report.results["bags"].data["written"] == 3
    assert report.results["upload"].data["bags"] == (0 if bags_to_store else 3)
    out = Store.from_url(f"{base}/out")
    names = out.listing()
    assert "rdf/dataset.nt.gz" in names and "ledger.sqlite3" in names
    bags = sorted({n.split("/")[1] for n in names if n.startswith("bags/")})
    assert len(bags) == 3 and all(validate_store_bag(out.child(f"bags/{b}")).valid for b in bags)
    copy = tmp_path / "ledger.sqlite3"
    copy.write_bytes(out.read_bytes("ledger.sqlite3"))
    with sqlite3.connect(copy) as db:
        assert db.execute("SELECT count(*) FROM items").fetchone() == (3,)
        files = db.execute("SELECT count(*) FROM working_copy_files").fetchone()[0]
        # the files the upload sent: every file on the store but the ledger copy, the tile sets and the items' RDF
        # (sent straight to the store by the iiif and rdf steps) and the bags, when they were written there too
        assert files == len([n for n in names if n != "ledger.sqlite3"
                             and not n.startswith(("iiif/image/", "rdf/object/"))
                             and not (bags_to_store and n.startswith("bags/"))])
    again = build()
    assert again.results["upload"].data == {"sent": 0, "bags": 0, "deleted": 0}


def test_a_password_in_a_url_is_never_shown() -> None:
    err = StoreError([])
    assert str(err) == ""
    from heritage_ld.storage.store import failure

    shown = failure(ConnectionError("refused"), "ftp://curator:pa55word@ftp.example.org/scans", "listing")
    assert "pa55word" not in str(shown) and "pa55word" not in shown.problems[0].location.file
    assert [p.code for p in shown.problems] == ["S002"]


def test_withdrawn_item_leaves_the_store(tmp_path: Path) -> None:
    """An item removed from the catalogue: its files are deleted on the store, and with prune_bags its bag too
    (declaration first)."""
    import csv

    from heritage_ld.pipeline import BuildOptions
    from heritage_ld.pipeline.remote import build_catalogue
    from heritage_ld.synth import write_synthetic_catalogue

    local = tmp_path / "cat"
    write_synthetic_catalogue(local, items=3, media_size="8KB")
    out = f"memory://withdraw-{os.getpid()}-{next(_n)}/out"
    kwargs = {"cache": tmp_path / "cache", "only": ["rdf", "bags"], "options": BuildOptions(prune_bags=True)}
    build_catalogue(local, out, **kwargs)  # type: ignore[arg-type]
    store = Store.from_url(out)
    before = store.listing()
    gone = "SYN.000003"
    assert any(gone in n for n in before) and f"bags/{gone}/bagit.txt" in before
    with open(local / "items.csv", encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = list(reader.fieldnames or ()), [r for r in reader if r["accession"] != gone]
    with open(local / "items.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    report = build_catalogue(local, out, **kwargs)  # type: ignore[arg-type]
    after = store.listing()
    assert not any(gone in n for n in after)
    # the bag was removed on the store by the bags step (bags written straight there), the item's RDF files by the
    # rdf step (sent there by its workers); the upload deleted the item's other files
    assert report.results["bags"].data["pruned"] == (gone,)
    assert report.results["upload"].data["deleted"] == len([n for n in before if gone in n
                                                            and not n.startswith(("bags/", "rdf/object/"))])
    assert "bags/SYN.000001/bagit.txt" in after
