"""The AAT terms of ``vocab/aat.tsv``, looked up by key (``name:primary``) or by IRI.

>>> aat("name:primary").iri
'http://vocab.getty.edu/aat/300404670'
>>> aat_key("http://vocab.getty.edu/aat/300389525")
'language:vi'
"""

from __future__ import annotations

import functools
from typing import NamedTuple

from heritage_ld import vocab

__all__ = ["Term", "aat", "aat_key", "aat_terms"]


class Term(NamedTuple):
    """One row of the AAT table."""

    key: str
    iri: str
    label: str
    source: str


@functools.cache
def aat_terms() -> dict[str, Term]:
    """Every term by key (cached)."""
    return {r["key"]: Term(r["key"], r["iri"], r["label"], r["source"]) for r in vocab.read_table("aat.tsv")}


@functools.cache
def _by_iri() -> dict[str, str]:
    return {t.iri: t.key for t in aat_terms().values()}


def aat(key: str) -> Term:
    """The term with ``key``; raises ``KeyError`` for a key not in the table."""
    return aat_terms()[key]


def aat_key(iri: str) -> str | None:
    """The key of the term with ``iri``, or ``None``."""
    return _by_iri().get(iri)
