"""Changing some entries of an existing ``bag-info.txt`` and keeping every other line as it was.

An update names the labels it sets and the labels it removes; every other line (repeated labels, folded
values, labels this package does not know, even lines it cannot read) is kept byte for byte and in its place.
A label that is set replaces all of its old lines where the first of them was (or goes at the end when it is
new); a value equal to the old one (folding and runs of spaces aside) leaves the old lines untouched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from heritage_ld.bags.info import format_info

__all__ = ["InfoChange", "merge_info"]

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")


@dataclass(frozen=True, slots=True)
class InfoChange:
    """What a merge did to one label: ``set``, ``added`` or ``removed``."""

    label: str
    action: str

    def __str__(self) -> str:
        return f"{self.label} {self.action}"


def _blocks(text: str) -> list[tuple[str | None, str, str]]:
    """``(label, value, raw text)`` per entry, continuation lines included; ``None`` for a line with no label."""
    blocks: list[tuple[str | None, str, str]] = []
    for line in _LINE.findall(text):
        if not line:
            continue
        body = line.rstrip("\r\n")
        if body[:1] in (" ", "\t") and blocks and blocks[-1][0] is not None:
            label, value, raw = blocks[-1]
            blocks[-1] = (label, f"{value} {body.strip()}".strip(), raw + line)
            continue
        label, colon, value = body.partition(":")
        if colon and label.strip() and body[:1] not in (" ", "\t"):
            blocks.append((label.strip(), value.strip(), line))
        else:
            blocks.append((None, "", line))
    return blocks


def _same(a: Sequence[str], b: Sequence[str]) -> bool:
    return [" ".join(v.split()) for v in a] == [" ".join(v.split()) for v in b]


def merge_info(text: str, assign: Iterable[tuple[str, str]] = (), remove: Iterable[str] = ()
               ) -> tuple[str, list[InfoChange]]:
    """``text`` with the labels of ``assign`` set (a label given twice keeps both values, in order) and the
    labels of ``remove`` gone; labels match case-insensitively. Returns the new text and what changed.

    Raises:
        ValueError: a label is not valid (empty, with a colon or a line break), or is both set and removed.

    >>> text = "Source-Organization: Hanoi Museum\\nContact-Name: A\\nContact-Name: B\\n"
    >>> new, changes = merge_info(text, [("Contact-Email", "a@example.org")], ["Contact-Name"])
    >>> print(new, end=""); [str(c) for c in changes]
    Source-Organization: Hanoi Museum
    Contact-Email: a@example.org
    ['Contact-Name removed', 'Contact-Email added']
    """
    wanted: dict[str, list[tuple[str, str]]] = {}
    for label, value in assign:
        format_info([(label, value)])  # raises ValueError for a bad label
        wanted.setdefault(label.lower(), []).append((label, value))
    removed = {label.lower(): label for label in remove}
    both = wanted.keys() & removed.keys()
    if both:
        raise ValueError(f"{removed[sorted(both)[0]]!r} is both set and removed")
    blocks = _blocks(text)
    old: dict[str, list[str]] = {}
    for name, value, _raw in blocks:
        if name is not None:
            old.setdefault(name.lower(), []).append(value)
    keep = {key for key, pairs in wanted.items() if key in old and _same(old[key], [v for _, v in pairs])}
    out: list[str] = []
    placed: set[str] = set()
    changes: list[InfoChange] = []
    for name, _value, raw in blocks:
        key = name.lower() if name is not None else None
        if key is None or key in keep or (key not in wanted and key not in removed):
            out.append(raw)
        elif key in wanted and key not in placed:
            placed.add(key)
            out.append(format_info(wanted[key]).decode("utf-8"))
            changes.append(InfoChange(wanted[key][0][0], "set"))
        elif key in removed and key not in placed:
            placed.add(key)
            changes.append(InfoChange(name or key, "removed"))
    new = [key for key in wanted if key not in old]
    if new and out and not out[-1].endswith(("\n", "\r")):
        out.append("\n")
    for key in new:
        out.append(format_info(wanted[key]).decode("utf-8"))
        changes.append(InfoChange(wanted[key][0][0], "added"))
    return "".join(out), changes
