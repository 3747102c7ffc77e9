from __future__ import annotations

import errno
import itertools
import os
import unicodedata
from pathlib import Path

import bagit
import pytest

from heritage_ld.bags import BagWriteError, fixity, validate_bag, write_bag
from heritage_ld.errors import UsageError

from .conftest import snapshot


def test_writes_a_valid_bag_that_bagit_python_accepts(sources: Path, tmp_path: Path) -> None:
    report = write_bag([sources], tmp_path / "bag", info={"External-Identifier": "HN1972.001"},
                       tag_files={"metadata/item.ttl": b"<a> <b> <c> .\n"})
    bag = tmp_path / "bag"
    assert report.files == 4  # three sources and the RO-Crate metadata file
    assert (bag / "data" / "media" / "HN1972.001.tif").is_file()
    assert {p.name for p in bag.glob("*manifest-*.txt")} == {
        "manifest-sha256.txt", "manifest-sha512.txt", "tagmanifest-sha256.txt", "tagmanifest-sha512.txt"}
    assert validate_bag(bag).valid
    bagit.Bag(str(bag)).validate()
    info = (bag / "bag-info.txt").read_text()
    assert "Payload-Oxum: " in info and "External-Identifier: HN1972.001" in info


def test_tag_files_are_byte_identical_with_source_date_epoch(sources: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "92188800")
    # the same bag name in two places: the event log names the bag
    write_bag([sources], tmp_path / "a" / "bag", jobs=1)
    write_bag([sources], tmp_path / "b" / "bag", jobs=2)
    for name in ("bagit.txt", "bag-info.txt", "manifest-sha256.txt", "manifest-sha512.txt",
                 "tagmanifest-sha256.txt", "metadata/premis-events.ttl"):
        assert (tmp_path / "a" / "bag" / name).read_bytes() == (tmp_path / "b" / "bag" / name).read_bytes(), name
    assert "Bagging-Date: 1972-12-03" in (tmp_path / "a" / "bag" / "bag-info.txt").read_text()


def test_existing_target_is_refused_unless_replace(sources: Path, tmp_path: Path) -> None:
    write_bag([sources], tmp_path / "bag")
    with pytest.raises(UsageError, match="already exists"):
        write_bag([sources], tmp_path / "bag")
    (sources / "new.txt").write_text("new")
    write_bag([sources], tmp_path / "bag", replace=True)
    assert (tmp_path / "bag" / "data" / "new.txt").is_file()
    assert validate_bag(tmp_path / "bag").valid


def test_sources_are_only_read(sources: Path, tmp_path: Path) -> None:
    before = snapshot(sources)
    write_bag([sources], tmp_path / "bag")
    assert snapshot(sources) == before


def test_symlinked_folder_in_sources_is_refused_clearly(sources: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "x.txt").write_text("x")
    (sources / "linked").symlink_to(other)
    with pytest.raises(UsageError, match="symbolic link"):
        write_bag([sources], tmp_path / "bag")
    assert not (tmp_path / "bag").exists()


AWKWARD = ["100% cotton.txt", "literal%0A.txt", "trailing space .txt", "tab\there.txt",
           unicodedata.normalize("NFC", "Hà Nội NFC.txt"), unicodedata.normalize("NFD", "Hà Nội NFD.txt"),
           "new\nline.txt"]


def test_awkward_names_round_trip(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for i, name in enumerate(AWKWARD):
        (src / name).write_bytes(str(i).encode())
    write_bag([src], tmp_path / "bag")
    manifest = (tmp_path / "bag" / "manifest-sha256.txt").read_text()
    assert "data/100%25 cotton.txt" in manifest and "data/literal%250A.txt" in manifest
    assert "data/new%0Aline.txt" in manifest
    result = validate_bag(tmp_path / "bag")
    assert result.valid, [p.render() for p in result.problems]
    assert sorted(p.name for p in (tmp_path / "bag" / "data").iterdir()) == sorted([*AWKWARD, "ro-crate-metadata.json"])


def test_names_bagit_python_can_read_round_trip_through_it(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for i, name in enumerate(n for n in AWKWARD if "%" not in n and "\n" not in n):
        (src / name).write_bytes(str(i).encode())
    write_bag([src], tmp_path / "bag")
    bagit.Bag(str(tmp_path / "bag")).validate()


def test_bagit_python_bags_validate_with_ours_and_tampering_is_caught_by_both(sources: Path,
                                                                             tmp_path: Path) -> None:
    import shutil

    theirs = tmp_path / "theirs"
    shutil.copytree(sources, theirs)
    bagit.make_bag(str(theirs), checksums=["sha256", "sha512"])
    assert validate_bag(theirs).valid
    (theirs / "data" / "README.txt").write_text("tampered\n")
    assert not validate_bag(theirs).valid
    with pytest.raises(bagit.BagValidationError):
        bagit.Bag(str(theirs)).validate()
    write_bag([sources], tmp_path / "ours")
    (tmp_path / "ours" / "data" / "README.txt").write_text("Hanoi 1973\n")
    assert "B001" in {p.code for p in validate_bag(tmp_path / "ours").errors}
    with pytest.raises(bagit.BagValidationError):
        bagit.Bag(str(tmp_path / "ours")).validate()


def test_disk_full_leaves_no_bag_and_the_rerun_succeeds(sources: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot(sources)
    real_write = os.write
    calls = {"n": 0}

    def full(fd: int, data: bytes | memoryview) -> int:
        calls["n"] += 1
        if calls["n"] > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(fixity.os, "write", full)
    with pytest.raises(BagWriteError, match="No space left"):
        write_bag([sources], tmp_path / "bag", jobs=1)
    monkeypatch.undo()
    assert not (tmp_path / "bag").exists()
    assert not list(tmp_path.glob(".bag.partial-*"))
    assert snapshot(sources) == before
    write_bag([sources], tmp_path / "bag")
    assert validate_bag(tmp_path / "bag").valid


def test_a_source_changing_during_the_copy_is_an_error(sources: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    real_pump = fixity._pump
    victim = sources / "README.txt"
    ticks = iter(range(1, 100))

    def pump_and_touch(fd: int, hashers: list[object], out: int | None, writeback: bool = False,
                       size: int = -1) -> int:
        n = real_pump(fd, hashers, out, writeback, size)
        os.utime(victim, ns=(0, next(ticks) * 1_000_000_000))  # someone saves the file meanwhile
        return n

    monkeypatch.setattr(fixity, "_pump", pump_and_touch)
    with pytest.raises(BagWriteError, match="changed while it was being copied"):
        write_bag([sources], tmp_path / "bag", jobs=1)
    monkeypatch.undo()
    assert not (tmp_path / "bag").exists()
    write_bag([sources], tmp_path / "bag")
    assert validate_bag(tmp_path / "bag").valid


def test_unknown_algorithm_and_reserved_tag_names_are_usage_errors(sources: Path, tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        write_bag([sources], tmp_path / "bag", algorithms=["crc32"])
    with pytest.raises(UsageError):
        write_bag([sources], tmp_path / "bag", tag_files={"bag-info.txt": b"x"})
    with pytest.raises(UsageError):
        write_bag([sources], tmp_path / "bag", tag_files={"../escape.txt": b"x"})
    assert not (tmp_path / "bag").exists()


def test_other_algorithms(sources: Path, tmp_path: Path) -> None:
    write_bag([sources], tmp_path / "bag", algorithms=["md5", "sha1", "blake2b"])
    assert validate_bag(tmp_path / "bag").valid
    assert (tmp_path / "bag" / "manifest-blake2b.txt").is_file()


def test_large_copies_hand_every_written_byte_to_write_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "scan.tif"
    source.write_bytes(os.urandom(fixity.CHUNK_SIZE * 2 + 12345))
    small = tmp_path / "note.txt"
    small.write_bytes(b"x" * 1000)
    calls: list[tuple[int, int]] = []
    real = fixity.start_writeback
    monkeypatch.setattr(fixity, "start_writeback", lambda fd, off, n: (calls.append((off, n)), real(fd, off, n)))
    plain = fixity.copy_and_hash(source, tmp_path / "a", ["sha256"], durable=False)
    assert calls == []
    hinted = fixity.copy_and_hash(source, tmp_path / "b", ["sha256"], durable=False, writeback=True)
    assert hinted == plain and (tmp_path / "b").read_bytes() == source.read_bytes()
    # contiguous ranges from 0 to the end of the file
    assert calls[0][0] == 0 and all(a + n == b for (a, n), (b, _) in itertools.pairwise(calls))
    assert sum(n for _, n in calls) == source.stat().st_size
    calls.clear()
    fixity.copy_and_hash(small, tmp_path / "c", ["sha256"], durable=False, writeback=True)
    assert calls == []  # small files are left to the one syncfs


def test_early_sync_runs_in_the_background_every_so_many_bytes(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from heritage_ld.bags import durability

    calls: list[int] = []
    monkeypatch.setattr(durability, "_SYNCFS", lambda fd: calls.append(fd) or 0)
    early = durability.EarlySync(tmp_path, every=100)
    early.wrote(60)
    early.wait()
    assert calls == []
    early.wrote(60)  # 120 bytes since the last sync: one starts
    early.wait()
    assert len(calls) == 1
    early.now()
    early.wait()
    assert len(calls) == 2
    off = durability.EarlySync(tmp_path, every=1, enabled=False)
    off.wrote(10)
    off.now()
    off.wait()
    assert len(calls) == 2


def test_a_durable_bag_is_synced_before_it_is_renamed_into_place(sources: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from heritage_ld.bags import durability, writer

    seen: list[str] = []
    real_sync, real_move = writer.sync_tree, writer._move_into_place
    monkeypatch.setattr(writer, "sync_tree", lambda root: (seen.append("sync"), real_sync(root))[1])
    monkeypatch.setattr(writer, "_move_into_place", lambda tmp, target: (seen.append("rename"),
                                                                        real_move(tmp, target))[1])
    monkeypatch.setattr(durability.EarlySync, "now", lambda self: seen.append("early"))
    write_bag([sources], tmp_path / "bag", jobs=1)
    assert seen == ["early", "sync", "rename"]
    seen.clear()
    write_bag([sources], tmp_path / "bag2", jobs=1, durable=False)
    assert seen == ["early", "rename"]


def test_a_source_that_grows_during_the_copy_is_an_error_though_only_its_first_bytes_were_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The copy stops at the size fstat gave (no read for end-of-file); bytes appended meanwhile, even with the
    modification time put back, still make the copy fail rather than hold a truncated file."""
    source = tmp_path / "scan.tif"
    source.write_bytes(b"x" * 5000)
    before = source.stat()
    real_pump = fixity._pump

    def pump_then_append(fd: int, hashers: list[object], out: int | None, writeback: bool = False,
                         size: int = -1) -> int:
        n = real_pump(fd, hashers, out, writeback, size)
        with open(source, "ab") as f:
            f.write(b"more")
        os.utime(source, ns=(before.st_atime_ns, before.st_mtime_ns))
        return n

    monkeypatch.setattr(fixity, "_pump", pump_then_append)
    with pytest.raises(fixity.SourceChanged):
        fixity.copy_and_hash(source, tmp_path / "copy.tif", ["sha256"], durable=False)
    assert not (tmp_path / "copy.tif").exists()


def test_staged_bags_are_put_in_place_together_with_one_sync(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from heritage_ld.bags import commit_staged, durability, validate_bag

    calls: list[int] = []
    if durability._SYNCFS is not None:
        monkeypatch.setattr(durability, "_SYNCFS", lambda fd: calls.append(fd) or 0)
    src = tmp_path / "src.txt"
    src.write_text("hello")
    bags = tmp_path / "bags"
    staged = []
    for n in range(3):
        report = write_bag([src], bags / f"b{n}", algorithms=["sha256"], stage=True)
        assert report.staged is not None and report.staged.parent == bags
        assert report.staged.name.startswith(f".b{n}.partial-")
        assert not (bags / f"b{n}").exists()  # nothing visible before the commit
        assert validate_bag(report.staged).valid  # complete where it waits
        staged.append((report.staged, bags / f"b{n}"))
    assert calls == []  # staging syncs nothing
    commit_staged(staged)
    for _, target in staged:
        assert validate_bag(target).valid
    assert sorted(p.name for p in bags.iterdir()) == ["b0", "b1", "b2"]  # no temporary left
    if durability._SYNCFS is not None:
        assert len(calls) == 1  # one sync for the group, before any rename


@pytest.mark.parametrize("mischief", ["stray", "missing"])
def test_the_new_bag_is_checked_by_name_before_it_is_renamed_into_place(
        sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mischief: str) -> None:
    """The check of a new bag lists it by names only (sizes are the ones its copies wrote): a file it did not
    write, or one gone missing, still stops the bag before it appears at the target."""
    from heritage_ld.bags import writer

    real = writer._check_written

    def meddling(root: Path, *args: object) -> None:  # between the last file written and the check
        if mischief == "stray":
            (root / "data" / "stray.txt").write_bytes(b"not from the writer")
        else:
            next((root / "data").rglob("*.txt")).unlink()
        real(root, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(writer, "_check_written", meddling)
    with pytest.raises(BagWriteError, match="not written by this bag" if mischief == "stray" else ": missing"):
        write_bag([sources], tmp_path / "bag", describe=False)
    assert not (tmp_path / "bag").exists()
    assert not list(tmp_path.glob(".bag.partial-*"))
