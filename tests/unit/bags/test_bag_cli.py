"""The hostile bags of issue #11 through ``heritage-ld bag ...``: the exit code says what happened, a coded
problem says why, and there is never a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import bagit
import pytest
from typer.testing import CliRunner

from heritage_ld.bags import EVENTS_FILE, write_bag
from heritage_ld.bags.info import parse_info
from heritage_ld.cli import app

runner = CliRunner()


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["bag", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result.exit_code, result.output


@pytest.fixture()
def bag(sources: Path, tmp_path: Path) -> Path:
    write_bag([sources], tmp_path / "bag", info=[("Source-Organization", "Hanoi Museum"), ("Contact-Name", "A"),
                                                 ("Contact-Name", "B")], tag_files={"metadata/item.ttl": b"t\n"})
    return tmp_path / "bag"


def _state(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _metadata_outside(bag: Path) -> Path:
    outside = bag.parent / "outside"
    shutil.move(bag / "metadata", outside)
    (bag / "metadata").symlink_to(outside, target_is_directory=True)
    return outside


def _tag_manifest_link(bag: Path) -> Path:
    shutil.move(bag / "tagmanifest-sha256.txt", bag / "metadata" / "tm.txt")
    (bag / "tagmanifest-sha256.txt").symlink_to("metadata/tm.txt")
    return bag / "metadata"


def _huge_oxum(bag: Path) -> Path:
    info = (bag / "bag-info.txt").read_text().splitlines()
    (bag / "bag-info.txt").write_text("\n".join(
        f"Payload-Oxum: {'9' * 5000}.1" if line.startswith("Payload-Oxum") else line for line in info) + "\n")
    return bag.parent / "nothing"


def _huge_version(bag: Path) -> Path:
    (bag / "bagit.txt").write_text(f"BagIt-Version: {'9' * 5000}1.0\nTag-File-Character-Encoding: UTF-8\n")
    return bag.parent / "nothing"


CASES: dict[str, tuple[Callable[[Path], Path], list[str], int, str]] = {
    # name: (damage, command after "bag", expected exit code, expected code in the output)
    "audit, metadata/ linked outside": (_metadata_outside, ["audit"], 1, "B014"),
    "update, metadata/ linked outside": (_metadata_outside, ["update", "--contact-name", "X"], 2, "B014"),
    "audit, tag manifest a link": (_tag_manifest_link, ["audit"], 1, "B014"),
    "update, tag manifest a link": (_tag_manifest_link, ["update", "--info", "A=1"], 2, "B014"),
    "validate, Payload-Oxum of 5000 digits": (_huge_oxum, ["validate"], 1, "B006"),
    "audit, Payload-Oxum of 5000 digits": (_huge_oxum, ["audit"], 1, "B006"),
    "validate, BagIt-Version of 5000 digits": (_huge_version, ["validate"], 1, "B008"),
    "update, BagIt-Version of 5000 digits": (_huge_version, ["update", "--info", "A=1"], 2, "B015"),
}


@pytest.mark.parametrize("case", CASES)
def test_hostile_bags_give_an_exit_code_and_a_coded_problem(bag: Path, case: str) -> None:
    damage, command, code, problem = CASES[case]
    watched = damage(bag)
    before = _state(watched) if watched.exists() else {}
    exit_code, output = _run(*command, str(bag))
    assert exit_code == code, output
    assert problem in output
    assert (_state(watched) if watched.exists() else {}) == before


def test_update_merges_and_the_bag_stays_valid(bag: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_bytes(b"condition report\n")
    exit_code, output = _run("update", str(bag), "--contact-email", "a@example.org", "--info", "Bag-Count=1 of 2",
                             "--remove-info", "Source-Organization", "--tag-file", f"{notes}:metadata/notes.txt")
    assert exit_code == 0, output
    entries = parse_info((bag / "bag-info.txt").read_text(encoding="utf-8"))[0]
    assert [v for k, v in entries if k == "Contact-Name"] == ["A", "B"]
    assert ("Contact-Email", "a@example.org") in entries and ("Bag-Count", "1 of 2") in entries
    assert not any(k == "Source-Organization" for k, _ in entries)
    assert (bag / "metadata" / "notes.txt").read_bytes() == b"condition report\n"
    assert (bag / "metadata" / "item.ttl").read_bytes() == b"t\n"
    bagit.Bag(str(bag)).validate()
    assert _run("validate", str(bag))[0] == 0
    assert _run("update", str(bag), "--remove-tag-file", "metadata/notes.txt")[0] == 0
    assert not (bag / "metadata" / "notes.txt").exists()


@pytest.mark.parametrize("args", [[], ["--info", "Payload-Oxum=1.1"], ["--info", "a:b=c"], ["--info", "novalue"],
                                  ["--tag-file", "nosuchfile:metadata/x"], ["--tag-file", "x"],
                                  ["--tag-file", f"{__file__}:data/x"], ["--remove-tag-file", "metadata/none"],
                                  ["--remove-tag-file", EVENTS_FILE]])
def test_update_usage_errors_exit_2_and_change_nothing(bag: Path, args: list[str]) -> None:
    before = _state(bag)
    exit_code, output = _run("update", str(bag), *args)
    assert exit_code == 2, output
    assert output.startswith("error:") or "Error" in output
    assert _state(bag) == before


def test_create_with_a_bad_label_exits_2(sources: Path, tmp_path: Path) -> None:
    exit_code, output = _run("create", str(sources), "-o", str(tmp_path / "bag"), "--info", "a:b=c")
    assert exit_code == 2 and "label" in output
    assert not (tmp_path / "bag").exists()


def test_the_module_entry_point_shows_no_traceback_for_a_linked_metadata_folder(bag: Path) -> None:
    outside = _metadata_outside(bag)
    before = _state(outside)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    done = subprocess.run([sys.executable, "-m", "heritage_ld", "bag", "audit", str(bag)], capture_output=True,
                          text=True, env=env, timeout=120, check=False)
    assert done.returncode == 1
    assert "B014" in done.stderr and "Traceback" not in done.stderr + done.stdout
    assert _state(outside) == before


@pytest.mark.parametrize("special", ["fifo", "/dev/zero"])
def test_update_refuses_a_tag_file_that_is_not_a_regular_file(bag: Path, tmp_path: Path, special: str) -> None:
    # red-team of #11: --tag-file /dev/zero:... was read until memory ran out, a FIFO hung
    source = tmp_path / "fifo"
    if special == "fifo":
        os.mkfifo(source)
    else:
        source = Path(special)
    before = _state(bag)
    exit_code, output = _run("update", str(bag), "--tag-file", f"{source}:metadata/x.bin")
    assert exit_code == 2 and "not a regular file" in output, output
    assert _state(bag) == before
