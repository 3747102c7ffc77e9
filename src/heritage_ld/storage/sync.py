"""Keep a local working copy and a folder on object storage in step, moving only what changed.

Two directions, each with a small SQLite index of what it last moved (path, size, a stamp):

- :func:`mirror_down` brings a remote folder (a catalogue, or a remote OUT a new machine continues) into a local
  folder, downloading only files whose size or ETag changed since the last mirror;
- :func:`changes` lists what :func:`upload` must send: local files whose size or modification time differ from
  what was uploaded last, and uploaded files that no longer exist locally (to delete on the store).

The index is ours alone (a cache: deleting it only costs a full transfer next time).
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from heritage_ld.storage.store import Store

__all__ = ["SyncIndex", "changes", "local_files", "mirror_down", "remote_mtime_ns", "stamp", "upload"]

#: Temporaries of heritage-ld's atomic writes (``.NAME.PID.tmp``): never moved.
_TEMPORARY = re.compile(r"^\..+\.[0-9]+\.tmp$")
#: Files moved at a time (the backend runs each batch concurrently).
_BATCH = 256


class SyncIndex:
    """path -> (size, stamp) of what was last moved, in a SQLite file."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), isolation_level=None)
        self._db.execute("CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, size INTEGER, stamp TEXT)")

    def all(self) -> dict[str, tuple[int, str]]:
        return {p: (s, t) for p, s, t in self._db.execute("SELECT path, size, stamp FROM files")}

    def put(self, rows: Iterable[tuple[str, int, str]]) -> None:
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?)", list(rows))

    def drop(self, paths: Iterable[str]) -> None:
        with self._db:
            self._db.executemany("DELETE FROM files WHERE path = ?", [(p,) for p in paths])

    def close(self) -> None:
        self._db.close()


def stamp(info: dict[str, Any]) -> str:
    """What tells a remote file's version: its ETag (S3, GCS), else its modification time, else nothing."""
    for key in ("ETag", "etag", "md5Hash", "LastModified", "mtime", "last_modified", "created"):
        if info.get(key) is not None:
            return str(info[key]).strip('"')
    return ""


def remote_mtime_ns(info: dict[str, Any]) -> int | None:
    """A remote file's modification time (nanoseconds), the same for every machine that lists it."""
    from datetime import datetime

    for key in ("LastModified", "mtime", "last_modified", "created", "updated"):
        value = info.get(key)
        if isinstance(value, datetime):
            return int(value.timestamp() * 1_000_000) * 1000
        if isinstance(value, (int, float)):
            return int(value * 1_000_000) * 1000
    return None


def local_files(root: Path, *, skip: Callable[[str], bool] | None = None) -> Iterator[tuple[str, os.stat_result]]:
    """Every regular file under ``root`` (relative POSIX path, its stat), sorted, without following links and
    without heritage-ld's temporaries."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not _TEMPORARY.match(d))
        for name in sorted(files):
            if _TEMPORARY.match(name):
                continue
            path = Path(folder, name)
            rel = path.relative_to(root).as_posix()
            if skip is not None and skip(rel):
                continue
            st = path.lstat()
            if path.is_file() and not path.is_symlink():
                yield rel, st


@dataclass(frozen=True, slots=True)
class Changes:
    """What an upload must do: ``send`` (changed or new local files) and ``delete`` (gone locally)."""

    send: tuple[str, ...]
    delete: tuple[str, ...]
    stamps: dict[str, tuple[int, str]]


def changes(root: Path, index: SyncIndex, *, skip: Callable[[str], bool] | None = None) -> Changes:
    """Compare the local folder with what was last uploaded from it."""
    known = index.all()
    send: list[str] = []
    stamps: dict[str, tuple[int, str]] = {}
    for rel, st in local_files(root, skip=skip):
        now = (st.st_size, str(st.st_mtime_ns))
        stamps[rel] = now
        if known.get(rel) != now:
            send.append(rel)
    delete = sorted(p for p in known if p not in stamps and not (skip is not None and skip(p)))
    return Changes(tuple(send), tuple(delete), stamps)


def upload(root: Path, store: Store, rels: Iterable[str], index: SyncIndex,
           stamps: dict[str, tuple[int, str]]) -> int:
    """Upload files (in batches, each recorded in the index once on the store); returns how many."""
    count = 0
    batch: list[str] = []

    def flush() -> None:
        store.put_files([(root / r, r) for r in batch])
        index.put((r, *stamps[r]) for r in batch)
        batch.clear()

    for rel in rels:
        batch.append(rel)
        count += 1
        if len(batch) >= _BATCH:
            flush()
    if batch:
        flush()
    return count


def mirror_down(store: Store, root: Path, index_path: Path, *,
                skip: Callable[[str], bool] | None = None,
                uploaded: SyncIndex | None = None,
                listing: Mapping[str, dict[str, Any]] | None = None) -> tuple[int, int]:
    """Make ``root`` hold what ``store`` holds, downloading only files new or changed since the last mirror
    (by size and ETag), removing local copies of files gone from the store (or now skipped). Returns
    (downloaded, unchanged).

    With ``uploaded`` (the index of the other direction), the files brought down are recorded there as in
    step, so that the next upload does not send them back. ``listing``: the store's listing when the caller
    has it already (one listing of the store fewer).
    """
    listed = store.listing() if listing is None else listing
    remote = {rel: info for rel, info in listed.items() if not (skip is not None and skip(rel))}
    with closing(SyncIndex(index_path)) as index:
        known = index.all()
        todo = [rel for rel, info in remote.items()
                if known.get(rel) != (int(info.get("size") or 0), stamp(info)) or not (root / rel).is_file()]
        for i in range(0, len(todo), _BATCH):
            part = todo[i: i + _BATCH]
            store.get_files([(rel, root / rel) for rel in part])
            for rel in part:  # every machine's copy gets the same time (the store's): fingerprints agree
                when = remote_mtime_ns(remote[rel])
                if when is not None:
                    os.utime(root / rel, ns=(when, when))
            index.put((rel, int(remote[rel].get("size") or 0), stamp(remote[rel])) for rel in part)
            if uploaded is not None:
                uploaded.put((rel, (st := (root / rel).stat()).st_size, str(st.st_mtime_ns)) for rel in part)
        gone = [rel for rel in known if rel not in remote]
        for rel in gone:
            (root / rel).unlink(missing_ok=True)
        index.drop(gone)
    return len(todo), len(remote) - len(todo)
