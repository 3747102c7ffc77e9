"""An exhibit item: the physical thing (photograph print, document, artifact …) and its media files."""

from __future__ import annotations

import functools
import mimetypes
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from pathlib import Path, PurePosixPath

from heritage_ld.model.agent import Agent, Attribution, Concept, Place
from heritage_ld.model.edtf import EDTFDate
from heritage_ld.model.text import MultilingualText

__all__ = ["Dimension", "Item", "ItemKind", "MediaFile", "MediaRole", "SourceType"]


class ItemKind(str, Enum):
    """What an item is."""

    PHOTOGRAPH = "photograph"
    DOCUMENT = "document"
    ARTIFACT = "artifact"
    AUDIO = "audio"
    VIDEO = "video"
    OTHER = "other"


class MediaRole(str, Enum):
    """What a media file is for: the preservation master or an access copy derived from it."""

    MASTER = "master"
    ACCESS = "access"


class SourceType(str, Enum):
    """Where an item came from (the article: "collected by the Hanoi Museum, local archives, and individuals")."""

    MUSEUM = "museum"
    ARCHIVE = "archive"
    INDIVIDUAL = "individual"
    DONATION = "donation"
    LOAN = "loan"


_EXTRA_TYPES = {".tif": "image/tiff", ".tiff": "image/tiff", ".jp2": "image/jp2", ".webp": "image/webp"}


@functools.cache
def _media_type_of(suffix: str) -> str:
    """The media type for a lower-case file suffix (cached: emitters ask for every file of every item)."""
    return _EXTRA_TYPES.get(suffix) or mimetypes.guess_type("x" + suffix)[0] or "application/octet-stream"


@dataclass(frozen=True, slots=True)
class MediaFile:
    """A digital file of an item, by its path relative to the catalogue folder (POSIX separators).

    >>> MediaFile(PurePosixPath("media/HN1972-001.tif")).media_type
    'image/tiff'
    """

    path: PurePosixPath
    role: MediaRole = MediaRole.MASTER
    #: The master this file is an access copy of (for ``ACCESS`` files).
    derived_from: PurePosixPath | None = None
    width: int | None = None
    height: int | None = None

    @property
    def media_type(self) -> str:
        return _media_type_of(self.path.suffix.lower())

    @property
    def is_image(self) -> bool:
        return self.media_type.startswith("image/")

    @property
    def is_pdf(self) -> bool:
        return self.media_type == "application/pdf"

    @property
    def stem(self) -> str:
        return self.path.stem

    def resolve(self, root: Path) -> Path:
        """The file on disk under the catalogue folder ``root``."""
        return root.joinpath(*self.path.parts)


@dataclass(frozen=True, slots=True)
class Dimension:
    """A measurement: ``kind`` is height, width, depth, diameter or weight; units are cm or g."""

    kind: str
    value: Decimal
    unit: str


@dataclass(frozen=True, slots=True)
class Item:
    """One exhibit item, as the catalogue describes it. References (agents, places …) are resolved objects."""

    accession: str
    kind: ItemKind
    title: MultilingualText
    section: str | None = None
    alternative_title: MultilingualText = field(default_factory=MultilingualText)
    description: MultilingualText = field(default_factory=MultilingualText)
    date: EDTFDate | None = None
    creators: tuple[Attribution, ...] = ()
    contributors: tuple[Attribution, ...] = ()
    source: Agent | None = None
    source_type: SourceType | None = None
    provenance: MultilingualText = field(default_factory=MultilingualText)
    places: tuple[Place, ...] = ()
    place_made: Place | None = None
    subjects: tuple[Concept, ...] = ()
    materials: tuple[Concept, ...] = ()
    techniques: tuple[Concept, ...] = ()
    dimensions: tuple[Dimension, ...] = ()
    rights: str | None = None
    rights_holder: Agent | None = None
    credit_line: MultilingualText = field(default_factory=MultilingualText)
    media: tuple[MediaFile, ...] = ()
    identifiers: tuple[str, ...] = ()
    same_as: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()

    @property
    def masters(self) -> tuple[MediaFile, ...]:
        return tuple(m for m in self.media if m.role is MediaRole.MASTER)

    @property
    def access_copies(self) -> tuple[MediaFile, ...]:
        return tuple(m for m in self.media if m.role is MediaRole.ACCESS)

    def access_copy_of(self, master: MediaFile) -> MediaFile | None:
        """The access copy derived from ``master``, if the catalogue has one."""
        for m in self.media:
            if m.role is MediaRole.ACCESS and m.derived_from == master.path:
                return m
        return None

    @property
    def images(self) -> tuple[MediaFile, ...]:
        """The images to show (an access copy where there is one, else the master), in catalogue order."""
        shown = []
        for m in self.masters:
            access = self.access_copy_of(m)
            if access is not None and access.is_image:
                shown.append(access)
            elif m.is_image:
                shown.append(m)
        return tuple(shown)

    @property
    def documents(self) -> tuple[MediaFile, ...]:
        """Non-image files such as PDFs (rendered as IIIF ``rendering``)."""
        return tuple(m for m in self.masters if not m.is_image)

    @property
    def pdfs(self) -> tuple[MediaFile, ...]:
        """The PDF masters whose pages are shown (those without an image access copy), in catalogue order."""
        return tuple(m for m in self.masters if m.is_pdf and not self._shown_by_access_copy(m))

    def _shown_by_access_copy(self, master: MediaFile) -> bool:
        access = self.access_copy_of(master)
        return access is not None and access.is_image

    @property
    def has_manifest(self) -> bool:
        """Whether the item has a IIIF manifest: it has an image or a PDF master to show (a Manifest needs at
        least one Canvas). The one rule every output (RDF links, manifests, site, bags) follows.

        >>> from heritage_ld.model.text import MultilingualText
        >>> pdf = MediaFile(PurePosixPath("media/HN.7.pdf"))
        >>> Item("HN.7", ItemKind.DOCUMENT, MultilingualText.of(en="Notice"), media=(pdf,)).has_manifest
        True
        >>> Item("HN.8", ItemKind.ARTIFACT, MultilingualText.of(en="Helmet")).has_manifest
        False
        """
        return bool(self.images) or any(m.is_pdf for m in self.masters)
