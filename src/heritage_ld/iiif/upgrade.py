"""Upgrading IIIF Presentation 2.x Manifests and Collections to Presentation 3.0 (the parts a harvester reads).

Follows the "changes from 2.1" table of https://iiif.io/api/presentation/3.0/change-log/: ``@id``/``@type`` become
``id``/``type``; strings and ``@value``/``@language`` objects become language maps; ``description`` becomes
``summary``, ``attribution`` ``requiredStatement``, ``license`` ``rights``, ``related`` ``homepage``, ``within``
``partOf``, ``viewingHint`` ``behavior``; the first ``sequence``'s canvases become ``items``, each image annotation
(``images``, ``resource``, ``on``) a painting Annotation in an AnnotationPage (``items``, ``body``, ``target``);
``structures`` become Ranges; a Collection's ``manifests``/``collections``/``members`` become ``items``.
Properties with no Presentation 3 counterpart are dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from heritage_ld.iiif.manifest import PRESENTATION_CONTEXT

__all__ = ["upgrade"]

_TYPES = {"sc:Manifest": "Manifest", "sc:Collection": "Collection", "sc:Canvas": "Canvas", "sc:Range": "Range",
          "dctypes:Image": "Image", "dctypes:Sound": "Sound", "dctypes:Text": "Text", "dctypes:Dataset": "Dataset"}
_HINTS = {"paged", "continuous", "individuals", "non-paged", "facing-pages", "top", "multi-part", "together"}


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _lang_map(value: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for v in _list(value):
        if isinstance(v, str):
            out.setdefault("none", []).append(v)
        elif isinstance(v, Mapping) and isinstance(v.get("@value"), str):
            lang = v.get("@language")
            out.setdefault(lang if isinstance(lang, str) and lang else "none", []).append(v["@value"])
    return out


def _id(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        got = value.get("@id", value.get("id"))
        return got if isinstance(got, str) else None
    return None


def _refs(value: Any, kind: str) -> list[dict[str, Any]]:
    out = []
    for v in _list(value):
        ref_id = _id(v)
        if ref_id is None:
            continue
        ref: dict[str, Any] = {"id": ref_id, "type": kind}
        if isinstance(v, Mapping):
            label = _lang_map(v.get("label"))
            if label:
                ref["label"] = label
            if isinstance(v.get("format"), str):
                ref["format"] = v["format"]
            if isinstance(v.get("profile"), str):
                ref["profile"] = v["profile"]
        out.append(ref)
    return out


def _service(value: Any) -> list[dict[str, Any]]:
    out = []
    for svc in _list(value):
        sid = _id(svc)
        if sid is None or not isinstance(svc, Mapping):
            continue
        context = str(svc.get("@context", ""))
        kind = "ImageService2" if "image/2" in context else "ImageService1" if "image/1" in context else "Service"
        profile = next((p for p in _list(svc.get("profile")) if isinstance(p, str)), None)
        entry: dict[str, Any] = {"id": sid, "type": kind}
        if profile:
            entry["profile"] = profile.rsplit("/", 1)[-1].removesuffix(".json") if kind != "Service" else profile
        out.append(entry)
    return out


def _canvas(canvas: Mapping[str, Any], index: int) -> dict[str, Any]:
    cid = _id(canvas) or f"urn:canvas:{index}"
    out: dict[str, Any] = {"id": cid, "type": "Canvas"}
    label = _lang_map(canvas.get("label"))
    if label:
        out["label"] = label
    for key in ("width", "height"):
        if isinstance(canvas.get(key), int):
            out[key] = canvas[key]
    annotations = []
    for k, anno in enumerate(_list(canvas.get("images")), start=1):
        if not isinstance(anno, Mapping):
            continue
        res = anno.get("resource")
        body_id = _id(res)
        if body_id is None or not isinstance(res, Mapping):
            continue
        body: dict[str, Any] = {"id": body_id, "type": _TYPES.get(str(res.get("@type")), "Image")}
        if isinstance(res.get("format"), str):
            body["format"] = res["format"]
        for key in ("width", "height"):
            if isinstance(res.get(key), int):
                body[key] = res[key]
        service = _service(res.get("service"))
        if service:
            body["service"] = service
        annotations.append({"id": _id(anno) or f"{cid}/annotation/{k}", "type": "Annotation",
                            "motivation": "painting", "body": body, "target": _id(anno.get("on")) or cid})
    if annotations:
        out["items"] = [{"id": f"{cid}/page/1", "type": "AnnotationPage", "items": annotations}]
    return out


def _common(doc: Mapping[str, Any], out: dict[str, Any]) -> None:
    summary = _lang_map(doc.get("description"))
    if summary:
        out["summary"] = summary
    metadata = [{"label": _lang_map(m.get("label")), "value": _lang_map(m.get("value"))}
                for m in _list(doc.get("metadata")) if isinstance(m, Mapping)]
    metadata = [m for m in metadata if m["label"] and m["value"]]
    if metadata:
        out["metadata"] = metadata
    attribution = _lang_map(doc.get("attribution"))
    if attribution:
        out["requiredStatement"] = {"label": {"en": ["Attribution"]}, "value": attribution}
    rights = next((r for r in (_id(x) for x in _list(doc.get("license"))) if r and r.startswith("http")), None)
    if rights:
        out["rights"] = rights
    for old, new, kind in (("related", "homepage", "Text"), ("seeAlso", "seeAlso", "Dataset"),
                           ("within", "partOf", "Collection"), ("thumbnail", "thumbnail", "Image")):
        refs = _refs(doc.get(old), kind)
        if refs:
            out[new] = refs
    if isinstance(doc.get("navDate"), str):
        out["navDate"] = doc["navDate"]
    hints = [h for h in _list(doc.get("viewingHint")) if isinstance(h, str) and h in _HINTS]
    if hints:
        out["behavior"] = hints
    if doc.get("viewingDirection") in ("left-to-right", "right-to-left", "top-to-bottom", "bottom-to-top"):
        out["viewingDirection"] = doc["viewingDirection"]


def upgrade(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A Presentation 3.0 version of a Presentation 2.x Manifest or Collection.

    >>> m = upgrade({"@context": "http://iiif.io/api/presentation/2/context.json", "@id": "https://e.org/m",
    ...              "@type": "sc:Manifest", "label": "Old", "sequences": [{"canvases": [{"@id": "https://e.org/c",
    ...              "@type": "sc:Canvas", "width": 10, "height": 20, "label": "p. 1"}]}]})
    >>> m["type"], m["label"], m["items"][0]["height"]
    ('Manifest', {'none': ['Old']}, 20)
    """
    kind = _TYPES.get(str(doc.get("@type")), str(doc.get("@type", "")))
    out: dict[str, Any] = {"@context": PRESENTATION_CONTEXT, "id": _id(doc) or "", "type": kind,
                           "label": _lang_map(doc.get("label")) or {"none": [_id(doc) or ""]}}
    _common(doc, out)
    if kind == "Collection":
        members = _list(doc.get("members")) or _list(doc.get("collections")) + _list(doc.get("manifests"))
        items = []
        for m in members:
            if isinstance(m, Mapping) and _id(m):
                ref: dict[str, Any] = {"id": _id(m), "type": _TYPES.get(str(m.get("@type")), "Manifest")}
                ref["label"] = _lang_map(m.get("label")) or {"none": [ref["id"]]}
                items.append(ref)
        out["items"] = items
        return out
    sequences = [s for s in _list(doc.get("sequences")) if isinstance(s, Mapping)]
    canvases = [c for c in _list(sequences[0].get("canvases")) if isinstance(c, Mapping)] if sequences else []
    out["items"] = [_canvas(c, k) for k, c in enumerate(canvases, start=1)]
    ranges = []
    for r in _list(doc.get("structures")):
        range_id = _id(r)
        if isinstance(r, Mapping) and range_id:
            members = [{"id": c, "type": "Canvas"} for c in _list(r.get("canvases")) if isinstance(c, str)]
            members += [{"id": x, "type": "Range"} for x in _list(r.get("ranges")) if isinstance(x, str)]
            if members:
                ranges.append({"id": range_id, "type": "Range",
                               "label": _lang_map(r.get("label")) or {"none": [range_id]}, "items": members})
    if ranges:
        out["structures"] = ranges
    return out
