from __future__ import annotations

import json

from PIL import Image

from heritage_ld.iiif import (
    build_manifest,
    dumps,
    order_keys,
    read_page_sizes,
    read_sizes,
    render_page,
)
from heritage_ld.iiif.manifest import NAVPLACE_CONTEXT, PRESENTATION_CONTEXT
from heritage_ld.model import Collection, UrlScheme


def _manifest(collection: Collection, urls: UrlScheme, accession: str, tiles: bool = True) -> dict:
    return build_manifest(collection.item(accession), collection, urls=urls, sizes=read_sizes(collection),
                          pages=read_page_sizes(collection), tiles=tiles)


def test_canvas_sizes_are_the_real_image_sizes(collection: Collection, urls: UrlScheme) -> None:
    assert collection.root is not None
    for item in collection.items:
        if not item.has_manifest:
            continue
        m = _manifest(collection, urls, item.accession)
        shown = [(media, None) for media in item.images]
        shown += [(pdf, page) for pdf in item.pdfs for page in (1, 2)]  # the test PDFs have two pages
        assert len(m["items"]) == len(shown)
        for canvas, (media, page) in zip(m["items"], shown, strict=True):
            if page is None:
                with Image.open(media.resolve(collection.root)) as im:
                    real = im.size
            else:
                real = render_page(media.resolve(collection.root), page).size
            body = canvas["items"][0]["items"][0]["body"]
            assert (canvas["width"], canvas["height"]) == real
            assert (body["width"], body["height"]) == real


def test_links_use_the_shared_iri_scheme(collection: Collection, urls: UrlScheme) -> None:
    m = _manifest(collection, urls, "HN.001")
    assert m["id"] == urls.manifest("HN.001")
    assert m["homepage"][0]["id"] == urls.page("HN.001")
    assert [s["id"] for s in m["seeAlso"]] == [urls.rdf_file("HN.001", "ttl"), urls.rdf_file("HN.001", "jsonld")]
    assert [s["format"] for s in m["seeAlso"]] == ["text/turtle", "application/ld+json"]
    assert all(s["profile"].startswith("http") for s in m["seeAlso"])
    assert m["partOf"] == [{"id": urls.iiif_collection(), "type": "Collection",
                            "label": {"en": ["Hanoi 1972 – Aspiration for Peace"],
                                      "vi": ["Hà Nội 1972 – Khát vọng hòa bình"]}}]
    values = [pair["value"] for pair in m["metadata"]]
    assert {"none": [urls.object("HN.001")]} in values
    body = m["items"][0]["items"][0]["items"][0]["body"]
    assert body["service"] == [{"id": urls.image_service("HN.001", 1), "type": "ImageService3", "profile": "level0"}]
    assert body["id"] == urls.image_service("HN.001", 1) + "/full/max/0/default.jpg"
    assert body["format"] == "image/jpeg"


def test_language_maps_rights_credit_provider(collection: Collection, urls: UrlScheme) -> None:
    m = _manifest(collection, urls, "HN.001")
    assert m["label"] == {"en": ["Children on Kham Thien Street"], "vi": ["Trẻ em trên phố Khâm Thiên"]}
    assert m["summary"] == {"en": ["After the bombing of 26 December 1972."]}
    assert m["rights"] == "http://rightsstatements.org/vocab/InC-EDU/1.0/"
    assert m["requiredStatement"]["value"] == {"en": ["Photo: Hanoi Museum"], "vi": ["Ảnh: Bảo tàng Hà Nội"]}
    assert set(m["requiredStatement"]["label"]) == {"en", "vi"}
    provider = m["provider"][0]
    assert provider["type"] == "Agent" and provider["id"] == urls.agent("hanoi-museum")
    assert provider["homepage"][0]["id"] == "https://baotanghanoi.com.vn/"
    assert provider["logo"][0]["id"] == f"{urls.base_url}/iiif/media/_collection/logo.png"
    assert provider["logo"][0]["format"] == "image/png"
    creator = next(p for p in m["metadata"] if p["label"]["en"] == ["Creator"])
    assert creator["label"]["vi"] == ["Tác giả"]
    assert creator["value"] == {"vi": ["Đoàn Công Tính (nhiếp ảnh gia)"]}  # the role in the language of the name


def test_nav_date_and_nav_place(collection: Collection, urls: UrlScheme) -> None:
    m = _manifest(collection, urls, "HN.001")
    assert m["navDate"] == "1972-12-27T00:00:00Z"
    assert m["@context"] == [NAVPLACE_CONTEXT, PRESENTATION_CONTEXT]
    features = m["navPlace"]["features"]
    assert m["navPlace"]["type"] == "FeatureCollection"
    assert len(features) == 1  # Hanoi has no coordinates
    assert features[0]["geometry"] == {"type": "Point", "coordinates": [105.8372, 21.0191]}
    interval = _manifest(collection, urls, "HN.002")
    assert interval["navDate"] == "1972-12-18T00:00:00Z"
    assert interval["@context"] == PRESENTATION_CONTEXT and "navPlace" not in interval
    assert _manifest(collection, urls, "HN.005")["navDate"] == "1973-01-01T00:00:00Z"


def test_document_is_paged_with_pdf_rendering(collection: Collection, urls: UrlScheme) -> None:
    m = _manifest(collection, urls, "HN.003")
    assert m["behavior"] == ["paged"] and m["viewingDirection"] == "left-to-right"
    assert m["rendering"] == [{"id": f"{urls.base_url}/iiif/media/HN.003/HN.003.pdf", "type": "Text",
                               "label": {"none": ["HN.003.pdf"]}, "format": "application/pdf"}]
    # two images, then the two pages of the PDF
    assert [c["id"] for c in m["items"]] == [f"{urls.base_url}/iiif/HN.003/canvas/{n}" for n in (1, 2, 3, 4)]
    assert [c["label"] for c in m["items"]] == [{"none": ["1"]}, {"none": ["2"]},
                                                {"en": ["p. 1"], "vi": ["tr. 1"]}, {"en": ["p. 2"], "vi": ["tr. 2"]}]
    single = _manifest(collection, urls, "HN.001")
    assert "behavior" not in single and "viewingDirection" not in single


def test_access_copy_is_shown_not_the_tiff_master(collection: Collection, urls: UrlScheme) -> None:
    m = _manifest(collection, urls, "HN.002", tiles=False)
    body = m["items"][0]["items"][0]["items"][0]["body"]
    assert body["id"].endswith("/iiif/media/HN.002/HN.002.jpg") and body["format"] == "image/jpeg"
    assert "service" not in body


def test_hostile_label_is_exact_and_html_values_are_escaped(collection: Collection, urls: UrlScheme,
                                                            hostile: str) -> None:
    m = _manifest(collection, urls, "HN.002")
    data = dumps(m)
    back = json.loads(data)
    assert back["label"] == {"en": [hostile]}
    assert back["summary"] == {"en": ["<span>&lt;b&gt;bold&lt;/b&gt;</span>"]}
    assert b"<script>" in data and "\u200f".encode() in data  # raw, not mangled


def test_builders_emit_keys_in_table_order(collection: Collection, urls: UrlScheme) -> None:
    m = _manifest(collection, urls, "HN.001")
    assert json.dumps(order_keys(m)) == json.dumps(m)
    assert dumps(m, ordered=True) == dumps(m)


def test_item_without_image_has_no_manifest(collection: Collection, urls: UrlScheme) -> None:
    item = collection.item("HN.004")
    assert not item.has_manifest
    try:
        build_manifest(item, collection, urls=urls)
    except ValueError as exc:
        assert "HN.004" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected ValueError")
