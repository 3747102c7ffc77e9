"""What an aggregator needs that a catalogue may lack: the rules ``check`` and the EDM emitter share.

Europeana's EDM (https://pro.europeana.eu/page/edm-documentation) makes mandatory an ``edm:provider`` and an
``edm:dataProvider`` per record, an accepted ``edm:rights`` statement, and ``dc:language`` when ``edm:type`` is
``TEXT``. Where the catalogue lacks one, no EDM record is written for what it concerns, ``check`` says so
(codes C091-C095) and every other output is built as usual.

>>> from heritage_ld.model import Collection, Item, ItemKind, MultilingualText
>>> doc = Item("HN.1", ItemKind.DOCUMENT, MultilingualText.of(en="Leaflet"), rights="http://rightsstatements.org/vocab/UND/1.0/")
>>> c = Collection("c", MultilingualText.of(en="C"), "https://example.org/c", items=(doc,))
>>> edm_type(doc), [code for code, _ in edm_item_gaps(doc, c)]
('TEXT', ['C092', 'C093'])
"""

from __future__ import annotations

from typing import Any

from heritage_ld.model.collection import Collection
from heritage_ld.model.item import Item, ItemKind
from heritage_ld.model.rights import europeana_rights

__all__ = ["EDM_TYPES", "edm_collection_gaps", "edm_item_gaps", "edm_rights", "edm_type"]

#: ``edm:type`` by item kind (EDM: TEXT, VIDEO, IMAGE, SOUND, 3D): what the digital representation is. An
#: artifact is shown by photographs, hence IMAGE.
EDM_TYPES = {
    ItemKind.PHOTOGRAPH: "IMAGE",
    ItemKind.DOCUMENT: "TEXT",
    ItemKind.ARTIFACT: "IMAGE",
    ItemKind.AUDIO: "SOUND",
    ItemKind.VIDEO: "VIDEO",
}


def edm_type(item: Item) -> str:
    """The ``edm:type`` of an item (``other``: IMAGE when it has images, else TEXT)."""
    return EDM_TYPES.get(item.kind) or ("IMAGE" if item.images else "TEXT")


def edm_rights(item: Item, collection: Collection) -> str | None:
    """The item's rights (its own, else the collection's) as Europeana accepts them, or ``None``."""
    rights = item.rights or collection.rights
    return europeana_rights(rights) if rights else None


def edm_collection_gaps(collection: Collection) -> list[tuple[str, dict[str, Any]]]:
    """``(code, params)`` for what the collection lacks for EDM (no record at all is written then)."""
    gaps: list[tuple[str, dict[str, Any]]] = []
    if collection.publisher is None:
        gaps.append(("C091", {"what": "a data provider (edm:dataProvider)", "field": "collection.publisher"}))
    if collection.provider is None:
        gaps.append(("C091", {"what": "a provider (edm:provider)", "field": "collection.provider"}))
    return gaps


def edm_item_gaps(item: Item, collection: Collection) -> list[tuple[str, dict[str, Any]]]:
    """``(code, params)`` for what one item lacks for an EDM record (none is written for it then)."""
    gaps: list[tuple[str, dict[str, Any]]] = []
    rights = item.rights or collection.rights
    if not rights:
        gaps.append(("C095", {"value": item.accession}))
    elif europeana_rights(rights) is None:
        gaps.append(("C092", {"value": item.accession, "rights": rights}))
    if edm_type(item) == "TEXT" and not item.languages:
        gaps.append(("C093", {"value": item.accession}))
    return gaps
