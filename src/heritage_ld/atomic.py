"""Replacing a file so that readers see the old bytes or the new, never half of them.

Used for bag tag files, the RDF the build writes and the site's snapshot that a running ``heritage-ld serve``
re-reads: the bytes go to a new hidden temporary file beside the target (``.NAME.PID-RANDOM.tmp``), created
exclusively and never through a link, which then replaces it with ``os.replace``. A process killed before the
replace leaves its temporary behind: :func:`remove_stale_temporaries` removes those of processes that are no
longer running, and nothing else.

>>> import tempfile
>>> from pathlib import Path
>>> target = Path(tempfile.mkdtemp()) / "a" / "b.txt"
>>> write_atomic(target, b"new", durable=False)
>>> target.read_bytes(), [p.name for p in target.parent.iterdir()]
(b'new', ['b.txt'])
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from pathlib import Path

__all__ = ["fsync_dir", "remove_stale_temporaries", "temporary_path", "write_atomic"]

#: The name of a temporary of this tool: ``.NAME.PID.tmp`` (a file, or a folder being filled).
_TEMPORARY = re.compile(r"^\.(?P<name>.+)\.(?P<pid>[0-9]+)(-[0-9a-f]+)?\.tmp$")


def temporary_path(path: Path) -> Path:
    """The hidden temporary name of ``path`` for this process: ``.NAME.PID.tmp`` in the same folder.

    >>> temporary_path(Path("rdf/dataset.nt.gz")).name == f".dataset.nt.gz.{os.getpid()}.tmp"
    True
    """
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name != "posix":  # pragma: no cover - os.kill(pid, 0) would end the process on Windows
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists but belongs to another user
        return True
    return True


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Remove the temporaries (``.NAME.PID.tmp``, files or folders) that a process no longer running left in
    ``folder`` (not in its sub-folders); return what was removed. Anything else is never touched, nor the
    temporaries of a process still running (another build writing the same folder).

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> for name in (".a.ttl.999999999.tmp", ".b.ttl.1.tmp.keep", "c.tmp", f".d.{os.getpid()}.tmp"):
    ...     _ = (d / name).write_bytes(b"")
    >>> [p.name for p in remove_stale_temporaries(d)]
    ['.a.ttl.999999999.tmp']
    >>> sorted(p.name for p in d.iterdir()) == [".b.ttl.1.tmp.keep", f".d.{os.getpid()}.tmp", "c.tmp"]
    True
    """
    removed: list[Path] = []
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except FileNotFoundError:
        return removed
    for entry in entries:
        match = _TEMPORARY.match(entry.name)
        if match is None or _running(int(match["pid"])):
            continue
        path = Path(entry.path)
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def fsync_dir(path: Path) -> None:
    """``fsync`` a folder (its entries: names created or renamed in it)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write ``data`` to ``path`` through a temporary file and ``os.replace``: readers see old or new.

    ``durable`` also ``fsync``s the data before the replace (a power cut leaves old or new on disk too).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    # A fresh name, created exclusively and never through a link: a leftover or planted ".NAME.PID.tmp" link
    # can not redirect the write (writes into an existing bag go through heritage_ld.bags.safe_write).
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    for attempt in range(10):
        tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(tmp, flags, 0o644)
            break
        except FileExistsError:
            if attempt == 9:
                raise
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        if durable:
            os.fsync(fd)
    except BaseException as exc:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.filename is None:  # os.write names no file: say which it was
            exc.filename = str(path)
        raise
    os.close(fd)
    os.replace(tmp, path)
