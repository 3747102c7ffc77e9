"""Where the conformance data and the Hanoi example are, importable from any test as ``heritage_support``.

(A module of its own: ``from conftest import …`` picks whichever ``conftest.py`` was imported first.)
Conformance data lives outside the project (``../shared/conformance`` or ``$HERITAGE_LD_CONFORMANCE``); tests
that need it skip with a reason when it is absent, and fail instead when ``HERITAGE_LD_REQUIRE_CONFORMANCE=1``.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "hanoi-1972"


def conformance_root() -> Path | None:
    """The conformance folder, or ``None`` when it cannot be found."""
    env = os.environ.get("HERITAGE_LD_CONFORMANCE")
    candidates = [Path(env)] if env else []
    candidates += [ROOT.parent / "shared" / "conformance", ROOT.parents[1] / "shared" / "conformance"]
    for c in candidates:
        if (c / "README.md").is_file():
            return c
    return None


def require_conformance(sub: str) -> Path:
    """The conformance sub-folder ``sub``; skip (or fail under HERITAGE_LD_REQUIRE_CONFORMANCE=1) when absent."""
    root = conformance_root()
    path = root / sub if root else None
    if path is None or not path.exists():
        reason = (
            f"conformance data {sub!r} not found (looked in $HERITAGE_LD_CONFORMANCE and ../shared/conformance)"
        )
        if os.environ.get("HERITAGE_LD_REQUIRE_CONFORMANCE") == "1":
            pytest.fail(reason + " but HERITAGE_LD_REQUIRE_CONFORMANCE=1")
        pytest.skip(reason)
    return path


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (for servers the tests start)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def read_rows(catalogue: Path) -> tuple[list[str], list[dict[str, str]]]:
    """The header and rows of a catalogue's ``items.csv`` (to edit it in a test)."""
    import csv

    with open(catalogue / "items.csv", encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or ()), list(reader)


def write_rows(catalogue: Path, fields: list[str], rows: list[dict[str, str]]) -> None:
    """Write ``items.csv`` back with ``rows`` (an edit, a withdrawal)."""
    import csv

    with open(catalogue / "items.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
