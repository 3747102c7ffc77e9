"""One coherent API (issue 13, item 1): defaults from the collection, and one item's bag as the build makes it."""

from __future__ import annotations

import dataclasses
from pathlib import Path, PurePosixPath

import pytest

import heritage_ld
from heritage_ld import iiif, rdf
from heritage_ld.bags import validate_bag
from heritage_ld.formats import TURTLE
from heritage_ld.model import Collection, Item, ItemKind, MediaFile, MultilingualText, UrlScheme

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "hanoi-1972"


@pytest.fixture(scope="module")
def hanoi() -> Collection:
    return heritage_ld.read_catalogue(EXAMPLE)


def test_build_manifest_takes_urls_and_sizes_from_the_collection(hanoi: Collection) -> None:
    item = hanoi.item("HNM.1972.025")
    assert item.images[0].width is None  # the catalogue gives no size: it is read from the file under root
    manifest = iiif.build_manifest(item, hanoi)
    urls = UrlScheme(hanoi.base_url)
    sizes = iiif.read_sizes(dataclasses.replace(hanoi, items=(item,)))
    assert manifest == iiif.build_manifest(item, hanoi, urls=urls, sizes=sizes)
    assert manifest["id"] == urls.manifest("HNM.1972.025")
    assert (manifest["items"][0]["width"], manifest["items"][0]["height"]) == sizes[item.images[0].path]


def test_build_manifest_of_a_pdf_reads_its_pages_from_the_root(hanoi: Collection) -> None:
    item = next(i for i in hanoi.items if i.pdfs)
    manifest = iiif.build_manifest(item, hanoi)
    assert len(manifest["items"]) == len(iiif.read_page_sizes(dataclasses.replace(hanoi, items=(item,)))[
        item.pdfs[0].path])


def test_without_a_root_a_missing_size_is_still_i003() -> None:
    item = Item("A.1", ItemKind.PHOTOGRAPH, MultilingualText.of(en="A"), media=(MediaFile(PurePosixPath("m/a.jpg")),))
    c = Collection("c", MultilingualText.of(en="C"), "https://example.org/c", items=(item,))
    with pytest.raises(heritage_ld.FormatError, match="I003"):
        iiif.build_manifest(item, c)


def test_collection_rights_and_credit_line_reach_every_output_alike() -> None:
    item = Item("A.1", ItemKind.PHOTOGRAPH, MultilingualText.of(en="A"),
                media=(MediaFile(PurePosixPath("m/a.jpg"), width=10, height=10),))
    rights = "http://rightsstatements.org/vocab/InC/1.0/"
    c = Collection("c", MultilingualText.of(en="C"), "https://example.org/c", items=(item,), rights=rights,
                   credit_line=MultilingualText.of(en="Hanoi Museum"))
    manifest = iiif.build_manifest(item, c)
    assert manifest["rights"] == rights and manifest["requiredStatement"]["value"] == {"en": ["Hanoi Museum"]}
    ttl = rdf.item_document(item, c, TURTLE).decode()
    assert rights in ttl and "Hanoi Museum" in ttl
    assert [p for p in rdf.validate(rdf.item_graph(item, c)) if p.code == "R005"] == []


def test_bag_item_makes_the_bag_the_build_makes(hanoi: Collection, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "86400")
    one = dataclasses.replace(hanoi, items=(hanoi.item("HNM.1972.025"),))
    out = tmp_path / "out"
    heritage_ld.build(one, out, only=["rdf", "iiif", "bags"], executor="serial", ledger=False)
    built = out / "bags" / "HNM.1972.025"
    mine = tmp_path / "mine"
    report = heritage_ld.bag_item(one.items[0], one, mine)
    assert report.files == 3 and validate_bag(mine).valid  # the two media files and the RO-Crate

    def files(bag: Path) -> dict[str, bytes]:
        return {p.relative_to(bag).as_posix(): p.read_bytes() for p in sorted(bag.rglob("*")) if p.is_file()}

    assert files(mine) == files(built)
    assert {"data/media/HNM.1972.025.tif", "data/media/HNM.1972.025.jpg", "metadata/item.ttl",
            "metadata/item.jsonld", "metadata/manifest.json"} <= set(files(mine))


def test_item_files_are_the_builds_files(hanoi: Collection, tmp_path: Path) -> None:
    one = dataclasses.replace(hanoi, items=(hanoi.item("HNM.1972.025"),))
    heritage_ld.build(one, tmp_path, only=["rdf", "iiif"], executor="serial", ledger=False)
    for path, data in heritage_ld.item_files(one.items[0], one).items():
        assert (tmp_path / path).read_bytes() == data, path


def test_bag_item_needs_the_root_for_media(tmp_path: Path) -> None:
    item = Item("A.1", ItemKind.PHOTOGRAPH, MultilingualText.of(en="A"),
                media=(MediaFile(PurePosixPath("m/a.jpg"), width=10, height=10),))
    c = Collection("c", MultilingualText.of(en="C"), "https://example.org/c", items=(item,))
    with pytest.raises(heritage_ld.UsageError, match="root"):
        heritage_ld.bag_item(item, c, tmp_path / "bag")
    assert not (tmp_path / "bag").exists()
