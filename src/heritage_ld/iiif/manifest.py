"""An item's IIIF Presentation 3.0 Manifest, as plain dicts in the key order of ``vocab/iiif-key-order.json``.

Everything links back to the same IRIs as the RDF (one :class:`~heritage_ld.model.UrlScheme`): ``homepage`` is the
item's page on the exhibition site, ``seeAlso`` its RDF in Turtle and JSON-LD, and the ``metadata`` pair "Linked
data" its IRI. Section numbers cite https://iiif.io/api/presentation/3.0/.
"""

from __future__ import annotations

import mimetypes
from pathlib import PurePosixPath
from typing import Any

from heritage_ld.iiif.language import language_map, plain_map
from heritage_ld.iiif.media import ImageSizes, known_size, media_url
from heritage_ld.iiif.metadata import build_metadata
from heritage_ld.iiif.pyramid import Pyramid
from heritage_ld.model import Agent, Collection, Item, ItemKind, MediaFile, Place, UrlScheme, is_absolute_iri

__all__ = [
    "JSONLD_PROFILE",
    "NAVPLACE_CONTEXT",
    "PRESENTATION_CONTEXT",
    "TURTLE_PROFILE",
    "build_canvases",
    "build_manifest",
    "build_provider",
    "canvas_id",
    "has_manifest",
    "thumbnail",
]

PRESENTATION_CONTEXT = "http://iiif.io/api/presentation/3/context.json"
NAVPLACE_CONTEXT = "http://iiif.io/api/extension/navplace/context.json"
#: Profiles of the RDF the manifest points to in ``seeAlso`` (§3.3.1): CIDOC-CRM and the Linked Art JSON-LD profile.
TURTLE_PROFILE = "http://www.cidoc-crm.org/cidoc-crm/"
JSONLD_PROFILE = "https://linked.art/ns/v1/linked-art.json"
_CREDIT_LABEL = {"en": ["Attribution"], "vi": ["Ghi công"]}


def has_manifest(item: Item) -> bool:
    """An item gets a manifest when it has an image to show (a Manifest needs at least one Canvas, §3.4)."""
    return bool(item.images)


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


def _image_body(urls: UrlScheme, item: Item, index: int, media: MediaFile, size: tuple[int, int],
                tiles: bool) -> dict[str, Any]:
    width, height = size
    if tiles:  # the level-0 service's full-size JPEG, with the service for deep zoom (§3.2 "service")
        service = urls.image_service(item.accession, index)
        return {"id": f"{service}/full/max/0/default.jpg", "type": "Image", "format": "image/jpeg",
                "width": width, "height": height, "service": _service(urls, item.accession, index)}
    return {"id": media_url(urls, item.accession, media), "type": "Image", "format": media.media_type,
            "width": width, "height": height}


def build_canvases(item: Item, *, urls: UrlScheme, sizes: ImageSizes, tiles: bool = True,
                   images: tuple[MediaFile, ...] | None = None) -> list[dict[str, Any]]:
    """One Canvas per image of the item, each painted by one Image annotation of the image's real size (§5.3).

    ``images`` is ``item.images`` when the caller has it already (it is computed, not stored).
    """
    canvases = []
    base = _base(urls, item.accession)
    for n, media in enumerate(item.images if images is None else images, start=1):
        size = sizes[media.path] if media.path in sizes else known_size(media, None)
        cid = f"{base}/canvas/{n}"
        annotation = {"id": f"{base}/annotation/{n}", "type": "Annotation", "motivation": "painting",
                      "body": _image_body(urls, item, n, media, size, tiles), "target": cid}
        canvases.append({"id": cid, "type": "Canvas", "label": plain_map(str(n)), "width": size[0],
                         "height": size[1], "items": [{"id": f"{base}/page/{n}", "type": "AnnotationPage",
                                                       "items": [annotation]}]})
    return canvases


def thumbnail(item: Item, *, urls: UrlScheme, sizes: ImageSizes, tiles: bool = True,
              images: tuple[MediaFile, ...] | None = None) -> list[dict[str, Any]]:
    """The item's ``thumbnail`` (§3.2): the first image at the largest declared size that fits 512 pixels."""
    images = item.images if images is None else images
    if not images:
        return []
    media = images[0]
    width, height = sizes[media.path] if media.path in sizes else known_size(media, None)
    if not tiles:
        return [{"id": media_url(urls, item.accession, media), "type": "Image", "format": media.media_type,
                 "width": width, "height": height}]
    pyramid = Pyramid(width, height)
    w, h = pyramid.sizes[0]
    service = urls.image_service(item.accession, 1)
    return [{"id": f"{service}/{pyramid.size_path(w, h)}", "type": "Image", "format": "image/jpeg",
             "width": w, "height": h, "service": _service(urls, item.accession, 1)}]


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


def build_manifest(item: Item, collection: Collection, *, urls: UrlScheme, sizes: ImageSizes | None = None,
                   tiles: bool = True) -> dict[str, Any]:
    """The Presentation 3.0 Manifest of one item.

    Args:
        item: the item; it must have an image (see :func:`has_manifest`).
        collection: its collection (default rights and credit line, publisher, the Collection it is part of).
        urls: the IRI scheme.
        sizes: pixel sizes by media path (:func:`heritage_ld.iiif.media.read_sizes`); sizes set on the media
            files are used otherwise.
        tiles: whether level-0 tiles are published (images are then served by an ``ImageService3``; without
            tiles the manifest points at copies of the image files themselves).

    Raises:
        ValueError: the item has no image.
        FormatError: an image's size is unknown.

    >>> from heritage_ld.model import MultilingualText
    >>> item = Item("HN.1", ItemKind.PHOTOGRAPH, MultilingualText.of(en="Kham Thien"),
    ...             media=(MediaFile(PurePosixPath("media/1.jpg"), width=600, height=400),))
    >>> c = Collection("h", MultilingualText.of(en="Hanoi 1972"), "https://example.org/h", items=(item,))
    >>> m = build_manifest(item, c, urls=UrlScheme(c.base_url))
    >>> m["id"], m["items"][0]["width"], list(m)[:4]
    ('https://example.org/h/iiif/HN.1/manifest.json', 600, ['@context', 'id', 'type', 'label'])
    """
    images = item.images
    if not images:
        raise ValueError(f"item {item.accession!r} has no image; a IIIF Manifest needs at least one Canvas")
    sizes = sizes if sizes is not None else {}
    nav_place = _nav_place(item, urls)
    doc: dict[str, Any] = {
        "@context": [NAVPLACE_CONTEXT, PRESENTATION_CONTEXT] if nav_place else PRESENTATION_CONTEXT,
        "id": urls.manifest(item.accession),
        "type": "Manifest",
        "label": language_map(item.title) or plain_map(item.accession),
    }
    if item.description:
        doc["summary"] = language_map(item.description, html_safe=True)
    doc["metadata"] = build_metadata(item, urls=urls)
    credit = item.credit_line or collection.credit_line
    if credit:
        doc["requiredStatement"] = {"label": _CREDIT_LABEL, "value": language_map(credit, html_safe=True)}
    rights = item.rights or collection.rights
    if rights:
        doc["rights"] = rights
    if collection.publisher is not None:
        doc["provider"] = [build_provider(collection.publisher, urls=urls)]
    title_languages = [lang for lang in item.title.languages if lang]
    homepage: dict[str, Any] = {"id": urls.page(item.accession), "type": "Text", "label": doc["label"],
                                "format": "text/html"}
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
    doc["partOf"] = [{"id": urls.iiif_collection(), "type": "Collection",
                      "label": language_map(collection.title) or plain_map(collection.key)}]
    doc["thumbnail"] = thumbnail(item, urls=urls, sizes=sizes, tiles=tiles, images=images)
    nav_date = _nav_date(item)
    if nav_date:
        doc["navDate"] = nav_date
    if nav_place:
        doc["navPlace"] = nav_place
    if len(images) > 1:  # §3.3 behavior, §3.4 viewingDirection: only meaningful with several canvases
        if item.kind is ItemKind.DOCUMENT:
            doc["behavior"] = ["paged"]
            doc["viewingDirection"] = "left-to-right"
        else:
            doc["behavior"] = ["individuals"]
    doc["items"] = build_canvases(item, urls=urls, sizes=sizes, tiles=tiles, images=images)
    return doc

