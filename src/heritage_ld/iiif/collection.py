"""The exhibition in IIIF: a Collection of the item manifests, and one Manifest of the whole exhibition whose
``structures`` hold a Range per section, so a viewer shows the curator's table of contents.

Section numbers cite https://iiif.io/api/presentation/3.0/ (§5.5 Collection, §5.6 Range).
"""

from __future__ import annotations

from typing import Any

from heritage_ld.catalogue.validate import require_valid
from heritage_ld.iiif.language import language_map, plain_map
from heritage_ld.iiif.manifest import (
    PRESENTATION_CONTEXT,
    build_canvases,
    build_provider,
    canvas_id,
    thumbnail,
)
from heritage_ld.iiif.media import ImageSizes, PageSizes, read_page_sizes, read_sizes, views
from heritage_ld.model import Collection, UrlScheme, iri_segment

__all__ = ["build_collection", "build_exhibition_manifest", "range_id"]


def _common(collection: Collection, urls: UrlScheme) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    if collection.summary:
        doc["summary"] = language_map(collection.summary, html_safe=True)
    if collection.credit_line:
        doc["requiredStatement"] = {"label": {"en": ["Attribution"], "vi": ["Ghi công"]},
                                    "value": language_map(collection.credit_line, html_safe=True)}
    if collection.rights:
        doc["rights"] = collection.rights
    if collection.publisher is not None:
        doc["provider"] = [build_provider(collection.publisher, urls=urls)]
    doc["homepage"] = [{"id": urls.home_page(), "type": "Text", "label": _title(collection),
                        "format": "text/html"}]
    return doc


def _known_sizes(collection: Collection) -> ImageSizes:
    """Image sizes read from the files when the collection has a catalogue folder (else those set on them)."""
    return read_sizes(collection) if collection.root is not None else {}


def _title(collection: Collection) -> dict[str, list[str]]:
    return language_map(collection.title) or plain_map(collection.key)


def build_collection(collection: Collection, *, urls: UrlScheme | None = None,
                     sizes: ImageSizes | None = None,
                     pages: PageSizes | None = None, tiles: bool = True) -> dict[str, Any]:
    """The IIIF Collection listing every item manifest in catalogue order (§5.5).

    Items without an image or a PDF have no manifest and are not listed.

    >>> from heritage_ld.model import MultilingualText
    >>> c = Collection("h", MultilingualText.of(en="Hanoi 1972"), "https://example.org/h")
    >>> doc = build_collection(c)
    >>> doc["id"], doc["type"], doc["items"]
    ('https://example.org/h/iiif/collection.json', 'Collection', [])
    """
    require_valid(collection)
    urls = urls or UrlScheme(collection.base_url)
    sizes = sizes if sizes is not None else _known_sizes(collection)
    doc: dict[str, Any] = {"@context": PRESENTATION_CONTEXT, "id": urls.iiif_collection(), "type": "Collection",
                           "label": _title(collection)}
    doc.update(_common(collection, urls))
    doc["items"] = [
        {"id": urls.manifest(item.accession), "type": "Manifest",
         "label": language_map(item.title) or plain_map(item.accession),
         "thumbnail": thumbnail(item, urls=urls, sizes=sizes, pages=pages, tiles=tiles)}
        for item in collection.items if item.has_manifest
    ]
    return doc


def range_id(urls: UrlScheme, section_key: str) -> str:
    """The IRI of a section's Range in the exhibition manifest.

    >>> range_id(UrlScheme("https://example.org/h"), "silence")
    'https://example.org/h/iiif/exhibition/range/silence'
    """
    return f"{urls.exhibition_manifest().removesuffix('.json')}/range/{iri_segment(section_key)}"


def build_exhibition_manifest(collection: Collection, *, urls: UrlScheme | None = None,
                              sizes: ImageSizes | None = None,
                              pages: PageSizes | None = None, tiles: bool = True) -> dict[str, Any]:
    """One Manifest of the whole exhibition: every item's canvases in catalogue order, and a Range per section
    (curator's order) listing the canvases of that section's items in catalogue order (§5.6).

    The canvases keep the IRIs they have in the items' own manifests (a PDF's pages included). A section with
    no image or PDF gets no Range (a Range needs at least one item).
    """
    require_valid(collection)
    urls = urls or UrlScheme(collection.base_url)
    sizes = sizes if sizes is not None else _known_sizes(collection)
    pages = pages if pages is not None else (read_page_sizes(collection) if collection.root is not None else {})
    doc: dict[str, Any] = {"@context": PRESENTATION_CONTEXT, "id": urls.exhibition_manifest(), "type": "Manifest",
                           "label": _title(collection)}
    doc.update(_common(collection, urls))
    shown = {item.accession: views(item, sizes=sizes, pages=pages)
             for item in collection.items if item.has_manifest}
    items = [item for item in collection.items if item.accession in shown]
    if items:
        doc["thumbnail"] = thumbnail(items[0], urls=urls, sizes=sizes, tiles=tiles, shown=shown[items[0].accession])
    canvases: list[dict[str, Any]] = []
    for item in items:
        for canvas in build_canvases(item, urls=urls, sizes=sizes, tiles=tiles, shown=shown[item.accession]):
            canvas["label"] = language_map(item.title) or plain_map(item.accession)
            canvases.append(canvas)
    doc["items"] = canvases
    ranges = []
    for section in collection.sections:
        members = [{"id": canvas_id(urls, item.accession, n), "type": "Canvas"}
                   for item in collection.items_in(section) if item.accession in shown
                   for n in range(1, len(shown[item.accession]) + 1)]
        if members:
            ranges.append({"id": range_id(urls, section.key), "type": "Range",
                           "label": language_map(section.title) or plain_map(section.key), "items": members})
    if ranges:
        doc["structures"] = ranges
    return doc
