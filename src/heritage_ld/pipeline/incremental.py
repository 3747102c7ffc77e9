"""Which items each build step must redo: the build's view of the ledger (:mod:`heritage_ld.ledger`).

An item's **digest** covers everything its outputs depend on: the item as read from the catalogue (its row,
with the agents, places and concepts it refers to resolved), the collection-level data an item's outputs use
(title, rights, credit line, publisher, sections, base URL …), the content digests of its media files, the
tool's version and the options that change bytes. A step adds what only it depends on (the site: an item's
neighbours). A step redoes an item when its digest differs from the one recorded for that step, when one of
the files recorded is missing (or, with ``verify``, has other bytes), or when the build is forced.

Media files are fingerprinted by size and modification time; their content digest (SHA-256) is computed only
for new files and files whose fingerprint changed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
import time
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar, overload

from heritage_ld._version import __version__
from heritage_ld.ledger import Ledger, OutputRecord, digest_of
from heritage_ld.model import Collection, Item, ItemSequence
from heritage_ld.storage.fetch import RemoteFile
from heritage_ld.storage.listing import media_fingerprint, media_source
from heritage_ld.storage.store import StoreError

__all__ = ["Picked", "Plan", "file_sha256", "media_digests", "trusted_media"]

#: The ledger's meta key for the pixel limit the media files it fingerprinted were checked with.
MAX_PIXELS_KEY = "media_max_pixels"

_CHUNK = 1 << 20


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def media_digests(
    collection: Collection, ledger: Ledger | None,
    mapper: Callable[[Callable[[Path | RemoteFile], str], Iterable[Path | RemoteFile]], Any]
) -> dict[str, str]:
    """Content digests of every media file of the collection, by catalogue-relative path.

    Files whose size and modification time match the ledger are not read; the others are hashed in parallel
    with ``mapper`` (``executor.map``) and recorded. A file that cannot be read gets the digest ``""`` (the step
    that needs it reports the problem). A catalogue on object storage gives the store's sizes and times
    (:mod:`heritage_ld.storage.listing`), and its files are hashed as they stream from the store, wherever the
    mapper's tasks run.
    """
    root = collection.root
    if root is None:
        return {}
    known = ledger.media() if ledger is not None else {}
    result: dict[str, str] = {}
    todo: list[tuple[str, tuple[int, int]]] = []
    paths = sorted({str(m.path) for item in collection.items for m in item.media})
    for rel in paths:
        fp = media_fingerprint(root, rel)
        if fp is None:
            result[rel] = ""
            continue
        old = known.get(rel)
        if old is not None and (old[0], old[1]) == fp:
            result[rel] = old[2]
        else:
            todo.append((rel, fp))
    if todo:
        digests = list(mapper(_safe_sha256, [_source(root, rel) for rel, _ in todo]))
        if ledger is not None:
            with ledger.transaction():
                for (rel, fp), digest in zip(todo, digests, strict=True):
                    if digest:
                        ledger.record_media(rel, fp[0], fp[1], digest)
        for (rel, _), digest in zip(todo, digests, strict=True):
            result[rel] = digest
    return result


def _source(root: Path, rel: str) -> Path | RemoteFile:
    try:
        return media_source(root, rel)
    except FileNotFoundError:
        return root / rel  # gone since it was listed: hashed as a missing file, ""


def trusted_media(out: Path, root: Path, max_pixels: int) -> Callable[[PurePosixPath], bool] | None:
    """Which media files a rebuild into ``out`` need not decode again before it starts: those an earlier build
    of ``out`` read and decoded (its ledger holds their fingerprint), unchanged since (same size and modification
    time), checked then with a pixel limit no larger than ``max_pixels``. ``None`` when there is no such ledger.
    """
    ledger = Ledger.read_only(out)
    if ledger is None:
        return None
    try:
        limit = ledger.get_meta(MAX_PIXELS_KEY)
        known = ledger.media() if limit is not None and int(limit) <= max_pixels else {}
    finally:
        ledger.close()
    if not known:
        return None

    def trusted(path: PurePosixPath) -> bool:
        old = known.get(str(path))
        return old is not None and media_fingerprint(root, path) == (old[0], old[1])

    return trusted


def _safe_sha256(source: Path | RemoteFile) -> str:
    """The SHA-256 of a media file ("" when it cannot be read): a local file, a remote file's copy on this
    machine, or the remote file streamed from the store (one read, no copy)."""
    try:
        if isinstance(source, RemoteFile):
            here = source.copy_here()
            if here is None:
                store, leaf = source.on_store()
                return store.digests(leaf, ["sha256"], size=source.size)[0]
            source = here
        return file_sha256(source)
    except (OSError, StoreError):
        return ""


class _Half(Mapping[str, str]):
    """One of the two digests :meth:`Plan.make` keeps together per item (raw, 32 bytes at ``start``), as hex."""

    __slots__ = ("_both", "_start")

    def __init__(self, both: dict[str, bytes], start: int) -> None:
        self._both, self._start = both, start

    def __getitem__(self, accession: str) -> str:
        return self._both[accession][self._start:self._start + 32].hex()

    def __iter__(self) -> Iterator[str]:
        return iter(self._both)

    def __len__(self) -> int:
        return len(self._both)


P = TypeVar("P")


class Picked(Sequence[P]):
    """Items a step picked from a collection (:meth:`Plan.split`), each with its step digest when ``digests`` are
    given: ``(item, digest)`` pairs, else items. Items of an :class:`ItemSequence` are held by their place in it
    (a number, not the decoded item) and decoded each time they are asked for."""

    __slots__ = ("_digests", "_entries", "_source")

    def __init__(self, source: ItemSequence | None, entries: list[Any], digests: list[str] | None = None) -> None:
        self._source, self._entries, self._digests = source, entries, digests

    def __len__(self) -> int:
        return len(self._entries)

    def _get(self, n: int) -> Any:
        entry = self._entries[n]
        item = entry if self._source is None else self._source[entry]
        return item if self._digests is None else (item, self._digests[n])

    @overload
    def __getitem__(self, at: int) -> P: ...

    @overload
    def __getitem__(self, at: slice) -> list[P]: ...

    def __getitem__(self, at: int | slice) -> P | list[P]:
        if isinstance(at, slice):
            return [self._get(n) for n in range(*at.indices(len(self._entries)))]
        return typing.cast(P, self._get(range(len(self._entries))[at]))

    def __iter__(self) -> Iterator[P]:
        for n in range(len(self._entries)):
            yield self._get(n)

    def accessions(self) -> Iterator[str]:
        """The accession numbers, in order."""
        for n in range(len(self._entries)):
            got = self._get(n)
            yield (got[0] if self._digests is not None else got).accession


@dataclass(slots=True)
class Plan:
    """The build's decisions: per item its digest, and per step what to redo.

    Without a ledger (``ledger=None``) every item is redone by every step and nothing is recorded.
    """

    ledger: Ledger | None
    now: int
    force: bool = False
    verify: bool = False
    #: Per item, the digest of everything its outputs depend on.
    digests: Mapping[str, str] = field(default_factory=dict)
    media: dict[str, str] = field(default_factory=dict)
    #: Per item, the digest of its published metadata alone (the item, the collection data it uses, the base
    #: URL, its media): what dates its OAI-PMH record. Options such as tiles do not re-date records.
    metadata: Mapping[str, str] = field(default_factory=dict)
    #: The digest of everything the collection-level outputs depend on: the collection-level data, the options,
    #: and every item's digest in catalogue order (any change, addition, removal or move of an item changes it).
    collection_digest: str = ""
    _records: dict[str, dict[str, OutputRecord]] = field(default_factory=dict)

    @classmethod
    def make(
        cls,
        collection: Collection,
        ledger: Ledger | None,
        *,
        options: Mapping[str, Any],
        mapper: Callable[[Callable[[Path | RemoteFile], str], Iterable[Path | RemoteFile]], Any] = map,
        force: bool = False,
        verify: bool = False,
        now: int | None = None,
    ) -> Plan:
        """Work out every item's digest (hashing only new or changed media files)."""
        when = int(time.time()) if now is None else now
        media = media_digests(collection, ledger, mapper)
        slim = dataclasses.replace(collection, items=(), agents=(), places=(), concepts=(), root=None)
        shared = digest_of(__version__, sorted(options.items()), slim)
        described = digest_of(__version__, options.get("base_url"), slim)
        both: dict[str, bytes] = {}  # both digests of an item as 64 bytes: a third of two hex strings' memory
        whole = hashlib.sha256(repr(shared).encode())
        for item in collection.items:
            files = [media.get(str(m.path), "") for m in item.media]
            digest = digest_of(shared, item, files)
            both[item.accession] = bytes.fromhex(digest) + bytes.fromhex(digest_of(described, item, files))
            whole.update(f"{item.accession!r}\x1f{digest}\x1e".encode("utf-8", "surrogatepass"))
        return cls(ledger, when, force, verify, _Half(both, 0), media, _Half(both, 32), whole.hexdigest())

    def collection_current(self, step: str, out: Path, paths: Iterable[str], *extra: Any) -> bool:
        """True when ``step``'s collection-level outputs (``paths`` under ``out``) were made from the same
        collection digest (and ``extra``) and are all in place: the step may leave them as they are."""
        if self.force or self.ledger is None:
            return False
        return self.ledger.get_meta(f"collection:{step}") == digest_of(self.collection_digest, *extra) and all(
            os.path.lexists(out / p) for p in paths)

    def record_collection(self, step: str, *extra: Any, **values: Any) -> None:
        """Record that ``step`` wrote its collection-level outputs from this collection digest (and ``extra``),
        with small ``values`` to show next time (counts)."""
        if self.ledger is not None:
            self.ledger.set_meta(f"collection:{step}", digest_of(self.collection_digest, *extra))
            for key, value in values.items():
                self.ledger.set_meta(f"collection:{step}:{key}", str(value))

    def collection_value(self, step: str, key: str) -> str | None:
        """A value :meth:`record_collection` recorded."""
        return self.ledger.get_meta(f"collection:{step}:{key}") if self.ledger is not None else None

    def records(self, step: str) -> dict[str, OutputRecord]:
        """What the ledger holds for ``step`` (read once, and only the step running is kept: memory stays flat)."""
        if step not in self._records:
            self._records.clear()
            self._records[step] = self.ledger.outputs(step) if self.ledger is not None else {}
        return self._records[step]

    def step_digest(self, step: str, item: Item, *extra: Any) -> str:
        """The digest ``step`` builds ``item`` from: the item's digest and what only that step depends on."""
        base = self.digests.get(item.accession) or digest_of(item)
        return digest_of(step, base, *extra) if extra else digest_of(step, base)

    def is_current(self, step: str, accession: str, digest: str, out: Path) -> bool:
        """True when ``step``'s recorded outputs for ``accession`` were made from ``digest`` and are in place."""
        if self.force or self.ledger is None:
            return False
        record = self.records(step).get(accession)
        if record is None or record.digest != digest:
            return False
        for path, sha in record.files.items():
            target = out / path
            if self.verify and sha:
                try:
                    if file_sha256(target) != sha:
                        return False
                except OSError:
                    return False
            elif not os.path.lexists(target):
                return False
        return True

    def split(self, step: str, items: Iterable[Item], out: Path,
              extra: Callable[[Item], tuple[Any, ...]] | None = None, *,
              extra_at: Callable[[int, Item], tuple[Any, ...]] | None = None,
              ) -> tuple[Picked[tuple[Item, str]], Picked[Item]]:
        """Split ``items`` into those ``step`` must build (each with its step digest) and those that are current.

        ``extra(item)`` (or ``extra_at(place, item)``, with the item's place in ``items``) gives what else the
        step's digest of an item depends on. Both results are sequences; items of a collection's
        :class:`~heritage_ld.model.ItemSequence` are held by their place in it and decoded when used, so a step
        never holds the whole collection as objects."""
        source = items if isinstance(items, ItemSequence) else None
        todo: list[Any] = []
        digests: list[str] = []
        current: list[Any] = []
        for at, item in enumerate(items):
            more = extra(item) if extra else extra_at(at, item) if extra_at else ()
            digest = self.step_digest(step, item, *more)
            if self.is_current(step, item.accession, digest, out):
                current.append(item if source is None else at)
            else:
                todo.append(item if source is None else at)
                digests.append(digest)
        return Picked(source, todo, digests), Picked(source, current)

    def record(self, step: str, accession: str, digest: str, files: Mapping[str, str],
               data: Mapping[str, Any] | None = None) -> None:
        """Record what ``step`` wrote for ``accession`` (call once the files are in place)."""
        if self.ledger is not None:
            self.ledger.record_output(step, accession, digest, files, data=data, now=self.now)

    def record_many(self, step: str, rows: Iterable[tuple[str, str, Mapping[str, str], Mapping[str, Any] | None]], *,
                    events: Iterable[tuple[str, str, str]] = ()) -> None:
        """Record several items of ``step`` in one transaction, with the history ``events`` (``(kind, type,
        target)``) their outputs made: a build killed in between must not leave an output recorded as current
        whose change was never told (the change stream would miss it for good)."""
        if self.ledger is None:
            return
        with self.ledger.transaction():
            for accession, digest, files, data in rows:
                self.ledger.record_output(step, accession, digest, files, data=data, now=self.now)
            for kind, type_, target in events:
                self.ledger.add_event(kind, type_, target, self.now)

    def stage_many(self, step: str, rows: Iterable[tuple[str, str, Mapping[str, str], Mapping[str, Any] | None]]) -> None:
        """Set records of ``step`` aside in the ledger (on disk) until :meth:`promote_staged`: for outputs that
        are moved into place together at the end of the step (the site). One transaction."""
        if self.ledger is None:
            return
        with self.ledger.transaction():
            for accession, digest, files, data in rows:
                self.ledger.stage_output(step, accession, digest, files, data=data, now=self.now)

    def promote_staged(self, step: str) -> None:
        """Make the records :meth:`stage_many` set aside ``step``'s own (call once the outputs are in place)."""
        if self.ledger is not None:
            self.ledger.promote_staged(step)
            self._records.pop(step, None)

    def discard_staged(self, step: str) -> None:
        """Drop records set aside for ``step`` and never promoted (a build killed before its outputs moved)."""
        if self.ledger is not None:
            self.ledger.discard_staged(step)

    def withdrawn(self, step: str, present: Iterable[str]) -> list[OutputRecord]:
        """What ``step`` recorded for accessions no longer in the catalogue."""
        keep = set(present)
        return [r for acc, r in sorted(self.records(step).items()) if acc not in keep]

    def remove_outputs(self, step: str, record: OutputRecord, out: Path, *, keep: Callable[[str], bool] | None = None) -> int:
        """Delete the files ``step`` recorded for a withdrawn item (and folders left empty), then forget them.

        Returns the number of files removed. Paths are taken relative to ``out`` and never leave it."""
        removed = self.remove_files(record.files, out, keep=keep)
        if self.ledger is not None:
            self.ledger.forget_output(step, record.accession)
        return removed

    def remove_files(self, rels: Iterable[str], out: Path, *, keep: Callable[[str], bool] | None = None) -> int:
        """Delete these outputs (files or folders, relative to ``out``) and folders left empty; the number removed.
        Paths never leave ``out`` (a link planted on the way is not followed)."""
        removed = 0
        root = out.resolve()
        for rel in sorted(rels, reverse=True):
            if keep is not None and keep(rel):
                continue
            target = out / rel
            try:
                resolved_parent = target.parent.resolve()
            except OSError:
                continue
            if root != resolved_parent and root not in resolved_parent.parents:
                continue  # a recorded path that leaves OUT (a link planted since): never followed
            try:
                if target.is_dir() and not target.is_symlink():
                    shutil.rmtree(target)
                else:
                    target.unlink()
                removed += 1
            except FileNotFoundError:
                pass
            parent = target.parent
            while parent != out and parent.resolve() != root:
                try:
                    parent.rmdir()
                except OSError:
                    break
                parent = parent.parent
        return removed
