"""An edit rewrites only the files whose bytes change: the collection's shared RDF documents (agents, places,
concepts, sections) and the site's static assets keep their times, so an upload of a remote OUT (by size and
time), rsync or a web cache sees them unchanged."""

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
