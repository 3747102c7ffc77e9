"""The static site: escaping, relative links, languages, pictures from IIIF or Pillow, JSON-LD, sitemap."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from lxml import etree, html

from heritage_ld.model import Collection, UrlScheme
from heritage_ld.publish.site import escape_json_for_script, relative, write_site

from .conftest import make_collection, write_media


def page(out: Path, path: str) -> html.HtmlElement:
    return html.fromstring((out / path).read_bytes())


def test_catalogue_values_are_escaped_everywhere(tmp_path: Path, urls: UrlScheme) -> None:
    c = make_collection(tmp_path / "cat", evil_title=True)
    write_media(tmp_path / "cat", c)
    write_site(c, tmp_path / "out", urls)
    for path in ("site/object/HNM.1972.005.html", "site/section/peace.html", "site/index.html"):
        text = (tmp_path / "out" / path).read_text()
        assert "<script>window" not in text and "<b>Hà Nội" not in text
        assert "&lt;script&gt;window.__xss = 1&lt;/script&gt;" in text
    doc = page(tmp_path / "out", "site/object/HNM.1972.005.html")
    scripts = doc.xpath("//script[@type='application/ld+json']")
    assert len(scripts) == 1
    data = json.loads(scripts[0].text)  # parses back to the original value
    assert "<script>window.__xss = 1</script>Map & plan" in json.dumps(data, ensure_ascii=False)
    assert "</" not in scripts[0].text


def test_links_are_relative_and_resolve_to_files(collection: Collection, out: Path, urls: UrlScheme) -> None:
    write_site(collection, out, urls)
    for path in ("site/index.html", "site/section/silence.html", "site/object/HNM.1972.001.html"):
        doc = page(out, path)
        for ref in doc.xpath("//a/@href | //img/@src | //script/@src | //link/@href"):
            if ref.startswith(("http://", "https://", "?", "#", "geo:")):
                continue
            target = (out / path).parent / unquote(ref.split("?")[0])
            assert target.exists(), f"{path}: {ref} does not exist"
    doc = page(out, "site/object/HNM.1972.001.html")
    links = doc.xpath("//ul[@class='links']//a/@href")
    assert "../../iiif/HNM.1972.001/manifest.json" in links
    assert "../../rdf/object/HNM.1972.001.ttl" in links and "../../rdf/object/HNM.1972.001.jsonld" in links
    assert json.loads(doc.get_element_by_id("viewer").get("data-tiles")) == [
        "../../iiif/image/HNM.1972.001-1/info.json"]


def test_no_page_loads_anything_from_outside(collection: Collection, out: Path, urls: UrlScheme) -> None:
    write_site(collection, out, urls)
    for path in (out / "site").rglob("*.html"):
        doc = html.fromstring(path.read_bytes())
        for ref in doc.xpath("//img/@src | //script/@src | //link[@rel='stylesheet']/@href | //iframe/@src"):
            assert not re.match(r"^(https?:)?//", ref), f"{path} loads {ref}"


def test_every_value_is_given_in_both_languages_with_lang_attributes(
    collection: Collection, out: Path, urls: UrlScheme
) -> None:
    write_site(collection, out, urls)
    doc = page(out, "site/object/HNM.1972.001.html")
    assert doc.get("lang") == "vi"
    h1 = doc.xpath("//h1//*[@lang]")
    assert {e.get("lang"): e.text for e in h1} == {
        "vi": "Phố Khâm Thiên sau trận bom", "en": "Kham Thien Street after the bombing"}
    assert doc.xpath("//a[@data-set-lang]/@href") == ["?lang=vi", "?lang=en"]
    assert doc.xpath("//img/@alt")  # the preview has alt text from the title


def test_home_has_the_sections_in_order_with_thumbnails(collection: Collection, out: Path, urls: UrlScheme) -> None:
    write_site(collection, out, urls)
    doc = page(out, "site/index.html")
    assert [s.get("id") for s in doc.xpath("//section[@class='section']")] == [
        "section-silence", "section-confront", "section-peace"]
    thumbs = doc.xpath("//li[@class='card']//img/@src")
    assert thumbs[0] == "../iiif/image/HNM.1972.001-1/full/300,200/0/default.jpg"  # a pre-rendered IIIF size
    assert len(thumbs) == 5


def test_thumbnails_are_made_with_pillow_without_iiif(collection: Collection, tmp_path: Path,
                                                      urls: UrlScheme) -> None:
    from PIL import Image

    out = tmp_path / "bare"
    paths = write_site(collection, out, urls)
    assert "site/thumbs/HNM.1972.001.jpg" in paths
    with Image.open(out / "site/thumbs/HNM.1972.001.jpg") as im:
        assert im.size == (320, 213)
    doc = page(out, "site/object/HNM.1972.001.html")
    assert not doc.xpath("//*[@id='viewer']") and doc.xpath("//figure[@class='still']/img")
    assert not doc.xpath("//ul[@class='links']//a[contains(@href, 'manifest')]")  # nothing links to missing files


def test_sitemap_and_robots(collection: Collection, out: Path, urls: UrlScheme) -> None:
    write_site(collection, out, urls)
    tree = etree.parse(str(out / "site/sitemap.xml"))
    locs = tree.xpath("//s:loc/text()", namespaces={"s": "http://www.sitemaps.org/schemas/sitemap/0.9"})
    assert urls.home_page() in locs and urls.page("HNM.1972.005") in locs
    assert f"{urls.base_url}/rdf/dataset.nt.gz" in locs
    assert (out / "site/robots.txt").read_text().endswith(f"Sitemap: {urls.base_url}/site/sitemap.xml\n")
    assert (out / "site/vendor/openseadragon/openseadragon.min.js").is_file()
    assert (out / "site/vendor/openseadragon/LICENSE.txt").is_file()


def test_helpers() -> None:
    assert relative("site/object/A.html", "bags/A", folder=True) == "../../bags/A/"
    assert relative("site/index.html", "site/object/HN%201.html") == "object/HN%25201.html"
    assert escape_json_for_script("</script>&") == '"\\u003c/script\\u003e\\u0026"'


def test_a_removed_item_leaves_no_page(collection: Collection, out: Path, urls: UrlScheme) -> None:
    from dataclasses import replace

    write_site(collection, out, urls)
    assert (out / "site/object/HNM.1972.005.html").is_file()
    write_site(replace(collection, items=collection.items[:4]), out, urls)
    assert not (out / "site/object/HNM.1972.005.html").exists()
    assert (out / "site/object/HNM.1972.004.html").is_file()


def test_people_read_dates_roles_and_places_not_raw_data(collection: Collection, out: Path, urls: UrlScheme) -> None:
    """Issue 13: dates in words in each language, roles translated, places by name with a geo: link."""
    from heritage_ld.words import date_words, with_role

    write_site(collection, out, urls)
    item = next(i for i in collection.items if i.date is not None and i.places and i.creators
                and any(p.has_coordinates for p in i.places))
    doc = page(out, f"site/object/{item.accession}.html")
    text = " ".join(doc.xpath("//dl[@class='facts']//text()"))
    assert item.date is not None
    words = date_words(item.date)
    assert words["en"] in text and words["vi"] in text
    assert not item.date.text.isalpha() and f" {item.date.text} " not in f" {text} "
    place = next(p for p in item.places if p.has_coordinates)
    geo = doc.xpath("//dl[@class='facts']//a[starts-with(@href, 'geo:')]")
    assert geo and geo[0].get("href") == f"geo:{place.latitude:.5f},{place.longitude:.5f}"
    assert f"{place.latitude:.4f}" not in text  # no raw coordinates in the text
    creator = with_role(item.creators[0])
    if item.creators[0].role:
        assert creator["vi"] in text


def test_home_shows_the_first_cards_of_a_large_section_and_links_to_all(tmp_path: Path, urls: UrlScheme) -> None:
    import dataclasses

    from heritage_ld.publish.site import HOME_CARDS

    base = make_collection(tmp_path / "cat")
    first = base.items[0]
    many = tuple(dataclasses.replace(first, accession=f"BIG.{n:03d}", section="peace") for n in range(HOME_CARDS + 5))
    c = dataclasses.replace(base, items=many)
    write_site(c, tmp_path / "out", urls)
    home = page(tmp_path / "out", "site/index.html")
    cards = home.xpath("//section[@id='section-peace']//li[@class='card']")
    assert len(cards) == HOME_CARDS
    more = home.xpath("//section[@id='section-peace']//p[@class='more']/a")
    assert len(more) == 1 and more[0].get("href") == "section/peace.html"
    assert f"({HOME_CARDS + 5:,})" in more[0].text_content()
    section = page(tmp_path / "out", "site/section/peace.html")
    assert len(section.xpath("//li[@class='card']")) == HOME_CARDS + 5  # the section page has them all
    small = page(tmp_path / "out", "site/index.html").xpath("//section[@id='section-silence']//p[@class='more']")
    assert small == []  # a section that fits on the home page has no link to "all"


def test_section_pages_are_streamed_with_the_same_bytes(collection: Collection, tmp_path: Path, urls: UrlScheme,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Section pages are written as the template makes them, their cards made one by one (a section of 20,000
    items is never held as one page): the same bytes as the page rendered whole."""
    from heritage_ld.publish import site

    streamed: list[str] = []
    real = site._SiteWriter.render

    def spy(self: site._SiteWriter, template: str, page: str, *, stream: bool = False, **values: object) -> str:
        if stream:
            streamed.append(page)
            items = values["section"]["items"]  # type: ignore[index]
            assert not isinstance(items, (list, tuple))  # cards made as the page is written
        return real(self, template, page, stream=stream, **values)

    monkeypatch.setattr(site._SiteWriter, "render", spy)
    write_site(collection, tmp_path / "a", urls)
    assert sorted(streamed) == sorted(f"site/section/{s.key}.html" for s in collection.sections)

    def whole(self: site._SiteWriter, template: str, page: str, *, stream: bool = False, **values: object) -> str:
        if stream:
            section = dict(values["section"])  # type: ignore[call-overload]
            values["section"] = {**section, "items": list(section["items"])}
        return real(self, template, page, **values)

    monkeypatch.setattr(site._SiteWriter, "render", whole)
    write_site(collection, tmp_path / "b", urls)
    for s in collection.sections:
        rel = f"site/section/{s.key}.html"
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes()
        assert b'class="cards"' in (tmp_path / "a" / rel).read_bytes()


def test_an_image_no_larger_than_a_tile_has_a_picture(tmp_path: Path, urls: UrlScheme) -> None:
    """A 400 × 300 image's only size is its full size, written as ``full/max`` by the tiler: the site uses it
    (it found no pre-rendered size and showed no picture), locally and for a set on a store (info.json only)."""
    from PIL import Image

    from heritage_ld.iiif.tiles import write_tiles
    from heritage_ld.model import Item, ItemKind, MultilingualText
    from heritage_ld.publish.artefacts import find_image_services

    item = Item("HNM.1972.001", ItemKind.ARTIFACT, MultilingualText.of(en="A"))
    root = urls.path(urls.image_service(item.accession, 1))
    full = f"{root}/full/max/0/default.jpg"
    write_tiles(Image.new("RGB", (400, 300), (90, 30, 10)), tmp_path / root, "https://example.org/s")
    [local] = find_image_services(tmp_path, urls, item)
    assert local.size_files == (((400, 300), full),) and local.size_file(320) == full
    for jpeg in (tmp_path / root).rglob("*.jpg"):
        jpeg.unlink()  # a working copy whose tiles went to the store: only info.json is here
    [missing] = find_image_services(tmp_path, urls, item)
    assert missing.size_files == ()  # locally, a file that is not there is not linked
    [stored] = find_image_services(tmp_path, urls, item, complete=True)
    assert stored.size_file(320) == full
