"""Shared fixtures: where the conformance data and the Hanoi example are.

Conformance data lives outside the project (``../shared/conformance`` or ``$HERITAGE_LD_CONFORMANCE``); tests
that need it skip with a reason when it is absent, and fail instead when ``HERITAGE_LD_REQUIRE_CONFORMANCE=1``.
"""

from __future__ import annotations

import os
import shutil
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


@pytest.fixture(scope="session")
def conformance() -> Path:
    """The root of the conformance data (skips/fails when absent)."""
    return require_conformance(".")


@pytest.fixture(scope="session")
def example_dir() -> Path:
    """The Hanoi 1972 example catalogue (read-only: copy it before changing anything)."""
    return EXAMPLE


@pytest.fixture()
def example_copy(tmp_path: Path) -> Path:
    """A private copy of the Hanoi example that a test may change."""
    dst = tmp_path / "hanoi-1972"
    shutil.copytree(EXAMPLE, dst)
    return dst
