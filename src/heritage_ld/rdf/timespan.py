"""A Linked Art TimeSpan as an EDTF date: from its name when that is EDTF, else from its begin and end.

Museums name a time-span for people ("December 1972", "ca. 1890–1895") and give the machine its bounds in
``begin_of_the_begin`` (P82a) and ``end_of_the_end`` (P82b) (https://linked.art/model/base/#dates). The bounds
become the narrowest EDTF that says the same (a whole month is ``1972-12``, a whole year ``1972``); the name is
kept as the date's :attr:`~heritage_ld.model.EDTFDate.display` text.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

__all__ = ["edtf_from_bounds", "parse_instant"]

_INSTANT = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$")


def parse_instant(value: str) -> tuple[date, bool] | None:
    """The day of an ``xsd:dateTime`` or ``xsd:date`` (years 1-9999), and whether it is midnight exactly.

    >>> parse_instant("1972-12-31T23:59:59Z"), parse_instant("1973-01-01T00:00:00")
    ((datetime.date(1972, 12, 31), False), (datetime.date(1973, 1, 1), True))
    >>> parse_instant("-0500-01-01"), parse_instant("December 1972")
    (None, None)
    """
    m = _INSTANT.match(value.strip())
    if not m:
        return None
    try:
        day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    midnight = m.group(4) is not None and (m.group(4), m.group(5), m.group(6) or "00") == ("00", "00", "00")
    return day, midnight


def _last_of_month(day: date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


def _point(first: date, last: date) -> str | None:
    """The EDTF of the span from ``first`` to ``last`` when it is one day, month or year."""
    if first == last:
        return first.isoformat()
    if first.day == 1 and _last_of_month(last) and (first.year, first.month) == (last.year, last.month):
        return f"{first.year:04d}-{first.month:02d}"
    if (first.month, first.day, last.month, last.day) == (1, 1, 12, 31) and first.year == last.year:
        return f"{first.year:04d}"
    return None


def edtf_from_bounds(begin: str | None, end: str | None) -> str | None:
    """The EDTF date of a time-span from its outer bounds (``None`` when neither can be read).

    An end at midnight on the first day of a month is read as the end of the day before (some publishers give
    the exclusive end, ``1973-01-01T00:00:00`` for the last instant of 1972).

    >>> edtf_from_bounds("1972-12-01T00:00:00Z", "1972-12-31T23:59:59Z")
    '1972-12'
    >>> edtf_from_bounds("1972-01-01", "1973-01-01T00:00:00")
    '1972'
    >>> edtf_from_bounds("1890-01-01T00:00:00", "1895-12-31T23:59:59")
    '1890/1895'
    >>> edtf_from_bounds("1972-12-18", "1972-12-29"), edtf_from_bounds("1972-12-18", None)
    ('1972-12-18/1972-12-29', '1972-12-18/..')
    """
    b = parse_instant(begin) if begin else None
    e = parse_instant(end) if end else None
    if e is not None and e[1] and e[0].day == 1 and (b is None or e[0] > b[0]):
        e = (e[0] - timedelta(days=1), False)
    if b is None and e is None:
        return None
    if b is None:
        assert e is not None
        return f"../{e[0].isoformat()}"
    if e is None:
        return f"{b[0].isoformat()}/.."
    first, last = b[0], e[0]
    if last < first:
        return None
    whole = _point(first, last)
    if whole is not None:
        return whole
    if (first.month, first.day, last.month, last.day) == (1, 1, 12, 31):
        return f"{first.year:04d}/{last.year:04d}"
    if first.day == 1 and _last_of_month(last):
        return f"{first.year:04d}-{first.month:02d}/{last.year:04d}-{last.month:02d}"
    return f"{first.isoformat()}/{last.isoformat()}"
