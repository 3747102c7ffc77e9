"""The words written for people (vocab/labels.tsv) say the same thing the same way wherever they appear."""

from __future__ import annotations

from heritage_ld.vocab import labels


def test_an_items_date_has_one_label_in_every_language_on_the_site_and_in_iiif() -> None:
    # An object's date is its "niên đại" (dating) in Vietnamese museum usage; "thời gian" is when the
    # exhibition runs. The IIIF metadata label and the item page must agree.
    assert labels("metadata")["date"] == labels("site")["date"]
    assert labels("metadata")["date"]["vi"] == "Niên đại"
    assert labels("site")["dates"]["vi"] == "Thời gian"


def test_every_label_group_has_english_and_vietnamese() -> None:
    for group in ("metadata", "kind", "site", "date", "month", "season", "role"):
        for key, words in labels(group).items():
            assert {"en", "vi"} <= words.keys(), f"{group}/{key} misses a language"
            assert all(text.strip() == text and text for text in words.values()), f"{group}/{key}"
