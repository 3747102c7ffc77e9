"""A catalogue on object storage (fsspec's memory file system) is read without a copy of its media: the reading
machine keeps the catalogue's own files and the store's listing; checking, hashing and sizes stream from the
store, tasks that need a file fetch one for themselves and delete it. The outputs are byte for byte those of a
build of the same catalogue from a local folder."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import fsspec
import pytest

from heritage_ld.catalogue.check import CATALOGUE_FILES
from heritage_ld.pipeline import BuildOptions
from heritage_ld.pipeline.remote import build_catalogue
from heritage_ld.storage import Store
from heritage_ld.storage.listing import LISTING
from heritage_ld.synth import write_synthetic_catalogue
from heritage_support import EXAMPLE

_n = itertools.count()
#: Files of a build that name the machine or the run rather than the collection.
_OWN = ("ledger.sqlite3", "build.lock")


def _store_files(url: str) -> dict[str, bytes]:
    store = Store.from_url(url)
    return {rel: store.read_bytes(rel) for rel in store.listing()
            if rel not in _OWN and not rel.startswith("store/")}


def _local_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name not in _OWN and not p.relative_to(root).as_posix().startswith("store/")}


def _kept(cache: Path) -> list[str]:
    """Every file the cache folder holds, but the working copies of OUT."""
    return sorted(p.relative_to(cache).as_posix() for p in cache.rglob("*")
                  if p.is_file() and not p.relative_to(cache).as_posix().startswith("out/"))


def _on_store(folder: Path, name: str) -> str:
    bucket = f"{name}-{os.getpid()}-{next(_n)}"
    fsspec.filesystem("memory").put(str(folder), f"/{bucket}/cat", recursive=True)
    return f"memory://{bucket}"


def _catalogue_cache_only(cache: Path) -> None:
    """The machine that read the catalogue holds its own files and the listing, no media file, no copy."""
    kept = _kept(cache)
    assert {k.rsplit("/", 1)[-1] for k in kept} <= {*CATALOGUE_FILES, LISTING, "mirror.sqlite3"}, kept
    assert any(k.endswith(LISTING) for k in kept)


def test_a_remote_catalogue_builds_what_a_local_one_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    folder = tmp_path / "cat"
    write_synthetic_catalogue(folder, items=4, media_size="8KB")
    base = _on_store(folder, "remote-media")
    cache = tmp_path / "cache"
    monkeypatch.setenv("HERITAGE_LD_CACHE", str(cache))  # where tasks would keep copies

    # OUT on the store: tiles and bags sent there by the tasks
    local = build_catalogue(folder, f"{base}/a", cache=cache, executor="threads")
    remote = build_catalogue(f"{base}/cat", f"{base}/b", cache=cache, executor="threads")
    assert not local.warnings and not remote.warnings
    a, b = _store_files(f"{base}/a"), _store_files(f"{base}/b")
    assert len(a) > 50 and a == b
    _catalogue_cache_only(cache)

    # OUT a local folder: bags hold the masters, fetched by each bag's task and deleted after
    build_catalogue(folder, tmp_path / "out-a", cache=cache, executor="threads")
    build_catalogue(f"{base}/cat", tmp_path / "out-b", cache=cache, executor="threads")
    a, b = _local_files(tmp_path / "out-a"), _local_files(tmp_path / "out-b")
    assert any(k.startswith("bags/") and "/data/" in k for k in a) and a == b
    _catalogue_cache_only(cache)

    # a rebuild reads nothing more from the store than the listing and the catalogue's own files
    again = build_catalogue(f"{base}/cat", tmp_path / "out-b", cache=cache, executor="threads")
    assert again.results["rdf"].data["unchanged"] == 4
    assert all(r.data.get("written", 0) == 0 for name, r in again.results.items() if name in ("rdf", "bags"))
    assert _local_files(tmp_path / "out-b") == b


def test_pdf_pages_and_edm_from_a_remote_catalogue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tiles off: PDF pages rendered by tasks that fetch the PDF for themselves, their JPEGs given back and
    written by the client, the PDFs published streamed from the store; EDM given back too."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    cache = tmp_path / "cache"
    monkeypatch.setenv("HERITAGE_LD_CACHE", str(cache))
    base = _on_store(EXAMPLE, "remote-pages")
    steps, options = ["rdf", "edm", "iiif"], BuildOptions(tiles=False)
    build_catalogue(EXAMPLE, f"{base}/a", cache=cache, only=steps, options=options)
    report = build_catalogue(f"{base}/cat", f"{base}/b", cache=cache, only=steps, options=options)
    a, b = _store_files(f"{base}/a"), _store_files(f"{base}/b")
    pages = [rel for rel in a if rel.startswith("iiif/media/") and "-p1.jpg" in rel]
    assert len(pages) == 3 and [rel for rel in a if rel.startswith("rdf/edm/")]
    assert [rel for rel in a if rel.startswith("iiif/media/") and rel.endswith(".pdf")]
    assert a == b
    assert report.results["edm"].data["written"] > 0
    _catalogue_cache_only(cache)


def test_check_decodes_the_masters_on_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``check`` of a remote catalogue decodes every file the build will decode, from the store: the same
    problems at the same cells as the same catalogue in a local folder, and no copy made."""
    import shutil

    from heritage_ld.catalogue import check_catalogue
    from heritage_ld.pipeline.remote import local_catalogue

    folder = tmp_path / "cat"
    shutil.copytree(EXAMPLE, folder)
    jpeg = folder / "media" / "HNM.1972.001.jpg"
    jpeg.write_bytes(jpeg.read_bytes()[: jpeg.stat().st_size // 2])  # truncated: C050
    (folder / "media" / "HNM.1972.007.pdf").write_bytes(b"%PDF-1.4 not really")  # C052
    (folder / "media" / "HNM.1972.003.jpg").unlink()  # C017
    base = _on_store(folder, "remote-check")
    cache = tmp_path / "cache"
    monkeypatch.setenv("HERITAGE_LD_CACHE", str(cache))

    def found(root: Path) -> list[tuple[str, str]]:
        return sorted((p.code, p.location.render()) for p in check_catalogue(root).problems)

    here = found(folder)
    assert {"C050", "C052", "C017"} <= {code for code, _ in here}
    assert found(local_catalogue(f"{base}/cat", cache=cache)) == here
    _catalogue_cache_only(cache)


def test_a_folder_made_by_an_earlier_version_drops_its_copies_of_the_masters(tmp_path: Path) -> None:
    """Earlier versions mirrored the masters into the catalogue's folder: the next read removes them."""
    from heritage_ld.pipeline.remote import local_catalogue
    from heritage_ld.storage.sync import mirror_down

    base = _on_store(EXAMPLE, "remote-upgrade")
    cache = tmp_path / "cache"
    tree = local_catalogue(f"{base}/cat", cache=cache)
    mirror_down(Store.from_url(f"{base}/cat"), tree, tree.parent / "mirror.sqlite3")  # as before: everything
    assert (tree / "media" / "HNM.1972.001.tif").is_file()
    assert local_catalogue(f"{base}/cat", cache=cache) == tree
    _catalogue_cache_only(cache)


def test_the_cli_cache_option_holds_the_task_copies_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``build --cache DIR``: the copies this machine's tasks fetch (tiles decode a file) go under DIR, not
    ~/.cache, for the time of the build only."""
    from typer.testing import CliRunner

    from heritage_ld.cli import app
    from heritage_ld.storage.fetch import RemoteFile

    monkeypatch.delenv("HERITAGE_LD_CACHE", raising=False)
    folder = tmp_path / "cat"
    write_synthetic_catalogue(folder, items=2, media_size="8KB")
    base = _on_store(folder, "remote-cli-cache")
    folders: list[Path] = []
    real = RemoteFile._download

    def recorded(self: RemoteFile, where: Path) -> Path:
        folders.append(where)
        return real(self, where)

    monkeypatch.setattr(RemoteFile, "_download", recorded)
    cache = tmp_path / "big-disk"
    done = CliRunner().invoke(app, ["build", f"{base}/cat", "-o", str(tmp_path / "out"), "--cache", str(cache),
                                    "--executor", "threads", "--only", "rdf,iiif", "-q"])
    assert done.exit_code == 0, done.output
    assert folders and all(f.is_relative_to(cache) for f in folders), folders
    assert "HERITAGE_LD_CACHE" not in os.environ  # as it was before the command
    assert not [p for p in (cache / "fetched").rglob("*") if p.is_file()]
