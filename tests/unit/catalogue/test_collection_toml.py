"""collection.toml: every problem at the line of its key."""

from __future__ import annotations

import pytest

from heritage_ld.catalogue import check_catalogue, read_catalogue
from heritage_ld.catalogue.collection_toml import read_collection_toml
from heritage_ld.catalogue.locate import KeyLocator

from .conftest import TOML, MiniCatalogue, location


def _toml_problems(mini: MiniCatalogue) -> list[tuple[str, str, int | None, int | None]]:
    mini.write()
    return [location(p) for p in check_catalogue(mini.root).errors]


@pytest.mark.parametrize(
    ("old", "new", "code", "at"),
    [
        ('date = "2022-12-16/2023-03"', 'date = "2022-12-16/2021"', "C012", "date ="),
        ('rights = "http://rightsstatements.org/vocab/InC-EDU/1.0/"', 'rights = "https://e.org/r"', "C020", "rights ="),
        ('publisher = "museum"', 'publisher = "nobody"', "C013", "publisher ="),
        ('venue = "hanoi"', 'venue = "saigon"', "C013", "venue ="),
        ('organizers = ["museum"]', 'organizers = ["museum", "ghost"]', "C013", "organizers ="),
        ('languages = ["vi", "en"]', 'languages = ["vi", "en_GB"]', "C015", "languages ="),
        ('base_url = "https://example.org/mini"', 'base_url = "example.org/mini"', "C014", "base_url ="),
        ('base_url = "https://example.org/mini"', 'base_url = "urn:x:mini"', "C014", "base_url ="),
        ('key = "mini"', 'key = "mini collection"', "C022", 'key = "mini'),
        ('key = "mini"', "key = 7", "C026", "key ="),
        ('title.en = "Hanoi 1972"', 'title.en_GB = "Hanoi 1972"', "C015", "title.en_GB"),
        ("lat = 21.0285", "lat = 121.0", "C028", "lat ="),
        ("lon = 105.8542", 'lon = "east"', "C026", "lon ="),
        ('kind = "person"', 'kind = "robot"', "C023", 'kind = "robot"'),
        ('same_as = ["http://www.wikidata.org/entity/Q10832221"]', 'same_as = ["Q10832221"]', "C014", "same_as ="),
        ('label.en = "Paper"', 'labl.en = "Paper"', "C030", "labl.en"),
        ('venue = "hanoi"', 'venue = "hanoi"\nvenu = "hanoi"', "C030", "venu ="),
    ],
)
def test_toml_problem_is_at_its_line(mini: MiniCatalogue, old: str, new: str, code: str, at: str) -> None:
    assert old in mini.toml
    mini.toml = mini.toml.replace(old, new, 1)
    got = _toml_problems(mini)
    if code == "C030" and at.startswith("labl"):  # the label is then also missing
        assert ("C010", "collection.toml", mini.toml_line("[materials.paper]"), None) in got
        got = [g for g in got if g[0] == "C030"]
    assert got == [(code, "collection.toml", mini.toml_line(at), None)]


def test_malformed_toml_is_c004_with_line_and_column(mini: MiniCatalogue) -> None:
    mini.toml = mini.toml.replace('key = "mini"', 'key = "mini', 1)
    (problem,) = [p for p in check_catalogue(mini.write()).errors]
    assert location(problem) == ("C004", "collection.toml", 2, 12)
    assert "line 2" not in problem.message  # the location says it; the reason does not repeat it


def test_duplicate_section_key_is_c031(mini: MiniCatalogue) -> None:
    mini.toml = mini.toml.replace('key = "peace"', 'key = "silence"', 1)
    problem, unknown = check_catalogue(mini.write()).errors
    assert location(unknown) == ("C013", "items.csv", *mini.cell(1, "section"))  # "peace" is gone
    assert location(problem) == ("C031", "collection.toml", mini.toml_line('key = "silence"') + 4, None)
    assert problem.get("first_line") == mini.toml_line('key = "silence"')


def test_missing_required_values_are_c010(mini: MiniCatalogue) -> None:
    mini.toml = mini.toml.replace('title.vi = "Hà Nội 1972"\ntitle.en = "Hanoi 1972"\n', "")
    mini.toml = mini.toml.replace('base_url = "https://example.org/mini"\n', "")
    fields = [(p.code, p.location.field) for p in check_catalogue(mini.write()).errors]
    assert fields == [("C010", "collection.base_url"), ("C010", "collection.title")]


def test_a_key_in_two_vocabularies_is_refused(mini: MiniCatalogue) -> None:
    mini.toml += '\n[techniques.paper]\nlabel.en = "Paper making"\n'
    assert _toml_problems(mini) == [("C022", "collection.toml", mini.toml_line("[techniques.paper]"), None)]


def test_only_one_coordinate_is_c010(mini: MiniCatalogue) -> None:
    mini.toml = mini.toml.replace("lon = 105.8542\n", "")
    (problem,) = check_catalogue(mini.write()).errors
    assert problem.code == "C010" and problem.location.field == "places.hanoi.lon"
    assert problem.location.line == mini.toml_line("[places.hanoi]")


def test_wrong_types_are_c026(mini: MiniCatalogue) -> None:
    mini.toml = mini.toml.replace('organizers = ["museum"]', 'organizers = "museum"').replace(
        "[[sections]]\nkey = \"peace\"", "[[sections]]\nkey = \"peace\"\ntitle.vi = 3")
    got = _toml_problems(mini)
    assert got == [
        ("C026", "collection.toml", mini.toml_line("organizers ="), None),
        ("C026", "collection.toml", mini.toml_line("title.vi = 3"), None),
    ]


def test_unknown_table_is_c030(mini: MiniCatalogue) -> None:
    mini.toml += "\n[agent.typo]\nkind = \"person\"\n"
    (problem,) = check_catalogue(mini.write()).errors
    assert location(problem) == ("C030", "collection.toml", mini.toml_line("[agent.typo]"), None)
    assert "did you mean 'agents'?" in problem.render()


def test_model_of_the_collection(mini: MiniCatalogue) -> None:
    c = read_catalogue(mini.root)
    assert [a.key for a in c.agents] == ["museum", "minh"]
    assert [a.key for a in c.organizers] == ["museum"]
    assert c.agents[0].same_as == ("http://www.wikidata.org/entity/Q10832221",)
    assert [p.key for p in c.places] == ["hanoi"] and c.places[0].has_coordinates
    assert [k.key for k in c.concepts] == ["shelters", "paper"]
    assert c.languages == ("vi", "en") and c.credit_line["en"] == "Photo: Hanoi Museum"


def test_plain_string_title_has_no_language() -> None:
    head = read_collection_toml('[collection]\nkey = "x"\nbase_url = "https://e.org"\ntitle = "Plain"\n', [])
    assert head is not None and head.collection.title.as_dict() == {"": "Plain"}


def test_locator_handles_quoted_keys_tables_and_multiline_strings() -> None:
    text = TOML + '\n[agents."quoted key"]\nkind = "group"\nname.en = """\nfake = "line"\n"""\nemail = "a@b.org"\n'
    loc = KeyLocator(text)
    lines = text.splitlines()
    assert lines[loc.line_of(("agents", "quoted key")) - 1] == '[agents."quoted key"]'
    assert lines[loc.line_of(("agents", "quoted key", "email")) - 1] == 'email = "a@b.org"'
    assert loc.line_of(("agents", "quoted key", "fake")) == loc.line_of(("agents", "quoted key"))
    assert lines[loc.line_of(("sections", 1, "title", "en")) - 1] == 'title.en = "Peace"'
    assert loc.line_of(("nothing",)) is None


def test_text_given_but_empty_in_every_language_is_a_warning(mini: MiniCatalogue) -> None:
    mini.toml = mini.toml.replace('credit.en = "Photo: Hanoi Museum"', 'credit.en = "  "')
    result = check_catalogue(mini.write())
    assert result.ok
    assert [location(p) for p in result.warnings] == [("C025", "collection.toml", mini.toml_line("credit.en"), None)]
