"""Dates in the Library of Congress Extended Date/Time Format (EDTF, ISO 8601-2), levels 0 and 1.

Supported: ``1972``, ``1972-12``, ``1972-12-18``, date-times (``1972-12-18T20:00:00``), qualifiers
(``1972?`` uncertain, ``1972~`` approximate, ``1972%`` both), unspecified digits (``197X``, ``1972-XX``),
seasons (``1972-21`` spring … ``1972-24`` winter) and intervals with known, open (``..``) or unknown (empty) ends:
``1972-12-18/1972-12-29``, ``1972-12-29/..``, ``/1973``.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from heritage_ld.errors import HeritageLDError

__all__ = ["EDTFDate", "EDTFError", "EDTFPoint", "parse_edtf"]


class EDTFError(HeritageLDError, ValueError):
    """The text is not a valid EDTF date; the message says why. A :class:`~heritage_ld.errors.HeritageLDError`
    (exit code 2) and, for code that catches it so, a ``ValueError``."""

    exit_code = 2


_POINT = re.compile(
    r"^(?P<year>-?[0-9X]{4})(?:-(?P<month>[0-9X]{2})(?:-(?P<day>[0-9X]{2})"
    r"(?:T(?P<time>[0-9]{2}:[0-9]{2}:[0-9]{2}(?:Z|[+-][0-9]{2}(?::[0-9]{2})?)?))?)?)?(?P<q>[?~%])?$"
)

_SEASONS = {21: (3, 5), 22: (6, 8), 23: (9, 11), 24: (12, 12)}  # northern-hemisphere months (EDTF level 1)


@dataclass(frozen=True, slots=True)
class EDTFPoint:
    """One end of a date: its text and the earliest and latest calendar days it can mean."""

    text: str
    earliest: date
    latest: date
    precision: str  # "year" | "month" | "day" | "season" | "second"
    uncertain: bool = False
    approximate: bool = False


def _parse_point(text: str) -> EDTFPoint:
    m = _POINT.match(text)
    if not m:
        raise EDTFError(f"{text!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    q = m.group("q") or ""
    year_s, month_s, day_s = m.group("year"), m.group("month"), m.group("day")
    neg = year_s.startswith("-")
    ys = year_s.lstrip("-")
    if neg:
        raise EDTFError("years before the common era are not supported")
    y_lo, y_hi = int(ys.replace("X", "0")), int(ys.replace("X", "9"))
    if y_lo < 1:
        raise EDTFError("year 0000 is not supported")
    if "X" in ys and (month_s or day_s) and (month_s != "XX" or (day_s and day_s != "XX")):
        raise EDTFError("an unspecified year cannot have a specified month or day")
    precision = "year"
    m_lo, m_hi = 1, 12
    if month_s is not None:
        precision = "month"
        if month_s == "XX":
            pass
        elif "X" in month_s:
            if month_s not in ("0X", "1X"):
                raise EDTFError(f"month {month_s!r} is not valid")
            m_lo, m_hi = (1, 9) if month_s == "0X" else (10, 12)
        else:
            mo = int(month_s)
            if 21 <= mo <= 24 and day_s is None:
                precision = "season"
                m_lo, m_hi = _SEASONS[mo]
            elif not 1 <= mo <= 12:
                raise EDTFError(f"month {mo} does not exist")
            else:
                m_lo = m_hi = mo
    d_lo, d_hi = 1, calendar.monthrange(y_hi, m_hi)[1]
    if day_s is not None:
        precision = "day"
        if day_s == "XX":
            pass
        elif "X" in day_s:
            if day_s[0] == "X" or day_s[0] not in "0123":
                raise EDTFError(f"day {day_s!r} is not valid")
            d_lo = max(1, int(day_s[0]) * 10)
            d_hi = min(d_hi, int(day_s[0]) * 10 + 9)
            if d_lo > d_hi:  # "1972-02-3X": no day of February starts with 3
                raise EDTFError(f"no day {day_s!r} exists in month {month_s}")
        else:
            if month_s is not None and "X" in month_s:
                raise EDTFError("a specified day needs a specified month")
            dd = int(day_s)
            last = calendar.monthrange(y_lo, m_lo)[1]
            if not 1 <= dd <= last:
                raise EDTFError(f"day {dd} does not exist in {y_lo:04d}-{m_lo:02d}")
            d_lo = d_hi = dd
        if m.group("time"):
            precision = "second"
    return EDTFPoint(
        text=text,
        earliest=date(y_lo, m_lo, d_lo),
        latest=date(y_hi, m_hi, min(d_hi, calendar.monthrange(y_hi, m_hi)[1])),
        precision=precision,
        uncertain=q in "?%" and q != "",
        approximate=q in "~%" and q != "",
    )


@dataclass(frozen=True, slots=True, repr=False)
class EDTFDate:
    """A parsed EDTF date or interval; :attr:`text` keeps the original string.

    ``start``/``end`` are ``None`` for an unknown end (``/1973``) and :attr:`open_start`/:attr:`open_end` are
    true for an open end (``1972-12-29/..``). For a single date, ``start == end``.

    >>> d = parse_edtf("1972-12-18/1972-12-29")
    >>> d.earliest, d.latest
    (datetime.date(1972, 12, 18), datetime.date(1972, 12, 29))
    >>> parse_edtf("1972~").approximate
    True
    >>> parse_edtf("1972-12-29/..").open_end
    True
    """

    text: str
    start: EDTFPoint | None
    end: EDTFPoint | None
    interval: bool = False
    open_start: bool = False
    open_end: bool = False
    #: How the source names the date for people ("December 1972", "ca. 1890"), when it is not the EDTF text
    #: itself (a record read from another museum's Linked Art); shown instead of the date in words.
    display: str = ""

    def __repr__(self) -> str:
        # ``display`` only when set: the build ledger digests items by their repr, and dates read from a
        # catalogue (which never have one) keep the digests they had before the field existed.
        shown = f", display={self.display!r}" if self.display else ""
        return (f"EDTFDate(text={self.text!r}, start={self.start!r}, end={self.end!r}, interval={self.interval!r}, "
                f"open_start={self.open_start!r}, open_end={self.open_end!r}{shown})")

    @property
    def earliest(self) -> date | None:
        """The first day the date can mean; ``None`` when the start is open or unknown."""
        return self.start.earliest if self.start else None

    @property
    def latest(self) -> date | None:
        """The last day the date can mean; ``None`` when the end is open or unknown."""
        return self.end.latest if self.end else None

    @property
    def uncertain(self) -> bool:
        return any(p.uncertain for p in (self.start, self.end) if p)

    @property
    def approximate(self) -> bool:
        return any(p.approximate for p in (self.start, self.end) if p)

    def __str__(self) -> str:
        return self.text


def parse_edtf(text: str) -> EDTFDate:
    """Parse an EDTF (level 0/1) date or interval; raises :class:`EDTFError` with the reason."""
    text = text.strip()
    if not text:
        raise EDTFError("the date is empty")
    if "/" in text:
        parts = text.split("/")
        if len(parts) != 2:
            raise EDTFError("an interval has exactly one '/'")
        a, b = parts
        if a in ("", "..") and b in ("", ".."):
            raise EDTFError("an interval needs at least one known end")
        start = None if a in ("", "..") else _parse_point(a)
        end = None if b in ("", "..") else _parse_point(b)
        if start and end and start.earliest > end.latest:
            raise EDTFError(f"the interval ends ({b}) before it starts ({a})")
        return EDTFDate(text, start, end, interval=True, open_start=a == "..", open_end=b == "..")
    point = _parse_point(text)
    return EDTFDate(text, point, point)
