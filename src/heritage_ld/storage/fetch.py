"""A remote catalogue's media file as a build task finds it, on whichever machine the task runs.

The machine that reads a remote catalogue keeps a mirror of it (:func:`heritage_ld.pipeline.remote.local_catalogue`);
a task sent to a worker on another machine (a Dask cluster with no shared file system) finds no such mirror
there. Tasks that read media are therefore given a :class:`RemoteFile` instead of a path: it names the file on the
store and where the mirror holds it, with the size and modification time the build read (the mirror gives each
file the store's own time). :meth:`RemoteFile.path` gives a local file with those bytes:

- the mirror's copy, when it is on this machine unchanged (same size and time): the machine that mirrored the
  catalogue, or a worker sharing its file system, reads nothing from the store;
- else this machine's copy fetched earlier (``<cache>/fetched/``, named by a digest of the URL, size and time:
  a file changed on the store gets a new name, never an old copy);
- else it is fetched now: downloaded beside its final name, its size checked, then renamed into place (a killed
  download leaves no file under the final name). Its size and time on the store are checked first: a file
  replaced on the store since the build read the catalogue stops the task with ``S009`` rather than build from
  other bytes.

Only the files a worker's tasks read are fetched, once per machine. Decoders (pyvips, Pillow, pdfium) and the
format identification need a seekable local file; the bags step streams a payload file from the store instead
(:func:`heritage_ld.bags.store_writer`) when the worker has no local copy.
"""

from __future__ import annotations

import hashlib
import os
import stat
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO, cast

from heritage_ld.problems import Location, report
from heritage_ld.storage.store import Store, StoreError
from heritage_ld.storage.sync import remote_mtime_ns

__all__ = ["FETCHED", "RemoteFile", "cache_root", "local_path"]

#: The folder under the cache root where workers keep the media files they fetched.
FETCHED = "fetched"


def cache_root() -> Path:
    """The local cache folder: ``$HERITAGE_LD_CACHE``, else ``$XDG_CACHE_HOME/heritage-ld``, else
    ``~/.cache/heritage-ld`` (read on the machine that asks: each worker has its own)."""
    if os.environ.get("HERITAGE_LD_CACHE"):
        return Path(os.environ["HERITAGE_LD_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "heritage-ld"


@dataclass(frozen=True, slots=True)
class RemoteFile:
    """A media file of a remote catalogue: ``url`` on the store, ``local`` in the reading machine's mirror,
    where it has ``size`` bytes and the modification time ``mtime_ns`` (the store's, given by the mirror).

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
        return key + PurePosixPath(self.url).suffix.lower()

    def mirrored(self) -> Path | None:
        """The mirror's copy when it is on this machine as the build read it, else ``None``."""
        try:
            st = os.stat(self.local)
        except OSError:
            return None
        if stat.S_ISREG(st.st_mode) and st.st_size == self.size and st.st_mtime_ns == self.mtime_ns:
            return Path(self.local)
        return None

    def copy_here(self, cache: Path | None = None) -> Path | None:
        """A local copy already on this machine (the mirror's, or one fetched before), else ``None``."""
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
        parent, _, leaf = self.url.rpartition("/")
        stream = Store.from_url(parent).open_read(leaf)
        if getattr(stream, "size", self.size) != self.size:
            stream.close()
            raise StoreError([report("S009", Location(self.url), reason="it changed on the store since the build "
                                     "read the catalogue")])
        return cast(BinaryIO, stream)

    def path(self, cache: Path | None = None) -> Path:
        """A local file with this file's bytes: the mirror's, this machine's fetched copy, or one fetched now
        into ``cache`` (default :func:`cache_root`).

        Raises:
            StoreError: the store cannot be reached (``S002``), or the file changed on it since the build read
                the catalogue, or the download came short (``S009``).
        """
        here = self.copy_here(cache)
        if here is not None:
            return here
        target = self._target(cache)
        name = target.name
        parent, _, leaf = self.url.rpartition("/")
        store = Store.from_url(parent)
        info = store.info(leaf)
        when = remote_mtime_ns(info) if info is not None else None
        if info is None or int(info.get("size") or 0) != self.size or (when is not None and when != self.mtime_ns):
            raise StoreError([report("S009", Location(self.url), reason="it changed on the store since the build "
                                     "read the catalogue" if info is not None else "it is gone from the store")])
        target.parent.mkdir(parents=True, exist_ok=True)
        # one name per fetch: two tasks of one machine (threads of one process too) may fetch the same file at once
        part = target.with_name(f".{name}.{uuid.uuid4().hex}.part")
        try:
            store.get_files([(leaf, part)])
            got = part.stat().st_size
            if got != self.size:
                raise StoreError([report("S009", Location(self.url), reason=f"{got} bytes came of {self.size}")])
            os.replace(part, target)
        finally:
            part.unlink(missing_ok=True)
        return target


def local_path(source: Path | RemoteFile, cache: Path | None = None) -> Path:
    """``source`` itself when it is a local path, else :meth:`RemoteFile.path`."""
    return source.path(cache) if isinstance(source, RemoteFile) else source
