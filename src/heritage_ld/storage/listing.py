"""A remote catalogue's media files, known from the store's listing instead of a local copy.

A catalogue read from object storage (``s3://bucket/catalogue``) is brought to the reading machine as a small
local folder holding only the catalogue's own files (``collection.toml``, ``items.csv``); its media files (the
masters: terabytes in a national collection) stay on the store. What the store said of each of them (size,
modification time, ETag) is kept beside that folder in one SQLite file, :data:`LISTING`, written each time the
catalogue is brought up to date (:func:`write_listing`).

Code that has only the catalogue folder (``collection.root``) asks this module about a media file:

- :func:`media_fingerprint`: its size and modification time (the local file's, or the store's);
- :func:`media_source`: what to read it from: the local path, or a :class:`~heritage_ld.storage.fetch.RemoteFile`;
- :func:`readable`: something a decoder opens: the local path, a copy already on this machine, or a seekable
  stream of the file on the store, read in ranges as the decoder asks (no copy).

So checking a catalogue (decoding every master), hashing the masters for the build ledger, reading image and PDF
page sizes, publishing PDFs and making the site's thumbnails all read from the store as they go, and the reading
machine needs disk for neither the masters nor a copy of them.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from heritage_ld.storage.fetch import RemoteFile
from heritage_ld.storage.sync import remote_mtime_ns, stamp

__all__ = ["LISTING", "MediaListing", "listing_of", "media_fingerprint", "media_source", "readable",
           "write_listing"]

#: The listing's file, beside the local folder (``…/tree``) of a remote catalogue's own files.
LISTING = "media-listing.sqlite3"


@dataclass(frozen=True, slots=True)
class MediaListing:
    """The media files of the catalogue at ``url`` as its store listed them; ``root`` is the local folder of
    the catalogue's own files (media paths are relative to both)."""

    url: str
    root: Path
    index: Path
    #: The listing file's inode, size and modification time: a listing written again is another version.
    version: tuple[int, int, int] = (0, 0, 0)

    def stat(self, rel: str | PurePosixPath) -> tuple[int, int] | None:
        """``(size, mtime_ns)`` of a media file as the store listed it, ``None`` when it has no such file."""
        row = _connection(self.index, self.version).execute("SELECT size, mtime_ns FROM media WHERE path = ?",
                                                            (str(rel),)).fetchone()
        return (int(row[0]), int(row[1])) if row is not None else None

    def file(self, rel: str | PurePosixPath) -> RemoteFile | None:
        """The :class:`RemoteFile` of a media file, ``None`` when the store has no such file."""
        found = self.stat(rel)
        if found is None:
            return None
        return RemoteFile(f"{self.url}/{rel}", str(self.root.joinpath(*PurePosixPath(rel).parts)), *found)

    def __len__(self) -> int:
        return int(_connection(self.index, self.version).execute("SELECT count(*) FROM media").fetchone()[0])


_LOCAL = threading.local()


def _connection(index: Path, version: tuple[int, int, int]) -> sqlite3.Connection:
    """This thread's read-only connection to a listing in the ``version`` (:func:`_version`) given
    (SQLite connections are not shared between threads; a listing written again is a new file)."""
    conns: dict[str, tuple[tuple[int, int, int], sqlite3.Connection]] = _LOCAL.__dict__.setdefault("conns", {})
    key = str(index)
    found = conns.get(key)
    if found is not None and found[0] == version:
        return found[1]
    if found is not None:
        found[1].close()
    conn = sqlite3.connect(f"{index.resolve().as_uri()}?mode=ro", uri=True)
    conns[key] = (version, conn)
    return conn


def write_listing(root: Path, url: str, files: Mapping[str, dict[str, Any]]) -> Path:
    """Record ``files`` (relative path -> the store's fsspec info) as the media of the catalogue at ``url``
    whose own files are in ``root``; the listing replaces the previous one whole (written beside, then renamed).
    Returns its path."""
    index = root.parent / LISTING
    index.parent.mkdir(parents=True, exist_ok=True)
    part = index.with_name(f".{LISTING}.{os.getpid()}.{threading.get_ident()}.tmp")
    part.unlink(missing_ok=True)
    try:
        with contextlib.closing(sqlite3.connect(str(part))) as db, db:
            db.execute("CREATE TABLE source (url TEXT NOT NULL)")
            db.execute("INSERT INTO source VALUES (?)", (url,))
            db.execute("CREATE TABLE media (path TEXT PRIMARY KEY, size INTEGER NOT NULL, "
                       "mtime_ns INTEGER NOT NULL, etag TEXT NOT NULL) WITHOUT ROWID")
            db.executemany("INSERT INTO media VALUES (?, ?, ?, ?)",
                           ((rel, int(info.get("size") or 0), remote_mtime_ns(info) or 0, stamp(info))
                            for rel, info in sorted(files.items())))
        os.replace(part, index)
    finally:
        part.unlink(missing_ok=True)
    return index


#: root -> (listing file's version, the listing): one ``stat`` per look-up, not a query.
_LISTINGS: dict[str, tuple[tuple[int, int, int], MediaListing]] = {}


def _version(index: Path) -> tuple[int, int, int]:
    """What tells one writing of a listing from the next: a new file (inode) each time, its size and time."""
    st = os.stat(index)
    return st.st_ino, st.st_size, st.st_mtime_ns


def listing_of(root: Path | None) -> MediaListing | None:
    """The listing of the remote catalogue whose own files are in ``root``, or ``None`` for a local catalogue
    folder (one with no listing beside it)."""
    if root is None or root.name != "tree":
        return None
    index = root.parent / LISTING
    try:
        version = _version(index)
    except OSError:
        return None
    key = str(root)
    known = _LISTINGS.get(key)
    if known is not None and known[0] == version:
        return known[1]
    try:
        url = _connection(index, version).execute("SELECT url FROM source").fetchone()[0]
    except (OSError, sqlite3.Error, TypeError):
        return None
    listing = MediaListing(str(url).rstrip("/"), root, index, version)
    _LISTINGS[key] = (version, listing)
    return listing


def media_fingerprint(root: Path, rel: str | PurePosixPath) -> tuple[int, int] | None:
    """``(size, mtime_ns)`` of the media file ``rel`` of the catalogue in ``root`` (the store's for a remote
    catalogue), ``None`` when it cannot be found."""
    listing = listing_of(root)
    if listing is not None:
        return listing.stat(rel)
    try:
        st = os.stat(root.joinpath(*PurePosixPath(rel).parts))
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def media_source(root: Path, rel: str | PurePosixPath) -> Path | RemoteFile:
    """What to read the media file ``rel`` of the catalogue in ``root`` from: its real local path (symbolic
    links that stay inside the folder resolved), or for a remote catalogue its :class:`RemoteFile`.

    Raises:
        FileNotFoundError: a remote catalogue's store listed no such file.
    """
    listing = listing_of(root)
    if listing is None:
        return Path(os.path.realpath(root.joinpath(*PurePosixPath(rel).parts)))
    found = listing.file(rel)
    if found is None:
        raise FileNotFoundError(2, "not on the store", f"{listing.url}/{rel}")
    return found


@contextlib.contextmanager
def readable(source: Path | RemoteFile) -> Iterator[Path | BinaryIO]:
    """``source`` as a decoder opens it: a local path (the file itself, or a copy of a remote file already on
    this machine), else a seekable stream of the file on the store, read in ranges as asked (closed after).

    Raises:
        StoreError: the store cannot be reached (``S002``) or the file is not the size listed (``S009``).
    """
    if not isinstance(source, RemoteFile):
        yield source
        return
    here = source.copy_here()
    if here is not None:
        yield here
        return
    with source.open() as stream:
        yield stream
