"""An item's IIIF Presentation 3.0 Manifest, as plain dicts in the key order of ``vocab/iiif-key-order.json``.

Everything links back to the same IRIs as the RDF (one :class:`~heritage_ld.model.UrlScheme`): ``homepage`` is the
item's page on the exhibition site, ``seeAlso`` its RDF in Turtle and JSON-LD, and the ``metadata`` pair "Linked
data" its IRI. Section numbers cite https://iiif.io/api/presentation/3.0/.
"""

from __future__ import annotations

import functools
import mimetypes
from pathlib import PurePosixPath
from typing import Any

from heritage_ld.catalogue.validate import require_valid
from heritage_ld.iiif.language import language_map, plain_map
from heritage_ld.iiif.media import (
    ImageSizes,
    PageSizes,
    View,
    known_pages,
    known_size,
    media_url,
    page_image_path,
    views,
)
from heritage_ld.iiif.metadata import MetadataBuilder
from heritage_ld.iiif.pyramid import Pyramid
from heritage_ld.model import Agent, Collection, Item, ItemKind, Place, UrlScheme, is_absolute_iri

__all__ = [
    "JSONLD_PROFILE",
    "NAVPLACE_CONTEXT",
    "PRESENTATION_CONTEXT",
    "TURTLE_PROFILE",
    "ManifestBuilder",
    "build_canvases",
    "build_manifest",
    "build_provider",
    "canvas_id",
    "thumbnail",
]

PRESENTATION_CONTEXT = "http://iiif.io/api/presentation/3/context.json"
NAVPLACE_CONTEXT = "http://iiif.io/api/extension/navplace/context.json"
#: Profiles of the RDF the manifest points to in ``seeAlso`` (§3.3.1): CIDOC-CRM and the Linked Art JSON-LD profile.
TURTLE_PROFILE = "http://www.cidoc-crm.org/cidoc-crm/"
JSONLD_PROFILE = "https://linked.art/ns/v1/linked-art.json"
_CREDIT_LABEL = {"en": ["Attribution"], "vi": ["Ghi công"]}


def _base(urls: UrlScheme, accession: str) -> str:
    return urls.manifest(accession).rsplit("/", 1)[0]


def canvas_id(urls: UrlScheme, accession: str, index: int) -> str:
    """The IRI of an item's ``index``-th (1-based) canvas, shared by its manifest and the exhibition manifest.

    >>> canvas_id(UrlScheme("https://example.org/h"), "HN.1", 2)
    'https://example.org/h/iiif/HN.1/canvas/2'
    """
    return f"{_base(urls, accession)}/canvas/{index}"


def _service(urls: UrlScheme, accession: str, index: int) -> list[dict[str, Any]]:
    return [{"id": urls.image_service(accession, index), "type": "ImageService3", "profile": "level0"}]


def _direct(urls: UrlScheme, item: Item, view: View) -> tuple[str, str]:
    """The URL and format of a view's own file when no tiles are written (a PDF page: its rendered JPEG)."""
    if view.page is None:
        return media_url(urls, item.accession, view.media), view.media.media_type
    return media_url(urls, item.accession, page_image_path(view.media, view.page)), "image/jpeg"


def _image_body(urls: UrlScheme, item: Item, index: int, view: View, tiles: bool) -> dict[str, Any]:
    if tiles:  # the level-0 service's full-size JPEG, with the service for deep zoom (§3.2 "service")
        service = urls.image_service(item.accession, index)
        return {"id": f"{service}/full/max/0/default.jpg", "type": "Image", "format": "image/jpeg",
                "width": view.width, "height": view.height, "service": _service(urls, item.accession, index)}
    url, fmt = _direct(urls, item, view)
    return {"id": url, "type": "Image", "format": fmt, "width": view.width, "height": view.height}


def _canvas_label(n: int, view: View) -> dict[str, list[str]]:
    if view.page is None:
        return plain_map(str(n))
    return {"en": [f"p. {view.page}"], "vi": [f"tr. {view.page}"]}  # page of its PDF ("trang" in Vietnamese)


def build_canvases(item: Item, *, urls: UrlScheme, sizes: ImageSizes, pages: PageSizes | None = None,
                   tiles: bool = True, shown: tuple[View, ...] | None = None) -> list[dict[str, Any]]:
    """One Canvas per image of the item, then one per page of each of its PDFs, each painted by one Image
    annotation of the image's real (or the page's rendered) size (§5.3).

    ``shown`` is :func:`~heritage_ld.iiif.media.views` of the item when the caller has it already.
    """
    canvases = []
    base = _base(urls, item.accession)
    shown = views(item, sizes=sizes, pages=pages or {}) if shown is None else shown
    for n, view in enumerate(shown, start=1):
        cid = f"{base}/canvas/{n}"
        annotation = {"id": f"{base}/annotation/{n}", "type": "Annotation", "motivation": "painting",
                      "body": _image_body(urls, item, n, view, tiles), "target": cid}
        canvases.append({"id": cid, "type": "Canvas", "label": _canvas_label(n, view), "width": view.width,
                         "height": view.height, "items": [{"id": f"{base}/page/{n}", "type": "AnnotationPage",
                                                           "items": [annotation]}]})
    return canvases


def thumbnail(item: Item, *, urls: UrlScheme, sizes: ImageSizes, pages: PageSizes | None = None,
              tiles: bool = True, shown: tuple[View, ...] | None = None) -> list[dict[str, Any]]:
    """The item's ``thumbnail`` (§3.2): its first image (or first PDF page) at the largest declared size that
    fits 512 pixels."""
    shown = views(item, sizes=sizes, pages=pages or {}) if shown is None else shown
    if not shown:
        return []
    view = shown[0]
    width, height = view.size
    if not tiles:
        url, fmt = _direct(urls, item, view)
        return [{"id": url, "type": "Image", "format": fmt, "width": width, "height": height}]
    w, h, path = _thumbnail_size(width, height)
    service = urls.image_service(item.accession, 1)
    return [{"id": f"{service}/{path}", "type": "Image", "format": "image/jpeg",
             "width": w, "height": h, "service": _service(urls, item.accession, 1)}]


@functools.lru_cache(maxsize=1024)  # images of one collection come in few sizes; the pyramid is the same for each
def _thumbnail_size(width: int, height: int) -> tuple[int, int, str]:
    """The smallest declared size of a ``width`` × ``height`` image's pyramid, and its path."""
    pyramid = Pyramid(width, height)
    w, h = pyramid.sizes[0]
    return w, h, pyramid.size_path(w, h)


def build_provider(agent: Agent, *, urls: UrlScheme) -> dict[str, Any]:
    """The publishing institution as a ``provider`` Agent with homepage and logo (§3.3.1)."""
    provider: dict[str, Any] = {"id": urls.agent(agent.key), "type": "Agent", "label": language_map(agent.name)}
    if agent.homepage:
        provider["homepage"] = [{"id": agent.homepage, "type": "Text", "label": language_map(agent.name),
                                 "format": "text/html"}]
    if agent.logo:
        logo = agent.logo if is_absolute_iri(agent.logo) is None else media_url(urls, None, PurePosixPath(agent.logo))
        fmt = mimetypes.guess_type(PurePosixPath(logo).name)[0] or "image/png"
        provider["logo"] = [{"id": logo, "type": "Image", "format": fmt}]
    return provider


def _nav_date(item: Item) -> str | None:
    # §3.2 navDate: an xsd:dateTime in UTC; the earliest day the EDTF date can mean (or the latest, if open).
    if item.date is None:
        return None
    day = item.date.earliest or item.date.latest
    return f"{day.isoformat()}T00:00:00Z" if day else None


def _nav_place(item: Item, urls: UrlScheme) -> dict[str, Any] | None:
    # navPlace extension (https://iiif.io/api/extension/navplace/): a GeoJSON FeatureCollection, [lon, lat].
    places: list[Place] = [p for p in item.places if p.has_coordinates]
    if item.place_made is not None and item.place_made.has_coordinates and item.place_made not in places:
        places.append(item.place_made)
    if not places:
        return None
    manifest = urls.manifest(item.accession)
    features = [{"id": urls.node(manifest, "place", p.key), "type": "Feature",
                 "properties": {"label": language_map(p.name)},
                 "geometry": {"type": "Point", "coordinates": [p.longitude, p.latitude]}} for p in places]
    return {"id": urls.node(manifest, "places"), "type": "FeatureCollection", "features": features}


def _rendering(item: Item, urls: UrlScheme) -> list[dict[str, Any]]:
    out = []
    for media in item.documents:
        kind = media.media_type.split("/")[0]
        rtype = {"audio": "Sound", "video": "Video", "image": "Image"}.get(kind, "Text")
        out.append({"id": media_url(urls, item.accession, media), "type": rtype,
                    "label": plain_map(media.path.name), "format": media.media_type})
    return out


class ManifestBuilder:
    """Builds the manifests of one collection's items (see :func:`build_manifest`), making the parts that are the
    same in every manifest of the collection once: ``provider``, ``partOf``, the collection's credit line, and the
    ``metadata`` values of the agents, places and concepts items share.

    The pipeline builds every manifest of a collection with one builder. Those shared parts are the same
    dictionaries in every manifest it returns: copy a manifest (:func:`copy.deepcopy`) before changing it in place.

    >>> from heritage_ld.model import MediaFile, MultilingualText
    >>> item = Item("HN.1", ItemKind.PHOTOGRAPH, MultilingualText.of(en="Kham Thien"),
    ...             media=(MediaFile(PurePosixPath("media/1.jpg"), width=600, height=400),))
    >>> c = Collection("h", MultilingualText.of(en="Hanoi 1972"), "https://example.org/h", items=(item,))
    >>> builder = ManifestBuilder(c, urls=UrlScheme(c.base_url))
    >>> builder.build(item) == build_manifest(item, c, urls=UrlScheme(c.base_url))
    True
    """

    def __init__(self, collection: Collection, *, urls: UrlScheme | None = None, sizes: ImageSizes | None = None,
                 pages: PageSizes | None = None, tiles: bool = True) -> None:
        require_valid(collection)
        urls = urls or UrlScheme(collection.base_url)
        self.collection = collection
        self.urls = urls
        self.sizes: ImageSizes = sizes or {}
        self.pages: PageSizes = pages or {}
        self.tiles = tiles
        self._metadata = MetadataBuilder(urls)
        self._credit = (None if not collection.credit_line else
                        {"label": _CREDIT_LABEL, "value": language_map(collection.credit_line, html_safe=True)})
        publisher = collection.publisher
        self._provider = None if publisher is None else [build_provider(publisher, urls=urls)]
        self._part_of = [{"id": urls.iiif_collection(), "type": "Collection",
                          "label": language_map(collection.title) or plain_map(collection.key)}]

    def _sizes(self, item: Item) -> ImageSizes:
        """The sizes given, and those of the item's other images read from ``collection.root`` (when set)."""
        root = self.collection.root
        missing = [m for m in item.images if m.path not in self.sizes and (m.width is None or m.height is None)]
        if root is None or not missing:
            return self.sizes
        return {**self.sizes, **{m.path: known_size(m, root) for m in missing}}

    def _pages(self, item: Item) -> PageSizes:
        root = self.collection.root
        missing = [m for m in item.pdfs if m.path not in self.pages]
        if root is None or not missing:
            return self.pages
        return {**self.pages, **{m.path: known_pages(m, root) for m in missing}}

    def build(self, item: Item) -> dict[str, Any]:
        """The Presentation 3.0 Manifest of one item of the collection (:func:`build_manifest`)."""
        require_valid(self.collection, item)
        item = self.collection.with_defaults(item)
        urls, tiles = self.urls, self.tiles
        shown = views(item, sizes=self._sizes(item), pages=self._pages(item))
        if not shown and not item.has_manifest:  # (an item without images or PDFs has no views)
            raise ValueError(f"item {item.accession!r} has no image or PDF; "
                             "a IIIF Manifest needs at least one Canvas")
        nav_place = _nav_place(item, urls)
        label = language_map(item.title) or plain_map(item.accession)
        doc: dict[str, Any] = {
            "@context": [NAVPLACE_CONTEXT, PRESENTATION_CONTEXT] if nav_place else PRESENTATION_CONTEXT,
            "id": urls.manifest(item.accession),
            "type": "Manifest",
            "label": label,
        }
        if item.description:
            doc["summary"] = language_map(item.description, html_safe=True)
        doc["metadata"] = self._metadata.build(item)
        if item.credit_line:
            doc["requiredStatement"] = {"label": _CREDIT_LABEL, "value": language_map(item.credit_line,
                                                                                       html_safe=True)}
        elif self._credit is not None:
            doc["requiredStatement"] = self._credit
        rights = item.rights or self.collection.rights
        if rights:
            doc["rights"] = rights
        if self._provider is not None:
            doc["provider"] = self._provider
        homepage: dict[str, Any] = {"id": urls.page(item.accession), "type": "Text", "label": label,
                                    "format": "text/html"}
        title_languages = [lang for lang in item.title.languages if lang]
        if title_languages:
            homepage["language"] = title_languages
        doc["homepage"] = [homepage]
        doc["seeAlso"] = [
            {"id": urls.rdf_file(item.accession, "ttl"), "type": "Dataset", "label": plain_map("RDF (Turtle)"),
             "format": "text/turtle", "profile": TURTLE_PROFILE},
            {"id": urls.rdf_file(item.accession, "jsonld"), "type": "Dataset",
             "label": plain_map("Linked Art (JSON-LD)"), "format": "application/ld+json", "profile": JSONLD_PROFILE},
        ]
        rendering = _rendering(item, urls)
        if rendering:
            doc["rendering"] = rendering
        doc["partOf"] = self._part_of
        doc["thumbnail"] = thumbnail(item, urls=urls, sizes={}, tiles=tiles, shown=shown)
        nav_date = _nav_date(item)
        if nav_date:
            doc["navDate"] = nav_date
        if nav_place:
            doc["navPlace"] = nav_place
        if len(shown) > 1:  # §3.3 behavior, §3.4 viewingDirection: only meaningful with several canvases
            if item.kind is ItemKind.DOCUMENT:
                doc["behavior"] = ["paged"]
                doc["viewingDirection"] = "left-to-right"
            else:
                doc["behavior"] = ["individuals"]
        doc["items"] = build_canvases(item, urls=urls, sizes={}, tiles=tiles, shown=shown)
        return doc


def build_manifest(item: Item, collection: Collection, *, urls: UrlScheme | None = None,
                   sizes: ImageSizes | None = None,
                   pages: PageSizes | None = None, tiles: bool = True) -> dict[str, Any]:
    """The Presentation 3.0 Manifest of one item (to build many of one collection, use one
    :class:`ManifestBuilder`).

    Args:
        item: the item; it must have an image or a PDF (see :attr:`heritage_ld.model.Item.has_manifest`).
        collection: its collection (default rights and credit line, publisher, the Collection it is part of).
        urls: the IRI scheme (default: from ``collection.base_url``).
        sizes: pixel sizes by media path (:func:`heritage_ld.iiif.media.read_sizes`); by default the sizes set
            on the media files, else read from the files under ``collection.root``.
        pages: rendered page sizes by PDF path (:func:`heritage_ld.iiif.media.read_page_sizes`); by default read
            from the PDFs under ``collection.root``. Each page is a Canvas after the item's images, its
            ``rendering`` the PDF.
        tiles: whether level-0 tiles are published (images are then served by an ``ImageService3``; without
            tiles the manifest points at copies of the image files themselves, and at one JPEG per PDF page).

    Raises:
        CatalogueError: the collection or the item has errors (:func:`heritage_ld.validate`).
        ValueError: the item has no image and no PDF.
        FormatError: an image's size or a PDF's pages are unknown and there is no ``collection.root`` to read
            them from, or a file cannot be read (``I003``).

    >>> from heritage_ld.model import MediaFile, MultilingualText
    >>> item = Item("HN.1", ItemKind.PHOTOGRAPH, MultilingualText.of(en="Kham Thien"),
    ...             media=(MediaFile(PurePosixPath("media/1.jpg"), width=600, height=400),))
    >>> c = Collection("h", MultilingualText.of(en="Hanoi 1972"), "https://example.org/h", items=(item,))
    >>> m = build_manifest(item, c)
    >>> m["id"], [c["width"] for c in m["items"]], list(m)[:4]
    ('https://example.org/h/iiif/HN.1/manifest.json', [600], ['@context', 'id', 'type', 'label'])
    """
    return ManifestBuilder(collection, urls=urls, sizes=sizes, pages=pages, tiles=tiles).build(item)
