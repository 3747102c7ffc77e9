"""Replacing a file so that readers see the old bytes or the new, never half of them.

Used for bag tag files, the RDF the build writes and the site's snapshot that a running ``heritage-ld serve``
re-reads: the bytes go to a new hidden temporary file beside the target (``.NAME.PID-RANDOM.tmp``), which then
replaces it with ``os.replace``.

>>> import tempfile
>>> from pathlib import Path
>>> target = Path(tempfile.mkdtemp()) / "a" / "b.txt"
>>> write_atomic(target, b"new", durable=False)
>>> target.read_bytes(), [p.name for p in target.parent.iterdir()]
(b'new', ['b.txt'])
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

__all__ = ["write_atomic"]


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
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    os.close(fd)
    os.replace(tmp, path)
