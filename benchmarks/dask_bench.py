"""Dask benchmark: the same full build with threads and on a 2-worker Dask LocalCluster, step by step.

    python -m benchmarks dask                  # 10,000 items with 64 KB images (the issue's size)
    python -m benchmarks dask --items 2000     # another size (or --items=2000)
    python -m benchmarks dask --quick          # 1,000 items

In one run, on a synthetic catalogue (``heritage-ld example synth``, 64 KB JPEG images):

1. this machine's cost of one Dask task (a no-op, round trip through the scheduler) on a 2-worker
   LocalCluster, one input per task and 64 per task (the executor's largest chunk): the per-task overhead the
   chunk sizes are chosen against;
2. a full build (every default step) with ``--executor threads --jobs 2``, then with ``--executor dask --jobs 2``
   (a LocalCluster of 2 worker processes started by the build: its start is part of the time), each in its own
   process, ``SOURCE_DATE_EPOCH`` set; per step, the ``StepResult.seconds`` of the build report. Goal: Dask
   within 1.25x of threads. The two outputs are compared (every file but the ledger and the RocksDB store).

Each build's wall time and peak RSS (the client process) come from ``os.wait4``; the Dask workers' peak RSS
from the workers themselves. Results also go to ``build/bench/dask.json``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks._paths import bench_dir, item_count

ROOT = Path(__file__).resolve().parents[1]

#: Run in a fresh interpreter: one build through the Python API, its step times and memory as JSON on stdout.
_DRIVER = r"""
import json, resource, sys, time
started = time.perf_counter()
from heritage_ld import read_catalogue
from heritage_ld.pipeline import build, make_executor
catalogue, out, name = sys.argv[1], sys.argv[2], sys.argv[3]
collection = read_catalogue(catalogue)
read = time.perf_counter() - started
began = time.perf_counter()
ex = make_executor(name, 2)
ready = time.perf_counter() - began
workers_mb = []
try:
    report = build(collection, out, executor=ex)
    if name == "dask":
        def peak():
            import resource
            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        workers_mb = sorted(ex.client.run(peak).values())
finally:
    ex.close()
print(json.dumps({"read_s": read, "executor_start_s": ready, "build_s": report.seconds,
                  "steps": {k: r.seconds for k, r in report.results.items()}, "workers_peak_mb": workers_mb,
                  "client_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
"""


def _build(catalogue: Path, out: Path, executor: str) -> dict[str, Any]:
    shutil.rmtree(out, ignore_errors=True)
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000", PYTHONPATH=str(ROOT / "src"))
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", _DRIVER, str(catalogue), str(out), executor],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"the {executor} build failed:\n{stderr.decode(errors='replace')[-3000:]}")
    result: dict[str, Any] = json.loads(stdout.decode().strip().splitlines()[-1])
    result["wall_s"] = wall
    return result


def _task_overhead() -> dict[str, float]:
    """Seconds per no-op task on a fresh 2-worker LocalCluster, with 1 and with 64 inputs per task."""
    from heritage_ld.pipeline.dask_executor import WINDOW_PER_WORKER, DaskExecutor
    from heritage_ld.pipeline.executor import run_chunk, windowed

    ex = DaskExecutor(2)
    try:
        list(ex.map(abs, range(200)))  # warm: the workers import what they need
        figures: dict[str, float] = {}
        for size, tasks in ((1, 2000), (64, 500)):
            started = time.perf_counter()
            send = lambda chunk: ex.client.submit(run_chunk, abs, chunk, pure=False)  # noqa: E731
            for _ in windowed(send, range(size * tasks), size=size, window=WINDOW_PER_WORKER * ex.jobs):
                pass
            figures[f"ms_per_task_{size}"] = (time.perf_counter() - started) / tasks * 1000
    finally:
        ex.close()
    return figures


def _same(a: Path, b: Path) -> list[str]:
    def files(root: Path) -> dict[str, Path]:
        return {p.relative_to(root).as_posix(): p for p in root.rglob("*") if p.is_file()
                and p.name != "ledger.sqlite3" and not p.relative_to(root).as_posix().startswith("store/")}

    fa, fb = files(a), files(b)
    return sorted(set(fa) ^ set(fb)) + [r for r in sorted(set(fa) & set(fb)) if fa[r].read_bytes() != fb[r].read_bytes()]


def main(argv: list[str]) -> int:
    n = item_count(argv, 1_000 if "--quick" in argv else 10_000)
    print(f"machine: {os.cpu_count()} CPUs; python {sys.version.split()[0]}")
    overhead = _task_overhead()
    print(f"dask task overhead on a 2-worker LocalCluster: {overhead['ms_per_task_1']:.2f} ms per no-op task, "
          f"{overhead['ms_per_task_64']:.2f} ms per task of 64 inputs ({overhead['ms_per_task_64'] / 64:.3f} ms "
          "per input)")

    base = bench_dir("dask")
    catalogue = base / f"synth-{n}"
    if not (catalogue / ".complete").exists():
        shutil.rmtree(catalogue, ignore_errors=True)
        from heritage_ld.synth import write_synthetic_catalogue

        write_synthetic_catalogue(catalogue, items=n, media_size="64KB", media="jpeg")
        (catalogue / ".complete").write_text("ok")
    threads = _build(catalogue, base / "out-threads", "threads")
    dask = _build(catalogue, base / "out-dask", "dask")
    differ = _same(base / "out-threads", base / "out-dask")

    print(f"\n{n:,} items, 64 KB images, every default step, 2 workers (threads: --jobs 2; dask: a LocalCluster "
          "of 2 processes)")
    print(f"{'step':<22} {'threads s':>10} {'dask s':>8} {'ratio':>6} {'dask ms/item':>13}")
    for step in threads["steps"]:
        t, d = threads["steps"][step], dask["steps"][step]
        print(f"{step:<22} {t:10.2f} {d:8.2f} {d / t if t else 0:6.2f} {d / n * 1000:13.2f}")
    print(f"{'executor start':<22} {threads['executor_start_s']:10.2f} {dask['executor_start_s']:8.2f}")
    print(f"{'build (report)':<22} {threads['build_s']:10.2f} {dask['build_s']:8.2f} "
          f"{dask['build_s'] / threads['build_s']:6.2f}")
    print(f"{'whole process (wall)':<22} {threads['wall_s']:10.2f} {dask['wall_s']:8.2f} "
          f"{dask['wall_s'] / threads['wall_s']:6.2f}")
    print(f"peak RSS: threads client {threads['client_peak_mb']} MB; dask client {dask['client_peak_mb']} MB, "
          f"workers {dask['workers_peak_mb']} MB")
    ratio = (dask["build_s"] + dask["executor_start_s"]) / (threads["build_s"] + threads["executor_start_s"])
    print(f"goal: dask within 1.25x of threads: {ratio:.2f}x ({'met' if ratio <= 1.25 else 'missed'}); "
          f"outputs {'byte-identical' if not differ else 'DIFFER: ' + ', '.join(differ[:5])}")
    results = {"items": n, "overhead": overhead, "threads": threads, "dask": dask, "ratio": ratio,
               "differ": differ}
    report = ROOT / "build" / "bench"
    report.mkdir(parents=True, exist_ok=True)
    (report / "dask.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0 if not differ else 1
