"""The build ledger: what each build wrote and why, so the next build redoes only what changed.

One SQLite file in the output folder (``OUT/ledger.sqlite3``, standard library, transactional, inspectable with
any SQLite tool) holds:

- ``items``: per accession, the digest of everything its outputs depend on, when it was first built, when its
  metadata last changed and when it was withdrawn (left the catalogue);
- ``outputs``: per build step and accession, the digest the step built from and the files it wrote (with their
  SHA-256, for ``build --verify``), plus small per-step data (image sizes, thumbnails …);
- ``media``: fingerprints of the catalogue's media files (size and modification time) with their content digest,
  so a file is hashed again only when its size or time changed;
- ``events``: a numbered history of creates, updates and deletes (items, IIIF manifests, the IIIF collection),
  which the OAI-PMH provider and the IIIF Change Discovery stream are made from;
- ``pushes``: what ``publish`` last sent to each Graph Store endpoint.

The pipeline records an item only once its outputs are in place, in one transaction per batch, so a build
killed at any moment leaves a ledger that a rerun can trust: at worst it redoes the batch that was in flight.
Everything dated by history (datestamps, deleted records, the change stream) is read from here, never from
file times. The emitters know nothing of it.

>>> import tempfile
>>> from pathlib import Path
>>> out = Path(tempfile.mkdtemp())
>>> with Ledger.open(out) as ledger:
...     ledger.note_item("HN.1", "d1", ("peace",), now=100)
...     ledger.note_item("HN.1", "d1", ("peace",), now=200)
...     ledger.note_item("HN.1", "d2", ("peace",), now=300)
...     [(e.kind, e.target, e.time) for e in ledger.events()]
'created'
'unchanged'
'updated'
[('create', 'HN.1', 100), ('update', 'HN.1', 300)]
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "LEDGER_FILE",
    "Event",
    "ItemRecord",
    "Ledger",
    "LedgerError",
    "OutputRecord",
    "digest_of",
    "ledger_path",
]

log = logging.getLogger(__name__)

#: The ledger's file name in the output folder (never served: ``serve`` publishes only site/, rdf/, iiif/, bags/).
LEDGER_FILE = "ledger.sqlite3"

#: Bumped when the tables change; an older or newer ledger means a full build (with a warning).
SCHEMA = 1

_TABLES = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items(
    accession TEXT PRIMARY KEY,
    digest TEXT NOT NULL,
    sets TEXT NOT NULL DEFAULT '',
    first_built INTEGER NOT NULL,
    changed INTEGER NOT NULL,
    withdrawn INTEGER
);
CREATE TABLE IF NOT EXISTS outputs(
    step TEXT NOT NULL,
    accession TEXT NOT NULL,
    digest TEXT NOT NULL,
    files TEXT NOT NULL,
    data TEXT NOT NULL DEFAULT '{}',
    built INTEGER NOT NULL,
    PRIMARY KEY(step, accession)
);
CREATE TABLE IF NOT EXISTS media(
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS events(
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    time INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('create', 'update', 'delete')),
    type TEXT NOT NULL,
    target TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_type ON events(type, seq);
CREATE TABLE IF NOT EXISTS pushes(
    endpoint TEXT NOT NULL,
    graph TEXT NOT NULL,
    digest TEXT NOT NULL,
    time INTEGER NOT NULL,
    PRIMARY KEY(endpoint, graph)
);
"""


class LedgerError(OSError):
    """The ledger cannot be read or written: a full disk (``errno`` ENOSPC, :attr:`filename` the ledger), a
    locked database, an I/O error. (A damaged ledger or one of another schema is set aside, not an error.)"""


def _failure(exc: sqlite3.Error, path: Path, doing: str) -> LedgerError:
    if "full" in str(exc):  # SQLITE_FULL: "database or disk is full"
        return LedgerError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
    return LedgerError(f"cannot {doing} the build ledger {path}: {exc}")


class _Unusable(Exception):
    """An existing ledger of another schema."""


_SIDE_FILES = ("", "-journal", "-wal", "-shm")


def _refuse_links(path: Path) -> None:
    """Raise :class:`LedgerError` when the ledger or one of SQLite's side files is a symbolic link, a folder or a
    special file: SQLite would follow a link and write wherever it points, outside ``OUT``. Such a thing was
    not made by heritage-ld, so it is neither used nor moved: the user decides."""
    import stat

    for suffix in _SIDE_FILES:
        side = path.with_name(path.name + suffix)
        try:
            mode = os.lstat(side).st_mode
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise LedgerError(f"cannot open the build ledger {side}: {exc.strerror or exc}") from None
        if not stat.S_ISREG(mode):
            kind = ("a symbolic link" if stat.S_ISLNK(mode) else "a folder" if stat.S_ISDIR(mode)
                    else "a special file")
            raise LedgerError(f"the build ledger {side} is {kind}, not a regular file; heritage-ld never writes "
                              f"through it (it could lead outside the output folder): move it away, then build "
                              f"again (or build with --no-ledger)")


def ledger_path(out: Path) -> Path:
    """Where the ledger of the output folder ``out`` lives."""
    return Path(out) / LEDGER_FILE


def digest_of(*parts: Any) -> str:
    """A short, stable digest (SHA-256, hex) of values whose ``repr`` is deterministic (frozen dataclasses,
    tuples, strings, numbers, enums, paths).

    >>> digest_of("a", 1) == digest_of("a", 1) != digest_of("a", 2)
    True
    """
    h = hashlib.sha256()
    for part in parts:
        h.update(repr(part).encode("utf-8", "surrogatepass"))
        h.update(b"\x1f")
    return h.hexdigest()


@dataclass(frozen=True, slots=True)
class ItemRecord:
    """One item as the ledger knows it; times are Unix seconds, ``withdrawn`` is ``None`` while it is published."""

    accession: str
    digest: str
    sets: tuple[str, ...]
    first_built: int
    changed: int
    withdrawn: int | None


@dataclass(frozen=True, slots=True)
class OutputRecord:
    """What one step wrote for one accession: the digest it built from, its files (path -> SHA-256 or ``""``)
    and the step's own small data."""

    step: str
    accession: str
    digest: str
    files: Mapping[str, str]
    data: Mapping[str, Any]
    built: int


@dataclass(frozen=True, slots=True)
class Event:
    """One change in the history: ``kind`` is ``create``, ``update`` or ``delete``; ``type`` says of what
    (``item``, ``manifest``, ``collection``), ``target`` which one (an accession or the collection key)."""

    seq: int
    time: int
    kind: str
    type: str
    target: str


class Ledger:
    """An open build ledger. Use :meth:`open` (read-write) or :meth:`read_only`; close it, or use ``with``.

    Writes are grouped in transactions with :meth:`transaction` (or committed one call at a time).
    """

    def __init__(self, connection: sqlite3.Connection, path: Path, *, fresh: bool, reason: str | None) -> None:
        self._db = connection
        self.path = path
        #: True when this build starts from an empty ledger (first build, or the old one was unusable).
        self.fresh = fresh
        #: Why an existing ledger was set aside (``None`` when it was fine or there was none).
        self.reset_reason = reason
        self.read_only_mode = False

    # -- opening ----------------------------------------------------------------------------------
    @classmethod
    def open(cls, out: Path) -> Ledger:
        """Open (creating if needed) the ledger of ``out`` for a build.

        A ledger that cannot be read (damaged, another schema) is moved aside to ``ledger.sqlite3.broken``
        and a new one started: the caller then does a full build and should warn (see :attr:`reset_reason`).

        Raises:
            LedgerError: the ledger cannot be opened (a full disk, an I/O error), or it or a side file of SQLite
                is a symbolic link, a folder or a special file (never followed: it could lead outside ``out``).
        """
        path = ledger_path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        _refuse_links(path)
        existed = path.exists()
        reason: str | None = None
        if existed:
            db: sqlite3.Connection | None = None
            try:
                db = cls._connect(path)
                tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
                if tables:
                    if "meta" not in tables:
                        raise _Unusable("no meta table")
                    version = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
                    if version is None or int(version[0]) != SCHEMA:
                        raise _Unusable(f"schema {version[0] if version else 'unknown'}, expected {SCHEMA}")
                    return cls(db, path, fresh=False, reason=None)
                # No table at all: made by a build killed before it wrote the schema; nothing in it to keep.
                db.close()
            except sqlite3.OperationalError as exc:  # full, locked, I/O: the ledger is fine, the machine is not
                if db is not None:
                    db.close()
                raise _failure(exc, path, "open") from None
            except (sqlite3.DatabaseError, _Unusable, ValueError) as exc:
                reason = f"{path} is unusable ({exc}); starting a new ledger (a full build)"
                log.warning(reason)
                if db is not None:
                    db.close()
                for suffix in ("", "-wal", "-shm"):
                    side = path.with_name(path.name + suffix)
                    if side.exists():
                        os.replace(side, path.with_name(path.name + suffix + ".broken"))
        try:
            db = cls._connect(path)
            with db:
                db.executescript(_TABLES)
                db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('schema', ?)", (str(SCHEMA),))
        except sqlite3.DatabaseError as exc:
            raise _failure(exc, path, "create") from None
        return cls(db, path, fresh=True, reason=reason)

    @classmethod
    def read_only(cls, out: Path) -> Ledger | None:
        """Open the ledger of ``out`` for reading (``None`` if there is none or it cannot be read)."""
        path = ledger_path(out)
        if not path.is_file() or path.is_symlink():  # never read a ledger through a link (it may lead anywhere)
            return None
        try:
            db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
            db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        except sqlite3.DatabaseError:
            return None
        ledger = cls(db, path, fresh=False, reason=None)
        ledger.read_only_mode = True
        return ledger

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA busy_timeout=10000")
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return db

    def close(self) -> None:
        """Close the ledger. A read-write ledger leaves write-ahead logging on close, so it is one file again,
        which a reader without write access to the folder (a web server's user) can open."""
        try:
            if not self._db.in_transaction and not self.read_only_mode:
                self._db.execute("PRAGMA journal_mode=DELETE")
        except sqlite3.DatabaseError:
            pass
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions -----------------------------------------------------------------------------
    def transaction(self) -> _Transaction:
        """A ``with`` block whose writes are committed together (or not at all)."""
        return _Transaction(self._db)

    def _write(self, sql: str, args: Iterable[Any] = ()) -> None:
        try:
            self._db.execute(sql, tuple(args))
        except sqlite3.DatabaseError as exc:
            raise _failure(exc, self.path, "write") from None

    # -- meta ---------------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self._write("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    # -- items --------------------------------------------------------------------------------------
    def item(self, accession: str) -> ItemRecord | None:
        row = self._db.execute("SELECT * FROM items WHERE accession = ?", (accession,)).fetchone()
        return None if row is None else _item(row)

    def items(self) -> list[ItemRecord]:
        """Every item the ledger knows, published or withdrawn, by accession."""
        return [_item(r) for r in self._db.execute("SELECT * FROM items ORDER BY accession")]

    def note_item(self, accession: str, digest: str, sets: tuple[str, ...], *, now: int) -> str:
        """Record that ``accession`` is in the catalogue with ``digest``; returns ``created``, ``updated``,
        ``restored`` (it had been withdrawn) or ``unchanged``. Records the matching ``item`` event."""
        old = self.item(accession)
        joined = " ".join(sets)
        if old is None:
            self._write("INSERT INTO items VALUES (?, ?, ?, ?, ?, NULL)", (accession, digest, joined, now, now))
            self.add_event("create", "item", accession, now)
            return "created"
        if old.withdrawn is not None:
            self._write("UPDATE items SET digest = ?, sets = ?, changed = ?, withdrawn = NULL WHERE accession = ?",
                        (digest, joined, now, accession))
            self.add_event("create", "item", accession, now)
            return "restored"
        if old.digest != digest or old.sets != sets:
            self._write("UPDATE items SET digest = ?, sets = ?, changed = ? WHERE accession = ?",
                        (digest, joined, now, accession))
            self.add_event("update", "item", accession, now)
            return "updated"
        return "unchanged"

    def withdraw_item(self, accession: str, *, now: int) -> bool:
        """Mark ``accession`` withdrawn (kept as a deleted record); False if it was unknown or already withdrawn."""
        old = self.item(accession)
        if old is None or old.withdrawn is not None:
            return False
        self._write("UPDATE items SET withdrawn = ?, changed = ? WHERE accession = ?", (now, now, accession))
        self.add_event("delete", "item", accession, now)
        return True

    def withdraw_missing(self, present: Iterable[str], *, now: int) -> int:
        """Withdraw every item the ledger has as published that is not in ``present`` (the catalogue's accession
        numbers, read once into a temporary table: nothing of 100,000 items is held here); returns how many.
        Call it inside :meth:`transaction`."""
        self._fill_accessions(present)
        try:
            gone = [r[0] for r in self._db.execute(
                "SELECT accession FROM items WHERE withdrawn IS NULL AND accession NOT IN (SELECT accession FROM "
                "temp.accessions) ORDER BY accession")]
        except sqlite3.DatabaseError as exc:
            raise _failure(exc, self.path, "write") from None
        self._write("DELETE FROM temp.accessions")
        return sum(self.withdraw_item(accession, now=now) for accession in gone)

    def _fill_accessions(self, accessions: Iterable[str]) -> None:
        """Put ``accessions`` in the temporary table ``temp.accessions`` (emptied first): a set of 100,000
        accession numbers held by SQLite, not in Python."""
        self._write("CREATE TEMP TABLE IF NOT EXISTS accessions(accession TEXT PRIMARY KEY)")
        self._write("DELETE FROM temp.accessions")
        try:
            self._db.executemany("INSERT OR IGNORE INTO temp.accessions VALUES (?)", ((a,) for a in accessions))
        except sqlite3.DatabaseError as exc:
            raise _failure(exc, self.path, "write") from None

    # -- outputs ------------------------------------------------------------------------------------
    def output(self, step: str, accession: str) -> OutputRecord | None:
        row = self._db.execute(
            "SELECT * FROM outputs WHERE step = ? AND accession = ?", (step, accession)).fetchone()
        return None if row is None else _output(row)

    def outputs(self, step: str) -> dict[str, OutputRecord]:
        """Every record of ``step``, by accession."""
        rows = self._db.execute("SELECT * FROM outputs WHERE step = ?", (step,))
        return {r[1]: _output(r) for r in rows}

    def file_digests(self, step: str, ending: str) -> dict[str, str]:
        """For each accession, the SHA-256 ``step`` recorded for its file whose path ends with ``ending``
        (read in SQLite, without loading every record)."""
        rows = self._db.execute(
            "SELECT o.accession, j.value FROM outputs AS o, json_each(o.files) AS j "
            "WHERE o.step = ? AND substr(j.key, -length(?)) = ?", (step, ending, ending))
        return {r[0]: r[1] for r in rows}

    def record_output(self, step: str, accession: str, digest: str, files: Mapping[str, str], *,
                      data: Mapping[str, Any] | None = None, now: int) -> None:
        """Record that ``step`` wrote ``files`` for ``accession`` from inputs with ``digest``.

        Call it only once the files are in place."""
        self._write("INSERT OR REPLACE INTO outputs VALUES (?, ?, ?, ?, ?, ?)",
                    (step, accession, digest, _dumps(dict(files)), _dumps(dict(data or {})), now))

    def forget_output(self, step: str, accession: str) -> None:
        self._write("DELETE FROM outputs WHERE step = ? AND accession = ?", (step, accession))

    def copy_file_digests(self, source: str, ending: str, target: str, accessions: Iterable[str], *, now: int) -> int:
        """Record for ``target``, for each of ``accessions``, the SHA-256 ``source`` recorded for its file whose
        path ends with ``ending`` as the digest (no file), replacing ``target``'s records; done in SQLite, without
        holding a record in Python (the store step after a full load: 100,000 rows). Returns how many."""
        with self.transaction():
            self._fill_accessions(accessions)
            self._write("DELETE FROM outputs WHERE step = ?", (target,))
            self._write(
                "INSERT OR REPLACE INTO outputs SELECT ?, o.accession, j.value, '{}', '{}', ? "
                "FROM outputs AS o JOIN temp.accessions AS w ON w.accession = o.accession, json_each(o.files) AS j "
                "WHERE o.step = ? AND substr(j.key, -length(?)) = ? AND j.value != ''",
                (target, now, source, ending, ending))
            count = self._db.execute("SELECT count(*) FROM outputs WHERE step = ?", (target,)).fetchone()[0]
            self._write("DELETE FROM temp.accessions")
        return int(count)

    def stage_output(self, step: str, accession: str, digest: str, files: Mapping[str, str], *,
                     data: Mapping[str, Any] | None = None, now: int) -> None:
        """Keep a record of ``step`` aside (on disk, not in memory) until :meth:`promote_staged`: for outputs
        written in a hidden folder first and moved into place together. Set-aside records are never read as the
        step's own; those a killed build left are dropped by :meth:`discard_staged`."""
        self.record_output(_staged(step), accession, digest, files, data=data, now=now)

    def promote_staged(self, step: str) -> int:
        """Make the records set aside for ``step`` its own (replacing its records of the same items), in one
        transaction; returns how many."""
        with self.transaction():
            self._write("DELETE FROM outputs WHERE step = ? AND accession IN "
                        "(SELECT accession FROM outputs WHERE step = ?)", (step, _staged(step)))
            count = self._db.execute("SELECT count(*) FROM outputs WHERE step = ?", (_staged(step),)).fetchone()[0]
            self._write("UPDATE outputs SET step = ? WHERE step = ?", (step, _staged(step)))
        return int(count)

    def discard_staged(self, step: str) -> None:
        """Drop the records set aside for ``step`` (a build killed before it promoted them)."""
        self._write("DELETE FROM outputs WHERE step = ?", (_staged(step),))

    # -- media --------------------------------------------------------------------------------------
    def media(self) -> dict[str, tuple[int, int, str]]:
        """Media fingerprints: path -> (size, mtime_ns, sha256)."""
        return {r[0]: (r[1], r[2], r[3]) for r in self._db.execute("SELECT * FROM media")}

    def record_media(self, path: str, size: int, mtime_ns: int, sha256: str) -> None:
        self._write("INSERT OR REPLACE INTO media VALUES (?, ?, ?, ?)", (path, size, mtime_ns, sha256))

    # -- events -------------------------------------------------------------------------------------
    def add_event(self, kind: str, type_: str, target: str, now: int) -> None:
        self._write("INSERT INTO events(time, kind, type, target) VALUES (?, ?, ?, ?)", (now, kind, type_, target))

    def events(self, *types: str, after: int = 0) -> list[Event]:
        """The events of ``types`` (all when none given) numbered after ``after``, oldest first."""
        if types:
            marks = ",".join("?" * len(types))
            rows = self._db.execute(
                f"SELECT * FROM events WHERE seq > ? AND type IN ({marks}) ORDER BY seq", (after, *types))
        else:
            rows = self._db.execute("SELECT * FROM events WHERE seq > ? ORDER BY seq", (after,))
        return [Event(*r) for r in rows]

    # -- pushes -------------------------------------------------------------------------------------
    def pushed(self, endpoint: str) -> dict[str, str]:
        """What was last sent to ``endpoint``: graph name -> digest."""
        rows = self._db.execute("SELECT graph, digest FROM pushes WHERE endpoint = ?", (endpoint,))
        return {r[0]: r[1] for r in rows}

    def record_push(self, endpoint: str, graph: str, digest: str | None, *, now: int) -> None:
        """Record that ``graph`` was sent to ``endpoint`` with ``digest`` (``None``: it was deleted there)."""
        if digest is None:
            self._write("DELETE FROM pushes WHERE endpoint = ? AND graph = ?", (endpoint, graph))
        else:
            self._write("INSERT OR REPLACE INTO pushes VALUES (?, ?, ?, ?)", (endpoint, graph, digest, now))


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as exc:
            raise _failure(exc, Path(self._db.execute("PRAGMA database_list").fetchone()[2]), "write") from None

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        if kind is None:
            try:
                self._db.execute("COMMIT")
            except sqlite3.DatabaseError as error:
                self._db.execute("ROLLBACK")
                raise _failure(error, Path(self._db.execute("PRAGMA database_list").fetchone()[2]), "write") from None
        else:
            self._db.execute("ROLLBACK")


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _item(row: tuple[Any, ...]) -> ItemRecord:
    return ItemRecord(row[0], row[1], tuple(row[2].split()), row[3], row[4], row[5])


def _output(row: tuple[Any, ...]) -> OutputRecord:
    return OutputRecord(row[0], row[1], row[2], json.loads(row[3]), json.loads(row[4]), row[5])


def iter_events(ledger: Ledger | None, *types: str) -> Iterator[Event]:
    """The events of ``types`` in ``ledger`` (none when there is no ledger)."""
    if ledger is not None:
        yield from ledger.events(*types)


def _staged(step: str) -> str:
    """The step name under which :meth:`Ledger.stage_output` keeps records aside (no step's own name has a
    space)."""
    return f"{step} (staged)"
