"""docs/tutorial.md says true things about the Hanoi example (issue 13: it said two items have no manifest while
the build it shows wrote 36). Each fact is read from the tutorial's text and checked against the library."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

import heritage_ld
from heritage_ld import iiif
from heritage_ld.model import Collection
from heritage_ld.pipeline.steps.bags import bag_info
from heritage_ld.words import date_words, with_role

ROOT = Path(__file__).resolve().parents[2]
TUTORIAL = (ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def hanoi() -> Collection:
    return heritage_ld.read_catalogue(ROOT / "examples" / "hanoi-1972")


def _block(lang: str, containing: str) -> str:
    for block in re.findall(rf"```{lang}\n(.*?)```", TUTORIAL, flags=re.S):
        if containing in block:
            return str(block)
    raise AssertionError(f"no ```{lang} block with {containing!r} in docs/tutorial.md")


def test_the_item_counts(hanoi: Collection) -> None:
    m = re.search(r"(\d+) items: (\d+) photographs, (\d+) documents, (\d+) artifacts", TUTORIAL)
    assert m is not None
    kinds = Counter(i.kind.value for i in hanoi.items)
    assert [int(g) for g in m.groups()] == [len(hanoi.items), kinds["photograph"], kinds["document"],
                                           kinds["artifact"]]
    check = re.search(r"OK: (\d+) items in (\d+) sections, (\d+) media files", TUTORIAL)
    assert check is not None
    assert [int(g) for g in check.groups()] == [len(hanoi.items), len(hanoi.sections),
                                               sum(len(i.media) for i in hanoi.items)]


def test_the_manifests_and_pdf_pages(hanoi: Collection) -> None:
    m = re.search(r"iiif: (\d+) manifests, .*?(\d+) images and (\d+) PDF pages tiled", TUTORIAL)
    assert m is not None
    manifests, images, pages = (int(g) for g in m.groups())
    assert manifests == sum(i.has_manifest for i in hanoi.items)
    assert images == sum(len(i.images) for i in hanoi.items)
    assert pages == sum(len(p) for p in iiif.read_page_sizes(hanoi).values())
    assert "Every item has a manifest" in TUTORIAL and "without a manifest" not in TUTORIAL
    named = re.search(r"only file is a PDF \((HNM\.\S+) and (HNM\.\S+)\)", TUTORIAL)
    assert named is not None
    for accession in named.groups():
        item = hanoi.item(accession)
        assert item.has_manifest and not item.images and [m.is_pdf for m in item.media] == [True]
    assert {i.accession for i in hanoi.items if not i.images} == set(named.groups())


def test_the_words_people_read(hanoi: Collection) -> None:
    item = hanoi.item("HNM.1972.025")
    assert item.date is not None and f"`{item.date.text}`" in TUTORIAL
    words = date_words(item.date)
    assert f'"{words["en"]}"' in TUTORIAL and f'"{words["vi"]}"' in TUTORIAL
    creator = with_role(hanoi.item("HNM.1972.001").creators[0])
    assert f'"{creator["vi"]}"' in TUTORIAL


def test_the_turtle_manifest_and_bag_info_shown(hanoi: Collection) -> None:
    item = hanoi.item("HNM.1972.025")
    files = heritage_ld.item_files(item, hanoi)
    ttl = files["rdf/object/HNM.1972.025.ttl"].decode()
    for line in _block("turtle", "HNM.1972.025").strip().splitlines():
        assert line.strip().rstrip(";. ") in ttl, line
    shown = json.loads(_block("json", "manifest.json"))
    manifest = json.loads(files["iiif/HNM.1972.025/manifest.json"])
    assert {k: manifest[k] for k in shown} == shown
    info = "\n".join(f"{k}: {v}" for k, v in bag_info(hanoi, item))
    assert info.startswith(_block("text", "Source-Organization").strip())
