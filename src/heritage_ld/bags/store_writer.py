"""Write a new bag straight to object storage: no local copy of its payload, ``bagit.txt`` last.

The bag goes under its own prefix with its declaration withheld (RFC 8493 §2.1.1: without ``bagit.txt`` it is
not a bag, and every BagIt tool refuses it), by the rule of :mod:`heritage_ld.bags.remote`:

1. a declaration already at the prefix (an earlier version) is deleted first;
2. each payload file is streamed from its source (a local file, or a file on a store) to the store, hashed with
   every manifest algorithm in the same pass (one read of the source, no temporary file);
3. the tag files are made in memory from those digests by the very code :func:`~heritage_ld.bags.write_bag`
   uses (:func:`~heritage_ld.bags.tagside.tag_side`), so both writers make the same bytes, and put on the store;
   files of an earlier version the new one lacks are deleted;
4. every file is read back from the store and hashed (S004 mismatch, S005 missing: the bag is not published);
5. only then is ``bagit.txt`` written, in one ``PUT``.

A writer stopped at any point (a worker killed) leaves a prefix with no declaration; the next write completes
it. Jobs carry URLs and paths only: the store's file system is made in the process that writes (credentials
from the backend's own environment variables and files).
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from heritage_ld.bags.describe import CrateSpec
from heritage_ld.bags.fixity import (
    ALGORITHMS,
    CHUNK_SIZE,
    Digests,
    SourceChanged,
    check_algorithms,
    hash_bytes,
)
from heritage_ld.bags.info import format_info
from heritage_ld.bags.names import unsafe_reason
from heritage_ld.bags.remote import DECLARATION, read_back
from heritage_ld.bags.rocrate import CRATE_FILE
from heritage_ld.bags.tagfiles import bag_date, check_tag_name
from heritage_ld.bags.tagside import tag_side
from heritage_ld.errors import UsageError
from heritage_ld.problems import Problem
from heritage_ld.storage import Store, StoreError, is_url
from heritage_ld.storage.fetch import write_stand_in

__all__ = ["DECLARATION", "StoreBag", "remove_store_bag", "write_store_bag"]

_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


@dataclass(frozen=True, slots=True)
class StoreBag:
    """A bag written to a store: where, how many payload files and bytes, the files written, the problems
    (B030: media of unknown format)."""

    url: str
    files: int
    bytes: int
    written: tuple[str, ...]
    problems: tuple[Problem, ...]


def _local_chunks(path: str, hashers: list[Any]) -> Iterator[bytes]:
    """The bytes of a local regular file (never through a link), hashed as they are read; raises
    :class:`SourceChanged` when its size or time changed meanwhile (the digests would be of neither version)."""
    fd = os.open(path, _READ_FLAGS)
    try:
        before = os.fstat(fd)
        if not stat.S_ISREG(before.st_mode):
            raise OSError(f"{path}: not a regular file")
        size = 0
        while data := os.read(fd, CHUNK_SIZE):
            for h in hashers:
                h.update(data)
            size += len(data)
            yield data
        after = os.stat(path)
        if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns) or size != before.st_size:
            raise SourceChanged(f"{path} changed while it was being copied (size or modification time differs)")
    finally:
        os.close(fd)


def _store_chunks(url: str, hashers: list[Any]) -> Iterator[bytes]:
    """The bytes of a file on a store (ranges fetched as they are read), hashed as they are read."""
    folder, _, name = url.rpartition("/")
    with Store.from_url(folder).open_read(name) as f:
        while data := f.read(CHUNK_SIZE):
            for h in hashers:
                h.update(data)
            yield data


def _stream(store: Store, rel: str, source: str, algorithms: tuple[str, ...]) -> Digests:
    hashers = [ALGORITHMS[a][0]() for a in algorithms]
    chunks = _store_chunks(source, hashers) if is_url(source) else _local_chunks(source, hashers)
    size = store.write_stream(rel, chunks)
    return Digests(size, tuple((a, h.hexdigest()) for a, h in zip(algorithms, hashers, strict=True)))


def _payload(sources: Mapping[str, Path | str]) -> dict[str, str]:
    """Bag path (``data/…``) -> source (a local path or a URL); unsafe names refused."""
    out: dict[str, str] = {}
    for rel, src in sorted(sources.items()):
        name = f"data/{PurePosixPath(rel)}"
        bad = unsafe_reason(name)
        if bad:
            raise UsageError(f"{src}: cannot be stored as {name!r} ({bad})")
        out[name] = os.fspath(src)
    if CRATE_FILE in out:
        raise UsageError(f"{out[CRATE_FILE]}: would be stored as {CRATE_FILE}, where the bag's RO-Crate goes")
    return out


def write_store_bag(
    sources: Mapping[str, Path | str],
    store: Store,
    *,
    algorithms: Iterable[str] = ("sha256", "sha512"),
    info: Iterable[tuple[str, str]] = (),
    tag_files: Mapping[str, bytes] | None = None,
    date: datetime | None = None,
    events_base: str | None = None,
    crate: CrateSpec | None = None,
    jobs: int = 4,
) -> StoreBag:
    """Write a new bag holding ``sources`` (payload path relative to ``data/`` -> a local file or a URL) at
    ``store`` (the bag's own prefix), with the tag files, RO-Crate, PREMIS and event log
    :func:`~heritage_ld.bags.write_bag` would write for the same arguments (the same bytes).

    Args:
        jobs: files streamed (and read back) at once.

    Raises:
        UsageError: bad names, labels or algorithms (nothing written).
        StoreError: the store could not be written or read, a source changed while it was copied (S002), or
            a file read back does not match what was written (S004, S005): ``bagit.txt`` was not written.
    """
    try:
        names = check_algorithms(algorithms)
        tags = {check_tag_name(k): v for k, v in (tag_files or {}).items()}
        pairs = list(info)
        format_info(pairs)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    payload = _payload(sources)
    when = bag_date(date)
    before = store.listing()
    if DECLARATION in before:
        store.remove([DECLARATION])  # from now until the end, nothing at this prefix looks like a bag
    with ThreadPoolExecutor(max(1, jobs), thread_name_prefix="bag-stream") as pool:
        found = list(pool.map(lambda kv: _stream(store, kv[0], kv[1], names), sorted(payload.items())))
        digests = dict(zip(sorted(payload), found, strict=True))
        label = next((v for k, v in pairs if k.lower() == "external-identifier"), Path(store.root).name)
        local = {rel: Path(src) for rel, src in payload.items() if not is_url(src)}
        known = crate.formats if crate is not None else {}
        remote = sorted(rel for rel, src in payload.items()
                        if is_url(src) and dict(digests[rel].hexdigests).get("sha256") not in known)
        with tempfile.TemporaryDirectory(prefix="hld-identify-") as scratch:
            local.update(_stand_ins({rel: payload[rel] for rel in remote}, Path(scratch)))
            side = tag_side(digests, names, pairs, tags, when, label=label, describe=True, crate=crate,
                            events=True, events_base=events_base, jobs=1, root=Path(scratch), paths=local)
        small = {name: data for name, data in side.files.items() if name != DECLARATION}
        if side.crate is not None:
            small[CRATE_FILE] = side.crate
        list(pool.map(lambda kv: store.write_bytes(kv[0], kv[1]), sorted(small.items())))
        keep = set(side.digests) | set(side.files)
        store.remove(sorted(rel for rel in before if rel not in keep and rel != DECLARATION))
        expected = {**side.digests, **{name: hash_bytes(data, names) for name, data in small.items()}}
    problems = read_back(store, {rel: ("the manifests" if rel.startswith("data/") else "the tag manifests",
                                       want.hexdigests) for rel, want in expected.items()}, jobs)
    if problems:
        raise StoreError(problems)
    store.write_bytes(DECLARATION, side.files[DECLARATION])
    return StoreBag(store.url, len(side.digests), side.payload_bytes, (*sorted(keep),), side.problems)


def _stand_ins(sources: Mapping[str, str], scratch: Path) -> dict[str, Path]:
    """For files on a store whose format must be identified, a local sparse stand-in of the same size holding
    their first and last :data:`~heritage_ld.storage.fetch.IDENTIFY_SPAN` bytes
    (:func:`~heritage_ld.storage.fetch.write_stand_in`: two range reads each, never the whole file): what fido's
    signatures look at. A container format recognised by its members (an Office document inside its ZIP) is
    then known by its container's signature only."""
    out: dict[str, Path] = {}
    for n, (rel, url) in enumerate(sorted(sources.items())):
        folder, _, name = url.rpartition("/")
        store = Store.from_url(folder)
        info = store.info(name)
        # numbered, with the file's suffix (the fallback's hint): a key may be longer than a local name can be
        out[rel] = scratch / f"{n}{PurePosixPath(rel).suffix[:16]}"
        write_stand_in(store, name, out[rel], int((info or {}).get("size") or 0))
    return out


def remove_store_bag(store: Store) -> int:
    """Delete the bag at ``store``, its declaration first (it stops looking like a bag before its files go);
    returns the files deleted."""
    listing = store.listing()
    if DECLARATION in listing:
        store.remove([DECLARATION])
    rest = sorted(rel for rel in listing if rel != DECLARATION)
    store.remove(rest)
    return len(rest) + (DECLARATION in listing)
