"""The whole catalogue: a valid one gives the model; a spoiled one gives every problem, located."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path, PurePosixPath

import pytest

from heritage_ld.catalogue import check_catalogue, read_catalogue
from heritage_ld.errors import CatalogueError
from heritage_ld.model import AgentKind, ItemKind, MediaRole

from .conftest import MiniCatalogue, location


def test_valid_catalogue_gives_the_model(mini: MiniCatalogue) -> None:
    c = read_catalogue(mini.root)
    assert c.key == "mini"
    assert c.root == mini.root.resolve()
    assert c.title["vi"] == "Hà Nội 1972" and c.title["en"] == "Hanoi 1972"
    assert [s.key for s in c.sections] == ["silence", "peace"]
    assert [i.accession for i in c.items] == ["HNM.1", "HNM.2", "HNM.3"]
    assert c.publisher is not None and c.publisher.kind is AgentKind.GROUP
    assert c.venue is not None and c.venue.latitude == pytest.approx(21.0285)
    assert c.date is not None and c.date.interval
    one, two, three = c.items
    assert one.kind is ItemKind.PHOTOGRAPH and one.section == "silence"
    assert one.creators[0].agent.key == "minh" and one.creators[0].role == "photographer"
    assert one.date is not None and one.date.approximate
    assert [p.key for p in one.places] == ["hanoi"]
    assert [s.key for s in one.subjects] == ["shelters"] and [m.key for m in one.materials] == ["paper"]
    assert one.dimensions[0].kind == "height" and one.dimensions[0].value == Decimal("18")
    assert one.rights == c.rights  # the collection's default
    assert one.credit_line["en"] == "Photo: Hanoi Museum"
    assert [(m.path, m.role) for m in one.media] == [
        (PurePosixPath("media/one.png"), MediaRole.MASTER),
        (PurePosixPath("media/one.jpg"), MediaRole.ACCESS),
    ]
    assert one.media[1].derived_from == PurePosixPath("media/one.png")
    assert one.same_as == ("http://www.wikidata.org/entity/Q1",)
    assert two.creators[0].role is None and two.languages == ("vi",)
    assert two.rights == "https://creativecommons.org/licenses/by/4.0/"
    assert three.section is None and three.title.languages == ("vi",)
    assert three.media[0].resolve(c.root).is_file()


def test_check_result_of_a_valid_catalogue(mini: MiniCatalogue) -> None:
    result = check_catalogue(mini.root)
    assert result.ok and result.collection is not None
    assert result.problems == () and result.errors == () and result.warnings == ()


def test_every_problem_is_reported_at_once(mini: MiniCatalogue) -> None:
    date = mini.set(0, "date", "1972-13")
    kind = mini.set(1, "kind", "painting")
    section = mini.set(2, "section", "nowhere")
    with pytest.raises(CatalogueError) as info:
        read_catalogue(mini.root)
    got = [location(p) for p in info.value.problems]
    assert got == [
        ("C012", "items.csv", *date),
        ("C016", "items.csv", *kind),
        ("C013", "items.csv", *section),
    ]
    assert "items.csv:2:6: C012" in info.value.render()


def test_warnings_alone_do_not_raise(mini: MiniCatalogue) -> None:
    mini.rows[2]["master"] = ""
    mini.write()
    result = check_catalogue(mini.root)
    assert [location(p) for p in result.warnings] == [("C024", "items.csv", 4, mini.header.index("master") + 1)]
    assert result.collection is not None and len(result.collection.items) == 3
    assert read_catalogue(mini.root).items[2].media == ()


def test_nfc_normalisation_makes_decomposed_text_equal(mini: MiniCatalogue) -> None:
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Đào hầm")
    assert decomposed != "Đào hầm"
    mini.set(0, "title@vi", decomposed)
    assert read_catalogue(mini.root).items[0].title["vi"] == "Đào hầm"


def test_missing_folder_and_files(tmp_path: Path) -> None:
    assert [location(p) for p in check_catalogue(tmp_path / "nope").problems] == [
        ("C001", str(tmp_path / "nope"), None, None)
    ]
    assert [location(p) for p in check_catalogue(tmp_path).problems] == [
        ("C005", "collection.toml", None, None),
        ("C005", "items.csv", None, None),
    ]


def test_duplicate_accession_points_at_both_lines(mini: MiniCatalogue) -> None:
    line, column = mini.set(2, "accession", "HNM.1")
    (problem,) = check_catalogue(mini.root).errors
    assert location(problem) == ("C011", "items.csv", line, column)
    assert problem.get("first_line") == 2


def test_items_csv_wins_over_xlsx_and_xlsx_alone_is_read(mini: MiniCatalogue) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(mini.header)
    for row in mini.rows:
        sheet.append([row.get(name) or None for name in mini.header])
    sheet.append([None] * len(mini.header))  # a trailing empty row is ignored
    book.save(mini.root / "items.xlsx")
    both = check_catalogue(mini.root)
    assert both.ok  # a warning, not an error: items.csv is read
    assert [(p.code, p.location.file) for p in both.problems] == [("C032", "items.xlsx")]
    (mini.root / "items.csv").unlink()
    assert check_catalogue(mini.root).problems == ()
    c = read_catalogue(mini.root)
    assert [i.accession for i in c.items] == ["HNM.1", "HNM.2", "HNM.3"]
    assert c.items[0].dimensions[0].value == Decimal("18")  # a number cell, read back without ".0"


def test_xlsx_problems_are_located_by_sheet_row_and_column(mini: MiniCatalogue) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(mini.header)
    sheet.append(["X.1", "photograph", None, None, "t", "1972-99"])
    book.save(mini.root / "items.xlsx")
    (mini.root / "items.csv").unlink()
    assert [location(p) for p in check_catalogue(mini.root).problems] == [
        ("C012", "items.xlsx", 2, 6),
        ("C024", "items.xlsx", 2, 13),
    ]


def test_damaged_xlsx_is_c001(mini: MiniCatalogue) -> None:
    (mini.root / "items.csv").unlink()
    (mini.root / "items.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    assert [location(p) for p in check_catalogue(mini.root).problems] == [("C001", "items.xlsx", None, None)]


def test_xlsx_without_openpyxl_is_c009(mini: MiniCatalogue, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    (mini.root / "items.csv").unlink()
    (mini.root / "items.xlsx").write_bytes(b"")
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # makes `import openpyxl` raise ImportError
    assert [location(p) for p in check_catalogue(mini.root).problems] == [("C009", "items.xlsx", None, None)]
