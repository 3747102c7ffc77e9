"""A catalogue on object storage (fsspec's memory file system) is read by tasks as RemoteFile: a task that finds
no mirror copy (a worker on another machine) fetches the file into its own cache, or streams it (bags on the
store), and the outputs are byte for byte those of a build whose tasks read the mirror."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import fsspec
import pytest

from heritage_ld.pipeline import BuildOptions
from heritage_ld.pipeline.remote import build_catalogue
from heritage_ld.storage import Store
from heritage_ld.storage.fetch import FETCHED, RemoteFile
from heritage_ld.synth import write_synthetic_catalogue
from heritage_support import EXAMPLE

_n = itertools.count()


def _store_files(url: str) -> dict[str, bytes]:
    store = Store.from_url(url)
    return {rel: store.read_bytes(rel) for rel in store.listing()
            if rel not in ("ledger.sqlite3", "build.lock") and not rel.startswith("store/")}


def test_tasks_without_the_mirror_build_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    folder = tmp_path / "cat"
    write_synthetic_catalogue(folder, items=4, media_size="8KB")
    bucket = f"/remote-media-{os.getpid()}-{next(_n)}"
    fsspec.filesystem("memory").put(str(folder), f"{bucket}/cat", recursive=True)
    catalogue = f"memory://{bucket.lstrip('/')}/cat"

    mirrored = build_catalogue(catalogue, f"memory://{bucket.lstrip('/')}/a", cache=tmp_path / "c1",
                               executor="threads")
    assert not mirrored.warnings

    elsewhere = tmp_path / "worker-cache"
    monkeypatch.setenv("HERITAGE_LD_CACHE", str(elsewhere))
    monkeypatch.setattr(RemoteFile, "mirrored", lambda self: None)  # as on a machine with no mirror
    build_catalogue(catalogue, f"memory://{bucket.lstrip('/')}/b", cache=tmp_path / "c2", executor="threads")

    a, b = _store_files(f"memory://{bucket.lstrip('/')}/a"), _store_files(f"memory://{bucket.lstrip('/')}/b")
    assert len(a) > 50 and a == b
    fetched = sorted(p for p in (elsewhere / FETCHED).rglob("*") if p.is_file())
    media = {p.read_bytes() for p in (folder / "media").rglob("*") if p.is_file()}
    # the images decoded for sizes, tiles and format identification; each fetched once, untouched
    assert fetched and all(p.read_bytes() in media for p in fetched)
    assert len({p.read_bytes() for p in fetched}) == len(fetched)


def test_pdf_pages_and_edm_without_the_mirror(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tiles off: PDF pages rendered by tasks that fetch the PDF, their JPEGs given back and written by the
    client; EDM records given back too. The same files as a build whose tasks read the mirror."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    bucket = f"remote-pages-{os.getpid()}-{next(_n)}"
    fsspec.filesystem("memory").put(str(EXAMPLE), f"/{bucket}/cat", recursive=True)
    catalogue, steps, options = f"memory://{bucket}/cat", ["rdf", "edm", "iiif"], BuildOptions(tiles=False)
    build_catalogue(catalogue, f"memory://{bucket}/a", cache=tmp_path / "c1", only=steps, options=options)
    monkeypatch.setenv("HERITAGE_LD_CACHE", str(tmp_path / "worker-cache"))
    monkeypatch.setattr(RemoteFile, "mirrored", lambda self: None)
    report = build_catalogue(catalogue, f"memory://{bucket}/b", cache=tmp_path / "c2", only=steps, options=options)
    a, b = _store_files(f"memory://{bucket}/a"), _store_files(f"memory://{bucket}/b")
    pages = [rel for rel in a if rel.startswith("iiif/media/") and "-p1.jpg" in rel]
    assert len(pages) == 3 and [rel for rel in a if rel.startswith("rdf/edm/")]
    assert a == b
    assert report.results["edm"].data["written"] > 0
    fetched = {p.suffix for p in (tmp_path / "worker-cache" / FETCHED).rglob("*") if p.is_file()}
    # PDFs are fetched (pdfium reads a file); images' sizes came from their headers, read in ranges from the
    # store: no image was fetched, tiles being off
    assert fetched == {".pdf"}
