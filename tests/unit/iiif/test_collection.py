from __future__ import annotations

from heritage_ld.iiif import (
    build_collection,
    build_exhibition_manifest,
    read_page_sizes,
    read_sizes,
    views,
)
from heritage_ld.model import Collection, UrlScheme


def test_collection_lists_item_manifests_in_catalogue_order(collection: Collection, urls: UrlScheme) -> None:
    doc = build_collection(collection, urls=urls, sizes=read_sizes(collection),
                           pages=read_page_sizes(collection))
    assert doc["type"] == "Collection" and doc["id"] == urls.iiif_collection()
    expected = [urls.manifest(i.accession) for i in collection.items if i.has_manifest]
    assert [m["id"] for m in doc["items"]] == expected
    assert urls.manifest("HN.004") not in expected  # no image or PDF, no manifest
    assert urls.manifest("HN.006") in expected  # a PDF only: its pages
    assert all(m["type"] == "Manifest" and m["thumbnail"] for m in doc["items"])


def test_exhibition_ranges_list_exactly_the_section_items_in_catalogue_order(
    collection: Collection, urls: UrlScheme
) -> None:
    sizes, pages = read_sizes(collection), read_page_sizes(collection)
    doc = build_exhibition_manifest(collection, urls=urls, sizes=sizes, pages=pages)
    ranges = doc["structures"]
    assert [r["label"]["en"] for r in ranges] == [["The Silence Moment"], ["Confront"], ["Peace"]]
    canvas_ids = {c["id"] for c in doc["items"]}
    for section, rng in zip(collection.sections, ranges, strict=True):
        expected = [
            f"{urls.base_url}/iiif/{item.accession}/canvas/{n}"
            for item in collection.items_in(section) if item.has_manifest
            for n in range(1, len(views(item, sizes=sizes, pages=pages)) + 1)
        ]
        assert [c["id"] for c in rng["items"]] == expected
        assert all(c["type"] == "Canvas" and c["id"] in canvas_ids for c in rng["items"])
    assert ranges[0]["items"][0]["id"].endswith("/HN.001/canvas/1")
    assert [c["id"].split("/iiif/")[1] for c in ranges[0]["items"]] == [
        "HN.001/canvas/1", "HN.003/canvas/1", "HN.003/canvas/2", "HN.003/canvas/3", "HN.003/canvas/4"]
    assert [c["id"].split("/iiif/")[1] for c in ranges[1]["items"]] == [
        "HN.002/canvas/1", "HN.006/canvas/1", "HN.006/canvas/2"]


def test_exhibition_canvases_follow_catalogue_order(collection: Collection, urls: UrlScheme) -> None:
    doc = build_exhibition_manifest(collection, urls=urls, sizes=read_sizes(collection),
                                    pages=read_page_sizes(collection))
    order = [c["id"].split("/iiif/")[1].split("/")[0] for c in doc["items"]]
    assert order == ["HN.001", "HN.002", "HN.003", "HN.003", "HN.003", "HN.003", "HN.005", "HN.006", "HN.006"]
