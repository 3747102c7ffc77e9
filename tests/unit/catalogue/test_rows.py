"""Each problem an items.csv cell can have: its exact code, file, line and column."""

from __future__ import annotations

import pytest

from heritage_ld.catalogue import check_catalogue, read_catalogue

from .conftest import MiniCatalogue, location


@pytest.mark.parametrize(
    ("row", "column", "value", "code"),
    [
        (0, "accession", "", "C010"),
        (0, "accession", "..", "C022"),
        (0, "kind", "", "C010"),
        (0, "kind", "painting", "C016"),
        (0, "section", "confront", "C013"),
        (0, "date", "1972-12-32", "C012"),
        (0, "date", "1973/1972", "C012"),
        (0, "creator", "nobody:photographer", "C013"),
        (1, "creator", "museum|ghost", "C013"),
        (0, "place", "hanoi|saigon", "C013"),
        (0, "subject", "paper", "C013"),  # a material key is not a subject
        (0, "material", "shelters", "C013"),
        (0, "height_cm", "eighteen", "C021"),
        (0, "height_cm", "NaN", "C021"),
        (0, "height_cm", "-3", "C022"),
        (0, "rights", "https://example.org/licence", "C020"),
        (0, "same_as", "www.wikidata.org/entity/Q1", "C014"),
        (1, "language", "vi_VN", "C015"),
        (0, "master", "media/missing.png", "C017"),
        (0, "access", "media/one.jpg|media/two.png", "C029"),
    ],
)
def test_cell_problem_is_located(mini: MiniCatalogue, row: int, column: str, value: str, code: str) -> None:
    line, col = mini.set(row, column, value)
    assert [location(p) for p in check_catalogue(mini.root).errors] == [(code, "items.csv", line, col)]


def test_title_in_no_language_is_c010_at_the_first_title_column(mini: MiniCatalogue) -> None:
    mini.rows[0]["title@vi"] = mini.rows[0]["title@en"] = "  "
    mini.write()
    assert [location(p) for p in check_catalogue(mini.root).errors] == [
        ("C010", "items.csv", 2, mini.header.index("title@vi") + 1)
    ]


def test_several_values_and_spaces_are_split_and_trimmed(mini: MiniCatalogue) -> None:
    mini.set(0, "creator", " minh : photographer | museum:publisher ||")
    mini.set(1, "language", "vi | en")
    c = read_catalogue(mini.root)
    assert [(a.agent.key, a.role) for a in c.items[0].creators] == [("minh", "photographer"), ("museum", "publisher")]
    assert c.items[1].languages == ("vi", "en")


def test_kind_and_source_type_are_case_insensitive(mini: MiniCatalogue) -> None:
    mini.header.append("source_type")
    mini.set(0, "kind", "Photograph")
    mini.set(0, "source_type", "Archive")
    item = read_catalogue(mini.root).items[0]
    assert item.kind.value == "photograph" and item.source_type is not None and item.source_type.value == "archive"


def test_unknown_source_type_is_c023(mini: MiniCatalogue) -> None:
    mini.header.append("source_type")
    line, col = mini.set(0, "source_type", "gift")
    assert [location(p) for p in check_catalogue(mini.root).errors] == [("C023", "items.csv", line, col)]


def test_unknown_column_suggests_the_known_one(mini: MiniCatalogue) -> None:
    mini.header[mini.header.index("material")] = "materal"
    mini.rows = [{("materal" if k == "material" else k): v for k, v in r.items()} for r in mini.rows]
    mini.write()
    (problem,) = check_catalogue(mini.root).errors
    assert location(problem) == ("C007", "items.csv", 1, mini.header.index("materal") + 1)
    assert "did you mean 'material'?" in problem.render()


def test_duplicate_column_is_c008(mini: MiniCatalogue) -> None:
    mini.header.append("date")
    mini.write()
    assert [location(p) for p in check_catalogue(mini.root).errors] == [("C008", "items.csv", 1, len(mini.header))]


def test_bad_language_tag_in_a_column_name_is_c015(mini: MiniCatalogue) -> None:
    mini.header.append("description@vi_VN")
    mini.write()
    assert [location(p) for p in check_catalogue(mini.root).errors] == [("C015", "items.csv", 1, len(mini.header))]


def test_missing_required_columns_are_reported_once_at_the_header(mini: MiniCatalogue) -> None:
    mini.header = [h for h in mini.header if h not in ("kind", "title@vi", "title@en")]
    mini.write()
    assert [(p.code, p.location.line, p.location.field) for p in check_catalogue(mini.root).errors] == [
        ("C010", 1, "kind"),
        ("C010", 1, "title"),
    ]


def test_a_column_without_language_holds_text_with_no_language(mini: MiniCatalogue) -> None:
    mini.header.append("description")
    mini.set(0, "description", "plain")
    assert read_catalogue(mini.root).items[0].description.as_dict() == {"": "plain"}


def test_a_named_empty_column_is_ignored_only_when_empty(mini: MiniCatalogue) -> None:
    mini.header.append("")
    mini.write()
    assert check_catalogue(mini.root).ok
    _, col = mini.set(0, "", "stray")
    assert [location(p) for p in check_catalogue(mini.root).errors] == [("C007", "items.csv", 1, col)]
