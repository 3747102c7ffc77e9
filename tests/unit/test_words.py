"""Dates, roles and places in words (issue 13, item 4), from the phrasings of vocab/labels.tsv."""

from __future__ import annotations

import dataclasses

import pytest

from heritage_ld.model import Agent, AgentKind, Attribution, MultilingualText, parse_edtf
from heritage_ld.vocab import labels
from heritage_ld.words import date_in_words, date_words, role_in_words, with_role


@pytest.mark.parametrize(("edtf", "en", "vi"), [
    ("1972", "1972", "1972"),
    ("1972-12", "December 1972", "tháng 12 năm 1972"),
    ("1972-12-04", "4 December 1972", "ngày 4 tháng 12 năm 1972"),
    ("1972~", "about 1972", "khoảng 1972"),
    ("1972-12?", "December 1972 (uncertain)", "tháng 12 năm 1972 (chưa chắc chắn)"),
    ("1972%", "about 1972 (uncertain)", "khoảng 1972 (chưa chắc chắn)"),
    ("1973-01~", "about January 1973", "khoảng tháng 1 năm 1973"),
    ("1972-12-04/1972-12-17", "4–17 December 1972", "ngày 4–17 tháng 12 năm 1972"),
    ("1972-12-18/1973-01-10", "18 December 1972 – 10 January 1973",
     "từ ngày 18 tháng 12 năm 1972 đến ngày 10 tháng 1 năm 1973"),
    ("1973/1975", "1973–1975", "1973–1975"),
    ("1972-12-29/..", "from 29 December 1972", "từ ngày 29 tháng 12 năm 1972"),
    ("/1973", "until 1973", "đến 1973"),
    ("197X", "1970–1979", "1970–1979"),
    ("1972-12-2X", "20–29 December 1972", "ngày 20–29 tháng 12 năm 1972"),
    ("1972-24", "winter 1972", "mùa đông năm 1972"),
])
def test_dates_in_words(edtf: str, en: str, vi: str) -> None:
    date = parse_edtf(edtf)
    assert (date_in_words(date, "en"), date_in_words(date, "vi")) == (en, vi)
    assert date_words(date).as_dict() == {"en": en, "vi": vi}


def test_a_language_without_words_falls_back_to_english() -> None:
    assert date_in_words(parse_edtf("1972-12"), "fr") == "December 1972"


def test_a_source_s_own_words_win() -> None:
    date = dataclasses.replace(parse_edtf("1972-12"), display="December 1972 (printed date)")
    assert date_in_words(date, "vi") == "December 1972 (printed date)"
    assert date_words(date).as_dict() == {"": "December 1972 (printed date)"}


def test_roles_in_the_language_of_the_name() -> None:
    minh = Agent("minh", AgentKind.PERSON, MultilingualText.of(vi="Nguyễn Văn Minh", en="Nguyen Van Minh"))
    assert with_role(Attribution(minh, "photographer")).as_dict() == {
        "en": "Nguyen Van Minh (photographer)", "vi": "Nguyễn Văn Minh (nhiếp ảnh gia)"}
    plain = Agent("x", AgentKind.PERSON, MultilingualText.plain("Trần Bình"))
    assert with_role(Attribution(plain, "author")).as_dict() == {"en": "Trần Bình (author)",
                                                                 "vi": "Trần Bình (tác giả)"}
    assert with_role(Attribution(minh)) == minh.name
    assert role_in_words("Donor", "vi") == "người hiến tặng" and role_in_words("cartographer", "vi") == "cartographer"


def test_every_phrasing_has_every_placeholder_in_every_language() -> None:
    import string

    for key, row in labels("date").items():
        fields = [{f[1] for f in string.Formatter().parse(text) if f[1]} for text in row.values()]
        assert len(row) >= 2 and all(f == fields[0] for f in fields), key
    assert set(labels("month")) == {str(n) for n in range(1, 13)}
    assert set(labels("season")) == {"21", "22", "23", "24"}
