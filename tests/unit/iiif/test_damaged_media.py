"""The IIIF emitter on damaged images (for library users who build without ``check``): I003/I004, never a raw
Pillow error, and no half-written tiles."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from heritage_ld.errors import FormatError
from heritage_ld.iiif import image_size
from heritage_ld.iiif.tiles import write_tiles
from hostile_media import bomb_png, truncate


def test_a_decompression_bomb_is_I004_from_its_header(tmp_path: Path) -> None:
    bomb = bomb_png(tmp_path / "bomb.png")
    with pytest.raises(FormatError, match=r"I004 .* 50000 × 50000 pixels \(2,500,000,000\), more than the limit"):
        image_size(bomb)
    with pytest.raises(FormatError, match="I004"):
        write_tiles(bomb, tmp_path / "tiles", "https://example.org/iiif/image/b-1")
    assert not list(tmp_path.glob("tiles*"))


def test_the_limit_is_a_parameter(tmp_path: Path) -> None:
    path = tmp_path / "a.png"
    Image.new("RGB", (100, 50)).save(path)
    assert image_size(path, max_pixels=5000) == (100, 50)
    with pytest.raises(FormatError, match="I004"):
        image_size(path, max_pixels=4999)


def test_a_truncated_jpeg_is_I003_and_the_previous_tiles_stay(tmp_path: Path) -> None:
    source = tmp_path / "a.jpg"
    Image.effect_noise((700, 500), 60).convert("RGB").save(source, quality=90)
    service = "https://example.org/iiif/image/a-1"
    write_tiles(source, tmp_path / "a-1", service)
    before = sorted(p.relative_to(tmp_path) for p in (tmp_path / "a-1").rglob("*"))
    truncate(source)
    with pytest.raises(FormatError, match=r"I003 .*truncated"):
        write_tiles(source, tmp_path / "a-1", service)
    assert sorted(p.relative_to(tmp_path) for p in (tmp_path / "a-1").rglob("*")) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-1", "a.jpg"]


def test_a_tiles_folder_left_half_renamed_by_a_killed_run_does_not_block_the_next(tmp_path: Path) -> None:
    source = tmp_path / "a.png"
    Image.new("RGB", (600, 400)).save(source)
    write_tiles(source, tmp_path / "a-1", "https://example.org/iiif/image/a-1")
    (tmp_path / "a-1.old" / "full").mkdir(parents=True)  # killed between its two renames
    write_tiles(source, tmp_path / "a-1", "https://example.org/iiif/image/a-1")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-1", "a.png"]
