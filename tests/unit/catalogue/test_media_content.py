"""``check`` decodes what the build decodes: truncated images, decompression bombs and broken PDFs are located
problems at the cell that names them; files the build only copies are not decoded."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from heritage_ld.catalogue import check_catalogue
from heritage_ld.decoding import DEFAULT_MAX_PIXELS
from hostile_media import bomb_png, truncate

from .conftest import MiniCatalogue, location


def _big_jpeg(path: Path, size: tuple[int, int] = (600, 400)) -> None:
    """A JPEG with real detail, so that cutting it loses compressed data (not only the end marker)."""
    Image.effect_noise(size, 60).convert("RGB").save(path, quality=90)


def test_a_truncated_jpeg_access_copy_is_C050_at_the_access_cell(mini: MiniCatalogue) -> None:
    _big_jpeg(mini.root / "media" / "one.jpg")
    truncate(mini.root / "media" / "one.jpg")
    line, column = mini.cell(0, "access")
    result = check_catalogue(mini.root)
    assert [location(p) for p in result.errors] == [("C050", "items.csv", line, column)]
    assert result.errors[0].get("value") == "media/one.jpg"
    assert result.collection is None


def test_a_truncated_tiff_master_that_is_shown_is_C050_at_the_master_cell(mini: MiniCatalogue) -> None:
    Image.effect_noise((300, 200), 50).save(mini.root / "media" / "two.tif")
    truncate(mini.root / "media" / "two.tif", 0.3)
    line, column = mini.set(1, "master", "media/two.tif")
    assert [location(p) for p in check_catalogue(mini.root).errors] == [("C050", "items.csv", line, column)]


def test_a_damaged_master_behind_an_access_copy_is_only_copied_so_it_is_not_decoded(mini: MiniCatalogue) -> None:
    # The build shows the access copy and puts the master's bytes in the bag as they are.
    (mini.root / "media" / "one.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    assert check_catalogue(mini.root).ok


def test_a_decompression_bomb_is_C051_with_its_size_and_the_limit(mini: MiniCatalogue) -> None:
    bomb_png(mini.root / "media" / "bomb.png")
    line, column = mini.set(1, "master", "media/bomb.png")
    result = check_catalogue(mini.root)
    assert [location(p) for p in result.errors] == [("C051", "items.csv", line, column)]
    problem = result.errors[0]
    assert (problem.get("width"), problem.get("height")) == (50_000, 50_000)
    assert problem.get("limit") == f"{DEFAULT_MAX_PIXELS:,}"


def test_the_pixel_limit_is_configurable(mini: MiniCatalogue) -> None:
    Image.new("RGB", (100, 100)).save(mini.root / "media" / "two.png")
    mini.write()
    assert check_catalogue(mini.root, max_pixels=10_000).ok
    assert [p.code for p in check_catalogue(mini.root, max_pixels=9_999).errors] == ["C051"]


@pytest.mark.parametrize("damage", ["truncated", "garbage", "no pages"])
def test_a_pdf_whose_pages_cannot_be_read_is_C052(mini: MiniCatalogue, damage: str) -> None:
    pdf = mini.root / "media" / "doc.pdf"
    Image.new("RGB", (300, 200)).save(pdf, resolution=72.0)
    if damage == "truncated":
        truncate(pdf, 0.3)
    elif damage == "garbage":
        pdf.write_bytes(b"%PDF-1.4\n" + b"\x00garbage" * 50)
    else:
        pdf.write_bytes(b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
                        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
                        b"trailer<</Root 1 0 R>>\n%%EOF\n")
    line, column = mini.set(1, "master", "media/doc.pdf")
    assert [location(p) for p in check_catalogue(mini.root).errors] == [("C052", "items.csv", line, column)]


def test_a_good_pdf_and_every_image_shown_pass(mini: MiniCatalogue) -> None:
    Image.new("RGB", (300, 200)).save(mini.root / "media" / "doc.pdf", save_all=True,
                                      append_images=[Image.new("RGB", (200, 300))], resolution=72.0)
    mini.set(1, "master", "media/doc.pdf")
    assert check_catalogue(mini.root).ok


def test_a_file_named_twice_is_decoded_once_and_reported_at_both_cells(mini: MiniCatalogue) -> None:
    _big_jpeg(mini.root / "media" / "sub" / "three.jpg")
    truncate(mini.root / "media" / "sub" / "three.jpg")
    first = mini.cell(2, "master")
    second = mini.set(1, "master", "media/sub/three.jpg")
    found = [location(p) for p in check_catalogue(mini.root).errors]
    assert found == [("C050", "items.csv", *second), ("C050", "items.csv", *first)]


@pytest.mark.parametrize(("logo", "code"), [("../../../../etc/hostname", "C019"), ("media/nope.png", "C017"),
                                            ("media", "C027"), ("media/one.png", None),
                                            ("https://example.org/logo.png", None)])
def test_the_publishers_logo_is_a_media_path_like_any_other(mini: MiniCatalogue, logo: str, code: str | None) -> None:
    # The build copies a logo given as a path into OUT/iiif/media/_collection/: it must be a file inside.
    mini.toml = mini.toml.replace('name.en = "Hanoi Museum"\n', f'name.en = "Hanoi Museum"\nlogo = "{logo}"\n')
    mini.write()
    found = [location(p) for p in check_catalogue(mini.root).errors]
    assert found == ([] if code is None else [(code, "collection.toml", mini.toml_line("logo ="), None)])
