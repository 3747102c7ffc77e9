"""Checking a model built in Python: the catalogue's coded problems for a :class:`Collection` made in memory.

:func:`validate` returns every problem of a collection (errors and warnings), each located by the item's
accession number (``HNM.1972.001: C013 unknown section key 'nope' in section``) instead of ``file:line:column``.
The emitters' entry points call :func:`require_valid` before they write anything, so a model with a duplicate
accession number, an unknown section or a value of the wrong type is refused whole, before any output exists,
instead of half-writing ``OUT`` or failing with an ``AttributeError``.

>>> from heritage_ld.model import Collection, Item, ItemKind, MultilingualText
>>> title = MultilingualText.of(en="Kham Thien")
>>> c = Collection("h", MultilingualText.of(en="Hanoi 1972"), "https://example.org/h", items=(
...     Item("X.001", ItemKind.PHOTOGRAPH, title), Item("X.001", ItemKind.PHOTOGRAPH, title, section="nope"),
...     Item("X.002", "photograph", "a title")))
>>> for problem in validate(c):
...     print(problem.render(hints=False))
X.001: C024 warning: item 'X.001' has no media files
X.001: C070 duplicate accession number 'X.001' (items 1 and 2 of the collection)
X.001: C013 unknown section key 'nope' in section
X.001: C024 warning: item 'X.001' has no media files
X.002: C026 kind must be ItemKind, not str
X.002: C026 title must be MultilingualText, not str
"""

from __future__ import annotations

import dataclasses
import functools
import threading
import types
import typing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from dataclasses import field as dc_field
from decimal import Decimal
from typing import Any

from heritage_ld.catalogue.media import MediaChecker, refusal
from heritage_ld.errors import CatalogueError
from heritage_ld.model import (
    IDENTIFIER_SCHEMES,
    LINK_SCHEMES,
    MAX_ENCODED_LENGTH,
    MAX_IDENTIFIER_LENGTH,
    Agent,
    Collection,
    Concept,
    Item,
    MultilingualText,
    Place,
    character_name,
    identifier_length,
    iri_scheme,
    is_absolute_iri,
    is_language_tag,
    is_rights_iri,
    refused_identifier_character,
    refused_text_character,
)
from heritage_ld.model.compact import ItemSequence
from heritage_ld.problems import Location, Problem, report

__all__ = ["remember_checked", "require_valid", "validate"]

_COLLECTION = "collection"


def _type_name(hint: Any) -> str:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in typing.get_args(hint))
    if origin is tuple:
        return f"a tuple of {_type_name(typing.get_args(hint)[0])}"
    return "None" if hint is type(None) else getattr(hint, "__name__", str(hint))


Check = typing.Callable[[object], bool]


@functools.cache
def _predicate(hint: Any) -> Check:
    """A test of whether a value has the type ``hint`` (the model's own hints: unions, ``tuple[X, ...]``,
    classes), made once per hint: a build validates every value of every item."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        tests = tuple(_predicate(a) for a in typing.get_args(hint))
        return lambda v: any(t(v) for t in tests)
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            each = _predicate(args[0])
            return lambda v: isinstance(v, tuple) and all(each(x) for x in v)
        parts = tuple(_predicate(a) for a in args)
        return lambda v: (isinstance(v, tuple) and len(v) == len(parts)
                          and all(t(x) for t, x in zip(parts, v, strict=True)))
    if hint is Any:
        return lambda v: True
    if hint is type(None):
        return lambda v: v is None
    if hint in (float, Decimal):  # (an int is a float to a type checker, and an exact Decimal)
        allowed: tuple[type, ...] = (int, float) if hint is float else (int, Decimal)
        return lambda v: isinstance(v, allowed) and not isinstance(v, bool)
    if hint is int:
        return lambda v: isinstance(v, int) and not isinstance(v, bool)
    return lambda v: isinstance(v, hint)


@functools.cache
def _fields(cls: Any) -> tuple[tuple[str, Any, Check, bool], ...]:
    """Name, hint, test and whether it may hold dataclasses, for each field of the model class ``cls``."""
    hints = typing.get_type_hints(cls)  # (evaluated in the class's own module)
    out = []
    for f in dataclasses.fields(cls):
        hint = hints[f.name]
        nested = any(dataclasses.is_dataclass(a) for a in _leaves(hint))
        out.append((f.name, hint, _predicate(hint), nested))
    return tuple(out)


def _leaves(hint: Any) -> Iterator[Any]:
    args = typing.get_args(hint)
    if not args:
        yield hint
    for a in args:
        yield from _leaves(a)


def _wrong_types(value: object, where: Location, prefix: str, *, each: str = "",
                 seen: set[int] | None = None) -> Iterator[Problem]:
    """C026 for every field of the dataclass ``value`` (and of the dataclasses it holds) of the wrong type;
    the field ``each`` need only be a tuple (its members are checked one by one, by the caller). Objects whose
    id is in ``seen`` were checked already (agents and places many items share)."""
    for name, hint, test, nested in _fields(typing.cast(Any, type(value))):
        got = getattr(value, name)
        label = f"{prefix}{name}"
        if name == each:
            if not isinstance(got, (tuple, ItemSequence)):
                yield report("C026", Location(where.file, field=label), field=label, expected="a tuple",
                             found=type(got).__name__)
            continue
        if not test(got):
            yield report("C026", Location(where.file, field=label), field=label, expected=_type_name(hint),
                         found=type(got).__name__)
            continue
        if not nested:
            continue
        for n, part in enumerate(got if isinstance(got, tuple) else (got,)):
            if not dataclasses.is_dataclass(part):
                continue
            if seen is not None:
                if id(part) in seen:
                    continue
                seen.add(id(part))
            inner = f"{label}[{n}]." if isinstance(got, tuple) else f"{label}."
            yield from _wrong_types(part, where, inner, seen=seen)


class _Checker:
    """Collects the problems of one collection."""

    def __init__(self, collection: Collection) -> None:
        self.collection = collection
        self.problems: list[Problem] = []
        self.media = MediaChecker(collection.root) if collection.root is not None else None
        self.keys: dict[tuple[str, str], object] = {}
        self.seen: set[int] = set()  # ids of the shared parts whose types were checked

    def add(self, code: str, where: str, at: str | None, /, **params: Any) -> None:
        self.problems.append(report(code, Location(where, field=at), **params))

    def text(self, value: MultilingualText, where: str, field: str) -> None:
        for lang, text in value:
            if lang and not is_language_tag(lang):
                self.add("C015", where, field, field=field, value=lang)
            bad = refused_text_character(text)
            if bad is not None:
                self.add("C035", where, field, field=field, char=character_name(bad[1]), position=bad[0])

    def identifier(self, value: str, where: str, field: str) -> None:
        if not value:
            self.add("C010", where, field, field=field)
        elif value in (".", ".."):
            self.add("C022", where, field, field=field, value=value, reason="it cannot be '.' or '..'")
        elif (bad := refused_identifier_character(value)) is not None:
            self.add("C033", where, field, field=field, value=value, char=character_name(bad[1]), position=bad[0])
        elif (too_long := identifier_length(value)) is not None:
            self.add("C034", where, field, field=field, length=too_long.length, encoded=too_long.encoded,
                     limit=MAX_IDENTIFIER_LENGTH, encoded_limit=MAX_ENCODED_LENGTH)

    def iris(self, values: Iterable[str], where: str, field: str, schemes: tuple[str, ...] = IDENTIFIER_SCHEMES) -> None:
        for iri in values:
            reason = is_absolute_iri(iri)
            scheme = iri_scheme(iri)
            if reason:
                self.add("C014", where, field, field=field, value=iri, reason=reason)
            elif scheme not in schemes:
                self.add("C037", where, field, field=field, value=iri, scheme=scheme,
                         allowed=" or ".join(f"{s}:" for s in schemes))

    def rights(self, value: str | None, where: str) -> None:
        if value is not None and not is_rights_iri(value):
            self.add("C020", where, "rights", value=value)

    def keyed(self, what: str, value: Agent | Place | Concept, where: str, field: str) -> None:
        """One key, one thing: the key becomes an IRI, so two different agents with one key would merge."""
        key = value.key
        seen = self.keys.setdefault((what, key), value)
        if seen is not value:
            if seen != value:
                self.add("C071", where, field, what=what, value=key)
            return  # the same value again: checked once
        self.identifier(key, where, f"{field}.key")
        if isinstance(value, Agent):
            self.text(value.name, where, f"{field}.name")
            self.iris([v for v in (value.homepage,) if v], where, f"{field}.homepage", LINK_SCHEMES)
        elif isinstance(value, Place):
            self.text(value.name, where, f"{field}.name")
            lat, lon = value.latitude, value.longitude
            if (lat is not None and not -90 <= lat <= 90) or (lon is not None and not -180 <= lon <= 180):
                self.add("C028", where, field, field=field, value=f"{lat},{lon}")
        else:
            self.text(value.label, where, f"{field}.label")
        self.iris(value.same_as, where, f"{field}.same_as")

    def item(self, item: Item, where: str) -> None:
        c = self.collection
        self.identifier(item.accession, where, "accession")
        if not item.title:
            self.add("C010", where, "title", field="title")
        if item.section is not None and not any(s.key == item.section for s in c.sections):
            self.add("C013", where, "section", what="section", value=item.section, field="section",
                     where=" (give the collection a Section with this key)")
        for name in ("title", "alternative_title", "description", "provenance", "credit_line"):
            self.text(getattr(item, name), where, name)
        self.rights(item.rights, where)
        self.iris(item.same_as, where, "same_as")
        for tag in item.languages:
            if not is_language_tag(tag):
                self.add("C015", where, "language", field="language", value=tag)
        for value in item.identifiers:
            self.identifier(value, where, "identifier")
        for dim in item.dimensions:
            if not dim.value.is_finite() or dim.value <= 0:
                self.add("C022", where, "dimensions", field=dim.kind, value=str(dim.value),
                         reason="a measurement must be greater than zero")
        for field, agents in (("creators", [a.agent for a in item.creators]),
                              ("contributors", [a.agent for a in item.contributors]),
                              ("source", [item.source] if item.source else []),
                              ("rights_holder", [item.rights_holder] if item.rights_holder else [])):
            for agent in agents:
                self.keyed("agent", agent, where, field)
        for place in (*item.places, *([item.place_made] if item.place_made else [])):
            self.keyed("place", place, where, "places")
        for field, concepts in (("subjects", item.subjects), ("materials", item.materials),
                                ("techniques", item.techniques)):
            for concept in concepts:
                self.keyed("concept", concept, where, field)
        self.media_files(item, where)

    def media_files(self, item: Item, where: str) -> None:
        if not item.media:
            self.add("C024", where, "media", value=item.accession)
        for media in item.media:
            value = str(media.path)
            if self.media is not None:
                result = self.media.check(value)
                if result.code is not None:
                    params = {"reason": result.reason} if result.code in ("C018", "C019") else {}
                    self.add(result.code, where, "media", value=value, **params)
            elif (reason := refusal(value)) is not None:
                self.add("C019", where, "media", value=value, reason=reason)

    def run(self) -> list[Problem]:
        c = self.collection
        where = _COLLECTION
        self.problems += _wrong_types(c, Location(where), "", each="items")
        if self.problems:
            return self.problems  # the checks below read the fields: only once they have the right types
        self.identifier(c.key, where, "key")
        reason = is_absolute_iri(c.base_url)
        if reason is None and iri_scheme(c.base_url) not in LINK_SCHEMES:
            reason = "the base URL must be http or https"
        if reason:
            self.add("C014", where, "base_url", field="base_url", value=c.base_url, reason=reason)
        self.text(c.title, where, "title")
        self.rights(c.rights, where)
        self.iris([v for v in (c.homepage,) if v], where, "homepage", LINK_SCHEMES)
        for tag in c.languages:
            if not is_language_tag(tag):
                self.add("C015", where, "languages", field="languages", value=tag)
        sections: dict[str, int] = {}
        for n, s in enumerate(c.sections, 1):
            self.identifier(s.key, where, "sections.key")
            if s.key in sections:
                self.add("C031", where, "sections", what="section", value=s.key, first_line=sections[s.key])
            sections.setdefault(s.key, n)
        for agent in (*c.agents, *c.organizers, *([c.publisher] if c.publisher else [])):
            self.keyed("agent", agent, where, "agents")
        for place in (*c.places, *([c.venue] if c.venue else [])):
            self.keyed("place", place, where, "places")
        for concept in c.concepts:
            self.keyed("concept", concept, where, "concepts")
        first: dict[str, int] = {}
        for n, item in enumerate(c.items, 1):
            self.items_one(item, n, first)
        return self.problems

    def items_one(self, item: Item, n: int, first: dict[str, int]) -> None:
        accession = item.accession if isinstance(item, Item) and isinstance(item.accession, str) else ""
        where = accession or f"items[{n - 1}]"
        if not isinstance(item, Item):
            self.add("C026", where, "items", field=f"items[{n - 1}]", expected="Item", found=type(item).__name__)
            return
        wrong = list(_wrong_types(item, Location(where), "", seen=self.seen))
        if accession and accession in first:
            self.add("C070", where, "accession", value=accession, first=first[accession], second=n)
        first.setdefault(accession, n)
        if wrong:
            self.problems += wrong
            return
        self.item(item, where)


def validate(collection: Collection) -> tuple[Problem, ...]:
    """Every problem of a collection built in Python (errors and warnings), in catalogue order.

    The same codes as the catalogue reader (``C010`` required, ``C013`` unknown key, ``C020`` rights, ``C026``
    a value of the wrong type …) plus ``C070`` (a duplicate accession number) and ``C071`` (one key, two
    different agents, places or concepts); each problem is located by the item's accession number (or
    ``collection``), with the field in :attr:`Location.field`. Media files are looked for under
    ``collection.root`` when it is set. Never raises for bad data.
    """
    if not isinstance(collection, Collection):
        return (report("C026", Location(_COLLECTION), field="collection", expected="Collection",
                       found=type(collection).__name__),)
    return tuple(_Checker(collection).run())


_lock = threading.Lock()


@dataclass
class _Validated:
    """The last collection validated (kept alive, so that its id is not reused), its problems, the ids of its
    items, and the problems of the other items checked with it (each kept alive with its result)."""

    collection: Collection
    problems: tuple[Problem, ...]
    ids: frozenset[int]
    strangers: dict[int, tuple[Item, tuple[Problem, ...]]] = dc_field(default_factory=dict)


#: The collections validated last, most recent first: a build validates its collection and, in each step, a
#: slim copy of it that its tasks carry; remembering one only made each step's copy push the whole collection
#: out (validated again: 2.5 s at 10,000 items).
_last: list[_Validated] = []
_REMEMBERED = 3
#: Items not the collection's own remembered with their problems, per collection: an emitter is called for one
#: item in every format in turn, so a few are enough; all of them grew with the collection in every worker.
_STRANGERS = 256


def _remember(found: _Validated) -> None:
    with _lock:
        _last[:] = [found, *(v for v in _last if v is not found)][:_REMEMBERED]


def _validated(collection: Collection) -> _Validated:
    with _lock:
        found = next((v for v in _last if v.collection is collection), None)
    if found is None:
        found = _Validated(collection, validate(collection), _ids(collection))
    _remember(found)
    return found


def remember_checked(collection: Collection, warnings: tuple[Problem, ...] = ()) -> None:
    """Record that ``collection`` was checked whole by the catalogue reader and has no error (only
    ``warnings``): :func:`require_valid` then does not validate it again (1.5 s for 10,000 items, at the start
    of every build and rebuild). Only the very object is remembered: a changed copy is validated as usual."""
    _remember(_Validated(collection, warnings, _ids(collection)))


def _ids(collection: object) -> frozenset[int]:
    """The ids of a collection's items, where they are objects it holds (an :class:`ItemSequence` makes a new
    object each time: it is asked, :meth:`ItemSequence.owns`)."""
    if not isinstance(collection, Collection) or isinstance(collection.items, ItemSequence):
        return frozenset()
    return frozenset(id(i) for i in collection.items)


def require_valid(collection: Collection, *items: Item) -> tuple[Problem, ...]:
    """Raise :class:`CatalogueError` (every problem) unless ``collection`` and ``items`` have no error.

    Returns the warnings. The emitters call it before they write anything. The results for the last collection
    are remembered (and for each item checked with it), so a build that calls emitters once per item and format
    validates each thing once. Items that are not the collection's own (a pipeline's batch carries its items
    beside a slim collection) are checked as members of it.
    """
    state = _validated(collection)
    found = list(state.problems)
    if not any(p.is_error for p in found):
        for item in items:
            if id(item) in state.ids:
                continue
            owned = state.collection.items if isinstance(state.collection, Collection) else None
            if isinstance(owned, ItemSequence) and owned.owns(item):
                continue
            known = state.strangers.get(id(item))
            if known is None or known[0] is not item:
                checker = _Checker(collection)
                checker.items_one(item, len(collection.items) + 1, {})  # (an edited copy is no duplicate)
                known = (item, tuple(checker.problems))
                with _lock:
                    state.strangers[id(item)] = known
                    if len(state.strangers) > _STRANGERS:  # the oldest first: a build checks items in turn
                        del state.strangers[next(iter(state.strangers))]
            found += known[1]
    errors = [p for p in found if p.is_error]
    if errors:
        raise CatalogueError(found, f"the model has {len(errors)} problem(s): {errors[0].render(hints=False)}")
    return tuple(found)
