"""A collection that changes, seen through its IIIF Change Discovery stream the way the spec tells a consumer to
read it (§3.5: start at ``last``, walk ``prev``, stop at activities older than the last crawl, process each object
once, most recent first).

The Hanoi example is copied, built, edited (one title changed, one row removed, one row added) and built again
with a later ``SOURCE_DATE_EPOCH``; the consumer then sees exactly the changes made, each once.
"""

from __future__ import annotations

import csv
import functools
import json
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from heritage_ld import read_catalogue
from heritage_ld.iiif import changes as changes_module
from heritage_ld.model import UrlScheme
from heritage_ld.pipeline import BuildOptions, build

T1 = 1_700_000_000  # 2023-11-14
DAY = 86_400
ADDED = "HNM.1972.900"


def _build(catalogue: Path, out: Path, when: int) -> UrlScheme:
    collection = read_catalogue(catalogue)
    build(collection, out, only=["iiif"], options=BuildOptions(source_date_epoch=when), executor="serial")
    return UrlScheme(collection.base_url)


def _time(value: str) -> int:
    return int(datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp())


def crawl(out: Path, urls: UrlScheme, last_crawl: int | None) -> list[tuple[str, str]]:
    """Spec §3.5.1/§3.5.2 over the files of ``out``: ``(activity type, object id)`` in the order processed."""

    def get(url: str) -> dict[str, Any]:
        doc: dict[str, Any] = json.loads((out / urls.path(url)).read_bytes())
        return doc

    collection = get(f"{urls.base_url}/iiif/activity/all-changes.json")
    processed: list[tuple[str, str]] = []
    seen: set[str] = set()
    page: dict[str, Any] | None = get(collection["last"]["id"])
    while page is not None:
        for activity in reversed(page["orderedItems"]):
            if last_crawl is not None and _time(activity["endTime"]) < last_crawl:
                return processed
            obj = activity["object"]
            if obj["id"] in seen or obj["type"] not in ("Manifest", "Collection"):
                continue
            path = out / urls.path(obj["id"])
            if activity["type"] == "Delete":
                assert not path.exists(), f"{obj['id']} deleted but still published"
            else:  # §3.3 endTime: the object MUST be available at its URI
                assert json.loads(path.read_bytes())["id"] == obj["id"]
            processed.append((activity["type"], obj["id"]))
            seen.add(obj["id"])
        page = get(page["prev"]["id"]) if "prev" in page else None
    return processed


def _edit(catalogue: Path, shown: list[str]) -> tuple[str, str, str]:
    """Change the English title of one item, remove another, add a copy of a third under a new accession."""
    path = catalogue / "items.csv"
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    edited, removed, copied = shown[2], shown[4], shown[1]
    out = []
    for row in rows:
        if row["accession"] == edited:
            row["title@en"] += " (corrected)"
        if row["accession"] == removed:
            continue
        out.append(row)
        if row["accession"] == copied:
            out.append({**row, "accession": ADDED, "identifier": ""})
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(out)
    return edited, removed, ADDED


@pytest.fixture()
def hanoi(tmp_path: Path, example_dir: Path) -> Path:
    catalogue = tmp_path / "hanoi-1972"
    shutil.copytree(example_dir, catalogue)
    return catalogue


@pytest.mark.parametrize("page_size", [changes_module.PAGE_SIZE, 7])
def test_a_consumer_sees_each_change_once(hanoi: Path, tmp_path: Path, page_size: int,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(changes_module, "write_change_stream",
                        functools.partial(changes_module.write_change_stream, page_size=page_size))
    out = tmp_path / "out"
    urls = _build(hanoi, out, T1)
    shown = [i.accession for i in read_catalogue(hanoi).items if i.has_manifest]
    first = crawl(out, urls, None)
    everything = {urls.manifest(a) for a in shown} | {urls.iiif_collection(), urls.exhibition_manifest()}
    assert sorted(first) == sorted(("Create", url) for url in everything)

    edited, removed, added = _edit(hanoi, shown)
    _build(hanoi, out, T1 + DAY)
    second = crawl(out, urls, T1 + 60)  # crawled a minute after the first build
    assert sorted(second) == sorted([("Update", urls.manifest(edited)), ("Delete", urls.manifest(removed)),
                                     ("Create", urls.manifest(added)), ("Update", urls.iiif_collection()),
                                     ("Update", urls.exhibition_manifest())])

    _build(hanoi, out, T1 + 2 * DAY)  # nothing changed: nothing new in the stream
    assert crawl(out, urls, T1 + DAY + 60) == []
    doc = json.loads((out / "iiif/activity/all-changes.json").read_bytes())
    assert doc["totalItems"] == len(everything) + 5


def test_a_build_interrupted_after_writing_manifests_loses_no_change(hanoi: Path, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The ledger records a manifest's new digest and its change event together: a build killed in between
    must not leave a manifest the ledger calls unchanged whose Update never reaches the stream."""
    import heritage_ld.iiif as iiif_package

    out = tmp_path / "out"
    urls = _build(hanoi, out, T1)
    shown = [i.accession for i in read_catalogue(hanoi).items if i.has_manifest]
    edited, _, _ = _edit(hanoi, shown)

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt  # the build is killed after the manifests, before the collection

    with monkeypatch.context() as patch:
        patch.setattr(iiif_package, "build_collection", interrupted)
        with pytest.raises(KeyboardInterrupt):
            _build(hanoi, out, T1 + DAY)
    _build(hanoi, out, T1 + 2 * DAY)
    seen = crawl(out, urls, T1 + 60)
    assert ("Update", urls.manifest(edited)) in seen
    assert [url for _, url in seen].count(urls.manifest(edited)) == 1
