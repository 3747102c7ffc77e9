"""IIIF Change Discovery API 1.0: the change stream of a collection's manifests, as static JSON.

An ActivityStreams ``OrderedCollection`` (``OUT/iiif/activity/all-changes.json``) pointing to its first and last
``OrderedCollectionPage`` (``OUT/iiif/activity/page-N.json``), each listing ``Create``, ``Update`` and ``Delete``
activities on the item manifests, the exhibition's IIIF Collection and its exhibition manifest, oldest first
(spec §3.2: "the most recent activities occur last"), with ``endTime`` from the build's history. Pages hold a
fixed number of activities, so a full page never changes again: a consumer walking backwards from ``last``
(spec §3.5) stops at the first activity older than its last crawl.

The history comes in as plain tuples (the emitter knows nothing of the build ledger that keeps it):
``(seq, time, kind, type, target)`` with ``kind`` ``create``/``update``/``delete``, ``type`` ``manifest`` (target:
an accession), ``collection`` or ``exhibition`` (target: the path of the document under OUT).

Spec: https://iiif.io/api/discovery/1.0/

>>> from heritage_ld.model import UrlScheme
>>> urls = UrlScheme("https://example.org/c")
>>> docs = change_stream([(1, 0, "create", "manifest", "HN.1")], urls)
>>> docs["iiif/activity/all-changes.json"]["last"]["id"]
'https://example.org/c/iiif/activity/page-0.json'
>>> docs["iiif/activity/page-0.json"]["orderedItems"][0]["object"]
{'id': 'https://example.org/c/iiif/HN.1/manifest.json', 'type': 'Manifest'}
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from heritage_ld.model import UrlScheme

__all__ = ["ACTIVITY_DIR", "CONTEXT", "PAGE_SIZE", "Change", "change_stream", "write_change_stream"]

#: The JSON-LD context of the Change Discovery API (never fetched).
CONTEXT = "http://iiif.io/api/discovery/1/context.json"
#: Where the stream lives under the build output folder.
ACTIVITY_DIR = "iiif/activity"
#: Activities per page: small enough for a quick poll, large enough for few files.
PAGE_SIZE = 100

#: One change: (sequence number, Unix time, kind, type, target).
Change = tuple[int, int, str, str, str]

_ACTIVITY = {"create": "Create", "update": "Update", "delete": "Delete"}


def _time(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _object(urls: UrlScheme, type_: str, target: str) -> dict[str, str]:
    if type_ == "manifest":
        return {"id": urls.manifest(target), "type": "Manifest"}
    if type_ == "collection":
        return {"id": f"{urls.base_url}/{target}", "type": "Collection"}
    return {"id": f"{urls.base_url}/{target}", "type": "Manifest"}  # the exhibition manifest


def _ref(url: str, type_: str) -> dict[str, str]:
    return {"id": url, "type": type_}


def change_stream(history: Iterable[Change], urls: UrlScheme, *, page_size: int = PAGE_SIZE) -> dict[str, dict[str, Any]]:
    """The stream's documents by their path under OUT (``iiif/activity/…``), from the history, oldest first.

    With no history at all the stream still has one page (the spec asks for at least one), listing nothing;
    a consumer sees ``totalItems`` 0.
    """
    if page_size < 1:
        raise ValueError("page_size must be at least 1")
    changes: Sequence[Change] = sorted(history)
    base = f"{urls.base_url}/{ACTIVITY_DIR}"
    collection_id = f"{base}/all-changes.json"

    def page_id(n: int) -> str:
        return f"{base}/page-{n}.json"

    count = max(1, -(-len(changes) // page_size))
    docs: dict[str, dict[str, Any]] = {
        f"{ACTIVITY_DIR}/all-changes.json": {
            "@context": CONTEXT,
            "id": collection_id,
            "type": "OrderedCollection",
            "totalItems": len(changes),
            "first": _ref(page_id(0), "OrderedCollectionPage"),
            "last": _ref(page_id(count - 1), "OrderedCollectionPage"),
        }
    }
    for n in range(count):
        chunk = changes[n * page_size : (n + 1) * page_size]
        page: dict[str, Any] = {
            "@context": CONTEXT,
            "id": page_id(n),
            "type": "OrderedCollectionPage",
            "partOf": _ref(collection_id, "OrderedCollection"),
            "startIndex": n * page_size,
        }
        if n > 0:
            page["prev"] = _ref(page_id(n - 1), "OrderedCollectionPage")
        if n + 1 < count:
            page["next"] = _ref(page_id(n + 1), "OrderedCollectionPage")
        page["orderedItems"] = [
            {
                "type": _ACTIVITY[kind],
                "object": _object(urls, type_, target),
                "endTime": _time(when),
            }
            for seq, when, kind, type_, target in chunk
        ]
        docs[f"{ACTIVITY_DIR}/page-{n}.json"] = page
    return docs


def write_change_stream(history: Iterable[Change], urls: UrlScheme, out: Path, *, page_size: int = PAGE_SIZE) -> list[str]:
    """Write the stream under ``out`` (only files whose bytes change) and return the paths of its documents.

    Pages beyond the last one (left by an older, longer stream) are removed.
    """
    from heritage_ld.iiif.serialize import write_json

    docs = change_stream(history, urls, page_size=page_size)
    for path, doc in docs.items():
        write_json(doc, out / path)
    folder = out / ACTIVITY_DIR
    for stale in folder.glob("page-*.json"):
        if f"{ACTIVITY_DIR}/{stale.name}" not in docs:
            stale.unlink()
    return sorted(docs)
