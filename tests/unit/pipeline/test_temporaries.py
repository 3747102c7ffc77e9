"""A build killed part-way leaves its temporaries (``.NAME.PID.tmp``); the next run removes them, and only them
(issue #11, item 11)."""

from __future__ import annotations

import os
from pathlib import Path

from heritage_ld.atomic import remove_stale_temporaries
from heritage_ld.catalogue import read_catalogue
from heritage_ld.pipeline import build
from hostile_media import small_catalogue

#: Above Linux's largest process id (4194304): no process has it.
DEAD = 999_999_999


def test_a_rerun_removes_what_a_killed_rdf_step_left_and_nothing_else(tmp_path: Path) -> None:
    collection = read_catalogue(small_catalogue(tmp_path / "c", ("HNM.1972.001",)))
    out = tmp_path / "out"
    build(collection, out, only=["rdf"], executor="serial")
    objects = out / "rdf" / "object"
    stale = [objects / f".HNM.1972.001.rdf.{DEAD}.tmp", out / "rdf" / f".dataset.nt.gz.{DEAD}.tmp"]
    kept = [objects / "notes.tmp", objects / f".HNM.1972.001.rdf.{DEAD}.tmp.bak", objects / "a.1.tmp",
            objects / f".busy.ttl.{os.getpid()}.tmp"]  # the last: a process still running (this one)
    for path in stale + kept:
        path.write_bytes(b"half")
    build(collection, out, only=["rdf"], executor="serial")
    assert [p for p in stale if p.exists()] == []
    assert [p for p in kept if p.exists()] == kept


def test_a_killed_site_or_store_leaves_folders_that_the_next_run_removes(tmp_path: Path) -> None:
    collection = read_catalogue(small_catalogue(tmp_path / "c", ("HNM.1972.001",)))
    out = tmp_path / "out"
    build(collection, out, only=["rdf"], executor="serial")
    left = [out / f".site.{DEAD}.tmp" / "site", out / f".store.{DEAD}.tmp"]
    for folder in left:
        folder.mkdir(parents=True)
        (folder / "index.html").write_text("half")
    build(collection, out, only=["site", "store"], executor="serial")
    assert sorted(p.name for p in out.iterdir()) == ["ledger.sqlite3", "rdf", "site", "store"]


def test_remove_stale_temporaries_does_not_follow_a_link(tmp_path: Path) -> None:
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "keep.txt").write_text("keep")
    out = tmp_path / "out"
    out.mkdir()
    (out / f".x.{DEAD}.tmp").symlink_to(precious, target_is_directory=True)
    assert remove_stale_temporaries(out) == [out / f".x.{DEAD}.tmp"]
    assert (precious / "keep.txt").read_text() == "keep" and not list(out.iterdir())
