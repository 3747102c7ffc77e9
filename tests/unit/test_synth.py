"""Synthetic catalogues: valid in the catalogue format, deterministic, media of the asked size."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from heritage_ld.catalogue import check_catalogue, read_catalogue
from heritage_ld.cli import app
from heritage_ld.synth import parse_size, write_synthetic_catalogue


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _rows(folder: Path) -> list[dict[str, str]]:
    with (folder / "items.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_catalogue_passes_check_with_three_sections(tmp_path: Path) -> None:
    result = write_synthetic_catalogue(tmp_path / "cat", items=120, media_size="6KB")
    assert (result.items, result.media_files) == (120, 120)
    checked = check_catalogue(tmp_path / "cat")
    assert checked.problems == ()
    collection = read_catalogue(tmp_path / "cat")
    assert [s.key for s in collection.sections] == ["silence", "confront", "peace"]
    assert len(collection.items) == 120
    assert all(collection.items_in(s) for s in collection.sections)
    assert {i.kind.value for i in collection.items} == {"photograph", "document", "artifact"}
    assert all(i.title.get("vi") and i.title.get("en") for i in collection.items)
    assert any(p.has_coordinates for p in collection.places)


def test_dates_cover_every_edtf_shape(tmp_path: Path) -> None:
    write_synthetic_catalogue(tmp_path, items=200, media="none")
    dates = {r["date"] for r in _rows(tmp_path)}
    assert "1972-12-18/1972-12-29" in dates
    assert {"1972~", "1972-12?"} <= dates
    assert any(d.endswith("/..") for d in dates)
    assert any(len(d) == 10 for d in dates) and any(len(d) == 7 for d in dates)


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        write_synthetic_catalogue(tmp_path / name, items=40, media_size="5KB", media="tiff+jpeg", seed=seed)
    a, b, c = (_digest(tmp_path / n) for n in "abc")
    assert a == b
    assert a["items.csv"] != c["items.csv"]


def test_media_files_are_distinct_images_of_the_asked_size(tmp_path: Path) -> None:
    write_synthetic_catalogue(tmp_path, items=20, media_size="20KB")
    rows = _rows(tmp_path)
    files = [tmp_path / r["master"] for r in rows]
    assert all(p.stat().st_size == 20_000 for p in files)
    assert len({hashlib.sha256(p.read_bytes()).digest() for p in files}) == 20
    for p, row in zip(files, rows, strict=True):
        with Image.open(p) as img:
            img.load()
            assert img.format == "JPEG"
            assert row["accession"].encode() in img.info["comment"]


def test_tiff_masters_with_jpeg_access_copies(tmp_path: Path) -> None:
    result = write_synthetic_catalogue(tmp_path, items=10, media_size="30KB", media="tiff+jpeg")
    assert result.media_files == 20
    for row in _rows(tmp_path):
        with Image.open(tmp_path / row["master"]) as tif, Image.open(tmp_path / row["access"]) as jpg:
            tif.load()
            jpg.load()
            assert (tif.format, jpg.format) == ("TIFF", "JPEG")
            assert row["accession"] in tif.tag_v2[270]
        assert 20_000 < (tmp_path / row["master"]).stat().st_size <= 31_000


def test_no_media(tmp_path: Path) -> None:
    result = write_synthetic_catalogue(tmp_path, items=5, media="none")
    assert result.media_files == 0 and not (tmp_path / "media").exists()
    assert all(r["master"] == "" for r in _rows(tmp_path))


def test_refuses_to_overwrite_a_catalogue(tmp_path: Path) -> None:
    write_synthetic_catalogue(tmp_path, items=2, media="none")
    with pytest.raises(ValueError, match="already holds a catalogue"):
        write_synthetic_catalogue(tmp_path, items=2, media="none")


@pytest.mark.parametrize(
    ("text", "expected"), [("64KB", 64_000), ("64kb", 64_000), ("1.5MB", 1_500_000), ("512KiB", 524_288), ("100", 100)]
)
def test_parse_size(text: str, expected: int) -> None:
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["", "KB", "12XB", "-5KB", "1e3"])
def test_parse_size_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="not a size"):
        parse_size(text)


def test_cli_synth_then_usage_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "cat"
    ok = runner.invoke(app, ["example", "synth", "-n", "12", "--media-size", "4KB", "-o", str(out)])
    assert ok.exit_code == 0, ok.output
    assert "wrote 12 items and 12 media files" in ok.output
    assert len(_rows(out)) == 12
    again = runner.invoke(app, ["example", "synth", "-n", "12", "-o", str(out)])
    assert again.exit_code == 2
    bad = runner.invoke(app, ["example", "synth", "--media-size", "lots", "-o", str(tmp_path / "x")])
    assert bad.exit_code == 2
    assert "Traceback" not in bad.output
