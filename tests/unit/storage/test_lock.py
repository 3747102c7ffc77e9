"""The lock of a remote OUT (``OUT/build.lock``): one build at a time, a dead holder on this machine taken over, a
live or foreign one refused with S007 naming it, ``break_lock`` taking over, a broken lock found before upload (S008),
never another build's lock removed."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from heritage_ld.storage import Store, StoreError
from heritage_ld.storage.lock import LOCK_FILE, BuildLock, LockHolder


def _store(kind: str, tmp_path: Path) -> Store:
    if kind == "file":
        (tmp_path / "out").mkdir()
        return Store.from_url(f"file://{tmp_path}/out")
    return Store.from_url(f"memory://lock-{uuid.uuid4().hex[:8]}/out")


def _code(exc: pytest.ExceptionInfo[StoreError]) -> str:
    return exc.value.problems[0].code


@pytest.fixture(params=["memory", "file"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    return _store(str(request.param), tmp_path)


def test_second_build_is_refused_with_the_holder_named(store: Store) -> None:
    first = BuildLock(store)
    first.acquire()
    assert store.exists(LOCK_FILE)
    written = LockHolder.parse(store.read_bytes(LOCK_FILE))
    assert written is not None and written.token == first.holder.token and written.pid == os.getpid()
    with pytest.raises(StoreError) as exc:
        BuildLock(store).acquire()
    assert _code(exc) == "S007"
    assert socket.gethostname() in str(exc.value) and f"process {os.getpid()}" in str(exc.value)
    assert "--break-lock" in exc.value.problems[0].render()
    first.release()
    assert not store.exists(LOCK_FILE)
    second = BuildLock(store)
    second.acquire()  # free again
    assert second.held
    second.release()


def test_a_lock_of_a_dead_process_here_is_taken_over(store: Store) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    pid = int(dead.stdout)
    left = LockHolder(socket.gethostname(), pid, "old-token", "2026-11-30T00:00:00Z", "2026-11-30T00:00:00Z")
    store.write_bytes(LOCK_FILE, left.encode())
    lock = BuildLock(store)
    lock.acquire()
    assert lock.broke == left
    current = LockHolder.parse(store.read_bytes(LOCK_FILE))
    assert current is not None and current.token == lock.holder.token
    lock.release()


def test_another_machine_lock_needs_break_lock(store: Store) -> None:
    foreign = LockHolder("scanner-room-7", 4242, "their-token", "2026-11-30T01:00:00Z", "2026-11-30T02:00:00Z",
                         "heritage-ld 0.9")
    store.write_bytes(LOCK_FILE, foreign.encode())
    with pytest.raises(StoreError) as exc:
        BuildLock(store).acquire()
    assert _code(exc) == "S007" and "scanner-room-7 process 4242 (heritage-ld 0.9)" in str(exc.value)
    assert "renewed 2026-11-30T02:00:00Z" in str(exc.value)
    assert LockHolder.parse(store.read_bytes(LOCK_FILE)) == foreign  # refused: left exactly as it was
    lock = BuildLock(store)
    lock.acquire(break_lock=True)
    assert lock.broke == foreign
    lock.release()
    assert not store.exists(LOCK_FILE)


def test_a_damaged_lock_file_is_refused_not_ignored(store: Store) -> None:
    store.write_bytes(LOCK_FILE, b"\x00not json")
    with pytest.raises(StoreError) as exc:
        BuildLock(store).acquire()
    assert _code(exc) == "S007" and "not a heritage-ld lock file" in str(exc.value)
    assert store.read_bytes(LOCK_FILE) == b"\x00not json"


def test_a_broken_lock_is_found_before_upload_and_never_removed_by_its_old_holder(store: Store) -> None:
    first = BuildLock(store)
    first.acquire()
    first.check()  # still ours: nothing raised
    second = BuildLock(store)
    second.acquire(break_lock=True)
    with pytest.raises(StoreError) as exc:
        first.check()
    assert _code(exc) == "S008" and f"process {os.getpid()}" in str(exc.value)
    first.release()  # must not remove the lock of the build that broke it
    current = LockHolder.parse(store.read_bytes(LOCK_FILE))
    assert current is not None and current.token == second.holder.token
    second.release()
    assert not store.exists(LOCK_FILE)


def test_a_held_lock_is_renewed_and_stops_renewing_when_broken(store: Store) -> None:
    lock = BuildLock(store, renew_every=0.05)
    started = LockHolder.parse(store.read_bytes(LOCK_FILE)) if store.exists(LOCK_FILE) else None
    assert started is None
    lock.acquire()
    first = json.loads(store.read_bytes(LOCK_FILE))
    time.sleep(1.2)  # renewed times have a resolution of a second
    renewed = json.loads(store.read_bytes(LOCK_FILE))
    assert renewed["token"] == first["token"] and renewed["started"] == first["started"]
    assert renewed["renewed"] > first["renewed"]
    other = BuildLock(store)
    other.acquire(break_lock=True)
    time.sleep(0.3)
    current = LockHolder.parse(store.read_bytes(LOCK_FILE))
    assert current is not None and current.token == other.holder.token  # the old holder wrote nothing over it
    lock.release()
    other.release()


def test_release_without_acquire_and_twice_is_harmless(store: Store) -> None:
    lock = BuildLock(store)
    lock.release()
    lock.acquire()
    lock.release()
    lock.release()
    assert not store.exists(LOCK_FILE)


def test_build_of_a_locked_out_stops_before_touching_anything(tmp_path: Path) -> None:
    from heritage_ld.pipeline.remote import build_catalogue
    from heritage_ld.synth import write_synthetic_catalogue

    catalogue = tmp_path / "cat"
    write_synthetic_catalogue(catalogue, items=3, media_size="4KB")
    out = Store.from_url(f"memory://lock-{uuid.uuid4().hex[:8]}/out")
    foreign = LockHolder("other-machine", 7, "t", "2026-11-30T01:00:00Z", "2026-11-30T01:00:00Z")
    out.write_bytes(LOCK_FILE, foreign.encode())
    with pytest.raises(StoreError) as exc:
        build_catalogue(catalogue, out.url, cache=tmp_path / "cache", only=["rdf"])
    assert _code(exc) == "S007"
    assert set(out.listing()) == {LOCK_FILE}  # nothing written to the store
    assert not (tmp_path / "cache" / "out").exists() or not any((tmp_path / "cache" / "out").rglob("*.ttl"))
    report = build_catalogue(catalogue, out.url, cache=tmp_path / "cache", only=["rdf"], break_lock=True)
    assert any("took over the build lock" in w and "other-machine" in w for w in report.warnings)
    listed = out.listing()
    assert LOCK_FILE not in listed and any(rel.startswith("rdf/") for rel in listed)
    again = build_catalogue(catalogue, out.url, cache=tmp_path / "cache2", only=["rdf"])  # another machine
    assert not again.warnings and LOCK_FILE not in out.listing()
    assert not (tmp_path / "cache2" / "out").exists() or not any((tmp_path / "cache2").rglob(LOCK_FILE))


def test_a_hostile_lock_file_is_refused_without_reading_it_whole_or_echoing_escapes(store: Store) -> None:
    huge = b'{"host": "' + b"x" * (2 << 20) + b'"}'
    store.write_bytes(LOCK_FILE, huge)
    with pytest.raises(StoreError) as exc:
        BuildLock(store).acquire()
    assert _code(exc) == "S007" and "not a heritage-ld lock file" in str(exc.value)
    assert store.read_bytes(LOCK_FILE) == huge  # refused, left as it was
    store.remove([LOCK_FILE])
    evil = LockHolder("host\x1b[2J\x07" + "y" * 500, 1, "t", "2026\r\n", "2026-11-30T00:00:00Z", "\x00sw")
    store.write_bytes(LOCK_FILE, evil.encode())
    with pytest.raises(StoreError) as exc:
        BuildLock(store).acquire()
    message = str(exc.value)
    assert "\x1b" not in message and "\x07" not in message and "\r" not in message and "\x00" not in message
    assert "host\\x1b[2J\\x07" in message and "…" in message and len(message) < 1000


def test_a_lock_that_is_a_link_out_of_out_is_never_written_through(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    outside = tmp_path / "outside.txt"
    outside.write_text("precious")
    (tmp_path / "out" / LOCK_FILE).symlink_to(outside)
    store = Store.from_url(f"file://{tmp_path}/out")
    with pytest.raises(StoreError) as exc:
        BuildLock(store).acquire()
    assert _code(exc) == "S007"
    lock = BuildLock(store)
    lock.acquire(break_lock=True)  # the link is removed, not what it points to
    lock.release()
    assert outside.read_text() == "precious" and not (tmp_path / "out" / LOCK_FILE).exists()
