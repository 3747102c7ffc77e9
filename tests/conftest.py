"""Shared fixtures: where the conformance data and the Hanoi example are.

Conformance data lives outside the project (``../shared/conformance`` or ``$HERITAGE_LD_CONFORMANCE``); tests
that need it skip with a reason when it is absent, and fail instead when ``HERITAGE_LD_REQUIRE_CONFORMANCE=1``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from heritage_support import EXAMPLE, ROOT, conformance_root, require_conformance

__all__ = ["EXAMPLE", "ROOT", "conformance_root", "require_conformance"]


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
