"""Catalogue files that are not what they seem (red-team of #11): a FIFO or a device in place of items.csv or
collection.toml (read forever before: a hang, or a process killed for memory), a zip bomb in items.xlsx (a
gigabyte of memory before an error) and formulas without a saved value (their cells read as empty, silently)."""

from __future__ import annotations

import os
import re
import signal
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from heritage_ld.catalogue import check_catalogue

from .conftest import MiniCatalogue, location


@pytest.fixture(autouse=True)
def _deadline() -> Iterator[None]:
    """A hang (reading a FIFO with no writer) fails the test after 30 s instead of blocking the suite."""

    def stop(signum: int, frame: object) -> None:
        raise TimeoutError("the check hung")

    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(30)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _xlsx(mini: MiniCatalogue) -> Path:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(mini.header)
    for row in mini.rows:
        sheet.append([row.get(name) or None for name in mini.header])
    path = mini.root / "items.xlsx"
    book.save(path)
    (mini.root / "items.csv").unlink()
    return path


def _rewrite_sheet(path: Path, change: object) -> None:
    with zipfile.ZipFile(path) as z:
        members = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in members:
            z.writestr(info.filename, change(data) if info.filename == "xl/worksheets/sheet1.xml" else data)  # type: ignore[operator]


@pytest.mark.parametrize("name", ["items.csv", "collection.toml"])
def test_a_fifo_in_place_of_a_catalogue_file_is_c110_at_once(mini: MiniCatalogue, name: str) -> None:
    (mini.root / name).unlink()
    os.mkfifo(mini.root / name)  # no writer: reading it blocked forever
    problems = check_catalogue(mini.root).errors
    assert [location(p) for p in problems] == [("C110", name, None, None)]
    assert problems[0].get("kind") == "a FIFO"


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_link_to_a_device_is_c110_not_read(mini: MiniCatalogue, device: str) -> None:
    (mini.root / "items.csv").unlink()
    os.symlink(device, mini.root / "items.csv")  # /dev/zero was read until the process was killed for memory
    problems = check_catalogue(mini.root).errors
    assert [(p.code, p.get("kind")) for p in problems] == [("C110", "a character device")]


def test_a_folder_named_items_csv_is_c110(mini: MiniCatalogue) -> None:
    (mini.root / "items.csv").unlink()
    (mini.root / "items.csv").mkdir()
    assert [(p.code, p.get("kind")) for p in check_catalogue(mini.root).errors] == [("C110", "a folder")]


def test_a_fifo_in_place_of_items_xlsx_is_c110(mini: MiniCatalogue) -> None:
    path = _xlsx(mini)
    path.unlink()
    os.mkfifo(path)
    assert [p.code for p in check_catalogue(mini.root).errors] == ["C110"]


def test_a_zip_bomb_in_items_xlsx_is_c111_before_anything_is_unpacked(mini: MiniCatalogue) -> None:
    path = _xlsx(mini)
    _rewrite_sheet(path, lambda d: d.replace(b"</sheetData>", b"</sheetData>" + b" " * (64 << 20), 1))
    assert path.stat().st_size < 1 << 20  # 64 MB of spaces packed in well under a megabyte
    problems = check_catalogue(mini.root).errors
    assert [location(p) for p in problems] == [("C111", "items.xlsx", None, None)]
    assert problems[0].get("member") == "xl/worksheets/sheet1.xml"


def test_a_formula_without_a_saved_value_is_c112_at_its_cell(mini: MiniCatalogue) -> None:
    path = _xlsx(mini)
    column = mini.header.index("title@en") + 1
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(path)
    book.active.cell(row=2, column=column, value='=CONCATENATE("Hanoi", " 1972")')  # openpyxl saves no value
    book.save(path)
    problems = check_catalogue(mini.root).errors
    assert [location(p) for p in problems] == [("C112", "items.xlsx", 2, column)]
    assert problems[0].get("formula") == '=CONCATENATE("Hanoi", " 1972")'


def test_a_formula_with_its_saved_value_is_read_as_that_value(mini: MiniCatalogue) -> None:
    path = _xlsx(mini)
    from openpyxl.utils.cell import get_column_letter

    ref = f"{get_column_letter(mini.header.index('title@en') + 1)}2"

    def with_formula(data: bytes) -> bytes:  # what Excel writes: the formula and the value it computed
        cell = f'<c r="{ref}" t="str"><f>CONCATENATE("Hanoi", " 1972")</f><v>Hanoi 1972 formula</v></c>'.encode()
        return re.sub(rb'<c r="' + ref.encode() + rb'"[^>]*>.*?</c>', cell, data, count=1)

    _rewrite_sheet(path, with_formula)
    result = check_catalogue(mini.root)
    assert result.ok, result.problems
    assert result.collection is not None
    assert result.collection.items[0].title["en"] == "Hanoi 1972 formula"
