"""Format identification against PRONOM: fido first, a content-sniffing fallback, an explicit "unknown".

Every distinct file content is identified once (the caller keys the files by content digest), in parallel:
worker processes where forking is safe (fido is pure Python regular expressions, held by the GIL), else
one after the other (threads measured slower than one thread). What answered is recorded with each result: ``fido`` and its version and the PRONOM signature file's
version, or the fallback ``puremagic`` and its version (a media type, no PRONOM key), or nothing at all
(``unknown``, which the caller reports, never guesses). fido's match by file name extension alone is a guess
and is not taken: such a file goes to the fallback.
"""

from __future__ import annotations

import io
import sys
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import redirect_stderr
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any

from heritage_ld.bags.fido_match import install
from heritage_ld.bags.pool import map_spans
from heritage_ld.bags.validator import default_jobs
from heritage_ld.storage.fetch import RemoteFile

__all__ = ["PRONOM", "Identification", "ToolInfo", "identify_files", "identify_one", "tool_info"]

#: The PRONOM format IRI of a PUID (``fmt/43`` -> ``https://www.nationalarchives.gov.uk/PRONOM/fmt/43``).
PRONOM = "https://www.nationalarchives.gov.uk/PRONOM/"

#: From this many distinct contents on, worker processes pay for their start (fido loads its signatures).
_PROCESSES_FROM = 200


@dataclass(frozen=True, slots=True)
class ToolInfo:
    """A tool that identified formats, with the version of its signatures when it has some."""

    name: str
    version: str
    signatures: str = ""

    @property
    def label(self) -> str:
        """``fido 1.6.1 (PRONOM signatures v109)``."""
        return f"{self.name} {self.version}" + (f" ({self.signatures})" if self.signatures else "")


@dataclass(frozen=True, slots=True)
class Identification:
    """What one file is: a PRONOM key (``fmt/43``) and a media type, and how that was found.

    ``method`` is ``signature`` or ``container`` (fido, PRONOM), ``fallback`` (the fallback's media type only)
    or ``unknown`` (nothing matched: reported, never guessed).
    """

    puid: str = ""
    name: str = ""
    version: str = ""
    media_type: str = ""
    method: str = "unknown"
    tool: ToolInfo | None = None

    @property
    def known(self) -> bool:
        return self.method != "unknown"

    @property
    def pronom_iri(self) -> str:
        return PRONOM + self.puid if self.puid else ""


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "unknown"


@cache
def tool_info() -> tuple[ToolInfo, ToolInfo]:
    """The identification tool and the fallback, with their versions (and fido's PRONOM signature version).

    >>> fido, fallback = tool_info()
    >>> fido.name, fallback.name
    ('fido', 'puremagic')
    """
    try:
        from fido.versions import get_local_versions

        sigs = f"PRONOM signatures v{get_local_versions().pronom_version}"
    except ImportError:
        sigs = ""
    return ToolInfo("fido", _version("opf-fido"), sigs), ToolInfo("puremagic", _version("puremagic"))


_local = threading.local()


class _Fido:
    """One fido instance (not thread-safe: one per thread or process) and the matches of its last file."""

    def __init__(self) -> None:
        from fido.fido import Fido
        from fido.versions import get_local_versions

        v = get_local_versions()
        self.matches: list[tuple[Any, str]] = []
        self.kind = ""
        self.fido = Fido(quiet=True, format_files=[v.pronom_signature, v.fido_extension_signature],
                         handle_matches=self._handle)
        self.fido.containersignature_file = v.pronom_container_signature
        install(self.fido)  # fido's own matching, its patterns compiled once (bags/fido_match.py)

    def _handle(self, _name: str, matches: list[tuple[Any, str]], _delta: float, kind: str = "") -> None:
        self.matches, self.kind = list(matches), kind

    def identify(self, path: Path) -> Identification | None:
        self.matches, self.kind = [], ""
        with redirect_stderr(io.StringIO()):  # fido writes notes ("zero byte file") to stderr
            self.fido.identify_file(str(path), extension=False)
        if not self.matches or self.kind not in ("signature", "container"):
            return None
        # fido lists every match; PRONOM priorities were applied already, so several left are equally good: take
        # the lowest PUID for a deterministic answer.
        best = min(self.matches, key=lambda m: _puid_key(self.fido.get_puid(m[0])))[0]
        def text(tag: str) -> str:
            el = best.find(tag)
            return (el.text or "") if el is not None else ""
        return Identification(self.fido.get_puid(best), text("name"), text("version"), text("mime"),
                              self.kind, tool_info()[0])


def _puid_key(puid: str) -> tuple[str, int]:
    prefix, _, number = puid.partition("/")
    return prefix, int(number) if number.isdigit() else 0


def _fido() -> _Fido | None:
    if not hasattr(_local, "fido"):
        try:
            _local.fido = _Fido()
        except (ImportError, OSError):
            _local.fido = None
    found: _Fido | None = _local.fido
    return found


def _fallback(path: Path) -> Identification | None:
    try:
        import puremagic
    except ImportError:
        return None
    try:
        with redirect_stderr(io.StringIO()):
            matches = puremagic.magic_file(str(path))
    except (OSError, ValueError, puremagic.PureError):
        return None
    typed = [m for m in matches if m.mime_type]
    if not typed:
        return None
    best = max(typed, key=lambda m: (m.confidence, m.mime_type))
    return Identification("", best.name, "", best.mime_type, "fallback", tool_info()[1])


def identify_one(path: Path | str) -> Identification:
    """Identify one file: fido against PRONOM, else the fallback, else ``unknown``.

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "x.bin"; _ = p.write_bytes(b"%PDF-1.4\\n%%EOF\\n")
    >>> identify_one(p).puid.startswith("fmt/")
    True
    """
    path = Path(path)
    fido = _fido()
    found = fido.identify(path) if fido is not None else None
    return found or _fallback(path) or Identification()


#: The first bytes of the containers fido looks inside (ZIP, OLE2): their identification reads the whole file.
_CONTAINERS = (b"PK\x03\x04", b"PK\x05\x06", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")


def identify_remote(source: RemoteFile) -> Identification:
    """Identify a remote catalogue's file from its two ends, read from the store in two ranged requests: they
    are written at their places in a sparse stand-in of the file's size
    (:func:`~heritage_ld.storage.fetch.write_stand_in`), which fido and the fallback read as the file itself. A
    ZIP or OLE2 container, whose identification reads inside, is fetched whole for the time of the call; a file
    already on this machine is read there.
    """
    import tempfile

    from heritage_ld.storage.fetch import FETCHED, cache_root, write_stand_in

    here = source.copy_here()
    if here is not None:
        return identify_one(here)
    store, leaf = source.on_store()
    folder = cache_root() / FETCHED
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        # the same suffix (the fallback takes it as a hint), not the name: a key on a store may be longer than
        # a local file name can be
        stand_in = Path(tmp) / ("stand-in" + PurePosixPath(source.url).suffix[:16])
        if not write_stand_in(store, leaf, stand_in, source.size).startswith(_CONTAINERS):
            return identify_one(stand_in)
    with source.local_file() as path:
        return identify_one(path)


def _batch(paths: Sequence[Path | RemoteFile]) -> list[Identification]:
    return [identify_remote(p) if isinstance(p, RemoteFile) else identify_one(p) for p in paths]


def identify_files(files: Mapping[str, Path | str | RemoteFile], *, jobs: int | None = None,
                   mapper: Callable[[Callable[[Sequence[Path | RemoteFile]], list[Identification]],
                                     Iterable[Sequence[Path | RemoteFile]]],
                                    Iterable[list[Identification]]] | None = None) -> dict[str, Identification]:
    """Identify each file of ``files`` (key -> path; key them by content digest so that a content is identified
    once), in parallel. Returns key -> :class:`Identification`, in key order. A remote catalogue's file
    (:class:`~heritage_ld.storage.fetch.RemoteFile`) is identified where the batch runs, from its two ends read
    from the store (:func:`identify_remote`).

    ``mapper`` (an executor's ``map``, such as the build's worker processes) runs batches of files where the
    caller says; without it, worker processes are started here when there are enough files and forking is safe.
    """
    keys = sorted(files)
    paths = [f if isinstance(f := files[k], RemoteFile) else Path(f) for k in keys]
    jobs = jobs or default_jobs()
    step = max(1, min(64, len(paths) // (jobs * 4)))
    runs = [(i, min(i + step, len(paths))) for i in range(0, len(paths), step)]
    results: list[Identification] = []
    if mapper is not None:
        for done in mapper(_batch, [paths[a:b] for a, b in runs]):
            results.extend(done)
        return dict(zip(keys, results, strict=True))
    processes = (len(paths) >= _PROCESSES_FROM and jobs > 1 and sys.platform.startswith("linux")
                 and threading.active_count() == 1)
    if not processes:
        # Threads would not help: fido holds the GIL, and two threads measured 2x slower than one.
        return dict(zip(keys, _batch(paths), strict=True))
    for done in map_spans(_batch, paths, runs, jobs, processes=True, name="identify"):
        results.extend(done)
    return dict(zip(keys, results, strict=True))
