"""The IIIF Change Discovery 1.0 emitter (``heritage_ld.iiif.changes``): documents, order, pages, files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from heritage_ld.iiif import changes as changes_module
from heritage_ld.iiif.changes import ACTIVITY_DIR, MEDIA_TYPE, change_stream, write_change_stream
from heritage_ld.model import UrlScheme

URLS = UrlScheme("https://example.org/c")
COLLECTION = f"{ACTIVITY_DIR}/all-changes.json"


def _items(docs: dict[str, dict[str, object]]) -> list[dict[str, object]]:
    pages = sorted((p for p in docs if p != COLLECTION), key=lambda p: int(p.rsplit("-", 1)[1].split(".")[0]))
    return [a for p in pages for a in docs[p]["orderedItems"]]  # type: ignore[attr-defined]


def test_one_change_one_page() -> None:
    docs = change_stream([(1, 0, "create", "manifest", "HN.1")], URLS)
    assert sorted(docs) == [COLLECTION, f"{ACTIVITY_DIR}/page-0.json"]
    coll = docs[COLLECTION]
    assert next(iter(coll)) == "@context"
    assert coll["first"] == coll["last"] == {"id": "https://example.org/c/iiif/activity/page-0.json",
                                            "type": "OrderedCollectionPage"}
    page = docs[f"{ACTIVITY_DIR}/page-0.json"]
    assert "prev" not in page and "next" not in page
    assert page["orderedItems"] == [{"type": "Create", "object": {
        "id": "https://example.org/c/iiif/HN.1/manifest.json", "type": "Manifest"}, "endTime": "1970-01-01T00:00:00Z"}]


def test_collection_and_exhibition_objects() -> None:
    docs = change_stream([(1, 5, "create", "collection", "iiif/collection.json"),
                          (2, 5, "update", "exhibition", "iiif/exhibition.json")], URLS)
    objects = [a["object"] for a in _items(docs)]
    assert objects == [{"id": "https://example.org/c/iiif/collection.json", "type": "Collection"},
                       {"id": "https://example.org/c/iiif/exhibition.json", "type": "Manifest"}]


def test_end_times_never_go_back_when_the_clock_did() -> None:
    """Spec §3.2 orderedItems: MUST be ordered from the earliest endTime to the most recent. A rebuild with an
    earlier SOURCE_DATE_EPOCH than the last one records later events with an earlier time: the stream keeps the
    ledger's order (full pages never change) and dates such an event no earlier than the one before it."""
    history = [(1, 2000, "create", "manifest", "A"), (2, 1000, "update", "manifest", "A"),
               (3, 3000, "update", "manifest", "B")]
    times = [a["endTime"] for a in _items(change_stream(history, URLS, page_size=2))]
    assert times == ["1970-01-01T00:33:20Z", "1970-01-01T00:33:20Z", "1970-01-01T00:50:00Z"]
    assert times == sorted(times)


def test_no_history_no_page_without_activities() -> None:
    """Spec §3.2: orderedItems MUST have at least one item; with nothing recorded there is no stream at all."""
    docs = change_stream([], URLS)
    for doc in docs.values():
        if doc["type"] == "OrderedCollectionPage":
            assert doc["orderedItems"], "a page with no activity"
    assert docs == {}


def test_writing_no_history_removes_an_old_stream(tmp_path: Path) -> None:
    write_change_stream([(1, 0, "create", "manifest", "A")], URLS, tmp_path)
    assert write_change_stream([], URLS, tmp_path) == []
    assert not (tmp_path / COLLECTION).exists()
    assert list((tmp_path / ACTIVITY_DIR).glob("*.json")) == []


def test_pages_are_written_before_the_collection_that_points_to_them(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A consumer reading during a rebuild must never be sent by ``last`` to a page that is not there yet."""
    from heritage_ld.iiif import serialize

    order: list[str] = []
    real = serialize.write_json

    def spy(doc: dict[str, object], path: Path, **kw: bool) -> None:
        order.append(path.relative_to(tmp_path).as_posix())
        real(doc, path, **kw)

    monkeypatch.setattr(serialize, "write_json", spy)
    history = [(n, n, "create", "manifest", f"A{n}") for n in range(5)]
    write_change_stream(history, URLS, tmp_path, page_size=2)
    assert order[-1] == COLLECTION
    assert order[:-1] == [f"{ACTIVITY_DIR}/page-{n}.json" for n in range(3)]


def test_stale_pages_are_removed_after_the_collection_is_rewritten(tmp_path: Path) -> None:
    write_change_stream([(n, n, "create", "manifest", f"A{n}") for n in range(5)], URLS, tmp_path, page_size=2)
    assert write_change_stream([(1, 1, "create", "manifest", "A1")], URLS, tmp_path, page_size=2) == [
        COLLECTION, f"{ACTIVITY_DIR}/page-0.json"]
    assert sorted(p.name for p in (tmp_path / ACTIVITY_DIR).iterdir()) == ["all-changes.json", "page-0.json"]
    assert json.loads((tmp_path / COLLECTION).read_bytes())["totalItems"] == 1


def test_page_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="page_size"):
        change_stream([(1, 0, "create", "manifest", "A")], URLS, page_size=0)


def test_unknown_kind_or_type_is_refused() -> None:
    with pytest.raises(ValueError, match="kind"):
        change_stream([(1, 0, "move", "manifest", "A")], URLS)
    with pytest.raises(ValueError, match="type"):
        change_stream([(1, 0, "create", "canvas", "A")], URLS)


def test_media_type_is_the_spec_value() -> None:
    """Spec §4.1: application/ld+json with the discovery context as profile."""
    assert MEDIA_TYPE == 'application/ld+json;profile="http://iiif.io/api/discovery/1/context.json"'
    assert changes_module.CONTEXT in MEDIA_TYPE
