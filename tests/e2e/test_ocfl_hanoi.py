"""End to end: the Hanoi build's bags as OCFL objects, versioned by the build ledger, checked by ocfl-py."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from ocfl.storage_root import StorageRoot
from typer.testing import CliRunner

from heritage_ld.catalogue import read_catalogue
from heritage_ld.cli import app
from heritage_ld.model import MultilingualText, UrlScheme
from heritage_ld.ocfl import Layout, read_inventory, validate_storage_root
from heritage_ld.pipeline import BuildOptions, build

STEPS = ["rdf", "bags", "ocfl"]


def test_changed_items_get_a_new_version_and_ocfl_py_agrees(tmp_path: Path, example_dir: Path) -> None:
    out = tmp_path / "out"
    collection = read_catalogue(example_dir)
    urls = UrlScheme(collection.base_url)
    first = build(collection, out, only=STEPS, options=BuildOptions(source_date_epoch=92188800), executor="serial")
    assert first.results["ocfl"].data["new version"] == len(collection.items)
    again = build(collection, out, only=STEPS, options=BuildOptions(source_date_epoch=92188900), executor="serial")
    assert again.results["ocfl"].data["new version"] == 0
    items = list(collection.items)
    changed = dataclasses.replace(items[1], title=MultilingualText.of(en="Corrected", vi="Đã sửa"))
    gone = items.pop()
    items[1] = changed
    third = build(dataclasses.replace(collection, items=tuple(items)), out, only=STEPS,
                  options=BuildOptions(source_date_epoch=92189000), executor="serial")
    assert (third.results["ocfl"].data["new version"], third.results["ocfl"].data["withdrawn"]) == (1, 1)
    root = out / "ocfl"
    obj = root / Layout().path(urls.object(changed.accession))
    inventory = read_inventory(obj)
    assert inventory is not None and inventory["head"] == "v2"
    assert inventory["versions"]["v1"]["created"] == "1972-12-03T00:00:00Z"
    v2 = sorted(p.relative_to(obj / "v2" / "content").as_posix() for p in (obj / "v2" / "content").rglob("*")
                if p.is_file())
    assert not any(p.startswith("data/media/") for p in v2), v2  # the scans were not stored again
    withdrawn = read_inventory(root / Layout().path(urls.object(gone.accession)))
    assert withdrawn is not None and withdrawn["versions"][withdrawn["head"]]["state"] == {}
    storage = StorageRoot(root=str(root))
    assert storage.validate(validate_objects=True, check_digests=True), storage.errors
    assert storage.good_objects == storage.num_objects == len(collection.items)
    ours = validate_storage_root(root)
    assert ours.valid and ours.objects == len(collection.items), ours.errors[:5]


def test_ocfl_cli_migrates_bags_and_validates(tmp_path: Path, example_dir: Path) -> None:
    out = tmp_path / "out"
    build(read_catalogue(example_dir), out, only=["bags"], options=BuildOptions(source_date_epoch=92188800),
          executor="serial")
    bags = sorted(str(p) for p in (out / "bags").iterdir())[:3]
    runner = CliRunner()
    result = runner.invoke(app, ["ocfl", "add", *bags, "--root", str(tmp_path / "store"), "--json"])
    assert result.exit_code == 0, result.output
    added = json.loads(result.stdout)
    assert [o["head"] for o in added["objects"]] == ["v1", "v1", "v1"]
    again = runner.invoke(app, ["ocfl", "add", *bags, "--root", str(tmp_path / "store"), "--json"])
    assert [o["created"] for o in json.loads(again.stdout)["objects"]] == [False, False, False]
    check = runner.invoke(app, ["ocfl", "validate", str(tmp_path / "store")])
    assert check.exit_code == 0, check.output
    broken = next((tmp_path / "store").rglob("inventory.json.sha512"))
    broken.write_text("0" * 128 + "  inventory.json\n")
    bad = runner.invoke(app, ["ocfl", "validate", str(tmp_path / "store"), "--json"])
    assert bad.exit_code == 1
    assert "E060" in {p["ocfl_code"] for p in json.loads(bad.stdout)["problems"]}
