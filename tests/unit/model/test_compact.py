"""Items held compactly (:class:`ItemSequence`): what comes out equals what went in, for every kind of value the
model holds, and whatever cannot be encoded is kept as it is (the validator still sees it)."""

from __future__ import annotations

import dataclasses
import pickle
from decimal import Decimal
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heritage_ld import read_catalogue
from heritage_ld.catalogue.validate import require_valid, validate
from heritage_ld.errors import CatalogueError
from heritage_ld.model import (
    Agent,
    AgentKind,
    Attribution,
    Collection,
    Concept,
    Dimension,
    Item,
    ItemKind,
    ItemSequence,
    MediaFile,
    MediaRole,
    MultilingualText,
    Place,
    SourceType,
    parse_edtf,
)
from heritage_support import EXAMPLE

_text = st.dictionaries(st.sampled_from(["", "en", "vi", "fr-CA"]), st.text(min_size=1, max_size=30), max_size=3)
_agent = st.builds(Agent, key=st.sampled_from(["a", "b"]), kind=st.sampled_from(list(AgentKind)),
                   name=_text.map(MultilingualText.of), same_as=st.lists(st.text(max_size=9), max_size=2).map(tuple))
_place = st.builds(Place, key=st.text(min_size=1, max_size=5), name=_text.map(MultilingualText.of),
                   latitude=st.none() | st.floats(-90, 90), longitude=st.none() | st.floats(-180, 180))
_concept = st.builds(Concept, key=st.text(min_size=1, max_size=5), label=_text.map(MultilingualText.of))
_media = st.builds(MediaFile, path=st.sampled_from(["media/a.jpg", "media/b.pdf", "m/ü.tif"]).map(PurePosixPath),
                   role=st.sampled_from(list(MediaRole)),
                   derived_from=st.none() | st.just(PurePosixPath("media/a.tif")),
                   width=st.none() | st.integers(1, 10**6), height=st.none() | st.integers(1, 10**6))
_tuple = lambda s: st.lists(s, max_size=3).map(tuple)  # noqa: E731
_items = st.builds(
    Item,
    accession=st.text(min_size=1, max_size=20),
    kind=st.sampled_from(list(ItemKind)),
    title=_text.map(MultilingualText.of),
    section=st.none() | st.text(max_size=8),
    alternative_title=_text.map(MultilingualText.of),
    description=_text.map(MultilingualText.of),
    date=st.none() | st.sampled_from(["1972", "1972-12-18", "1972-12?", "1960/1975"]).map(parse_edtf),
    creators=_tuple(st.builds(Attribution, agent=_agent, role=st.none() | st.just("photographer"))),
    source=st.none() | _agent,
    source_type=st.none() | st.sampled_from(list(SourceType)),
    places=_tuple(_place),
    subjects=_tuple(_concept),
    dimensions=_tuple(st.builds(Dimension, kind=st.just("height"), value=st.decimals(1, 999, places=1), unit=st.just("cm"))),
    rights=st.none() | st.just("http://rightsstatements.org/vocab/InC/1.0/"),
    media=_tuple(_media),
    identifiers=_tuple(st.text(max_size=10)),
    languages=_tuple(st.sampled_from(["vi", "en"])),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_items, max_size=5))
def test_what_comes_out_equals_what_went_in(items: list[Item]) -> None:
    held = ItemSequence(items)
    assert list(held) == items and len(held) == len(items)
    assert [held[i] for i in range(len(items))] == items and held[1:3] == tuple(items[1:3])
    assert held == tuple(items) and tuple(items) == held and hash(held) == hash(tuple(items))
    assert pickle.loads(pickle.dumps(held)) == held  # (shipped to worker processes and Dask workers)
    assert not held._odd  # every one encoded: nothing here is unusual


def test_the_example_catalogue_round_trips_and_shares_what_items_share() -> None:
    collection = read_catalogue(EXAMPLE)
    held = collection.items
    assert isinstance(held, ItemSequence)
    plain = tuple(held)
    assert ItemSequence(plain) == plain and list(ItemSequence(plain)) == list(plain)
    first = held[0]
    held._decoded.clear()
    again = held[0]
    assert first == again and first is not again  # decoded anew: equal, not the same object
    assert first.creators and first.creators[0] is again.creators[0]  # shared values are one object
    assert held[0] is again  # kept decoded since
    assert held.owns(again) and not held.owns(dataclasses.replace(again, title=MultilingualText.of(en="Edited")))
    assert not held.owns(dataclasses.replace(again, accession="NOT.IN.IT")) and not held.owns("a string")


def test_items_that_cannot_be_encoded_are_kept_as_they_are() -> None:
    class Special(Item):
        __slots__ = ()

    odd = Item("B.1", ItemKind.ARTIFACT, "a plain string, not a MultilingualText")  # type: ignore[arg-type]
    special = Special("B.2", ItemKind.ARTIFACT, MultilingualText.of(en="Special"))
    unhashable = Item("B.3", ItemKind.ARTIFACT, MultilingualText.of(en="x"), places=([1],))  # type: ignore[arg-type]
    good = Item("B.4", ItemKind.ARTIFACT, MultilingualText.of(en="Good"), dimensions=(Dimension("height", Decimal("2"), "cm"),))
    held = ItemSequence([odd, special, unhashable, good])
    assert held[0] is odd and held[1] is special and held[2] is unhashable and held[3] == good
    assert held.owns(special) and not held.owns(Special("B.2", ItemKind.ARTIFACT, MultilingualText.of(en="Special")))
    # The validator sees the wrong value as it was given.
    c = Collection("c", MultilingualText.of(en="C"), "https://example.org/c", items=held)
    assert "C026" in {p.code for p in validate(c)}
    with pytest.raises(CatalogueError):
        require_valid(c)


def test_items_decoded_from_a_validated_collection_are_not_validated_again(monkeypatch: pytest.MonkeyPatch) -> None:
    from heritage_ld.catalogue import validate as module

    collection = read_catalogue(EXAMPLE)
    require_valid(collection)
    calls: list[str] = []
    real = module._Checker.items_one
    monkeypatch.setattr(module._Checker, "items_one", lambda self, item, n, first: (calls.append(item.accession),
                                                                                     real(self, item, n, first))[1])
    for item in collection.items:
        require_valid(collection, item)
    assert calls == []  # each is recognised as the collection's own (owns): equal to the one read
    edited = dataclasses.replace(collection.items[0], title=MultilingualText.of(en="Edited"))
    require_valid(collection, edited)
    assert calls == [edited.accession]  # an edited copy is checked


def test_records_are_a_fraction_of_the_objects(tmp_path: Path) -> None:
    from heritage_ld.synth import write_synthetic_catalogue

    hanoi = read_catalogue(EXAMPLE).items
    assert isinstance(hanoi, ItemSequence) and len(hanoi._blob) / len(hanoi) < 400  # 574 bytes marshalled
    write_synthetic_catalogue(tmp_path / "synth", items=2000, media="none")
    synth = read_catalogue(tmp_path / "synth").items
    assert isinstance(synth, ItemSequence) and len(synth._blob) / len(synth) < 200  # 553 bytes marshalled
    assert synth[1999].accession == "SYN.002000" and list(synth)[-1] == synth[-1]


def test_the_items_kept_decoded_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from heritage_ld.model import compact

    monkeypatch.setattr(compact, "DECODED", 4)
    items = [Item(f"K.{n}", ItemKind.ARTIFACT, MultilingualText.of(en=f"Thing {n}")) for n in range(10)]
    held = ItemSequence(items)
    assert list(held) == items and len(held._decoded) == 4 and sorted(held._decoded) == [6, 7, 8, 9]
    assert held.owns(held[9]) and held.owns(items[0])  # kept (by identity) or not (by equality)


def test_hostile_text_round_trips() -> None:
    # Control characters, a lone surrogate (a file name read with surrogateescape), a long text, deep-ish tuples.
    odd = Item("A\x00\udc80", ItemKind.ARTIFACT, MultilingualText.of(en="x\x1b[31m\udc80" + "ư" * 100_000),
               identifiers=tuple(f"id-{n}" for n in range(1000)))
    held = ItemSequence([odd] * 70)  # past the priming of the compression dictionary
    assert list(held) == [odd] * 70 and not held._odd
