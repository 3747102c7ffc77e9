"""``heritage-ld iiif`` on the Hanoi 1972 example: manifests, collection, exhibition ranges and tiles on disk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from heritage_ld.catalogue import read_catalogue
from heritage_ld.cli import app
from heritage_ld.iiif import Pyramid, load, page_sizes
from heritage_ld.model import UrlScheme

BASE = "https://example.org/hanoi-1972"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, example_dir: Path) -> Path:
    out = tmp_path_factory.mktemp("iiif-out")
    result = CliRunner().invoke(app, ["iiif", str(example_dir), "-o", str(out), "--base-url", BASE, "-q"])
    assert result.exit_code == 0, result.output
    return out


def test_every_item_with_an_image_or_a_pdf_has_a_manifest_with_real_canvas_sizes(
    built: Path, example_dir: Path
) -> None:
    collection = read_catalogue(example_dir)
    urls = UrlScheme(BASE)
    shown = [i for i in collection.items if i.has_manifest]
    assert len(shown) == 36
    assert {"HNM.1972.007", "HNM.1972.032"} <= {i.accession for i in shown}  # archive documents: PDFs only
    for item in shown:
        record = load(built / urls.path(urls.manifest(item.accession)))
        real = []
        for media in item.images:
            with Image.open(example_dir / media.path) as im:
                real.append(im.size)
        for pdf in item.pdfs:  # then a canvas per page, at the size it is rendered
            real.extend(page_sizes(example_dir / pdf.path))
        assert [(c.width, c.height) for c in record.canvases] == real
        for n, canvas in enumerate(record.canvases, start=1):  # every canvas is tiled
            info = json.loads((built / urls.path(urls.image_service(item.accession, n)) / "info.json").read_bytes())
            assert (info["width"], info["height"]) == (canvas.width, canvas.height)
    for item in shown:
        for doc in item.documents:  # PDFs of the items with a manifest are published for ``rendering``
            assert (built / "iiif" / "media" / item.accession / doc.path.name).is_file()


def test_exhibition_ranges_follow_the_sections(built: Path, example_dir: Path) -> None:
    collection = read_catalogue(example_dir)
    doc = json.loads((built / "iiif" / "exhibition.json").read_text("utf-8"))
    assert [r["label"]["en"][0] for r in doc["structures"]] == ["The Silence Moment", "Confront", "Peace"]
    for section, rng in zip(collection.sections, doc["structures"], strict=True):
        accessions = [c["id"].split("/iiif/")[1].split("/canvas/")[0] for c in rng["items"]]
        expected = [i.accession for i in collection.items_in(section) if i.has_manifest
                    for _ in (*i.images, *(p for pdf in i.pdfs for p in page_sizes(example_dir / pdf.path)))]
        assert accessions == expected
    listed = json.loads((built / "iiif" / "collection.json").read_text("utf-8"))["items"]
    assert len(listed) == sum(1 for i in collection.items if i.has_manifest) == 36


def test_declared_tiles_exist_with_their_size_on_a_sample(built: Path) -> None:
    services = sorted((built / "iiif" / "image").iterdir())
    assert services and not any(s.name.endswith((".part", ".old")) for s in services)
    for service in services[:: max(1, len(services) // 4)]:
        info = json.loads((service / "info.json").read_text("utf-8"))
        assert info["id"] == f"{BASE}/iiif/image/{service.name}"
        pyramid = Pyramid(info["width"], info["height"])
        assert info["tiles"][0]["scaleFactors"] == list(pyramid.scale_factors)
        for tile in pyramid.tiles():
            with Image.open(service / tile.path) as im:
                assert im.size == (tile.out_w, tile.out_h)
        for w, h in pyramid.sizes:
            with Image.open(service / pyramid.size_path(w, h)) as im:
                assert im.size == (w, h)


def test_rebuild_is_byte_identical_and_skips_tiling(built: Path, example_dir: Path, tmp_path: Path) -> None:
    before = {p: p.read_bytes() for p in (built / "iiif").rglob("*.json")}
    result = CliRunner().invoke(app, ["iiif", str(example_dir), "-o", str(built), "--base-url", BASE])
    assert result.exit_code == 0, result.output
    summary = " ".join(result.output.split())
    assert "36 manifests (0 written, 36 unchanged)" in summary and "tiled" not in summary  # the ledger: nothing redone
    assert "no manifest" not in summary
    assert {p: p.read_bytes() for p in (built / "iiif").rglob("*.json")} == before


def test_no_tiles_publishes_the_images(example_dir: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["iiif", str(example_dir), "-o", str(tmp_path), "--base-url", BASE,
                                      "--no-tiles", "-q"])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "iiif" / "image").exists()
    manifest = next((tmp_path / "iiif").glob("*/manifest.json"))
    body = json.loads(manifest.read_text("utf-8"))["items"][0]["items"][0]["items"][0]["body"]
    assert "service" not in body
    assert (tmp_path / UrlScheme(BASE).path(body["id"])).is_file()


def test_bad_catalogue_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["iiif", str(tmp_path / "missing"), "-o", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
