"""Run every ``benchmarks/*_bench.py`` module's ``main(argv)`` in one process tree, side by side with the peers.

    python -m benchmarks                 # everything, at the sizes the issues name
    python -m benchmarks --quick         # small sizes, for a quick check
    python -m benchmarks rdf bags        # only these (module names without _bench)

Each module prints its figures and ratios; results are also written as JSON to ``build/bench/<name>.json``.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path


def _modules() -> list[str]:
    here = Path(__file__).parent
    return sorted(m.name[: -len("_bench")] for m in pkgutil.iter_modules([str(here)]) if m.name.endswith("_bench"))


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    names = [a for a in args if not a.startswith("-")]
    flags = [a for a in args if a.startswith("-")]
    available = _modules()
    unknown = [n for n in names if n not in available]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available)}", file=sys.stderr)
        return 2
    status = 0
    for name in names or available:
        print(f"== {name} " + "=" * (70 - len(name)), flush=True)
        started = time.perf_counter()
        module = importlib.import_module(f"benchmarks.{name}_bench")
        rc = int(module.main(flags) or 0)
        print(f"== {name}: {time.perf_counter() - started:.1f} s (exit {rc})", flush=True)
        status = status or rc
    return status


if __name__ == "__main__":
    raise SystemExit(main())
