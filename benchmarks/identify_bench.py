"""Format identification benchmark: ours (each distinct content once, in parallel) against fido run file by file.

    python -m benchmarks identify            # the Hanoi example's media and a synthetic 10,000-file set
    python -m benchmarks identify --quick    # the Hanoi example and 1,000 synthetic files

Peers, in the same run: ``fido FILE`` once per file (what a script looping over a folder does; the issue's
baseline), and ``fido`` given every file in one call (its best case). Ours includes hashing every file (SHA-256,
to find the distinct contents). On the synthetic set, ``fido`` per file is timed on a sample of files and
scaled (a full run would take an hour), which the output says. Every synthetic file has distinct content (no
duplicates helping us). Results: stdout and ``build/bench/identify.json``.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from PIL import Image

from benchmarks._paths import bench_dir
from heritage_ld.bags.identify import identify_files, tool_info

ROOT = Path(__file__).resolve().parents[1]
FIDO = shutil.which("fido") or str(Path(sys.executable).with_name("fido"))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ours(files: list[Path]) -> dict[str, Any]:
    started = time.perf_counter()
    by_digest: dict[str, Path] = {}
    for f in files:
        by_digest.setdefault(_sha256(f), f)
    found = identify_files(by_digest)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "distinct": len(by_digest),
            "unknown": sum(not i.known for i in found.values()),
            "puids": sorted({i.puid or i.media_type or "unknown" for i in found.values()})}


def fido_one_by_one(files: list[Path], sample: int | None = None) -> dict[str, Any]:
    chosen = files if sample is None or sample >= len(files) else files[:: max(1, len(files) // sample)][:sample]
    started = time.perf_counter()
    for f in chosen:
        subprocess.run([FIDO, "-q", str(f)], check=True, capture_output=True)
    seconds = time.perf_counter() - started
    return {"seconds": seconds * len(files) / len(chosen), "timed_files": len(chosen),
            "scaled": len(chosen) != len(files)}


def fido_one_call(files: list[Path]) -> dict[str, Any]:
    listing = bench_dir("identify") / "files.txt"
    listing.write_text("".join(f"{f}\n" for f in files), encoding="utf-8")
    started = time.perf_counter()
    subprocess.run([FIDO, "-q", "-input", str(listing)], check=True, capture_output=True)
    return {"seconds": time.perf_counter() - started}


def synthetic(count: int) -> list[Path]:
    """``count`` files of distinct content: JPEG, TIFF, PDF, text and bytes no signature matches."""
    folder = bench_dir("identify", f"synthetic-{count}")
    files = sorted(folder.glob("*"))
    if len(files) == count:
        return files
    shutil.rmtree(folder)
    folder.mkdir(parents=True)
    jpeg, tiff = io.BytesIO(), io.BytesIO()
    Image.new("RGB", (64, 48), (120, 80, 40)).save(jpeg, "JPEG")
    Image.new("RGB", (64, 48), (40, 80, 120)).save(tiff, "TIFF")
    pdf = (ROOT / "examples" / "hanoi-1972" / "media" / "HNM.1972.007.pdf").read_bytes()
    kinds = [("jpg", jpeg.getvalue()), ("tif", tiff.getvalue()), ("pdf", pdf), ("txt", b"Hanoi 1972\n"),
             ("bin", bytes(range(7, 250)))]
    for n in range(count):
        ext, data = kinds[n % len(kinds)]
        # a unique tail: JPEG and PDF readers ignore bytes after the end marker, TIFF after its last IFD
        tail = b"\n%% " + str(n).encode() + b"\n" if ext != "txt" else f"item {n}\n".encode()
        (folder / f"f{n:05d}.{ext}").write_bytes(data + tail)
    return sorted(folder.glob("*"))


def _run(label: str, files: list[Path], sample: int | None) -> dict[str, Any]:
    ours_ = ours(files)
    one = fido_one_by_one(files, sample)
    batch = fido_one_call(files)
    result = {"set": label, "files": len(files), "ours": ours_, "fido_per_file": one, "fido_one_call": batch,
              "speedup_vs_per_file": one["seconds"] / ours_["seconds"],
              "speedup_vs_one_call": batch["seconds"] / ours_["seconds"]}
    scaled = f" (timed on {one['timed_files']} files, scaled)" if one["scaled"] else ""
    print(f"{label}: {len(files)} files, {ours_['distinct']} distinct, {ours_['unknown']} unknown\n"
          f"  ours (hash + identify in parallel) {ours_['seconds']:8.2f} s\n"
          f"  fido per file                     {one['seconds']:8.2f} s{scaled}  -> {result['speedup_vs_per_file']:.1f}x\n"
          f"  fido, one call for all files      {batch['seconds']:8.2f} s  -> {result['speedup_vs_one_call']:.1f}x",
          flush=True)
    return result


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    fido, fallback = tool_info()
    print(f"{fido.label}; fallback {fallback.label}; {len(os.sched_getaffinity(0))} CPUs", flush=True)
    hanoi = sorted((ROOT / "examples" / "hanoi-1972" / "media").iterdir())
    results = [_run("hanoi-1972 media", hanoi, None)]
    count = 1000 if quick else 10_000
    results.append(_run(f"synthetic {count}", synthetic(count), 100 if quick else 300))
    out = ROOT / "build" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "identify.json").write_text(json.dumps({"tool": fido.label, "results": results}, indent=2) + "\n")
    return 0
