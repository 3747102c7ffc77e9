"""A small valid catalogue built in ``tmp_path`` (real PNG/JPEG files made with Pillow) that tests then spoil."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PIL import Image

from heritage_ld.problems import Problem

TOML = """\
[collection]
key = "mini"
base_url = "https://example.org/mini"
title.vi = "Hà Nội 1972"
title.en = "Hanoi 1972"
date = "2022-12-16/2023-03"
rights = "http://rightsstatements.org/vocab/InC-EDU/1.0/"
credit.en = "Photo: Hanoi Museum"
organizers = ["museum"]
publisher = "museum"
venue = "hanoi"
languages = ["vi", "en"]

[[sections]]
key = "silence"
title.en = "The Silence Moment"

[[sections]]
key = "peace"
title.en = "Peace"

[agents.museum]
kind = "group"
name.en = "Hanoi Museum"
same_as = ["http://www.wikidata.org/entity/Q10832221"]

[agents.minh]
kind = "person"
name.vi = "Nguyễn Văn Minh"

[places.hanoi]
name.en = "Hanoi"
lat = 21.0285
lon = 105.8542

[subjects.shelters]
label.en = "Shelters"

[materials.paper]
label.en = "Paper"
"""

HEADER = ["accession", "kind", "section", "title@vi", "title@en", "date", "creator", "place", "subject",
          "material", "height_cm", "rights", "master", "access", "same_as", "language"]


def _rows() -> list[dict[str, str]]:
    return [
        {"accession": "HNM.1", "kind": "photograph", "section": "silence", "title@vi": "Đào hầm",
         "title@en": "Digging shelters", "date": "1972-12~", "creator": "minh:photographer", "place": "hanoi",
         "subject": "shelters", "material": "paper", "height_cm": "18", "master": "media/one.png",
         "access": "media/one.jpg", "same_as": "http://www.wikidata.org/entity/Q1"},
        {"accession": "HNM.2", "kind": "document", "section": "peace", "title@en": "A letter",
         "date": "1972-12-18/1972-12-29", "creator": "museum", "rights": "https://creativecommons.org/licenses/by/4.0/",
         "master": "media/two.png", "language": "vi"},
        {"accession": "HNM.3", "kind": "artifact", "title@vi": "Mảnh xác B-52", "master": "media/sub/three.jpg"},
    ]


def location(problem: Problem) -> tuple[str, str, int | None, int | None]:
    """``(code, file, line, column)`` of a problem: what tests assert."""
    loc = problem.location
    return (problem.code, loc.file, loc.line, loc.column)


@dataclass
class MiniCatalogue:
    """A catalogue folder whose files a test may change, then re-write with :meth:`write`."""

    root: Path
    toml: str = TOML
    header: list[str] = field(default_factory=lambda: list(HEADER))
    rows: list[dict[str, str]] = field(default_factory=_rows)

    def write(self) -> Path:
        (self.root / "collection.toml").write_text(self.toml, encoding="utf-8")
        with (self.root / "items.csv").open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(self.header)
            for row in self.rows:
                writer.writerow([row.get(name, "") for name in self.header])
        return self.root

    def cell(self, index: int, name: str) -> tuple[int, int]:
        """``(line, column)`` of a cell of the ``index``-th row (no multi-line cells)."""
        return index + 2, self.header.index(name) + 1

    def set(self, index: int, name: str, value: str) -> tuple[int, int]:
        """Change one cell, write the catalogue, and return the cell's ``(line, column)``."""
        self.rows[index][name] = value
        self.write()
        return self.cell(index, name)

    def toml_line(self, text: str) -> int:
        """The 1-based line of collection.toml that starts with ``text``."""
        for number, line in enumerate(self.toml.splitlines(), start=1):
            if line.startswith(text):
                return number
        raise AssertionError(f"{text!r} is not in collection.toml")


@pytest.fixture()
def mini(tmp_path: Path) -> MiniCatalogue:
    """A valid catalogue of three items (PNG and JPEG media) in ``tmp_path/mini``."""
    root = tmp_path / "mini"
    (root / "media" / "sub").mkdir(parents=True)
    Image.new("RGB", (4, 3), (200, 10, 10)).save(root / "media" / "one.png")
    Image.new("RGB", (4, 3), (200, 10, 10)).save(root / "media" / "one.jpg", quality=80)
    Image.new("L", (3, 5), 128).save(root / "media" / "two.png")
    Image.new("RGB", (2, 2), (0, 0, 255)).save(root / "media" / "sub" / "three.jpg")
    catalogue = MiniCatalogue(root)
    catalogue.write()
    return catalogue
