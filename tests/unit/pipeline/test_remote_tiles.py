"""A build into a remote OUT (fsspec's memory file system) sends the IIIF tiles straight to the store: the same
files and bytes as a local build, only each tile set's ``info.json`` in the working copy, ``info.json`` last (a set
interrupted has none, and is written again), no stale tile of an earlier pyramid, withdrawn items' sets removed,
another machine continuing without bringing tiles down, and a site that links the same pictures. Each item's RDF
files are sent by the worker that writes them (a batch whose sending fails is not recorded)."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest
from PIL import Image

from heritage_ld.pipeline import BuildOptions
from heritage_ld.pipeline.remote import build_catalogue
from heritage_ld.storage import Store
from heritage_ld.synth import write_synthetic_catalogue
from heritage_support import read_rows, write_rows

_n = itertools.count()
STEPS = ["rdf", "iiif", "site"]




def _picture(path: Path, size: tuple[int, int], colour: tuple[int, int, int]) -> None:
    image = Image.new("RGB", size, colour)
    for x in range(0, size[0], 37):  # some detail, so that tiles differ from each other
        for y in range(0, size[1], 53):
            image.putpixel((x, y), (255 - colour[0], x % 256, y % 256))
    image.save(path, "JPEG", quality=90)


@pytest.fixture()
def catalogue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    folder = tmp_path / "cat"
    write_synthetic_catalogue(folder, items=3, media_size="8KB")
    _, rows = read_rows(folder)
    # one master large enough for a pyramid of several levels and tiles (512-pixel tiles)
    _picture(folder / rows[0]["master"].split("|")[0], (1300, 700), (120, 30, 60))
    return folder


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_tiles_go_straight_to_the_store_with_the_bytes_of_a_local_build(catalogue: Path, tmp_path: Path) -> None:
    local = tmp_path / "local"
    build_catalogue(str(catalogue), str(local), only=STEPS, cache=tmp_path / "c0")
    url = f"memory://remote-tiles-{os.getpid()}-{next(_n)}/out"
    report = build_catalogue(str(catalogue), url, cache=tmp_path / "cache", only=STEPS)
    assert "tiles by the iiif step" in report.results["upload"].summary
    store = Store.from_url(url)
    here = {rel: data for rel, data in _files(local).items() if rel.startswith("iiif/image/")}
    there = {rel: store.read_bytes(rel) for rel in store.listing() if rel.startswith("iiif/image/")}
    assert len(here) > 10 and there == here  # same files, same bytes
    for rel in ("site/index.html", *(r for r in _files(local) if r.startswith("site/object/"))):
        assert store.read_bytes(rel) == (local / rel).read_bytes(), rel  # the site links the same pictures
    tree = next((tmp_path / "cache" / "out").iterdir()) / "tree"
    kept = sorted(p.relative_to(tree).as_posix() for p in (tree / "iiif" / "image").rglob("*") if p.is_file())
    assert kept and all(rel.endswith("/info.json") for rel in kept)
    assert {rel: (tree / rel).read_bytes() for rel in kept} == {rel: here[rel] for rel in kept}

    again = build_catalogue(str(catalogue), url, cache=tmp_path / "cache", only=STEPS)
    assert again.results["iiif"].data["tile_files"] == 0
    assert again.results["upload"].data["sent"] == 0

    other = build_catalogue(str(catalogue), url, cache=tmp_path / "other-machine", only=STEPS)
    assert other.results["iiif"].data["written"] == 0 and other.results["upload"].data["sent"] == 0
    brought = next((tmp_path / "other-machine" / "out").iterdir()) / "tree" / "iiif" / "image"
    assert all(p.name == "info.json" for p in brought.rglob("*") if p.is_file())


def test_a_new_scan_leaves_no_tile_of_the_old_pyramid_and_withdrawn_sets_go(catalogue: Path, tmp_path: Path) -> None:
    url = f"memory://remote-tiles-{os.getpid()}-{next(_n)}/out"
    cache = tmp_path / "cache"
    build_catalogue(str(catalogue), url, cache=cache, only=STEPS)
    store = Store.from_url(url)
    fields, rows = read_rows(catalogue)
    sets = sorted({"/".join(rel.split("/")[:3]) for rel in store.listing() if rel.startswith("iiif/image/")})
    big = next(s for s in sets if len(store.listing(s)) > 5)
    before = set(store.listing(big))
    _picture(catalogue / rows[0]["master"].split("|")[0], (600, 400), (10, 200, 90))  # a smaller new scan
    build_catalogue(str(catalogue), url, cache=cache, only=STEPS)
    after = set(store.listing(big))
    assert after != before and "info.json" in after
    local = tmp_path / "local"
    build_catalogue(str(catalogue), str(local), only=STEPS, cache=tmp_path / "c0")
    assert after == {p.relative_to(local / big).as_posix() for p in (local / big).rglob("*") if p.is_file()}
    assert b'"width": 600' in store.read_bytes(f"{big}/info.json") or b'"width":600' in store.read_bytes(
        f"{big}/info.json")

    write_rows(catalogue, fields, rows[1:])  # the first item withdrawn
    build_catalogue(str(catalogue), url, cache=cache, only=STEPS)
    assert not store.listing(big)
    assert all(store.exists(f"{s}/info.json") for s in sets if s != big)


def test_an_interrupted_tile_set_has_no_info_json_and_is_written_again(catalogue: Path, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from heritage_ld.iiif import tiles
    from heritage_ld.storage import StoreError
    from heritage_ld.storage.store import failure

    url = f"memory://remote-tiles-{os.getpid()}-{next(_n)}/out"
    cache = tmp_path / "cache"
    real = tiles._StoreWriter._put
    sent: list[str] = []

    def failing(self: tiles._StoreWriter, im: Image.Image, relative: str) -> None:
        if len(sent) >= 4:
            raise failure(ConnectionResetError("connection reset by the store"), self.store.url_of(relative),
                          "writing")
        sent.append(self.store.root.split("/out/", 1)[1])  # the tile set, as a path under OUT
        real(self, im, relative)

    monkeypatch.setattr(tiles._StoreWriter, "_put", failing)
    with pytest.raises(StoreError, match=r"S002.*connection reset"):
        build_catalogue(str(catalogue), url, cache=cache, only=STEPS, options=BuildOptions(tiles=True),
                        executor="threads", jobs=1)
    store = Store.from_url(url)
    started = set(sent)
    assert started and all(s.startswith("iiif/image/") for s in started)
    assert any(store.listing(s) for s in started)  # tiles were sent
    assert not any(store.exists(f"{s}/info.json") for s in started)  # none looks complete
    tree = next((cache / "out").iterdir()) / "tree"
    assert not any((tree / s / "info.json").exists() for s in started)
    monkeypatch.setattr(tiles._StoreWriter, "_put", real)
    build_catalogue(str(catalogue), url, cache=cache, only=STEPS)
    assert all(store.exists(f"{s}/info.json") for s in started)


def test_tiles_to_store_off_keeps_them_in_the_working_copy(catalogue: Path, tmp_path: Path) -> None:
    url = f"memory://remote-tiles-{os.getpid()}-{next(_n)}/out"
    report = build_catalogue(str(catalogue), url, cache=tmp_path / "cache", only=STEPS, tiles_to_store=False)
    assert "tiles by the iiif step" not in report.results["upload"].summary
    tree = next((tmp_path / "cache" / "out").iterdir()) / "tree"
    assert any(p.name == "default.jpg" for p in (tree / "iiif" / "image").rglob("*"))
    assert any(rel.endswith("default.jpg") for rel in Store.from_url(url).listing("iiif/image"))


def test_items_rdf_is_sent_by_the_workers_that_write_it(catalogue: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from heritage_ld.storage import StoreError
    from heritage_ld.storage.store import failure

    url = f"memory://remote-rdf-{os.getpid()}-{next(_n)}/out"
    cache = tmp_path / "cache"
    report = build_catalogue(str(catalogue), url, cache=cache, only=["rdf"])
    assert "items' RDF by the rdf step" in report.results["upload"].summary
    store = Store.from_url(url)
    tree = next((cache / "out").iterdir()) / "tree"
    local = {p.relative_to(tree).as_posix(): p.read_bytes() for p in (tree / "rdf" / "object").rglob("*")
             if p.is_file()}
    assert len(local) == 3 * 5  # five formats an item, kept in the working copy too
    sent = [r for r in store.listing() if r.startswith("rdf/object/")]
    assert {rel: store.read_bytes(rel) for rel in sent} == local

    fields, rows = read_rows(catalogue)
    rows[0]["title@en"] += " (corrected)"
    write_rows(catalogue, fields, rows)
    real = Store.write_many

    def failing(self: Store, files: object) -> None:
        raise failure(ConnectionResetError("connection reset by the store"), self.url, "writing")

    monkeypatch.setattr(Store, "write_many", failing)
    with pytest.raises(StoreError, match="connection reset"):
        build_catalogue(str(catalogue), url, cache=cache, only=["rdf"])
    # the worker sends before it gives the files back: nothing of the edit reached the working copy either
    assert all(b"(corrected)" not in p.read_bytes() for p in (tree / "rdf" / "object").rglob("*.ttl"))
    monkeypatch.setattr(Store, "write_many", real)
    again = build_catalogue(str(catalogue), url, cache=cache, only=["rdf"])
    assert again.results["rdf"].data["written"] == 1  # not recorded when its sending failed: written and sent now
    ttl = next(r for r in store.listing() if r.startswith("rdf/object/") and rows[0]["accession"] in r
               and r.endswith(".ttl"))
    assert b"(corrected)" in store.read_bytes(ttl)

    write_rows(catalogue, fields, rows[1:])
    build_catalogue(str(catalogue), url, cache=cache, only=["rdf"])
    assert not [r for r in store.listing() if r.startswith("rdf/object/") and rows[0]["accession"] in r]
    assert len([r for r in store.listing() if r.startswith("rdf/object/")]) == 2 * 5
