"""``heritage-ld check examples/hanoi-1972``: the example is a valid catalogue of the exhibition."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from heritage_ld.catalogue import read_catalogue
from heritage_ld.cli import app
from heritage_ld.model import MediaRole


def test_check_example_exits_0(example_dir: Path) -> None:
    result = CliRunner().invoke(app, ["check", str(example_dir)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{example_dir}: OK: ")
    assert result.stderr == ""


def test_example_content(example_dir: Path) -> None:
    c = read_catalogue(example_dir)
    assert len(c.items) >= 30
    assert len(c.sections) == 3
    assert all(s.title.get("vi") and s.title.get("en") for s in c.sections)
    assert c.title["vi"] == "Hà Nội 1972 – Khát vọng hòa bình"
    assert c.title["en"] == "Hanoi 1972 – Aspiration for Peace"
    assert all(i.title.get("vi") and i.title.get("en") for i in c.items)
    assert {s.key for s in c.sections} <= {i.section for i in c.items}
    assert all(c.items_in(s) for s in c.sections)
    assert c.organizers and c.venue is not None and c.publisher is not None
    masters = [m for i in c.items for m in i.media if m.role is MediaRole.MASTER]
    assert masters and all(m.resolve(c.root).is_file() for i in c.items for m in i.media)  # type: ignore[arg-type]
    assert any(m.media_type == "application/pdf" for m in masters)
