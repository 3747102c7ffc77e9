"""Media paths: refused paths are never opened; missing, unreadable and non-regular files are located."""

from __future__ import annotations

import builtins
import os
from pathlib import Path
from typing import Any

import pytest

from heritage_ld.catalogue import check_catalogue, read_catalogue
from heritage_ld.catalogue.media import MediaChecker, refusal

from .conftest import MiniCatalogue, location


@pytest.fixture()
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every path given to open()/os.open() while the test runs."""
    seen: list[str] = []
    real_open, real_os_open = builtins.open, os.open

    def spy_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(os.fspath(file) if not isinstance(file, int) else str(file))
        return real_open(file, *args, **kwargs)

    def spy_os_open(path: Any, *args: Any, **kwargs: Any) -> int:
        seen.append(os.fspath(path))
        return real_os_open(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy_open)
    monkeypatch.setattr(os, "open", spy_os_open)
    return seen


@pytest.mark.parametrize(
    "path",
    ["../../etc/passwd", "/etc/hostname", "media/../../outside.png", "C:/Windows/win.ini", "c:media.png",
     "\\\\server\\share\\a.png", "media\\one.png", "//server/share/a.png", "media/one.png\x00.txt", "."],
)
def test_refused_paths_are_c019_and_never_opened(mini: MiniCatalogue, opened: list[str], path: str) -> None:
    line, col = mini.set(0, "master", path)
    errors = check_catalogue(mini.root).errors
    assert [location(p) for p in errors] == [("C019", "items.csv", line, col)]
    assert errors[0].get("reason")
    assert not any("passwd" in p or "hostname" in p or "outside" in p or "win.ini" in p for p in opened)


def test_symlink_leaving_the_folder_is_refused_without_opening(mini: MiniCatalogue, tmp_path: Path,
                                                               opened: list[str]) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    fifo = outside / "trap"
    os.mkfifo(fifo)  # opening a FIFO with no writer blocks: the test would hang if the target were opened
    (mini.root / "media" / "link.png").symlink_to(fifo)
    (mini.root / "escape").symlink_to(outside, target_is_directory=True)
    line, col = mini.set(0, "master", "media/link.png")
    line2, col2 = mini.set(1, "master", "escape/trap")
    assert [location(p) for p in check_catalogue(mini.root).errors] == [
        ("C019", "items.csv", line, col),
        ("C019", "items.csv", line2, col2),
    ]
    assert not any("trap" in p or "link.png" in p for p in opened)


def test_fifo_and_folder_inside_are_c027_and_not_opened(mini: MiniCatalogue, opened: list[str]) -> None:
    os.mkfifo(mini.root / "media" / "pipe.png")
    line, col = mini.set(0, "master", "media/pipe.png")
    line2, col2 = mini.set(1, "master", "media/sub")
    assert [location(p) for p in check_catalogue(mini.root).errors] == [
        ("C027", "items.csv", line, col),
        ("C027", "items.csv", line2, col2),
    ]
    assert not any("pipe.png" in p for p in opened)


def test_symlink_inside_the_folder_is_followed(mini: MiniCatalogue) -> None:
    (mini.root / "media" / "alias.png").symlink_to("one.png")
    mini.set(0, "master", "media/alias.png")
    assert str(read_catalogue(mini.root).items[0].media[0].path) == "media/alias.png"


def test_dangling_symlink_is_missing(mini: MiniCatalogue) -> None:
    (mini.root / "media" / "gone.png").symlink_to("nothing-here.png")
    line, col = mini.set(0, "master", "media/gone.png")
    assert [location(p) for p in check_catalogue(mini.root).errors] == [("C017", "items.csv", line, col)]


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file_is_c018(mini: MiniCatalogue) -> None:
    secret = mini.root / "media" / "two.png"
    secret.chmod(0)
    try:
        line, col = mini.cell(1, "master")
        assert [location(p) for p in check_catalogue(mini.root).errors] == [("C018", "items.csv", line, col)]
    finally:
        secret.chmod(0o644)


def test_unreadable_file_is_c018_via_a_failing_open(mini: MiniCatalogue, monkeypatch: pytest.MonkeyPatch) -> None:
    real_os_open = os.open

    def deny(path: Any, *args: Any, **kwargs: Any) -> int:
        if os.fspath(path).endswith("two.png"):
            raise PermissionError(13, "Permission denied")
        return real_os_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", deny)
    line, col = mini.cell(1, "master")
    (problem,) = check_catalogue(mini.root).errors
    assert location(problem) == ("C018", "items.csv", line, col)
    assert problem.get("reason") == "Permission denied"


def test_refusal_reasons() -> None:
    assert refusal("media/a.png") is None and refusal("./media/a.png") is None
    assert refusal("") == "it is empty"
    assert refusal("a/../../b") == "it goes up with .."


def test_checker_remembers_answers(tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(b"x")
    checker = MediaChecker(tmp_path)
    first = checker.check("a.png")
    (tmp_path / "a.png").unlink()
    assert checker.check("a.png") is first
