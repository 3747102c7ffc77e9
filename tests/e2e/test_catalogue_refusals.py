"""``python -m heritage_ld check|build`` on hostile catalogues (issue #11): exit 2, a located code, no traceback.

Each case spoils one file of a small valid catalogue; ``build`` must then write nothing at all (no partial
``rdf/``, no ``*.tmp`` left behind).
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

import heritage_ld

TOML = """\
[collection]
key = "hostile"
base_url = "https://example.org/hostile"
title.en = "Hostile"
publisher = "museum"

[[sections]]
key = "s"
title.en = "S"

[agents.museum]
kind = "group"
name.en = "Museum"
"""
HEADER = ["accession", "kind", "section", "title@en", "same_as", "master"]
ROWS = [["A.1", "photograph", "s", "One", "", "media/a.png"], ["A.2", "document", "s", "Two", "", "media/a.png"]]


def _write(root: Path, rows: list[list[str]], toml: str = TOML) -> None:
    (root / "collection.toml").write_text(toml, encoding="utf-8")
    with (root / "items.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)


def _cell(row: int, column: str, value: str) -> Callable[[Path], None]:
    def spoil(root: Path) -> None:
        rows = [list(r) for r in ROWS]
        rows[row][HEADER.index(column)] = value
        _write(root, rows)
    return spoil


def _toml(old: str, new: str) -> Callable[[Path], None]:
    def spoil(root: Path) -> None:
        assert old in TOML
        _write(root, ROWS, TOML.replace(old, new, 1))
    return spoil


def _bom_in_a_later_row(root: Path) -> None:
    data = (root / "items.csv").read_bytes().split(b"\n")
    data[2] = b"\xef\xbb\xbf" + data[2]
    (root / "items.csv").write_bytes(b"\n".join(data))


def _huge_cell(root: Path) -> None:
    _write(root, [ROWS[0], ["A.2", "document", "s", "x" * 10_000_000, "", "media/a.png"]])


def _merged_xlsx(root: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    sheet.merge_cells("C2:C3")
    book.save(root / "items.xlsx")
    (root / "items.csv").unlink()


CASES = {
    "300-character accession": (_cell(0, "accession", "A" * 300), "items.csv:2:1: C034"),
    "U+202E in an accession": (_cell(0, "accession", "A.\u202e1"), "items.csv:2:1: C033"),
    "BOM at the start of a later row": (_bom_in_a_later_row, "items.csv:3:1: C033"),
    "NUL in a title": (_cell(1, "title@en", "Two\x00"), "items.csv:3:4: C035"),
    "escape character in a title": (_cell(1, "title@en", "\x1b[31mred"), "items.csv:3:4: C035"),
    "javascript: in same_as": (_cell(0, "same_as", "javascript:alert(1)"), "items.csv:2:5: C037"),
    "10 MB cell": (_huge_cell, "items.csv:3: C036"),
    "javascript: homepage": (_toml('title.en = "Hostile"', 'title.en = "Hostile"\nhomepage = "javascript:alert(15)"'),
                             "collection.toml:5: C037"),
    "javascript: logo": (_toml('name.en = "Museum"', 'name.en = "Museum"\nlogo = "javascript:alert(1)"'),
                         "collection.toml:14: C037"),
    "logo outside the catalogue": (_toml('name.en = "Museum"', 'name.en = "Museum"\nlogo = "../../../etc/passwd"'),
                                   "collection.toml:14: C019"),
    "NUL in collection.toml": (_toml('title.en = "Hostile"', 'title.en = "Host\\u0000ile"'), "collection.toml:4: C035"),
    "5,000-deep nested array": (_toml("[agents.museum]", "x = " + "[" * 5000 + "]" * 5000 + "\n[agents.museum]"),
                                "collection.toml:11:105: C004"),
    "merged cells in items.xlsx": (_merged_xlsx, "items.xlsx:2:3: C038"),
}


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    src = str(Path(heritage_ld.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")]))}
    return subprocess.run([sys.executable, "-m", "heritage_ld", *args], capture_output=True, text=True,
                          env=env, timeout=300, check=False)


@pytest.fixture()
def catalogue(tmp_path: Path) -> Path:
    root = tmp_path / "catalogue"
    (root / "media").mkdir(parents=True)
    Image.new("RGB", (4, 3), (200, 10, 10)).save(root / "media" / "a.png")
    _write(root, ROWS)
    return root


def test_the_unspoiled_catalogue_checks(catalogue: Path) -> None:
    result = _run("check", str(catalogue))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("command", ["check", "build"])
def test_hostile_catalogue_exits_2_with_a_located_problem(catalogue: Path, tmp_path: Path, command: str,
                                                          case: str) -> None:
    spoil, expected = CASES[case]
    spoil(catalogue)
    out = tmp_path / "out"
    result = _run(command, str(catalogue), *(["-o", str(out)] if command == "build" else []))
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    assert any(line.startswith(expected + " ") for line in result.stderr.splitlines()), result.stderr[-2000:]
    if command == "build":
        assert not out.exists() or not any(out.rglob("*")), sorted(out.rglob("*"))
