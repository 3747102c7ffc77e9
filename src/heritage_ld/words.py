"""Words for people: dates, roles and places as a visitor reads them, in each language of ``vocab/labels.tsv``.

The site and the IIIF metadata show an item's date in words, not as EDTF (``1972-12?`` is "December 1972
(uncertain)" and "tháng 12 năm 1972 (chưa chắc chắn)"), and a creator's role in the language of the text around
it. Every phrasing is a row of ``vocab/labels.tsv`` (groups ``date``, ``month``, ``season``, ``role``): a new
language is a new column, not new code.

>>> from heritage_ld.model import parse_edtf
>>> [date_in_words(parse_edtf(d), "en") for d in ("1972-12", "1972~", "1972-12-04/1972-12-17", "1972-12-29/..")]
['December 1972', 'about 1972', '4–17 December 1972', 'from 29 December 1972']
>>> [date_in_words(parse_edtf(d), "vi") for d in ("1972-12", "1972~", "1972-12-04/1972-12-17", "1972-12-29/..")]
['tháng 12 năm 1972', 'khoảng 1972', 'ngày 4–17 tháng 12 năm 1972', 'từ ngày 29 tháng 12 năm 1972']
"""

from __future__ import annotations

from heritage_ld.model import Attribution, EDTFDate, EDTFPoint, MultilingualText
from heritage_ld.vocab import labels

__all__ = ["LANGUAGES", "date_in_words", "date_words", "role_in_words", "with_role"]

#: The languages there are words for (the columns of ``vocab/labels.tsv``).
LANGUAGES: tuple[str, ...] = ("en", "vi")


def _phrase(key: str, lang: str, **values: object) -> str:
    row = labels("date")[key]
    return row.get(lang, row["en"]).format(**values)


def _word(group: str, key: str, lang: str) -> str:
    row = labels(group)[key]
    return row.get(lang, row["en"])


def _point(p: EDTFPoint, lang: str) -> str:
    lo, hi = p.earliest, p.latest
    if p.precision == "season":
        return _phrase("season", lang, season=_word("season", p.text[5:7], lang), year=lo.year)
    if lo.year != hi.year:  # unspecified digits: 197X is 1970–1979
        return _phrase("years", lang, first=lo.year, last=hi.year)
    if p.precision == "year" or ((lo.month, hi.month) == (1, 12) and lo.day == 1 and hi.day == 31):
        return _phrase("year", lang, year=lo.year)
    month = _word("month", str(lo.month), lang)
    if lo.month != hi.month:  # 1972-1X
        return _phrase("range", lang, start=_phrase("month", lang, month=month, year=lo.year),
                       end=_phrase("month", lang, month=_word("month", str(hi.month), lang), year=hi.year))
    if p.precision == "month" or (lo.day == 1 and hi.day != lo.day and p.text.count("-") == 1):
        return _phrase("month", lang, month=month, year=lo.year)
    if lo.day != hi.day:  # 1972-12-2X
        return _phrase("days", lang, first=lo.day, last=hi.day, month=month, year=lo.year)
    return _phrase("day", lang, day=lo.day, month=month, year=lo.year)


def _qualified(text: str, p: EDTFPoint, lang: str) -> str:
    if p.approximate and p.uncertain:
        return _phrase("approximate_uncertain", lang, date=text)
    if p.approximate:
        return _phrase("approximate", lang, date=text)
    if p.uncertain:
        return _phrase("uncertain", lang, date=text)
    return text


def date_in_words(date: EDTFDate, lang: str) -> str:
    """``date`` as a visitor reads it in ``lang`` (English when the language has no words in the table).

    A date read from another museum's record keeps the words it came with (:attr:`EDTFDate.display`).

    >>> from heritage_ld.model import parse_edtf
    >>> date_in_words(parse_edtf("1972-12?"), "en"), date_in_words(parse_edtf("1973/1975"), "vi")
    ('December 1972 (uncertain)', '1973–1975')
    """
    if date.display:
        return date.display
    start, end = date.start, date.end
    if not date.interval:
        assert start is not None
        return _qualified(_point(start, lang), start, lang)
    if start is None:
        assert end is not None
        return _phrase("until", lang, end=_qualified(_point(end, lang), end, lang))
    if end is None:
        return _phrase("from", lang, start=_qualified(_point(start, lang), start, lang))
    same_month = (start.precision == end.precision == "day" and not (start.approximate or start.uncertain)
                  and not (end.approximate or end.uncertain) and start.earliest.year == end.latest.year
                  and start.earliest.month == end.latest.month)
    if start.precision == end.precision == "year" and not (start.approximate or start.uncertain or end.approximate
                                                           or end.uncertain):
        return _phrase("years", lang, first=start.earliest.year, last=end.latest.year)
    if same_month:
        month = _word("month", str(start.earliest.month), lang)
        return _phrase("days", lang, first=start.earliest.day, last=end.latest.day, month=month,
                       year=start.earliest.year)
    return _phrase("range", lang, start=_qualified(_point(start, lang), start, lang),
                   end=_qualified(_point(end, lang), end, lang))


def date_words(date: EDTFDate, languages: tuple[str, ...] = LANGUAGES) -> MultilingualText:
    """``date`` in words in each of ``languages`` (one text when the source gave its own words)."""
    if date.display:
        return MultilingualText.plain(date.display)
    return MultilingualText.of({lang: date_in_words(date, lang) for lang in languages})


def role_in_words(role: str, lang: str) -> str:
    """A role as the catalogue writes it (``photographer``), in ``lang``; a role the table lacks as written.

    >>> role_in_words("photographer", "vi"), role_in_words("cartographer", "vi")
    ('nhiếp ảnh gia', 'cartographer')
    """
    row = labels("role").get(role.strip().lower())
    return row.get(lang, row["en"]) if row else role


def with_role(attribution: Attribution) -> MultilingualText:
    """An agent's name followed by its role in the same language: "Nguyễn Văn Minh (nhiếp ảnh gia)".

    A name with no language gets the role in every language there are words for.
    """
    name, role = attribution.agent.name, attribution.role
    if not role:
        return name
    values: dict[str, str] = {}
    for lang, text in name:
        if lang:
            values[lang] = f"{text} ({role_in_words(role, lang.split('-')[0])})"
        else:
            for other in LANGUAGES:
                values.setdefault(other, f"{text} ({role_in_words(role, other)})")
    return MultilingualText.of(values)
