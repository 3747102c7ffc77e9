"""Hostile media files for tests, importable as ``hostile_media``: a decompression-bomb PNG, truncated images and
a broken PDF, and a way to simulate a full disk.

The bomb is a real one: a 50,000 × 50,000 1-bit PNG of zeros (2.5 billion pixels, about 300 KB), made once per
test session (about a second) and copied where a test wants it.
"""

from __future__ import annotations

import errno
import shutil
import struct
import tempfile
import zlib
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["BOMB_SIZE", "bomb_png", "disk_full", "truncate"]

BOMB_SIZE = (50_000, 50_000)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


@cache
def _bomb() -> Path:
    width, height = BOMB_SIZE
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte "none", then 1-bit pixels
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    path = Path(tempfile.mkdtemp(prefix="heritage-ld-bomb-")) / "bomb.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", data) + _chunk(b"IEND", b""))
    return path


def bomb_png(target: Path) -> Path:
    """Write the decompression-bomb PNG to ``target`` and return it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_bomb(), target)
    return target


def truncate(path: Path, keep: float = 0.5) -> Path:
    """Cut a file to ``keep`` of its length (a copy interrupted half-way)."""
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def disk_full(after: int = 0) -> Callable[..., Any]:
    """A replacement for a write function that raises ``OSError(ENOSPC)`` once it has been called ``after``
    times (the disk fills up part-way)."""
    calls = {"n": 0}

    def write(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] > after:
            raise OSError(errno.ENOSPC, "No space left on device", str(args[0]) if args else None)
        return None

    return write
