"""An edit rewrites only the files whose bytes change: the collection's shared RDF documents (agents, places,
concepts, sections) and the site's static assets keep their times, so an upload of a remote OUT (by size and
time), rsync or a web cache sees them unchanged. And what an edit takes away goes: an image taken out of an item
leaves no tile set behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from heritage_ld.pipeline.remote import build_catalogue
from heritage_ld.synth import write_synthetic_catalogue
from heritage_support import read_rows, write_rows


def _stamps(root: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(root).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in root.rglob("*") if p.is_file()}


def test_an_edit_leaves_shared_documents_and_static_assets_alone(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    catalogue, out = tmp_path / "cat", tmp_path / "out"
    write_synthetic_catalogue(catalogue, items=4, media_size="8KB")
    build_catalogue(str(catalogue), str(out), only=["rdf", "iiif", "site"])
    before = _stamps(out)
    fields, rows = read_rows(catalogue)
    rows[1]["title@en"] += " (corrected)"
    write_rows(catalogue, fields, rows)
    build_catalogue(str(catalogue), str(out), only=["rdf", "iiif", "site"])
    after = _stamps(out)
    changed = {rel for rel in after if before.get(rel) != after[rel]}
    shared = [rel for rel in after if rel.split("/")[:2] in (["rdf", "agent"], ["rdf", "place"], ["rdf", "concept"])]
    static = [rel for rel in after if rel.startswith(("site/static/", "site/vendor/"))]
    assert shared and static
    assert not changed & set(shared), sorted(changed & set(shared))
    assert not changed & set(static), sorted(changed & set(static))
    accession = rows[1]["accession"]
    assert any(rel.startswith("rdf/object/") and accession in rel for rel in changed)  # the edit itself was written
    assert f"site/object/{accession}.html" in changed


@pytest.mark.parametrize("remote", [False, True], ids=["local", "store"])
def test_an_image_taken_out_of_an_item_leaves_its_tiles_and_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  remote: bool) -> None:
    """HNM.1972.011 has two scans: with the second taken out, its tile set goes (from the store too, when tiles are
    sent there) and the item's page no longer shows it; the first stays."""
    import itertools
    import os
    import shutil

    from heritage_ld.storage import Store
    from heritage_support import EXAMPLE

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    catalogue = tmp_path / "cat"
    shutil.copytree(EXAMPLE, catalogue)
    out = f"memory://lost-image-{os.getpid()}-{next(itertools.count())}/out" if remote else str(tmp_path / "out")
    steps = ["iiif", "site"]
    build_catalogue(str(catalogue), out, only=steps, cache=tmp_path / "cache")
    fields, rows = read_rows(catalogue)
    row = next(r for r in rows if r["accession"] == "HNM.1972.011")
    assert row["master"].count("|") == 1
    for key in fields:  # the master and its access copy, one each
        if "|" in row[key] and key in ("master", "access"):
            row[key] = row[key].split("|")[0]
    write_rows(catalogue, fields, rows)
    build_catalogue(str(catalogue), out, only=steps, cache=tmp_path / "cache")
    tree = next((tmp_path / "cache" / "out").iterdir()) / "tree" if remote else Path(out)
    assert (tree / "iiif/image/HNM.1972.011-1/info.json").is_file()
    assert not (tree / "iiif/image/HNM.1972.011-2").exists()
    page = (tree / "site/object/HNM.1972.011.html").read_text(encoding="utf-8") if not remote else \
        Store.from_url(out).read_bytes("site/object/HNM.1972.011.html").decode()
    assert "HNM.1972.011-1" in page and "HNM.1972.011-2" not in page
    if remote:
        store = Store.from_url(out)
        assert not store.listing("iiif/image/HNM.1972.011-2") and store.exists("iiif/image/HNM.1972.011-1/info.json")
