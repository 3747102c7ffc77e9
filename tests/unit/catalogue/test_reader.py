"""items.csv as bytes: encodings, line numbers of multi-line records, malformed CSV."""

from __future__ import annotations

from heritage_ld.catalogue import check_catalogue, read_catalogue
from heritage_ld.catalogue.reader import read_csv

from .conftest import MiniCatalogue, location


def _items(mini: MiniCatalogue) -> bytes:
    return (mini.root / "items.csv").read_bytes()


def test_bom_and_crlf_are_accepted(mini: MiniCatalogue) -> None:
    data = _items(mini).replace(b"\n", b"\r\n")
    (mini.root / "items.csv").write_bytes(b"\xef\xbb\xbf" + data)
    (mini.root / "collection.toml").write_bytes(b"\xef\xbb\xbf" + mini.toml.encode())
    c = read_catalogue(mini.root)
    assert [i.accession for i in c.items] == ["HNM.1", "HNM.2", "HNM.3"]


def test_line_is_where_a_multi_line_record_starts(mini: MiniCatalogue) -> None:
    mini.rows[0]["title@en"] = "first line\nsecond line\r\nthird line"
    mini.rows[2]["date"] = "not a date"
    mini.write()
    (problem,) = check_catalogue(mini.root).errors
    # header = line 1, row 0 = lines 2-4, row 1 = line 5, row 2 = line 6
    assert location(problem) == ("C012", "items.csv", 6, mini.header.index("date") + 1)


def test_blank_lines_are_skipped_but_counted(mini: MiniCatalogue) -> None:
    mini.rows[1]["kind"] = "nope"
    mini.write()
    lines = _items(mini).split(b"\n")
    lines.insert(1, b"")
    lines.insert(2, b",,,")
    (mini.root / "items.csv").write_bytes(b"\n".join(lines))
    (problem,) = check_catalogue(mini.root).errors
    assert location(problem) == ("C016", "items.csv", 5, 2)


def test_non_utf8_gives_the_byte_offset_and_line(mini: MiniCatalogue) -> None:
    data = _items(mini)
    second = data.index(b"\n") + 1
    (mini.root / "items.csv").write_bytes(data[:second] + b"HNM.\xe9" + data[second + 5:])
    (problem,) = check_catalogue(mini.root).errors
    assert location(problem) == ("C002", "items.csv", 2, None)
    assert problem.get("offset") == second + 4 and problem.get("byte") == "E9"


def test_non_utf8_collection_toml_is_c002(mini: MiniCatalogue) -> None:
    (mini.root / "collection.toml").write_bytes(mini.toml.encode("utf-16"))
    codes = [location(p) for p in check_catalogue(mini.root).errors]
    assert codes == [("C002", "collection.toml", 1, None)]


def test_a_stray_quote_is_c003_at_the_record_line(mini: MiniCatalogue) -> None:
    data = _items(mini).split(b"\n")
    data[2] = b'HNM.2,"document"x,peace'
    (mini.root / "items.csv").write_bytes(b"\n".join(data))
    assert [location(p) for p in check_catalogue(mini.root).errors] == [("C003", "items.csv", 3, None)]


def test_an_unclosed_quote_is_c003(mini: MiniCatalogue) -> None:
    (mini.root / "items.csv").write_bytes(_items(mini) + b'HNM.4,"photograph\n')
    assert [location(p) for p in check_catalogue(mini.root).errors] == [("C003", "items.csv", 5, None)]


def test_wrong_cell_counts_are_c006(mini: MiniCatalogue) -> None:
    data = _items(mini).split(b"\n")
    data[1] += b",extra"
    data[2] = b"HNM.2,document,peace,,A letter"
    (mini.root / "items.csv").write_bytes(b"\n".join(data))
    n = len(mini.header)
    got = [location(p) for p in check_catalogue(mini.root).errors]
    assert ("C006", "items.csv", 2, n + 1) in got
    assert ("C006", "items.csv", 3, 6) in got


def test_empty_file_has_no_header() -> None:
    found: list = []
    assert read_csv("", "items.csv", found) is None
    assert [location(p) for p in found] == [("C010", "items.csv", 1, None)]


def test_unreadable_file_is_c001(mini: MiniCatalogue) -> None:
    (mini.root / "items.csv").unlink()
    (mini.root / "items.csv").symlink_to("gone.csv")  # (a folder is C110: tests/unit/catalogue/test_hostile_files.py)
    assert [location(p) for p in check_catalogue(mini.root).errors] == [("C001", "items.csv", None, None)]
