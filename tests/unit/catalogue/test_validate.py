"""validate(collection): a model built in Python gets the catalogue's coded problems, and every emitter refuses
a bad model before it writes anything (issue 13, item 2)."""

from __future__ import annotations

import dataclasses
from pathlib import Path, PurePosixPath

import pytest

import heritage_ld
from heritage_ld.catalogue.validate import require_valid, validate
from heritage_ld.errors import CatalogueError, HeritageLDError
from heritage_ld.model import (
    Agent,
    AgentKind,
    Attribution,
    Collection,
    Item,
    ItemKind,
    MediaFile,
    MultilingualText,
    Place,
    Section,
)

BASE = "https://example.org/h"


def _item(accession: str, **kw: object) -> Item:
    media = (MediaFile(PurePosixPath(f"media/{accession}.jpg"), width=60, height=40),)
    return Item(accession, ItemKind.PHOTOGRAPH, MultilingualText.of(en=f"Photo {accession}"),
                **{"media": media, **kw})  # type: ignore[arg-type]


def _collection(*items: Item, **kw: object) -> Collection:
    return Collection("h", MultilingualText.of(en="Hanoi"), BASE, sections=(
        Section("peace", MultilingualText.of(en="Peace")),), items=items, **kw)  # type: ignore[arg-type]


def _codes(c: Collection) -> list[tuple[str, str, str | None]]:
    return [(p.code, p.location.file, p.location.field) for p in validate(c) if p.is_error]


def test_a_good_model_has_no_problem() -> None:
    assert validate(_collection(_item("X.001", section="peace"), _item("X.002"))) == ()


def test_the_hanoi_example_is_valid() -> None:
    assert validate(heritage_ld.read_catalogue(Path(__file__).parents[3] / "examples" / "hanoi-1972")) == ()


def test_duplicate_accession_and_unknown_section() -> None:
    c = _collection(_item("X.001"), _item("X.001", section="nope"))
    assert _codes(c) == [("C070", "X.001", "accession"), ("C013", "X.001", "section")]
    duplicate = next(p for p in validate(c) if p.code == "C070")
    assert (duplicate.get("first"), duplicate.get("second")) == (1, 2)


def test_wrong_types_are_problems_not_attribute_errors() -> None:
    bad = Item("X.003", "photograph", "str")  # type: ignore[arg-type]
    c = _collection(_item("X.001"), bad)
    assert _codes(c) == [("C026", "X.003", "kind"), ("C026", "X.003", "title")]
    title = next(p for p in validate(c) if p.location.field == "title")
    assert (title.get("expected"), title.get("found")) == ("MultilingualText", "str")


def test_wrong_types_deep_inside() -> None:
    agent = Agent("ann", AgentKind.PERSON, "Ann")  # type: ignore[arg-type]
    c = _collection(_item("X.001", creators=(Attribution(agent, "photographer"),)))
    assert _codes(c) == [("C026", "X.001", "creators[0].agent.name")]
    assert _codes(_collection(_item("X.001", creators=[Attribution(agent)]))) == [  # type: ignore[arg-type]
        ("C026", "X.001", "creators")]
    assert [p.code for p in validate("not a collection")] == ["C026"]  # type: ignore[arg-type]


@pytest.mark.parametrize(("change", "code", "field"), [
    ({"accession": ""}, "C010", "accession"),
    ({"accession": "a\u202eb"}, "C033", "accession"),
    ({"accession": "x" * 101}, "C034", "accession"),
    ({"title": MultilingualText()}, "C010", "title"),
    ({"description": MultilingualText.of(en="a\x00b")}, "C035", "description"),
    ({"description": MultilingualText.of(vi_VN="x")}, "C015", "description"),
    ({"rights": "all rights reserved"}, "C020", "rights"),
    ({"same_as": ("wikidata Q1",)}, "C014", "same_as"),
    ({"same_as": ("javascript:alert(1)",)}, "C037", "same_as"),
    ({"languages": ("vi_VN",)}, "C015", "language"),
    ({"places": (Place("p", MultilingualText.of(en="P"), latitude=91.0, longitude=0.0),)}, "C028", "places"),
    ({"media": (MediaFile(PurePosixPath("../etc/passwd")),)}, "C019", "media"),
])
def test_catalogue_codes_for_in_memory_values(change: dict[str, object], code: str, field: str) -> None:
    item = dataclasses.replace(_item("X.001"), **change)  # type: ignore[arg-type]
    problems = [p for p in validate(_collection(item)) if p.is_error]
    assert [(p.code, p.location.field) for p in problems] == [(code, field)]


def test_one_key_two_agents() -> None:
    a = Agent("ann", AgentKind.PERSON, MultilingualText.of(en="Ann"))
    b = Agent("ann", AgentKind.PERSON, MultilingualText.of(en="Another Ann"))
    c = _collection(_item("X.001", creators=(Attribution(a),)), _item("X.002", creators=(Attribution(b),)))
    assert _codes(c) == [("C071", "X.002", "creators")]


def test_collection_level_problems() -> None:
    c = dataclasses.replace(_collection(_item("X.001")), base_url="ftp://example.org/h",
                            rights="free", sections=(Section("a", MultilingualText()), Section("a", MultilingualText())))
    assert _codes(c) == [("C014", "collection", "base_url"), ("C020", "collection", "rights"),
                         ("C031", "collection", "sections")]


def test_media_files_are_looked_for_under_the_root(tmp_path: Path) -> None:
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "X.001.jpg").write_bytes(b"x")
    c = dataclasses.replace(_collection(_item("X.001"), _item("X.002")), root=tmp_path)
    assert _codes(c) == [("C017", "X.002", "media")]


def test_warnings_are_returned_not_raised() -> None:
    c = _collection(dataclasses.replace(_item("X.001"), media=()))
    assert [p.code for p in require_valid(c)] == ["C024"]


def test_problems_render_with_the_accession_as_location() -> None:
    c = _collection(_item("X.001", section="nope"))
    with pytest.raises(CatalogueError) as err:
        require_valid(c)
    assert isinstance(err.value, HeritageLDError)
    assert err.value.render().startswith("X.001: C013 unknown section key 'nope' in section")


BAD = _collection(_item("X.001"), _item("X.001", section="nope"))


def test_build_refuses_a_bad_model_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(CatalogueError) as err:
        heritage_ld.build(BAD, out)
    assert {p.code for p in err.value.problems} == {"C070", "C013"}
    assert not out.exists()


def test_every_emitter_refuses_a_bad_model(tmp_path: Path) -> None:
    from heritage_ld import iiif, rdf
    from heritage_ld.formats import TURTLE

    calls = [
        lambda: rdf.item_triples(BAD.items[0], BAD),
        lambda: rdf.item_jsonld(BAD.items[0], BAD),
        lambda: rdf.item_document(BAD.items[0], BAD, TURTLE),
        lambda: rdf.serialize(BAD, TURTLE),
        lambda: rdf.collection_triples(BAD),
        lambda: iiif.build_manifest(BAD.items[0], BAD),
        lambda: iiif.ManifestBuilder(BAD),
        lambda: iiif.build_collection(BAD),
        lambda: iiif.build_exhibition_manifest(BAD),
        lambda: heritage_ld.item_files(BAD.items[0], BAD),
        lambda: heritage_ld.bag_item(BAD.items[0], BAD, tmp_path / "bag"),
    ]
    for call in calls:
        with pytest.raises(CatalogueError):
            call()
    assert list(tmp_path.iterdir()) == []


def test_an_item_outside_the_collection_is_checked_too() -> None:
    good = _collection(_item("X.001"))
    stranger = Item("X.009", ItemKind.PHOTOGRAPH, "not text")  # type: ignore[arg-type]
    from heritage_ld import rdf

    with pytest.raises(CatalogueError) as err:
        rdf.item_triples(stranger, good)
    assert [p.code for p in err.value.problems if p.is_error] == ["C026"]


def test_a_catalogue_just_read_is_not_validated_again_but_a_changed_copy_is(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader checks the whole catalogue: the emitters' require_valid trusts that very object (validating
    10,000 items again cost 1.5 s at the start of every build) and validates any copy made from it."""
    from heritage_ld.catalogue import validate as module

    collection = heritage_ld.read_catalogue(Path(__file__).parents[3] / "examples" / "hanoi-1972")
    calls: list[object] = []
    real = module.validate
    monkeypatch.setattr(module, "validate", lambda c: calls.append(c) or real(c))
    assert require_valid(collection) == ()
    assert calls == []
    first = collection.items[0]
    broken = dataclasses.replace(collection, items=(first, first, *collection.items[1:]))  # a duplicate
    with pytest.raises(CatalogueError) as refused:
        require_valid(broken)
    assert calls == [broken] and "C070" in [p.code for p in refused.value.problems]


def test_a_slim_copy_checked_in_between_does_not_push_the_collection_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each build step checks a slim copy of the collection (its tasks carry it) between checks of the whole:
    the whole collection stays remembered."""
    from heritage_ld.catalogue import validate as module

    collection = heritage_ld.read_catalogue(Path(__file__).parents[3] / "examples" / "hanoi-1972")
    calls: list[object] = []
    real = module.validate
    monkeypatch.setattr(module, "validate", lambda c: calls.append(c) or real(c))
    for _ in range(3):  # three steps, each with its own slim copy
        slim = dataclasses.replace(collection, items=())
        require_valid(slim, collection.items[0])
        require_valid(collection)
    assert collection not in calls and len(calls) == 3
