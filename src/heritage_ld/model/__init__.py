"""The domain model: plain, frozen, typed values with no I/O."""

from __future__ import annotations

from heritage_ld.model.agent import Agent, AgentKind, Attribution, Concept, Place
from heritage_ld.model.collection import CC0, Collection, CollectionKind, Section
from heritage_ld.model.compact import ItemSequence
from heritage_ld.model.edtf import EDTFDate, EDTFError, EDTFPoint, parse_edtf
from heritage_ld.model.identifier import (
    MAX_ENCODED_LENGTH,
    MAX_IDENTIFIER_LENGTH,
    character_name,
    identifier_length,
    refused_identifier_character,
    refused_text_character,
)
from heritage_ld.model.iri import (
    IDENTIFIER_SCHEMES,
    LINK_SCHEMES,
    UrlScheme,
    iri_scheme,
    iri_segment,
    is_absolute_iri,
    slugify,
)
from heritage_ld.model.item import Dimension, Item, ItemKind, MediaFile, MediaRole, SourceType
from heritage_ld.model.rights import europeana_rights, is_rights_iri
from heritage_ld.model.text import NO_LANGUAGE, MultilingualText, is_language_tag, normalize_text

__all__ = [
    "CC0",
    "IDENTIFIER_SCHEMES",
    "LINK_SCHEMES",
    "MAX_ENCODED_LENGTH",
    "MAX_IDENTIFIER_LENGTH",
    "NO_LANGUAGE",
    "Agent",
    "AgentKind",
    "Attribution",
    "Collection",
    "CollectionKind",
    "Concept",
    "Dimension",
    "EDTFDate",
    "EDTFError",
    "EDTFPoint",
    "Item",
    "ItemKind",
    "ItemSequence",
    "MediaFile",
    "MediaRole",
    "MultilingualText",
    "Place",
    "Section",
    "SourceType",
    "UrlScheme",
    "character_name",
    "europeana_rights",
    "identifier_length",
    "iri_scheme",
    "iri_segment",
    "is_absolute_iri",
    "is_language_tag",
    "is_rights_iri",
    "normalize_text",
    "parse_edtf",
    "refused_identifier_character",
    "refused_text_character",
    "slugify",
]
