"""A location on object storage (``s3://bucket/prefix``, ``memory://x``, any fsspec protocol) as a small value.

The code base works on :class:`pathlib.Path`; this layer is the one place that knows fsspec. A :class:`Store`
holds only strings (protocol, root, options), never an open connection, so it pickles to worker processes and
Dask workers; each process makes its own fsspec file system on first use (fsspec caches instances).

Credentials are never passed or stored here: the backend reads its usual environment variables and config files
(for S3: ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_PROFILE``, ``AWS_ENDPOINT_URL``, ``~/.aws/``;
fsspec's ``FSSPEC_S3_*`` variables). Messages never quote them (:func:`redact`).
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from heritage_ld.errors import HeritageLDError
from heritage_ld.problems import Location, Problem, report

__all__ = ["CHUNK", "PART", "Store", "StoreError", "is_url", "redact", "resolve"]

#: Bytes read or written at a time (streaming, never whole files).
CHUNK = 1 << 20
#: Files up to this size are read back in one request when their size is known (a look-up fewer per file).
SMALL = 8 << 20
#: Part size of a streamed write (S3 multipart parts must be at least 5 MiB): the memory one upload holds.
PART = 8 << 20

_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
#: Environment variables whose values are secrets (any backend); their values never appear in a message.
_USERINFO = re.compile(r"(?<=://)([^/@:\s]+):[^/@\s]+@")
_SECRET_NAMES = re.compile(r"(SECRET|TOKEN|PASSWORD|CREDENTIAL|ACCESS_KEY|_KEY$)", re.IGNORECASE)


def is_url(location: str | os.PathLike[str]) -> bool:
    """True when ``location`` names a URL (``s3://…``, ``file://…``) rather than a local path.

    >>> is_url("s3://bucket/out"), is_url("build/out"), is_url("C:/data")
    (True, False, False)
    """
    return isinstance(location, str) and _URL.match(location) is not None


def redact(text: str) -> str:
    """``text`` with the value of every secret-looking environment variable replaced by ``***``.

    >>> os.environ["HLD_DOCTEST_SECRET"] = "hunter2-abc"
    >>> redact("signature hunter2-abc refused")
    'signature *** refused'
    >>> del os.environ["HLD_DOCTEST_SECRET"]

    A password written into a URL (``ftp://user:password@host/``) is hidden too:

    >>> redact("ftp://curator:pa55@ftp.example.org/scans")
    'ftp://curator:***@ftp.example.org/scans'
    """
    text = _USERINFO.sub(r"\1:***@", text)
    for name, value in os.environ.items():
        if len(value) >= 4 and _SECRET_NAMES.search(name) and value in text:
            text = text.replace(value, "***")
    return text


class StoreError(HeritageLDError):
    """Object storage could not be reached, read or written; :attr:`problems` says where and why (S codes).
    Exit code 2."""

    exit_code = 2

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(redact("\n".join(p.render() for p in self.problems)))


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return redact(text.splitlines()[0] if text else text)


def failure(exc: BaseException, url: str, doing: str) -> StoreError:
    """The :class:`StoreError` for ``exc`` raised while ``doing`` something at ``url`` (S002/S003)."""
    url = redact(url)
    if isinstance(exc, FileNotFoundError):
        return StoreError([report("S003", Location(url), url=url, doing=doing)])
    return StoreError([report("S002", Location(url), url=url, doing=doing, reason=_reason(exc))])


#: Serialises calls to fsspec's ``memory://`` file system (see :meth:`Store._doing`).
_MEMORY_LOCK = threading.RLock()


@dataclass(frozen=True, slots=True)
class Store:
    """A folder on an fsspec file system: ``protocol`` and ``root`` (no trailing slash), e.g. ``s3`` and
    ``bucket/out``. Paths given to its methods are relative POSIX paths under the root.

    >>> s = Store.from_url("memory://doc/out/")
    >>> s.url, s.url_of("rdf/a.ttl")
    ('memory://doc/out', 'memory://doc/out/rdf/a.ttl')
    """

    protocol: str
    root: str

    @classmethod
    def from_url(cls, url: str) -> Store:
        """The store a URL names; its file system is not made (nor the backend imported) until first used."""
        m = _URL.match(url)
        if m is None:
            raise ValueError(f"{url!r} is not a URL")
        return cls(m.group(1).lower(), url[m.end():].rstrip("/"))

    @property
    def url(self) -> str:
        return f"{self.protocol}://{self.root}"

    @property
    def fs(self) -> Any:
        """The fsspec file system (made once per process: fsspec caches instances by their arguments)."""
        import fsspec

        try:
            return fsspec.filesystem(self.protocol)
        except (ImportError, ValueError) as exc:
            raise StoreError([report("S001", Location(self.url), url=self.url, protocol=self.protocol,
                                     reason=_reason(exc))]) from None

    def path(self, rel: str = "") -> str:
        """The backend path of ``rel`` (``bucket/out/rel``)."""
        return f"{self.root}/{rel}" if rel else self.root

    def url_of(self, rel: str) -> str:
        return f"{self.protocol}://{self.path(rel)}"

    def child(self, rel: str) -> Store:
        """The store of the folder ``rel`` under this one."""
        return Store(self.protocol, self.path(rel.strip("/")))

    @contextmanager
    def _doing(self, rel: str, doing: str) -> Iterator[None]:
        try:
            # fsspec's memory file system is one dict with no lock: a listing in one thread while another
            # writes fails with "dictionary changed size during iteration" (a build's threads tile and list
            # at once). Its calls are in-memory and short: they take turns.
            with _MEMORY_LOCK if self.protocol == "memory" else nullcontext():
                yield
        except StoreError:
            raise
        except Exception as exc:  # botocore, aiohttp, OSError …: one coded line, no traceback, no secret
            raise failure(exc, self.url_of(rel), doing) from None

    def open_read(self, rel: str) -> IO[bytes]:
        """A binary stream of ``rel`` (read in chunks; the backend fetches ranges as they are read)."""
        with self._doing(rel, "opening for reading"):
            f: IO[bytes] = self.fs.open(self.path(rel), "rb", block_size=CHUNK)
            return f

    def read_bytes(self, rel: str) -> bytes:
        """The whole of a small file (a tag file, collection.toml)."""
        with self._doing(rel, "reading"):
            data: bytes = self.fs.cat_file(self.path(rel))
            return data

    def read_range(self, rel: str, start: int, end: int) -> bytes:
        """Bytes ``start`` to ``end`` (exclusive) of ``rel``, in one ranged request."""
        with self._doing(rel, "reading"):
            data: bytes = self.fs.cat_file(self.path(rel), start=start, end=end)
            return data

    def write_bytes(self, rel: str, data: bytes) -> None:
        """Write a small file whole (a single PUT on S3: it appears complete or not at all)."""
        with self._doing(rel, "writing"):
            self.fs.pipe_file(self.path(rel), data)

    def write_stream(self, rel: str, chunks: Iterable[bytes | memoryview]) -> int:
        """Write ``rel`` from ``chunks`` as they come (never the whole file in memory, no temporary copy): on S3
        one ``PUT`` for a small file, a multipart upload (parts of :data:`PART` bytes) for a large one, which
        the store makes visible only once complete. Returns the bytes written.

        Should ``chunks`` raise (a source that changed, a worker stopped), the upload is abandoned (a multipart
        upload aborted), never completed with part of the file, and the exception goes on.
        """
        total = 0
        with self._doing(rel, "writing"):
            f = self.fs.open(self.path(rel), "wb", block_size=PART)
            try:
                for chunk in chunks:
                    f.write(chunk)
                    total += len(chunk)
            except BaseException:
                with suppress(Exception):
                    f.discard()
                    f.closed = True  # closing would complete the upload with what was written so far
                with suppress(Exception):
                    self.fs.rm_file(self.path(rel))
                raise
            f.close()
        return total

    def exists(self, rel: str = "") -> bool:
        with self._doing(rel, "looking up"):
            return bool(self.fs.exists(self.path(rel)))

    def info(self, rel: str) -> dict[str, Any] | None:
        """The fsspec info of one file (``size``, ``ETag`` …), fresh from the store; ``None`` when absent."""
        with self._doing(rel, "looking up"):
            self.fs.invalidate_cache(self.path(rel))
            try:
                found: dict[str, Any] = self.fs.info(self.path(rel))
            except FileNotFoundError:
                return None
        return found if found.get("type") != "directory" else None

    def listing(self, rel: str = "") -> dict[str, dict[str, Any]]:
        """Every file under ``rel`` (relative to the store's root) with its fsspec info (``size``, ``ETag``…),
        sorted. Empty when there is nothing there."""
        base = self.path(rel)
        with self._doing(rel, "listing"):
            self.fs.invalidate_cache(base)
            try:
                found: dict[str, dict[str, Any]] = self.fs.find(base, detail=True, withdirs=False)
            except FileNotFoundError:
                return {}
        prefix = base.strip("/") + "/"  # memory:// names start with '/', s3:// names do not
        return {name.lstrip("/")[len(prefix):]: info for name, info in sorted(found.items())
                if name.lstrip("/").startswith(prefix) and info.get("type") != "directory"}

    def remove(self, rels: Sequence[str]) -> None:
        """Delete files (missing ones are not an error)."""
        if not rels:
            return
        with self._doing(rels[0], "deleting"):
            try:
                self.fs.rm([self.path(r) for r in rels])
            except FileNotFoundError:  # a backend that stops at the first missing one: one at a time
                for r in rels:
                    with suppress(FileNotFoundError):
                        self.fs.rm_file(self.path(r))

    def put_files(self, pairs: Sequence[tuple[Path, str]]) -> None:
        """Upload local files to ``rel`` paths, several at once (streamed by the backend: S3 multipart for
        large files, no temporary copies)."""
        if not pairs:
            return
        with self._doing(pairs[0][1], "uploading"):
            self.fs.put([str(p) for p, _ in pairs], [self.path(r) for _, r in pairs])

    def write_many(self, files: Mapping[str, bytes]) -> None:
        """Write small files whole, several at once (one PUT each on S3, sent concurrently by s3fs)."""
        if not files:
            return
        with self._doing(next(iter(files)), "writing"):
            self.fs.pipe({self.path(rel): data for rel, data in files.items()})

    def get_files(self, pairs: Sequence[tuple[str, Path]]) -> None:
        """Download ``rel`` paths to local files, several at once (streamed)."""
        if not pairs:
            return
        for _, local in pairs:
            local.parent.mkdir(parents=True, exist_ok=True)
        with self._doing(pairs[0][0], "downloading"):
            self.fs.get([self.path(r) for r, _ in pairs], [str(p) for _, p in pairs])

    def digests(self, rel: str, algorithms: Sequence[str], *, size: int | None = None) -> list[str]:
        """The hex digests of ``rel`` with each algorithm, from one read of the store: streamed in chunks, or,
        for a file known (``size``) to be no larger than :data:`SMALL`, in one request (no separate look-up)."""
        hashers = [hashlib.new(a) for a in algorithms]
        with self._doing(rel, "reading"):
            if size is not None and size <= SMALL:
                data = self.fs.cat_file(self.path(rel))
                for h in hashers:
                    h.update(data)
            else:
                with self.fs.open(self.path(rel), "rb", block_size=PART) as f:
                    while chunk := f.read(CHUNK):
                        for h in hashers:
                            h.update(chunk)
        return [h.hexdigest() for h in hashers]


def resolve(location: str | os.PathLike[str]) -> Path | Store:
    """A local :class:`~pathlib.Path` for a path or a ``file://`` URL, else the :class:`Store` the URL names.

    >>> resolve("build/out"), resolve("file:///tmp/out"), resolve("s3://bucket/out")
    (PosixPath('build/out'), PosixPath('/tmp/out'), Store(protocol='s3', root='bucket/out'))
    """
    if isinstance(location, str) and is_url(location):
        if location.lower().startswith("file://"):
            from urllib.parse import unquote, urlsplit

            return Path(unquote(urlsplit(location).path))
        return Store.from_url(location)
    return Path(location)
