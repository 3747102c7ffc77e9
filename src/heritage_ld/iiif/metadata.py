"""The ``metadata`` pairs of an item's manifest (Presentation 3.0 §3.2 ``metadata``), from its Dublin Core fields.

Each pair's label is given in Vietnamese and English and its value in every language the catalogue has. The
order follows the DCMI terms the values come from, as a visitor reads a museum label: title, creator, date,
type, place, subject, medium, extent, source, provenance, rights holder, identifiers.
"""

from __future__ import annotations

from typing import Any

from heritage_ld.iiif.language import as_html_safe, language_map, merge_maps, plain_map
from heritage_ld.model import Attribution, Item, MultilingualText, UrlScheme

__all__ = ["LABELS", "build_metadata"]

#: The label of each metadata pair, in Vietnamese and English; the key names the DCMI term it comes from.
LABELS: dict[str, dict[str, str]] = {
    "alternative": {"en": "Other title", "vi": "Tên khác"},
    "creator": {"en": "Creator", "vi": "Tác giả"},
    "contributor": {"en": "Contributor", "vi": "Người đóng góp"},
    "date": {"en": "Date", "vi": "Thời gian"},
    "type": {"en": "Type", "vi": "Loại hiện vật"},
    "spatial": {"en": "Place", "vi": "Địa điểm"},
    "place_made": {"en": "Place made", "vi": "Nơi tạo ra"},
    "subject": {"en": "Subject", "vi": "Chủ đề"},
    "medium": {"en": "Material", "vi": "Chất liệu"},
    "technique": {"en": "Technique", "vi": "Kỹ thuật"},
    "extent": {"en": "Dimensions", "vi": "Kích thước"},
    "source": {"en": "Source", "vi": "Nguồn"},
    "provenance": {"en": "Provenance", "vi": "Xuất xứ"},
    "rightsHolder": {"en": "Rights holder", "vi": "Chủ sở hữu quyền"},
    "language": {"en": "Language", "vi": "Ngôn ngữ"},
    "accession": {"en": "Accession number", "vi": "Số đăng ký"},
    "identifier": {"en": "Other identifiers", "vi": "Mã số khác"},
    "iri": {"en": "Linked data", "vi": "Dữ liệu liên kết"},
}

_KINDS: dict[str, dict[str, str]] = {
    "photograph": {"en": "Photograph", "vi": "Ảnh"},
    "document": {"en": "Document", "vi": "Tài liệu"},
    "artifact": {"en": "Artifact", "vi": "Hiện vật"},
    "audio": {"en": "Audio recording", "vi": "Bản ghi âm"},
    "video": {"en": "Video recording", "vi": "Bản ghi hình"},
    "other": {"en": "Other", "vi": "Khác"},
}

_UNITS = {"cm": "cm", "g": "g"}


#: The labels as (language, text) pairs in tag order, sorted once rather than per manifest.
_SORTED_LABELS: dict[str, tuple[tuple[str, str], ...]] = {k: tuple(sorted(v.items())) for k, v in LABELS.items()}


def _pair(key: str, value: dict[str, list[str]]) -> dict[str, Any]:
    return {"label": {lang: [text] for lang, text in _SORTED_LABELS[key]}, "value": value}


def _agents(attributions: tuple[Attribution, ...]) -> list[MultilingualText]:
    out = []
    for a in attributions:
        if a.role:
            out.append(MultilingualText.of({lang: f"{name} ({a.role})" for lang, name in a.agent.name}))
        else:
            out.append(a.agent.name)
    return out


def build_metadata(item: Item, *, urls: UrlScheme) -> list[dict[str, Any]]:
    """The ``metadata`` list of an item's manifest: label/value pairs of language maps, empty fields left out.

    >>> from heritage_ld.model import ItemKind
    >>> item = Item("HN.1", ItemKind.PHOTOGRAPH, MultilingualText.of(en="Kham Thien"))
    >>> [m["label"]["en"][0] for m in build_metadata(item, urls=UrlScheme("https://example.org"))]
    ['Type', 'Accession number', 'Linked data']
    """
    pairs: list[dict[str, Any]] = []

    def add(key: str, value: dict[str, list[str]]) -> None:
        if value and any(value.values()):
            pairs.append(_pair(key, value))

    if item.alternative_title:
        add("alternative", language_map(item.alternative_title, html_safe=True))
    add("creator", merge_maps(_agents(item.creators), html_safe=True))
    add("contributor", merge_maps(_agents(item.contributors), html_safe=True))
    if item.date is not None:
        add("date", plain_map(item.date.text))
    kind = _KINDS.get(item.kind.value)
    if kind:
        add("type", {lang: [text] for lang, text in sorted(kind.items())})
    add("spatial", merge_maps([p.name for p in item.places], html_safe=True))
    if item.place_made is not None:
        add("place_made", language_map(item.place_made.name, html_safe=True))
    add("subject", merge_maps([c.label for c in item.subjects], html_safe=True))
    add("medium", merge_maps([c.label for c in item.materials], html_safe=True))
    add("technique", merge_maps([c.label for c in item.techniques], html_safe=True))
    if item.dimensions:
        text = "; ".join(f"{d.kind} {d.value} {_UNITS.get(d.unit, d.unit)}" for d in item.dimensions)
        add("extent", plain_map(text))
    if item.source is not None:
        add("source", language_map(item.source.name, html_safe=True))
    if item.provenance:
        add("provenance", language_map(item.provenance, html_safe=True))
    if item.rights_holder is not None:
        add("rightsHolder", language_map(item.rights_holder.name, html_safe=True))
    if item.languages:
        add("language", plain_map(", ".join(item.languages)))
    add("accession", plain_map(as_html_safe(item.accession)))
    if item.identifiers:
        add("identifier", {"none": [as_html_safe(i) for i in item.identifiers]})
    add("iri", plain_map(urls.object(item.accession)))
    return pairs
