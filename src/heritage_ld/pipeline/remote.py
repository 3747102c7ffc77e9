"""Builds whose catalogue or output folder is on object storage (any fsspec URL), through local working copies.

What runs where (``docs/object-storage.md``):

- a **remote catalogue**'s own files (``collection.toml``, ``items.csv``) are brought into a local cache folder
  (only when new or changed, by size and ETag) and read as usual; its media files stay on the store, known by
  its listing (:mod:`heritage_ld.storage.listing`): checking, hashing and reading sizes stream them from the
  store, and tasks that need a local file (tiles, PDF pages, format identification) fetch one where they run
  (:mod:`heritage_ld.storage.fetch`);
- a **remote OUT** is built into a local working copy (the cache), which keeps the build ledger: SQLite needs a
  local file. The steps' workers send bags, tiles (``info.json`` last) and items' RDF straight to the store as
  they make them; after the build, only the other files whose size or modification time changed since the last
  upload are sent, deleted files are deleted (bags built in the working copy, ``bags_to_store=False``, are
  published by the rule of :mod:`heritage_ld.bags.remote`: verified on the store, ``bagit.txt`` last); then a
  consistent copy of the ledger (SQLite's backup API) is uploaded as ``OUT/ledger.sqlite3``. A machine with no
  working copy first brings OUT down from the store (with that ledger, without bags and tiles), so it continues
  where the other left off instead of rebuilding everything;
- one build of a remote OUT runs at a time: ``OUT/build.lock`` (:mod:`heritage_ld.storage.lock`).
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import sqlite3
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, replace
from pathlib import Path

from heritage_ld.decoding import DEFAULT_MAX_PIXELS
from heritage_ld.ledger import LEDGER_FILE
from heritage_ld.pipeline.build import BuildOptions, BuildReport, StepResult, build
from heritage_ld.pipeline.executor import Executor
from heritage_ld.pipeline.progress import Progress
from heritage_ld.problems import Location, report
from heritage_ld.storage import Store, StoreError, cache_root, is_url, resolve
from heritage_ld.storage.listing import write_listing
from heritage_ld.storage.lock import LOCK_FILE, BuildLock
from heritage_ld.storage.sync import SyncIndex, changes, mirror_down, upload
from heritage_ld.storage.sync import stamp as _stamp

__all__ = ["RemoteOut", "build_catalogue", "default_cache", "local_catalogue", "upload_out"]

#: The table of the uploaded ledger copy that lists the working copy's files (path, size, mtime_ns).
_WORKING_COPY = "working_copy_files"
_LEDGER_FILES = tuple(LEDGER_FILE + s for s in ("", "-journal", "-wal", "-shm", ".broken"))


def default_cache() -> Path:
    """Where working copies live unless told: ``$HERITAGE_LD_CACHE``, else ``$XDG_CACHE_HOME/heritage-ld``,
    else ``~/.cache/heritage-ld``."""
    return cache_root()


def _folder(cache: Path, kind: str, url: str) -> Path:
    """The cache folder of a URL: readable tail and a digest of the whole URL (two URLs never share one).

    >>> _folder(Path("/c"), "out", "s3://bucket/out").name
    'bucket-out-e67ce3fdad03'
    """
    tail = re.sub(r"[^A-Za-z0-9._-]+", "-", url.split("://", 1)[-1]).strip("-")[-60:]
    return cache / kind / f"{tail}-{hashlib.sha256(url.encode()).hexdigest()[:12]}"


@dataclass(frozen=True, slots=True)
class RemoteOut:
    """A remote output folder and its local working copy (``tree``, holding the ledger)."""

    store: Store
    work: Path

    @property
    def tree(self) -> Path:
        return self.work / "tree"

    @property
    def ledger(self) -> Path:
        return self.tree / LEDGER_FILE

    @classmethod
    def at(cls, store: Store, cache: Path) -> RemoteOut:
        return cls(store, _folder(cache, "out", store.url))

    def resume(self, *, bags: bool = True, tiles: bool = True) -> int:
        """With no local ledger, bring OUT (and its ledger copy) down from the store; returns files brought.

        The ledger copy carries the working copy's file sizes and modification times (table
        :data:`_WORKING_COPY`): they are given back to the files brought down, so the steps that judge their
        inputs by size and time (bags, tiles) and the next upload find everything as the other machine left it.
        ``bags=False``: ``bags/`` stays on the store (bags written straight there are not brought down);
        ``tiles=False``: of ``iiif/image/`` only each tile set's ``info.json`` comes down (tiles written straight
        there stay on the store).
        """
        copy = self.store.info(LEDGER_FILE)
        if copy is None:  # a new OUT, or one emptied on the store: everything is sent again
            (self.work / "uploaded.sqlite3").unlink(missing_ok=True)
            return 0
        if self.ledger.exists():
            if self._last_copy() == _stamp(copy):
                return 0  # the store holds what this working copy last uploaded
            # Another machine built this OUT since: its ledger and outputs are newer than this working copy,
            # which is set aside (a build from it would upload an older ledger over the newer one).
            for name in _LEDGER_FILES:
                (self.tree / name).unlink(missing_ok=True)
            (self.work / "uploaded.sqlite3").unlink(missing_ok=True)
        got, _ = mirror_down(self.store, self.tree, self.work / "resumed.sqlite3",
                             skip=functools.partial(_not_down, bags=not bags, tiles=not tiles))
        with closing(sqlite3.connect(str(self.ledger))) as db, \
                closing(SyncIndex(self.work / "uploaded.sqlite3")) as uploaded:
            try:
                rows = db.execute(f"SELECT path, size, mtime_ns FROM {_WORKING_COPY}").fetchall()
            except sqlite3.OperationalError:
                rows = []
            done = []
            for rel, size, mtime_ns in rows:
                path = self.tree / rel
                if path.is_file() and not path.is_symlink() and path.stat().st_size == size:
                    os.utime(path, ns=(mtime_ns, mtime_ns))
                    done.append((rel, size, str(mtime_ns)))
            uploaded.put(done)
            with db:
                db.execute(f"DROP TABLE IF EXISTS {_WORKING_COPY}")
        self._remember_copy()
        return got

    def _last_copy(self) -> str | None:
        try:
            return (self.work / "ledger-copy.stamp").read_text(encoding="utf-8")
        except OSError:
            return None

    def _remember_copy(self) -> None:
        """Note which ledger copy the store holds now (its ETag): the next build checks it is still that one."""
        copy = self.store.info(LEDGER_FILE)
        if copy is not None:
            (self.work / "ledger-copy.stamp").write_text(_stamp(copy), encoding="utf-8")


#: Where the tile sets are under OUT.
_TILES = "iiif/image/"


def _not_down(rel: str, *, bags: bool, tiles: bool) -> bool:
    """Not brought down by :meth:`RemoteOut.resume`: the lock of the build running (this one's), and what the
    steps write straight to the store (``bags``: ``bags/``; ``tiles``: tiles, but each set's ``info.json``,
    from which the next build and the site judge the set)."""
    return rel == LOCK_FILE or (bags and rel.startswith("bags/")) \
        or (tiles and rel.startswith(_TILES) and not rel.endswith("/info.json"))


#: Where each item's RDF files are under OUT.
_ITEM_RDF = "rdf/object/"


def _skip(rel: str, *, bags: bool = False, tiles: bool = False, rdf: bool = False) -> bool:
    """Neither sent nor deleted by :func:`upload_out`: the ledger (its copy goes up apart), the lock, and what
    the steps wrote straight to the store (a working copy made before may still hold bags or tiles, which are
    then left alone on both sides)."""
    return rel in _LEDGER_FILES or rel == LOCK_FILE or (bags and rel.startswith("bags/")) \
        or (tiles and rel.startswith(_TILES)) or (rdf and rel.startswith(_ITEM_RDF))


def _bag_of(rel: str, bags: set[str]) -> str | None:
    parts = rel.split("/")
    if len(parts) > 2 and parts[0] == "bags" and f"bags/{parts[1]}" in bags:
        return f"bags/{parts[1]}"
    return None


def upload_out(remote: RemoteOut, *, jobs: int = 8, bags_on_store: bool = False, tiles_on_store: bool = False,
               rdf_on_store: bool = False, lock: BuildLock | None = None) -> StepResult:
    """Send what changed in the working copy to the store (bags by the publication rule), then the ledger copy.

    ``bags_on_store``: the bags step wrote the bags straight to the store; ``bags/`` is left alone here.
    ``tiles_on_store``: the iiif step sent the tiles straight there; ``iiif/image/`` is left alone here.
    ``rdf_on_store``: the rdf step's workers sent each item's RDF files; ``rdf/object/`` is left alone here.
    ``lock``: the build's lock on OUT, checked before anything is sent and again before the ledger copy
    (``S008`` when another build broke it meanwhile).
    """
    from heritage_ld.bags.remote import DECLARATION, publish_bag

    began = time.perf_counter()
    if lock is not None:
        lock.check()
    tree, store = remote.tree, remote.store
    bags = {f"bags/{p.parent.name}" for p in (tree / "bags").glob(f"*/{DECLARATION}")} \
        if (tree / "bags").is_dir() and not bags_on_store else set()
    with closing(SyncIndex(remote.work / "uploaded.sqlite3")) as index:
        todo = changes(tree, index, skip=functools.partial(_skip, bags=bags_on_store, tiles=tiles_on_store,
                                                           rdf=rdf_on_store))
        by_bag: dict[str, list[str]] = {}
        plain: list[str] = []
        for rel in todo.send:
            bag = _bag_of(rel, bags)
            if bag is None:
                plain.append(rel)
            else:
                by_bag.setdefault(bag, []).append(rel[len(bag) + 1:])

        def publish(bag: str) -> int:
            return publish_bag(tree / bag, store.child(bag), changed=by_bag[bag])

        with ThreadPoolExecutor(max(1, jobs), thread_name_prefix="publish-bag") as pool:
            sent = sum(pool.map(publish, sorted(by_bag)))
        for bag in sorted(by_bag):
            index.put((f"{bag}/{r}", *todo.stamps[f"{bag}/{r}"]) for r in by_bag[bag] if f"{bag}/{r}" in todo.stamps)
        sent += upload(tree, store, plain, index, todo.stamps)
        # Declarations first: a bag withdrawn (--prune-bags) stops looking like a bag before its files go.
        gone = sorted(todo.delete, key=lambda r: (not r.endswith(f"/{DECLARATION}"), r))
        store.remove(gone)
        index.drop(gone)
    if lock is not None:
        lock.check()
    copied = _upload_ledger(remote)
    what = "bags were written to the store by the bags step" if bags_on_store else \
        f"{len(by_bag)} bags published and verified"
    if tiles_on_store:
        what += ", tiles by the iiif step"
    if rdf_on_store:
        what += ", items' RDF by the rdf step"
    summary = (f"{sent} files sent to {store.url} ({what}), "
               f"{len(gone)} deleted, {len(todo.stamps) - len(todo.send)} unchanged"
               + ("; ledger copy uploaded" if copied else ""))
    return StepResult(summary=summary, data={"sent": sent, "bags": len(by_bag), "deleted": len(gone)},
                      seconds=time.perf_counter() - began)


def _upload_ledger(remote: RemoteOut) -> bool:
    """Upload a consistent copy of the ledger (SQLite's online backup, never the live file) as OUT/ledger.sqlite3."""
    if not remote.ledger.is_file():
        return False
    copy = remote.work / "ledger-copy.sqlite3"
    copy.unlink(missing_ok=True)
    with closing(sqlite3.connect(f"{remote.ledger.resolve().as_uri()}?mode=ro", uri=True)) as src, \
            closing(sqlite3.connect(str(copy))) as dst:
        src.backup(dst)
        with closing(SyncIndex(remote.work / "uploaded.sqlite3")) as index, dst:
            dst.execute(f"CREATE TABLE {_WORKING_COPY} (path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER)")
            dst.executemany(f"INSERT INTO {_WORKING_COPY} VALUES (?, ?, ?)",
                            ((rel, size, int(stamp)) for rel, (size, stamp) in sorted(index.all().items())))
    remote.store.put_files([(copy, LEDGER_FILE)])
    copy.unlink()
    remote._remember_copy()
    return True


def _local(location: str | os.PathLike[str], cache: Path, kind: str) -> tuple[Path, Store | None]:
    where = resolve(location)
    if isinstance(where, Path):
        return where, None
    return _folder(cache, kind, where.url) / "tree", where


def _cache(cache: str | os.PathLike[str] | None) -> Path:
    if cache is not None and is_url(cache):
        raise StoreError([report("S006", Location(str(cache)), option="--cache", value=str(cache))])
    return Path(cache) if cache is not None else default_cache()


def local_catalogue(catalogue: str | os.PathLike[str], *, cache: str | os.PathLike[str] | None = None) -> Path:
    """The local folder to read the catalogue ``catalogue`` from: itself, or for a URL a folder in ``cache``
    holding the catalogue's own files (:data:`~heritage_ld.catalogue.check.CATALOGUE_FILES`, downloaded when new
    or changed on the store) and beside it the store's listing of every other file
    (:mod:`heritage_ld.storage.listing`): media files are read from the store as they are needed, never copied
    here whole.

    Raises:
        StoreError: nothing at the URL (S003), the store cannot be reached (S002), ``cache`` is a URL (S006).
    """
    from heritage_ld.catalogue.check import CATALOGUE_FILES

    source, store = _local(catalogue, _cache(cache), "catalogue")
    if store is not None:
        listing = store.listing()
        if not listing:
            raise StoreError([report("S003", Location(store.url), url=store.url, doing="reading the catalogue")])
        mirror_down(store, source, source.parent / "mirror.sqlite3", listing=listing,
                    skip=lambda rel: rel not in CATALOGUE_FILES)
        write_listing(source, store.url, {rel: info for rel, info in listing.items() if rel not in CATALOGUE_FILES})
    return source


def build_catalogue(
    catalogue: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    cache: str | os.PathLike[str] | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    only: Iterable[str] | None = None,
    options: BuildOptions | None = None,
    executor: Executor | str = "threads",
    jobs: int | None = None,
    scheduler: str | None = None,
    progress: Progress | None = None,
    force: bool = False,
    verify: bool = False,
    ledger: bool = True,
    bags_to_store: bool = True,
    tiles_to_store: bool = True,
    rdf_to_store: bool = True,
    break_lock: bool = False,
) -> BuildReport:
    """Read the catalogue at ``catalogue`` and build it into ``out``; either may be a local path or an fsspec
    URL (``s3://bucket/prefix``, ``memory://…``). The other arguments are those of
    :func:`heritage_ld.build`; ``cache`` is the local folder of working copies (default :func:`default_cache`).
    With a remote OUT and ``bags_to_store`` (the default) the bags step writes each bag straight to the store
    (no copy of the payload in the working copy); ``bags_to_store=False`` builds bags in the working copy and
    publishes them after the build, as before. ``tiles_to_store`` (the default) has the iiif step send each
    image's tiles straight to the store, the working copy keeping only each tile set's ``info.json``;
    ``tiles_to_store=False`` writes them into the working copy, uploaded after the build. ``rdf_to_store`` (the
    default) has the rdf step's workers send each item's RDF files to the store as they write them (the working
    copy keeps them too); ``False`` leaves them to the upload.

    A remote OUT is built by one build at a time: the build holds ``OUT/build.lock`` from before it reads the
    store until it has uploaded (:mod:`heritage_ld.storage.lock`); ``break_lock`` takes it over from a build
    known to be gone.

    A remote OUT gets one more result, ``upload`` (what was sent). Credentials come from the backend's own
    environment variables and config files only.

    Raises:
        StoreError: the store cannot be reached (S002), the catalogue URL holds nothing (S003), an fsspec
            implementation is missing (S001), a bag read back does not match its manifests (S004, S005),
            ``cache`` is a URL (S006), another build holds OUT's lock (S007) or broke this build's (S008).
        CatalogueError, UsageError, StorageError: as :func:`heritage_ld.build`.
    """
    from heritage_ld.catalogue import read_catalogue
    from heritage_ld.pipeline.incremental import trusted_media

    base = _cache(cache)
    source = local_catalogue(catalogue, cache=base)
    target, out_store = _local(out, base, "out")
    remote = RemoteOut(out_store, target.parent) if out_store is not None else None
    lock = BuildLock(remote.store) if remote is not None else None
    if lock is not None:
        lock.acquire(break_lock=break_lock)
    try:
        if remote is not None and ledger:
            remote.resume(bags=not bags_to_store, tiles=not tiles_to_store)
        if remote is not None and bags_to_store:
            options = replace(options or BuildOptions(), remote_out=remote.store.url)
        if remote is not None and tiles_to_store:
            options = replace(options or BuildOptions(), tiles_store=remote.store.url)
        if remote is not None and rdf_to_store:
            options = replace(options or BuildOptions(), rdf_store=remote.store.url)
        trusted = trusted_media(target, source, max_pixels) if ledger and not force and not verify else None
        collection = read_catalogue(source, max_pixels=max_pixels, trusted=trusted)
        result = build(collection, target, only=only, options=options, executor=executor, jobs=jobs,
                       scheduler=scheduler, progress=progress, force=force, verify=verify, ledger=ledger)
        if remote is not None:
            result.results["upload"] = upload_out(remote, jobs=max(8, jobs or 0), bags_on_store=bags_to_store,
                                                  tiles_on_store=tiles_to_store, rdf_on_store=rdf_to_store,
                                                  lock=lock)
            result.seconds += result.results["upload"].seconds
    finally:
        if lock is not None:
            lock.release()
    if lock is not None and lock.broke is not None:
        result.warnings.append(f"took over the build lock of {out} from {lock.broke.describe()}")
    return result
