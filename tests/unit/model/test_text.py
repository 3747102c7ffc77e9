"""Multilingual text and BCP 47 language tags (RFC 5646 §2.1)."""

from __future__ import annotations

import unicodedata

import pytest

from heritage_ld.model import NO_LANGUAGE, MultilingualText, is_language_tag, normalize_text


@pytest.mark.parametrize("tag", ["vi", "en", "en-GB", "vi-Latn", "zh-Hant-TW", "es-419", "de-CH-1996", "x-museum",
                                 "en-x-hanoi", "sr-Latn-RS"])
def test_well_formed_tags(tag: str) -> None:
    assert is_language_tag(tag)


@pytest.mark.parametrize("tag", ["", "vi_VN", "e", "en-", "-en", "en--GB", "toolongtag", "en GB", "1en", "vi-VN-"])
def test_malformed_tags(tag: str) -> None:
    assert not is_language_tag(tag)


def test_text_is_sorted_nfc_and_drops_empty_values() -> None:
    t = MultilingualText.of({"vi": unicodedata.normalize("NFD", "Hà Nội"), "en": "Hanoi", "fr": ""})
    assert t.entries == (("en", "Hanoi"), ("vi", "Hà Nội"))
    assert t["vi"] == normalize_text("Hà Nội") and t.get("fr") is None
    assert t == MultilingualText.of(en="Hanoi", vi="Hà Nội")
    assert hash(t) == hash(MultilingualText.of(vi="Hà Nội", en="Hanoi"))
    with pytest.raises(KeyError):
        t["fr"]


def test_best_prefers_languages_then_base_language_then_first() -> None:
    t = MultilingualText.of({"en-GB": "Colour", "vi": "Màu"})
    assert t.best(("en",)) == "Colour"
    assert t.best(("vi", "en")) == "Màu"
    assert t.best(("fr",)) == "Colour"
    assert MultilingualText().best() == ""


def test_plain_text_has_no_language_and_empty_text_is_false() -> None:
    p = MultilingualText.plain("x")
    assert p.languages == (NO_LANGUAGE,) and p.as_dict() == {"": "x"}
    assert not MultilingualText() and len(p) == 1 and list(p) == [("", "x")]
