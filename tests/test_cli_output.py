"""Scriptable CLI output (issue 13, item 5): never hard-wrapped when not a terminal, --json for check,
bag validate and bag audit, the bag's path on every problem line when several bags are checked."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from heritage_support import EXAMPLE

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "40"}
    return subprocess.run([sys.executable, "-m", "heritage_ld", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=300, check=False)


def _bag(tmp_path: Path, name: str) -> Path:
    src = tmp_path / f"{name}-src"
    src.mkdir()
    (src / "photo.tif").write_bytes(b"II*\x00" + b"x" * 100)
    (src / "notes.txt").write_text("Kham Thien, December 1972\n", encoding="utf-8")
    bag = tmp_path / "a-rather-long-folder-name-so-that-lines-pass-eighty-columns" / name
    assert _run("bag", "create", str(src), "-o", str(bag), "-q").returncode == 0
    return bag


def test_output_is_never_wrapped_when_piped(tmp_path: Path) -> None:
    deep = tmp_path / ("catalogue-with-a-long-name-" * 4)
    shutil.copytree(EXAMPLE, deep)
    result = _run("check", str(deep))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith(str(deep)) and lines[0].endswith("0 warning(s)")
    assert len(lines[0]) > 120


def test_error_lines_are_one_line_each(tmp_path: Path) -> None:
    missing = tmp_path / ("no-such-catalogue-" * 6)
    result = _run("build", str(missing), "-o", str(tmp_path / "out"))
    assert result.returncode == 2
    assert all(len(line) > 80 or not line.startswith(" ") for line in result.stderr.splitlines())
    assert str(missing) in result.stderr.replace("\n", "") and str(missing)[:100] in result.stderr


def test_check_json(tmp_path: Path) -> None:
    ok = _run("check", str(EXAMPLE), "--json")
    assert ok.returncode == 0
    doc = json.loads(ok.stdout)
    assert (doc["ok"], doc["items"], doc["sections"], doc["errors"], doc["problems"]) == (True, 36, 3, 0, [])
    bad = tmp_path / "bad"
    shutil.copytree(EXAMPLE, bad, ignore=shutil.ignore_patterns("media"))
    result = _run("check", str(bad), "--json")
    assert result.returncode == 2
    doc = json.loads(result.stdout)
    assert doc["ok"] is False and doc["items"] is None and doc["errors"] == len(doc["problems"]) > 0
    first = doc["problems"][0]
    assert (first["code"], first["severity"], first["file"], first["field"]) == ("C017", "error", "items.csv",
                                                                              "master")
    assert isinstance(first["line"], int) and first["message"].startswith("C017 media file")


def test_bag_validate_json_and_paths_on_problem_lines(tmp_path: Path) -> None:
    good, bad = _bag(tmp_path, "good"), _bag(tmp_path, "bad")
    (bad / "data" / "photo.tif").write_bytes(b"changed")
    result = _run("bag", "validate", str(good), str(bad))
    assert result.returncode == 1
    problem_lines = [line for line in result.stderr.splitlines() if " B0" in line]
    assert problem_lines and all(line.startswith(f"{bad}/") for line in problem_lines)
    assert any(line.startswith(f"{bad}/manifest-sha256.txt: B001 data/photo.tif") for line in problem_lines)
    assert all(len(line.splitlines()) == 1 for line in result.stdout.splitlines())
    doc = json.loads(_run("bag", "validate", str(good), str(bad), "--json").stdout)
    assert (doc["valid"], doc["invalid"]) == (1, 1)
    assert [b["valid"] for b in doc["bags"]] == [True, False]
    codes = {p["code"] for p in doc["bags"][1]["problems"]}
    assert "B001" in codes and {p["params"]["path"] for p in doc["bags"][1]["problems"] if p["code"] == "B001"} == {
        "data/photo.tif"}


def test_bag_audit_json(tmp_path: Path) -> None:
    good, bad = _bag(tmp_path, "good"), _bag(tmp_path, "bad")
    (bad / "data" / "notes.txt").unlink()
    result = _run("bag", "audit", str(good), str(bad), "--json", "--no-record")
    assert result.returncode == 1
    doc = json.loads(result.stdout)
    assert doc["failed"] == 1 and [b["outcome"] for b in doc["bags"]] == ["success", "failure"]
    assert "B002" in {p["code"] for p in doc["bags"][1]["problems"]} and doc["bags"][0]["problems"] == []
    lines = _run("bag", "audit", str(good), str(bad), "--no-record").stderr.splitlines()
    assert any(line.startswith(f"{bad}/") and "B002" in line for line in lines)
