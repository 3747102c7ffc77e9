"""The Hanoi 1972 example reads clean and has the shape issue 2 asks for."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from heritage_ld import ItemKind, check_catalogue, read_catalogue


def test_example_checks_clean(example_dir: Path) -> None:
    result = check_catalogue(example_dir)
    assert result.problems == ()


def test_exhibition_metadata(example_dir: Path) -> None:
    c = read_catalogue(example_dir)
    assert c.title["vi"] == "Hà Nội 1972 – Khát vọng hòa bình"
    assert c.title["en"] == "Hanoi 1972 – Aspiration for Peace"
    assert c.base_url == "https://heritage-ld.example/hanoi-1972"
    assert [a.name["en"] for a in c.organizers] == ["Hanoi Department of Culture and Sports"]
    assert c.publisher is not None and c.publisher.name["vi"] == "Bảo tàng Hà Nội"
    assert [(s.title["vi"], s.title["en"]) for s in c.sections] == [
        ("Khoảnh khắc lặng im", "The Silence Moment"),
        ("Đối đầu", "Confront"),
        ("Hòa bình", "Peace"),
    ]


def test_items_spread_over_three_sections_in_two_languages(example_dir: Path) -> None:
    c = read_catalogue(example_dir)
    assert len(c.items) >= 33
    assert all(len(c.items_in(s)) >= 10 for s in c.sections)
    assert {i.kind for i in c.items} == {ItemKind.PHOTOGRAPH, ItemKind.DOCUMENT, ItemKind.ARTIFACT}
    for item in c.items:
        for text in (item.title, item.description):
            assert text.get("vi") and text.get("en"), item.accession
            assert unicodedata.is_normalized("NFC", text["vi"])


def test_article_facts(example_dir: Path) -> None:
    c = read_catalogue(example_dir)
    children = c.item("HNM.1972.025")
    assert str(children.date) == "1972-12-29/.." and children.credit_line["en"] == "File photo"
    assert [p.key for p in children.places] == ["kham-thien"]
    opening = c.item("HNM.1972.036")
    assert opening.credit_line["en"] == "Photo: Hanoi Museum"
    battle = [i for i in c.items if i.date is not None and str(i.date) == "1972-12-18/1972-12-29"]
    assert battle and all(i.section == "confront" for i in battle)


def test_varied_dates_places_and_media(example_dir: Path) -> None:
    c = read_catalogue(example_dir)
    dates = {str(i.date) for i in c.items if i.date is not None}
    assert {"1972~", "1972-12?", "1972-12-29/.."} <= dates
    assert sum(p.has_coordinates for p in c.places) >= 8
    suffixes = {m.path.suffix for i in c.items for m in i.media}
    assert suffixes == {".tif", ".jpg", ".pdf"}
    assert any(len(i.masters) == 2 for i in c.items)
