"""Run every ``benchmarks/*_bench.py`` module's ``main(argv)`` in one process tree, side by side with the peers.

    python -m benchmarks                 # everything, at the sizes the issues name
    python -m benchmarks --quick         # small sizes, for a quick check
    python -m benchmarks rdf bags        # only these (module names without _bench)
    python -m benchmarks dask storage --items 10000   # the item count of the benchmarks that take one

Each module prints its figures and ratios; results are also written as JSON to ``build/bench/<name>.json``.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path

#: Options that take a value as the next argument (``--items 10000``); ``--items=10000`` works everywhere.
_VALUED = frozenset({"--items", "--server"})


def _modules() -> list[str]:
    here = Path(__file__).parent
    return sorted(m.name[: -len("_bench")] for m in pkgutil.iter_modules([str(here)]) if m.name.endswith("_bench"))


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    available = _modules()
    if "-h" in args or "--help" in args:  # never start a benchmark of several minutes by asking how to run one
        print((__doc__ or "").strip())
        print(f"\nbenchmarks: {', '.join(available)}; each module's docstring names its own options.")
        return 0
    names: list[str] = []
    flags: list[str] = []
    for arg in args:
        # The value of an option given as "--items 10000" belongs to the option, not to the benchmark names.
        value = bool(flags) and flags[-1] in _VALUED
        (flags if arg.startswith("-") or value else names).append(arg)
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
