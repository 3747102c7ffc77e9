"""IIIF Change Discovery API 1.0: the change stream of a collection's manifests, as static JSON.

An ActivityStreams ``OrderedCollection`` (``OUT/iiif/activity/all-changes.json``) pointing to its first and last
``OrderedCollectionPage`` (``OUT/iiif/activity/page-N.json``), each listing ``Create``, ``Update`` and ``Delete``
activities on the item manifests, the exhibition's IIIF Collection and its exhibition manifest, oldest first
(spec §3.2: "the most recent activities occur last"), with ``endTime`` from the build's history. Pages hold a
fixed number of activities, so a full page's activities never change again (it only gains a ``next`` link when
the page after it appears): a consumer walking backwards from ``last`` (spec §3.5) stops at the first activity
older than its last crawl. ``endTime`` never decreases along the stream, whatever the clock of each build did.

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

__all__ = ["ACTIVITY_DIR", "CONTEXT", "MEDIA_TYPE", "PAGE_SIZE", "Change", "change_stream", "write_change_stream"]

#: The JSON-LD context of the Change Discovery API (never fetched).
CONTEXT = "http://iiif.io/api/discovery/1/context.json"
#: The media type the stream's documents are served with (spec §4.1).
MEDIA_TYPE = f'application/ld+json;profile="{CONTEXT}"'
#: Where the stream lives under the build output folder.
ACTIVITY_DIR = "iiif/activity"
#: Activities per page: small enough for a quick poll, large enough for few files.
PAGE_SIZE = 100

#: One change: (sequence number, Unix time, kind, type, target).
Change = tuple[int, int, str, str, str]

_ACTIVITY = {"create": "Create", "update": "Update", "delete": "Delete"}
_TYPES = ("manifest", "collection", "exhibition")


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


def _activities(changes: Sequence[Change], urls: UrlScheme) -> list[dict[str, Any]]:
    """One activity per change, in the ledger's order, ``endTime`` never earlier than the one before.

    Spec §3.2 ``orderedItems``: activities MUST run from the earliest ``endTime`` to the most recent. A build
    dated earlier than the one before it (an older ``SOURCE_DATE_EPOCH``) records its changes after the earlier
    ones with an earlier time; re-sorting by time would move them into full pages that consumers have already
    read, so each change is dated at the latest time recorded so far instead (later, never earlier, than the
    change: the object is available "at or before" it, §3.3 ``endTime``).
    """
    out: list[dict[str, Any]] = []
    latest: int | None = None
    for _, when, kind, type_, target in changes:
        if kind not in _ACTIVITY:
            raise ValueError(f"unknown change kind {kind!r}: expected one of {', '.join(_ACTIVITY)}")
        if type_ not in _TYPES:
            raise ValueError(f"unknown change type {type_!r}: expected one of {', '.join(_TYPES)}")
        latest = when if latest is None else max(latest, when)
        out.append({"type": _ACTIVITY[kind], "object": _object(urls, type_, target), "endTime": _time(latest)})
    return out


def change_stream(history: Iterable[Change], urls: UrlScheme, *, page_size: int = PAGE_SIZE) -> dict[str, dict[str, Any]]:
    """The stream's documents by their path under OUT (``iiif/activity/…``), from the history, oldest first.

    Args:
        history: the changes, in any order; they are listed by sequence number.
        urls: mints the ids of the stream and of the objects.
        page_size: activities per page; every page but the last is full.

    Returns:
        ``iiif/activity/all-changes.json`` (the ``OrderedCollection``) and ``iiif/activity/page-N.json`` (its
        pages); nothing at all when the history is empty, since a page MUST list at least one activity
        (spec §3.2 ``orderedItems``).

    Raises:
        ValueError: ``page_size`` below 1, or a change of an unknown kind or type.
    """
    if page_size < 1:
        raise ValueError("page_size must be at least 1")
    activities = _activities(sorted(history), urls)
    if not activities:
        return {}
    base = f"{urls.base_url}/{ACTIVITY_DIR}"
    collection_id = f"{base}/all-changes.json"

    def page_id(n: int) -> str:
        return f"{base}/page-{n}.json"

    count = -(-len(activities) // page_size)
    docs: dict[str, dict[str, Any]] = {
        f"{ACTIVITY_DIR}/all-changes.json": {
            "@context": CONTEXT,
            "id": collection_id,
            "type": "OrderedCollection",
            "totalItems": len(activities),
            "first": _ref(page_id(0), "OrderedCollectionPage"),
            "last": _ref(page_id(count - 1), "OrderedCollectionPage"),
        }
    }
    for n in range(count):
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
        page["orderedItems"] = activities[n * page_size : (n + 1) * page_size]
        docs[f"{ACTIVITY_DIR}/page-{n}.json"] = page
    return docs


def write_change_stream(history: Iterable[Change], urls: UrlScheme, out: Path, *, page_size: int = PAGE_SIZE) -> list[str]:
    """Write the stream under ``out`` (only files whose bytes change) and return the paths of its documents.

    The pages are written first and the collection last, so that a consumer reading during a rebuild is never
    sent by ``last`` to a page that is not there yet; pages beyond the last one (left by an older, longer
    stream) are removed after. With no history, an older stream is removed altogether.
    """
    from heritage_ld.iiif import serialize

    docs = change_stream(history, urls, page_size=page_size)
    collection = f"{ACTIVITY_DIR}/all-changes.json"
    for name in sorted(docs, key=lambda p: (p == collection, len(p), p)):
        serialize.write_json(docs[name], out / name)
    folder = out / ACTIVITY_DIR
    ours = [folder / "all-changes.json", *sorted(folder.glob("page-*.json"))]  # the collection goes first
    for path in ours:
        if f"{ACTIVITY_DIR}/{path.name}" not in docs:
            path.unlink(missing_ok=True)
    return sorted(docs)
