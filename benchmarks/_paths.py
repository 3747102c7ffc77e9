"""Where benchmarks keep their generated corpora and scratch files.

Outside the repository by default: a work tree is often watched (editors, indexers, sandboxes), and file
creation there can be ten times slower than in the system's temporary folder, which would measure the
watcher rather than the tool. ``HERITAGE_LD_BENCH_DIR`` chooses another place.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def bench_dir(*parts: str) -> Path:
    """``$HERITAGE_LD_BENCH_DIR/parts…`` (default: ``<system temp>/heritage-ld-bench``), created."""
    base = Path(os.environ.get("HERITAGE_LD_BENCH_DIR") or Path(tempfile.gettempdir()) / "heritage-ld-bench")
    path = base.joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path
