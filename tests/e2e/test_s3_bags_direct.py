"""Bags written straight to a real S3 API (moto_server on 127.0.0.1, s3fs) by the bags step's workers: no
payload in the local working copy, valid on the store and with bagit-python after download, withdrawn bags kept
or pruned, and a worker process killed mid-upload leaving no bag that looks complete."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from s3_support import moto_s3, s3fs_for

EPOCH = "1700000000"


@pytest.fixture(scope="module")
def s3() -> Iterator[dict[str, str]]:
    with moto_s3() as env:
        yield env


def _cli(env: dict[str, str], *args: str, extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, **env, "SOURCE_DATE_EPOCH": EPOCH, **(extra or {})}
    return subprocess.run([sys.executable, "-m", "heritage_ld", *args], env=full, capture_output=True, text=True,
                          timeout=600, check=False)


def _catalogue(tmp_path: Path, items: int, size: str = "16KB") -> Path:
    from heritage_ld.synth import write_synthetic_catalogue

    catalogue = tmp_path / "cat"
    write_synthetic_catalogue(catalogue, items=items, media_size=size)
    return catalogue


def _drop_first_item(catalogue: Path) -> str:
    with open(catalogue / "items.csv", encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = list(reader.fieldnames or ()), list(reader)
    with open(catalogue / "items.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows[1:])
    return rows[0]["accession"]


def test_bags_straight_to_the_store(s3: dict[str, str], tmp_path: Path) -> None:
    """Valid on the store, valid with bagit-python once downloaded, the same bytes as a local build, no payload
    in the working copy; a withdrawn item's bag kept, then removed with --prune-bags."""
    import bagit

    fs: Any = s3fs_for(s3)
    fs.mkdir("direct")
    catalogue = _catalogue(tmp_path, 5)
    cache = tmp_path / "cache"
    args = ["build", str(catalogue), "-o", "s3://direct/out", "--cache", str(cache), "--no-tiles",
            "--only", "rdf,iiif,bags", "--executor", "processes", "--jobs", "2"]
    built = _cli(s3, *args)
    assert built.returncode == 0, built.stderr
    assert "5 bags (5 written)" in built.stdout and "written straight to s3://direct/out/bags" in built.stdout
    every = _cli(s3, "bag", "validate", "--recursive", "--json", "s3://direct/out/bags")
    assert every.returncode == 0 and '"valid": 5' in every.stdout, every.stdout

    # No payload (nor any bag) in the working copy: only what the other steps wrote, and the ledger.
    work = next((cache / "out").iterdir()) / "tree"
    assert (work / "ledger.sqlite3").is_file() and (work / "rdf").is_dir()
    assert not (work / "bags").exists()
    # (the IIIF step's image copies under iiif/ are its own output, not bag payload)
    assert not [p for p in work.rglob("*") if p.suffix in (".jpg", ".tif", ".png") and "iiif" not in p.parts]
    assert not [p for p in work.rglob("*") if p.name in ("bagit.txt", "manifest-sha256.txt")]

    local = tmp_path / "local"
    done = _cli(s3, "build", str(catalogue), "-o", str(local), "--no-tiles", "--only", "rdf,iiif,bags")
    assert done.returncode == 0, done.stderr
    fs.invalidate_cache()
    for bag in sorted((local / "bags").iterdir()):
        files = sorted(p.relative_to(bag).as_posix() for p in bag.rglob("*") if p.is_file())
        remote = sorted(p.removeprefix(f"direct/out/bags/{bag.name}/") for p in fs.find(f"direct/out/bags/{bag.name}"))
        assert remote == files, bag.name
        for rel in files:  # tag files and payload, byte for byte
            assert fs.cat_file(f"direct/out/bags/{bag.name}/{rel}") == (bag / rel).read_bytes(), (bag.name, rel)
        down = tmp_path / "down" / bag.name
        fs.get(f"direct/out/bags/{bag.name}", str(down), recursive=True)
        (down / "data").mkdir(exist_ok=True)
        bagit.Bag(str(down)).validate()

    again = _cli(s3, *args)
    assert again.returncode == 0 and "(5 unchanged)" in again.stdout, again.stdout
    gone = sorted((local / "bags").iterdir())[0].name
    fs.invalidate_cache()
    _drop_first_item(catalogue)
    kept = _cli(s3, *args)
    assert kept.returncode == 0, kept.stderr
    assert "1 bags of withdrawn items kept" in kept.stdout
    fs.invalidate_cache()
    assert fs.exists(f"direct/out/bags/{gone}/bagit.txt")
    pruned = _cli(s3, *args, "--prune-bags")
    assert pruned.returncode == 0, pruned.stderr
    assert "1 bags of withdrawn items removed" in pruned.stdout
    fs.invalidate_cache()
    assert not fs.exists(f"direct/out/bags/{gone}/bagit.txt") and not fs.find(f"direct/out/bags/{gone}")


#: Imported by every Python process the build starts (workers included): each streamed write goes slowly, so
#: that a worker can be killed while it uploads a bag.
_SLOW = textwrap.dedent("""
    import os, time
    if os.environ.get("HLD_TEST_SLOW_STREAM"):
        from heritage_ld.storage import store as _store
        _real = _store.Store.write_stream
        def _slow(self, rel, chunks):
            time.sleep(float(os.environ["HLD_TEST_SLOW_STREAM"]))
            return _real(self, rel, chunks)
        _store.Store.write_stream = _slow
""")


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return out + [g for c in out for g in _children(c)]


def test_worker_killed_mid_upload_leaves_no_bag_then_next_build_completes(s3: dict[str, str], tmp_path: Path) -> None:
    fs: Any = s3fs_for(s3)
    fs.mkdir("killedworker")
    catalogue = _catalogue(tmp_path, 8)
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(_SLOW)
    args = ["build", str(catalogue), "-o", "s3://killedworker/out", "--cache", str(tmp_path / "cache"),
            "--no-tiles", "--only", "rdf,iiif,bags", "--executor", "processes", "--jobs", "2"]
    env = {**os.environ, **s3, "SOURCE_DATE_EPOCH": EPOCH, "HLD_TEST_SLOW_STREAM": "0.3",
           "PYTHONPATH": os.pathsep.join([str(hooks), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-m", "heritage_ld", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    killed = None
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and killed is None:
            fs.invalidate_cache()
            data = [p for p in (fs.find("killedworker/out/bags") if fs.exists("killedworker/out") else [])
                    if "/data/" in p]
            workers = _children(proc.pid)
            if data and workers:
                killed = workers[-1]
                os.kill(killed, signal.SIGKILL)  # one worker, in the middle of writing bags
            assert proc.poll() is None, "the build ended before a worker could be killed"
            time.sleep(0.05)
        _, stderr = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert killed is not None
    assert proc.returncode == 2 and "Traceback" not in stderr, stderr
    fs.invalidate_cache()
    objects = fs.find("killedworker/out/bags")
    declared = sorted({p.rsplit("/", 1)[0] for p in objects if p.endswith("/bagit.txt")})
    prefixes = sorted({"/".join(p.split("/")[:4]) for p in objects})
    assert len(declared) < 8
    for prefix in declared:  # whatever has a declaration is complete and valid
        assert _cli(s3, "bag", "validate", f"s3://{prefix}").returncode == 0, prefix
    for prefix in set(prefixes) - set(declared):  # the rest is refused: no bag at all
        assert _cli(s3, "bag", "validate", f"s3://{prefix}").returncode == 1, prefix
    finished = _cli(s3, *args)
    assert finished.returncode == 0, finished.stderr
    every = _cli(s3, "bag", "validate", "--recursive", "--json", "s3://killedworker/out/bags")
    assert every.returncode == 0 and '"valid": 8' in every.stdout, every.stdout
