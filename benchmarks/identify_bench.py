"""Format identification benchmark: ours (each distinct content once, in parallel) against fido run file by file.

    python -m benchmarks identify            # the Hanoi example's media and a synthetic 10,000-file set
    python -m benchmarks identify --quick    # the Hanoi example and 1,000 synthetic files
    python -m benchmarks identify --matching # only the matching per file (below): no fido subprocesses

Matching per file, in the same run: fido's own ``match_formats`` against ours (``bags/fido_match.py``: patterns
compiled once, signatures that cannot match skipped by ``bags/fido_prefilter.py``) on the same buffers, in one
process, CPU time per file (median of three passes), on the Hanoi media and on 200 synthetic 64 KB JPEGs
(``heritage-ld example synth -n 200 --media-size 64KB``), answers compared file by file.

Peers, in the same run: ``fido FILE`` once per file (what a script looping over a folder does; the issue's
baseline), and ``fido`` given every file in one call (its best case). Ours includes hashing every file (SHA-256,
to find the distinct contents). On the synthetic set, ``fido`` per file is timed on a sample of files and
scaled (a full run would take an hour), which the output says. Every synthetic file has distinct content (no
duplicates helping us). Results: stdout and ``build/bench/identify.json``.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import statistics
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


def _fido_pair() -> tuple[Any, Any]:
    from fido.fido import Fido
    from fido.versions import get_local_versions

    from heritage_ld.bags.fido_match import CompiledMatcher

    v = get_local_versions()
    fido = Fido(quiet=True, format_files=[v.pronom_signature, v.fido_extension_signature],
                handle_matches=lambda *a, **k: None)
    started = time.perf_counter()
    matcher = CompiledMatcher(fido)
    return fido, (matcher, time.perf_counter() - started)


def _cpu_ms(match: Any, buffers: list[tuple[bytes, bytes]], passes: int = 3) -> float:
    times = []
    for _ in range(passes):
        started = time.process_time()
        with contextlib.redirect_stderr(io.StringIO()):
            for bof, eof in buffers:
                match(bof, eof)
        times.append((time.process_time() - started) * 1000 / len(buffers))
    return statistics.median(times)


def matching(label: str, files: list[Path], fido: Any, matcher: Any) -> dict[str, Any]:
    """fido's own matching against ours, CPU ms per file, on the same buffers (read once, beforehand)."""
    buffers = []
    for f in files:
        with f.open("rb") as fh:
            bof, eof, _ = fido.get_buffers(fh, f.stat().st_size, seekable=True)
        buffers.append((bof, eof))
    with contextlib.redirect_stderr(io.StringIO()):
        same = all(fido.match_formats(b, e) == matcher.match_formats(b, e) for b, e in buffers)
    theirs = _cpu_ms(fido.match_formats, buffers[:50], passes=1)  # fido's own is slow: 50 files, one pass
    ours_ = _cpu_ms(matcher.match_formats, buffers)
    print(f"{label}: {len(files)} files, same answers as fido: {same}\n"
          f"  fido's matching  {theirs:7.2f} ms/file (CPU, {min(50, len(files))} files)\n"
          f"  ours             {ours_:7.2f} ms/file (CPU, median of 3)  -> {theirs / ours_:.1f}x", flush=True)
    return {"set": label, "files": len(files), "same_answers": same, "fido_ms": theirs, "ours_ms": ours_,
            "speedup": theirs / ours_}


def jpegs_64k(count: int = 200) -> list[Path]:
    """``heritage-ld example synth -n COUNT --media-size 64KB``'s media files."""
    from heritage_ld.synth import write_synthetic_catalogue

    folder = bench_dir("identify", f"synth-{count}-64KB")
    files = sorted(p for p in (folder / "media").rglob("*") if p.is_file())
    if len(files) != count:
        shutil.rmtree(folder)
        write_synthetic_catalogue(folder, items=count, media_size="64KB", media="jpeg")
        files = sorted(p for p in (folder / "media").rglob("*") if p.is_file())
    return files


def _matching_all() -> list[dict[str, Any]]:
    fido, (matcher, setup) = _fido_pair()
    print(f"matching per file (one process); our matcher's set-up: {setup:.2f} s", flush=True)
    hanoi = sorted((ROOT / "examples" / "hanoi-1972" / "media").iterdir())
    return [matching("hanoi-1972 media", hanoi, fido, matcher),
            matching("synthetic 64 KB JPEGs", jpegs_64k(), fido, matcher)]


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
    print(f"{fido.label}; fallback {fallback.label}; {len(os.sched_getaffinity(0))} CPUs; "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    out = ROOT / "build" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    per_file = _matching_all()
    if "--matching" in argv:
        (out / "identify.json").write_text(json.dumps({"tool": fido.label, "matching": per_file}, indent=2) + "\n")
        return 0 if all(r["same_answers"] for r in per_file) else 1
    hanoi = sorted((ROOT / "examples" / "hanoi-1972" / "media").iterdir())
    results = [_run("hanoi-1972 media", hanoi, None)]
    count = 1000 if quick else 10_000
    results.append(_run(f"synthetic {count}", synthetic(count), 100 if quick else 300))
    (out / "identify.json").write_text(json.dumps({"tool": fido.label, "matching": per_file, "results": results},
                                                  indent=2) + "\n")
    return 0 if all(r["same_answers"] for r in per_file) else 1
