"""Build benchmark: full builds, incremental rebuilds and memory at collection scale, with the build ledger.

    python -m benchmarks build            # 10,000 items with 64 KB images (+ today's code), 1k/10k/100k curve
    python -m benchmarks build --quick    # 1,000 items, curve at 1k/2k/5k
    python -m benchmarks build --no-peer  # skip the build at the commit before the ledger
    python -m benchmarks build --no-100k  # skip the 100,000-item run (it takes several minutes)

In one run, on synthetic catalogues (``heritage-ld example synth``):

1. a full build of N items with 64 KB images, then rebuilds of the same folder: nothing changed, one row
   edited, one media file replaced, one item removed. The goals: no-change ≤ 5% of the full build, one edit
   ≤ 10%;
2. the same full build with the code of the commit this work started from (``PEER_COMMIT``, checked out with
   ``git worktree`` into the bench folder: today's code path, in the same run). Goal: ours ≤ 0.6× of it;
3. full builds at 1k, 10k and 100k items with ``--media none`` and the steps ``rdf,site,store`` (as the issue
   measured them) with each build's peak RSS. Goals: peak under 1 GB at 100k, and at most 1.5× the peak at 10k.

Every build runs as ``python -m heritage_ld build`` in its own process; its wall time and peak RSS come from
``os.wait4``. The floor printed beside them is this machine's rate for the work that cannot be avoided: a bare
SHA-256 pass over the media and a bare stat of every file of the output folder.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks._paths import bench_dir

#: The steps of the memory curve: those the issue measured at 20,000 items (a bag of an item without media is
#: a few empty files, whose fsyncs make 100,000 bags take longer on this VM than everything else together).
CURVE_STEPS = "rdf,site,store"

#: The last commit before the build ledger: "today's" build of the issue, measured in the same run.
PEER_COMMIT = "bd8e3fb"
ROOT = Path(__file__).resolve().parents[1]


def _tree_rss_mb(group: int) -> int:
    """RSS in MB of every process of a process group (the build and the worker processes it started)."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[2]) == group:  # field 5 of stat: the process group
                total += int(fields[21]) * os.sysconf("SC_PAGE_SIZE")  # field 24: resident pages
        except (OSError, IndexError, ValueError):
            continue
    return total // (1 << 20)


def _run(argv: list[str], *, env: dict[str, str] | None = None) -> tuple[float, int, str]:
    """Run a command in a process group of its own; return (wall seconds, peak RSS in MB of the whole group, that
    is the build and its worker processes, sampled every 0.25 s; stdout)."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.wait(0.25):
            peak = max(peak, _tree_rss_mb(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    if os.path.isdir("/proc"):
        sampler.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    stop.set()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{err.decode(errors='replace')[-2000:]}")
    # Without /proc (not Linux): the largest child so far, the best the OS tells.
    return seconds, peak or usage.ru_maxrss // 1024, out.decode(errors="replace")


#: ``  rdf: ... [5.0 s]``: a step's line in the build's output, with its time.
_STEP_LINE = re.compile(r"^\s*([a-z]+): .*\[([0-9.]+) s\]\s*$")


def _steps(stdout: str) -> dict[str, float]:
    return {m[1]: float(m[2]) for m in map(_STEP_LINE.match, stdout.splitlines()) if m}


def _build(catalogue: Path, out: Path, *extra: str, src: Path | None = None) -> tuple[float, int]:
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
    if src is not None:
        env["PYTHONPATH"] = str(src)
    seconds, rss, stdout = _run([sys.executable, "-m", "heritage_ld", "build", str(catalogue), "-o", str(out),
                                 *extra], env=env)
    steps = _steps(stdout)
    if steps:
        print(f"    {out.name} {' '.join(extra)}: {seconds:.1f} s, {rss} MB; "
              + ", ".join(f"{k} {v:.1f} s" for k, v in steps.items()), flush=True)
    STEP_TIMES.append({"out": out.name, "flags": list(extra), "seconds": seconds, "peak_mb": rss, "steps": steps})
    return seconds, rss


#: Every build of the run with its steps' times (into build.json).
STEP_TIMES: list[dict[str, Any]] = []


def _synth(folder: Path, items: int, media: str, size: str = "64KB") -> Path:
    marker = folder / ".complete"
    if not marker.exists():
        shutil.rmtree(folder, ignore_errors=True)
        from heritage_ld.synth import write_synthetic_catalogue

        write_synthetic_catalogue(folder, items=items, media_size=size, media=media)
        marker.write_text("ok")
    return folder


def _edit_row(catalogue: Path) -> None:
    path = catalogue / "items.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    col = rows[0].index("title@en")
    rows[len(rows) // 2][col] += " (edited)"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _remove_row(catalogue: Path) -> None:
    path = catalogue / "items.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    del lines[len(lines) // 3]
    path.write_text("".join(lines), encoding="utf-8")


def _replace_media(catalogue: Path) -> None:
    files = sorted((catalogue / "media").rglob("*.jpg"))
    target = files[len(files) // 4]
    data = bytearray(target.read_bytes())
    data[-3] ^= 0xFF  # a byte inside the padding before EOI: another file with the same picture
    target.write_bytes(bytes(data))


def _floors(catalogue: Path) -> dict[str, float]:
    started = time.perf_counter()
    total = 0
    for path in sorted((catalogue / "media").rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            hashlib.sha256(data).digest()
            total += len(data)
    hash_s = time.perf_counter() - started
    return {"media_mb": total / 1e6, "sha256_pass_s": hash_s, "sha256_mb_s": total / 1e6 / max(hash_s, 1e-9)}


def _stat_floor(out: Path) -> float:
    started = time.perf_counter()
    n = sum(1 for _ in out.rglob("*"))
    return (time.perf_counter() - started) + 0 * n


def _peer_src(base: Path) -> Path | None:
    """Today's code (``PEER_COMMIT``): its ``src`` and ``vocab`` extracted with ``git archive`` (no work tree)."""
    tree = base / f"peer-{PEER_COMMIT}"
    if not (tree / "src" / "heritage_ld").is_dir():
        shutil.rmtree(tree, ignore_errors=True)
        tree.mkdir(parents=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", PEER_COMMIT, "src", "vocab"],
                                 capture_output=True, check=False)
        if archive.returncode != 0:
            print(f"  (no peer: cannot read {PEER_COMMIT} from git: {archive.stderr.decode().strip()})")
            return None
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    return tree / "src"


def _set_aside(work: Path) -> list[Path]:
    """Rename the last run's ``work`` folder (and any set aside before) out of the way, to be deleted once this
    run's builds are measured."""
    aside = sorted(work.parent.glob(f"{work.name}.old-*"))
    if work.exists():
        target = work.with_name(f"{work.name}.old-{time.time_ns()}")
        work.rename(target)
        aside.append(target)
    return aside


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    n = 1_000 if quick else 10_000
    base = bench_dir("build")
    results: dict[str, Any] = {"items": n}
    print(f"machine: {os.cpu_count()} CPUs; python {sys.version.split()[0]}")

    catalogue = _synth(base / f"synth-{n}", n, "jpeg")
    floors = _floors(catalogue)
    print(f"floor: sha256 over {floors['media_mb']:.0f} MB of media {floors['sha256_pass_s']:.2f} s "
          f"({floors['sha256_mb_s']:.0f} MB/s on this machine)")
    results["floors"] = floors

    # The outputs of the last run are deleted only at the end of this one: on ext4 without a journal (this
    # machine's) a file created within about a minute of many deletions skips every recently freed inode
    # (``recently_deleted()`` in fs/ext4/ialloc.c), so the first build after deleting 10,000 items' outputs paid
    # for them and the builds measured later in the run did not (see the bags section of docs/performance.md).
    work = base / "work"
    old = _set_aside(work)
    work.mkdir()
    cat = work / "catalogue"
    shutil.copytree(catalogue, cat, ignore=shutil.ignore_patterns(".complete"))
    out = work / "out"
    rows: list[tuple[str, float, int]] = []
    full, full_rss = _build(cat, out)
    rows.append(("full build", full, full_rss))
    for label, change, flags in (("no change", None, ()), ("one row edited", _edit_row, ()),
                                 ("one media file replaced", _replace_media, ("--replace",)),  # a bag's payload
                                 ("one item removed", _remove_row, ())):
        if change is not None:
            change(cat)
        seconds, rss = _build(cat, out, *flags)
        rows.append((label, seconds, rss))
    forced, forced_rss = _build(cat, out, "--force")
    rows.append(("rebuild with --force", forced, forced_rss))
    stat_s = _stat_floor(out)

    peer = None
    if "--no-peer" not in argv:
        src = _peer_src(base)
        if src is not None:
            peer_out = work / "peer-out"
            time.sleep(65)  # out of the window of the inodes the --force build freed (see _set_aside)
            peer, peer_rss = _build(catalogue, peer_out, src=src)
            peer2, _ = _build(catalogue, peer_out, src=src)
            rows.append((f"today's code ({PEER_COMMIT}), full", peer, peer_rss))
            rows.append((f"today's code ({PEER_COMMIT}), no change", peer2, peer_rss))

    print(f"\n{n:,} items, 64 KB images, all steps (stat of the {sum(1 for _ in out.rglob('*')):,} output "
          f"entries alone: {stat_s:.2f} s)")
    print(f"{'build':<36} {'seconds':>9} {'of full':>8} {'peak MB':>8}")
    for label, seconds, rss in rows:
        print(f"{label:<36} {seconds:9.2f} {seconds / full:8.1%} {rss:8d}")
    results["rows"] = [{"build": label, "seconds": s, "peak_mb": r} for label, s, r in rows]
    goals = {"no change <= 5% of full": rows[1][1] / full, "one edit <= 10% of full": rows[2][1] / full}
    if peer:
        goals["full <= 0.6x today's"] = full / peer
    print("goals: " + "; ".join(f"{k}: {v:.3f}" for k, v in goals.items()))
    results["goals"] = goals

    curve = [1_000, 2_000, 5_000] if quick else [1_000, 10_000, 100_000]
    if "--no-100k" in argv:
        curve = [c for c in curve if c < 100_000]
    print(f"\nmemory curve (media none, steps {CURVE_STEPS}; peak RSS of the build process)")
    points = []
    for size in curve:
        folder = _synth(base / f"synth-{size}-none", size, "none")
        target = work / f"curve-{size}"
        seconds, rss = _build(folder, target, "--only", CURVE_STEPS)  # deleted with the next run's start
        points.append({"items": size, "seconds": seconds, "peak_mb": rss})
        print(f"{size:>8,} items {seconds:8.1f} s {rss:6d} MB peak")
    results["curve"] = points
    results["builds"] = STEP_TIMES
    if len(points) >= 2:
        print(f"peak at {points[-1]['items']:,} / at {points[-2]['items']:,}: "
              f"{points[-1]['peak_mb'] / points[-2]['peak_mb']:.2f}x")
    for folder in old:
        shutil.rmtree(folder, ignore_errors=True)
    report = ROOT / "build" / "bench"
    report.mkdir(parents=True, exist_ok=True)
    (report / "build.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0
