"""The exhibition snapshot: what the site step knows of the catalogue, written as ``OUT/site/data/exhibition.json``.

``heritage-ld serve OUT`` has only the build output, not the catalogue, so the site step writes one JSON file
with the collection's labels, its sections in order and, per item, the values the pages show and its simple
Dublin Core description (the ``oai_dc`` record). The OAI-PMH provider and the server read it back with
:func:`read_snapshot`; the site's own scripts may use it too. Sorted keys, no clock: the same catalogue gives
the same bytes.

>>> from heritage_ld.model import ItemKind, MultilingualText
>>> dc_type(ItemKind.PHOTOGRAPH)
'StillImage'
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from heritage_ld.atomic import temporary_path
from heritage_ld.errors import UsageError
from heritage_ld.model import Agent, Attribution, Collection, Item, ItemKind, MultilingualText, UrlScheme

__all__ = [
    "SNAPSHOT_PATH", "Snapshot", "dc_elements", "dc_type", "item_entry", "make_snapshot", "read_snapshot",
    "snapshot_head", "write_snapshot",
]

#: Where the snapshot lives under the build output folder.
SNAPSHOT_PATH = "site/data/exhibition.json"

# DCMI Type Vocabulary names (https://www.dublincore.org/specifications/dublin-core/dcmi-type-vocabulary/).
_DC_TYPES = {
    ItemKind.PHOTOGRAPH: "StillImage",
    ItemKind.DOCUMENT: "Text",
    ItemKind.ARTIFACT: "PhysicalObject",
    ItemKind.AUDIO: "Sound",
    ItemKind.VIDEO: "MovingImage",
}

#: A multilingual value as JSON: ``[[lang, text], ...]`` sorted by language ("" = no language).
LangList = list[list[str]]


def dc_type(kind: ItemKind) -> str | None:
    """The DCMI Type name for an item kind (``None`` for ``other``).

    >>> dc_type(ItemKind.DOCUMENT), dc_type(ItemKind.OTHER)
    ('Text', None)
    """
    return _DC_TYPES.get(kind)


def _ml(text: MultilingualText) -> LangList:
    return [[lang, value] for lang, value in text]


def _agents(attributions: tuple[Attribution, ...]) -> list[Agent]:
    return [a.agent for a in attributions]


def dc_elements(item: Item, collection: Collection, urls: UrlScheme) -> list[list[str]]:
    """The item's simple Dublin Core description as ``[element, lang, value]`` rows (``oai_dc``).

    Elements follow DCMI's 15 elements (https://www.dublincore.org/specifications/dublin-core/dces/);
    multilingual values keep their language (``xml:lang`` in ``oai_dc``).

    >>> from heritage_ld.model import Collection
    >>> item = Item("HN.1", ItemKind.PHOTOGRAPH, MultilingualText.of(en="Street", vi="Phố"))
    >>> c = Collection("c", MultilingualText.of(en="C"), "https://example.org/c", items=(item,))
    >>> dc_elements(item, c, UrlScheme(c.base_url))[:3]
    [['title', 'en', 'Street'], ['title', 'vi', 'Phố'], ['identifier', '', 'https://example.org/c/object/HN.1']]
    """
    rows: list[list[str]] = []

    def add_text(element: str, text: MultilingualText) -> None:
        rows.extend([element, lang, value] for lang, value in text)

    add_text("title", item.title)
    rows.append(["identifier", "", urls.object(item.accession)])
    rows.append(["identifier", "", item.accession])
    rows.extend(["identifier", "", other] for other in item.identifiers)
    add_text("title", item.alternative_title)
    for agent in _agents(item.creators):
        add_text("creator", agent.name)
    for agent in _agents(item.contributors):
        add_text("contributor", agent.name)
    for concept in item.subjects:
        add_text("subject", concept.label)
    add_text("description", item.description)
    if item.date is not None:
        rows.append(["date", "", item.date.text])
    kind = dc_type(item.kind)
    if kind:
        rows.append(["type", "", kind])
    rows.extend(["format", "", t] for t in sorted({m.media_type for m in item.media}))
    if item.source is not None:
        add_text("source", item.source.name)
    rows.extend(["language", "", lang] for lang in item.languages)
    for place in item.places:
        add_text("coverage", place.name)
    if collection.publisher is not None:
        add_text("publisher", collection.publisher.name)
    rows.append(["relation", "", urls.manifest(item.accession)])
    rights = item.rights or collection.rights
    if rights:
        rows.append(["rights", "", rights])
    add_text("rights", item.credit_line or collection.credit_line)
    return rows


def _item_entry(item: Item, collection: Collection, urls: UrlScheme) -> dict[str, Any]:
    places = [*item.places, *([item.place_made] if item.place_made and item.place_made not in item.places else [])]
    return {
        "accession": item.accession,
        "iri": urls.object(item.accession),
        "section": item.section,
        "kind": item.kind.value,
        "title": _ml(item.title),
        "description": _ml(item.description),
        "date": item.date.text if item.date is not None else None,
        "places": [
            {"key": p.key, "name": _ml(p.name), "lat": p.latitude, "lon": p.longitude} for p in places
        ],
        "creators": [_ml(a.name) for a in _agents(item.creators)],
        "credit": _ml(item.credit_line or collection.credit_line),
        "rights": item.rights or collection.rights,
        "dc": dc_elements(item, collection, urls),
    }


def snapshot_head(collection: Collection, urls: UrlScheme, *, datestamp: int | None = None) -> dict[str, Any]:
    """The snapshot without its ``items`` (the collection's labels, sections, publisher …)."""
    publisher = collection.publisher
    # The catalogue's contact, else its publisher's: never an invented address (OAI-PMH then answers P040).
    email = collection.admin_email or (publisher.email if publisher and publisher.email else None)
    return {
        "format": 1,
        "key": collection.key,
        "base_url": urls.base_url,
        "title": _ml(collection.title),
        "summary": _ml(collection.summary),
        "languages": list(collection.languages or _languages_of(collection)),
        "publisher": _ml(publisher.name) if publisher else [],
        "admin_email": email,
        "metadata_license": collection.metadata_license,
        "datestamp": datestamp,
        "sections": [
            {"key": s.key, "title": _ml(s.title), "summary": _ml(s.summary)} for s in collection.sections
        ],
    }


def item_entry(item: Item, collection: Collection, urls: UrlScheme) -> dict[str, Any]:
    """One item's entry in the snapshot: the values its page shows and its ``oai_dc`` record."""
    return _item_entry(item, collection, urls)


def make_snapshot(collection: Collection, urls: UrlScheme, *, datestamp: int | None = None) -> dict[str, Any]:
    """The snapshot of a collection as a JSON-ready dict (see the module docstring).

    ``datestamp`` is the build time (``SOURCE_DATE_EPOCH``) in Unix seconds, or ``None`` when the build had
    none (the server then uses the files' modification times). The build streams the same document with
    :func:`write_snapshot` and ``items=`` instead, so its memory does not grow with the collection.
    """
    return {**snapshot_head(collection, urls, datestamp=datestamp),
            "items": [_item_entry(i, collection, urls) for i in collection.items]}


def _languages_of(collection: Collection) -> tuple[str, ...]:
    langs = sorted({lang for lang in collection.title.languages if lang})
    return tuple(langs) or ("en",)


def write_snapshot(snapshot: Mapping[str, Any], out: Path, *, items: Iterable[Mapping[str, Any]] | None = None) -> Path:
    """Write the snapshot to ``OUT/site/data/exhibition.json`` (sorted keys, UTF-8) and return its path.

    ``items``, when given, are written as the snapshot's ``items`` one by one as they come (the build passes a
    generator: the whole list is never in memory); the text is the same as ``json.dumps(…, indent=1,
    sort_keys=True)`` of the whole document. The file is replaced atomically: a running ``heritage-ld serve``
    never reads a half-written snapshot.
    """
    path = out / SNAPSHOT_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    head = {k: v for k, v in snapshot.items() if not (items is not None and k == "items")}
    entries: Iterable[Mapping[str, Any]] = items if items is not None else ()
    keys = sorted({*head, *(["items"] if items is not None else [])})
    tmp = temporary_path(path)
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write("{")
            for n, key in enumerate(keys):
                f.write(("\n" if n == 0 else ",\n") + f" {json.dumps(key)}: ")
                if key == "items" and items is not None:
                    first = True
                    f.write("[")
                    for entry in entries:
                        f.write(("\n" if first else ",\n") + _indented(_dumps(entry), "  ", first_line=True))
                        first = False
                    f.write("]" if first else "\n ]")
                else:
                    f.write(_indented(_dumps(head[key]), " ", first_line=False))
            f.write("\n}\n")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1)


def _indented(text: str, prefix: str, *, first_line: bool) -> str:
    lines = text.split("\n")
    return "\n".join((prefix + line) if (n or first_line) else line for n, line in enumerate(lines))


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A snapshot read back from a build output folder."""

    out: Path
    data: Mapping[str, Any]

    @property
    def base_url(self) -> str:
        return str(self.data["base_url"])

    @property
    def items(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self.data["items"]
        return items

    @property
    def sections(self) -> list[dict[str, Any]]:
        sections: list[dict[str, Any]] = self.data["sections"]
        return sections

    def item(self, accession: str) -> dict[str, Any] | None:
        return next((i for i in self.items if i["accession"] == accession), None)


def read_snapshot(out: Path) -> Snapshot:
    """Read ``OUT/site/data/exhibition.json``.

    Raises:
        UsageError: the folder has no snapshot (the ``site`` step has not run) or it is not readable.
    """
    path = out / SNAPSHOT_PATH
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path} does not exist: run 'heritage-ld build' (with the site step) first") from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path} cannot be read: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != 1:
        raise UsageError(f"{path} is not a heritage-ld exhibition snapshot (format 1)")
    return Snapshot(out, data)
