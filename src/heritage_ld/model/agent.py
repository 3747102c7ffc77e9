"""People, groups, places and concepts an item refers to, with their authority IRIs."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from heritage_ld.model.text import MultilingualText

__all__ = ["Agent", "AgentKind", "Attribution", "Concept", "Place"]


class AgentKind(str, Enum):
    """A person or a group (an organisation, a museum, an archive, a press agency)."""

    PERSON = "person"
    GROUP = "group"


@dataclass(frozen=True, slots=True)
class Agent:
    """A person or group, keyed in the catalogue, with authority IRIs (Wikidata, VIAF, ULAN …) in ``same_as``."""

    key: str
    kind: AgentKind
    name: MultilingualText
    same_as: tuple[str, ...] = ()
    homepage: str | None = None
    logo: str | None = None  # a path relative to the catalogue, or an IRI
    address: str | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True)
class Attribution:
    """An agent's part in an item (``photographer``, ``author``, ``donor`` …); ``role`` is ``None`` when unstated."""

    agent: Agent
    role: str | None = None


@dataclass(frozen=True, slots=True)
class Place:
    """A named place with optional WGS 84 coordinates and authority IRIs (GeoNames, Wikidata, TGN)."""

    key: str
    name: MultilingualText
    latitude: float | None = None
    longitude: float | None = None
    same_as: tuple[str, ...] = ()

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None


@dataclass(frozen=True, slots=True)
class Concept:
    """A term from a vocabulary (a subject, material or technique) with its label and authority IRIs."""

    key: str
    label: MultilingualText
    same_as: tuple[str, ...] = ()
