"""Pages of the IIIF change stream, for any history and page size: they partition the history in order, their
``prev``/``next`` chain is consistent, ``totalItems`` is right, and a full page stays as it was when the history
grows (consumers cache pages they have read; spec §3.5 walks them backwards)."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from heritage_ld.iiif.changes import ACTIVITY_DIR, Change, change_stream
from heritage_ld.model import UrlScheme

URLS = UrlScheme("https://example.org/c")
COLLECTION = f"{ACTIVITY_DIR}/all-changes.json"

EVENTS = st.tuples(
    st.integers(min_value=0, max_value=4_000_000_000),
    st.sampled_from(["create", "update", "delete"]),
    st.sampled_from(["manifest", "collection", "exhibition"]),
    st.sampled_from(["HN.1", "HN.2", "HN 3/é", "iiif/collection.json", "iiif/exhibition.json"]),
)
HISTORIES = st.lists(EVENTS, max_size=40)
SIZES = st.integers(min_value=1, max_value=7)


def _numbered(events: list[tuple[int, str, str, str]], start: int = 1) -> list[Change]:
    return [(start + i, t, kind, type_, target) for i, (t, kind, type_, target) in enumerate(events)]


def _pages(docs: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The pages in the order a consumer reaches them from ``first`` by ``next``."""
    by_id = {doc["id"]: doc for doc in docs.values()}
    pages, ref = [], docs[COLLECTION]["first"]
    while ref is not None:
        page = by_id[ref["id"]]
        pages.append(page)
        ref = page.get("next")
    return pages


@given(HISTORIES, SIZES, st.randoms(use_true_random=False))
def test_pages_partition_the_history_in_order(events: list[tuple[int, str, str, str]], size: int,
                                               rnd: Any) -> None:
    history = _numbered(events)
    shuffled = list(history)
    rnd.shuffle(shuffled)
    docs = change_stream(shuffled, URLS, page_size=size)
    assert docs == change_stream(history, URLS, page_size=size)  # listed by sequence number, whatever the order
    if not history:
        assert docs == {}
        return
    coll = docs[COLLECTION]
    pages = _pages(docs)
    assert len(docs) == len(pages) + 1  # every document is reached from first by next
    assert coll["totalItems"] == len(history)
    assert coll["first"] == {"id": pages[0]["id"], "type": "OrderedCollectionPage"}
    assert coll["last"] == {"id": pages[-1]["id"], "type": "OrderedCollectionPage"}
    start = 0
    for n, page in enumerate(pages):
        assert page["partOf"] == {"id": coll["id"], "type": "OrderedCollection"}
        assert page["startIndex"] == start
        assert 1 <= len(page["orderedItems"]) <= size
        if n + 1 < len(pages):
            assert len(page["orderedItems"]) == size  # only the last page may be short
        assert ("prev" in page) == (n > 0)
        if n > 0:
            assert page["prev"] == {"id": pages[n - 1]["id"], "type": "OrderedCollectionPage"}
        start += len(page["orderedItems"])
    activities = [a for page in pages for a in page["orderedItems"]]
    assert [(a["type"].lower(), a["object"]["type"]) for a in activities] == [
        (kind, "Collection" if type_ == "collection" else "Manifest") for _, _, kind, type_, _ in history]
    times = [a["endTime"] for a in activities]
    assert times == sorted(times)  # spec §3.2: earliest endTime first


@given(HISTORIES, st.lists(EVENTS, min_size=1, max_size=20), SIZES)
def test_full_pages_stay_as_they_were_when_the_history_grows(before: list[tuple[int, str, str, str]],
                                                            more: list[tuple[int, str, str, str]],
                                                            size: int) -> None:
    old = change_stream(_numbered(before), URLS, page_size=size)
    new = change_stream(_numbered(before) + _numbered(more, start=len(before) + 1), URLS, page_size=size)
    assert new[COLLECTION]["totalItems"] == len(before) + len(more)
    for path, page in old.items():
        if path == COLLECTION:
            continue
        grown = new[path]
        if len(page["orderedItems"]) == size:  # a full page: only a next link may have appeared
            assert {k: v for k, v in grown.items() if k != "next"} == {k: v for k, v in page.items() if k != "next"}
        else:  # the last page, short: it keeps its activities and may gain more
            assert grown["orderedItems"][: len(page["orderedItems"])] == page["orderedItems"]
