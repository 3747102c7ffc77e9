"""The Hanoi example's media: real files, made deterministically by ``scripts/make_example_media.py``."""

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "hanoi-1972"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_example_media", ROOT / "scripts" / "make_example_media.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _media_paths() -> list[str]:
    with (EXAMPLE / "items.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return [p for r in rows for col in ("master", "access") for p in r[col].split("|") if p]


def test_regenerated_media_are_byte_identical(tmp_path: Path) -> None:
    written = _script().write_media(EXAMPLE, tmp_path)
    assert len(written) == len(_media_paths())
    for path in written:
        rel = path.relative_to(tmp_path)
        assert path.read_bytes() == (EXAMPLE / rel).read_bytes(), f"{rel} differs from the committed file"


def test_every_media_file_in_the_catalogue_exists_and_opens() -> None:
    paths = _media_paths()
    assert len(paths) >= 60
    for rel in paths:
        path = EXAMPLE / rel
        assert path.is_file(), rel
        if path.suffix == ".pdf":
            continue
        with Image.open(path) as img:
            img.verify()


def test_masters_are_tiff_and_access_copies_jpeg() -> None:
    with (EXAMPLE / "items.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        masters = row["master"].split("|")
        access = [a for a in row["access"].split("|") if a]
        if access:
            assert len(access) == len(masters)
            assert all(m.endswith(".tif") for m in masters)
            assert all(a.endswith(".jpg") for a in access)
            for m, a in zip(masters, access, strict=True):
                with Image.open(EXAMPLE / m) as tif, Image.open(EXAMPLE / a) as jpg:
                    assert tif.format == "TIFF" and jpg.format == "JPEG"
                    assert tif.size == jpg.size


def test_some_images_need_more_than_one_tile_scale() -> None:
    sizes = set()
    for rel in _media_paths():
        if rel.endswith(".jpg"):
            with Image.open(EXAMPLE / rel) as img:
                sizes.add(img.size)
    assert len(sizes) >= 4
    assert any(max(s) > 1024 for s in sizes)


def test_pdfs_are_valid_one_page_documents() -> None:
    pypdf = pytest.importorskip("pypdf")
    pdfs = sorted(EXAMPLE.glob("media/*.pdf"))
    assert pdfs
    for path in pdfs:
        reader = pypdf.PdfReader(path, strict=True)
        assert len(reader.pages) == 1
        assert "HNM.1972." in reader.pages[0].extract_text()


def test_example_folder_is_under_5_mb() -> None:
    total = sum(p.stat().st_size for p in EXAMPLE.rglob("*") if p.is_file())
    assert total < 5_000_000
