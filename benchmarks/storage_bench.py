"""The same build on local disk and on object storage: a synthetic catalogue built from local disk into a
local folder, then from a local S3 server (moto's ``moto_server`` on 127.0.0.1, through s3fs) into the same
server; then a rebuild with no change on each. Prints the times and the S3/local ratio.

    python -m benchmarks storage                 # 1,000 items
    python -m benchmarks storage --items 10000   # only on a quiet machine
    python -m benchmarks storage --quick         # 100 items
    python -m benchmarks storage --no-tiles      # without IIIF tiles (most of the files sent)
    python -m benchmarks storage --server s3rver --items 10000   # another local S3 server (below)

Bags are written straight to the store by the bags step (no payload in the working copy); the size of the
local working copy after the S3 build is printed beside the local OUT's.

The S3 server: ``moto`` (default; moto's ``moto_server``, installed with the test dependencies) keeps objects in
memory and answers every listing by going through all keys of the bucket, so past some 50,000 objects a build
on it grows with the square of the collection (a listing of a 5-file tile set took 0.68 s at 120,000 objects):
fine up to 2,000 items, not for 10,000. ``s3rver`` (the npm package ``s3rver`` 3.7.1, installed by this benchmark
with npm into its scratch folder) keeps objects as files, one folder per key prefix, and answers a listing by
walking only the prefix's folder, as a store with a key index would. s3rver ignores conditional writes
(``If-None-Match``), which only the build lock uses: one build at a time is not enforced there.

moto keeps objects in memory and answers on one machine: the figures bound the overhead of the storage layer
(listing, per-file requests, read-back verification of bags, the ledger copy), not a real network's latency.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from benchmarks._paths import bench_dir, item_count

EPOCH = "1700000000"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "heritage_ld", *args], env=env, capture_output=True, text=True,
                          check=False)
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return seconds, done.stdout


def _size(root: Path) -> int:
    """Bytes of the files under ``root`` (the local disk a build needs there)."""
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def _steps(stdout: str) -> dict[str, str]:
    out = {}
    for line in stdout.splitlines():
        name, sep, rest = line.partition(":")
        if sep and name.strip().isidentifier() and "[" in rest:
            out[name.strip()] = rest.rsplit("[", 1)[1].rstrip("]")
    return out


S3RVER = "s3rver@3.7.1"


def _server(argv: list[str]) -> str:
    for i, arg in enumerate(argv):
        value = arg.split("=", 1)[1] if arg.startswith("--server=") else \
            argv[i + 1] if arg == "--server" and i + 1 < len(argv) else None
        if value is not None:
            if value not in ("moto", "s3rver"):
                raise SystemExit(f"--server takes moto or s3rver, not {value!r}")
            return value
    return "moto"


def _start(kind: str, port: int, work: Path) -> tuple[subprocess.Popen[bytes], str, str]:
    """Start the S3 server ``kind`` on 127.0.0.1:``port``; returns the process and the access key and secret
    it takes."""
    if kind == "moto":
        command = [str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(port)]
        key, secret = "bench", "bench-secret"
    else:
        home = work.parent / "s3rver-server"
        program = home / "node_modules" / ".bin" / "s3rver"
        if not program.exists():
            npm = shutil.which("npm")
            if npm is None:
                raise SystemExit("--server s3rver needs Node.js and npm (Debian: apt-get install nodejs npm)")
            home.mkdir(parents=True, exist_ok=True)
            subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(home), S3RVER], check=True,
                           stdout=subprocess.DEVNULL)
        data = work / "s3rver-data"
        shutil.rmtree(data, ignore_errors=True)
        data.mkdir()
        command = [str(program), "-d", str(data), "-a", "127.0.0.1", "-p", str(port), "--silent"]
        key, secret = "S3RVER", "S3RVER"  # the only credentials s3rver takes
    # s3rver makes listing continuation tokens with DES, which OpenSSL 3 (Node.js 17 and later) only has in
    # its legacy provider: without it every listing of more than 1,000 keys fails with an internal error.
    env = {**os.environ, "NODE_OPTIONS": "--openssl-legacy-provider"} if kind == "s3rver" else None
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env), key, secret


def main(argv: list[str]) -> int:
    items = item_count(argv, 100 if "--quick" in argv else 1000)
    tiles = [] if "--no-tiles" not in argv else ["--no-tiles"]
    import s3fs

    from heritage_ld.synth import write_synthetic_catalogue

    work = bench_dir("storage", str(items))
    catalogue = work / "catalogue"
    if not (catalogue / "items.csv").exists():
        shutil.rmtree(catalogue, ignore_errors=True)
        write_synthetic_catalogue(catalogue, items=items, media_size="64KB", seed=0)
    port = _free_port()
    kind = _server(argv)
    server, key, secret = _start(kind, port, work)
    results: dict[str, Any] = {"items": items, "media_size": "64KB", "tiles": not tiles, "server": kind}
    try:
        endpoint = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(endpoint, timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        env = {**os.environ, "AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret,
               "AWS_ENDPOINT_URL": endpoint, "AWS_DEFAULT_REGION": "us-east-1", "SOURCE_DATE_EPOCH": EPOCH}
        fs = s3fs.S3FileSystem(key=key, secret=secret, endpoint_url=endpoint)
        fs.mkdir("bench")
        began = time.perf_counter()
        fs.put(str(catalogue), "bench/catalogue", recursive=True)
        results["catalogue_upload_s"] = round(time.perf_counter() - began, 2)
        for where in ("local", "s3"):
            out = work / "out-local"
            cache = work / "cache"
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(cache, ignore_errors=True)
            if where == "local":
                args = ["build", str(catalogue), "-o", str(out), "--jobs", "2", *tiles]
            else:
                fs.rm("bench/out", recursive=True) if fs.exists("bench/out") else None
                args = ["build", "s3://bench/catalogue", "-o", "s3://bench/out", "--cache", str(cache), "--jobs", "2",
                        *tiles]
            # the tasks' own copies (cache_root()) in the same folder: what the client keeps is measured whole
            full, stdout = _run(args, {**env, "HERITAGE_LD_CACHE": str(cache)})
            disk = _size(out if where == "local" else cache / "out")
            kept = {"catalogue_mb": round(_size(cache / "catalogue") / 1e6, 2),
                    "fetched_mb": round(_size(cache / "fetched") / 1e6, 2)} if where == "s3" else {}
            again, stdout2 = _run(args, {**env, "HERITAGE_LD_CACHE": str(cache)})
            results[where] = {"full_s": round(full, 2), "no_change_s": round(again, 2), "steps": _steps(stdout),
                              "no_change_steps": _steps(stdout2), "local_disk_mb": round(disk / 1e6, 1), **kept}
            print(f"{where:>5}: full build {full:7.1f} s   no-change rebuild {again:6.1f} s   "
                  f"{'OUT' if where == 'local' else 'working copy'} {disk / 1e6:.1f} MB   "
                  f"{' '.join(f'{k}={v}' for k, v in _steps(stdout).items())}", flush=True)
            if kept:
                print(f"       the client kept of the catalogue {kept['catalogue_mb']} MB (its own files and the "
                      f"listing; the catalogue is {_size(catalogue) / 1e6:.1f} MB) and {kept['fetched_mb']} MB of "
                      "fetched media", flush=True)
        results["ratio_full"] = round(results["s3"]["full_s"] / results["local"]["full_s"], 2)
        results["ratio_no_change"] = round(results["s3"]["no_change_s"] / results["local"]["no_change_s"], 2)
        print(f"S3 ({kind})/local: full {results['ratio_full']}x, no-change {results['ratio_no_change']}x "
              f"({items} items; catalogue upload to the server {results['catalogue_upload_s']} s, not counted)")
    finally:
        server.terminate()
        server.wait(10)
    report = Path("build/bench")
    report.mkdir(parents=True, exist_ok=True)
    (report / "storage.json").write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
