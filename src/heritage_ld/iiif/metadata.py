"""The ``metadata`` pairs of an item's manifest (Presentation 3.0 §3.2 ``metadata``), from its Dublin Core fields.

Each pair's label is given in Vietnamese and English and its value in every language the catalogue has. The
order follows the DCMI terms the values come from, as a visitor reads a museum label: title, creator, date,
type, place, subject, medium, extent, source, provenance, rights holder, identifiers.
"""

from __future__ import annotations

import functools
from typing import Any

from heritage_ld.iiif.language import as_html_safe, language_map, merge_maps, plain_map
from heritage_ld.model import Attribution, Concept, Item, MultilingualText, Place, UrlScheme
from heritage_ld.vocab import labels
from heritage_ld.words import date_words, with_role

__all__ = ["LABELS", "MetadataBuilder", "build_metadata"]

#: The label of each metadata pair, in Vietnamese and English; the key names the DCMI term it comes from
#: (``vocab/labels.tsv``, group ``metadata``).
LABELS: dict[str, dict[str, str]] = labels("metadata")

_KINDS: dict[str, dict[str, str]] = labels("kind")

_UNITS = {"cm": "cm", "g": "g"}


#: The label of each pair and the value of each item kind as language maps, made once: every manifest shares
#: these dictionaries (treat a manifest as read-only, or copy it).
_LABEL_MAPS: dict[str, dict[str, list[str]]] = {
    key: {lang: [text] for lang, text in sorted(label.items())} for key, label in LABELS.items()}
_KIND_MAPS: dict[str, dict[str, list[str]]] = {
    key: {lang: [text] for lang, text in sorted(kind.items())} for key, kind in _KINDS.items()}


def _agents(attributions: tuple[Attribution, ...]) -> list[MultilingualText]:
    return [with_role(a) for a in attributions]  # the role in the language of the name around it


def _agents_map(attributions: tuple[Attribution, ...]) -> dict[str, list[str]]:
    return merge_maps(_agents(attributions), html_safe=True)


def _places_map(places: tuple[Place, ...]) -> dict[str, list[str]]:
    return merge_maps([p.name for p in places], html_safe=True)


def _concepts_map(concepts: tuple[Concept, ...]) -> dict[str, list[str]]:
    return merge_maps([c.label for c in concepts], html_safe=True)


class MetadataBuilder:
    """Builds the ``metadata`` of items (see :func:`build_metadata`).

    The value of a field that names shared records (creators, places, subjects …) is made once per distinct
    tuple of records, in bounded caches, and the items with the same ones share it: treat the pairs as read-only.
    """

    def __init__(self, urls: UrlScheme, *, cache_size: int = 4096) -> None:
        self.urls = urls
        cached = functools.lru_cache(maxsize=cache_size)
        self._agents = cached(_agents_map)
        self._places = cached(_places_map)
        self._concepts = cached(_concepts_map)

    def build(self, item: Item) -> list[dict[str, Any]]:
        """The ``metadata`` list of one item's manifest."""
        pairs: list[dict[str, Any]] = []
        append = pairs.append
        labels = _LABEL_MAPS

        if item.alternative_title:
            append({"label": labels["alternative"], "value": language_map(item.alternative_title, html_safe=True)})
        for field, agents in (("creator", item.creators), ("contributor", item.contributors)):
            if agents:
                value = self._agents(agents)
                if value and any(value.values()):
                    append({"label": labels[field], "value": value})
        if item.date is not None:
            append({"label": labels["date"], "value": language_map(date_words(item.date))})
        kind = _KIND_MAPS.get(item.kind.value)
        if kind:
            append({"label": labels["type"], "value": kind})
        if item.places:
            value = self._places(item.places)
            if value and any(value.values()):
                append({"label": labels["spatial"], "value": value})
        if item.place_made is not None:
            value = language_map(item.place_made.name, html_safe=True)
            if value:
                append({"label": labels["place_made"], "value": value})
        for field, concepts in (("subject", item.subjects), ("medium", item.materials),
                                ("technique", item.techniques)):
            if concepts:
                value = self._concepts(concepts)
                if value and any(value.values()):
                    append({"label": labels[field], "value": value})
        if item.dimensions:
            text = "; ".join(f"{d.kind} {d.value} {_UNITS.get(d.unit, d.unit)}" for d in item.dimensions)
            append({"label": labels["extent"], "value": plain_map(text)})
        for field, name in (("source", None if item.source is None else item.source.name),
                            ("provenance", item.provenance),
                            ("rightsHolder", None if item.rights_holder is None else item.rights_holder.name)):
            if name:
                append({"label": labels[field], "value": language_map(name, html_safe=True)})
        if item.languages:
            append({"label": labels["language"], "value": plain_map(", ".join(item.languages))})
        append({"label": labels["accession"], "value": plain_map(as_html_safe(item.accession))})
        if item.identifiers:
            append({"label": labels["identifier"], "value": {"none": [as_html_safe(i) for i in item.identifiers]}})
        append({"label": labels["iri"], "value": plain_map(self.urls.object(item.accession))})
        return pairs


def build_metadata(item: Item, *, urls: UrlScheme) -> list[dict[str, Any]]:
    """The ``metadata`` list of an item's manifest: label/value pairs of language maps, empty fields left out
    (to build it for many items, use one :class:`MetadataBuilder`).

    >>> from heritage_ld.model import ItemKind
    >>> item = Item("HN.1", ItemKind.PHOTOGRAPH, MultilingualText.of(en="Kham Thien"))
    >>> [m["label"]["en"][0] for m in build_metadata(item, urls=UrlScheme("https://example.org"))]
    ['Type', 'Accession number', 'Linked data']
    """
    return MetadataBuilder(urls, cache_size=0).build(item)
