"""EDTF levels 0 and 1 (https://www.loc.gov/standards/datetime/): what parses, to which range, and what does not."""

from __future__ import annotations

from datetime import date

import pytest

from heritage_ld.model import EDTFError, parse_edtf


@pytest.mark.parametrize(
    ("text", "earliest", "latest", "precision"),
    [
        ("1972", date(1972, 1, 1), date(1972, 12, 31), "year"),
        ("1972-02", date(1972, 2, 1), date(1972, 2, 29), "month"),
        ("1972-12-30", date(1972, 12, 30), date(1972, 12, 30), "day"),
        ("1972-12-18T20:00:00Z", date(1972, 12, 18), date(1972, 12, 18), "second"),
        ("1972-21", date(1972, 3, 1), date(1972, 5, 31), "season"),
        ("197X", date(1970, 1, 1), date(1979, 12, 31), "year"),
        ("1972-1X", date(1972, 10, 1), date(1972, 12, 31), "month"),
        ("1972-12-2X", date(1972, 12, 20), date(1972, 12, 29), "day"),
        ("1972-12-0X", date(1972, 12, 1), date(1972, 12, 9), "day"),
        ("1972-XX-XX", date(1972, 1, 1), date(1972, 12, 31), "day"),
    ],
)
def test_points(text: str, earliest: date, latest: date, precision: str) -> None:
    d = parse_edtf(text)
    assert (d.earliest, d.latest, d.start.precision if d.start else None) == (earliest, latest, precision)
    assert not d.interval and str(d) == text


def test_qualifiers() -> None:
    assert parse_edtf("1972?").uncertain and not parse_edtf("1972?").approximate
    assert parse_edtf("1972~").approximate and not parse_edtf("1972~").uncertain
    both = parse_edtf("1972-12%")
    assert both.uncertain and both.approximate
    assert not parse_edtf("1972").uncertain


def test_intervals() -> None:
    d = parse_edtf("1972-12-18/1972-12-29")
    assert d.interval and (d.earliest, d.latest) == (date(1972, 12, 18), date(1972, 12, 29))
    open_end = parse_edtf("1972-12-29/..")
    assert open_end.open_end and open_end.end is None and open_end.latest is None
    unknown_start = parse_edtf("/1973")
    assert unknown_start.start is None and not unknown_start.open_start
    assert parse_edtf("../1973").open_start
    assert parse_edtf("1972~/1973?").approximate and parse_edtf("1972~/1973?").uncertain


@pytest.mark.parametrize(
    "text",
    ["", "  ", "1972-13", "1972-12-32", "1973-02-29", "1972-02-3X", "1972-00",
     "72", "1972/1971", "1972/1973/1974", "../..", "/", "-0500", "0000", "19X2-12", "1972-X2", "1972-12-X1",
     "1972-0X-15", "1972-12-18T25", "December 1972", "1972-12-18 20:00"],
)
def test_invalid(text: str) -> None:
    with pytest.raises(EDTFError):
        parse_edtf(text)


def test_partial_day_at_the_end_of_a_short_month() -> None:
    assert parse_edtf("1972-04-3X").latest == date(1972, 4, 30)
    assert parse_edtf("1972-04-3X").earliest == date(1972, 4, 30)


def test_error_is_a_value_error_with_a_reason() -> None:
    with pytest.raises(ValueError, match="month 13"):
        parse_edtf("1972-13")
