"""Writing OCFL objects: versions only for a changed state, deduplicated by digest, checked by ocfl-py and by
our validator, and a new version appears completely or not at all."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest
from ocfl.layout_0003_hash_and_id_n_tuple import Layout_0003_Hash_And_Id_N_Tuple
from ocfl.storage_root import StorageRoot
from ocfl.validator import Validator

from heritage_ld.errors import UsageError
from heritage_ld.ocfl import (
    Layout,
    add_version,
    init_storage_root,
    store,
    validate_object,
    validate_storage_root,
)

WHEN = datetime(1972, 12, 30, tzinfo=timezone.utc)


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    src = tmp_path / "src"
    src.mkdir()
    (src / "scan.tif").write_bytes(b"II*\x00" + bytes(5000))
    (src / "item.ttl").write_text("<a> <b> <c> .\n")
    (src / "copy.tif").write_bytes((src / "scan.tif").read_bytes())
    return {"data/media/scan.tif": src / "scan.tif", "data/media/copy.tif": src / "copy.tif",
            "metadata/item.ttl": src / "item.ttl"}


def _ocfl_py_valid(path: Path) -> bool:
    validator = Validator(check_digests=True)
    return bool(validator.validate_object(str(path))), validator.log.codes  # type: ignore[return-value]


def test_layout_is_the_one_ocfl_py_reads() -> None:
    theirs = Layout_0003_Hash_And_Id_N_Tuple()
    for ident in ("HNM.1972.001", "ark:/12345/x y", "Hà Nội " * 20):
        assert Layout().path(ident) == theirs.identifier_to_path(ident)


def test_versions_only_for_a_changed_state_and_dedup(files: dict[str, Path], tmp_path: Path) -> None:
    root = init_storage_root(tmp_path / "ocfl")
    first = add_version(root, "HNM.1972.025", files, message="bag written", user=("heritage-ld", "mailto:a@b.org"),
                        created=WHEN)
    assert (first.head, first.created, first.copied) == ("v1", True, 2)  # two copies of one scan: one content
    assert add_version(root, "HNM.1972.025", files, created=WHEN).created is False
    files["metadata/item.ttl"].write_text("<a> <b> <d> .\n")
    second = add_version(root, "HNM.1972.025", files, message="metadata corrected", created=WHEN)
    assert (second.head, second.created, second.copied) == ("v2", True, 1)
    inventory = json.loads((first.path / "inventory.json").read_text())
    assert set(inventory["versions"]) == {"v1", "v2"}
    assert sorted(os.listdir(first.path / "v2" / "content" / "metadata")) == ["item.ttl"]
    assert not (first.path / "v2" / "content" / "data").exists()  # the scan is not copied again
    assert (first.path / "v1" / "content" / "metadata" / "item.ttl").read_text() == "<a> <b> <c> .\n"
    ok, codes = _ocfl_py_valid(first.path)
    assert ok, codes
    assert validate_object(first.path).valid, validate_object(first.path).errors
    report = validate_storage_root(root)
    assert report.valid and report.objects == 1, report.errors
    storage = StorageRoot(root=str(root))
    assert storage.validate(validate_objects=True, check_digests=True), storage.errors
    assert (storage.num_objects, storage.good_objects) == (1, 1)
    assert storage.object_path("HNM.1972.025") == Layout().path("HNM.1972.025")  # ocfl-py finds it by its id


def test_a_crash_before_the_swap_leaves_the_old_version(files: dict[str, Path], tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    root = init_storage_root(tmp_path / "ocfl")
    first = add_version(root, "x", files, created=WHEN)
    before = (first.path / "inventory.json").read_bytes()
    files["metadata/item.ttl"].write_text("changed\n")

    def crash(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store, "_swap", crash)
    with pytest.raises(OSError):
        add_version(root, "x", files, created=WHEN)
    assert (first.path / "inventory.json").read_bytes() == before
    assert sorted(p.name for p in first.path.iterdir() if p.name.startswith("v")) == ["v1"]
    assert not list(tmp_path.glob(".ocfl.staging-*"))
    assert validate_storage_root(root).valid


def test_an_object_left_aside_by_a_dead_process_is_put_back(files: dict[str, Path], tmp_path: Path) -> None:
    root = init_storage_root(tmp_path / "ocfl")
    first = add_version(root, "x", files, created=WHEN)
    aside = first.path.with_name(f".{first.path.name}.old-999999")
    os.rename(first.path, aside)  # as if killed between the two renames of the fallback
    assert add_version(root, "x", files, created=WHEN).created is False
    assert first.path.is_dir() and not aside.exists()


def test_refusals(files: dict[str, Path], tmp_path: Path) -> None:
    root = init_storage_root(tmp_path / "ocfl")
    with pytest.raises(UsageError):
        add_version(root, "x", {"../escape": files["metadata/item.ttl"]})
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "file").write_text("x")
    with pytest.raises(UsageError, match="not an OCFL storage root"):
        init_storage_root(tmp_path / "busy")


_CHILD = """
import sys, time
from pathlib import Path
from heritage_ld.ocfl import store

real = store.shutil.copyfile

def slow(src, dst, *a, **k):
    real(src, dst, *a, **k)
    Path(sys.argv[3]).write_text("copying")
    time.sleep(60)

store.shutil.copyfile = slow
store.add_version(Path(sys.argv[1]), "x", {"data/a.bin": Path(sys.argv[2])})
"""


def test_sigkill_while_staging_leaves_the_object_as_it_was(files: dict[str, Path], tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    root = init_storage_root(tmp_path / "ocfl")
    first = add_version(root, "x", files, created=WHEN)
    before = {p: p.read_bytes() for p in first.path.rglob("*") if p.is_file()}
    new = tmp_path / "new.bin"
    new.write_bytes(b"a new scan" * 1000)
    marker = tmp_path / "marker"
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(root), str(new), str(marker)],
                             env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    try:
        for _ in range(600):
            if marker.exists() or child.poll() is not None:
                break
            time.sleep(0.05)
        assert marker.exists(), "the child never reached the copy"
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert {p: p.read_bytes() for p in first.path.rglob("*") if p.is_file()} == before
    assert list(tmp_path.glob(".ocfl.staging-*")), "the dead process's staging folder is left"
    assert validate_storage_root(root).valid
    after = add_version(root, "x", {"data/a.bin": new}, created=WHEN)  # removes the leftover, adds v2
    assert after.head == "v2" and not list(tmp_path.glob(".ocfl.staging-*"))
    assert validate_object(after.path).valid
