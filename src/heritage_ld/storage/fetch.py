"""A remote catalogue's media file as a build task finds it, on whichever machine the task runs.

A catalogue read from object storage keeps its media files (the masters) on the store: the reading machine holds
only the catalogue's own files and the store's listing (:mod:`heritage_ld.storage.listing`). Tasks that read
media are given a :class:`RemoteFile`: the file's URL, the local path it would have in the catalogue folder, and
the size and modification time the store listed. Most readers take it as a stream
(:func:`heritage_ld.storage.listing.readable`: image headers, PDF page sizes, ``check``'s decoding, hashing for
the ledger, the site's thumbnails, PDFs published, bags written to the store) and nothing is copied. A reader
that goes through a file more than once (the tiler sending tiles to a store) reads it once into memory,
:meth:`RemoteFile.spooled` (past :data:`SPOOL` bytes into an unnamed local file). Decoders that need a local
file (PDFium for rendering, tiles written into a local folder, a bag written to a local folder, the format
identification of a ZIP or OLE2 container) get one for the time of the task, :meth:`RemoteFile.local_file`:

- a copy already on this machine: the file in the local catalogue folder, when it is there unchanged (same size
  and time: a catalogue folder shared with the store), or one kept in ``<cache>/fetched/`` by
  :meth:`RemoteFile.path` (named by a digest of the URL, size and time: a file changed on the store gets a
  new name, never an old copy);
- else a private copy fetched now and deleted when the task is done: a machine's disk holds at most the files
  its running tasks read. Its size and time on the store are checked first (a file replaced on the store since
  the build listed it stops the task with ``S009`` rather than build from other bytes) and the download's size
  after (a short one is ``S009`` too, and leaves nothing).

:meth:`RemoteFile.path` fetches a copy that is kept (for callers that want one, such as ``heritage-ld bag`` of a
single item).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO, cast

from heritage_ld.problems import Location, report
from heritage_ld.storage.store import Store, StoreError
from heritage_ld.storage.sync import remote_mtime_ns

__all__ = ["FETCHED", "IDENTIFY_SPAN", "RemoteFile", "cache_root", "local_copy", "local_path", "problem_name",
           "write_stand_in"]

#: The folder under the cache root where workers keep the media files they fetched.
FETCHED = "fetched"
#: Bytes of a file :meth:`RemoteFile.spooled` holds in memory before it spills into a private local file.
SPOOL = 64 << 20
#: What format identification reads of a file: fido reads this much from each end (its ``bufsize``).
IDENTIFY_SPAN = 128 * 1024


def cache_root() -> Path:
    """The local cache folder: ``$HERITAGE_LD_CACHE``, else ``$XDG_CACHE_HOME/heritage-ld``, else
    ``~/.cache/heritage-ld`` (read on the machine that asks: each worker has its own)."""
    if os.environ.get("HERITAGE_LD_CACHE"):
        return Path(os.environ["HERITAGE_LD_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "heritage-ld"


@dataclass(frozen=True, slots=True)
class RemoteFile:
    """A media file of a remote catalogue: ``url`` on the store, ``local`` the path it would have in the local
    catalogue folder, ``size`` bytes and the modification time ``mtime_ns`` as the store listed them.

    >>> f = RemoteFile("memory://cat/media/a.jpg", "/nowhere/media/a.jpg", 3, 1700000000000000000)
    >>> f.cached_name()
    '90ebb8734af4dc7ad284816d550f096f.jpg'
    """

    url: str
    local: str
    size: int
    mtime_ns: int

    def cached_name(self) -> str:
        """The name of this machine's fetched copy: a digest of URL, size and time, and the file's suffix
        (decoders that go by the name see the same one)."""
        key = hashlib.sha256(f"{self.url}\0{self.size}\0{self.mtime_ns}".encode()).hexdigest()[:32]
        return key + PurePosixPath(self.url).suffix.lower()[:16]  # a key's "suffix" may be longer than a name

    def mirrored(self) -> Path | None:
        """The file at ``local`` when it is on this machine as the store listed it (same size and time), else
        ``None``."""
        try:
            st = os.stat(self.local)
        except OSError:
            return None
        if stat.S_ISREG(st.st_mode) and st.st_size == self.size and st.st_mtime_ns == self.mtime_ns:
            return Path(self.local)
        return None

    def copy_here(self, cache: Path | None = None) -> Path | None:
        """A local copy already on this machine (:meth:`mirrored`, or one kept by :meth:`path`), else ``None``."""
        mirrored = self.mirrored()
        if mirrored is not None:
            return mirrored
        target = self._target(cache)
        try:
            return target if target.stat().st_size == self.size else None
        except OSError:
            return None

    def _target(self, cache: Path | None) -> Path:
        name = self.cached_name()
        return (cache if cache is not None else cache_root()) / FETCHED / name[:2] / name

    def open(self) -> BinaryIO:
        """The file on the store as a seekable stream read in ranges (for a decoder that needs only part of
        it: an image's header), never a local copy.

        Raises:
            StoreError: the store cannot be reached (``S002``), or the file there is not the size the build
                read (``S009``).
        """
        store, leaf = self.on_store()
        stream = store.open_read(leaf)
        if getattr(stream, "size", self.size) != self.size:
            stream.close()
            raise StoreError([report("S009", Location(self.url), reason="it changed on the store since the build "
                                     "read the catalogue")])
        return cast(BinaryIO, stream)

    def path(self, cache: Path | None = None) -> Path:
        """A local file with this file's bytes: the mirror's, this machine's fetched copy, or one fetched now
        into ``cache`` (default :func:`cache_root`) and kept there for later calls (:meth:`local_file` keeps none).

        Raises:
            StoreError: the store cannot be reached (``S002``), or the file changed on it since the build read
                the catalogue, or the download came short (``S009``).
        """
        here = self.copy_here(cache)
        if here is not None:
            return here
        target = self._target(cache)
        part = self._download(target.parent)
        try:
            os.replace(part, target)
        finally:
            part.unlink(missing_ok=True)
        return target

    @contextlib.contextmanager
    def local_file(self, cache: Path | None = None) -> Iterator[Path]:
        """A local file with this file's bytes for the time of a ``with`` block: a copy already on this machine
        (:meth:`copy_here`), else a private copy fetched now into ``cache`` (default :func:`cache_root`) and
        deleted when the block ends: a build's tasks keep no copy of the masters, so a machine's disk holds at
        most the files its running tasks read (docs/object-storage.md).

        Raises:
            StoreError: as :meth:`path`.
        """
        here = self.copy_here(cache)
        if here is not None:
            yield here
            return
        part = self._download((cache if cache is not None else cache_root()) / FETCHED)  # one flat folder
        try:
            yield part
        finally:
            part.unlink(missing_ok=True)

    @contextlib.contextmanager
    def spooled(self, cache: Path | None = None) -> Iterator[BinaryIO]:
        """The file's bytes as a seekable stream for the time of a ``with`` block, for a reader that goes
        through them more than once (the tiler decodes, then copies a plain JPEG's bytes): a copy already on
        this machine, opened; else the file read once from the store into memory, or, past :data:`SPOOL`
        bytes, into a private file of ``cache`` deleted after (no local file at all for most access copies).

        Raises:
            StoreError: as :meth:`path`.
        """
        import shutil
        import tempfile

        here = self.copy_here(cache)
        if here is not None:
            with open(here, "rb") as f:
                yield f
            return
        store, leaf = self._checked()
        folder = (cache if cache is not None else cache_root()) / FETCHED
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.SpooledTemporaryFile(max_size=SPOOL, mode="w+b", dir=str(folder)) as buffer:
            # as a download: a failure reading the store or spilling to a full disk is S002, naming the file
            with store.open_read(leaf) as stream, store._doing(leaf, "downloading"):
                shutil.copyfileobj(stream, buffer, 1 << 20)
            got = buffer.tell()
            if got != self.size:
                raise StoreError([report("S009", Location(self.url), reason=f"{got} bytes came of {self.size}")])
            buffer.seek(0)
            yield cast(BinaryIO, buffer)

    def on_store(self) -> tuple[Store, str]:
        """The store of the file's folder and the file's name in it.

        >>> RemoteFile("s3://museum/cat/media/a.jpg", "/x", 1, 0).on_store()
        (Store(protocol='s3', root='museum/cat/media'), 'a.jpg')
        """
        parent, _, leaf = self.url.rpartition("/")
        return Store.from_url(parent), leaf

    def _checked(self) -> tuple[Store, str]:
        """The store and the file's name there, once its size and time there are those listed (else ``S009``)."""
        store, leaf = self.on_store()
        info = store.info(leaf)
        when = remote_mtime_ns(info) if info is not None else None
        if info is None or int(info.get("size") or 0) != self.size or (when is not None and when != self.mtime_ns):
            raise StoreError([report("S009", Location(self.url), reason="it changed on the store since the build "
                                     "read the catalogue" if info is not None else "it is gone from the store")])
        return store, leaf

    def _download(self, folder: Path) -> Path:
        """Fetch the file into a new file of ``folder`` (its name unique: tasks of one machine, threads of one
        process too, may fetch the same file at once) after checking it on the store; returns that file."""
        store, leaf = self._checked()
        folder.mkdir(parents=True, exist_ok=True)
        name = self.cached_name()
        part = folder / f".{name}.{uuid.uuid4().hex}.part{PurePosixPath(name).suffix}"
        try:
            store.get_files([(leaf, part)])
            got = part.stat().st_size
            if got != self.size:
                raise StoreError([report("S009", Location(self.url), reason=f"{got} bytes came of {self.size}")])
        except BaseException:
            part.unlink(missing_ok=True)
            raise
        return part


def local_path(source: Path | RemoteFile, cache: Path | None = None) -> Path:
    """``source`` itself when it is a local path, else :meth:`RemoteFile.path`."""
    return source.path(cache) if isinstance(source, RemoteFile) else source


@contextlib.contextmanager
def local_copy(source: Path | RemoteFile, cache: Path | None = None) -> Iterator[Path]:
    """``source`` itself when it is a local path, else :meth:`RemoteFile.local_file` (a copy for the ``with`` block)."""
    if isinstance(source, RemoteFile):
        with source.local_file(cache) as path:
            yield path
    else:
        yield source


def problem_name(source: Path | RemoteFile) -> str | None:
    """How problems name ``source`` when a decoder reads it as a stream: a remote file's URL (``None`` for a
    local path, which names itself)."""
    return source.url if isinstance(source, RemoteFile) else None


def write_stand_in(store: Store, name: str, target: Path, size: int) -> bytes:
    """Write ``target``, a sparse local stand-in of the file ``name`` on ``store`` (``size`` bytes): its first and
    last :data:`IDENTIFY_SPAN` bytes at their places (two ranged reads, never the whole file), a hole between,
    which is what format identification reads of a file. Returns the first bytes."""
    head = store.read_range(name, 0, min(size, IDENTIFY_SPAN)) if size else b""
    tail_from = max(len(head), size - IDENTIFY_SPAN)
    tail = store.read_range(name, tail_from, size) if tail_from < size else b""
    with open(target, "wb") as f:
        f.write(head)
        f.truncate(size)  # a hole where the middle is: no disk used
        f.seek(tail_from)
        f.write(tail)
    return head

