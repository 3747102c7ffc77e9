"""The items of a large collection held compactly: each item as one encoded record, decoded when it is used.

An :class:`~heritage_ld.model.Item` as Python objects takes about 1.6 KB (the item, its texts as tuples of
tuples, each string with its own header); the same item as one ``marshal`` record of its values, with the
agents, places, concepts, dates and other values items share stored once in a table, takes about a third of
that, and compressed (raw deflate, primed with a dictionary of the first records' bytes: rows of a catalogue
say much the same things) a tenth to a third (the Hanoi example's items: 574 → about 210 bytes).
:class:`ItemSequence` holds a collection's items that way: a ``Sequence[Item]`` that decodes an item each
time it is asked for one (about 10 µs; the emitters spend milliseconds on it). The catalogue reader returns
one, so that memory grows slowly with the collection (docs/scaling.md).

Decoded items are equal to the items that went in (``==``, ``hash``), but not the same objects, and an item
asked for twice is the same object only while it is among the :data:`DECODED` kept: code that keeps items by
identity must ask :meth:`ItemSequence.owns`.

>>> from heritage_ld.model import Item, ItemKind, MultilingualText
>>> items = ItemSequence([Item("A.1", ItemKind.ARTIFACT, MultilingualText.of(en="Helmet", vi="Mũ"))])
>>> items[0].title["vi"], len(items), items[0] == Item("A.1", ItemKind.ARTIFACT, MultilingualText.of(en="Helmet", vi="Mũ"))
('Mũ', 1, True)
"""

from __future__ import annotations

import marshal
import threading
import zlib
from array import array
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import fields
from pathlib import PurePosixPath
from typing import Any, overload

from heritage_ld.model.item import Item, MediaFile
from heritage_ld.model.text import MultilingualText

__all__ = ["DECODED", "ItemSequence"]

_EMPTY = MultilingualText.of({})  # the one shared empty text
#: Items kept decoded (the last asked for, by place): a build goes over its items several times in every step,
#: so a collection of up to this many is decoded once per build (as fast as a tuple of items: about 16 MB for
#: 10,000 items); a larger one is decoded on each pass, in about 10 µs an item, and its memory stays bounded.
DECODED = 16_384
#: Records encoded before the compression dictionary is made from them, and the dictionary's size: measured on
#: the Hanoi example and synthetic catalogues, 4 KB primes nearly as well as 32 KB at a fifth of the cost to
#: set up for each record (17 µs to compress an item, 1 µs to decompress it).
_PRIMING = 64
_ZDICT = 4096
#: How each field of :class:`Item` is encoded: ``str`` (a string or ``None``, as it is), ``text`` (a
#: :class:`MultilingualText`, as its entries), ``strs`` (a tuple of strings, as it is), ``shared`` (a value items
#: share: its index in the table), ``shared*`` (a tuple of such values), ``media`` (the media files, as tuples).
_CODECS: dict[str, str] = {
    "accession": "str", "kind": "shared", "title": "text", "section": "str", "alternative_title": "text",
    "description": "text", "date": "shared", "creators": "shared*", "contributors": "shared*", "source": "shared",
    "source_type": "shared", "provenance": "text", "places": "shared*", "place_made": "shared",
    "subjects": "shared*", "materials": "shared*", "techniques": "shared*", "dimensions": "shared*",
    "rights": "shared", "rights_holder": "shared", "credit_line": "text", "media": "media", "identifiers": "strs",
    "same_as": "strs", "languages": "strs",
}
_FIELDS = tuple(f.name for f in fields(Item))
_PLAN = tuple(_CODECS[name] for name in _FIELDS)  # a KeyError here: a field of Item without a codec


class _Unsuitable(Exception):
    """An item that cannot be encoded (a subclass, a value of an unexpected type): it is kept as it is."""


class ItemSequence(Sequence[Item]):
    """A read-only sequence of items, each held as a compact record (see the module's documentation).

    Items of another type than :class:`Item` itself (a subclass) or with values of unexpected types are kept as
    they are, so any items can be put in; the saving is for items as the catalogue reader makes them.
    """

    __slots__ = ("_blob", "_decoded", "_ends", "_index", "_lock", "_odd", "_table", "_zdict")

    def __init__(self, items: Iterable[Item] = ()) -> None:
        self._table: list[Any] = []
        self._zdict = b""
        self._odd: dict[int, Item] = {}  # the items kept as they are, by place
        index: dict[Any, int] = {}
        # Every record in one buffer, with where each ends: a record is not an object of its own, so the many
        # short-lived objects made while a catalogue is read leave no memory pinned between long-lived records.
        blob = bytearray()
        ends = array("q")
        first: list[bytes] = []  # the records read before the compression dictionary is made from them

        def put(data: bytes) -> None:
            blob.extend(self._compress(data) if data else b"")
            ends.append(len(blob))

        count = 0
        for item in items:
            try:
                data = self._encode(item, index)
            except _Unsuitable:
                self._odd[count] = item
                data = b""
            count += 1
            if self._zdict:
                put(data)
                continue
            first.append(data)
            if len(first) == _PRIMING:
                self._zdict = b"".join(first)[-_ZDICT:] or b"\0"
                for data in first:
                    put(data)
                first = []
        if first:  # fewer items than it takes to prime the dictionary
            self._zdict = b"".join(first)[-_ZDICT:] or b"\0"
            for data in first:
                put(data)
        self._blob = bytes(blob)
        self._ends = ends
        self._index: dict[str, int] | None = None  # accession -> place, made by the first owns()
        self._lock = threading.Lock()
        self._decoded: dict[int, Item] = {}  # the items decoded last, by place (at most DECODED)

    def _compress(self, data: bytes) -> bytes:
        packer = zlib.compressobj(6, zlib.DEFLATED, -15, 8, zlib.Z_DEFAULT_STRATEGY, self._zdict)
        return packer.compress(data) + packer.flush()

    def _values(self, n: int) -> tuple[Any, ...]:
        start = self._ends[n - 1] if n else 0
        data = zlib.decompressobj(-15, zdict=self._zdict).decompress(self._blob[start:self._ends[n]])
        values: tuple[Any, ...] = marshal.loads(data)
        return values

    def _get(self, n: int) -> Item:
        odd = self._odd.get(n)
        if odd is not None:
            return odd
        found = self._decoded.get(n)
        if found is None:
            found = self._decode(self._values(n))
            with self._lock:
                self._decoded[n] = found
                if len(self._decoded) > DECODED:  # the oldest out
                    self._decoded.pop(next(iter(self._decoded)), None)
        return found

    # -- encoding ---------------------------------------------------------------------------------------------

    def _share(self, value: Any, index: dict[Any, int]) -> int:
        if not isinstance(value, Hashable):
            raise _Unsuitable
        try:
            return index[value]
        except KeyError:
            index[value] = len(self._table)
            self._table.append(value)
            return index[value]
        except TypeError:  # a frozen dataclass holding an unhashable value
            raise _Unsuitable from None

    def _encode(self, item: Item, index: dict[Any, int]) -> bytes:
        if type(item) is not Item:
            raise _Unsuitable
        values: list[Any] = []
        for name, codec in zip(_FIELDS, _PLAN, strict=True):
            value = getattr(item, name)
            if codec == "str":
                if value is not None and type(value) is not str:
                    raise _Unsuitable
                values.append(value)
            elif codec == "text":
                if type(value) is not MultilingualText:
                    raise _Unsuitable
                values.append(value.entries)
            elif codec == "strs":
                if type(value) is not tuple or any(type(v) is not str for v in value):
                    raise _Unsuitable
                values.append(value)
            elif codec == "shared":
                values.append(None if value is None else self._share(value, index))
            elif codec == "shared*":
                if type(value) is not tuple:
                    raise _Unsuitable
                values.append(tuple(self._share(v, index) for v in value))
            else:  # media
                if type(value) is not tuple or any(type(m) is not MediaFile for m in value):
                    raise _Unsuitable
                values.append(tuple(_media_record(m, lambda v: self._share(v, index)) for m in value))
        try:
            return marshal.dumps(tuple(values), 4)
        except ValueError:  # a text entry that is not a pair of strings
            raise _Unsuitable from None

    def _decode(self, values: tuple[Any, ...]) -> Item:
        table = self._table
        out: list[Any] = []
        for value, codec in zip(values, _PLAN, strict=True):
            if codec == "str" or codec == "strs":
                out.append(value)
            elif codec == "text":
                out.append(MultilingualText(value) if value else _EMPTY)
            elif codec == "shared":
                out.append(None if value is None else table[value])
            elif codec == "shared*":
                out.append(tuple(table[v] for v in value))
            else:
                out.append(tuple(MediaFile(PurePosixPath(p), table[role], None if d is None else PurePosixPath(d), w, h)
                                 for p, role, d, w, h in value))
        return Item(*out)

    # -- the sequence -----------------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._ends)

    @overload
    def __getitem__(self, at: int) -> Item: ...

    @overload
    def __getitem__(self, at: slice) -> tuple[Item, ...]: ...

    def __getitem__(self, at: int | slice) -> Item | tuple[Item, ...]:
        places = range(len(self._ends))
        if isinstance(at, slice):
            return tuple(self._get(n) for n in places[at])
        return self._get(places[at])

    def __iter__(self) -> Iterator[Item]:
        get = self._get
        for n in range(len(self._ends)):
            yield get(n)

    def __eq__(self, other: object) -> bool:
        if (isinstance(other, ItemSequence) and other._table == self._table and other._zdict == self._zdict
                and other._blob == self._blob and other._ends == self._ends and other._odd == self._odd):
            return True
        if not isinstance(other, (tuple, list, ItemSequence)):
            return NotImplemented
        return len(other) == len(self) and all(a == b for a, b in zip(self, other, strict=True))

    def __hash__(self) -> int:
        return hash(tuple(self))  # equal to an equal tuple's

    def __add__(self, other: Sequence[Item]) -> tuple[Item, ...]:
        return (*self, *other)

    def __radd__(self, other: Sequence[Item]) -> tuple[Item, ...]:
        return (*other, *self)

    def __repr__(self) -> str:
        return f"ItemSequence({len(self)} items)"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore, (self._table, self._zdict, self._blob, self._ends, self._odd))

    # -- identity ---------------------------------------------------------------------------------------------

    def owns(self, item: object) -> bool:
        """Whether ``item`` is one of these items (equal to the one at its accession's place: decoded items are
        new objects each time, so identity cannot say)."""
        if not isinstance(item, Item):
            return False
        with self._lock:
            if self._index is None:
                index: dict[str, int] = {}
                for n in range(len(self._ends)):
                    odd = self._odd.get(n)
                    index.setdefault(odd.accession if odd is not None else self._values(n)[0], n)
                self._index = index
        found = self._index.get(item.accession)
        if found is None:
            return False
        odd = self._odd.get(found)
        if odd is not None:
            return odd is item
        return self._decoded.get(found) is item or self._get(found) == item


def _media_record(m: MediaFile, share: Any) -> tuple[Any, ...]:
    if type(m.path) is not PurePosixPath or (m.derived_from is not None and type(m.derived_from) is not PurePosixPath):
        raise _Unsuitable
    if any(v is not None and type(v) is not int for v in (m.width, m.height)):
        raise _Unsuitable
    return (str(m.path), share(m.role), None if m.derived_from is None else str(m.derived_from), m.width, m.height)


def _restore(table: list[Any], zdict: bytes, blob: bytes, ends: array[int], odd: dict[int, Item]) -> ItemSequence:
    made = ItemSequence()
    made._table, made._zdict, made._blob, made._ends, made._odd = table, zdict, blob, ends, odd
    return made  # (the decoded items are not shipped: the receiver decodes what it uses)
