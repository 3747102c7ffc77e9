"""Worker pools: many small files are validated by forked worker processes, with the same verdicts as threads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from heritage_ld.bags import pool, validate_bag, write_bag

from .conftest import make_raw_bag


def _many_small(root: Path, count: int) -> Path:
    src = root / "src"
    for i in range(count):
        folder = src / f"part-{i % 7}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"f{i:05d}.bin").write_bytes(i.to_bytes(4, "big") * (1 + i % 900))
    return src


def test_spans_cover_every_file_once_in_order() -> None:
    sizes = [(i * 7919) % (3 << 20) for i in range(500)]
    runs = list(pool.spans(sizes, max_bytes=4 << 20, max_files=16))
    assert [i for start, stop in runs for i in range(start, stop)] == list(range(500))
    assert all(stop - start <= 16 and (stop - start == 1 or sum(sizes[start:stop]) <= 4 << 20)
               for start, stop in runs)
    assert list(pool.spans([])) == []


def test_processes_only_for_many_small_files_and_several_workers() -> None:
    assert not pool.use_processes([4096] * 10, 2)
    assert not pool.use_processes([64 << 20] * 2000, 2)
    assert not pool.use_processes([4096] * 2000, 1)


def test_map_spans_gives_results_in_order_from_processes_and_threads() -> None:
    items = list(range(40))
    runs = [(i, i + 2) for i in range(0, 40, 2)]
    expected = [i + i + 1 for i in range(0, 40, 2)]
    assert list(pool.map_spans(sum, items, runs, 2, processes=True)) == expected
    assert list(pool.map_spans(sum, items, runs, 2, processes=False)) == expected
    assert list(pool.map_spans(sum, items, [], 2, processes=True)) == []


def test_forked_workers_get_their_items_without_pickling() -> None:
    """Items that cannot be pickled (a lambda, a lock) still reach forked workers: only spans are sent."""
    import threading

    items = [(lambda: 1), threading.Lock(), (lambda: 2)]
    assert list(pool.map_spans(len, items, [(0, 2), (2, 3)], 2, processes=True)) == [2, 1]


_CHILD = """
import json, sys
from heritage_ld.bags import pool, validate_bag
from heritage_ld.bags import validator
used = []
def spy(real):
    def decide(*args):
        used.append(real(*args))
        return used[-1]
    return decide
# Sizes known (listed with stat): use_processes; not (a full validation's listing): Payload-Oxum's bytes.
validator.use_processes = spy(validator.use_processes)
validator.worth_processes = spy(validator.worth_processes)
report = validate_bag(sys.argv[1], jobs=2)
print(json.dumps({"used": used, "valid": report.valid, "files": report.files, "bytes": report.bytes,
                  "problems": [[p.code, dict(p.params).get("path")] for p in report.problems]}))
"""


def test_many_small_files_are_checked_by_processes_and_tampering_is_found(tmp_path: Path) -> None:
    count = pool.MANY_FILES + 200
    write_bag([_many_small(tmp_path, count)], tmp_path / "bag", jobs=2, describe=False)
    assert validate_bag(tmp_path / "bag", jobs=2).valid  # threads here: pytest runs other threads

    def child() -> dict[str, object]:
        out = subprocess.run([sys.executable, "-c", textwrap.dedent(_CHILD), str(tmp_path / "bag")],
                             capture_output=True, text=True, check=True, timeout=120)
        result: dict[str, object] = json.loads(out.stdout)
        return result

    clean = child()
    tag_files = len((tmp_path / "bag" / "tagmanifest-sha256.txt").read_text().splitlines())
    assert clean["used"] == [True] and clean["valid"] is True and clean["files"] == count + tag_files
    victim = tmp_path / "bag" / "data" / "part-3" / "f00003.bin"
    victim.write_bytes(b"changed")
    tampered = child()
    assert tampered["valid"] is False
    codes = {(code, path) for code, path in tampered["problems"]}  # type: ignore[union-attr]
    assert ("B001", "data/part-3/f00003.bin") in codes
    assert ("B006", None) in codes  # Payload-Oxum no longer matches either


def _child(bag: Path) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(_CHILD), str(bag)],
                         capture_output=True, text=True, check=True, timeout=120)
    result: dict[str, object] = json.loads(out.stdout)
    return result


@pytest.mark.parametrize(("oxum", "used", "codes"), [
    (None, [True], set()),  # no Payload-Oxum: every file measured first, then hashed largest first
    ("1099511627776.{count}", [False, True], {"B006"}),  # 1 TiB claimed: not trusted to be small, measured
])
def test_many_small_files_without_a_usable_oxum_are_measured(tmp_path: Path, oxum: str | None, used: list[bool],
                                                           codes: set[str]) -> None:
    import hashlib

    count = pool.MANY_FILES + 50
    files = {f"data/p{i % 5}/f{i:05d}.bin": i.to_bytes(4, "big") * (1 + i % 300) for i in range(count)}
    lines = [f"{hashlib.sha256(data).hexdigest()}  {path}" for path, data in files.items()]
    extra = {} if oxum is None else {"bag-info.txt": f"Payload-Oxum: {oxum.format(count=count)}\n".encode()}
    result = _child(make_raw_bag(tmp_path / "bag", files, lines, extra=extra))
    assert result["used"] == used
    assert {code for code, _path in result["problems"]} == codes  # type: ignore[attr-defined]
    assert result["files"] == count and result["bytes"] == sum(len(d) for d in files.values())


_WRITER_CHILD = """
import json, sys
from heritage_ld.bags import validate_bag, write_bag, writer
unmeasured = []
real = writer._small_files
def spy(*args):
    unmeasured.append(len(real(*args)))
    return set() if sys.argv[3] == "measure" else real(*args)
writer._small_files = spy
report = write_bag([sys.argv[1]], sys.argv[2], jobs=2, describe=False)
print(json.dumps({"unmeasured": unmeasured, "files": report.files, "bytes": report.bytes}))
"""


@pytest.mark.parametrize("sizes", ["unmeasured", "measure"])
def test_many_small_sources_are_copied_without_a_stat_each_and_give_the_same_bag(tmp_path: Path,
                                                                                 sizes: str) -> None:
    """Many small files found in a folder are copied by worker processes in the listing's order, their sizes
    learnt by the copy (no lstat each): the bag is the same, byte for byte, as with every file measured."""
    import bagit

    count = pool.MANY_FILES + 100
    src = _many_small(tmp_path, count)
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(_WRITER_CHILD), str(src), str(tmp_path / "bag"),
                          sizes], capture_output=True, text=True, check=True, timeout=120,
                         env={**os.environ, "SOURCE_DATE_EPOCH": "86400"})
    result = json.loads(out.stdout)
    assert result["unmeasured"] == [count]  # the sample said small
    assert result["files"] == count
    assert result["bytes"] == sum(f.stat().st_size for f in src.rglob("*.bin"))
    assert validate_bag(tmp_path / "bag").valid
    bagit.Bag(str(tmp_path / "bag")).validate()
    manifest = (tmp_path / "bag" / "manifest-sha512.txt").read_bytes()
    assert manifest.count(b"\n") == count
    if sizes == "measure":
        return
    subprocess.run([sys.executable, "-c", textwrap.dedent(_WRITER_CHILD), str(src), str(tmp_path / "bag2"),
                    "measure"], capture_output=True, text=True, check=True, timeout=120,
                   env={**os.environ, "SOURCE_DATE_EPOCH": "86400"})
    for name in ("manifest-sha256.txt", "manifest-sha512.txt", "bag-info.txt"):  # the event log names the bag
        assert (tmp_path / "bag" / name).read_bytes() == (tmp_path / "bag2" / name).read_bytes()


def test_closing_results_cancels_what_has_not_started() -> None:
    import time

    done: list[int] = []

    def slow(items: list[int]) -> int:
        time.sleep(0.05)
        done.extend(items)
        return len(items)

    results = pool.map_spans(slow, list(range(40)), [(i, i + 1) for i in range(40)], 2, processes=False)
    assert next(results) == 1
    results.close()
    assert len(done) < 10  # the rest was cancelled, not run
    assert list(results) == []


_WRITER = """
import json, os, sys
from datetime import datetime, timezone
from heritage_ld.bags import writer
used = []
real = writer.map_spans
def spy(*args, **options):
    used.append(options["processes"])  # the decision, whether from measured sizes or a sample (_small_files)
    return real(*args, **options)
writer.map_spans = spy
report = writer.write_bag([sys.argv[1]], sys.argv[2], jobs=int(sys.argv[3]), describe=False,
                          date=datetime(2000, 1, 1, tzinfo=timezone.utc))
print(json.dumps({"used": used, "files": report.files}))
"""


def _write_in_child(src: Path, bag: Path, jobs: int) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(_WRITER), str(src), str(bag), str(jobs)],
                         capture_output=True, text=True, check=True, timeout=120)
    result: dict[str, object] = json.loads(out.stdout)
    return result


def test_many_small_files_are_written_by_processes_with_the_same_bytes_as_one_thread(tmp_path: Path) -> None:
    src = _many_small(tmp_path, pool.MANY_FILES + 150)
    forked = _write_in_child(src, tmp_path / "forked" / "bag", 2)  # the same name: the event log holds it
    serial = _write_in_child(src, tmp_path / "serial" / "bag", 1)
    assert forked == {"used": [True], "files": pool.MANY_FILES + 150}
    assert serial["used"] == [False]
    for name in ("manifest-sha256.txt", "manifest-sha512.txt", "bag-info.txt", "tagmanifest-sha256.txt"):
        assert (tmp_path / "forked" / "bag" / name).read_bytes() == (tmp_path / "serial" / "bag" / name).read_bytes()
    copy = tmp_path / "forked" / "bag" / "data" / "part-3" / "f00010.bin"
    original = src / "part-3" / "f00010.bin"
    assert copy.read_bytes() == original.read_bytes()
    assert copy.stat().st_mtime_ns == original.stat().st_mtime_ns
    assert validate_bag(tmp_path / "forked" / "bag").valid


_KILLED = """
import os, sys, time
from heritage_ld.bags import fixity, writer
real = fixity.copy_batch
def slow(tasks, *args, **kwargs):
    os.write(1, f"{os.getpid()}\\n".encode())  # one line per batch: the workers' process ids
    time.sleep(0.2)
    return real(tasks, *args, **kwargs)
fixity.copy_batch = slow
writer.copy_batch = slow
writer.write_bag([sys.argv[1]], sys.argv[2], jobs=2, describe=False)
"""


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked writers and PR_SET_PDEATHSIG: Linux only")
def test_workers_of_a_killed_writer_die_with_it(tmp_path: Path) -> None:
    import signal
    import time

    src = _many_small(tmp_path, pool.MANY_FILES + 100)
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(_KILLED), str(src), str(tmp_path / "bag")],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    workers: set[int] = set()
    while len(workers) < 2:
        workers.add(int(proc.stdout.readline()))
    assert proc.pid not in workers
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    def copied() -> int:
        return len(list(tmp_path.glob(".bag.partial-*/data/*/*")))

    at_kill = copied()
    deadline = time.monotonic() + 10
    alive = set(workers)
    while alive and time.monotonic() < deadline:
        alive = {pid for pid in alive if _running(pid)}
        time.sleep(0.05)
    assert not alive
    assert copied() == at_kill, "forked workers outlived the killed writer and kept copying into its folder"
    assert not (tmp_path / "bag").exists()
