"""Line numbers for TOML keys: :mod:`tomllib` gives none, so the text is scanned for table headers and keys.

A problem in ``collection.toml`` is reported at the line where its key (or the closest enclosing table) is
written. Paths are tuples of keys, with the 0-based index of an array-of-tables entry (TOML 1.0 §"Array of
Tables"): ``("sections", 1, "title")`` is the ``title`` of the second ``[[sections]]``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["KeyLocator", "TomlPath", "too_deep"]

TomlPath = tuple["str | int", ...]

# TOML 1.0 §"Keys": bare keys are A-Za-z0-9_-; quoted keys are basic ("…") or literal ('…') strings.
_KEY = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_DOTTED = rf"{_KEY}(?:\s*\.\s*{_KEY})*"
_HEADER = re.compile(rf"^\s*(\[\[?)\s*({_DOTTED})\s*\]\]?")
_ASSIGN = re.compile(rf"^\s*({_DOTTED})\s*=")
_PART = re.compile(_KEY)
# Strings and comments (whose brackets do not nest) or one bracket, for :func:`too_deep` (TOML 1.0 §"String").
_TOKEN = re.compile(r'''"""(?:[^\\]|\\.)*?"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*"|'[^'\n]*'|#[^\n]*|[\[{\]}]''',
                    re.DOTALL)


def _split(dotted: str) -> list[str]:
    parts = []
    for m in _PART.finditer(dotted):
        text = m.group()
        if text[0] in "\"'":
            text = text[1:-1]
            if m.group()[0] == '"':
                text = text.encode("utf-8", "backslashreplace").decode("unicode_escape", "replace")
        parts.append(text)
    return parts


class KeyLocator:
    """Maps key paths of a TOML document to the 1-based line they are written on.

    >>> loc = KeyLocator('[collection]\\ntitle.en = "x"\\n\\n[[sections]]\\nkey = "a"\\n[[sections]]\\nkey = "b"\\n')
    >>> loc.line_of(("collection", "title")), loc.line_of(("sections", 1, "key")), loc.line_of(("agents",))
    (2, 7, None)
    """

    def __init__(self, text: str) -> None:
        self._lines: dict[TomlPath, int] = {}
        table: TomlPath = ()
        counts: dict[TomlPath, int] = {}
        in_multiline: str | None = None
        for number, line in enumerate(text.splitlines(), start=1):
            if in_multiline is not None:
                if line.count(in_multiline) % 2 == 1:
                    in_multiline = None
                continue
            header = _HEADER.match(line)
            if header:
                keys = tuple(_split(header.group(2)))
                if header.group(1) == "[[":
                    index = counts.get(keys, 0)
                    counts[keys] = index + 1
                    table = (*keys, index)
                else:
                    table = keys
                self._lines.setdefault(table, number)
                continue
            assign = _ASSIGN.match(line)
            if assign:
                self._lines.setdefault((*table, *_split(assign.group(1))), number)
                rest = line[assign.end():]
                for quote in ('"""', "'''"):
                    if rest.count(quote) % 2 == 1:  # a multi-line string starts here (TOML 1.0 §"String")
                        in_multiline = quote
                        break

    def line_of(self, path: Sequence[str | int]) -> int | None:
        """The line of ``path``; else of the first key under it; else of its closest enclosing key or table."""
        wanted = tuple(path)
        while wanted:
            if wanted in self._lines:
                return self._lines[wanted]
            below = [n for p, n in self._lines.items() if p[: len(wanted)] == wanted]
            if below:
                return min(below)
            wanted = wanted[:-1]
        return None


def too_deep(text: str, limit: int) -> tuple[int, int] | None:
    """The 1-based line and column of the first array or inline table nested more than ``limit`` deep, or ``None``.

    Brackets inside strings and comments do not count. Table headers (``[a]``, ``[[a]]``) count one or two,
    so ``limit`` must be above 2. :mod:`tomllib` parses nesting by recursion and fails with ``RecursionError``
    a few hundred levels down; checking first turns that into a located problem.

    >>> too_deep('a = [[1], "[[[["]  # [[[[\\nb = {c = [[2]]}\\n', 3), too_deep("x = [[[[]]]]", 3)
    (None, (1, 8))
    """
    depth = 0
    for token in _TOKEN.finditer(text):
        bracket = token.group()
        if bracket in ("[", "{"):
            depth += 1
            if depth > limit:
                start = token.start()
                return text.count("\n", 0, start) + 1, start - (text.rfind("\n", 0, start) + 1) + 1
        elif bracket in ("]", "}"):
            depth = max(0, depth - 1)
    return None
