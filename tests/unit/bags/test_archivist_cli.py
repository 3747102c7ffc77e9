"""The archivist's command line: refusals with codes, bags named in problem lines, --recursive, --json,
progress counts that match the summary, an example in every --help."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from heritage_ld._project import project_url
from heritage_ld.cli import app

runner = CliRunner()


@pytest.fixture()
def src(tmp_path: Path) -> Path:
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "a.txt").write_text("Kham Thien\n")
    (folder / "b.txt").write_text("Hanoi 1972\n")
    return folder


def _bag(src: Path, out: Path) -> None:
    result = runner.invoke(app, ["bag", "create", str(src), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output


def _codes(text: str) -> set[str]:
    return {w for w in text.split() if len(w) == 4 and w[0] in "BC" and w[1:].isdigit()}


def _walk(group: Any, path: list[str]) -> list[list[str]]:
    commands = getattr(group, "commands", None)  # a group (typer may bring its own click)
    if commands:
        return [p for name, cmd in sorted(commands.items()) for p in _walk(cmd, [*path, name])]
    return [path]


def test_every_command_help_has_an_example() -> None:
    commands = _walk(get_command(app), [])
    assert ["ocfl", "add"] in commands and ["bag", "create"] in commands
    for path in commands:
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, path
        assert "Example: heritage-ld " in result.output, path


def test_create_refuses_an_output_inside_its_source(src: Path) -> None:
    result = runner.invoke(app, ["bag", "create", str(src), "-o", str(src / "bag")])
    assert result.exit_code == 2 and "B033" in _codes(result.output)
    assert not (src / "bag").exists()


def test_create_names_replace_when_the_target_exists(src: Path, tmp_path: Path) -> None:
    _bag(src, tmp_path / "bag")
    result = runner.invoke(app, ["bag", "create", str(src), "-o", str(tmp_path / "bag")])
    assert result.exit_code == 2 and "--replace" in result.output
    assert runner.invoke(app, ["bag", "create", str(src), "-o", str(tmp_path / "bag"), "--replace", "-q"]).exit_code == 0


def test_create_warns_about_percent_in_names(src: Path, tmp_path: Path) -> None:
    (src / "100% cotton.txt").write_text("x")
    result = runner.invoke(app, ["bag", "create", str(src), "-o", str(tmp_path / "bag")])
    assert result.exit_code == 0 and "B032" in _codes(result.output)
    assert "bag/data/100% cotton.txt" in result.output  # the line names the bag and the file


@pytest.mark.parametrize("value", ["yesterday", "1972-13-01", "30/12/1972", "1972-12-30T00:00"])
def test_bagging_date_must_be_a_date(src: Path, tmp_path: Path, value: str) -> None:
    result = runner.invoke(app, ["bag", "create", str(src), "-o", str(tmp_path / "bag"), "--info",
                                 f"Bagging-Date={value}"])
    assert result.exit_code == 2 and "B031" in _codes(result.output)
    assert not (tmp_path / "bag").exists()


def test_bagging_date_given_is_kept_and_the_agent_names_the_project(src: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["bag", "create", str(src), "-o", str(tmp_path / "bag"), "-q", "--info",
                                 "Bagging-Date=1972-12-30"])
    assert result.exit_code == 0, result.output
    info = (tmp_path / "bag" / "bag-info.txt").read_text()
    assert "Bagging-Date: 1972-12-30" in info
    assert "Bag-Software-Agent: heritage-ld " in info and f"<{project_url()}>" in info


def test_create_json_and_the_summary_count_the_crate(src: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["bag", "create", str(src), "-o", str(tmp_path / "bag"), "--json"])
    data = json.loads(result.stdout)
    assert data["files"] == 3 and data["problems"] == []  # two files and data/ro-crate-metadata.json
    manifest = (tmp_path / "bag" / "manifest-sha256.txt").read_text().splitlines()
    assert len(manifest) == data["files"]


def test_a_folder_of_bags_is_named_as_such_and_recursive_checks_each(src: Path, tmp_path: Path) -> None:
    bags = tmp_path / "bags"
    _bag(src, bags / "one")
    _bag(src, bags / "group" / "two")
    result = runner.invoke(app, ["bag", "validate", str(bags)])
    assert result.exit_code == 2 and "B034" in _codes(result.output) and "--recursive" in result.output
    (bags / "group" / "two" / "data" / "a.txt").write_text("tampered\n")
    result = runner.invoke(app, ["bag", "validate", "--recursive", str(bags)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "B001" in line]
    assert lines and all(str(bags / "group" / "two") in line for line in lines)
    assert "1 of 2 bags valid" in result.output
    data = json.loads(runner.invoke(app, ["bag", "validate", "-r", "--json", str(bags)]).stdout)
    assert [b["valid"] for b in data["bags"]] == [False, True] and data["invalid"] == 1
    assert {p["code"] for p in data["bags"][0]["problems"]} >= {"B001"}


def test_audit_recursive_json_and_report(src: Path, tmp_path: Path) -> None:
    bags = tmp_path / "bags"
    _bag(src, bags / "one")
    _bag(src, bags / "two")
    result = runner.invoke(app, ["bag", "audit", "-r", str(bags), "--json", "--report", str(tmp_path / "r.csv")])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["failed"] == 0
    assert len((tmp_path / "r.csv").read_text().splitlines()) == 3


def test_update_json(src: Path, tmp_path: Path) -> None:
    _bag(src, tmp_path / "bag")
    result = runner.invoke(app, ["bag", "update", str(tmp_path / "bag"), "--contact-name", "Archivist", "--json"])
    assert result.exit_code == 0, result.output
    written = json.loads(result.stdout)["written"]
    assert "bag-info.txt" in written and "metadata/premis.xml" in written
