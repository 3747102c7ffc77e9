"""Adversarial bags: the validator rejects them, never reads outside the bag, never hangs, changes nothing."""

from __future__ import annotations

import os
import shutil
import tarfile
import threading
import zipfile
from pathlib import Path

import bagit
import pytest

from heritage_ld.bags import BagInvalid, validate_bag, write_bag
from heritage_ld.errors import UsageError

from .conftest import make_raw_bag, sha256, snapshot

DATA = b"hello\n"


def codes(bag: Path, **options: bool) -> set[str]:
    return {p.code for p in validate_bag(bag, **options).errors}


@pytest.fixture()
def good(sources: Path, tmp_path: Path) -> Path:
    write_bag([sources], tmp_path / "bag")
    return tmp_path / "bag"


def test_traversal_into_a_sibling_with_the_bag_name_as_prefix(tmp_path: Path) -> None:
    # bagit-python 1.9.0 accepts this: its check is a string prefix test on the real path.
    sibling = tmp_path / "bag-evil"
    sibling.mkdir()
    (sibling / "secret.txt").write_bytes(DATA)
    bag = make_raw_bag(tmp_path / "bag", {"data/a.txt": DATA},
                       [f"{sha256(DATA)}  data/a.txt", f"{sha256(DATA)}  data/../../bag-evil/secret.txt"])
    assert "B005" in codes(bag)


@pytest.mark.parametrize("path", ["/etc/hostname", "~/x", "~root/x", "C:\\Windows\\x", "\\\\server\\share\\x"])
def test_out_of_bag_paths_in_manifest_and_fetch(tmp_path: Path, path: str) -> None:
    bag = make_raw_bag(tmp_path / "m", {"data/a.txt": DATA}, [f"{sha256(DATA)}  data/a.txt", f"{sha256(DATA)}  {path}"])
    assert "B005" in codes(bag)
    bag = make_raw_bag(tmp_path / "f", {"data/a.txt": DATA}, [f"{sha256(DATA)}  data/a.txt"],
                       extra={"fetch.txt": f"https://example.org/x 6 {path}\n".encode()})
    assert "B005" in codes(bag)


def test_symlink_out_of_the_bag(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_bytes(DATA)
    bag = make_raw_bag(tmp_path / "bag", {"data/a.txt": DATA},
                       [f"{sha256(DATA)}  data/a.txt", f"{sha256(DATA)}  data/link.txt"])
    (bag / "data" / "link.txt").symlink_to(outside)
    assert "B010" in codes(bag)


def test_data_folder_that_is_a_symlink(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "a.txt").write_bytes(DATA)
    bag = make_raw_bag(tmp_path / "bag", {}, [f"{sha256(DATA)}  data/a.txt"])
    (bag / "data").symlink_to(elsewhere)
    assert "B010" in codes(bag)


def test_fifo_in_the_payload_is_reported_not_opened(tmp_path: Path) -> None:
    bag = make_raw_bag(tmp_path / "bag", {"data/a.txt": DATA},
                       [f"{sha256(DATA)}  data/a.txt", f"{sha256(DATA)}  data/pipe"])
    os.mkfifo(bag / "data" / "pipe")
    results: list[set[str]] = []
    worker = threading.Thread(target=lambda: results.append(codes(bag)), daemon=True)
    worker.start()
    worker.join(timeout=30)  # opening the FIFO for reading would block forever
    assert results and "B007" in results[0]


def test_wrong_payload_oxum(good: Path) -> None:
    info = good / "bag-info.txt"
    text = info.read_text()
    info.write_text(text.replace("Payload-Oxum: ", "Payload-Oxum: 1"))
    assert "B006" in codes(good, fast=True)


def test_file_missing_from_one_of_two_manifests(good: Path) -> None:
    # RFC 8493 §3: every payload file must be in every payload manifest; bagit-python accepts this.
    m = good / "manifest-sha512.txt"
    m.write_text("".join(line + "\n" for line in m.read_text().splitlines() if "README" not in line))
    assert "B003" in codes(good, completeness_only=True)


def test_tag_file_changed_after_the_tag_manifest(good: Path) -> None:
    (good / "metadata" / "premis-events.ttl").write_text("# changed\n")
    assert "B001" in codes(good)


def test_payload_file_in_a_tag_manifest_is_checked_with_that_algorithm(good: Path) -> None:
    """Hashing starts before the manifests are read, with each manifest kind's algorithms; an entry it did
    not foresee (a payload file in a tag manifest of another algorithm) is hashed in a second round."""
    import hashlib

    readme = (good / "data" / "README.txt").read_bytes()
    tagmanifest = good / "tagmanifest-md5.txt"
    tagmanifest.write_text(f"{hashlib.md5(readme).hexdigest()}  data/README.txt\n")
    assert validate_bag(good).valid
    tagmanifest.write_text(f"{'0' * 32}  data/README.txt\n")
    errors = validate_bag(good).errors
    assert [(p.code, dict(p.params)["algorithm"]) for p in errors] == [("B001", "md5")]


def test_file_swapped_for_a_fifo_after_the_listing_is_reported_once_and_not_counted(
        good: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file replaced by a FIFO between the listing and the hashing: reported (B008), never blocked on."""
    from heritage_ld.bags import validator

    victim = good / "data" / "README.txt"
    size = victim.stat().st_size
    full = validate_bag(good).bytes
    real_scan = validator.scan_tree

    def scan_then_swap(root: Path, **options: bool) -> validator.BagTree:
        tree = real_scan(root, **options)
        victim.unlink()
        os.mkfifo(victim)
        return tree

    monkeypatch.setattr(validator, "scan_tree", scan_then_swap)
    report = validate_bag(good)
    assert [(p.code, p.location.file) for p in report.errors] == [("B008", "data/README.txt")]
    assert report.bytes == full - size


def test_non_hex_checksum(tmp_path: Path) -> None:
    bag = make_raw_bag(tmp_path / "bag", {"data/a.txt": DATA}, ["zz" * 32 + "  data/a.txt"])
    assert "B004" in codes(bag)


def test_missing_and_extra_payload(good: Path) -> None:
    (good / "data" / "README.txt").unlink()
    (good / "data" / "stray.txt").write_bytes(DATA)
    assert {"B002", "B003"} <= codes(good, completeness_only=True)


def test_validation_changes_nothing_and_raises_with_check(good: Path) -> None:
    (good / "data" / "README.txt").write_text("tampered\n")
    before = snapshot(good)
    with pytest.raises(BagInvalid) as err:
        validate_bag(good, check=True)
    assert any(p.code == "B001" and p.get("path") == "data/README.txt" for p in err.value.problems)
    problem = next(p for p in err.value.problems if p.code == "B001")
    assert problem.get("expected") != problem.get("found")
    assert snapshot(good) == before


def test_holey_bag_fetch_is_not_followed(tmp_path: Path) -> None:
    bag = make_raw_bag(tmp_path / "bag", {}, [f"{sha256(DATA)}  data/a.txt"],
                       extra={"fetch.txt": b"http://127.0.0.1:9/a.txt 6 data/a.txt\n"})
    (bag / "data").mkdir()
    assert codes(bag) == {"B012"}


def test_no_such_bag_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        validate_bag(tmp_path / "nope")


def test_serialised_bags_validate_without_unpacking(good: Path, tmp_path: Path) -> None:
    with tarfile.open(tmp_path / "bag.tar.gz", "w:gz") as tar:
        tar.add(good, arcname="bag")
    shutil.make_archive(str(tmp_path / "bag"), "zip", tmp_path, "bag")
    with tarfile.open(tmp_path / "bag.tar", "w") as tar:
        tar.add(good, arcname="bag")
    for name in ("bag.tar.gz", "bag.zip", "bag.tar"):
        assert validate_bag(tmp_path / name).valid, name
    (good / "data" / "README.txt").write_text("tampered\n")
    with tarfile.open(tmp_path / "bad.tar.gz", "w:gz") as tar:
        tar.add(good, arcname="bag")
    assert "B001" in codes(tmp_path / "bad.tar.gz")
    with zipfile.ZipFile(tmp_path / "evil.zip", "w") as z:
        z.writestr("bag/bagit.txt", "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")
        z.writestr("../evil.txt", "x")
    assert "B005" in codes(tmp_path / "evil.zip")
    assert not (tmp_path.parent / "evil.txt").exists()


def test_bagit_python_agrees_on_tampered_bags(good: Path) -> None:
    (good / "data" / "README.txt").write_text("tampered\n")
    with pytest.raises(bagit.BagValidationError):
        bagit.Bag(str(good)).validate()
    assert not validate_bag(good).valid


class _Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, int]] = []

    def start(self, task: str, total: int) -> None:
        self.calls.append(("start", task, total))

    def advance(self, task: str, amount: int = 1) -> None:
        self.calls.append(("advance", task, amount))

    def finish(self, task: str) -> None:
        self.calls.append(("finish", task, 0))


def test_validation_reports_progress_over_every_hashed_file(good: Path) -> None:
    recorder = _Recorder()
    report = validate_bag(good, progress=recorder)
    assert report.valid
    start, *advances, finish = recorder.calls
    kind, task, total = start
    assert (kind, task) == ("start", f"validate {good.name}")
    assert total >= report.files  # every file hashed, tag manifests included
    assert sum(n for kind, _, n in advances if kind == "advance") == total
    assert finish == ("finish", f"validate {good.name}", 0)
    assert validate_bag(good, completeness_only=True, progress=recorder).valid  # no hashing, no new calls
    assert len(recorder.calls) == 2 + len(advances)


def test_hashing_stops_when_validation_ends_early(good: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hashing starts before the manifests are read; an error (or Ctrl-C) there leaves no worker behind."""
    from heritage_ld.bags import validator

    def broken(self: validator.BagCheck) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(validator.BagCheck, "manifests", broken)
    with pytest.raises(KeyboardInterrupt):
        validate_bag(good, jobs=2)
    assert not [t for t in threading.enumerate() if t.name.startswith("bag-validate")]
