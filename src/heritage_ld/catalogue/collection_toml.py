"""``collection.toml``: the collection, its sections, and the agents, places and concepts items refer to.

The TOML is parsed with the standard library (TOML 1.0), then every value is validated and every problem is
reported at the line of its key (see :mod:`heritage_ld.catalogue.locate`). The result holds a
:class:`~heritage_ld.model.Collection` without items and the tables items.csv refers to by key.
"""

from __future__ import annotations

import difflib
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from heritage_ld.catalogue.locate import KeyLocator, too_deep
from heritage_ld.catalogue.media import MediaChecker
from heritage_ld.model import (
    CC0,
    IDENTIFIER_SCHEMES,
    LINK_SCHEMES,
    MAX_ENCODED_LENGTH,
    MAX_IDENTIFIER_LENGTH,
    NO_LANGUAGE,
    Agent,
    AgentKind,
    Collection,
    CollectionKind,
    Concept,
    EDTFDate,
    EDTFError,
    MultilingualText,
    Place,
    Section,
    character_name,
    identifier_length,
    iri_scheme,
    is_absolute_iri,
    is_language_tag,
    is_rights_iri,
    parse_edtf,
    refused_text_character,
)
from heritage_ld.problems import Location, Problem, report

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

__all__ = ["CONCEPT_TABLES", "CollectionHead", "read_collection_toml"]

NAME = "collection.toml"
#: The vocabulary tables and the items.csv column that refers to each.
CONCEPT_TABLES = {"subjects": "subject", "materials": "material", "techniques": "technique"}
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_.-]+$")
_TOP = ("collection", "sections", "agents", "places", *CONCEPT_TABLES)
_COLLECTION_KEYS = ("key", "kind", "base_url", "title", "summary", "date", "organizers", "publisher", "venue",
                    "rights", "credit", "homepage", "languages", "metadata_license", "admin_email", "provider")
_AGENT_KEYS = ("kind", "name", "same_as", "homepage", "logo", "address", "email")
#: How deep arrays and inline tables may nest: far more than a catalogue needs, far less than what makes
#: :mod:`tomllib` (a recursive parser) fail with ``RecursionError``.
MAX_NESTING = 100
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_TOML_LINE = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)\s*$")


@dataclass(frozen=True, slots=True)
class CollectionHead:
    """What collection.toml defines: the collection (no items yet) and the keyed tables items refer to."""

    collection: Collection
    sections: Mapping[str, Section] = field(default_factory=dict)
    agents: Mapping[str, Agent] = field(default_factory=dict)
    places: Mapping[str, Place] = field(default_factory=dict)
    concepts: Mapping[str, Mapping[str, Concept]] = field(default_factory=dict)


def _type_name(value: object) -> str:
    names = {str: "text", bool: "true/false", int: "a whole number", float: "a number", list: "a list",
             dict: "a table"}
    return names.get(type(value), f"a {type(value).__name__}")


class _Reader:
    """Validating accessors over the parsed document; each problem is located at its key's line."""

    def __init__(self, text: str, problems: list[Problem], media: MediaChecker | None = None) -> None:
        self.locator = KeyLocator(text)
        self.problems = problems
        self.media = media

    def loc(self, path: tuple[str | int, ...]) -> Location:
        name = "".join(f"[{p + 1}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
        # A key that cannot be found (say, in a table that is missing altogether) is reported on line 1.
        return Location(NAME, self.locator.line_of(path) or 1, None, name)

    def field(self, path: tuple[str | int, ...]) -> str:
        return self.loc(path).field or ""

    def add(self, code: str, path: tuple[str | int, ...], **params: Any) -> None:
        self.problems.append(report(code, self.loc(path), **params))

    def table(self, value: object, path: tuple[str | int, ...]) -> dict[str, Any]:
        if isinstance(value, dict):
            return value
        self.add("C026", path, field=self.field(path), expected="a table", found=_type_name(value))
        return {}

    def unknown(self, table: Mapping[str, Any], allowed: tuple[str, ...], path: tuple[str | int, ...]) -> None:
        for key in table:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                self.add("C030", (*path, key), key=key, table=self.field(path) or "the top level",
                         suggestion=f"did you mean {close[0]!r}? " if close else "",
                         choices=", ".join(allowed))

    def string(self, table: Mapping[str, Any], key: str, path: tuple[str | int, ...], *,
               required: bool = False) -> str | None:
        value = table.get(key)
        if value is None:
            if required:
                self.add("C010", (*path, key), field=self.field((*path, key)))
            return None
        if not isinstance(value, str):
            self.add("C026", (*path, key), field=self.field((*path, key)), expected="text", found=_type_name(value))
            return None
        value = value.strip()
        if not value and required:
            self.add("C010", (*path, key), field=self.field((*path, key)))
        return value or None

    def key(self, table: Mapping[str, Any], key: str, path: tuple[str | int, ...]) -> str | None:
        value = self.string(table, key, path, required=True)
        if value is not None and not self.key_name(value, (*path, key), self.field((*path, key))):
            return None
        return value

    def key_name(self, value: str, path: tuple[str | int, ...], field: str) -> bool:
        """Whether ``value`` may be a key (it names files and URLs); C022 or C034 at ``path`` if not."""
        if not KEY_PATTERN.match(value):
            self.add("C022", path, field=field, value=value, reason="a key has only letters, digits, '-', '_' and '.'")
            return False
        too_long = identifier_length(value)
        if too_long is not None:
            self.add("C034", path, field=field, length=too_long.length, encoded=too_long.encoded,
                     limit=MAX_IDENTIFIER_LENGTH, encoded_limit=MAX_ENCODED_LENGTH)
            return False
        return True

    def strings(self, table: Mapping[str, Any], key: str, path: tuple[str | int, ...]) -> tuple[str, ...]:
        value = table.get(key)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add("C026", (*path, key), field=self.field((*path, key)), expected="a list of text",
                     found=_type_name(value))
            return ()
        return tuple(v.strip() for v in value if v.strip())

    def text(self, table: Mapping[str, Any], key: str, path: tuple[str | int, ...], *,
             required: bool = False) -> MultilingualText:
        value = table.get(key)
        where = (*path, key)
        if isinstance(value, str):  # a plain string: text with no language
            value = {NO_LANGUAGE: value}
        if value is None:
            value = {}
        if not isinstance(value, dict):
            self.add("C026", where, field=self.field(where), expected="text by language (key.LANG = \"…\")",
                     found=_type_name(value))
            return MultilingualText()
        entries: dict[str, str] = {}
        for lang, text in value.items():
            if lang != NO_LANGUAGE and not is_language_tag(lang):
                self.add("C015", (*where, lang), field=self.field(where), value=lang)
            elif not isinstance(text, str):
                self.add("C026", (*where, lang), field=self.field((*where, lang)), expected="text",
                         found=_type_name(text))
            elif text.strip():
                entries[lang] = text.strip()
        if required and not entries:
            self.add("C010", where, field=self.field(where))
        elif value and not entries:  # `summary.en = ""`: given, but nothing in it
            self.add("C025", where, field=self.field(where))
        return MultilingualText.of(entries)

    def checked_iri(self, value: str, path: tuple[str | int, ...], schemes: tuple[str, ...]) -> bool:
        """Whether ``value`` is an absolute IRI (else C014) with one of ``schemes`` (else C037)."""
        reason = is_absolute_iri(value)
        if reason:
            self.add("C014", path, field=self.field(path), value=value, reason=reason)
            return False
        scheme = iri_scheme(value)
        if scheme not in schemes:
            self.add("C037", path, field=self.field(path), value=value, scheme=scheme,
                     allowed=" or ".join(f"{s}:" for s in schemes))
            return False
        return True

    def iri(self, table: Mapping[str, Any], key: str, path: tuple[str | int, ...], *,
            schemes: tuple[str, ...] = LINK_SCHEMES) -> str | None:
        """A link (a home page): an http or https IRI."""
        value = self.string(table, key, path)
        if value is not None and not self.checked_iri(value, (*path, key), schemes):
            return None
        return value

    def iris(self, table: Mapping[str, Any], key: str, path: tuple[str | int, ...]) -> tuple[str, ...]:
        """Authority IRIs (``same_as``): web IRIs, URNs or ``info:`` URIs."""
        return tuple(v for v in self.strings(table, key, path)
                     if self.checked_iri(v, (*path, key), IDENTIFIER_SCHEMES))

    def logo(self, table: Mapping[str, Any], path: tuple[str | int, ...]) -> str | None:
        """A logo: a web IRI, or a file in the catalogue folder checked like a media path."""
        value = self.string(table, "logo", path)
        where = (*path, "logo")
        if value is None or iri_scheme(value) is not None:  # "C:/logo.png" has a scheme too: refused
            return None if value is None or not self.checked_iri(value, where, LINK_SCHEMES) else value
        if self.media is None:
            return value
        found = self.media.check(value)
        if found.code is None:
            return value
        params = {"reason": found.reason} if found.code in ("C018", "C019") else {}
        self.add(found.code, where, value=value, **params)
        return None

    def ref(self, found: Mapping[str, Any], value: str, what: str, where: str,
            path: tuple[str | int, ...]) -> Any:
        if value in found:
            return found[value]
        self.add("C013", path, what=what, value=value, field=self.field(path), where=where)
        return None


def _parse(text: str, problems: list[Problem]) -> dict[str, Any] | None:
    deep = too_deep(text, MAX_NESTING)
    if deep is not None:
        problems.append(report("C004", Location(NAME, *deep),
                               reason=f"arrays or inline tables are nested more than {MAX_NESTING} deep"))
        return None
    try:
        doc: dict[str, Any] = tomllib.loads(text)
        return doc
    except RecursionError:  # not expected below MAX_NESTING; a located problem all the same, never a traceback
        problems.append(report("C004", Location(NAME, 1), reason="the document is nested too deeply to read"))
        return None
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        at = _TOML_LINE.search(message)
        if at and at.group(1):
            line, column = int(at.group(1)), int(at.group(2))
        else:  # "(at end of document)": the position after the last character
            last = text.rsplit("\n", 1)[-1]
            line, column = text.count("\n") + 1, len(last) + 1
        reason = _TOML_LINE.sub("", message)
        problems.append(report("C004", Location(NAME, line, column), reason=reason))
        return None


def _characters(r: _Reader, value: object, path: tuple[str | int, ...]) -> None:
    """C035 for every key and string of the document holding a character XML cannot carry."""
    if isinstance(value, str):
        bad = refused_text_character(value)
        if bad is not None:
            r.add("C035", path, field=r.field(path) or "a key", char=character_name(bad[1]), position=bad[0])
    elif isinstance(value, dict):
        for key, item in value.items():
            _characters(r, key, (*path, key))
            _characters(r, item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _characters(r, item, (*path, index))


def _agents(r: _Reader, doc: Mapping[str, Any]) -> dict[str, Agent]:
    agents: dict[str, Agent] = {}
    for key, raw in r.table(doc.get("agents", {}), ("agents",)).items():
        path: tuple[str | int, ...] = ("agents", key)
        r.key_name(key, path, "agents")
        table = r.table(raw, path)
        r.unknown(table, _AGENT_KEYS, path)
        kind_text = r.string(table, "kind", path, required=True)
        kind = AgentKind.GROUP
        if kind_text is not None:
            try:
                kind = AgentKind(kind_text)
            except ValueError:
                r.add("C023", (*path, "kind"), field=r.field((*path, "kind")), value=kind_text,
                      choices=", ".join(k.value for k in AgentKind))
        logo = r.logo(table, path)
        email = _email(r, table, "email", path)
        agents[key] = Agent(
            key=key, kind=kind, name=r.text(table, "name", path, required=True),
            same_as=r.iris(table, "same_as", path), homepage=r.iri(table, "homepage", path), logo=logo,
            address=r.string(table, "address", path), email=email,
        )
    return agents


def _email(r: _Reader, table: Mapping[str, Any], key: str, path: tuple[str | int, ...]) -> str | None:
    email = r.string(table, key, path)
    if email is not None and not _EMAIL.fullmatch(email):
        r.add("C022", (*path, key), field=r.field((*path, key)), value=email,
              reason="an e-mail address looks like name@example.org")
        return None
    return email


def _coordinate(r: _Reader, table: Mapping[str, Any], key: str, path: tuple[str | int, ...],
                limit: float) -> float | None:
    value = table.get(key)
    if value is None:
        return None
    where = (*path, key)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        r.add("C026", where, field=r.field(where), expected="a number", found=_type_name(value))
        return None
    if not -limit <= value <= limit:  # also false for NaN
        r.add("C028", where, field=r.field(where), value=value)
        return None
    return float(value)


def _places(r: _Reader, doc: Mapping[str, Any]) -> dict[str, Place]:
    places: dict[str, Place] = {}
    for key, raw in r.table(doc.get("places", {}), ("places",)).items():
        path: tuple[str | int, ...] = ("places", key)
        r.key_name(key, path, "places")
        table = r.table(raw, path)
        r.unknown(table, ("name", "lat", "lon", "same_as"), path)
        lat = _coordinate(r, table, "lat", path, 90)
        lon = _coordinate(r, table, "lon", path, 180)
        if ("lat" in table) != ("lon" in table):
            r.add("C010", (*path, "lon" if "lat" in table else "lat"),
                  field=r.field((*path, "lon" if "lat" in table else "lat")))
        places[key] = Place(key=key, name=r.text(table, "name", path, required=True), latitude=lat,
                            longitude=lon, same_as=r.iris(table, "same_as", path))
    return places


def _concepts(r: _Reader, doc: Mapping[str, Any]) -> dict[str, dict[str, Concept]]:
    out: dict[str, dict[str, Concept]] = {}
    defined: dict[str, str] = {}
    for name in CONCEPT_TABLES:
        out[name] = {}
        for key, raw in r.table(doc.get(name, {}), (name,)).items():
            path: tuple[str | int, ...] = (name, key)
            r.key_name(key, path, name)
            if key in defined:  # one key, one concept IRI: two tables cannot share it
                r.add("C022", path, field=name, value=key, reason=f"the key is already used in [{defined[key]}]")
            defined.setdefault(key, name)
            table = r.table(raw, path)
            r.unknown(table, ("label", "same_as"), path)
            out[name][key] = Concept(key=key, label=r.text(table, "label", path, required=True),
                                     same_as=r.iris(table, "same_as", path))
    return out


def _sections(r: _Reader, doc: Mapping[str, Any]) -> dict[str, Section]:
    sections: dict[str, Section] = {}
    raw = doc.get("sections", [])
    if not isinstance(raw, list):
        r.add("C026", ("sections",), field="sections", expected="a list of [[sections]] tables",
              found=_type_name(raw))
        return sections
    first: dict[str, int] = {}
    for index, entry in enumerate(raw):
        path: tuple[str | int, ...] = ("sections", index)
        table = r.table(entry, path)
        r.unknown(table, ("key", "title", "summary"), path)
        key = r.key(table, "key", path)
        title = r.text(table, "title", path, required=True)
        summary = r.text(table, "summary", path)
        if key is None:
            continue
        line = r.locator.line_of((*path, "key")) or 0
        if key in sections:
            r.add("C031", (*path, "key"), what="section", value=key, first_line=first[key])
            continue
        first[key] = line
        sections[key] = Section(key=key, title=title, summary=summary)
    return sections


def _date(r: _Reader, table: Mapping[str, Any], path: tuple[str | int, ...]) -> EDTFDate | None:
    text = r.string(table, "date", path)
    if text is None:
        return None
    try:
        return parse_edtf(text)
    except EDTFError as exc:
        r.add("C012", (*path, "date"), field=r.field((*path, "date")), value=text, reason=str(exc))
        return None


def read_collection_toml(text: str, problems: list[Problem], *,
                         media: MediaChecker | None = None) -> CollectionHead | None:
    """Validate collection.toml; ``None`` only when it is not TOML at all (C004). Problems go to ``problems``.

    ``media`` checks an agent's ``logo`` when it is a path rather than an IRI (without it, paths are not
    looked at).

    >>> found = []
    >>> head = read_collection_toml('[collection]\\nkey = "x"\\nbase_url = "https://e.org/x"\\n', found)
    >>> head.collection.key, [p.render(hints=False) for p in found]
    ('x', ['collection.toml:1: C010 collection.title is required'])
    """
    doc = _parse(text, problems)
    if doc is None:
        return None
    r = _Reader(text, problems, media)
    _characters(r, doc, ())
    r.unknown(doc, _TOP, ())
    if "collection" not in doc:
        problems.append(report("C010", Location(NAME, 1, None, "collection"), field="the [collection] table"))
    coll = r.table(doc.get("collection", {}), ("collection",))
    path: tuple[str | int, ...] = ("collection",)
    r.unknown(coll, _COLLECTION_KEYS, path)
    sections = _sections(r, doc)
    agents = _agents(r, doc)
    places = _places(r, doc)
    concepts = _concepts(r, doc)

    key = r.key(coll, "key", path) or ""
    kind = CollectionKind.EXHIBITION
    kind_text = r.string(coll, "kind", path)
    if kind_text is not None:
        try:
            kind = CollectionKind(kind_text)
        except ValueError:
            r.add("C023", (*path, "kind"), field="collection.kind", value=kind_text,
                  choices=", ".join(k.value for k in CollectionKind))
    base_url = r.string(coll, "base_url", path, required=True) or ""
    if base_url:
        reason = is_absolute_iri(base_url)
        if reason is None and not base_url.lower().startswith(("http://", "https://")):
            reason = "the base URL must be http or https"
        if reason:
            r.add("C014", (*path, "base_url"), field="collection.base_url", value=base_url, reason=reason)
    where_agent = " under [agents.KEY]"
    organizers = tuple(
        a for k in r.strings(coll, "organizers", path)
        if (a := r.ref(agents, k, "agent", where_agent, (*path, "organizers"))) is not None
    )
    publisher_key = r.string(coll, "publisher", path)
    publisher = r.ref(agents, publisher_key, "agent", where_agent, (*path, "publisher")) if publisher_key else None
    venue_key = r.string(coll, "venue", path)
    venue = r.ref(places, venue_key, "place", " under [places.KEY]", (*path, "venue")) if venue_key else None
    provider_key = r.string(coll, "provider", path)
    provider = r.ref(agents, provider_key, "agent", where_agent, (*path, "provider")) if provider_key else None
    metadata_license = r.iri(coll, "metadata_license", path) or CC0
    rights = r.string(coll, "rights", path)
    if rights is not None and not is_rights_iri(rights):
        r.add("C020", (*path, "rights"), value=rights)
        rights = None
    languages = r.strings(coll, "languages", path)
    for lang in languages:
        if not is_language_tag(lang):
            r.add("C015", (*path, "languages"), field="collection.languages", value=lang)
    all_concepts = {c.key: c for table in concepts.values() for c in table.values()}
    collection = Collection(
        key=key, title=r.text(coll, "title", path, required=True), base_url=base_url, kind=kind,
        summary=r.text(coll, "summary", path), organizers=organizers, publisher=publisher, venue=venue,
        date=_date(r, coll, path), sections=tuple(sections.values()), rights=rights,
        credit_line=r.text(coll, "credit", path), homepage=r.iri(coll, "homepage", path),
        languages=tuple(lang for lang in languages if is_language_tag(lang)),
        agents=tuple(agents.values()), places=tuple(places.values()), concepts=tuple(all_concepts.values()),
        metadata_license=metadata_license, admin_email=_email(r, coll, "admin_email", path), provider=provider,
    )
    return CollectionHead(collection, sections, agents, places, concepts)
