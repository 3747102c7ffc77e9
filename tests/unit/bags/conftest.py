"""Helpers for the bag tests: small source trees and hand-made bags."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest


@pytest.fixture()
def sources(tmp_path: Path) -> Path:
    """A small source folder with a sub-folder and a Vietnamese name."""
    src = tmp_path / "src"
    (src / "media").mkdir(parents=True)
    (src / "media" / "HN1972.001.tif").write_bytes(b"II*\x00" + bytes(range(256)) * 40)
    (src / "media" / "Hà Nội.jpg").write_bytes(b"\xff\xd8\xff" + b"x" * 5000)
    (src / "README.txt").write_text("Hanoi 1972\n", encoding="utf-8")
    return src


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """sha256 and mtime of every file under ``folder`` (to prove nothing changed)."""
    out = {}
    for f in sorted(folder.rglob("*")):
        if f.is_file() and not f.is_symlink():
            out[str(f.relative_to(folder))] = (hashlib.sha256(f.read_bytes()).hexdigest(), f.stat().st_mtime_ns)
    return out


def make_raw_bag(root: Path, files: dict[str, bytes], manifest_lines: list[str], *, algorithm: str = "sha256",
                 extra: dict[str, bytes] | None = None) -> Path:
    """A bag written by hand, line by line, so tests can make it wrong on purpose."""
    root.mkdir(parents=True)
    (root / "bagit.txt").write_bytes(b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (root / f"manifest-{algorithm}.txt").write_text("".join(line + "\n" for line in manifest_lines))
    for rel, data in (extra or {}).items():
        (root / rel).write_bytes(data)
    return root


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
