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


def item_count(argv: list[str], default: int) -> int:
    """The item count given as ``--items N`` or ``--items=N`` (``1,000`` and ``10_000`` read too), else
    ``default``.

    >>> item_count(["--items", "10,000"], 5), item_count(["--items=200"], 5), item_count([], 5)
    (10000, 200, 5)
    """
    for i, arg in enumerate(argv):
        if arg.startswith("--items="):
            value = arg.split("=", 1)[1]
        elif arg == "--items" and i + 1 < len(argv):
            value = argv[i + 1]
        else:
            continue
        try:
            return int(value.replace(",", "").replace("_", ""))
        except ValueError:
            raise SystemExit(f"--items takes a number of items, not {value!r}") from None
    return default
