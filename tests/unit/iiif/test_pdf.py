"""PDF documents: a Canvas per page, each page rendered once and tiled like an image.

The PDFs are written by Pillow's PDF writer in ``conftest.py`` (two pages each, ``w`` × ``h`` points).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path, PurePosixPath

import pypdfium2
import pytest
from PIL import Image

from heritage_ld.errors import FormatError
from heritage_ld.iiif import (
    Pyramid,
    build_manifest,
    page_sizes,
    read_page_sizes,
    read_sizes,
    render_page,
    write_tiles,
)
from heritage_ld.iiif.pdf import LONG_SIDE
from heritage_ld.model import Collection, Item, ItemKind, MediaFile, MultilingualText, UrlScheme
from heritage_ld.pipeline import BuildOptions, build

#: HN.006.pdf has an A4 portrait page then an A4 landscape page (595 × 842 points).
NOTICE_PAGES = ((1414, 2000), (2000, 1414))


def _manifest(collection: Collection, urls: UrlScheme, accession: str, tiles: bool = True) -> dict:
    return build_manifest(collection.item(accession), collection, urls=urls, sizes=read_sizes(collection),
                          pages=read_page_sizes(collection), tiles=tiles)


def _body(canvas: dict) -> dict:
    return canvas["items"][0]["items"][0]["body"]


def test_a_pdf_only_document_has_a_manifest_with_a_canvas_per_page(collection: Collection, urls: UrlScheme) -> None:
    item = collection.item("HN.006")
    assert item.has_manifest and item.has_manifest and not item.images
    m = _manifest(collection, urls, "HN.006")
    assert [(c["width"], c["height"]) for c in m["items"]] == list(NOTICE_PAGES)
    assert [c["label"] for c in m["items"]] == [{"en": ["p. 1"], "vi": ["tr. 1"]}, {"en": ["p. 2"], "vi": ["tr. 2"]}]
    for n, canvas in enumerate(m["items"], start=1):
        body = _body(canvas)
        assert body["service"][0]["id"] == urls.image_service("HN.006", n)
        assert (body["width"], body["height"]) == (canvas["width"], canvas["height"])
    assert m["rendering"] == [{"id": f"{urls.base_url}/iiif/media/HN.006/HN.006.pdf", "type": "Text",
                               "label": {"none": ["HN.006.pdf"]}, "format": "application/pdf"}]
    assert m["thumbnail"][0]["service"][0]["id"] == urls.image_service("HN.006", 1)
    assert m["behavior"] == ["paged"]


def test_pages_come_after_the_images_and_continue_their_numbering(collection: Collection, urls: UrlScheme) -> None:
    m = _manifest(collection, urls, "HN.003")
    services = [_body(c)["service"][0]["id"] for c in m["items"]]
    assert services == [urls.image_service("HN.003", n) for n in (1, 2, 3, 4)]
    # 420 × 595 points: the long side is LONG_SIDE pixels, the other ⌈420 · 2000 / 595⌉
    assert [(c["width"], c["height"]) for c in m["items"][2:]] == [(1412, 2000), (2000, 1412)]


def test_sizes_are_the_rendered_sizes(collection: Collection) -> None:
    assert collection.root is not None
    pdf = collection.root / "media" / "HN.006.pdf"
    assert page_sizes(pdf) == NOTICE_PAGES
    for n, size in enumerate(NOTICE_PAGES, start=1):
        page = render_page(pdf, n)
        assert page.size == size and page.mode == "RGB" and max(size) == LONG_SIDE


def test_page_sizes_are_read_without_rendering(collection: Collection, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_render(*args: object, **kwargs: object) -> None:
        raise AssertionError("a page was rendered")

    monkeypatch.setattr(pypdfium2.PdfPage, "render", no_render)
    assert read_page_sizes(collection)[PurePosixPath("media/HN.006.pdf")] == NOTICE_PAGES


def test_page_tiles_exist_with_their_declared_sizes_and_are_deterministic(
    collection: Collection, tmp_path: Path
) -> None:
    assert collection.root is not None
    pdf = collection.root / "media" / "HN.006.pdf"
    runs = []
    for run in ("a", "b"):
        out = write_tiles(render_page(pdf, 2), tmp_path / run, "https://example.org/iiif/image/HN.006-2").directory
        runs.append({str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()})
    assert runs[0] == runs[1]  # byte-identical: rendering and JPEG encoding are deterministic
    info = json.loads(runs[0]["info.json"])
    assert (info["width"], info["height"]) == NOTICE_PAGES[1]
    pyramid = Pyramid(*NOTICE_PAGES[1])
    assert set(runs[0]) == {*pyramid.paths(), "info.json"}
    for tile in pyramid.tiles():
        with Image.open(tmp_path / "a" / tile.path) as im:
            assert im.size == (tile.out_w, tile.out_h)
    for w, h in pyramid.sizes:
        with Image.open(tmp_path / "a" / pyramid.size_path(w, h)) as im:
            assert im.size == (w, h)


def test_build_tiles_every_page_and_twice_gives_the_same_bytes(collection: Collection, tmp_path: Path) -> None:
    urls = UrlScheme(collection.base_url)
    trees = []
    for run in ("a", "b"):
        report = build(collection, tmp_path / run, only=["iiif"], executor="threads", jobs=2)
        assert "PDF pages" in report.results["iiif"].summary
        root = tmp_path / run / "iiif"
        trees.append({str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*")
                      if p.is_file() and "activity" not in p.parts})  # the change stream is dated by history
    assert trees[0] == trees[1]
    for n, size in enumerate(NOTICE_PAGES, start=1):
        info = json.loads(trees[0][f"image/HN.006-{n}/info.json"])
        assert info["id"] == urls.image_service("HN.006", n) and (info["width"], info["height"]) == size
    assert "HN.006/manifest.json" in trees[0] and "media/HN.006/HN.006.pdf" in trees[0]


def test_without_tiles_each_page_is_one_published_jpeg(collection: Collection, urls: UrlScheme,
                                                       tmp_path: Path) -> None:
    m = _manifest(collection, urls, "HN.006", tiles=False)
    body = _body(m["items"][1])
    assert body["id"] == f"{urls.base_url}/iiif/media/HN.006/HN.006-p2.jpg" and "service" not in body
    build(collection, tmp_path, only=["iiif"], options=BuildOptions(tiles=False), executor="serial")
    with Image.open(tmp_path / urls.path(body["id"])) as im:
        assert im.format == "JPEG" and im.size == (body["width"], body["height"])


def test_a_pdf_that_cannot_be_opened_is_problem_i003(collection: Collection, tmp_path: Path) -> None:
    bad = tmp_path / "media" / "bad.pdf"
    bad.parent.mkdir()
    bad.write_bytes(b"%PDF-1.4\n%%EOF\n")
    with pytest.raises(FormatError, match=r"I003.*bad\.pdf"):
        page_sizes(bad)
    with pytest.raises(FormatError, match="I003"):
        render_page(bad, 1)
    assert collection.root is not None
    with pytest.raises(FormatError, match=r"I003.*no page 3"):
        render_page(collection.root / "media" / "HN.006.pdf", 3)
    item = Item("HN.9", ItemKind.DOCUMENT, MultilingualText.of(en="Bad"),
                media=(MediaFile(PurePosixPath("media/bad.pdf")),))
    broken = dataclasses.replace(collection, items=(item,), root=tmp_path)
    with pytest.raises(FormatError, match="I003"):
        read_page_sizes(broken)
    with pytest.raises(FormatError, match="I003"):  # no page sizes given and no folder to read them from
        build_manifest(item, broken, urls=UrlScheme(broken.base_url))
