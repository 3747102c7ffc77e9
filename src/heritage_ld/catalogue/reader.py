"""Reading the catalogue's files into raw text and raw rows, each value with the place it came from.

Nothing here interprets values: :mod:`heritage_ld.catalogue.rows` does. Files are UTF-8 with or without a
byte-order mark; all text is normalised to Unicode NFC before it is parsed (so keys and cells typed on
different systems compare equal). Every problem is appended to the ``problems`` list given, located.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from heritage_ld.model import normalize_text
from heritage_ld.problems import Location, Problem, report

__all__ = ["RawRow", "RawTable", "RowStream", "open_regular", "read_csv", "read_text", "read_xlsx", "stream_csv"]


@dataclass(frozen=True, slots=True)
class RawRow:
    """One record: the 1-based line (sheet row) it starts on and its cells, in header order, stripped."""

    line: int
    cells: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RawTable:
    """A header and the records under it, as read from ``file`` (``items.csv`` or ``items.xlsx``)."""

    file: str
    header: tuple[str, ...]
    header_line: int
    rows: tuple[RawRow, ...]


def _kind(mode: int) -> str:
    for test, kind in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return kind
    return "not a regular file"


def open_regular(path: Path, name: str, problems: list[Problem]) -> io.BufferedReader | None:
    """``path`` opened for reading when it is a regular file (links followed), else ``None`` after reporting
    C110 (a FIFO, a device such as a link to ``/dev/zero``, a folder …) or C001.

    The file is opened without blocking, so a FIFO with no writer is refused at once instead of hanging, and
    it is checked once opened (``fstat``), so it cannot be swapped between the check and the read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        problems.append(report("C001", Location(name), what=name, reason=exc.strerror or str(exc)))
        return None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        problems.append(report("C110", Location(name), what=name, kind=_kind(mode)))
        return None
    return os.fdopen(fd, "rb")


def read_text(path: Path, name: str, problems: list[Problem]) -> str | None:
    """The text of a UTF-8 file (BOM removed, NFC), or ``None`` after reporting C001 or C002.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = p.write_bytes(b"\\xef\\xbb\\xbfa\\nb\\xff")
    >>> found = []
    >>> read_text(p, "x.csv", found), found[0].render(hints=False)
    (None, 'x.csv:2: C002 x.csv is not valid UTF-8 (byte 0xFF at offset 6)')
    """
    f = open_regular(path, name, problems)
    if f is None:
        return None
    try:
        with f:
            data = f.read()
    except OSError as exc:
        problems.append(report("C001", Location(name), what=name, reason=exc.strerror or str(exc)))
        return None
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0  # UTF-8 byte-order mark (Unicode §23.8)
    try:
        text = data[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = bom + exc.start
        line = data.count(b"\n", 0, offset) + 1
        problems.append(report("C002", Location(name, line), what=name, byte=f"{data[offset]:02X}", offset=offset))
        return None
    return normalize_text(text)


class RowStream:
    """A table's header and its records, read one at a time: a catalogue of 100,000 rows is never held as rows
    (each row's cells are freed once its item is made, which keeps the item objects packed in memory).

    Iterate it once. Reading stops at the first record the CSV parser cannot read, after reporting it (C003,
    or C036 for a cell over the size limit): :attr:`failed` then says so.
    """

    __slots__ = ("_rows", "failed", "file", "header", "header_line")

    def __init__(self, file: str, header: tuple[str, ...], header_line: int, rows: Iterator[RawRow]) -> None:
        self.file, self.header, self.header_line = file, header, header_line
        self._rows = rows
        self.failed = False

    def __iter__(self) -> Iterator[RawRow]:
        return self._rows

    @classmethod
    def of(cls, table: RawTable) -> RowStream:
        return cls(table.file, table.header, table.header_line, iter(table.rows))


def stream_csv(text: str, name: str, problems: list[Problem]) -> RowStream | None:
    """Split CSV text (RFC 4180 with any line ending) into a header and a stream of records with their lines.

    A record's line is the physical line it starts on, even after quoted cells spanning several lines.
    Blank lines are skipped; a record with too few cells is padded with empty cells and one with too many is
    cut, after reporting C006. ``None`` (after reporting) when there is no header line or it cannot be read.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    consumed = 0  # physical lines read so far (csv.reader.line_num)

    def unreadable(exc: csv.Error) -> None:
        if str(exc).startswith("field larger than field limit"):  # the only way csv says a cell is too big
            problems.append(report("C036", Location(name, consumed + 1), limit=csv.field_size_limit()))
        else:
            problems.append(report("C003", Location(name, consumed + 1), reason=str(exc)))

    header: tuple[str, ...] | None = None
    header_line = 1
    try:
        for record in reader:
            start, consumed = consumed + 1, reader.line_num
            if record:  # a line of empty cells is a header (of unnamed columns); a blank line is not
                header, header_line = tuple(c.strip() for c in record), start
                break
    except csv.Error as exc:
        unreadable(exc)
        return None
    if header is None:
        problems.append(report("C010", Location(name, 1), field="the header line"))
        return None
    width = len(header)

    def records() -> Iterator[RawRow]:
        nonlocal consumed
        try:
            for record in reader:
                start, consumed = consumed + 1, reader.line_num
                if not record or all(not c.strip() for c in record):
                    continue
                cells = tuple(c.strip() for c in record)
                if len(cells) != width:
                    extra = len(cells) > width
                    column = width + 1 if extra else len(cells) + 1
                    problems.append(report("C006", Location(name, start, column), found=len(cells), expected=width))
                    cells = cells[:width] if extra else cells + ("",) * (width - len(cells))
                yield RawRow(start, cells)
        except csv.Error as exc:
            unreadable(exc)
            stream.failed = True

    stream = RowStream(name, header, header_line, records())
    return stream


def read_csv(text: str, name: str, problems: list[Problem]) -> RawTable | None:
    """The whole table at once (:func:`stream_csv`'s records, held): ``None`` when a record cannot be read.

    >>> t = read_csv('accession,title@en\\nA1,"two\\nlines"\\nA2,x\\n', "items.csv", [])
    >>> t.header, [(r.line, r.cells) for r in t.rows]
    (('accession', 'title@en'), [(2, ('A1', 'two\\nlines')), (4, ('A2', 'x'))])
    """
    stream = stream_csv(text, name, problems)
    if stream is None:
        return None
    rows = tuple(stream)
    return None if stream.failed else RawTable(name, stream.header, stream.header_line, rows)


def _cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a curator sees (numbers without a spurious ``.0``, dates as ISO 8601)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(Decimal(repr(value)))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return normalize_text(str(value)).strip()


def _merged_ranges(sheet: Any) -> list[str]:
    """The merged cell ranges (``C2:C4``) of a read-only openpyxl sheet.

    Read-only mode streams the sheet and keeps no merged cells (openpyxl 3.1), so the ``<mergeCell>``
    elements are read from the sheet's XML (ECMA-376 Part 1 §18.3.1.55), streamed, rows freed as they pass.
    """
    from lxml import etree

    refs: list[str] = []
    with sheet._get_source() as source:  # openpyxl's own handle on the sheet XML in the workbook archive
        for _, element in etree.iterparse(source, tag=("{*}mergeCell", "{*}row"), resolve_entities=False,
                                          no_network=True):
            if etree.QName(element).localname == "mergeCell":
                refs.append(element.get("ref", ""))
            element.clear(keep_tail=True)
    return refs


#: The most one member of a workbook may unpack to, and the packing ratio above which a member over
#: :data:`XLSX_RATIO_FROM` bytes is taken for a zip bomb (real sheets pack 5 to 30 times, a bomb a thousand).
XLSX_MAX_MEMBER = 1 << 30
XLSX_MAX_RATIO = 200
XLSX_RATIO_FROM = 16 << 20


def _zip_bomb(f: io.BufferedReader, name: str, problems: list[Problem]) -> bool:
    """Report C111 and return True when a member of the workbook would unpack to too much: openpyxl holds a
    sheet's text in memory, so a 1 MB file of 1 GB of spaces would take a gigabyte. The sizes come from the
    zip's central directory, which :mod:`zipfile` then enforces (it never yields more than a member declares)."""
    import zipfile

    try:
        members = zipfile.ZipFile(f).infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False  # not a zip: openpyxl says why (C001)
    finally:
        f.seek(0)
    for m in members:
        ratio = m.file_size / max(m.compress_size, 1)
        if m.file_size > XLSX_MAX_MEMBER or (m.file_size > XLSX_RATIO_FROM and ratio > XLSX_MAX_RATIO):
            problems.append(report("C111", Location(name), what=name, member=m.filename, size=m.file_size,
                                   ratio=int(ratio), limit=f"{XLSX_MAX_MEMBER} bytes or {XLSX_MAX_RATIO}×"))
            return True
    return False


def _formulas_without_value(f: io.BufferedReader, name: str, values: list[tuple[Any, ...]]) -> list[Problem]:
    """C112 for every formula cell of the first sheet that has no saved value (a workbook written by a program
    that does not compute formulas): read with ``data_only`` it is empty, so its value would be lost silently.
    The sheet is read a second time, with formulas, streamed."""
    import openpyxl
    from openpyxl.utils.cell import get_column_letter

    f.seek(0)
    book = openpyxl.load_workbook(f, read_only=True, data_only=False)
    try:
        found = []
        for number, row in enumerate(book.worksheets[0].iter_rows(values_only=True), start=1):
            for column, formula in enumerate(row, start=1):
                if not (isinstance(formula, str) and formula.startswith("=")):
                    continue
                line = values[number - 1] if number <= len(values) else ()
                if (line[column - 1] if column <= len(line) else None) is None:
                    cell = f"{get_column_letter(column)}{number}"
                    found.append(report("C112", Location(name, number, column), cell=cell, formula=formula[:80]))
        return found
    finally:
        book.close()


def _has_data(sheet: Any) -> bool:
    """Whether a sheet has any non-empty cell (streamed: stops at the first one)."""
    return any(v is not None and str(v).strip() for row in sheet.iter_rows(values_only=True) for v in row)


def _merge_problems(refs: list[str], name: str, header: tuple[str, ...]) -> list[Problem]:
    """C038 at the first cell of every merged range: its other cells would be read as empty."""
    from openpyxl.utils.cell import get_column_letter, range_boundaries

    found = []
    for ref in refs:
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
        except (ValueError, TypeError):  # not a range: nothing merged that could be lost
            continue
        if min_col is None or min_row is None or (min_col, min_row) == (max_col, max_row):
            continue
        field = header[min_col - 1] if min_col <= len(header) else None
        first = f"{get_column_letter(min_col)}{min_row}"
        found.append(report("C038", Location(name, min_row, min_col, field), cells=ref, first=first))
    return sorted(found, key=lambda p: (p.location.line or 0, p.location.column or 0))


def read_xlsx(path: Path, name: str, problems: list[Problem]) -> RawTable | None:
    """The first sheet of an ``.xlsx`` workbook as a :class:`RawTable` (line = sheet row number).

    Reports C009 when openpyxl (the ``xlsx`` extra) is not installed, C001 when the workbook cannot be read,
    C038 for every range of merged cells (only their first cell has a value: the others would be lost), and
    the warning C039 when other sheets hold data (they are not read).
    """
    try:
        import openpyxl
    except ImportError:
        problems.append(report("C009", Location(name)))
        return None
    f = open_regular(path, name, problems)
    if f is None:
        return None
    try:
        with f:
            if _zip_bomb(f, name, problems):
                return None
            book = openpyxl.load_workbook(f, read_only=True, data_only=True)
            try:
                sheet = book.worksheets[0]
                values: list[tuple[Any, ...]] = list(sheet.iter_rows(values_only=True))
                merged = _merged_ranges(sheet)
                first, ignored = sheet.title, [other.title for other in book.worksheets[1:] if _has_data(other)]
            finally:
                book.close()
            problems.extend(_formulas_without_value(f, name, values))
    # openpyxl raises many unrelated types (zipfile.BadZipFile, KeyError, XML errors …) for a damaged file;
    # whatever it is, the workbook is unreadable and the curator must be told, not shown a traceback.
    except Exception as exc:
        problems.append(report("C001", Location(name), what=name, reason=f"{type(exc).__name__}: {exc}"))
        return None
    header: tuple[str, ...] | None = None
    header_line = 1
    rows: list[RawRow] = []
    for number, raw in enumerate(values, start=1):
        cells = tuple(_cell_text(v) for v in raw)
        if not any(cells):
            continue
        if header is None:
            while cells and not cells[-1]:
                cells = cells[:-1]
            header, header_line = cells, number
            continue
        if len(cells) > len(header):
            if any(cells[len(header):]):
                problems.append(
                    report("C006", Location(name, number, len(header) + 1), found=len(cells), expected=len(header))
                )
            cells = cells[: len(header)]
        rows.append(RawRow(number, cells + ("",) * (len(header) - len(cells))))
    problems.extend(_merge_problems(merged, name, header or ()))
    if ignored:
        problems.append(report("C039", Location(name), first=first,
                               sheets=", ".join(repr(t) for t in ignored)))
    if header is None:
        problems.append(report("C010", Location(name, 1), field="the header row"))
        return None
    return RawTable(name, header, header_line, tuple(rows))
