"""Reading IIIF Presentation 3.0 manifests and collections (ours or another museum's) into small typed values.

Aggregating tools harvest IIIF as they harvest RDF: :func:`load` takes a file, JSON bytes or an already parsed
dict and returns a :class:`ManifestRecord` or :class:`CollectionRecord`. It is lenient where the specification
lets publishers vary (a plain string where a language map is expected, annotation pages that are referenced, not
embedded, ``Choice`` bodies) and strict about what it is: a Presentation 2.x document (``@context``
``…/presentation/2/context.json``, ``sc:Manifest``) raises :class:`PresentationVersionError` (problem ``I001``)
rather than being half-read, and anything that is not a Manifest or Collection raises ``I002``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from heritage_ld.errors import FormatError
from heritage_ld.problems import Location, Problem, report

__all__ = [
    "CanvasRecord",
    "CollectionRecord",
    "LanguageMap",
    "ManifestRecord",
    "PresentationVersionError",
    "Reference",
    "load",
    "presentation_version",
]

#: A language map as read: language (or ``none``) → values.
LanguageMap = Mapping[str, tuple[str, ...]]


class PresentationVersionError(FormatError):
    """The document is IIIF Presentation 2.x (or 1), not 3.0; :attr:`problem` is the ``I001`` problem."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(problem.render())


@dataclass(frozen=True, slots=True)
class Reference:
    """A linked or embedded resource: its ``id``, ``type``, ``label`` and ``format`` (when given)."""

    id: str
    type: str
    label: LanguageMap = field(default_factory=dict)
    format: str | None = None


@dataclass(frozen=True, slots=True)
class CanvasRecord:
    """A Canvas: its size (or duration) and the resources painted on it (images, sound, video, text)."""

    id: str
    label: LanguageMap
    width: int | None
    height: int | None
    duration: float | None
    content: tuple[Reference, ...]
    services: tuple[str, ...] = ()  # ids of the Image API services of the painted images


@dataclass(frozen=True, slots=True)
class ManifestRecord:
    """What a harvester needs of a Manifest (Presentation 3.0 §5.3)."""

    id: str
    label: LanguageMap
    summary: LanguageMap
    metadata: tuple[tuple[LanguageMap, LanguageMap], ...]
    required_statement: tuple[LanguageMap, LanguageMap] | None
    rights: str | None
    nav_date: str | None
    behavior: tuple[str, ...]
    viewing_direction: str | None
    homepage: tuple[Reference, ...]
    see_also: tuple[Reference, ...]
    rendering: tuple[Reference, ...]
    part_of: tuple[Reference, ...]
    provider: tuple[Reference, ...]
    thumbnail: tuple[Reference, ...]
    canvases: tuple[CanvasRecord, ...]
    ranges: tuple[Reference, ...]
    contexts: tuple[str, ...]

    @property
    def type(self) -> str:
        return "Manifest"


@dataclass(frozen=True, slots=True)
class CollectionRecord:
    """A Collection (§5.2): the manifests and collections it lists, in order."""

    id: str
    label: LanguageMap
    summary: LanguageMap
    items: tuple[Reference, ...]
    rights: str | None
    contexts: tuple[str, ...]

    @property
    def type(self) -> str:
        return "Collection"


def _contexts(doc: Mapping[str, Any]) -> tuple[str, ...]:
    ctx = doc.get("@context", ())
    values = ctx if isinstance(ctx, list) else [ctx]
    return tuple(c for c in values if isinstance(c, str))


def presentation_version(doc: Mapping[str, Any]) -> int | None:
    """The Presentation API major version a document declares (2 or 3), ``None`` when it says nothing.

    >>> presentation_version({"@context": "http://iiif.io/api/presentation/2/context.json"})
    2
    >>> presentation_version({"@context": ["http://iiif.io/api/extension/navplace/context.json",
    ...                                    "http://iiif.io/api/presentation/3/context.json"]})
    3
    """
    for c in _contexts(doc):
        for version in (3, 2, 1):
            if f"iiif.io/api/presentation/{version}/" in c:
                return version
    kind = doc.get("@type")
    if isinstance(kind, str) and kind.startswith("sc:"):
        return 2
    return None


def _lang_map(value: Any) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    if isinstance(value, str):
        return {"none": (value,)}
    if isinstance(value, Mapping):
        out: dict[str, tuple[str, ...]] = {}
        for lang, texts in value.items():
            if isinstance(texts, str):
                out[str(lang)] = (texts,)
            elif isinstance(texts, list):
                out[str(lang)] = tuple(str(t) for t in texts)
        return out
    if isinstance(value, list):
        return {"none": tuple(str(v) for v in value if isinstance(v, str))}
    return {}


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _refs(value: Any) -> tuple[Reference, ...]:
    out = []
    for v in _as_list(value):
        if isinstance(v, str):
            out.append(Reference(v, ""))
        elif isinstance(v, Mapping) and isinstance(v.get("id"), str):
            fmt = v.get("format")
            out.append(Reference(v["id"], str(v.get("type", "")), _lang_map(v.get("label")),
                                 fmt if isinstance(fmt, str) else None))
    return tuple(out)


def _pair(value: Any) -> tuple[LanguageMap, LanguageMap] | None:
    if not isinstance(value, Mapping):
        return None
    return _lang_map(value.get("label")), _lang_map(value.get("value"))


def _bodies(body: Any) -> list[Mapping[str, Any]]:
    out: list[Mapping[str, Any]] = []
    for b in _as_list(body):
        if isinstance(b, Mapping) and b.get("type") == "Choice":  # §5.5 Choice: the alternatives
            out.extend(_bodies(b.get("items")))
        elif isinstance(b, Mapping):
            out.append(b)
    return out


def _canvas(canvas: Mapping[str, Any]) -> CanvasRecord:
    content: list[Reference] = []
    services: list[str] = []
    for page in _as_list(canvas.get("items")):
        if not isinstance(page, Mapping):
            continue
        for anno in _as_list(page.get("items")):
            if not isinstance(anno, Mapping) or anno.get("motivation") not in (None, "painting"):
                continue
            for body in _bodies(anno.get("body")):
                content.extend(_refs(body))
                for svc in _as_list(body.get("service")):
                    sid = svc.get("id") or svc.get("@id") if isinstance(svc, Mapping) else None
                    if isinstance(sid, str):
                        services.append(sid)
    width, height, duration = canvas.get("width"), canvas.get("height"), canvas.get("duration")
    return CanvasRecord(
        id=str(canvas.get("id", "")),
        label=_lang_map(canvas.get("label")),
        width=width if isinstance(width, int) else None,
        height=height if isinstance(height, int) else None,
        duration=float(duration) if isinstance(duration, (int, float)) else None,
        content=tuple(content),
        services=tuple(services),
    )


def _read(source: Path | str | bytes | Mapping[str, Any]) -> tuple[Mapping[str, Any], str]:
    if isinstance(source, Mapping):
        return source, str(source.get("id") or source.get("@id") or "<document>")
    if isinstance(source, bytes):
        name, data = "<bytes>", source
    else:
        name = str(source)
        try:
            data = Path(source).read_bytes()
        except OSError as exc:
            raise FormatError(report("I002", Location(name), value=name, reason=str(exc)).render()) from exc
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FormatError(report("I002", Location(name), value=name, reason=f"not JSON: {exc}").render()) from exc
    if not isinstance(doc, dict):
        raise FormatError(report("I002", Location(name), value=name, reason="not a JSON object").render())
    return doc, name


def load(source: Path | str | bytes | Mapping[str, Any], *, upgrade: bool = False
         ) -> ManifestRecord | CollectionRecord:
    """Read a IIIF Presentation 3.0 Manifest or Collection.

    Args:
        source: a file path, the JSON bytes, or the parsed document.
        upgrade: read a Presentation 2.x document too, upgraded with :func:`heritage_ld.iiif.upgrade.upgrade`.

    Raises:
        PresentationVersionError: a Presentation 2.x or 1.x document (``I001``), unless ``upgrade`` for 2.x.
        FormatError: not JSON, or not a Manifest or Collection (``I002``).

    >>> m = load({"@context": "http://iiif.io/api/presentation/3/context.json", "id": "https://example.org/m",
    ...           "type": "Manifest", "label": {"en": ["Kham Thien"]}, "items": [{"id": "https://example.org/c",
    ...           "type": "Canvas", "width": 600, "height": 400}]})
    >>> m.label["en"], m.canvases[0].width
    (('Kham Thien',), 600)
    """
    doc, name = _read(source)
    version = presentation_version(doc)
    if upgrade and (version == 2 or ("type" not in doc and "@type" in doc)):
        from heritage_ld.iiif.upgrade import upgrade as upgrade_document

        doc = upgrade_document(doc)
        version = 3
    if version is not None and version < 3:
        raise PresentationVersionError(report("I001", Location(name), value=name, version=f"{version}.x"))
    kind = doc.get("type")
    if "type" not in doc and "@type" in doc:
        raise PresentationVersionError(report("I001", Location(name), value=name, version="2.x"))
    if not isinstance(doc.get("id"), str):
        raise FormatError(report("I002", Location(name), value=name, reason="it has no 'id'").render())
    if kind == "Collection":
        return CollectionRecord(
            id=doc["id"], label=_lang_map(doc.get("label")), summary=_lang_map(doc.get("summary")),
            items=_refs(doc.get("items")), rights=doc.get("rights") if isinstance(doc.get("rights"), str) else None,
            contexts=_contexts(doc),
        )
    if kind != "Manifest":
        raise FormatError(report("I002", Location(name), value=name,
                                 reason=f"its type is {kind!r}, not 'Manifest' or 'Collection'").render())
    nav_date = doc.get("navDate")
    direction = doc.get("viewingDirection")
    return ManifestRecord(
        id=doc["id"],
        label=_lang_map(doc.get("label")),
        summary=_lang_map(doc.get("summary")),
        metadata=tuple(p for p in (_pair(m) for m in _as_list(doc.get("metadata"))) if p is not None),
        required_statement=_pair(doc.get("requiredStatement")),
        rights=doc.get("rights") if isinstance(doc.get("rights"), str) else None,
        nav_date=nav_date if isinstance(nav_date, str) else None,
        behavior=tuple(b for b in _as_list(doc.get("behavior")) if isinstance(b, str)),
        viewing_direction=direction if isinstance(direction, str) else None,
        homepage=_refs(doc.get("homepage")),
        see_also=_refs(doc.get("seeAlso")),
        rendering=_refs(doc.get("rendering")),
        part_of=_refs(doc.get("partOf")),
        provider=_refs(doc.get("provider")),
        thumbnail=_refs(doc.get("thumbnail")),
        canvases=tuple(_canvas(c) for c in _as_list(doc.get("items")) if isinstance(c, Mapping)),
        ranges=_refs(doc.get("structures")),
        contexts=_contexts(doc),
    )
