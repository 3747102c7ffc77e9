"""items.csv / items.xlsx: the header's columns, and each raw row turned into an :class:`~heritage_ld.model.Item`.

Every cell is validated and every problem reported at ``file:line:column`` (column = the 1-based position of
the field in the header). A row with errors gives no item; the caller raises once all rows are read.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import PurePosixPath
from typing import Any, TypeVar, cast

from heritage_ld.catalogue.collection_toml import CollectionHead
from heritage_ld.catalogue.media import MediaChecker
from heritage_ld.catalogue.reader import RawRow, RawTable, RowStream
from heritage_ld.model import (
    IDENTIFIER_SCHEMES,
    MAX_ENCODED_LENGTH,
    MAX_IDENTIFIER_LENGTH,
    NO_LANGUAGE,
    Agent,
    Attribution,
    Concept,
    Dimension,
    EDTFDate,
    EDTFError,
    Item,
    ItemKind,
    MediaFile,
    MediaRole,
    MultilingualText,
    Place,
    SourceType,
    character_name,
    identifier_length,
    iri_scheme,
    is_absolute_iri,
    is_language_tag,
    is_rights_iri,
    parse_edtf,
    refused_identifier_character,
    refused_text_character,
)
from heritage_ld.problems import Location, Problem, report

__all__ = ["DIMENSIONS", "PLAIN_COLUMNS", "TEXT_COLUMNS", "Header", "RowReader", "read_header", "unnamed_column_used", "unnamed_columns_used"]

#: Columns holding text in a language (``title@vi``); a column without ``@TAG`` holds text with no language.
TEXT_COLUMNS = ("title", "alternative", "description", "provenance", "credit")
#: Measurement columns: name -> (dimension kind, unit).
DIMENSIONS = {"height_cm": ("height", "cm"), "width_cm": ("width", "cm"), "depth_cm": ("depth", "cm"),
              "diameter_cm": ("diameter", "cm"), "weight_g": ("weight", "g")}
PLAIN_COLUMNS = ("accession", "kind", "section", "date", "creator", "contributor", "source", "source_type",
                 "place", "place_made", "subject", "material", "technique", *DIMENSIONS, "rights",
                 "rights_holder", "master", "access", "identifier", "same_as", "language")
#: Columns whose every value must match a closed syntax (a key, a choice, a date, a number, an IRI, a path, a
#: language tag) that has no control character: a control character there is reported by that column's own
#: check, not a second time as C035.
_CLOSED_SYNTAX = frozenset(PLAIN_COLUMNS) - {"accession", "identifier", "creator", "contributor"}
_KNOWN = (*PLAIN_COLUMNS, *(f"{t}@en" for t in TEXT_COLUMNS), *(f"{t}@vi" for t in TEXT_COLUMNS))
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Header:
    """Where each known column is: plain columns by name, text columns by base name and language."""

    file: str
    line: int
    plain: Mapping[str, int]  # name -> 0-based position
    text: Mapping[str, tuple[tuple[str, int], ...]]  # base -> ((language, position), …)
    unnamed: tuple[int, ...] = ()  # positions of columns without a name


def read_header(table: RawTable | RowStream, problems: list[Problem]) -> Header:
    """Check the header of ``table``: unknown (C007) or duplicate (C008) columns, bad language tags (C015),
    missing required columns (C010).

    >>> from heritage_ld.catalogue.reader import RawTable
    >>> found = []
    >>> h = read_header(RawTable("items.csv", ("accesion", "kind", "title@en"), 1, ()), found)
    >>> [p.render() for p in found]  # doctest: +NORMALIZE_WHITESPACE
    ["items.csv:1:1: C007 unknown column 'accesion' (did you mean 'accession'? known columns are listed in
    docs/catalogue.md)", 'items.csv:1: C010 accession is required (fill in the cell)']
    """
    plain: dict[str, int] = {}
    text: dict[str, list[tuple[str, int]]] = {}
    seen: set[str] = set()
    unnamed: list[int] = []
    for pos, raw_name in enumerate(table.header):
        name = raw_name.strip()
        loc = Location(table.file, table.header_line, pos + 1, name)
        if not name:
            unnamed.append(pos)  # an error only if a row has something in it: see unnamed_columns_used
            continue
        if name in seen:
            problems.append(report("C008", loc, column=name))
            continue
        seen.add(name)
        base, at, lang = name.partition("@")
        if at and base in TEXT_COLUMNS:
            if not is_language_tag(lang):
                problems.append(report("C015", loc, field=name, value=lang))
                continue
            text.setdefault(base, []).append((lang, pos))
        elif not at and base in TEXT_COLUMNS:
            text.setdefault(base, []).append((NO_LANGUAGE, pos))
        elif not at and base in PLAIN_COLUMNS:
            plain[base] = pos
        else:
            close = difflib.get_close_matches(name, _KNOWN, n=1, cutoff=0.7)
            problems.append(report("C007", loc, column=name,
                                   suggestion=f"did you mean {close[0]!r}? " if close else ""))
    for required in ("accession", "kind"):
        if required not in plain:
            problems.append(report("C010", Location(table.file, table.header_line, None, required), field=required))
    if "title" not in text:
        problems.append(report("C010", Location(table.file, table.header_line, None, "title"),
                               field="a title@LANG column"))
    header = Header(table.file, table.header_line, plain, {k: tuple(v) for k, v in text.items()}, tuple(unnamed))
    if isinstance(table, RawTable):
        unnamed_columns_used(header, table.rows, problems)
    return header


def unnamed_column_used(header: Header, pos: int) -> Problem:
    """C007 at the column without a name at ``pos`` (a row holds something in it)."""
    return report("C007", Location(header.file, header.line, pos + 1, ""), column="",
                  suggestion="give the column a name; ")


def unnamed_columns_used(header: Header, rows: Iterable[RawRow], problems: list[Problem]) -> None:
    """C007 at each column without a name that holds something in one of ``rows``."""
    for pos in header.unnamed:
        if any(row.cells[pos] for row in rows if pos < len(row.cells)):
            problems.append(unnamed_column_used(header, pos))


def _split(value: str) -> list[str]:
    """``|``-separated values, each stripped, empty ones dropped."""
    return [v.strip() for v in value.split("|") if v.strip()]


class RowReader:
    """Turns raw rows into items, resolving keys against collection.toml and checking media paths."""

    def __init__(self, header: Header, head: CollectionHead, media: MediaChecker, problems: list[Problem]) -> None:
        self.header = header
        self.head = head
        self.media = media
        self.problems = problems
        self._errors = 0
        # Column names by position, and the positions _characters leaves to their column's own check.
        self._names = {pos: name for name, pos in header.plain.items()}
        self._names.update((pos, f"{base}@{lang}" if lang else base)
                           for base, columns in header.text.items() for lang, pos in columns)
        self._closed = frozenset(pos for name, pos in header.plain.items() if name in _CLOSED_SYNTAX)
        # Values parsed from a cell without a problem, by (column, cell): rows repeat dates, agents, places,
        # concepts and measurements, and sharing one (immutable) value between them keeps a catalogue of
        # 100,000 items about a third smaller in memory. A cell with a problem is parsed (and reported) each time.
        self._shared: dict[tuple[str, str], Any] = {}

    # -- cell access ------------------------------------------------------------------------------
    def _cell(self, row: RawRow, name: str) -> tuple[str, tuple[int, str]]:
        """A cell's value and where it is (made into a Location only when a problem is reported)."""
        pos = self.header.plain.get(name)
        return ("" if pos is None else row.cells[pos]), (row.line, name)

    def _memo(self, row: RawRow, name: str, parse: Callable[[RawRow, str], T]) -> T:
        """``parse(row, name)``, shared with earlier rows whose cell ``name`` held the same text."""
        key = (name, self._cell(row, name)[0])
        try:
            return cast("T", self._shared[key])
        except KeyError:
            pass
        before = len(self.problems)
        value = parse(row, name)
        if len(self.problems) == before:
            self._shared[key] = value
        return value

    def _add(self, code: str, at: Location | tuple[int, str], /, **params: Any) -> None:
        if isinstance(at, tuple):
            line, name = at
            pos = self.header.plain.get(name)
            at = Location(self.header.file, line, None if pos is None else pos + 1, name)
        problem = report(code, at, **params)
        self.problems.append(problem)
        if problem.is_error:
            self._errors += 1

    def _text(self, row: RawRow, base: str) -> MultilingualText:
        return MultilingualText.of({lang: row.cells[pos] for lang, pos in self.header.text.get(base, ())})

    def _ref(self, row: RawRow, name: str, found: Mapping[str, T], what: str, where: str) -> list[T]:
        value, loc = self._cell(row, name)
        out = []
        for key in _split(value):
            if key in found:
                out.append(found[key])
            else:
                self._add("C013", loc, what=what, value=key, field=name, where=where)
        return out

    def _one_ref(self, row: RawRow, name: str, found: Mapping[str, T], what: str, where: str) -> T | None:
        value, loc = self._cell(row, name)
        if not value:
            return None
        if value in found:
            return found[value]
        self._add("C013", loc, what=what, value=value, field=name, where=where)
        return None

    # -- fields -----------------------------------------------------------------------------------
    def _characters(self, row: RawRow) -> None:
        """C035 for every cell holding a character XML cannot carry (NUL, other C0 controls …)."""
        for pos, cell in enumerate(row.cells):
            bad = None if pos in self._closed else refused_text_character(cell)
            if bad is not None:
                name = self._names.get(pos, f"column {pos + 1}")
                self._add("C035", Location(self.header.file, row.line, pos + 1, name), field=name,
                          char=character_name(bad[1]), position=bad[0])

    def _identifier(self, value: str, loc: tuple[int, str]) -> bool:
        """Whether ``value`` may be an identifier (it becomes file names and URLs); C033 or C034 if not."""
        if refused_text_character(value) is not None:
            return False  # reported once, as C035, by _characters
        bad = refused_identifier_character(value)
        if bad is not None:
            self._add("C033", loc, field=loc[1], value=value, char=character_name(bad[1]), position=bad[0])
            return False
        too_long = identifier_length(value)
        if too_long is not None:
            self._add("C034", loc, field=loc[1], length=too_long.length, encoded=too_long.encoded,
                      limit=MAX_IDENTIFIER_LENGTH, encoded_limit=MAX_ENCODED_LENGTH)
            return False
        return True

    def _accession(self, row: RawRow) -> str:
        value, loc = self._cell(row, "accession")
        if not value:
            if "accession" in self.header.plain:
                self._add("C010", loc, field="accession")
        elif value in (".", ".."):
            self._add("C022", loc, field="accession", value=value, reason="it cannot be '.' or '..'")
        else:
            self._identifier(value, loc)
        return value

    def _identifiers(self, row: RawRow) -> tuple[str, ...]:
        value, loc = self._cell(row, "identifier")
        return tuple(v for v in _split(value) if self._identifier(v, loc))

    def _kind(self, row: RawRow) -> ItemKind:
        value, loc = self._cell(row, "kind")
        if not value:
            if "kind" in self.header.plain:
                self._add("C010", loc, field="kind")
            return ItemKind.OTHER
        try:
            return ItemKind(value.lower())
        except ValueError:
            self._add("C016", loc, value=value, choices=", ".join(k.value for k in ItemKind))
            return ItemKind.OTHER

    def _date(self, row: RawRow) -> EDTFDate | None:
        value, loc = self._cell(row, "date")
        if not value:
            return None
        try:
            return parse_edtf(value)
        except EDTFError as exc:
            self._add("C012", loc, field="date", value=value, reason=str(exc))
            return None

    def _attributions(self, row: RawRow, name: str) -> tuple[Attribution, ...]:
        value, loc = self._cell(row, name)
        out = []
        for entry in _split(value):
            key, _, role = entry.partition(":")
            agent = self.head.agents.get(key.strip())
            if agent is None:
                self._add("C013", loc, what="agent", value=key.strip(), field=name, where=" under [agents.KEY]")
            else:
                out.append(Attribution(agent, role.strip() or None))
        return tuple(out)

    def _source_type(self, row: RawRow) -> SourceType | None:
        value, loc = self._cell(row, "source_type")
        if not value:
            return None
        try:
            return SourceType(value.lower())
        except ValueError:
            self._add("C023", loc, field="source_type", value=value, choices=", ".join(s.value for s in SourceType))
            return None

    def _dimensions(self, row: RawRow) -> tuple[Dimension, ...]:
        out = []
        for name, (kind, unit) in DIMENSIONS.items():
            value, loc = self._cell(row, name)
            if not value:
                continue
            known = self._shared.get((name, value))
            if known is not None:
                out.append(known)
                continue
            try:
                number = Decimal(value)
            except InvalidOperation:
                self._add("C021", loc, field=name, value=value)
                continue
            if not number.is_finite():
                self._add("C021", loc, field=name, value=value)
            elif number <= 0:
                self._add("C022", loc, field=name, value=value, reason="a measurement must be greater than zero")
            else:
                out.append(self._shared.setdefault((name, value), Dimension(kind, number, unit)))
        return tuple(out)

    def _rights(self, row: RawRow) -> str | None:
        value, loc = self._cell(row, "rights")
        if not value:
            return self.head.collection.rights
        if not is_rights_iri(value):
            self._add("C020", loc, value=value)
            return None
        return value

    def _iris(self, row: RawRow, name: str) -> tuple[str, ...]:
        """Authority IRIs: absolute (C014), and web IRIs, URNs or ``info:`` URIs (C037)."""
        value, loc = self._cell(row, name)
        out = []
        for iri in _split(value):
            reason = is_absolute_iri(iri)
            scheme = iri_scheme(iri)
            if reason:
                self._add("C014", loc, field=name, value=iri, reason=reason)
            elif scheme not in IDENTIFIER_SCHEMES:
                self._add("C037", loc, field=name, value=iri, scheme=scheme,
                          allowed=" or ".join(f"{s}:" for s in IDENTIFIER_SCHEMES))
            else:
                out.append(iri)
        return tuple(out)

    def _languages(self, row: RawRow) -> tuple[str, ...]:
        value, loc = self._cell(row, "language")
        out = []
        for tag in _split(value):
            if is_language_tag(tag):
                out.append(tag)
            else:
                self._add("C015", loc, field="language", value=tag)
        return tuple(out)

    def _paths(self, row: RawRow, name: str) -> list[PurePosixPath | None]:
        value, loc = self._cell(row, name)
        out: list[PurePosixPath | None] = []
        for path in _split(value):
            result = self.media.check(path)
            if result.code is None:
                out.append(result.path)
                continue
            out.append(None)
            params = {"value": path}
            if result.code in ("C018", "C019"):
                params["reason"] = result.reason
            self._add(result.code, loc, **params)
        return out

    def _media(self, row: RawRow, accession: str) -> tuple[MediaFile, ...]:
        masters = self._paths(row, "master")
        access = self._paths(row, "access")
        if access and len(access) != len(masters):
            _, loc = self._cell(row, "access")
            self._add("C029", loc, found=len(access), expected=len(masters))
            return ()
        if not masters:
            _, loc = self._cell(row, "master")
            self._add("C024", loc, value=accession)
        out: list[MediaFile] = []
        for i, master in enumerate(masters):
            if master is None:
                continue
            out.append(MediaFile(master, MediaRole.MASTER))
            copy = access[i] if access else None
            if copy is not None:
                out.append(MediaFile(copy, MediaRole.ACCESS, derived_from=master))
        return tuple(out)

    # -- the row ----------------------------------------------------------------------------------
    def read(self, row: RawRow) -> Item | None:
        """The item of one row, or ``None`` when the row has an error (reported)."""
        before = self._errors
        head = self.head
        self._characters(row)
        accession = self._accession(row)
        kind = self._kind(row)
        title = self._text(row, "title")
        if not title and "title" in self.header.text:
            pos = self.header.text["title"][0][1]
            self._add("C010", Location(self.header.file, row.line, pos + 1, "title"), field="title")
        section = self._one_ref(row, "section", head.sections, "section", " under [[sections]]")
        agent_where, place_where = " under [agents.KEY]", " under [places.KEY]"
        places: tuple[Place, ...] = self._memo(
            row, "place", lambda r, n: tuple(self._ref(r, n, head.places, "place", place_where)))
        concepts: dict[str, tuple[Concept, ...]] = {}
        for table, column in (("subjects", "subject"), ("materials", "material"), ("techniques", "technique")):
            found = head.concepts.get(table, {})
            concepts[column] = self._memo(
                row, column, lambda r, n, found=found, table=table: tuple(  # type: ignore[misc]
                    self._ref(r, n, found, n, f" under [{table}.KEY]")))
        source: Agent | None = self._one_ref(row, "source", head.agents, "agent", agent_where)
        item = Item(
            accession=accession,
            kind=kind,
            title=title,
            section=section.key if section is not None else None,
            alternative_title=self._text(row, "alternative"),
            description=self._text(row, "description"),
            date=self._memo(row, "date", lambda r, _: self._date(r)),
            creators=self._memo(row, "creator", self._attributions),
            contributors=self._memo(row, "contributor", self._attributions),
            source=source,
            source_type=self._source_type(row),
            provenance=self._text(row, "provenance"),
            places=places,
            place_made=self._one_ref(row, "place_made", head.places, "place", place_where),
            subjects=concepts["subject"],
            materials=concepts["material"],
            techniques=concepts["technique"],
            dimensions=self._dimensions(row),
            rights=self._memo(row, "rights", lambda r, _: self._rights(r)),
            rights_holder=self._one_ref(row, "rights_holder", head.agents, "agent", agent_where),
            credit_line=self._text(row, "credit") or head.collection.credit_line,
            media=self._media(row, accession),
            identifiers=self._identifiers(row),
            same_as=self._iris(row, "same_as"),
            languages=self._languages(row),
        )
        return item if self._errors == before else None
