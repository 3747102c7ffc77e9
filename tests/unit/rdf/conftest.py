"""An in-memory collection with hostile text, every field filled, for the RDF tests."""

from __future__ import annotations

from decimal import Decimal
from pathlib import PurePosixPath

import pytest

from heritage_ld.model import (
    Agent,
    AgentKind,
    Attribution,
    Collection,
    Concept,
    Dimension,
    Item,
    ItemKind,
    MediaFile,
    MediaRole,
    MultilingualText,
    Place,
    Section,
    SourceType,
    parse_edtf,
)

#: Text that breaks naive writers: quotes, triple quotes, backslashes, newlines, markup, RTL marks, astral
#: characters, a tab, and Vietnamese typed decomposed (NFD).
HOSTILE = 'He said "hi" \'\'\' """ \\ \\n back\\slash\nnew line\r\n<script>alert(1)</script> \u200f\u202eRTL\u202c 𝄞 😀\tend'
NFD_VI = "Ha\u0300 No\u0323\u0302i"  # "Hà Nội" decomposed; the model keeps it NFC


@pytest.fixture()
def collection() -> Collection:
    museum = Agent("museum", AgentKind.GROUP, MultilingualText.of(vi="Bảo tàng Hà Nội", en="Hanoi Museum"),
                   same_as=("http://www.wikidata.org/entity/Q10832221",), homepage="https://baotanghanoi.com.vn/",
                   address="Phạm Hùng, Hà Nội", email="info@example.org", logo="media/logo.png")
    photographer = Agent("minh", AgentKind.PERSON, MultilingualText.of(vi="Nguyễn Văn Minh", en="Nguyen Van Minh"))
    editor = Agent("lan", AgentKind.PERSON, MultilingualText.of(en=HOSTILE))
    hanoi = Place("hanoi", MultilingualText.of(vi=NFD_VI, en="Hanoi"), 21.0285, 105.8542,
                  ("http://www.wikidata.org/entity/Q1858",))
    street = Place("kham-thien", MultilingualText.of(vi="Phố Khâm Thiên"))
    shelters = Concept("shelters", MultilingualText.of(en="Shelters", vi="Hầm trú ẩn"))
    paper = Concept("paper", MultilingualText.of(en="Paper"), ("http://vocab.getty.edu/aat/300014109",))
    photo = Concept("photography", MultilingualText.of(en="Photography"))
    photo_item = Item(
        accession="HN 1972/001",
        kind=ItemKind.PHOTOGRAPH,
        title=MultilingualText.of(vi="Đào hầm " + NFD_VI, en=HOSTILE),
        section="silence",
        alternative_title=MultilingualText.of(en="Digging"),
        description=MultilingualText.of(en=HOSTILE, vi="Mô tả"),
        date=parse_edtf("1972-12-18/1972-12-29"),
        creators=(Attribution(photographer, "photographer"), Attribution(museum, None)),
        contributors=(Attribution(editor, "retoucher"),),
        source=museum,
        source_type=SourceType.ARCHIVE,
        provenance=MultilingualText.of(en="Gift, 2012"),
        places=(hanoi, street),
        place_made=hanoi,
        subjects=(shelters,),
        materials=(paper,),
        techniques=(photo,),
        dimensions=(Dimension("height", Decimal("18.5"), "cm"), Dimension("width", Decimal("24"), "cm")),
        rights="http://rightsstatements.org/vocab/InC/1.0/",
        rights_holder=museum,
        credit_line=MultilingualText.of(en="Photo: Hanoi Museum"),
        media=(
            MediaFile(PurePosixPath("media/001.tif"), MediaRole.MASTER, width=4000, height=3000),
            MediaFile(PurePosixPath("media/001.jpg"), MediaRole.ACCESS, PurePosixPath("media/001.tif")),
        ),
        identifiers=("BTHN-AN-0412", "OLD 7"),
        same_as=("http://www.wikidata.org/entity/Q42",),
    )
    doc_item = Item(
        accession="HN1972.002",
        kind=ItemKind.DOCUMENT,
        title=MultilingualText.of(vi="Lệnh sơ tán"),
        section="confront",
        date=parse_edtf("1972~"),
        rights="https://creativecommons.org/licenses/by/4.0/",
        languages=("vi",),
        media=(MediaFile(PurePosixPath("media/002.pdf")),),
    )
    open_item = Item("HN1972.003", ItemKind.ARTIFACT, MultilingualText.of(en="Helmet"), date=parse_edtf("1972-12-29/.."))
    return Collection(
        key="hanoi-1972",
        title=MultilingualText.of(vi="Hà Nội 1972", en="Hanoi 1972"),
        base_url="https://example.org/hanoi-1972",
        summary=MultilingualText.of(en="Summary"),
        organizers=(museum,),
        publisher=museum,
        venue=street,
        date=parse_edtf("2022-12"),
        sections=(Section("silence", MultilingualText.of(en="The Silence Moment", vi="Khoảnh khắc lặng im")),
                  Section("confront", MultilingualText.of(en="Confront"), MultilingualText.of(en="Battle"))),
        items=(photo_item, doc_item, open_item),
        rights="http://rightsstatements.org/vocab/InC-EDU/1.0/",
        credit_line=MultilingualText.of(en="Hanoi Museum"),
        homepage="https://baotanghanoi.com.vn/",
        languages=("vi", "en"),
        agents=(museum, photographer, editor),
        places=(hanoi, street),
        concepts=(shelters, paper, photo),
    )


def canonical(c: Collection) -> Collection:
    """``c`` with the order of unordered RDF values normalised (RDF 1.1 Concepts §3: a graph is a set).

    The collection's registries of agents, places and concepts, and an item's subjects, places, materials,
    techniques, authority IRIs and languages are repeated properties in RDF, so their order is not kept;
    everything else (items, sections, creators, media files, identifiers, names by language) round-trips as is.
    An item without rights or credit line is described with the collection's (``Collection.with_defaults``).
    """
    import dataclasses

    def by_key(values: tuple, attr: str = "key") -> tuple:  # type: ignore[type-arg]
        return tuple(sorted(values, key=lambda v: getattr(v, attr)))

    items = tuple(
        dataclasses.replace(
            c.with_defaults(i),
            subjects=by_key(i.subjects),
            places=by_key(i.places),
            materials=by_key(i.materials),
            techniques=by_key(i.techniques),
            same_as=tuple(sorted(i.same_as)),
            languages=tuple(sorted(i.languages)),
        )
        for i in c.items
    )
    return dataclasses.replace(
        c, items=items, agents=by_key(c.agents), places=by_key(c.places), concepts=by_key(c.concepts), root=None
    )


@pytest.fixture()
def hostile() -> str:
    """The hostile text the collection fixture uses."""
    return HOSTILE


@pytest.fixture()
def canon():  # type: ignore[no-untyped-def]
    """:func:`canonical`, for tests."""
    return canonical
