"""Workers with no shared file system: the Hanoi example read from and built into S3 (moto_server) on a Dask
scheduler whose 2 workers run in their own mount namespace, where the client's cache folder (the catalogue's
own files and listing, OUT's working copy) is an empty tmpfs, as on another machine. The outputs on the store
must be byte-identical to a build on threads; the workers read media from the store, keep no copy of them and
nothing in a working copy of their own; the client keeps no media file.

Needs ``unshare`` and the right to mount (root, as in CI); skipped with the reason otherwise.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from heritage_ld.catalogue.check import CATALOGUE_FILES
from heritage_ld.ledger import Ledger
from heritage_ld.storage.listing import LISTING
from heritage_support import EXAMPLE
from s3_support import SECRET, moto_s3, s3fs_for

pytest.importorskip("distributed", reason="the dask executor needs 'heritage-ld[dask]'")

EPOCH = "1700000000"


def _hiding() -> str | None:
    """Why a worker cannot be given its own view of the file system here, or ``None`` when it can."""
    if not sys.platform.startswith("linux") or shutil.which("unshare") is None:
        return "needs Linux's unshare (util-linux)"
    probe = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c",
                            "mount -t tmpfs tmpfs /mnt"], capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        return f"cannot make a mount namespace here (root is needed): {probe.stderr.strip()[:200]}"
    return None


@pytest.fixture(scope="module")
def s3() -> Iterator[dict[str, str]]:
    with moto_s3() as env:
        yield env


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "heritage_ld", *args], env={**os.environ, **env,
                          "SOURCE_DATE_EPOCH": EPOCH}, capture_output=True, text=True, timeout=900, check=False)


def _files(fs: Any, prefix: str) -> dict[str, bytes]:
    """Every file under ``prefix`` on the store but those that differ from one run to the next whatever the
    executor (the ledger copy, the lock, the SPARQL store's RocksDB files)."""
    out = {}
    for name in fs.find(prefix):
        rel = name[len(prefix) + 1:]
        if rel not in ("ledger.sqlite3", "build.lock") and not rel.startswith("store/"):
            out[rel] = fs.cat_file(name)
    return out


def test_workers_without_the_client_files_build_the_same(s3: dict[str, str], tmp_path: Path) -> None:
    why = _hiding()
    if why is not None:
        pytest.skip(why)
    from dask_cluster import scheduler_processes

    fs: Any = s3fs_for(s3)
    fs.mkdir("cat")
    fs.mkdir("out")
    fs.put(str(EXAMPLE), "cat/hanoi", recursive=True)

    reference = _cli(s3, "build", "s3://cat/hanoi", "-o", "s3://out/threads", "--cache", str(tmp_path / "ref"),
                     "--executor", "threads", "-q")
    assert reference.returncode == 0, reference.stderr

    client_cache = tmp_path / "client-cache"  # hidden from the workers by an empty tmpfs
    client_cache.mkdir()
    workers = [tmp_path / f"worker-{n}" for n in range(2)]
    wrap = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
            'mount -t tmpfs tmpfs "$0" && exec "$@"', str(client_cache)]
    with scheduler_processes(tmp_path / "logs", wrap=wrap,
                             worker_env=lambda n: {**s3, "HERITAGE_LD_CACHE": str(workers[n])}) as address:
        done = _cli(s3, "build", "s3://cat/hanoi", "-o", "s3://out/dask", "--cache", str(client_cache),
                    "--executor", "dask", "--scheduler", address)
        # nothing changed: nothing is redone (the workers hashed the media from the store: the ledger knows them)
        again = _cli(s3, "build", "s3://cat/hanoi", "-o", "s3://out/dask", "--cache", str(client_cache),
                     "--executor", "dask", "--scheduler", address)
        from distributed import Client

        with Client(address, set_as_default=False) as client:  # what the workers see of the client's cache
            seen = client.run(os.listdir, str(client_cache))
    assert seen and all(names == [] for names in seen.values()), seen
    assert (client_cache / "catalogue").is_dir() and (client_cache / "out").is_dir()
    assert done.returncode == 0, done.stderr
    assert SECRET not in done.stdout + done.stderr
    assert again.returncode == 0, again.stderr
    assert "(36 unchanged)" in again.stdout and "upload: 0 files sent" in again.stdout, again.stdout

    assert _files(fs, "out/dask") == _files(fs, "out/threads")
    # every master hashed (on the workers, streamed from the store): the ledger knows each one's digest, so an
    # edit is seen
    ledger = Ledger.read_only(next((client_cache / "out").iterdir()) / "tree")
    assert ledger is not None
    known = {rel: sha for rel, (_, _, sha) in ledger.media().items()}
    ledger.close()
    masters = {p.relative_to(EXAMPLE).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
               for p in (EXAMPLE / "media").rglob("*") if p.is_file()}
    assert known and all(masters[rel] == sha for rel, sha in known.items())
    # the workers fetched for each task what it read (tiles: pyvips reads a file) and deleted it after: nothing
    # kept, no copy, no working copy or catalogue of their own
    assert not [p for w in workers for p in w.rglob("*") if p.is_file()]
    # the client kept the catalogue's own files and the store's listing, no media file
    kept = {p.name for p in (client_cache / "catalogue").rglob("*") if p.is_file()}
    assert kept <= {*CATALOGUE_FILES, LISTING, "mirror.sqlite3"} and LISTING in kept, kept
