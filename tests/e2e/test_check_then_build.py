"""``check`` says OK ⇒ ``build`` succeeds (issue #11, item 5).

Every catalogue folder the test suite builds (the Hanoi example, the small catalogues the CLI tests make) and a
set of hostile media cases go through ``heritage-ld check``; each one it accepts is built (rdf, iiif with tiles,
bags, site) and must build, and each one it refuses must be refused by ``build`` too, with the same code and
nothing written. Each case also says whether it should be accepted, so that a check that refuses everything
does not pass.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from heritage_ld.cli import app
from hostile_media import bomb_png, small_catalogue, truncate

pytestmark = pytest.mark.slow

runner = CliRunner()
STEPS = "rdf,iiif,bags,site"


def _edit(root: Path, old: str, new: str) -> None:
    path = root / "items.csv"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _as_is(root: Path) -> None:
    pass


def _link_to_a_file_inside(root: Path) -> None:
    media = root / "media"
    (media / "real").mkdir()
    (media / "HNM.1972.001.jpg").rename(media / "real" / "photo.jpg")
    (media / "HNM.1972.001.jpg").symlink_to(Path("real") / "photo.jpg")


def _linked_media_folder(root: Path) -> None:
    (root / "media").rename(root / "scans")
    (root / "media").symlink_to("scans", target_is_directory=True)


def _damaged_master_behind_access_copy(root: Path) -> None:
    truncate(root / "media" / "HNM.1972.001.tif", 0.3)  # only copied into the bag, never decoded


def _png_named_jpg(root: Path) -> None:
    Image.new("RGB", (640, 480), (90, 90, 90)).save(root / "media" / "HNM.1972.001.jpg", "PNG")


def _exif_rotated_and_odd_modes(root: Path) -> None:
    rotated = Image.effect_noise((640, 480), 40).convert("RGB")
    exif = rotated.getexif()
    exif[0x0112] = 6
    rotated.save(root / "media" / "HNM.1972.001.jpg", exif=exif)
    Image.effect_noise((500, 300), 40).convert("CMYK").save(root / "media" / "HNM.1972.002.jpg")


def _truncated_jpeg(root: Path) -> None:
    Image.effect_noise((640, 480), 60).convert("RGB").save(root / "media" / "HNM.1972.001.jpg", quality=90)
    truncate(root / "media" / "HNM.1972.001.jpg")


def _truncated_tiff_shown(root: Path) -> None:
    _edit(root, "media/HNM.1972.001.tif,media/HNM.1972.001.jpg", "media/HNM.1972.001.tif,")
    truncate(root / "media" / "HNM.1972.001.tif")


def _empty_file(root: Path) -> None:
    (root / "media" / "HNM.1972.002.jpg").write_bytes(b"")


def _bomb(root: Path) -> None:
    bomb_png(root / "media" / "bomb.png")
    _edit(root, "media/HNM.1972.002.jpg", "media/bomb.png")


def _broken_pdf(root: Path) -> None:
    truncate(root / "media" / "HNM.1972.007.pdf", 0.3)


def _pdf_without_pages(root: Path) -> None:
    (root / "media" / "HNM.1972.007.pdf").write_bytes(
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n")


def _logo(path: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        toml = root / "collection.toml"
        text = toml.read_text(encoding="utf-8")
        assert 'name.en = "Hanoi Museum"\n' in text
        toml.write_text(text.replace('name.en = "Hanoi Museum"\n', f'name.en = "Hanoi Museum"\nlogo = "{path}"\n', 1),
                        encoding="utf-8")

    return change


def _cli_test_catalogue(root: Path) -> None:
    """The catalogue tests/test_cli.py builds (one item, a 3 × 2 PNG at the folder's top)."""
    from test_cli import _catalogue

    shutil.rmtree(root)
    _catalogue(root, "X.1,photograph,s,One,1972,a.png\n")


@dataclass(frozen=True)
class Case:
    name: str
    change: Callable[[Path], None]
    accepted: bool
    full_example: bool = False


CASES = [
    Case("hanoi-example", _as_is, True, full_example=True),
    Case("small-hanoi", _as_is, True),
    Case("cli-test-catalogue", _cli_test_catalogue, True),
    Case("symlink-to-a-file-inside", _link_to_a_file_inside, True),
    Case("symlinked-media-folder", _linked_media_folder, True),
    Case("damaged-master-behind-access-copy", _damaged_master_behind_access_copy, True),
    Case("png-named-jpg", _png_named_jpg, True),
    Case("exif-rotated-and-cmyk", _exif_rotated_and_odd_modes, True),
    Case("logo-inside", _logo("media/HNM.1972.001.jpg"), True),
    Case("truncated-jpeg", _truncated_jpeg, False),
    Case("truncated-tiff-shown", _truncated_tiff_shown, False),
    Case("empty-image", _empty_file, False),
    Case("decompression-bomb", _bomb, False),
    Case("broken-pdf", _broken_pdf, False),
    Case("pdf-without-pages", _pdf_without_pages, False),
    Case("missing-logo", _logo("media/logo.png"), False),
    Case("logo-outside-the-folder", _logo("../../../../../../etc/hostname"), False),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_what_check_accepts_builds_and_what_it_refuses_build_refuses(
    tmp_path: Path, example_dir: Path, case: Case
) -> None:
    root = tmp_path / "catalogue"
    if case.full_example:
        shutil.copytree(example_dir, root, symlinks=True)
    else:
        small_catalogue(root, source=example_dir)
    case.change(root)
    checked = runner.invoke(app, ["check", str(root)])
    assert "Traceback" not in checked.output and checked.exit_code in (0, 2), checked.output
    assert (checked.exit_code == 0) is case.accepted, checked.output
    out = tmp_path / "out"
    built = runner.invoke(app, ["build", str(root), "-o", str(out), "--only", STEPS, "-q"])
    assert built.exception is None or isinstance(built.exception, SystemExit), repr(built.exception)
    if case.accepted:
        assert built.exit_code == 0, built.output
        assert (out / "site" / "index.html").is_file() and (out / "iiif" / "collection.json").is_file()
    else:
        assert built.exit_code == 2 and not out.exists(), built.output
        codes = set(re.findall(r": (C\d{3}) ", checked.stderr))
        assert codes and codes == set(re.findall(r": (C\d{3}) ", built.stderr))
