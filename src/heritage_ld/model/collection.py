"""A collection or exhibition: its metadata, ordered sections and items."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path

from heritage_ld.model.agent import Agent, Concept, Place
from heritage_ld.model.edtf import EDTFDate
from heritage_ld.model.item import Item, ItemKind  # noqa: F401  (ItemKind: the doctest)
from heritage_ld.model.text import MultilingualText

__all__ = ["CC0", "Collection", "CollectionKind", "Section"]

#: The licence of the metadata when the catalogue names none: Creative Commons CC0 1.0 (what Europeana and
#: DPLA require for metadata), distinct from the rights of the items themselves.
CC0 = "http://creativecommons.org/publicdomain/zero/1.0/"


class CollectionKind(str, Enum):
    EXHIBITION = "exhibition"
    COLLECTION = "collection"


@dataclass(frozen=True, slots=True)
class Section:
    """A part of an exhibition ("The Silence Moment"), in the curator's order."""

    key: str
    title: MultilingualText
    summary: MultilingualText = field(default_factory=MultilingualText)


@dataclass(frozen=True, slots=True)
class Collection:
    """An exhibition or holding, with every item and the agents, places and concepts they refer to.

    ``base_url`` is the base of every IRI minted for it (see :class:`heritage_ld.model.UrlScheme`); ``root``
    is the catalogue folder media paths are relative to (``None`` for a collection built in memory).
    ``rights`` are the items' rights (by default); ``metadata_license`` is the licence of the metadata itself
    (the RDF, the OAI-PMH records, EDM); ``admin_email`` is the contact an OAI-PMH ``Identify`` gives;
    ``provider`` is the organisation that delivers the data to an aggregator (EDM ``edm:provider``).
    """

    key: str
    title: MultilingualText
    base_url: str
    kind: CollectionKind = CollectionKind.EXHIBITION
    summary: MultilingualText = field(default_factory=MultilingualText)
    organizers: tuple[Agent, ...] = ()
    publisher: Agent | None = None
    venue: Place | None = None
    date: EDTFDate | None = None
    sections: tuple[Section, ...] = ()
    #: A tuple, or for a catalogue read from files an :class:`~heritage_ld.model.compact.ItemSequence`
    #: (the items held compactly, decoded when used).
    items: Sequence[Item] = ()
    rights: str | None = None
    credit_line: MultilingualText = field(default_factory=MultilingualText)
    homepage: str | None = None
    languages: tuple[str, ...] = ()
    agents: tuple[Agent, ...] = ()
    places: tuple[Place, ...] = ()
    concepts: tuple[Concept, ...] = ()
    metadata_license: str = CC0
    admin_email: str | None = None
    provider: Agent | None = None
    root: Path | None = field(default=None, compare=False)

    def section(self, key: str) -> Section:
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(key)

    def items_in(self, section: Section | str) -> tuple[Item, ...]:
        """The items of a section, in catalogue order."""
        key = section if isinstance(section, str) else section.key
        return tuple(i for i in self.items if i.section == key)

    def item(self, accession: str) -> Item:
        for i in self.items:
            if i.accession == accession:
                return i
        raise KeyError(accession)

    def with_defaults(self, item: Item) -> Item:
        """``item`` with what it leaves unset taken from the collection: its rights and credit line. Every
        output (RDF, IIIF, site, bags) describes an item through this, so they all say the same.

        >>> c = Collection("h", MultilingualText.of(en="H"), "https://example.org/h",
        ...                rights="http://rightsstatements.org/vocab/InC/1.0/")
        >>> c.with_defaults(Item("A", ItemKind.PHOTOGRAPH, MultilingualText.of(en="A"))).rights
        'http://rightsstatements.org/vocab/InC/1.0/'
        """
        if (item.rights or not self.rights) and (item.credit_line or not self.credit_line):
            return item
        return replace(item, rights=item.rights or self.rights, credit_line=item.credit_line or self.credit_line)
