"""Catalogue and OUT on a real S3 API (moto_server on 127.0.0.1, s3fs): the build, bags validated on the store,
incremental uploads, a second machine continuing from the ledger copy, credentials never shown, and a bag upload
killed with SIGKILL leaving nothing that looks like a bag."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from heritage_support import EXAMPLE, free_port
from s3_support import SECRET, moto_s3, s3fs_for

EPOCH = "1700000000"


@pytest.fixture(scope="module")
def s3() -> Iterator[dict[str, str]]:
    with moto_s3() as env:
        yield env


def _cli(env: dict[str, str], *args: str, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, **env, "SOURCE_DATE_EPOCH": EPOCH}
    return subprocess.run([sys.executable, "-m", "heritage_ld", *args], env=full, capture_output=True, text=True,
                          timeout=timeout, check=False)


def _no_secret(*results: subprocess.CompletedProcess[str]) -> None:
    for r in results:
        assert SECRET not in r.stdout and SECRET not in r.stderr
        assert "Traceback" not in r.stderr


@pytest.fixture(scope="module")
def hanoi_on_s3(s3: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The Hanoi example put on the store, built from there into the store."""
    fs: Any = s3fs_for(s3)
    fs.mkdir("catalogues")
    fs.mkdir("outputs")
    fs.put(str(EXAMPLE), "catalogues/hanoi", recursive=True)
    cache = tmp_path_factory.mktemp("cache-a")
    first = _cli(s3, "build", "s3://catalogues/hanoi", "-o", "s3://outputs/hanoi", "--cache", str(cache))
    return {"fs": fs, "cache": cache, "first": first}


def test_build_from_and_to_s3(hanoi_on_s3: dict[str, Any], tmp_path: Path, s3: dict[str, str]) -> None:
    first, fs = hanoi_on_s3["first"], hanoi_on_s3["fs"]
    assert first.returncode == 0, first.stderr
    _no_secret(first)
    assert "built 36 items into s3://outputs/hanoi" in first.stdout
    # The bags step wrote every bag straight to the store (read back and verified there); the upload sent none.
    assert "written straight to s3://outputs/hanoi/bags" in first.stdout
    assert "bags were written to the store by the bags step" in first.stdout
    fs.invalidate_cache()
    names = {p.removeprefix("outputs/hanoi/") for p in fs.find("outputs/hanoi")}
    for expected in ("rdf/dataset.nt.gz", "iiif/collection.json", "iiif/HNM.1972.025/manifest.json",
                     "bags/HNM.1972.025/bagit.txt", "site/index.html", "ledger.sqlite3"):
        assert expected in names
    # The same bytes as a local build of the same catalogue (the store folder is a database: not compared).
    local = tmp_path / "local"
    built = subprocess.run([sys.executable, "-m", "heritage_ld", "build", str(EXAMPLE), "-o", str(local)],
                           env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH}, capture_output=True, text=True, check=False)
    assert built.returncode == 0, built.stderr
    local_files = {p.relative_to(local).as_posix() for p in local.rglob("*") if p.is_file()}
    compared = sorted(n for n in local_files if n.split("/")[0] in ("rdf", "iiif", "site", "bags"))
    assert compared and set(compared) <= names
    assert {n for n in names if n.split("/")[0] in ("rdf", "iiif", "site", "bags")} == set(compared)
    for rel in compared:
        assert fs.cat_file(f"outputs/hanoi/{rel}") == (local / rel).read_bytes(), rel


def test_check_a_catalogue_on_the_store(hanoi_on_s3: dict[str, Any], s3: dict[str, str], tmp_path: Path) -> None:
    result = _cli(s3, "check", "s3://catalogues/hanoi", "--cache", str(tmp_path))
    _no_secret(result)
    assert result.returncode == 0, result.stderr
    assert "s3://catalogues/hanoi: OK: 36 items in 3 sections, 69 media files" in result.stdout


def test_bags_validate_on_the_store(hanoi_on_s3: dict[str, Any], s3: dict[str, str]) -> None:
    one = _cli(s3, "bag", "validate", "s3://outputs/hanoi/bags/HNM.1972.025")
    every = _cli(s3, "bag", "validate", "--recursive", "--json", "s3://outputs/hanoi/bags")
    _no_secret(one, every)
    assert one.returncode == 0 and "valid (full;" in one.stdout
    assert every.returncode == 0, every.stdout
    assert '"valid": 36' in every.stdout and '"invalid": 0' in every.stdout


def test_ledger_copy_is_a_consistent_sqlite_file(hanoi_on_s3: dict[str, Any], tmp_path: Path) -> None:
    copy = tmp_path / "ledger.sqlite3"
    hanoi_on_s3["fs"].get("outputs/hanoi/ledger.sqlite3", str(copy))
    with sqlite3.connect(copy) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT count(*) FROM items").fetchone() == (36,)


def test_rebuild_sends_nothing_and_a_new_machine_continues(hanoi_on_s3: dict[str, Any], s3: dict[str, str],
                                                           tmp_path: Path) -> None:
    again = _cli(s3, "build", "s3://catalogues/hanoi", "-o", "s3://outputs/hanoi", "--cache", str(hanoi_on_s3["cache"]))
    assert again.returncode == 0, again.stderr
    assert "upload: 0 files sent" in again.stdout and "(36 unchanged)" in again.stdout
    # Another machine, no working copy: OUT and its ledger come down from the store, nothing is rebuilt or sent.
    other = _cli(s3, "build", "s3://catalogues/hanoi", "-o", "s3://outputs/hanoi", "--cache", str(tmp_path / "b"))
    _no_secret(again, other)
    assert other.returncode == 0, other.stderr
    assert "(36 unchanged)" in other.stdout and "upload: 0 files sent" in other.stdout
    assert "rdf: 36 items x 5 formats" in other.stdout and "(0 written, 36 unchanged)" in other.stdout


def test_an_edit_on_the_store_sends_only_what_changed(hanoi_on_s3: dict[str, Any], s3: dict[str, str]) -> None:
    fs = hanoi_on_s3["fs"]
    rows = fs.cat_file("catalogues/hanoi/items.csv").decode()
    assert "HNM.1972.025" in rows
    edited = rows.replace("Kham Thien", "Khâm Thiên", 1)
    assert edited != rows
    fs.pipe_file("catalogues/hanoi/items.csv", edited.encode())
    try:
        result = _cli(s3, "build", "s3://catalogues/hanoi", "-o", "s3://outputs/hanoi", "--cache",
                      str(hanoi_on_s3["cache"]))
        assert result.returncode == 0, result.stderr
        assert "1 updated" in result.stdout
        upload = next(line for line in result.stdout.splitlines() if line.startswith("upload:"))
        sent = int(upload.split()[1])
        first = next(line for line in hanoi_on_s3["first"].stdout.splitlines() if line.startswith("upload:"))
        # One item's files, its bag, and the collection-level files (dump, pages, the SPARQL store's database
        # files): a fraction of the first upload.
        assert 0 < sent < int(first.split()[1]) / 3, (sent, int(first.split()[1]))
        assert "bags were written to the store by the bags step" in upload
        # Only the bag's metadata changed: merged on the store (tag files), its payload not sent again.
        bags = next(line for line in result.stdout.splitlines() if line.strip().startswith("bags:"))
        assert "1 updated" in bags, bags
        events = fs.cat_file("outputs/hanoi/bags/HNM.1972.002/metadata/premis-events.ttl").decode()
        assert "metadata modification" in events and "creation" in events
        check = _cli(s3, "bag", "validate", "--recursive", "s3://outputs/hanoi/bags")
        assert check.returncode == 0
    finally:
        fs.pipe_file("catalogues/hanoi/items.csv", rows.encode())


def test_unreachable_store_is_s002_without_the_secret(s3: dict[str, str], tmp_path: Path) -> None:
    env = {**s3, "AWS_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}", "AWS_MAX_ATTEMPTS": "1",
           "AWS_RETRY_MODE": "standard"}
    result = _cli(env, "build", str(EXAMPLE), "-o", "s3://outputs/nowhere", "--cache", str(tmp_path), "--only", "rdf")
    _no_secret(result)
    assert result.returncode == 2
    assert "S002" in result.stderr
    remote_cache = _cli(s3, "build", str(EXAMPLE), "-o", "s3://outputs/x", "--cache", "s3://outputs/cache")
    assert remote_cache.returncode == 2 and "S006" in remote_cache.stderr
    missing = _cli(s3, "build", "s3://catalogues/no-such", "-o", str(tmp_path / "o"), "--cache", str(tmp_path))
    assert missing.returncode == 2 and "S003" in missing.stderr
    _no_secret(missing)


_SLOW_PUBLISH = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from heritage_ld.storage import Store
    from heritage_ld.bags.remote import publish_bag
    real = Store.put_files
    def slow(self, pairs):
        for pair in pairs:
            real(self, [pair])
            time.sleep(0.15)
    Store.put_files = slow
    publish_bag(Path(sys.argv[1]), Store.from_url(sys.argv[2]), jobs=1)
""")


def _kill_while_uploading(s3: dict[str, str], bag: Path, url: str, fs: Any, prefix: str) -> None:
    """Publish ``bag`` in a process that uploads one file every 0.15 s; SIGKILL it once it has sent five payload
    files (their modification times are after it started)."""
    began = time.time() - 1  # the store's clock has 1 s resolution
    proc = subprocess.Popen([sys.executable, "-c", _SLOW_PUBLISH, str(bag), url], env={**os.environ, **s3})
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            fs.invalidate_cache()
            found = fs.find(prefix, detail=True)
            fresh = [p for p, info in found.items() if "/data/" in p and info["LastModified"].timestamp() > began + 1]
            if len(fresh) >= 5:
                break
            assert proc.poll() is None, "the upload ended before it could be killed"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(30)
    assert proc.returncode == -signal.SIGKILL


def test_upload_killed_mid_bag_leaves_no_bag(s3: dict[str, str], tmp_path: Path) -> None:
    from heritage_ld.bags import write_bag
    from heritage_ld.bags.remote import publish_bag
    from heritage_ld.storage import Store

    fs: Any = s3fs_for(s3)
    fs.mkdir("killed")
    src = tmp_path / "src"
    src.mkdir()
    for i in range(40):
        (src / f"scan-{i:02d}.bin").write_bytes(os.urandom(20_000))
    bag = tmp_path / "bag"
    write_bag([src], bag, describe=False)

    _kill_while_uploading(s3, bag, "s3://killed/bags/new", fs, "killed/bags/new")
    fs.invalidate_cache()
    names = [p.rsplit("/", 1)[-1] for p in fs.find("killed/bags/new")]
    assert "bagit.txt" not in names and len(names) < 45
    refused = _cli(s3, "bag", "validate", "s3://killed/bags/new")
    assert refused.returncode == 1 and "B008" in refused.stderr and "bagit.txt" in refused.stderr

    # A complete bag replaced by a new version killed half-way: the old declaration is gone first, so what is
    # left is not a bag either (never old files and new mixed under a bagit.txt).
    os.environ.update(s3)
    try:
        publish_bag(bag, Store.from_url("s3://killed/bags/old"))
        assert _cli(s3, "bag", "validate", "s3://killed/bags/old").returncode == 0
        for f in src.iterdir():
            f.write_bytes(os.urandom(20_000))
        bag2 = tmp_path / "bag2"
        write_bag([src], bag2, describe=False)
        _kill_while_uploading(s3, bag2, "s3://killed/bags/old", fs, "killed/bags/old")
        fs.invalidate_cache()
        assert not fs.exists("killed/bags/old/bagit.txt")
        assert _cli(s3, "bag", "validate", "s3://killed/bags/old").returncode == 1
        # The next publish finishes it.
        publish_bag(bag2, Store.from_url("s3://killed/bags/old"))
        assert _cli(s3, "bag", "validate", "s3://killed/bags/old").returncode == 0
    finally:
        for key in s3:
            os.environ.pop(key, None)


_SLOW_BUILD = textwrap.dedent("""
    import sys, time
    from heritage_ld.storage import Store
    real = Store.put_files
    def slow(self, pairs):
        for pair in pairs:
            real(self, [pair])
            time.sleep(0.05)
    Store.put_files = slow
    from heritage_ld.cli import main
    sys.argv = ["heritage-ld", *sys.argv[1:]]
    main()
""")


def test_build_killed_during_upload_then_finished(s3: dict[str, str], tmp_path: Path) -> None:
    """A whole build killed with SIGKILL while it uploads: every prefix with a bagit.txt is a complete, valid bag;
    the next build finishes the job and every bag validates on the store."""
    from heritage_ld.synth import write_synthetic_catalogue

    fs: Any = s3fs_for(s3)
    fs.mkdir("killedbuild")
    catalogue = tmp_path / "cat"
    write_synthetic_catalogue(catalogue, items=12, media_size="16KB")
    cache = tmp_path / "cache"
    args = [str(catalogue), "-o", "s3://killedbuild/out", "--cache", str(cache), "--no-tiles", "--only", "rdf,iiif,bags"]
    env = {**os.environ, **s3, "SOURCE_DATE_EPOCH": EPOCH}
    proc = subprocess.Popen([sys.executable, "-c", _SLOW_BUILD, "build", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            fs.invalidate_cache()
            if fs.exists("killedbuild/out") and len([p for p in fs.find("killedbuild/out/bags")
                                                     if p.endswith("/bagit.txt")]) >= 3:
                break
            assert proc.poll() is None, "the build ended before it could be killed"
            time.sleep(0.1)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(30)
    fs.invalidate_cache()
    objects = fs.find("killedbuild/out/bags")
    declared = sorted({p.rsplit("/", 1)[0] for p in objects if p.endswith("/bagit.txt")})
    prefixes = sorted({"/".join(p.split("/")[:4]) for p in objects})
    assert declared and len(declared) < 12  # killed half-way through the bags
    for prefix in declared:  # whatever has a declaration is complete and valid
        check = _cli(s3, "bag", "validate", f"s3://{prefix}")
        assert check.returncode == 0, (prefix, check.stdout, check.stderr)
    for prefix in set(prefixes) - set(declared):  # the rest is refused as no bag at all
        assert _cli(s3, "bag", "validate", f"s3://{prefix}").returncode == 1
    finished = _cli(s3, "build", *args)
    assert finished.returncode == 0, finished.stderr
    every = _cli(s3, "bag", "validate", "--recursive", "--json", "s3://killedbuild/out/bags")
    assert every.returncode == 0 and '"valid": 12' in every.stdout


def test_two_machines_take_turns(s3: dict[str, str], tmp_path: Path) -> None:
    """Machine A builds, machine B builds an edit, A builds again: A notices the store moved on (the ledger copy is
    not the one it uploaded), continues from B's ledger and outputs, and redoes and sends nothing."""
    from heritage_ld.synth import write_synthetic_catalogue

    fs: Any = s3fs_for(s3)
    fs.mkdir("turns")
    catalogue = tmp_path / "cat"
    write_synthetic_catalogue(catalogue, items=6, media_size="8KB")
    out = ["-o", "s3://turns/out", "--no-tiles", "--only", "rdf,iiif,bags"]
    a = _cli(s3, "build", str(catalogue), *out, "--cache", str(tmp_path / "a"))
    assert a.returncode == 0, a.stderr
    assert "(6 created)" in a.stdout
    import csv

    with open(catalogue / "items.csv", encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = list(reader.fieldnames or ()), list(reader)
    rows[0]["title@en"] += " (edited)"
    with open(catalogue / "items.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    b = _cli(s3, "build", str(catalogue), *out, "--cache", str(tmp_path / "b"))
    assert b.returncode == 0, b.stderr
    assert "1 updated" in b.stdout
    again = _cli(s3, "build", str(catalogue), *out, "--cache", str(tmp_path / "a"))
    assert again.returncode == 0, again.stderr
    assert "(6 unchanged)" in again.stdout, again.stdout
    assert "upload: 0 files sent" in again.stdout
    every = _cli(s3, "bag", "validate", "--recursive", "--json", "s3://turns/out/bags")
    assert every.returncode == 0 and '"valid": 6' in every.stdout


def test_one_build_at_a_time_on_s3(s3: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The lock is created with If-None-Match (moto honours it as S3 does): of eight builds taking it at the same
    moment exactly one gets it; a build of a locked OUT stops with S007 naming the holder, --break-lock takes over."""
    from concurrent.futures import ThreadPoolExecutor

    from heritage_ld.storage import Store, StoreError
    from heritage_ld.storage.lock import LOCK_FILE, BuildLock, LockHolder
    from heritage_ld.synth import write_synthetic_catalogue

    for name, value in s3.items():
        monkeypatch.setenv(name, value)
    fs: Any = s3fs_for(s3)
    fs.mkdir("locks")
    store = Store.from_url("s3://locks/out")
    locks = [BuildLock(store) for _ in range(8)]

    def take(lock: BuildLock) -> bool:
        try:
            lock.acquire()
        except StoreError as exc:
            assert exc.problems[0].code == "S007"
            return False
        return True

    with ThreadPoolExecutor(8) as pool:
        won = list(pool.map(take, locks))
    assert won.count(True) == 1
    winner = locks[won.index(True)]
    assert LockHolder.parse(fs.cat_file(f"locks/out/{LOCK_FILE}")).token == winner.holder.token  # type: ignore[union-attr]
    winner.release()
    assert not fs.exists(f"locks/out/{LOCK_FILE}")

    catalogue = tmp_path / "cat"
    write_synthetic_catalogue(catalogue, items=3, media_size="4KB")
    fs.pipe_file(f"locks/out/{LOCK_FILE}", LockHolder("digitisation-2", 99, "x", "2026-11-30T08:00:00Z",
                                                      "2026-11-30T09:00:00Z").encode())
    out = ["-o", "s3://locks/out", "--only", "rdf", "--cache", str(tmp_path / "cache")]
    refused = _cli(s3, "build", str(catalogue), *out)
    _no_secret(refused)
    assert refused.returncode == 2
    assert "S007" in refused.stderr and "digitisation-2 process 99" in refused.stderr
    assert "--break-lock" in refused.stderr
    assert sorted(fs.find("locks/out")) == [f"locks/out/{LOCK_FILE}"]
    taken = _cli(s3, "build", str(catalogue), *out, "--break-lock")
    _no_secret(taken)
    assert taken.returncode == 0, taken.stderr
    assert "took over the build lock" in taken.stdout and "digitisation-2" in taken.stdout
    fs.invalidate_cache()
    assert not fs.exists(f"locks/out/{LOCK_FILE}") and fs.exists("locks/out/ledger.sqlite3")
