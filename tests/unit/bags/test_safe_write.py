"""A bag from elsewhere never makes audit, update or the build's rebuild write outside it (issue #11, item 2).

Each case links part of a bag (``metadata/``, one tag file, ``bag-info.txt``, a tag manifest, the bag's own
folder in the build's output) to a folder outside; after the command, the outside folder is byte for byte
what it was and a coded problem (B014) says why nothing was written.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from heritage_ld.bags import EVENTS_FILE, BagWriteRefused, audit_bag, update_bag_metadata, write_bag
from heritage_ld.bags.safe_write import BagFolder, RefusedPath
from heritage_ld.pipeline.steps.bags import BagJob, make_bag


def _state(folder: Path) -> dict[str, bytes | str]:
    """Every entry under ``folder``: bytes of files, the target of links, '<dir>' for folders."""
    out: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        rel = str(path.relative_to(folder))
        if path.is_symlink():
            out[rel] = "-> " + os.readlink(path)
        elif path.is_dir():
            out[rel] = "<dir>"
        else:
            out[rel] = path.read_bytes()
    return out


@pytest.fixture()
def bag(sources: Path, tmp_path: Path) -> Path:
    write_bag([sources], tmp_path / "bag", info={"External-Identifier": "HN1972.001"},
              tag_files={"metadata/item.ttl": b"<#it> a <#Thing> .\n"})
    return tmp_path / "bag"


def _link_metadata_outside(bag: Path, tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    shutil.copytree(bag / "metadata", outside)
    shutil.rmtree(bag / "metadata")
    (bag / "metadata").symlink_to(outside, target_is_directory=True)
    return outside


def _link_file_outside(bag: Path, name: str, tmp_path: Path) -> Path:
    """Move the tag file ``name`` to a folder outside the bag and leave a link to it."""
    outside = tmp_path / "outside"
    outside.mkdir()
    moved = outside / Path(name).name
    shutil.move(bag / name, moved)
    (bag / name).symlink_to(moved)
    return outside


def _codes(problems: object) -> set[str]:
    return {p.code for p in problems}  # type: ignore[attr-defined]


def test_audit_does_not_append_through_a_linked_metadata_folder(bag: Path, tmp_path: Path) -> None:
    outside = _link_metadata_outside(bag, tmp_path)
    before = _state(outside)
    report = audit_bag(bag)
    assert _state(outside) == before
    assert not report.recorded and not report.ok
    assert "B014" in _codes(report.problems)
    assert any(p["code"] == "B014" for p in report.as_dict()["problems"])  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", [EVENTS_FILE, "tagmanifest-sha256.txt", "bag-info.txt"])
def test_audit_does_not_write_through_a_linked_tag_file(bag: Path, tmp_path: Path, name: str) -> None:
    outside = _link_file_outside(bag, name, tmp_path)
    before = _state(outside)
    report = audit_bag(bag)
    assert _state(outside) == before
    assert (bag / name).is_symlink()
    if name == "bag-info.txt":  # not written by an audit, but validation reads no further than the link
        assert report.recorded or not report.ok
    else:
        assert not report.recorded
        assert "B014" in _codes(report.problems)


@pytest.mark.parametrize("case", ["metadata", EVENTS_FILE, "metadata/item.ttl", "bag-info.txt",
                                  "tagmanifest-sha512.txt"])
def test_update_refuses_links_and_writes_nothing(bag: Path, tmp_path: Path, case: str) -> None:
    outside = _link_metadata_outside(bag, tmp_path) if case == "metadata" else _link_file_outside(bag, case, tmp_path)
    before, bag_before = _state(outside), _state(bag)
    with pytest.raises(BagWriteRefused) as err:
        update_bag_metadata(bag, info={"Contact-Name": "Nguyễn Văn A"},
                            tag_files={"metadata/item.ttl": b"<#it> a <#Other> .\n"})
    assert _state(outside) == before
    assert _state(bag) == bag_before
    assert [p.code for p in err.value.problems] == ["B014"]
    assert err.value.problems[0].get("kind") == "a symbolic link"


def test_update_refuses_a_special_file_where_a_tag_file_goes(bag: Path) -> None:
    os.mkfifo(bag / "metadata" / "notes.txt")
    with pytest.raises(BagWriteRefused) as err:
        update_bag_metadata(bag, tag_files={"metadata/notes.txt": b"hello"})
    assert err.value.problems[0].code == "B014"
    assert "pipe" in err.value.problems[0].get("kind")


def _job(bag: Path, sources: Path, root: Path, tags: tuple[tuple[str, Path], ...] = ()) -> BagJob:
    payload = tuple(sorted((str(p.relative_to(sources)), p) for p in sources.rglob("*") if p.is_file()))
    return BagJob(bag, payload, (("External-Identifier", "HN1972.001"),), tags, None, "https://example.org/b",
                  replace=True, rehash=False, jobs=1, root=root)


def test_build_update_refuses_a_linked_metadata_folder(sources: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    target = out / "bags" / "HN1972.001"
    assert make_bag(_job(target, sources, out)) == "written"
    outside = _link_metadata_outside(target, tmp_path)
    ttl = tmp_path / "item.ttl"
    ttl.write_bytes(b"<#it> a <#Changed> .\n")
    before = _state(outside)
    with pytest.raises(BagWriteRefused) as err:
        make_bag(_job(target, sources, out, (("metadata/item.ttl", ttl),)))
    assert _state(outside) == before
    assert [p.code for p in err.value.problems] == ["B014"]


@pytest.mark.parametrize("linked", ["bags", "bags/HN1972.001"])
def test_build_refuses_a_linked_folder_between_out_and_the_bag(sources: Path, tmp_path: Path, linked: str) -> None:
    out = tmp_path / "out"
    outside = tmp_path / "outside"
    (out / "bags").mkdir(parents=True)
    make_bag(_job(outside / "HN1972.001" if linked == "bags" else outside, sources, tmp_path))
    shutil.rmtree(out / linked) if (out / linked).exists() else None
    (out / linked).symlink_to(outside, target_is_directory=True)
    before = _state(outside)
    with pytest.raises(BagWriteRefused) as err:
        make_bag(_job(out / "bags" / "HN1972.001", sources, out))
    assert _state(outside) == before
    assert err.value.problems[0].code == "B014"
    assert err.value.problems[0].get("path").endswith(linked)


def test_bag_folder_never_follows_a_link_on_any_component(tmp_path: Path) -> None:
    (tmp_path / "bag" / "a").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "bag" / "a" / "b").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    with BagFolder.open(tmp_path / "bag") as folder:
        for call in (lambda: folder.write("a/b/c.txt", b"x", durable=False), lambda: folder.read("a/b/c.txt"),
                     lambda: folder.check_writable("a/b/c.txt"), lambda: folder.remove("a/b/c.txt")):
            with pytest.raises(RefusedPath, match="a/b: a symbolic link"):
                call()
        with pytest.raises(ValueError):
            folder.write("../escape.txt", b"x")
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_write_atomic_never_writes_through_a_planted_temporary_link(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import secrets

    from heritage_ld.atomic import write_atomic

    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    folder = tmp_path / "out"
    folder.mkdir()
    # the temporary names the writer used to use, and the first one it will try now
    tokens = iter(["0000", "1111"])
    monkeypatch.setattr(secrets, "token_hex", lambda n: next(tokens))
    for name in (f".a.txt.{os.getpid()}.tmp", f".a.txt.{os.getpid()}-0000.tmp"):
        (folder / name).symlink_to(victim)
    write_atomic(folder / "a.txt", b"new", durable=False)
    assert victim.read_bytes() == b"precious"
    assert (folder / "a.txt").read_bytes() == b"new"
