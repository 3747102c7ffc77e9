"""Hostile media files for tests, importable as ``hostile_media``: a decompression-bomb PNG, truncated images and
a broken PDF, and a way to simulate a full disk.

The bomb is a real one: a 50,000 × 50,000 1-bit PNG of zeros (2.5 billion pixels, about 300 KB), made once per
test session (about a second) and copied where a test wants it.
"""

from __future__ import annotations

import atexit
import errno
import shutil
import struct
import tempfile
import zlib
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["BOMB_SIZE", "bomb_png", "disk_full", "small_catalogue", "tree", "truncate"]

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
    folder = tempfile.mkdtemp(prefix="heritage-ld-bomb-")
    atexit.register(shutil.rmtree, folder, True)  # one per test process, gone with it (not left in /tmp)
    path = Path(folder) / "bomb.png"
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


def disk_full(monkeypatch: Any, owner: Any, name: str, *, when: Callable[[str], bool] = lambda path: True,
              after: int = 0) -> dict[str, int]:
    """Make ``owner.name`` (a write function or method whose first argument, or ``self`` for a ``Path`` method,
    is the path) raise ``OSError(ENOSPC)`` for paths where ``when(path)`` holds, once it has let ``after`` such
    writes through: the disk fills up part-way. Returns the counters (``calls``, ``failed``)."""
    real = getattr(owner, name)
    counts = {"calls": 0, "failed": 0}

    def write(first: Any, *args: Any, **kwargs: Any) -> Any:
        path = str(first)
        if when(path):
            counts["calls"] += 1
            if counts["calls"] > after:
                counts["failed"] += 1
                raise OSError(errno.ENOSPC, "No space left on device")  # as write(2) reports it: no file name
        return real(first, *args, **kwargs)

    monkeypatch.setattr(owner, name, write)
    return counts


def small_catalogue(target: Path, accessions: tuple[str, ...] = ("HNM.1972.001", "HNM.1972.002", "HNM.1972.007"),
                    source: Path | None = None) -> Path:
    """A copy of the Hanoi example with only some items (and their files): quick to build."""
    import csv

    source = source or Path(__file__).resolve().parents[1] / "examples" / "hanoi-1972"
    target.mkdir(parents=True)
    shutil.copyfile(source / "collection.toml", target / "collection.toml")
    with (source / "items.csv").open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["accession"] in accessions]
        fields = list(rows[0])
    with (target / "items.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    for row in rows:
        for cell in (row["master"], row["access"]):
            for name in filter(None, cell.split("|")):
                (target / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source / name, target / name)
    return target


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by relative path, with its bytes (to compare an output before and after)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
