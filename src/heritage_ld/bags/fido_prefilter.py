"""Cheap necessary conditions for fido's PRONOM patterns, read from their parsed regular expressions.

Most PRONOM patterns say "these bytes at this offset" (``(?s)\\A\\xff\\xd8\\xff``) or "these bytes somewhere near
the end" (``(?s)%%EOF.{0,1024}\\Z``). Before running a pattern, :func:`conditions` gives tests that every match
of it must pass: ``buffer.startswith(literal, offset)`` for a literal at a fixed offset of a ``BOF`` pattern, a
``find`` in a window when the offset is bounded, an ``rfind`` over the last bytes of the buffer for a pattern
anchored at the end (``\\Z``) with a bounded width, else ``literal in buffer``. They are *necessary* only: when
one fails the pattern cannot match; when all pass, the pattern itself still decides. :func:`first_bytes` says
which first bytes a ``BOF`` pattern allows, so that a file is tried only against formats that can start with its
first byte.

The regular expression is read with the standard library's own parser (``re._parser``, ``sre_parse`` before
Python 3.11: internal, so every use is guarded): a literal counts only when nothing before it could change its
meaning (a case-insensitive flag, an unknown node); anything unexpected gives no condition, and the pattern is
then always tried, exactly as fido tries it.
"""

from __future__ import annotations

import importlib
import operator
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

__all__ = ["Check", "Condition", "Run", "analyse", "conditions", "first_bytes", "literal_runs"]

#: A test of one buffer; a false answer means the pattern cannot match it.
Check = Callable[[bytes], object]

try:  # Python 3.11+: the parser moved into the re package (sre_parse warns there)
    _sre: Any = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover - Python 3.10
    _sre = importlib.import_module("sre_parse")

#: Widths at or past this are "unbounded" (sre reports MAXREPEAT or 2**64 there); fido's buffers are far smaller.
_HUGE = 1 << 30
_CASE_FLAGS = re.IGNORECASE | getattr(re, "LOCALE", 0)
_LITERAL, _SUBPATTERN, _AT = _sre.LITERAL, _sre.SUBPATTERN, _sre.AT
#: Nodes that match nothing (anchors, lookarounds): a literal after them stays where it was.
_ZERO_WIDTH = frozenset({_AT, _sre.ASSERT, _sre.ASSERT_NOT})
#: Nodes whose width sre's own ``getwidth`` bounds and whose meaning does not touch later literals.
_SIZED = frozenset(op for op in (getattr(_sre, name, None) for name in (
    "ANY", "IN", "NOT_LITERAL", "BRANCH", "MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")) if op is not None)


@dataclass(frozen=True, slots=True)
class Run:
    """A literal every match contains, starting ``low``..``high`` bytes after the match's start (``high`` None:
    unbounded)."""

    low: int
    high: int | None
    data: bytes


@dataclass(frozen=True, slots=True)
class _Shape:
    runs: tuple[Run, ...]
    width: int | None  # the most a match can span, None when unbounded or unknown
    ends_at_end: bool  # the pattern ends with ``\Z``: a match ends where the buffer ends
    first: frozenset[int] | None  # the bytes a match can start with, None when not simply known


def _flat(seq: Any) -> Iterator[tuple[Any, Any] | None]:
    """The nodes of a sequence with groups opened in place; ``None`` where reading must stop."""
    for op, av in seq:
        if op is _SUBPATTERN:
            _group, add_flags, _del_flags, inner = av
            if add_flags & _CASE_FLAGS:
                yield None
                return
            for node in _flat(inner):
                yield node
                if node is None:
                    return
        else:
            yield op, av


def _shape(regex: bytes) -> _Shape | None:
    try:
        parsed = _sre.parse(regex)
        if parsed.state.flags & _CASE_FLAGS:
            return None
        runs: list[Run] = []
        low, high = 0, 0
        current: tuple[int, int | None, bytearray] | None = None
        nodes = list(_flat(parsed))
        complete = True
        for node in nodes:
            if node is None:
                complete = False
                break
            op, av = node
            if op is _LITERAL:
                if current is None:
                    current = (low, high if high < _HUGE else None, bytearray())
                current[2].append(av)
                low, high = low + 1, high + 1
                continue
            if current is not None:
                runs.append(Run(current[0], current[1], bytes(current[2])))
                current = None
            if op in _ZERO_WIDTH:
                continue
            if op not in _SIZED:
                complete = False
                break
            w_low, w_high = _sre.SubPattern(parsed.state, [(op, av)]).getwidth()
            low, high = low + w_low, min(high + w_high, _HUGE)
        if current is not None:
            runs.append(Run(current[0], current[1], bytes(current[2])))
        end = nodes[-1] if nodes and complete else None
        ends = end is not None and end[0] is _AT and end[1] is _sre.AT_END_STRING
        width = parsed.getwidth()[1] if complete else None
        return _Shape(tuple(runs), width if width is not None and width < _HUGE else None, ends,
                      _first_set(parsed) or None)
    except Exception:  # an internal parser that changed, or a pattern it refuses: no condition, always tried
        return None


def literal_runs(regex: bytes) -> tuple[Run, ...]:
    """The literals every match of ``regex`` contains, with their offsets from the match's start.

    >>> literal_runs(rb"(?s)\\A%PDF-1\\.[0-7].{0,8}obj")
    (Run(low=0, high=0, data=b'%PDF-1.'), Run(low=8, high=16, data=b'obj'))
    >>> literal_runs(rb"(?i)\\Aabc")
    ()
    """
    shape = _shape(regex)
    return shape.runs if shape is not None else ()


def _first_set(seq: Any) -> frozenset[int] | None:
    """The bytes a match of the sequence ``seq`` can start with, or None when that is not simply known."""
    for node in _flat(seq):
        if node is None:
            return None
        op, av = node
        if op in _ZERO_WIDTH:
            continue
        if op is _LITERAL:
            return frozenset((av,))
        if op is _sre.IN:
            found: set[int] = set()
            for item_op, item in av:
                if item_op is _LITERAL:
                    found.add(item)
                elif item_op is _sre.RANGE:
                    found.update(range(item[0], item[1] + 1))
                else:  # NEGATE, CATEGORY, case-folded ranges: not simply a set
                    return None
            return frozenset(found)
        if op is _sre.BRANCH:
            union: set[int] = set()
            for alternative in av[1]:
                part = _first_set(alternative)
                if part is None:
                    return None
                union |= part
            return frozenset(union)
        if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", None)) and av[0] >= 1:
            return _first_set(av[2])
        return None
    return None  # the pattern can match nothing at all: any first byte (or none)


def first_bytes(regex: bytes) -> frozenset[int] | None:
    """The bytes a buffer can start with for ``regex`` to match at its start (fido's ``BOF``), or None (any).

    >>> sorted(first_bytes(rb"(?s)\\A(?:FORM|LIST)\\x00")), first_bytes(rb"(?s)\\A.{4}ftyp")
    ([70, 76], None)
    """
    shape = _shape(regex)
    return shape.first if shape is not None else None


@dataclass(frozen=True, slots=True)
class Condition:
    """A test every match of a pattern passes (hashable: equal conditions are tested once per file).

    ``kind``: ``at`` (``data`` at offset ``start``), ``within`` (``data`` starts in ``start``..``end``),
    ``near_end`` (``data`` in the last ``start`` bytes), ``in`` (``data`` anywhere).
    """

    kind: str
    data: bytes
    start: int = 0
    end: int | None = None

    @property
    def cheap(self) -> bool:
        """A test of a few bytes at a known place (the others may read the whole buffer)."""
        return self.kind == "at"

    def check(self) -> Check:
        """The test as a function of the buffer."""
        if self.kind == "at":
            return operator.methodcaller("startswith", self.data, self.start)
        if self.kind == "within":
            return partial(_within, self.data, self.start, self.end)
        if self.kind == "near_end":
            return partial(_near_end, self.data, self.start)
        return operator.methodcaller("__contains__", self.data)


def _within(data: bytes, start: int, end: int | None, buffer: bytes) -> bool:
    return buffer.find(data, start, end) != -1


def _near_end(data: bytes, width: int, buffer: bytes) -> bool:
    # from the end backwards: where a match is, it is usually within the last few bytes
    return buffer.rfind(data, max(0, len(buffer) - width)) != -1


def conditions(regex: bytes, anchored: bool) -> tuple[Condition, ...]:
    """Tests that any match of ``regex`` passes, cheapest first: at the start of the buffer when ``anchored``
    (``re.match``, fido's ``BOF``), anywhere otherwise (``re.search``: ``EOF``, ``VAR``, ``IFB``).

    >>> conditions(rb"(?s)\\A%PDF-1\\.[0-7]", True)
    (Condition(kind='at', data=b'%PDF-1.', start=0, end=None),)
    >>> conditions(rb"(?s)%%EOF.{0,4}\\Z", False)
    (Condition(kind='near_end', data=b'%%EOF', start=9, end=None),)
    """
    return _conditions(_shape(regex), anchored)


def analyse(regex: bytes, anchored: bool) -> tuple[tuple[Condition, ...], frozenset[int] | None]:
    """:func:`conditions` and, when ``anchored``, :func:`first_bytes` (else None), from one reading of ``regex``."""
    shape = _shape(regex)
    return _conditions(shape, anchored), shape.first if shape is not None and anchored else None


def _conditions(shape: _Shape | None, anchored: bool) -> tuple[Condition, ...]:
    if shape is None or not shape.runs:
        return ()
    if anchored:
        found = [Condition("at", r.data, r.low) for r in shape.runs if r.high == r.low]
        loose = [r for r in shape.runs if r.high != r.low]
        if loose:  # one window search: the narrowest window (a find costs its length), then the longest literal
            run = min(loose, key=lambda r: (_HUGE if r.high is None else r.high - r.low, -len(r.data)))
            found.append(Condition("within", run.data, run.low,
                                   None if run.high is None else run.high + len(run.data)))
        return tuple(found)
    longest = max(shape.runs, key=lambda r: len(r.data)).data
    if shape.ends_at_end and shape.width is not None:
        return (Condition("near_end", longest, shape.width),)
    return (Condition("in", longest),)
