"""Hostile catalogue input (issue #11): refused at read time with a located, coded problem, never a traceback.

Identifiers (length and invisible characters), control characters in text, non-web link schemes, huge cells,
merged spreadsheet cells and deeply nested TOML.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from heritage_ld.catalogue import check_catalogue, read_catalogue
from heritage_ld.model import MAX_ENCODED_LENGTH, MAX_IDENTIFIER_LENGTH

from .conftest import MiniCatalogue, location


def _errors(root: Path) -> list[tuple[str, str, int | None, int | None]]:
    return [location(p) for p in check_catalogue(root).errors]


# -- accession numbers and identifiers -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("A" * (MAX_IDENTIFIER_LENGTH + 1), "C034"),
        ("A" * 300, "C034"),
        ("ư" * 40, "C034"),  # 40 characters, but 240 once percent-encoded
        ("\ufeffHNM.1", "C033"),  # a byte-order mark at the start of a later row
        ("HNM.\ufeff1", "C033"),
        ("HNM.1\u202e2", "C033"),  # RIGHT-TO-LEFT OVERRIDE: looks like another number
        ("HNM.\u200b1", "C033"),  # ZERO WIDTH SPACE
        ("HNM\u00a01", "C033"),  # NO-BREAK SPACE: looks like a space, is not one
        ("HNM.\u20281", "C033"),  # LINE SEPARATOR
        ("HNM.\ue0001", "C033"),  # private use
        ("HNM.\t1", "C033"),  # a tab is fine in text, not in an identifier
        ("HNM.\x001", "C035"),  # NUL: refused in any text, reported once
    ],
)
def test_accession_rules(mini: MiniCatalogue, value: str, code: str) -> None:
    line, col = mini.set(0, "accession", value)
    assert _errors(mini.root) == [(code, "items.csv", line, col)]


def test_accession_at_the_limits_is_accepted(mini: MiniCatalogue) -> None:
    mini.set(0, "accession", "A" * MAX_IDENTIFIER_LENGTH)
    mini.set(1, "accession", "ư" * (MAX_ENCODED_LENGTH // 6))
    mini.set(2, "accession", "HNM 1972/003 – Hà Nội")
    assert [i.accession for i in read_catalogue(mini.root).items][2] == "HNM 1972/003 – Hà Nội"


def test_too_long_accession_says_both_lengths_and_limits(mini: MiniCatalogue) -> None:
    mini.set(0, "accession", "ư" * 40)
    (problem,) = check_catalogue(mini.root).errors
    assert (problem.get("length"), problem.get("encoded"), problem.get("limit"), problem.get("encoded_limit")) == (
        40, 240, MAX_IDENTIFIER_LENGTH, MAX_ENCODED_LENGTH)


def test_invisible_character_is_named(mini: MiniCatalogue) -> None:
    mini.set(0, "accession", "HNM.1\u202e2")
    (problem,) = check_catalogue(mini.root).errors
    assert problem.get("char") == "U+202E RIGHT-TO-LEFT OVERRIDE" and problem.get("position") == 6


def test_bom_only_counts_at_the_start_of_the_file(mini: MiniCatalogue) -> None:
    data = (mini.root / "items.csv").read_bytes()
    lines = data.split(b"\n")
    lines[2] = b"\xef\xbb\xbf" + lines[2]
    (mini.root / "items.csv").write_bytes(b"\xef\xbb\xbf" + b"\n".join(lines))
    assert _errors(mini.root) == [("C033", "items.csv", 3, 1)]


def test_other_identifiers_follow_the_identifier_rules(mini: MiniCatalogue) -> None:
    mini.header.append("identifier")
    line, col = mini.set(0, "identifier", "BTHN-1|BTHN\u200e-2")
    assert _errors(mini.root) == [("C033", "items.csv", line, col)]


def test_a_long_section_key_is_c034(mini: MiniCatalogue) -> None:
    key = "s" * (MAX_IDENTIFIER_LENGTH + 1)
    mini.toml = mini.toml.replace('key = "peace"', f'key = "{key}"', 1)
    mini.rows[1]["section"] = key
    mini.write()
    assert _errors(mini.root) == [("C034", "collection.toml", mini.toml_line(f'key = "{key}"'), None),
                                  ("C013", "items.csv", *mini.cell(1, "section"))]  # the refused key is not there


def test_a_long_agent_key_is_c034(mini: MiniCatalogue) -> None:
    key = "m" * (MAX_IDENTIFIER_LENGTH + 1)
    mini.toml = mini.toml.replace("[agents.minh]", f"[agents.{key}]", 1)
    mini.rows[0]["creator"] = key
    mini.write()
    assert _errors(mini.root) == [("C034", "collection.toml", mini.toml_line(f"[agents.{key}]"), None)]


# -- control characters in text ----------------------------------------------------------------------------------
@pytest.mark.parametrize("char", ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\ufffe", "\uffff"])
def test_xml_forbidden_character_in_a_title_is_c035(mini: MiniCatalogue, char: str) -> None:
    line, col = mini.set(0, "title@en", f"Digging{char}shelters")
    assert _errors(mini.root) == [("C035", "items.csv", line, col)]


def test_tabs_line_breaks_and_bidi_controls_are_kept_in_text(mini: MiniCatalogue) -> None:
    mini.set(0, "title@en", "Digging\tshelters\nin \u202eHanoi\u202c \ufeff")
    assert read_catalogue(mini.root).items[0].title["en"] == "Digging\tshelters\nin \u202eHanoi\u202c \ufeff"


def test_control_character_in_collection_toml_text_is_c035(mini: MiniCatalogue) -> None:
    mini.toml = mini.toml.replace('title.en = "Hanoi 1972"', 'title.en = "Hanoi\\u00001972"', 1)
    mini.write()
    (problem,) = check_catalogue(mini.root).errors
    assert location(problem) == ("C035", "collection.toml", mini.toml_line('title.en = "Hanoi'), None)
    assert problem.location.field == "collection.title.en"


def test_control_character_in_a_toml_list_is_c035(mini: MiniCatalogue) -> None:
    mini.toml = mini.toml.replace('organizers = ["museum"]', 'organizers = ["museum", "\\u001b[31m"]', 1)
    mini.write()
    assert ("C035", "collection.toml", mini.toml_line("organizers ="), None) in _errors(mini.root)


# -- link schemes ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('languages = ["vi", "en"]', 'homepage = "javascript:alert(15)"'),
        ('name.en = "Hanoi Museum"', 'homepage = "data:text/html,x"'),
        ('name.en = "Hanoi Museum"', 'logo = "javascript:alert(1)"'),
        ('name.en = "Hanoi Museum"', 'logo = "file:///etc/passwd"'),
        ('name.en = "Hanoi Museum"', 'logo = "C:/logo.png"'),
        ('name.en = "Hanoi Museum"', 'same_as = ["javascript:alert(2)"]'),
        ('label.en = "Paper"', 'same_as = ["vbscript:msgbox"]'),
        ("lon = 105.8542", 'same_as = ["ftp://example.org/hanoi"]'),
    ],
)
def test_non_web_scheme_in_collection_toml_is_c037(mini: MiniCatalogue, old: str, new: str) -> None:
    """``new`` is added after the line ``old``."""
    if new.startswith("same_as") and old.startswith("name.en"):
        mini.toml = mini.toml.replace('same_as = ["http://www.wikidata.org/entity/Q10832221"]\n', "", 1)
    assert old in mini.toml
    mini.toml = mini.toml.replace(old, f"{old}\n{new}", 1)
    mini.write()
    line = mini.toml.splitlines().index(new) + 1
    assert _errors(mini.root) == [("C037", "collection.toml", line, None)]


def test_web_and_identifier_schemes_are_accepted(mini: MiniCatalogue) -> None:
    mini.toml = mini.toml.replace(
        'same_as = ["http://www.wikidata.org/entity/Q10832221"]',
        'same_as = ["HTTP://www.wikidata.org/entity/Q10832221", "urn:isil:VN-HNM", "info:lccn/n79021164"]\n'
        'homepage = "https://baotanghanoi.com.vn/"\nlogo = "https://example.org/logo.png"', 1)
    mini.set(0, "same_as", "https://www.wikidata.org/entity/Q1|urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66")
    c = read_catalogue(mini.root)
    assert c.items[0].same_as[1].startswith("urn:uuid:")
    assert [a.logo for a in c.agents if a.key == "museum"] == ["https://example.org/logo.png"]


@pytest.mark.parametrize("value", ["javascript:alert(15)", "data:text/html,x", "ftp://example.org/x", "mailto:a@b.c"])
def test_non_web_scheme_in_same_as_column_is_c037(mini: MiniCatalogue, value: str) -> None:
    line, col = mini.set(0, "same_as", f"http://www.wikidata.org/entity/Q1|{value}")
    assert _errors(mini.root) == [("C037", "items.csv", line, col)]


@pytest.mark.parametrize(("logo", "code"), [("../../../etc/passwd", "C019"), ("/etc/passwd", "C019"),
                                             ("media/no-logo.png", "C017"), ("media", "C027")])
def test_logo_path_is_checked_like_a_media_path(mini: MiniCatalogue, logo: str, code: str) -> None:
    mini.toml = mini.toml.replace('name.en = "Hanoi Museum"', f'name.en = "Hanoi Museum"\nlogo = "{logo}"', 1)
    mini.write()
    assert _errors(mini.root) == [(code, "collection.toml", mini.toml_line("logo ="), None)]


def test_logo_path_inside_the_catalogue_is_accepted(mini: MiniCatalogue) -> None:
    mini.toml = mini.toml.replace('name.en = "Hanoi Museum"', 'name.en = "Hanoi Museum"\nlogo = "media/one.png"', 1)
    mini.write()
    assert [a.logo for a in read_catalogue(mini.root).agents if a.key == "museum"] == ["media/one.png"]


# -- sizes and nesting -------------------------------------------------------------------------------------------
def test_a_huge_cell_is_c036_not_a_quote_problem(mini: MiniCatalogue) -> None:
    data = (mini.root / "items.csv").read_bytes()
    lines = data.split(b"\n")
    lines[2] = lines[2].replace(b"A letter", b"A " + b"x" * 10_000_000, 1)
    (mini.root / "items.csv").write_bytes(b"\n".join(lines))
    (problem,) = check_catalogue(mini.root).errors
    assert location(problem) == ("C036", "items.csv", 3, None)
    assert problem.get("limit") == 131072


@pytest.mark.parametrize("nest", [("[", "]"), ("{a=", "}")])
@pytest.mark.parametrize("depth", [5_000, 101])
def test_deeply_nested_toml_is_c004_at_its_line(mini: MiniCatalogue, nest: tuple[str, str], depth: int) -> None:
    opening, closing = nest
    mini.toml = mini.toml.replace("[agents.museum]", f"[agents.museum]\nx = {opening * depth}{closing * depth}", 1)
    mini.write()
    (problem,) = check_catalogue(mini.root).errors
    line = mini.toml_line("x = ")
    assert location(problem) == ("C004", "collection.toml", line, 4 + 100 * len(opening) + 1)
    assert "nested" in problem.message


def test_brackets_in_strings_and_comments_do_not_count_as_nesting(mini: MiniCatalogue) -> None:
    deep = "[" * 500
    mini.toml = mini.toml.replace('name.en = "Hanoi Museum"', f'name.en = "Hanoi Museum {deep}"  # {deep}', 1)
    mini.toml += f"[subjects.s]\nlabel.en = '''\n{deep}\n'''\n"
    mini.write()
    assert _errors(mini.root) == []


# -- spreadsheets ------------------------------------------------------------------------------------------------
def test_merged_xlsx_cells_are_c038_at_their_first_cell(mini: MiniCatalogue) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(mini.header)
    for row in mini.rows:
        sheet.append([row.get(name) or None for name in mini.header])
    sheet.merge_cells("C2:C4")  # one section for three rows: rows 3 and 4 would have none
    sheet.merge_cells("E3:F3")
    book.save(mini.root / "items.xlsx")
    (mini.root / "items.csv").unlink()
    problems = check_catalogue(mini.root).errors
    assert [location(p) for p in problems] == [("C038", "items.xlsx", 2, 3), ("C038", "items.xlsx", 3, 5)]
    assert problems[0].get("cells") == "C2:C4" and problems[0].get("first") == "C2"


def test_other_sheets_with_data_are_a_c039_warning(mini: MiniCatalogue) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(mini.header)
    for row in mini.rows:
        sheet.append([row.get(name) or None for name in mini.header])
    book.create_sheet("Empty")
    book.create_sheet("More items").append(["HNM.4", "photograph"])
    book.save(mini.root / "items.xlsx")
    (mini.root / "items.csv").unlink()
    result = check_catalogue(mini.root)
    assert result.ok and [location(p) for p in result.problems] == [("C039", "items.xlsx", None, None)]
    assert result.problems[0].get("sheets") == "'More items'"
