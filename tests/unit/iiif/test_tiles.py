from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from heritage_ld.errors import FormatError
from heritage_ld.iiif import Pyramid, available_backends, write_tiles
from heritage_ld.model import Collection

BACKENDS = [pytest.param(b, marks=pytest.mark.skipif(b not in available_backends(), reason=f"{b} not installed"))
            for b in ("pillow", "pyvips")]


def _declared(info: dict) -> set[tuple[str, int, int]]:
    """Every (path, width, height) an info.json declares, from the info.json alone (not from Pyramid)."""
    w, h = info["width"], info["height"]
    out = {("full/max/0/default.jpg", w, h)}
    for s in info["sizes"]:
        path = "full/max" if (s["width"], s["height"]) == (w, h) else f"full/{s['width']},{s['height']}"
        out.add((f"{path}/0/default.jpg", s["width"], s["height"]))
    for spec in info["tiles"]:
        tw = spec["width"]
        th = spec.get("height", tw)
        for scale in spec["scaleFactors"]:
            for y in range(0, h, th * scale):
                for x in range(0, w, tw * scale):
                    rw, rh = min(tw * scale, w - x), min(th * scale, h - y)
                    ow, oh = -(-rw // scale), -(-rh // scale)
                    if (x, y, rw, rh) == (0, 0, w, h):
                        size = "max" if (ow, oh) == (w, h) else f"{ow},{oh}"
                        out.add((f"full/{size}/0/default.jpg", ow, oh))
                    else:
                        out.add((f"{x},{y},{rw},{rh}/{ow},{oh}/0/default.jpg", ow, oh))
    return out


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", ["HN.001.jpg", "HN.002.tif", "HN.003-1.png", "HN.003-2.png", "HN.005.jpg"])
def test_every_declared_tile_and_size_exists_with_its_pixel_size(
    collection: Collection, tmp_path: Path, backend: str, name: str
) -> None:
    assert collection.root is not None
    source = collection.root / "media" / name
    out = tmp_path / "svc"
    result = write_tiles(source, out, "https://example.org/iiif/image/x-1", backend=backend)
    info = json.loads((out / "info.json").read_text("utf-8"))
    with Image.open(source) as im:
        assert (info["width"], info["height"]) == im.size
    declared = _declared(info)
    files = {str(p.relative_to(out)) for p in out.rglob("*.jpg")}
    assert files == {d[0] for d in declared}
    assert result.files == len(files) + 1
    for path, w, h in declared:
        with Image.open(out / path) as tile:
            assert tile.format == "JPEG"
            assert tile.size == (w, h), path
    assert info["id"] == "https://example.org/iiif/image/x-1"
    assert not (tmp_path / "svc.part").exists()


def test_output_is_deterministic(collection: Collection, tmp_path: Path) -> None:
    assert collection.root is not None
    source = collection.root / "media" / "HN.002.tif"
    a = write_tiles(source, tmp_path / "a", "https://example.org/s").directory
    b = write_tiles(source, tmp_path / "b", "https://example.org/s").directory
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert all((a / f).read_bytes() == (b / f).read_bytes() for f in files)


def test_jpeg_full_max_is_a_copy_and_tiff_is_converted(collection: Collection, tmp_path: Path) -> None:
    assert collection.root is not None
    jpg = collection.root / "media" / "HN.005.jpg"
    out = write_tiles(jpg, tmp_path / "j", "https://example.org/j").directory
    assert (out / "full/max/0/default.jpg").read_bytes() == jpg.read_bytes()
    tif = write_tiles(collection.root / "media" / "HN.002.tif", tmp_path / "t", "https://example.org/t").directory
    with Image.open(tif / "full/max/0/default.jpg") as im:
        assert im.mode == "L" and im.getextrema()[1] > 200  # 16-bit range mapped to 8 bits, not clipped to black


def test_rewrite_replaces_the_folder(collection: Collection, tmp_path: Path) -> None:
    assert collection.root is not None
    out = tmp_path / "svc"
    (out / "stale").mkdir(parents=True)
    write_tiles(collection.root / "media" / "HN.003-2.png", out, "https://example.org/s", workers=2)
    assert not (out / "stale").exists() and (out / "info.json").is_file()


def test_unreadable_image_is_a_format_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"not an image")
    with pytest.raises(FormatError, match="I003"):
        write_tiles(bad, tmp_path / "o", "https://example.org/s")
    assert not (tmp_path / "o").exists()


def test_pyramid_agrees_with_declared_paths() -> None:
    info = Pyramid(1201, 803).info("https://example.org/s")
    assert {d[0] for d in _declared(info)} == set(Pyramid(1201, 803).paths())


def _sideways_jpeg(path: Path, orientation: int) -> None:
    """A 600×400 JPEG stored on its side: left half red, right half blue, with an EXIF orientation."""
    im = Image.new("RGB", (600, 400), (0, 0, 255))
    im.paste((255, 0, 0), (0, 0, 300, 400))
    exif = im.getexif()
    exif[0x0112] = orientation
    im.save(path, "JPEG", quality=95, exif=exif.tobytes())


@pytest.mark.parametrize("backend", BACKENDS)
def test_exif_orientation_is_applied_to_sizes_and_tiles(backend: str, tmp_path: Path) -> None:
    from heritage_ld.iiif import image_size

    source = tmp_path / "camera.jpg"
    _sideways_jpeg(source, 6)  # 6: turn 90° clockwise to view, so the stored left (red) edge comes on top
    assert image_size(source) == (400, 600)
    result = write_tiles(source, tmp_path / "svc", "https://example.org/iiif/image/c-1", backend=backend)
    assert (result.width, result.height) == (400, 600)
    info = json.loads((tmp_path / "svc" / "info.json").read_text())
    assert (info["width"], info["height"]) == (400, 600)
    full = tmp_path / "svc" / "full" / "max" / "0" / "default.jpg"
    assert full.read_bytes() != source.read_bytes()  # turned and re-encoded, not the stored bytes
    with Image.open(full) as im:
        assert im.size == (400, 600)
        top, bottom = im.convert("RGB").getpixel((200, 50)), im.convert("RGB").getpixel((200, 550))
    assert top[0] > 200 and top[2] < 60  # red
    assert bottom[2] > 200 and bottom[0] < 60  # blue
    for path, w, h in _declared(info):
        with Image.open(tmp_path / "svc" / path) as tile:
            assert tile.size == (w, h), path


def test_orientation_without_a_quarter_turn_keeps_the_size_but_turns_the_pixels(tmp_path: Path) -> None:
    source = tmp_path / "upside-down.jpg"
    _sideways_jpeg(source, 3)  # 3: rotated 180°, so red ends up on the right
    result = write_tiles(source, tmp_path / "svc", "https://example.org/iiif/image/u-1", backend="pillow")
    assert (result.width, result.height) == (600, 400)
    with Image.open(tmp_path / "svc" / "full" / "max" / "0" / "default.jpg") as im:
        rgb = im.convert("RGB")
        assert rgb.getpixel((550, 200))[0] > 200 and rgb.getpixel((50, 200))[2] > 200
