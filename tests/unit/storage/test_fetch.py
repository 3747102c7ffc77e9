"""RemoteFile: a remote catalogue's media file as a task finds it on any machine (the mirror's copy, this
machine's fetched copy, or fetched now), never bytes other than those the build read."""

from __future__ import annotations

import itertools
import os
import pickle
from pathlib import Path

import pytest

from heritage_ld.storage import Store, StoreError
from heritage_ld.storage.fetch import FETCHED, RemoteFile, cache_root, local_path
from heritage_ld.storage.sync import remote_mtime_ns

_n = itertools.count()


def _on_store(data: bytes, name: str = "media/a.jpg") -> tuple[Store, RemoteFile, Path]:
    """A file on a memory:// store and its RemoteFile as a mirror would have made it (store time)."""
    store = Store.from_url(f"memory://fetch-{os.getpid()}-{next(_n)}/cat")
    store.write_bytes(name, data)
    info = store.info(name)
    assert info is not None
    when = remote_mtime_ns(info)
    assert when is not None
    return store, RemoteFile(store.url_of(name), f"/nonexistent-mirror/{name}", len(data), when), Path(name)


def test_the_mirror_copy_is_used_where_it_is(tmp_path: Path) -> None:
    store, remote, name = _on_store(b"jpeg bytes")
    mirror = tmp_path / "mirror" / name
    mirror.parent.mkdir(parents=True)
    mirror.write_bytes(b"jpeg bytes")
    os.utime(mirror, ns=(remote.mtime_ns, remote.mtime_ns))
    here = RemoteFile(remote.url, str(mirror), remote.size, remote.mtime_ns)
    store.remove([str(name)])  # the store is not asked at all
    assert here.path(tmp_path / "cache") == mirror
    assert not (tmp_path / "cache").exists()


def test_fetched_once_into_this_machines_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, remote, _ = _on_store(b"\xff\xd8 a picture")
    got = remote.path(tmp_path)
    assert got.read_bytes() == b"\xff\xd8 a picture"
    assert got.is_relative_to(tmp_path / FETCHED) and got.suffix == ".jpg"  # decoders that go by the name
    calls = []
    monkeypatch.setattr(Store, "get_files", lambda self, pairs: calls.append(pairs))
    assert remote.path(tmp_path) == got and calls == []  # the second task on this machine reads its copy
    assert local_path(remote, tmp_path) == got
    assert local_path(tmp_path, tmp_path) == tmp_path  # a local path is itself
    assert pickle.loads(pickle.dumps(remote)) == remote  # sent to workers


def test_a_changed_mirror_copy_is_not_used(tmp_path: Path) -> None:
    _, remote, name = _on_store(b"the store's bytes")
    stale = tmp_path / "mirror" / name
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"the store's byteZ")  # same size, other time: not the file the build read
    other = RemoteFile(remote.url, str(stale), remote.size, remote.mtime_ns)
    assert other.path(tmp_path / "cache").read_bytes() == b"the store's bytes"


def test_a_file_replaced_on_the_store_is_s009(tmp_path: Path) -> None:
    store, remote, name = _on_store(b"first version")
    store.write_bytes(str(name), b"second version, longer")
    with pytest.raises(StoreError) as caught:
        remote.path(tmp_path)
    assert caught.value.problems[0].code == "S009"
    assert "changed on the store" in str(caught.value)
    store.remove([str(name)])
    with pytest.raises(StoreError, match="gone from the store"):
        remote.path(tmp_path)
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]  # nothing half-fetched left


def test_a_short_download_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, remote, _ = _on_store(b"0123456789")

    def short(self: Store, pairs: list[tuple[str, Path]]) -> None:
        for _, local in pairs:
            local.parent.mkdir(parents=True, exist_ok=True)
            local.write_bytes(b"01234")

    monkeypatch.setattr(Store, "get_files", short)
    with pytest.raises(StoreError, match="5 bytes came of 10") as caught:
        remote.path(tmp_path)
    assert caught.value.problems[0].code == "S009"
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_cache_root_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HERITAGE_LD_CACHE", str(tmp_path / "c"))
    assert cache_root() == tmp_path / "c"
    monkeypatch.delenv("HERITAGE_LD_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert cache_root() == tmp_path / "x" / "heritage-ld"


def test_opened_on_the_store_without_a_copy(tmp_path: Path) -> None:
    import io

    from PIL import Image

    from heritage_ld.iiif.media import image_size

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48)).save(buffer, "PNG")
    store, remote, name = _on_store(buffer.getvalue(), "media/b.png")
    assert remote.copy_here(tmp_path) is None
    with remote.open() as stream:
        assert image_size(stream, name=remote.url) == (64, 48)
    assert remote.copy_here(tmp_path) is None  # read in place: nothing fetched
    store.write_bytes(str(name), b"not the same size")
    with pytest.raises(StoreError) as caught:
        remote.open()
    assert caught.value.problems[0].code == "S009"


def test_tasks_fetching_the_same_file_at_once(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    _, remote, _ = _on_store(bytes(range(256)) * 400)
    with ThreadPoolExecutor(8) as pool:
        got = set(pool.map(lambda _: remote.path(tmp_path), range(16)))
    assert len(got) == 1 and next(iter(got)).read_bytes() == bytes(range(256)) * 400
    assert [p.name for p in (tmp_path / FETCHED).rglob("*") if p.is_file()] == [remote.cached_name()]


def test_a_full_disk_while_fetching_is_a_clear_error_and_leaves_nothing(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    _, remote, _ = _on_store(b"x" * 1000)

    def full(self: Store, pairs: list[tuple[str, Path]]) -> None:
        with self._doing(pairs[0][0], "downloading"):
            for _, local in pairs:
                local.write_bytes(b"x" * 10)
                raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Store, "get_files", full)
    with pytest.raises(StoreError) as caught:
        remote.path(tmp_path)
    assert caught.value.problems[0].code == "S002" and "No space left" in str(caught.value)
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]  # the partial download removed


def test_a_name_from_the_store_cannot_leave_the_cache(tmp_path: Path) -> None:
    """The cached copy's name is a digest and the URL's suffix: no path of the URL reaches the file system."""
    odd = RemoteFile("memory://b/cat/media/..%2F..%2Fetc/passwd\x07.jpg", "/nowhere", 1, 0)
    name = odd.cached_name()
    assert "/" not in name and ".." not in name and name.endswith(".jpg")
    long = RemoteFile("memory://b/cat/media/a." + "x" * 300, "/nowhere", 1, 0)  # keys outgrow file names
    assert len(long.cached_name()) <= 48 and len(f".{long.cached_name()}.{'0' * 32}.part") < 255


def test_a_task_copy_is_private_and_gone_after(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """local_file: a copy for one task, fetched into the cache folder under a name of its own and deleted when
    the task is done; a copy already on this machine is used as it is and kept."""
    from concurrent.futures import ThreadPoolExecutor

    from heritage_ld.storage.fetch import local_copy

    _, remote, _ = _on_store(bytes(range(256)) * 40)
    with remote.local_file(tmp_path) as path:
        assert path.read_bytes() == bytes(range(256)) * 40 and path.suffix == ".jpg"
        assert path.is_relative_to(tmp_path / FETCHED)
    assert not path.exists() and not [p for p in tmp_path.rglob("*") if p.is_file()]

    def one(_: int) -> bytes:
        with local_copy(remote, tmp_path) as p:
            return p.read_bytes()

    with ThreadPoolExecutor(8) as pool:  # tasks of one machine at once: each its own copy, none left
        assert set(pool.map(one, range(16))) == {bytes(range(256)) * 40}
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]

    kept = remote.path(tmp_path)  # a copy kept by path() is used, not deleted
    calls: list[object] = []
    monkeypatch.setattr(Store, "get_files", lambda self, pairs: calls.append(pairs))
    with remote.local_file(tmp_path) as path:
        assert path == kept
    assert kept.exists() and calls == []
    with local_copy(tmp_path, tmp_path) as same:  # a local path is itself
        assert same == tmp_path


def test_a_task_copy_of_a_changed_file_is_s009_and_leaves_nothing(tmp_path: Path) -> None:
    store, remote, name = _on_store(b"first version")
    store.write_bytes(str(name), b"second version, longer")
    with pytest.raises(StoreError) as caught, remote.local_file(tmp_path):
        pass
    assert caught.value.problems[0].code == "S009"
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_spooled_reads_once_into_memory_and_spills_past_the_limit(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """spooled(): the bytes read once from the store, held in memory (no local file), or past SPOOL in a
    private file gone after; a file changed on the store is S009."""
    import heritage_ld.storage.fetch as fetch

    data = bytes(range(256)) * 64
    store, remote, name = _on_store(data)
    with remote.spooled(tmp_path) as stream:
        assert stream.read() == data and stream.seek(0) == 0 and stream.read(4) == data[:4]
        assert not getattr(stream, "_rolled")  # noqa: B009 - in memory
        assert not [p for p in tmp_path.rglob("*") if p.is_file()]
    monkeypatch.setattr(fetch, "SPOOL", 1000)
    with remote.spooled(tmp_path) as stream:
        assert stream.read() == data
        assert getattr(stream, "_rolled")  # noqa: B009 - spilled into a file (unnamed: gone with its process)
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]
    store.write_bytes(str(name), b"another version")
    with pytest.raises(StoreError) as caught, remote.spooled(tmp_path):
        pass
    assert caught.value.problems[0].code == "S009"


def test_spooled_on_a_full_disk_is_s002_and_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    import shutil

    import heritage_ld.storage.fetch as fetch

    _, remote, _ = _on_store(b"y" * 5000)
    monkeypatch.setattr(fetch, "SPOOL", 1000)

    def full(src: object, dst: object, length: int = 0) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(shutil, "copyfileobj", full)
    with pytest.raises(StoreError) as caught, remote.spooled(tmp_path):
        pass
    assert caught.value.problems[0].code == "S002" and "No space left" in str(caught.value)
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]
