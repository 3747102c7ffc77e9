"""Never a traceback (issue #11, item 4): damaged media files and failures while writing, fed through the CLI.

Each case is a row of a table. Damaged media are found by ``check`` and refused by ``build`` before anything is
written (exit 2, a located problem code). A full disk in a build step (simulated in-process: the write raises
``OSError(ENOSPC)`` as ``write(2)`` does) gives exit 2 and one line ``disk full while writing PATH``, leaves no
temporary file and keeps what the previous build wrote.
"""

from __future__ import annotations

import errno
import gzip
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from heritage_ld.cli import app
from hostile_media import bomb_png, disk_full, small_catalogue, tree, truncate

runner = CliRunner()
STEPS = "rdf,iiif,site,store"
#: Names of this tool's temporaries: .NAME.PID.tmp (files and folders), and the tiles' NAME.part folders.
TEMPORARY = re.compile(r"(^\..+\.\d+\.tmp$|\.part$)")


def _no_traceback(result: Result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


def _edit(root: Path, old: str, new: str) -> None:
    path = root / "items.csv"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _temporaries(out: Path) -> list[str]:
    return [p.relative_to(out).as_posix() for p in out.rglob("*") if TEMPORARY.search(p.name)]


# -- damaged media: check finds them, build refuses them before writing anything ----------------------------


def _truncated_jpeg(root: Path) -> None:
    truncate(root / "media" / "HNM.1972.001.jpg")


def _truncated_tiff_shown(root: Path) -> None:
    _edit(root, "media/HNM.1972.001.tif,media/HNM.1972.001.jpg", "media/HNM.1972.001.tif,")
    truncate(root / "media" / "HNM.1972.001.tif")


def _bomb(root: Path) -> None:
    bomb_png(root / "media" / "bomb.png")
    _edit(root, "media/HNM.1972.002.jpg", "media/bomb.png")


def _broken_pdf(root: Path) -> None:
    truncate(root / "media" / "HNM.1972.007.pdf", 0.3)


@pytest.mark.parametrize(("damage", "code", "cell"), [
    (_truncated_jpeg, "C050", "items.csv:2:30"),
    (_truncated_tiff_shown, "C050", "items.csv:2:29"),
    (_bomb, "C051", "items.csv:3:30"),
    (_broken_pdf, "C052", "items.csv:4:29"),
], ids=["truncated-jpeg", "truncated-tiff", "decompression-bomb", "broken-pdf"])
def test_damaged_media_is_a_located_problem_in_check_and_build(
    tmp_path: Path, damage: Callable[[Path], None], code: str, cell: str
) -> None:
    root = small_catalogue(tmp_path / "c")
    damage(root)
    checked = runner.invoke(app, ["check", str(root)])
    _no_traceback(checked)
    assert checked.exit_code == 2
    assert f"{cell}: {code} " in checked.stderr
    out = tmp_path / "out"
    built = runner.invoke(app, ["build", str(root), "-o", str(out), "--only", STEPS, "-q"])
    _no_traceback(built)
    assert built.exit_code == 2
    assert f"{cell}: {code} " in built.stderr and "nothing was written" in built.stderr
    assert not out.exists()


def test_the_pixel_limit_is_an_option_of_check_and_build(tmp_path: Path) -> None:
    root = small_catalogue(tmp_path / "c", ("HNM.1972.002",))  # a 900 × 600 access copy
    assert runner.invoke(app, ["check", str(root), "--max-pixels", "540000"]).exit_code == 0
    refused = runner.invoke(app, ["check", str(root), "--max-pixels", "539999"])
    assert refused.exit_code == 2 and " C051 " in refused.stderr
    built = runner.invoke(app, ["build", str(root), "-o", str(tmp_path / "out"), "--only", "iiif", "-q",
                                "--max-pixels", "539999"])
    assert built.exit_code == 2 and " C051 " in built.stderr


# -- failures while writing ---------------------------------------------------------------------------------


class _FullStore:
    """A pyoxigraph store whose ``flush`` finds the disk full (RocksDB reports it in words, without errno)."""

    def __init__(self, real: Any, *args: Any, **kwargs: Any) -> None:
        self._store = real(*args, **kwargs)

    def flush(self) -> None:
        raise OSError("IO error: While appending to file: OPTIONS-000006.dbtmp: No space left on device")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def _full_site(monkeypatch: pytest.MonkeyPatch) -> None:
    disk_full(monkeypatch, Path, "write_bytes", when=lambda p: "/site/" in p, after=2)  # the third page


def _full_store(monkeypatch: pytest.MonkeyPatch) -> None:
    import pyoxigraph

    real = pyoxigraph.Store
    monkeypatch.setattr(pyoxigraph, "Store", lambda *a, **k: _FullStore(real, *a, **k))


def _full_rdf_dump(monkeypatch: pytest.MonkeyPatch) -> None:
    from heritage_ld.pipeline.steps import rdf

    monkeypatch.setattr(rdf._Compressor, "_BATCH", 1)  # a write a part (it batches a megabyte: the example's
    disk_full(monkeypatch, gzip.GzipFile, "write", after=1)  # whole dump), so that the disk fills mid-dump


@dataclass(frozen=True)
class Full:
    fill: Callable[[pytest.MonkeyPatch], None]
    step: str
    kept: str  # the folder of OUT the previous build wrote that must be left as it was


@pytest.mark.parametrize("case", [
    Full(_full_site, "site", "site"),
    Full(_full_store, "store", "store"),
    Full(_full_rdf_dump, "rdf", "rdf/dataset.nt.gz"),
], ids=["site", "store-flush", "rdf-dump"])
def test_a_full_disk_is_one_line_keeps_the_previous_output_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: Full
) -> None:
    root = small_catalogue(tmp_path / "c")
    out = tmp_path / "out"
    assert runner.invoke(app, ["build", str(root), "-o", str(out), "--only", STEPS, "-q"]).exit_code == 0
    before = _content(out, case)
    case.fill(monkeypatch)
    # --force: a build that has to write (an unchanged catalogue would leave everything as it is)
    result = runner.invoke(app, ["build", str(root), "-o", str(out), "--only", case.step, "-q", "--force"])
    _no_traceback(result)
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"error: disk full while writing {out / case.step.split(',')[0]}")
    monkeypatch.undo()  # the real disk again, to read what is there
    assert _content(out, case) == before
    assert _temporaries(out) == []


def _content(out: Path, case: Full) -> object:
    """What must survive: the bytes of the folder or file, or for the store (updated in place by an incremental
    build, where the database's own files change) the quads it holds."""
    kept = out / case.kept
    if case.step == "store":
        from heritage_ld.publish.store import open_store

        store = open_store(out)
        try:
            return sorted(str(q) for q in store)
        finally:
            del store
    return tree(kept) if kept.is_dir() else kept.read_bytes()


def test_a_full_disk_while_tiling_leaves_no_part_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from heritage_ld.iiif import tiles

    root = small_catalogue(tmp_path / "c", ("HNM.1972.001",))
    calls = {"n": 0}
    real = tiles._encode

    def encode(im: Any, target: Path) -> None:
        calls["n"] += 1
        if calls["n"] > 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(im, target)

    monkeypatch.setattr(tiles, "_encode", encode)
    out = tmp_path / "out"
    result = runner.invoke(app, ["build", str(root), "-o", str(out), "--only", "iiif", "-q", "-j", "1"])
    _no_traceback(result)
    assert result.exit_code == 2
    assert re.search(rf"^error: disk full while writing {re.escape(str(out))}/iiif/image/\S+ ", result.stderr)
    assert _temporaries(out) == [] and not list((out / "iiif" / "image").glob("*/info.json"))


def test_any_other_os_error_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from heritage_ld.iiif import media

    def refuse(source: Any, target: Any, **kwargs: Any) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(target))

    root = small_catalogue(tmp_path / "c", ("HNM.1972.001",))
    monkeypatch.setattr(media.shutil, "copyfile", refuse)
    out = tmp_path / "out"
    result = runner.invoke(app, ["build", str(root), "-o", str(out), "--only", "iiif", "--no-tiles", "-q"])
    _no_traceback(result)
    assert result.exit_code == 2
    assert re.fullmatch(rf"error: {re.escape(str(out))}/iiif/media/HNM.1972.001/\.HNM.1972.001.jpg.\d+.tmp: "
                        r"Permission denied \(in the iiif step\)\n", result.stderr)
    shutil.rmtree(out)
