"""The command line: every command has --help; check and build exit codes; --version."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer
from PIL import Image
from typer.testing import CliRunner

from heritage_ld import __version__
from heritage_ld.cli import app

runner = CliRunner()

TOML = """\
[collection]
key = "cli"
base_url = "https://example.org/cli"
title.en = "CLI test"
[[sections]]
key = "s"
title.en = "Section"
"""


def _commands(command: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command path under the root, groups included (so commands added later are covered)."""
    found = [path]
    subcommands = getattr(command, "commands", None)  # a group (typer vendors click: no isinstance check)
    if subcommands:
        for name, sub in sorted(subcommands.items()):
            found += _commands(sub, (*path, name))
    return found


COMMANDS = _commands(typer.main.get_command(app))


def _catalogue(root: Path, rows: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (3, 2), (1, 2, 3)).save(root / "a.png")
    (root / "collection.toml").write_text(TOML, encoding="utf-8")
    (root / "items.csv").write_text("accession,kind,section,title@en,date,master\n" + rows, encoding="utf-8")
    return root


def test_the_contract_commands_are_registered() -> None:
    assert {("check",), ("build",)} <= set(COMMANDS)
    registered = {c.name for c in app.registered_commands} | {g.name for g in app.registered_groups}
    assert registered <= {p[0] for p in COMMANDS if p}  # every registered command and group is walked


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "heritage-ld")
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    assert "Traceback" not in result.output


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"heritage-ld {__version__}"


def test_no_arguments_shows_help() -> None:
    result = runner.invoke(app, [])
    assert result.exit_code in (0, 2) and "Usage:" in result.output


def test_check_ok_prints_a_one_line_summary(tmp_path: Path) -> None:
    root = _catalogue(tmp_path / "a-rather-long-folder-name-so-that-wrapping-would-show" / "catalogue",
                      "X.1,photograph,s,One,1972,a.png\nX.2,document,s,Two,,a.png\n")
    result = runner.invoke(app, ["check", str(root)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    assert lines[0] == f"{root}: OK: 2 items in 1 sections, 2 media files, 0 warning(s)"
    assert result.stderr == ""


def test_check_quiet_prints_nothing(tmp_path: Path) -> None:
    root = _catalogue(tmp_path / "c", "X.1,photograph,s,One,1972,a.png\n")
    result = runner.invoke(app, ["check", "--quiet", str(root)])
    assert result.exit_code == 0 and result.output == ""


def test_check_errors_exit_2_with_located_lines(tmp_path: Path) -> None:
    root = _catalogue(tmp_path / "c", "X.1,painting,s,One,1972-13,a.png\nX.1,photograph,zz,Two,,../../etc/passwd\n")
    result = runner.invoke(app, ["check", str(root)])
    assert result.exit_code == 2
    problems = [line for line in result.stderr.splitlines() if line.strip()]
    assert [re.match(r"^(\S+?:\d+:\d+): (C\d{3}) ", line).groups() for line in problems] == [  # type: ignore[union-attr]
        ("items.csv:2:2", "C016"),
        ("items.csv:2:5", "C012"),
        ("items.csv:3:1", "C011"),
        ("items.csv:3:3", "C013"),
        ("items.csv:3:6", "C019"),
    ]
    assert "Traceback" not in result.output
    assert "5 error(s)" in result.stdout


def test_check_missing_folder_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "C001" in result.stderr and "Traceback" not in result.output


def test_build_refuses_a_bad_catalogue_with_exit_2_and_writes_nothing(tmp_path: Path) -> None:
    root = _catalogue(tmp_path / "c", "X.1,photograph,s,One,not-a-date,a.png\n")
    out = tmp_path / "out"
    result = runner.invoke(app, ["build", str(root), "-o", str(out)])
    assert result.exit_code == 2
    assert "items.csv:2:5: C012" in result.stderr
    assert "nothing was written" in result.stderr
    assert not out.exists()


def test_build_bad_usage_exits_2(tmp_path: Path) -> None:
    root = _catalogue(tmp_path / "c", "X.1,photograph,s,One,1972,a.png\n")
    result = runner.invoke(app, ["build", str(root), "-o", str(tmp_path / "out"), "--bag-mode", "bogus"])
    assert result.exit_code == 2 and "Traceback" not in result.output
