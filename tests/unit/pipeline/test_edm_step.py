"""The ``edm`` build step: incremental with the ledger, withdrawn items and items that lost their record removed."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from heritage_ld.catalogue import read_catalogue
from heritage_ld.pipeline import build
from heritage_ld.pipeline.steps.edm import edm_path


def test_edm_step_is_incremental_and_removes_what_left(tmp_path: Path, example_dir: Path) -> None:
    c = read_catalogue(example_dir)
    out = tmp_path / "out"
    first = build(c, out, only=["edm"], executor="serial").results["edm"].data
    assert first == {"records": 36, "written": 36, "unchanged": 0, "removed": 0, "left_out": 0}
    files = sorted(p.name for p in (out / "rdf" / "edm").iterdir())
    assert len(files) == 36 and all(f.endswith(".rdf") for f in files)
    again = build(c, out, only=["edm"], executor="serial").results["edm"].data
    assert again["written"] == 0 and again["unchanged"] == 36

    gone, refused = c.items[0], c.items[1]
    changed = dataclasses.replace(
        c, items=(dataclasses.replace(refused, rights="http://rightsstatements.org/vocab/UND/1.0/"), *c.items[2:]))
    third = build(changed, out, only=["edm"], executor="serial").results["edm"].data
    assert third == {"records": 34, "written": 0, "unchanged": 34, "removed": 2, "left_out": 1}
    assert not (out / edm_path(gone.accession)).exists()
    assert not (out / edm_path(refused.accession)).exists()


def test_no_provider_no_records_and_a_summary_that_says_why(tmp_path: Path, example_dir: Path) -> None:
    c = dataclasses.replace(read_catalogue(example_dir), provider=None)
    result = build(c, tmp_path / "out", only=["edm"], executor="serial", ledger=False).results["edm"]
    assert result.data["records"] == 0 and "provider" in result.summary
    assert list((tmp_path / "out" / "rdf" / "edm").iterdir()) == []
