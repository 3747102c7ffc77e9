"""The store step updates the store in place and ends with the same quads as a store loaded anew."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from heritage_ld import read_catalogue
from heritage_ld.model import MultilingualText
from heritage_ld.pipeline import BuildOptions, build
from heritage_ld.publish.store import open_store

STEPS = ("rdf", "store")


def _quads(out: Path) -> set[str]:
    store = open_store(out)
    try:  # blank nodes are named by each load: compare what is not one
        return {str(q) for q in store if "_:" not in str(q)}
    finally:
        del store


def _counted(out: Path) -> dict[str, int]:
    store = open_store(out)
    try:
        return {"graphs": sum(1 for _ in store.named_graphs()), "quads": len(store)}
    finally:
        del store


def _reported(report: object) -> dict[str, int]:
    data = report.results["store"].data  # type: ignore[attr-defined]
    return {"graphs": data["graphs"], "quads": data["quads"]}


@pytest.mark.parametrize("change", ["edit", "remove", "add"])
def test_an_updated_store_equals_a_store_loaded_anew(tmp_path: Path, example_dir: Path, change: str) -> None:
    catalogue = tmp_path / "catalogue"
    shutil.copytree(example_dir, catalogue)
    out = tmp_path / "out"
    opts = BuildOptions(source_date_epoch=1_700_000_000, tiles=False)
    collection = read_catalogue(catalogue)
    first = build(collection, out, only=STEPS, options=opts)
    assert _reported(first) == _counted(out)  # counted as loaded, not by a scan of the store
    before = _quads(out)
    items = list(collection.items)
    if change == "edit":  # one title changes; the collection graph (members, positions) does not
        items[4] = dataclasses.replace(items[4], title=MultilingualText.of(en="A corrected title", vi="Tên đã sửa"))
    elif change == "remove":  # an item leaves: the collection graph changes
        del items[7]
    else:  # one comes in: a copy of an item under a new number
        items.append(dataclasses.replace(items[2], accession="HNM.1972.999"))
    changed = dataclasses.replace(collection, items=tuple(items))
    report = build(changed, out, only=STEPS, options=opts)
    assert "replaced" in report.results["store"].summary  # updated in place, not loaded anew
    assert _reported(report) == _counted(out)  # the earlier counts, less what was dropped, plus what was loaded
    forced = tmp_path / "forced"
    build(changed, forced, only=STEPS, options=opts, force=True)
    after = _quads(out)
    assert after == _quads(forced)
    assert after != before
    if change == "edit":
        assert any("A corrected title" in q for q in after)
