"""Format identification of a remote catalogue's file from its two ends (a sparse stand-in): the same answer as
the whole file, two ranged reads instead of a download, nothing left behind; containers read whole."""

from __future__ import annotations

import io
import itertools
import os
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from heritage_ld.bags.identify import identify_one, identify_remote
from heritage_ld.storage import Store
from heritage_ld.storage.fetch import RemoteFile
from heritage_ld.storage.sync import remote_mtime_ns

_n = itertools.count()


def _files() -> dict[str, bytes]:
    rng = bytes(range(256))
    big = io.BytesIO()
    Image.frombytes("RGB", (640, 400), rng * (640 * 400 * 3 // 256)).save(big, "TIFF")  # 768 KB: a hole inside
    big_pdf = io.BytesIO()  # > 2 x 128 KB; fido knows a PDF by its trailer too: without its tail, no PUID
    Image.frombytes("RGB", (1000, 800), os.urandom(1000 * 800 * 3)).save(big_pdf, "PDF", resolution=72.0)
    jpeg, pdf, png = io.BytesIO(), io.BytesIO(), io.BytesIO()
    Image.new("RGB", (30, 20), (1, 2, 3)).save(jpeg, "JPEG")
    Image.new("RGB", (300, 200)).save(pdf, "PDF", resolution=72.0)
    Image.new("RGB", (800, 600)).save(png, "PNG")
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as z:  # a container: identified from inside
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    assert len(big_pdf.getvalue()) > 3 * 128 * 1024
    return {"media/big.tif": big.getvalue(), "media/big.pdf": big_pdf.getvalue(), "media/a.jpg": jpeg.getvalue(), "media/a.pdf": pdf.getvalue(),
            "media/a.png": png.getvalue(), "media/a.docx": docx.getvalue(), "media/empty.bin": b"",
            "media/text.txt": b"plain words\n" * 30000}


@pytest.fixture(scope="module")
def on_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, dict[str, bytes], Path]:
    store = Store.from_url(f"memory://identify-{os.getpid()}-{next(_n)}/cat")
    files = _files()
    local = tmp_path_factory.mktemp("local")
    for rel, data in files.items():
        store.write_bytes(rel, data)
        (local / rel).parent.mkdir(parents=True, exist_ok=True)
        (local / rel).write_bytes(data)
    return store, files, local


def _remote(store: Store, rel: str) -> RemoteFile:
    info = store.info(rel)
    assert info is not None
    return RemoteFile(store.url_of(rel), f"/nowhere/{rel}", int(info["size"]), remote_mtime_ns(info) or 0)


def test_the_same_answer_as_the_whole_file(on_store: tuple[Store, dict[str, bytes], Path], tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    store, files, local = on_store
    monkeypatch.setenv("HERITAGE_LD_CACHE", str(tmp_path / "cache"))
    for rel in files:
        assert identify_remote(_remote(store, rel)) == identify_one(local / rel), rel
    assert identify_remote(_remote(store, "media/big.tif")).puid  # a real answer, not "unknown"
    assert identify_remote(_remote(store, "media/big.pdf")).puid.startswith("fmt/")  # the tail was there
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]  # no stand-in, no copy left


def test_two_ranged_reads_for_a_large_file(on_store: tuple[Store, dict[str, bytes], Path], tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    store, files, _ = on_store
    monkeypatch.setenv("HERITAGE_LD_CACHE", str(tmp_path / "cache"))
    asked: list[tuple[int, int]] = []
    real = Store.read_range

    def counted(self: Store, rel: str, start: int, end: int) -> bytes:
        asked.append((start, end))
        return real(self, rel, start, end)

    monkeypatch.setattr(Store, "read_range", counted)
    monkeypatch.setattr(Store, "get_files", lambda *a: pytest.fail("a large file was downloaded whole"))
    size = len(files["media/big.tif"])
    identify_remote(_remote(store, "media/big.tif"))
    assert asked == [(0, 128 * 1024), (size - 128 * 1024, size)]


def test_a_container_is_read_whole(on_store: tuple[Store, dict[str, bytes], Path], tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    store, _, local = on_store
    monkeypatch.setenv("HERITAGE_LD_CACHE", str(tmp_path / "cache"))
    fetched: list[object] = []
    real = Store.get_files
    monkeypatch.setattr(Store, "get_files", lambda self, pairs: (fetched.append(pairs), real(self, pairs))[1])
    assert identify_remote(_remote(store, "media/a.docx")) == identify_one(local / "media/a.docx")
    assert len(fetched) == 1
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]


def test_a_name_no_local_file_could_have(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A key on a store may be longer than a file name can be: identified all the same, nothing left."""
    store = Store.from_url(f"memory://identify-{os.getpid()}-{next(_n)}/cat")
    rel = "media/" + "x" * 400 + ".pdf"
    data = _files()["media/big.pdf"]
    store.write_bytes(rel, data)
    (tmp_path / "a.pdf").write_bytes(data)
    monkeypatch.setenv("HERITAGE_LD_CACHE", str(tmp_path / "cache"))
    assert identify_remote(_remote(store, rel)) == identify_one(tmp_path / "a.pdf")
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
