"""A catalogue of 100,000 rows must stay small in memory: rows stream past, and values repeated from row to row
(dates, agents, places, concepts, measurements, rights, empty texts) are one shared object. Sharing must never
hide a problem: a cell with a problem is checked, and reported, on every row that holds it."""

from __future__ import annotations

import csv
import io

from heritage_ld.catalogue import check_catalogue, read_catalogue
from heritage_ld.catalogue.reader import stream_csv
from heritage_ld.model import MultilingualText
from heritage_ld.problems import Problem

from .conftest import MiniCatalogue, location


def _same_as_first(mini: MiniCatalogue) -> None:
    first = mini.rows[0]
    for row in mini.rows[1:]:
        for name in ("date", "creator", "place", "subject", "material", "height_cm"):
            row[name] = first[name]
    mini.write()


def test_repeated_values_are_one_object(mini: MiniCatalogue) -> None:
    _same_as_first(mini)
    a, b, c = read_catalogue(mini.root).items
    for item in (b, c):  # (the tuples are made anew each time an item is decoded; what they hold is shared)
        assert item.date is a.date and item.date is not None
        assert item.creators == a.creators and item.creators[0] is a.creators[0]
        assert item.creators[0].role == "photographer"
        assert item.places[0] is a.places[0] and item.places[0].key == "hanoi"
        assert item.subjects[0] is a.subjects[0] and item.materials[0] is a.materials[0]
        assert item.dimensions[0] is a.dimensions[0]
    assert a.alternative_title is b.alternative_title is MultilingualText.of({})
    assert not a.alternative_title and a.alternative_title == MultilingualText()


def test_a_bad_cell_is_reported_on_every_row_that_repeats_it(mini: MiniCatalogue) -> None:
    for row in mini.rows:
        row["date"] = "not a date"
        row["place"] = "nowhere"
        row["height_cm"] = "-3"
    mini.write()
    found = sorted(location(p) for p in check_catalogue(mini.root).errors)
    date, place, height = (mini.header.index(n) + 1 for n in ("date", "place", "height_cm"))
    assert found == sorted((code, "items.csv", line, column) for line in (2, 3, 4)
                           for code, column in (("C012", date), ("C013", place), ("C022", height)))


def test_a_good_value_after_a_bad_one_is_still_read(mini: MiniCatalogue) -> None:
    mini.rows[0]["place"] = "hanoi|nowhere"
    mini.rows[1]["place"] = "hanoi"
    mini.write()
    assert [location(p)[:3] for p in check_catalogue(mini.root).errors] == [("C013", "items.csv", 2)]
    mini.rows[0]["place"] = "hanoi"
    mini.write()
    assert [[p.key for p in i.places] for i in read_catalogue(mini.root).items] == [["hanoi"], ["hanoi"], []]


def test_rows_stream_one_at_a_time() -> None:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["accession", "title@en"])
    writer.writerows([f"A{i}", f"t{i}"] for i in range(5))
    problems: list[Problem] = []
    stream = stream_csv(text.getvalue() + 'A5,"never closed\n', "items.csv", problems)
    assert stream is not None and stream.header == ("accession", "title@en")
    rows = iter(stream)
    first = next(rows)
    assert (first.line, first.cells) == (2, ("A0", "t0")) and not problems  # nothing read ahead
    rest = list(rows)
    assert [r.cells[0] for r in rest] == ["A1", "A2", "A3", "A4"]
    assert stream.failed and [location(p) for p in problems] == [("C003", "items.csv", 7, None)]


def test_a_broken_record_after_good_rows_leaves_no_collection(mini: MiniCatalogue) -> None:
    mini.rows[0]["kind"] = "nope"
    mini.write()
    with (mini.root / "items.csv").open("a", encoding="utf-8") as f:
        f.write('HNM.4,"photograph\n')
    result = check_catalogue(mini.root)
    assert result.collection is None
    # every problem at once: the row's own (C016) and the unreadable record (C003)
    assert [location(p)[:3] for p in result.errors] == [("C016", "items.csv", 2), ("C003", "items.csv", 5)]


def test_an_unnamed_column_used_by_several_rows_is_one_problem(mini: MiniCatalogue) -> None:
    mini.header.append("")
    mini.rows[1][""] = "stray"
    mini.rows[2][""] = "another"
    mini.write()
    assert [location(p) for p in check_catalogue(mini.root).errors] == [("C007", "items.csv", 1, len(mini.header))]
