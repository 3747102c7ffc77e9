"""What an identifier (an accession number, a key) and a piece of text may hold.

An accession number becomes a URL segment and a file and folder name in every output (``rdf/object/{a}.ttl``,
``iiif/{a}/``, ``bags/{a}/``), percent-encoded by :func:`~heritage_ld.model.iri.iri_segment`. So it must be
short enough to be a file name once encoded (most file systems allow 255 bytes; temporary names add a few
dozen) and hold only characters a person can see and type: no control characters, no invisible format
characters (byte-order mark U+FEFF, zero-width spaces, bidirectional controls such as U+202E, which make one
identifier look like another), no line or paragraph separators, no private-use or unassigned code points.

Text (titles, descriptions …) may hold any character XML 1.0 can carry (§2.2 ``Char``): everything except
the C0 controls other than tab, line feed and carriage return, and U+FFFE/U+FFFF. RDF/XML, the OAI-PMH
responses and the site are XML or HTML; a NUL in a title would make them unwritable.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from heritage_ld.model.iri import iri_segment

__all__ = [
    "MAX_ENCODED_LENGTH",
    "MAX_IDENTIFIER_LENGTH",
    "IdentifierLength",
    "character_name",
    "identifier_length",
    "refused_identifier_character",
    "refused_text_character",
]

#: The longest accession number or key, in characters.
MAX_IDENTIFIER_LENGTH = 100
#: The longest accession number or key once percent-encoded for URLs and file names (a Vietnamese letter
#: takes 6 to 9 characters there); leaves room under the usual 255-byte file name limit for suffixes and
#: temporary names such as ``.{name}.partial-{pid}-{random}``.
MAX_ENCODED_LENGTH = 200

# Unicode general categories an identifier may not hold: controls, format characters (BOM, zero-width,
# bidi), surrogates, private use, unassigned, line and paragraph separators.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
# XML 1.0 §2.2: Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def character_name(char: str) -> str:
    """``U+202E RIGHT-TO-LEFT OVERRIDE``: how a problem names an invisible character.

    >>> character_name("\\ufeff"), character_name("\\x00")
    ('U+FEFF ZERO WIDTH NO-BREAK SPACE', 'U+0000 NULL')
    """
    names = {0: "NULL", 9: "TAB", 10: "LINE FEED", 13: "CARRIAGE RETURN", 0x7F: "DELETE"}
    name = unicodedata.name(char, "") or names.get(ord(char), "a control character")
    return f"U+{ord(char):04X} {name}"


def refused_text_character(value: str) -> tuple[int, str] | None:
    """The 1-based position and the first character of ``value`` that XML cannot carry, or ``None``.

    >>> refused_text_character("Hà Nội\\n1972\\t"), refused_text_character("a\\x00b")
    (None, (2, '\\x00'))
    """
    bad = _NOT_XML.search(value)
    return (bad.start() + 1, bad.group()) if bad else None


def refused_identifier_character(value: str) -> tuple[int, str] | None:
    """The 1-based position and the first character an identifier may not hold, or ``None``.

    Spaces other than U+0020 (no-break, thin …) are refused too: they look like a space but are not one.

    >>> refused_identifier_character("HNM 1972/001-ư"), refused_identifier_character("\\ufeffHNM.1")
    (None, (1, '\\ufeff'))
    >>> refused_identifier_character("HNM.1\\u202e2")
    (6, '\\u202e')
    """
    for position, char in enumerate(value, start=1):
        category = unicodedata.category(char)
        if category in _REFUSED_CATEGORIES or (category == "Zs" and char != " "):
            return position, char
    return None


@dataclass(frozen=True, slots=True)
class IdentifierLength:
    """How long an identifier is, as written and percent-encoded, when that is over a limit."""

    length: int
    encoded: int


def identifier_length(value: str) -> IdentifierLength | None:
    """``None`` when ``value`` is within :data:`MAX_IDENTIFIER_LENGTH` and :data:`MAX_ENCODED_LENGTH`.

    >>> identifier_length("HNM.1972.001") is None
    True
    >>> identifier_length("ư" * 22)   # 22 letters, each %C6%B0 (6 characters) once encoded: 132
    >>> identifier_length("ư" * 40)
    IdentifierLength(length=40, encoded=240)
    """
    if not value:
        return None
    encoded = len(iri_segment(value))
    if len(value) > MAX_IDENTIFIER_LENGTH or encoded > MAX_ENCODED_LENGTH:
        return IdentifierLength(len(value), encoded)
    return None
