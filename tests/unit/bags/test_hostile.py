"""Bags made to hurt: absurd numbers, unknown versions, damaged archives, folder modes (issue #11, items 4, 11)."""

from __future__ import annotations

import io
import os
import stat
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from heritage_ld.bags import EVENTS_FILE, audit_bag, validate_bag, write_bag
from heritage_ld.bags.info import parse_declaration
from heritage_ld.bags.manifest import parse_fetch
from heritage_ld.errors import UsageError

from .conftest import make_raw_bag, sha256

HUGE = "9" * 5000


def _codes(report: object) -> list[str]:
    return [p.code for p in report.problems]  # type: ignore[attr-defined]


@pytest.fixture()
def bag(sources: Path, tmp_path: Path) -> Path:
    write_bag([sources], tmp_path / "bag", events=True)
    return tmp_path / "bag"


def _raw(tmp_path: Path, version: str = "1.0", info: str = "") -> Path:
    root = make_raw_bag(tmp_path / "raw", {"data/a.txt": b"a"}, [f"{sha256(b'a')}  data/a.txt"],
                        extra={"bag-info.txt": info.encode()})
    (root / "bagit.txt").write_bytes(f"BagIt-Version: {version}\nTag-File-Character-Encoding: UTF-8\n".encode())
    return root


@pytest.mark.parametrize("mode", [{"fast": True}, {"completeness_only": True}, {}])
def test_a_payload_oxum_of_5000_digits_is_a_mismatch_not_a_crash(tmp_path: Path, mode: dict[str, bool]) -> None:
    report = validate_bag(_raw(tmp_path, info=f"Payload-Oxum: {HUGE}.1\n"), **mode)
    assert _codes(report) == ["B006"]
    assert len(report.problems[0].message) < 200


def test_a_payload_oxum_with_leading_zeros_still_matches(tmp_path: Path) -> None:
    assert validate_bag(_raw(tmp_path, info="Payload-Oxum: 0001.01\n"), fast=True).valid


def test_an_absurdly_long_bagit_version_is_an_error_not_a_crash(tmp_path: Path) -> None:
    assert parse_declaration(f"BagIt-Version: {HUGE}1.1\nTag-File-Character-Encoding: UTF-8\n".encode()).version is None
    report = validate_bag(_raw(tmp_path, version=f"{HUGE}1.1"))
    assert _codes(report) == ["B008"]
    assert "digits" in report.problems[0].message
    assert not audit_bag(tmp_path / "raw").recorded


@pytest.mark.parametrize("version", ["99.1", "1.1", "0.5"])
def test_an_unknown_bagit_version_is_a_warning(tmp_path: Path, version: str) -> None:
    report = validate_bag(_raw(tmp_path, version=version))
    assert _codes(report) == ["B016"] and report.valid
    assert report.problems[0].get("version") == version


def test_known_versions_give_no_warning(tmp_path: Path) -> None:
    for version in ("0.97", "1.0"):
        assert _codes(validate_bag(_raw(tmp_path / version, version=version))) == []


@pytest.mark.parametrize("length", [HUGE, "²", "12a"])
def test_a_fetch_length_that_is_no_number_is_a_located_problem(length: str) -> None:
    entries, problems = parse_fetch(f"https://example.org/a {length} data/a\n")
    assert entries == [] and [p.code for p in problems] == ["B004"]


def test_an_event_number_of_5000_digits_does_not_stop_the_audit(bag: Path) -> None:
    with open(bag / EVENTS_FILE, "ab") as log:
        log.write(f"\n<#event-{HUGE}> a premis:Event .\n".encode())
    assert audit_bag(bag).recorded


@pytest.fixture()
def umask() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def test_bag_folders_follow_the_umask_as_files_do(sources: Path, tmp_path: Path, umask: None) -> None:
    write_bag([sources], tmp_path / "bag", tag_files={"metadata/item.ttl": b"x"})
    for folder in (tmp_path / "bag", tmp_path / "bag" / "data", tmp_path / "bag" / "data" / "media",
                   tmp_path / "bag" / "metadata"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o755, folder
    os.umask(0o077)
    write_bag([sources], tmp_path / "private")
    assert stat.S_IMODE((tmp_path / "private").stat().st_mode) == 0o700


@pytest.mark.parametrize("label", ["a:b", "a\nb", "Bad :label"])
def test_a_bad_bag_info_label_is_a_usage_error_and_nothing_is_written(sources: Path, tmp_path: Path,
                                                                      label: str) -> None:
    with pytest.raises(UsageError, match="label"):
        write_bag([sources], tmp_path / "bag", info=[(label, "x")])
    assert list(tmp_path.iterdir()) == [sources]


def _tar(path: Path, bag: Path, extra: list[tarfile.TarInfo]) -> Path:
    with tarfile.open(path, "w") as tf:
        tf.add(bag, arcname="bag")
        for info in extra:
            tf.addfile(info, io.BytesIO(b"x" * info.size) if info.isfile() else None)
    return path


def _member(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, link
    info.size = 1 if kind == tarfile.REGTYPE else 0
    return info


def test_a_tar_with_links_reports_them(bag: Path, tmp_path: Path) -> None:
    path = _tar(tmp_path / "links.tar", bag, [_member("bag/data/sym", tarfile.SYMTYPE, "/etc/passwd"),
                                             _member("bag/data/hard", tarfile.LNKTYPE, "/etc/passwd")])
    report = validate_bag(path)
    assert {(p.code, p.get("path")) for p in report.problems} >= {("B010", "data/sym"), ("B007", "data/hard")}


def test_a_tar_holding_a_path_twice_is_invalid(bag: Path, tmp_path: Path) -> None:
    path = _tar(tmp_path / "twice.tar", bag, [_member("bag/data/media/HN1972.001.tif")])
    report = validate_bag(path)
    assert _codes(report) == ["B008"] and report.problems[0].location.file == "data/media/HN1972.001.tif"


def test_a_truncated_archive_is_a_problem_not_a_traceback(bag: Path, tmp_path: Path) -> None:
    whole = _tar(tmp_path / "whole.tar", bag, []).read_bytes()
    (tmp_path / "cut.tar").write_bytes(whole[: len(whole) // 2 + 100])
    report = validate_bag(tmp_path / "cut.tar")
    assert not report.valid and "B008" in _codes(report)


def test_a_folder_that_cannot_be_listed_is_a_problem_not_a_traceback(bag: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.scandir
    locked = str(bag / "data" / "media")

    def scandir(path: str) -> object:  # the tests run as root, where mode 000 does not stop a listing
        if str(path) == locked:
            raise PermissionError(13, "Permission denied", path)
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    report = validate_bag(bag)
    assert not report.valid
    assert ("B007", "data/media") in {(p.code, p.get("path")) for p in report.problems if p.code == "B007"}
