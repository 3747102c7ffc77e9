"""IIIF language maps (Presentation 3.0 §4.3 "Language of Property Values") made from multilingual text.

A language map is ``{"vi": ["…"], "en": ["…"]}``; text with no language goes under ``none``. Label values are
plain text. In ``summary``, ``metadata`` values and ``requiredStatement`` values, a string that starts with ``<``
and ends with ``>`` would be taken for HTML by clients (§4.4 "HTML Markup in Property Values"), so such text is
escaped and wrapped in a ``<span>``: a viewer shows the curator's characters, never runs them.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from heritage_ld.model import NO_LANGUAGE, MultilingualText

__all__ = ["NONE", "as_html_safe", "language_map", "merge_maps", "plain_map"]

#: The IIIF key of a value with no language.
NONE = "none"


def language_map(text: MultilingualText, *, html_safe: bool = False) -> dict[str, list[str]]:
    """A language map from multilingual text (``""`` becomes ``none``), languages in tag order.

    >>> language_map(MultilingualText.of({"vi": "Hà Nội", "en": "Hanoi", "": "HN"}))
    {'none': ['HN'], 'en': ['Hanoi'], 'vi': ['Hà Nội']}
    """
    fix = as_html_safe if html_safe else _same
    return {(NONE if lang == NO_LANGUAGE else lang): [fix(value)] for lang, value in text}


def plain_map(value: str, *, language: str = NONE) -> dict[str, list[str]]:
    """A language map with one value.

    >>> plain_map("HN.1972.001")
    {'none': ['HN.1972.001']}
    """
    return {language: [value]}


def merge_maps(texts: Sequence[MultilingualText], *, html_safe: bool = False) -> dict[str, list[str]]:
    """One language map of several values (several agents, places …), each present in every language.

    A value missing in a language is given in its best other language, so each language lists every value in
    the same order. Values with no language at all go under ``none``.

    >>> a = MultilingualText.of({"vi": "Phố Khâm Thiên", "en": "Kham Thien Street"})
    >>> b = MultilingualText.of({"vi": "Hà Nội"})
    >>> merge_maps([a, b])
    {'en': ['Kham Thien Street', 'Hà Nội'], 'vi': ['Phố Khâm Thiên', 'Hà Nội']}
    """
    if not texts:  # most items have no contributors, techniques …: the common case, kept cheap
        return {}
    fix = as_html_safe if html_safe else _same
    languages = sorted({lang for t in texts for lang in t.languages if lang != NO_LANGUAGE})
    if not languages:
        values = [t.best() for t in texts if t]
        return {NONE: [fix(v) for v in values]} if values else {}
    out: dict[str, list[str]] = {}
    for lang in languages:
        out[lang] = [fix(_in_language(t, lang)) for t in texts if t]
    return out


def _in_language(text: MultilingualText, language: str) -> str:
    got = text.get(language)
    return got if got is not None else text.best((language, "en", "vi"))


def as_html_safe(value: str) -> str:
    """``value`` unchanged, unless a client would read it as HTML (§4.4): then escaped inside a ``<span>``.

    >>> as_html_safe("Kham Thien, 1972")
    'Kham Thien, 1972'
    >>> as_html_safe("<script>alert(1)</script>")
    '<span>&lt;script&gt;alert(1)&lt;/script&gt;</span>'
    """
    if value.startswith("<") and value.endswith(">"):
        return f"<span>{html.escape(value, quote=False)}</span>"
    return value


def _same(value: str) -> str:
    return value


def languages_of(maps: Iterable[dict[str, list[str]]]) -> list[str]:
    """The real languages (not ``none``) used in some language maps, sorted."""
    return sorted({k for m in maps for k in m if k != NONE})
