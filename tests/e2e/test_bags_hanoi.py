"""End to end: the Hanoi 1972 example becomes one valid bag per item, checked by bagit-python and the profile."""

from __future__ import annotations

import json
import os
from pathlib import Path

import bagit
import bagit_profile
import pytest

from heritage_ld.bags import validate_bag
from heritage_ld.catalogue import read_catalogue
from heritage_ld.model import iri_segment
from heritage_ld.pipeline import BuildOptions, build
from heritage_ld.pipeline.steps.bags import PROFILE_ID

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, example_dir: Path) -> tuple[Path, object]:
    out = tmp_path_factory.mktemp("out")
    collection = read_catalogue(example_dir)
    build(collection, out, only=["bags"], options=BuildOptions(source_date_epoch=92188800), executor="serial")
    return out, collection


def test_one_valid_bag_per_item(built: tuple[Path, object]) -> None:
    out, collection = built
    bags = sorted(p for p in (out / "bags").iterdir() if p.is_dir())
    assert [b.name for b in bags] == sorted(iri_segment(i.accession) for i in collection.items)  # type: ignore[attr-defined]
    for bag in bags:
        assert validate_bag(bag).valid, bag
        info = (bag / "bag-info.txt").read_text(encoding="utf-8")
        assert f"External-Identifier: {bag.name}" in info
        assert "Bag-Group-Identifier: hanoi-1972" in info
        assert "Source-Organization: " in info


def test_bags_pass_bagit_python_and_the_profile(built: tuple[Path, object]) -> None:
    out, _ = built
    profile = json.loads((ROOT / "vocab" / "bagit-profile.json").read_text())
    assert profile["BagIt-Profile-Info"]["BagIt-Profile-Identifier"] == PROFILE_ID
    checker = bagit_profile.Profile(PROFILE_ID, profile=profile)
    for bag in sorted((out / "bags").iterdir()):
        b = bagit.Bag(str(bag))
        b.validate()
        assert checker.validate(b), checker.report


def test_metadata_only_rebuild_leaves_the_payload_alone(built: tuple[Path, object], example_dir: Path) -> None:
    out, collection = built
    bag = next(p for p in sorted((out / "bags").iterdir()))
    payload = {p: os.stat(p).st_ino for p in (bag / "data").rglob("*") if p.is_file()}
    before = (bag / "manifest-sha256.txt").read_bytes()
    rdf = out / "rdf" / "object" / f"{bag.name}.ttl"
    rdf.parent.mkdir(parents=True, exist_ok=True)
    rdf.write_bytes(b"<https://example.org/x> <https://example.org/p> \"changed\" .\n")
    report = build(collection, out, only=["bags"], options=BuildOptions(source_date_epoch=92188800),  # type: ignore[arg-type]
                   executor="serial")
    assert "updated" in report.results["bags"].summary
    assert {p: os.stat(p).st_ino for p in (bag / "data").rglob("*") if p.is_file()} == payload
    assert (bag / "manifest-sha256.txt").read_bytes() == before
    assert (bag / "metadata" / "item.ttl").read_bytes() == rdf.read_bytes()
    assert validate_bag(bag).valid
    rdf.unlink()


def test_collection_mode_makes_one_bag(tmp_path: Path, example_dir: Path) -> None:
    collection = read_catalogue(example_dir)
    build(collection, tmp_path, only=["bags"], options=BuildOptions(bag_mode="collection"), executor="serial")
    bags = list((tmp_path / "bags").iterdir())
    assert len(bags) == 1
    result = validate_bag(bags[0])
    assert result.valid and result.files > len(collection.items)


@pytest.mark.parametrize("linked", ["metadata", "bag"])
def test_a_rebuild_never_writes_through_a_link_in_out(tmp_path: Path, example_dir: Path, linked: str) -> None:
    """Issue #11: a rebuild into an OUT whose bags/X/metadata (or bags/X) is a link to a folder outside OUT
    rewrote files outside OUT. Now the build stops with B014 (exit 2) and the folder outside is unchanged."""
    import shutil
    import subprocess
    import sys

    out = tmp_path / "out"
    command = [sys.executable, "-m", "heritage_ld", "build", str(example_dir), "-o", str(out), "--only", "bags",
               "--executor", "serial"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p), "SOURCE_DATE_EPOCH": "92188800"}
    assert subprocess.run(command, env=env, capture_output=True, timeout=600, check=False).returncode == 0
    bag = next(p for p in sorted((out / "bags").iterdir()))
    moved = bag / "metadata" if linked == "metadata" else bag
    outside = tmp_path / "outside"
    shutil.move(moved, outside)
    moved.symlink_to(outside, target_is_directory=True)
    before = {p: p.read_bytes() for p in sorted(outside.rglob("*")) if p.is_file()}
    ttl = out / "rdf" / "object" / f"{bag.name}.ttl"
    ttl.parent.mkdir(parents=True, exist_ok=True)
    ttl.write_bytes(b"<https://example.org/x> <https://example.org/p> \"changed\" .\n")
    done = subprocess.run([*command, "--replace"], env=env, capture_output=True, text=True, timeout=600,
                          check=False)
    assert done.returncode == 2, done.stderr
    assert "B014" in done.stderr and "Traceback" not in done.stderr
    assert {p: p.read_bytes() for p in sorted(outside.rglob("*")) if p.is_file()} == before
