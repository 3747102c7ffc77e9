"""Bags: our writer and validator against bagit-python, side by side, plus the hash ceiling and peak memory.

    python -m benchmarks bags            # "exhibition" (300 files, 50 KB-40 MB, ~1.7 GB), "many small" (20,000 x 1-16 KB)
    python -m benchmarks bags --quick    # 30 files up to 4 MB, 2,000 small files
    python -m benchmarks bags --rounds=7 --corpus=many-small   # more rounds (default 5), one corpus

Corpora are generated once into ``$HERITAGE_LD_BENCH_DIR/bags/`` (see ``benchmarks/_paths.py``). Both tools use sha256+sha512 and two
workers: bagit-python copies the sources then runs ``make_bag(processes=2)``; validation is
``Bag.validate(processes=2)`` against ``validate_bag(jobs=2)``. Every figure is the median of ``--rounds`` runs
(5 by default) taken in alternating order, beside floors measured in the same rounds.
"""

from __future__ import annotations

import hashlib
import json
import math
import multiprocessing
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

from benchmarks._paths import bench_dir
from heritage_ld.bags.pool import spans

ROOT = Path(__file__).resolve().parents[1]
DATA = bench_dir("bags")
ALGORITHMS = ("sha256", "sha512")
#: The goals of #15, as (write, validate) times over the floors measured in the same run: the copying floor for
#: writing, the hashing floor for validating.
FLOOR_GOALS = {"exhibition": (1.1, 1.1), "many small": (1.3, 1.15)}
MB = 1_000_000


def _block(seed: int, size: int = 1 << 20) -> bytes:
    return random.Random(seed).randbytes(size)


def _generate(name: str, sizes: list[int]) -> Path:
    folder = DATA / name
    marker = folder / ".complete"
    if marker.is_file() and marker.read_text() == str(sum(sizes)):
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    block = _block(len(sizes))
    for i, size in enumerate(sizes):
        sub = folder / f"part-{i % 20:02d}"
        sub.mkdir(exist_ok=True)
        with open(sub / f"file-{i:05d}.bin", "wb") as f:
            f.write(i.to_bytes(8, "big"))
            left = size - 8
            while left > 0:
                chunk = block[: min(left, len(block))]
                f.write(chunk)
                left -= len(chunk)
    marker.write_text(str(sum(sizes)))
    return folder


def corpora(quick: bool) -> dict[str, Path]:
    rng = random.Random(1972)
    n, top = (30, 4 * MB) if quick else (300, 40 * MB)
    low = 50_000
    exhibition = [int(math.exp(rng.uniform(math.log(low), math.log(top)))) for _ in range(n)]
    small = [rng.randint(1_000, 16_000) for _ in range(2_000 if quick else 20_000)]
    return {"exhibition": _generate(f"exhibition{'-quick' if quick else ''}", exhibition),
            "many small": _generate(f"many-small{'-quick' if quick else ''}", small)}


_CEILING_BUFFER = b""


def _hash_for_ceiling(passes: int) -> int:
    buf = _CEILING_BUFFER  # made by the parent before the fork: not timed
    a, b = hashlib.sha256(), hashlib.sha512()
    for _ in range(passes):
        a.update(buf)
        b.update(buf)
    return passes * len(buf)


def hash_ceiling(workers: int, passes: int = 96) -> float:
    """MB/s of sha256+sha512 over one in-memory 4 MiB buffer (the tools' chunk size), in ``workers`` processes.

    Processes (not threads) and 384 MB per worker: each core's real rate, with no GIL hand-offs. The buffer
    stays in the CPU cache, as a tool's read buffer does, so this is what hashing alone can do; the best of
    two runs, so that a moment of steal time on a shared VM does not lower the ceiling.
    """
    global _CEILING_BUFFER
    _CEILING_BUFFER = _CEILING_BUFFER or _block(7, 4 << 20)
    best = 0.0
    ctx = multiprocessing.get_context("fork")
    for _ in range(2):
        with ctx.Pool(workers) as pool:
            pool.map(abs, range(workers))  # workers started before the clock
            started = time.perf_counter()
            total = sum(pool.map(_hash_for_ceiling, [passes] * workers))
            best = max(best, total / MB / (time.perf_counter() - started))
    return best


def _hash_files(paths: list[str]) -> int:
    buf = memoryview(bytearray(4 << 20))
    for path in paths:
        a, b = hashlib.sha256(), hashlib.sha512()
        fd = os.open(path, os.O_RDONLY)
        while n := os.readv(fd, [buf]):
            a.update(buf[:n])
            b.update(buf[:n])
        os.close(fd)
        a.hexdigest()
        b.hexdigest()
    return len(paths)


def floor_hash(corpus: Path, workers: int = 2) -> float:
    """The least any validator does: open, read, sha256+sha512 and close every file, in ``workers`` forked
    processes, largest files first in the validator's batches (64 files or 8 MiB); no listing, no manifest, no comparison."""
    files = sorted((f for f in corpus.rglob("*.bin")), key=lambda f: -f.stat().st_size)
    paths = [str(f) for f in files]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pool.map(abs, range(workers))  # workers started before the clock
        started = time.perf_counter()
        pool.map(_hash_files, [paths[a:b] for a, b in spans([f.stat().st_size for f in files])], chunksize=1)
        return time.perf_counter() - started


def _copy_files(pairs: list[tuple[str, str]]) -> None:
    for source, target in pairs:
        src = os.open(source, os.O_RDONLY)
        dst = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        while chunk := os.read(src, 4 << 20):
            os.write(dst, chunk)
        os.close(dst)
        os.close(src)


def _copy_and_hash_files(pairs: list[tuple[str, str]]) -> None:
    for source, target in pairs:
        a, b = hashlib.sha256(), hashlib.sha512()
        src = os.open(source, os.O_RDONLY)
        dst = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        while chunk := os.read(src, 4 << 20):
            a.update(chunk)
            b.update(chunk)
            os.write(dst, chunk)
        os.close(dst)
        os.close(src)
        a.hexdigest()
        b.hexdigest()


def floor_copy_hash(corpus: Path, target: Path, workers: int = 2) -> float:
    """The copying floor with sha256+sha512 of every chunk in the same pass, in ``workers`` forked processes
    (threads would share one GIL): what any writer that records fixity does, before metadata, checks or sync."""
    files = sorted(corpus.rglob("*.bin"), key=lambda f: -f.stat().st_size)
    pairs = [(str(f), str(target / f.relative_to(corpus))) for f in files]
    for folder in sorted({f.parent for f in files}):
        (target / folder.relative_to(corpus)).mkdir(parents=True, exist_ok=True)
    os.sync()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pool.map(abs, range(workers))  # workers started before the clock
        started = time.perf_counter()
        pool.map(_copy_and_hash_files, [pairs[a:b] for a, b in spans([f.stat().st_size for f in files])],
                 chunksize=1)
        return time.perf_counter() - started


def floor_copy(corpus: Path, target: Path, workers: int = 2) -> tuple[float, float]:
    """The least any writer does: create every file and copy its bytes (open, read, write, close), on
    ``workers`` threads, largest files first in the writer's batches (64 files or 8 MiB); no hashing, no metadata,
    no sync. Returns that time and, apart, the time one ``sync`` then takes to make the copy durable (what a
    crash-safe writer adds on top: ours syncs before its rename, bagit-python never does)."""
    from concurrent.futures import ThreadPoolExecutor

    files = sorted(corpus.rglob("*.bin"), key=lambda f: -f.stat().st_size)
    pairs = [(str(f), str(target / f.relative_to(corpus))) for f in files]
    for folder in sorted({f.parent for f in files}):
        (target / folder.relative_to(corpus)).mkdir(parents=True, exist_ok=True)
    os.sync()
    with ThreadPoolExecutor(workers) as pool:
        started = time.perf_counter()
        list(pool.map(_copy_files, [pairs[a:b] for a, b in spans([f.stat().st_size for f in files])]))
        copied = time.perf_counter()
    os.sync()
    return copied - started, time.perf_counter() - copied


def _timed(fn: object) -> float:
    # Flush dirty pages first, so that one run's write-back is never charged to the next run.
    os.sync()
    started = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - started


class _Bin:
    """Where finished trees go until the corpus is done: out of the way of the timed runs.

    On a file system without a journal (ext4 ``nojournal``, as on the VM these figures come from), creating a
    file skips over every inode deleted in the last minute or five (``recently_deleted`` in
    ``fs/ext4/ialloc.c``), so creating 20,000 files right after deleting 20,000 took 2-10 s of kernel time
    instead of 0.2-1 s: whichever run came after a deletion paid for it. Trees of many files are therefore
    renamed into a bin and deleted once all the timed runs of the corpus are over; trees of few (large) files
    are deleted at once, so that the disk does not fill up.
    """

    def __init__(self, work: Path, many: int = 1000) -> None:
        self.folder, self.many, self.count = work / "bin", many, 0

    def drop(self, tree: Path, files: int) -> None:
        if not tree.exists():
            return
        if files < self.many:
            shutil.rmtree(tree)
            return
        self.folder.mkdir(exist_ok=True)
        self.count += 1
        tree.rename(self.folder / f"{self.count}")

    def empty(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def compare(name: str, corpus: Path, work: Path, rounds: int = 5) -> dict[str, Any]:
    """Median of ``rounds`` runs of each measurement, in alternating order, each write into a new folder."""
    import bagit

    from heritage_ld.bags import validate_bag, write_bag

    files = [f for f in corpus.rglob("*") if f.is_file() and f.name != ".complete"]
    size = sum(f.stat().st_size for f in files)
    sources = [p for p in sorted(corpus.iterdir()) if p.name != ".complete"]
    trash = _Bin(work)
    times: dict[str, list[float]] = {}

    def ours_write(bag: Path) -> None:
        # describe=False: bagit-python identifies no formats; identification is measured on its own
        # (python -m benchmarks identify)
        write_bag(sources, bag, algorithms=ALGORITHMS, jobs=2, describe=False)

    def theirs_write(bag: Path) -> None:
        shutil.copytree(corpus, bag, ignore=shutil.ignore_patterns(".complete"))
        bagit.make_bag(str(bag), checksums=list(ALGORITHMS), processes=2)

    def ours_validate(bag: Path) -> None:
        assert validate_bag(bag, jobs=2).valid

    def theirs_validate(bag: Path) -> None:
        bagit.Bag(str(bag)).validate(processes=2)

    writers = [("ours", ours_write, ours_validate), ("bagit", theirs_write, theirs_validate)]
    try:
        for i in range(rounds):
            # The floors: what the file system and hashlib cost before any tool does anything of its own.
            floor_bag = work / f"{name}-floor-{i}"
            copy, sync = floor_copy(corpus, floor_bag)
            times.setdefault("floor_write", []).append(copy)
            times.setdefault("floor_sync", []).append(sync)
            trash.drop(floor_bag, len(files))
            hashed_bag = work / f"{name}-floor-hashed-{i}"
            times.setdefault("floor_write_hashed", []).append(floor_copy_hash(corpus, hashed_bag))
            trash.drop(hashed_bag, len(files))
            os.sync()
            times.setdefault("floor_validate", []).append(floor_hash(corpus))
            # Alternating order (ours first, then theirs first): the machine's noise and the page cache favour
            # neither tool.
            order = writers if i % 2 == 0 else writers[::-1]
            for who, write, _check in order:
                bag = work / f"{name}-{who}-{i}"
                times.setdefault(f"{who}_write", []).append(_timed(partial(write, bag)))
            for who, _write, check in order:
                bag = work / f"{name}-{who}-{i}"
                times.setdefault(f"{who}_validate", []).append(_timed(partial(check, bag)))
                trash.drop(bag, len(files))
    finally:
        trash.empty()
    r: dict[str, Any] = {"bytes": size, "rounds": rounds}
    for key, values in times.items():
        r[key] = statistics.median(values)
        r[f"{key}_all"] = [round(v, 4) for v in values]
    for kind in ("write", "validate"):
        r[f"{kind}_ratio"] = r[f"bagit_{kind}"] / r[f"ours_{kind}"]
        r[f"ours_{kind}_MBps"] = size / MB / r[f"ours_{kind}"]
        r[f"{kind}_over_floor"] = r[f"ours_{kind}"] / r[f"floor_{kind}"]
    r["write_over_durable_floor"] = r["ours_write"] / (r["floor_write"] + r["floor_sync"])
    r["write_over_hashed_floor"] = r["ours_write"] / r["floor_write_hashed"]
    # What a writer that records fixity and makes its copy durable cannot do without: the copy with both digests
    # in the same pass, then the sync (ours overlaps the two; the floors are measured apart, so this is the sum).
    r["write_over_durable_hashed_floor"] = r["ours_write"] / (r["floor_write_hashed"] + r["floor_sync"])
    return r


_PEAK = """
import resource, sys
from heritage_ld.bags import write_bag
write_bag([sys.argv[1]], sys.argv[2], jobs=2, describe=False)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def peak_memory(size: int, work: Path) -> float:
    """Peak resident memory (MB) of a process writing a bag of one ``size``-byte file."""
    big = work / "single" / "big.bin"
    big.parent.mkdir(parents=True, exist_ok=True)
    block = _block(3, 8 << 20)
    with open(big, "wb") as f:
        for _ in range(size // len(block)):
            f.write(block)
    out = subprocess.run([sys.executable, "-c", _PEAK, str(big.parent), str(work / "single-bag")],
                         check=True, capture_output=True, text=True)
    shutil.rmtree(work / "single-bag", ignore_errors=True)
    big.unlink()
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def _cpuinfo() -> str:
    try:
        return Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def cpu_name() -> str:
    """The CPU's model name (Linux), or the platform's processor string."""
    import platform

    for line in _cpuinfo().splitlines():
        if line.startswith("model name"):
            return line.partition(":")[2].strip()
    return platform.processor() or "unknown CPU"


def sha_extensions() -> bool:
    """Whether the CPU has SHA extensions (x86 ``sha_ni``, Arm ``sha2``): sha256 runs 3-4x faster with them."""
    flags = {w for line in _cpuinfo().splitlines() if line.startswith(("flags", "Features"))
             for w in line.partition(":")[2].split()}
    return bool(flags & {"sha_ni", "sha2"})


def hash_rates(size: int = 64 << 20) -> dict[str, float]:
    """MB/s of sha256 and sha512 on one core over an in-memory buffer (best of 3): what this machine's floors
    rest on, to read the figures of another machine against."""
    data = os.urandom(size)
    out = {}
    for algorithm in ("sha256", "sha512"):
        best = 1e9
        for _ in range(3):
            started = time.perf_counter()
            hashlib.new(algorithm, data).hexdigest()
            best = min(best, time.perf_counter() - started)
        out[algorithm] = size / MB / best
    return out


def _option(argv: list[str], name: str, default: str) -> str:
    return next((a.split("=", 1)[1] for a in argv if a.startswith(f"--{name}=")), default)


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    rounds = int(_option(argv, "rounds", "5"))
    only = _option(argv, "corpus", "")
    results: dict[str, object] = {"quick": quick, "rounds": rounds}
    ceiling1, ceiling2 = hash_ceiling(1), hash_ceiling(2)
    results["hash_ceiling_MBps"] = {"1 core": ceiling1, "2 cores": ceiling2}
    rates = hash_rates()
    results["hash_rates_MBps_one_core"] = rates
    print(f"CPU: {cpu_name()}; SHA extensions: {'yes' if sha_extensions() else 'no'}; one core: "
          + ", ".join(f"{a} {r:.0f} MB/s" for a, r in rates.items()))
    print(f"hash ceiling sha256+sha512, one pass: {ceiling1:.0f} MB/s on 1 core, {ceiling2:.0f} MB/s on 2")
    print(f"medians of {rounds} rounds; floors: copying = create+read+write+close every file (no hash, no sync), "
          "+sync = the sync that makes that copy durable, copying and hashing = the copy with sha256+sha512 in the "
          "same pass, hashing = open+read+sha256+sha512+close every file")
    with tempfile.TemporaryDirectory(dir=bench_dir()) as tmp:
        work = Path(tmp)
        for name, corpus in corpora(quick).items():
            if only and only.replace("-", " ") != name:
                continue
            r = compare(name, corpus, work, rounds)
            results[name] = r
            write_goal, validate_goal = FLOOR_GOALS[name]
            print(f"{name:>11}: {r['bytes'] / MB:8.0f} MB | write ours {r['ours_write']:6.2f} s, bagit "
                  f"{r['bagit_write']:6.2f} s ({r['write_ratio']:.2f}x) | validate ours {r['ours_validate']:6.2f} s,"
                  f" bagit {r['bagit_validate']:6.2f} s ({r['validate_ratio']:.2f}x)")
            print(f"{'':>11}  floors (same run): copying {r['floor_write']:.2f} s (+sync {r['floor_sync']:.2f} s; "
                  f"copying and hashing {r['floor_write_hashed']:.2f} s), hashing {r['floor_validate']:.2f} s "
                  f"(2 workers each) | ours / floor: write {r['write_over_floor']:.2f}x (goal <= {write_goal}x: "
                  f"{_met(r['write_over_floor'], write_goal)}; {r['write_over_durable_floor']:.2f}x copy+sync, "
                  f"{r['write_over_hashed_floor']:.2f}x copy+hash, {r['write_over_durable_hashed_floor']:.2f}x "
                  f"copy+hash+sync), validate {r['validate_over_floor']:.2f}x "
                  f"(goal <= {validate_goal}x: {_met(r['validate_over_floor'], validate_goal)})")
        if not only:
            size = (256 << 20) if quick else (4 << 30)
            peak = peak_memory(size, work)
            results["peak_memory_MB"] = {"file_bytes": size, "peak_rss_MB": peak}
            print(f"peak memory writing a bag of one {size >> 20} MiB file: {peak:.0f} MB")
    out = ROOT / "build" / "bench" / "bags.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"self peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; results in {out}")
    return 0


def _met(ratio: float, goal: float) -> str:
    return "met" if ratio <= goal else "NOT met"


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
