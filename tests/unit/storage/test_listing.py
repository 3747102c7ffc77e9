"""A remote catalogue's media known from the store's listing: fingerprints, sources and streams without a copy,
and the catalogue reader's path checks answered from the listing."""

from __future__ import annotations

import io
import itertools
import os
from pathlib import Path, PurePosixPath

import pytest
from PIL import Image

from heritage_ld.catalogue.media import MediaChecker
from heritage_ld.storage import Store, StoreError
from heritage_ld.storage.fetch import RemoteFile
from heritage_ld.storage.listing import (
    LISTING,
    listing_of,
    media_fingerprint,
    media_source,
    readable,
    write_listing,
)
from heritage_ld.storage.sync import remote_mtime_ns

_n = itertools.count()


def _jpeg(width: int = 40, height: int = 30) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(out, "JPEG")
    return out.getvalue()


def _remote(tmp_path: Path, files: dict[str, bytes]) -> tuple[Store, Path]:
    store = Store.from_url(f"memory://listing-{os.getpid()}-{next(_n)}/cat")
    for rel, data in files.items():
        store.write_bytes(rel, data)
    root = tmp_path / "catalogue" / "tree"
    root.mkdir(parents=True)
    write_listing(root, store.url, store.listing())
    return store, root


def test_fingerprints_and_sources_come_from_the_listing(tmp_path: Path) -> None:
    data = _jpeg()
    store, root = _remote(tmp_path, {"media/a.jpg": data, "media/b c.tif": b"II*\0"})
    listing = listing_of(root)
    assert listing is not None and listing.url == store.url and len(listing) == 2
    info = store.info("media/a.jpg")
    assert info is not None
    assert media_fingerprint(root, "media/a.jpg") == (len(data), remote_mtime_ns(info))
    assert media_fingerprint(root, PurePosixPath("media/none.jpg")) is None
    source = media_source(root, "media/b c.tif")
    assert isinstance(source, RemoteFile) and source.url == f"{store.url}/media/b c.tif" and source.size == 4
    with pytest.raises(FileNotFoundError):
        media_source(root, "media/none.jpg")
    assert not (root / "media").exists()  # nothing was copied


def test_readable_streams_without_a_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = _jpeg(64, 48)
    _, root = _remote(tmp_path, {"media/a.jpg": data})
    monkeypatch.setenv("HERITAGE_LD_CACHE", str(tmp_path / "cache"))
    source = media_source(root, "media/a.jpg")
    with readable(source) as stream:
        assert not isinstance(stream, Path)
        assert Image.open(stream).size == (64, 48)
    assert not (tmp_path / "cache").exists()


def test_a_file_changed_on_the_store_since_the_listing_is_s009(tmp_path: Path) -> None:
    store, root = _remote(tmp_path, {"media/a.jpg": _jpeg()})
    store.write_bytes("media/a.jpg", b"shorter")
    with pytest.raises(StoreError, match="S009"), readable(media_source(root, "media/a.jpg")):
        pass


def test_a_local_folder_has_no_listing(tmp_path: Path) -> None:
    folder = tmp_path / "tree"  # even named like a remote catalogue's folder
    (folder / "media").mkdir(parents=True)
    (folder / "media" / "a.jpg").write_bytes(b"x")
    assert listing_of(folder) is None and listing_of(None) is None
    assert media_source(folder, "media/a.jpg") == Path(os.path.realpath(folder / "media" / "a.jpg"))
    assert media_fingerprint(folder, "media/a.jpg") == (1, os.stat(folder / "media" / "a.jpg").st_mtime_ns)
    (tmp_path / LISTING).write_bytes(b"not a database")  # a broken listing: read as a local folder
    assert listing_of(folder) is None


def test_a_new_listing_replaces_the_old_one(tmp_path: Path) -> None:
    store, root = _remote(tmp_path, {"media/a.jpg": b"one"})
    assert listing_of(root) is not None and media_fingerprint(root, "media/a.jpg") is not None
    store.remove(["media/a.jpg"])
    store.write_bytes("media/b.jpg", b"two!")
    write_listing(root, store.url, store.listing())
    assert media_fingerprint(root, "media/a.jpg") is None
    assert media_fingerprint(root, "media/b.jpg") is not None and media_fingerprint(root, "media/b.jpg")[0] == 4
    assert sorted(p.name for p in root.parent.iterdir()) == [LISTING, "tree"]  # no temporary left


def test_path_checks_are_answered_from_the_listing(tmp_path: Path) -> None:
    _, root = _remote(tmp_path, {"media/a.jpg": b"x"})
    checker = MediaChecker(root)
    assert checker.check("media/a.jpg").path == PurePosixPath("media/a.jpg")
    assert checker.check("media/./a.jpg").path == PurePosixPath("media/a.jpg")
    assert checker.check("media/b.jpg").code == "C017"
    for hostile in ("../../etc/passwd", "/etc/hostname", "media\\a.jpg", "media/a\x00.jpg", "C:/a.jpg"):
        assert checker.check(hostile).code == "C019", hostile
