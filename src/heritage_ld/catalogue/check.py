"""Checking a whole catalogue folder: every problem at once, then a :class:`~heritage_ld.model.Collection`.

Parse leniently, validate everything, report all problems together (as pypa/packaging does for metadata):
a curator fixes a catalogue in one pass rather than one error per run.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from heritage_ld.catalogue.aggregators import aggregator_problems
from heritage_ld.catalogue.collection_toml import NAME as TOML_NAME
from heritage_ld.catalogue.collection_toml import read_collection_toml
from heritage_ld.catalogue.locate import KeyLocator
from heritage_ld.catalogue.media import MediaChecker
from heritage_ld.catalogue.media_content import check_media_content
from heritage_ld.catalogue.reader import RawRow, RowStream, read_text, read_xlsx, stream_csv
from heritage_ld.catalogue.rows import Header, RowReader, read_header, unnamed_column_used
from heritage_ld.catalogue.validate import remember_checked
from heritage_ld.decoding import DEFAULT_MAX_PIXELS
from heritage_ld.errors import CatalogueError
from heritage_ld.model import Collection, Item, ItemSequence, MediaRole
from heritage_ld.problems import Location, Problem, Severity, report

__all__ = ["CATALOGUE_FILES", "CheckResult", "check_catalogue", "read_catalogue"]

#: The files of a catalogue folder that are the catalogue itself (every other file is a media file or ignored):
#: all a machine reading a catalogue from object storage brings down (docs/object-storage.md).
CATALOGUE_FILES = (TOML_NAME, "items.csv", "items.xlsx")


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of :func:`check_catalogue`: every problem, and the collection when there is no error."""

    collection: Collection | None
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.WARNING)

    @property
    def ok(self) -> bool:
        """True when the catalogue can be built (warnings allowed)."""
        return not self.errors


def _order(problem: Problem) -> tuple[str, int, int, str]:
    loc = problem.location
    return (loc.file, loc.line or 0, loc.column or 0, problem.code)


def _read_items(root: Path, problems: list[Problem]) -> RowStream | None:
    csv_path, xlsx_path = root / "items.csv", root / "items.xlsx"
    if os.path.lexists(csv_path):  # items.csv wins when both exist (documented in docs/catalogue.md)
        if os.path.lexists(xlsx_path):
            problems.append(report("C032", Location("items.xlsx")))
        text = read_text(csv_path, "items.csv", problems)
        return stream_csv(text, "items.csv", problems) if text is not None else None
    if os.path.lexists(xlsx_path):
        table = read_xlsx(xlsx_path, "items.xlsx", problems)
        return RowStream.of(table) if table is not None else None
    problems.append(report("C005", Location("items.csv"), what="items.csv (or items.xlsx)"))
    return None


class _Rows:
    """What the check keeps of the rows while they stream past: which unnamed columns hold something (C007 once
    each) and the line each accession was first used on (C011 at every repeat)."""

    def __init__(self, file: str, header: Header, problems: list[Problem]) -> None:
        self.file, self.header, self.problems = file, header, problems
        self.accession = header.plain.get("accession")
        self.unnamed = set(header.unnamed)
        self.first: dict[str, int] = {}

    def see(self, row: RawRow) -> None:
        for pos in tuple(self.unnamed):
            if pos < len(row.cells) and row.cells[pos]:
                self.unnamed.discard(pos)
                self.problems.append(unnamed_column_used(self.header, pos))
        if self.accession is None:
            return
        accession = row.cells[self.accession]
        if not accession:
            return
        if accession in self.first:
            self.problems.append(report("C011", Location(self.file, row.line, self.accession + 1, "accession"),
                                        value=accession, first_line=self.first[accession]))
        else:
            self.first[accession] = row.line


def _locator(file: str, header: Header, line: int) -> Callable[[MediaRole], Location]:
    """Where a row names a media file of a role: its ``master`` or ``access`` cell."""

    def locate(role: MediaRole) -> Location:
        name = "access" if role is MediaRole.ACCESS else "master"
        pos = header.plain.get(name)
        return Location(file, line, None if pos is None else pos + 1, name)

    return locate


def check_catalogue(path: str | os.PathLike[str], *, max_pixels: int = DEFAULT_MAX_PIXELS,
                    outputs: Iterable[str] = (), trusted: Callable[[PurePosixPath], bool] | None = None) -> CheckResult:
    """Check the catalogue folder ``path`` and return every problem, with the collection when it has no error.

    Besides the text of the catalogue, every media file a build decodes is opened and decoded (images within
    ``max_pixels`` pixels, every page of PDFs: :mod:`heritage_ld.catalogue.media_content`), so that a catalogue
    without errors builds. ``outputs`` (``oai``, ``edm``) adds the warnings of what those outputs need
    (:mod:`heritage_ld.catalogue.aggregators`); ``edm`` is checked anyway when the catalogue names a provider.

    >>> result = check_catalogue("no/such/folder")
    >>> result.collection, [p.render(hints=False) for p in result.errors]
    (None, ['no/such/folder: C001 cannot read the catalogue folder: it does not exist or is not a folder'])
    """
    root = Path(path)
    problems: list[Problem] = []
    if not root.is_dir():
        problems.append(report("C001", Location(str(path)), what="the catalogue folder",
                               reason="it does not exist or is not a folder"))
        return CheckResult(None, tuple(problems))
    head = None
    toml_line = 1
    item_lines: dict[str, int] = {}
    media = MediaChecker(root)
    toml_path = root / TOML_NAME
    if not os.path.lexists(toml_path):
        problems.append(report("C005", Location(TOML_NAME), what=TOML_NAME))
    else:
        text = read_text(toml_path, TOML_NAME, problems)
        head = read_collection_toml(text, problems, media=media) if text is not None else None
        toml_line = (KeyLocator(text).line_of(("collection",)) or 1) if text is not None else 1
    table = _read_items(root, problems)
    items = ItemSequence()
    if table is not None:
        header = read_header(table, problems)
        reader = RowReader(header, head, media, problems) if head is not None else None
        rows = _Rows(table.file, header, problems)
        lines: list[int] = []

        def made() -> Iterator[Item]:
            for row in table:  # one row at a time: its cells are freed as soon as its item is made
                rows.see(row)
                if reader is not None and (item := reader.read(row)) is not None:
                    lines.append(row.line)
                    yield item

        # Each item is encoded as it is made (held compactly, about a third of the memory of the objects: decoded
        # when a step uses it), so the whole catalogue is never held as objects, not even while it is read.
        read = ItemSequence(made())
        if reader is not None and not table.failed:
            items = read
            item_lines = {item.accession: line for item, line in zip(items, lines, strict=True)}
            check_media_content(((item, _locator(table.file, header, line)) for item, line in zip(items, lines, strict=True)),
                                root, problems, max_pixels=max_pixels, trusted=trusted)
        del read, lines
    if head is None or any(p.is_error for p in problems):
        problems.sort(key=_order)
        return CheckResult(None, tuple(problems))
    collection = dataclasses.replace(head.collection, items=items, root=root.resolve())
    wanted = {*outputs, *(("edm",) if collection.provider is not None else ())}
    problems += aggregator_problems(collection, sorted(wanted), toml_line=toml_line, items_file=table.file if table else "items.csv",
                                    item_lines=item_lines)
    problems.sort(key=_order)
    remember_checked(collection)  # every emitter asks for a valid model: this one was just checked whole
    return CheckResult(collection, tuple(problems))


def read_catalogue(path: str | os.PathLike[str], *, max_pixels: int = DEFAULT_MAX_PIXELS,
                   trusted: Callable[[PurePosixPath], bool] | None = None) -> Collection:
    """Read the catalogue folder ``path`` into a :class:`~heritage_ld.model.Collection`, checked as
    :func:`check_catalogue` checks it (``max_pixels``: the largest image accepted; ``trusted``: media files
    that need not be decoded again, see :func:`~heritage_ld.catalogue.media_content.check_media_content`).

    Raises :class:`~heritage_ld.errors.CatalogueError` carrying every problem when there is an error;
    warnings alone do not raise.

    >>> read_catalogue("examples/hanoi-1972").title["en"]   # doctest: +SKIP
    'Hanoi 1972 – Aspiration for Peace'
    """
    result = check_catalogue(path, max_pixels=max_pixels, trusted=trusted)
    if result.collection is None:
        raise CatalogueError(result.problems)
    return result.collection
