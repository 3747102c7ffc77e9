"""What aggregators need: the metadata licence, the OAI-PMH contact and the EDM provider as catalogue data,
and ``check``'s warnings (C090-C095) where they are missing, errors with ``check --for``."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from heritage_ld.catalogue import check_catalogue, read_catalogue
from heritage_ld.catalogue.aggregators import blocking
from heritage_ld.cli import app
from heritage_ld.model import CC0


@pytest.fixture()
def catalogue(tmp_path: Path, example_dir: Path) -> Path:
    """A copy of the example to edit: the text files copied, the media hard-linked where the file system allows
    (never edited; check refuses symbolic links)."""
    root = tmp_path / "hanoi"
    shutil.copytree(example_dir / "media", root / "media", copy_function=_link_or_copy)
    for name in ("collection.toml", "items.csv"):
        shutil.copy(example_dir / name, root / name)
    return root


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_the_example_names_its_licence_contact_and_provider(example_dir: Path) -> None:
    c = read_catalogue(example_dir)
    assert c.metadata_license == CC0
    assert c.admin_email == "oai-contact-placeholder@example.org"  # a placeholder, said so in the file
    assert c.provider is not None and c.provider.key == "hanoi-museum"
    assert c.rights == "http://rightsstatements.org/vocab/InC-EDU/1.0/"  # the items' rights stay distinct
    assert check_catalogue(example_dir).warnings == ()


def test_missing_contact_and_provider_are_warnings_at_the_collection(catalogue: Path) -> None:
    _edit(catalogue, "collection.toml", 'admin_email = "oai-contact-placeholder@example.org"\n', "")
    _edit(catalogue, "collection.toml", 'provider = "hanoi-museum"\n', "")
    _edit(catalogue, "collection.toml", 'metadata_license = "http://creativecommons.org/publicdomain/zero/1.0/"\n',
          "")
    assert check_catalogue(catalogue).warnings == ()  # not asked about aggregators, not told about them
    result = check_catalogue(catalogue, outputs=["oai", "edm"])
    assert result.ok and result.collection is not None
    assert result.collection.metadata_license == CC0  # the default, stated
    assert [(p.code, p.location.file, p.location.line) for p in result.warnings] == [
        ("C090", "collection.toml", 5), ("C091", "collection.toml", 5)]
    assert [p.code for p in blocking(result.warnings, ["oai"])] == ["C090"]
    assert [p.code for p in blocking(result.warnings, ["edm"])] == ["C091"]


def test_item_level_gaps_are_located_at_their_row(catalogue: Path) -> None:
    _edit(catalogue, "items.csv", "http://rightsstatements.org/vocab/InC/1.0/,vna,Ảnh: Thông tấn xã Việt Nam,"
          "Photo: Vietnam News Agency,media/HNM.1972.001.tif",
          "http://rightsstatements.org/vocab/UND/1.0/,vna,Ảnh: Thông tấn xã Việt Nam,"
          "Photo: Vietnam News Agency,media/HNM.1972.001.tif")
    _edit(catalogue, "collection.toml", 'metadata_license = "http://creativecommons.org/publicdomain/zero/1.0/"',
          'metadata_license = "https://creativecommons.org/licenses/by/4.0/"')
    result = check_catalogue(catalogue)  # the catalogue names a provider: EDM is checked without asking
    found = {(p.code, p.location.file, p.location.line) for p in result.warnings}
    assert ("C092", "items.csv", 2) in found and ("C094", "collection.toml", 5) in found


def test_bad_values_are_errors(catalogue: Path) -> None:
    _edit(catalogue, "collection.toml", 'admin_email = "oai-contact-placeholder@example.org"',
          'admin_email = "nobody"')
    _edit(catalogue, "collection.toml", 'provider = "hanoi-museum"', 'provider = "no-such-agent"')
    _edit(catalogue, "collection.toml", 'metadata_license = "http://creativecommons.org/publicdomain/zero/1.0/"',
          'metadata_license = "javascript:alert(1)"')
    codes = sorted(p.code for p in check_catalogue(catalogue).errors)
    assert codes == ["C013", "C022", "C037"]


def test_check_for_an_output_turns_its_warnings_into_exit_2(catalogue: Path) -> None:
    _edit(catalogue, "collection.toml", 'admin_email = "oai-contact-placeholder@example.org"\n', "")
    runner = CliRunner()
    assert runner.invoke(app, ["check", str(catalogue)]).exit_code == 0
    assert runner.invoke(app, ["check", str(catalogue), "--for", "edm"]).exit_code == 0
    result = runner.invoke(app, ["check", str(catalogue), "--for", "oai"])
    assert result.exit_code == 2 and "C090" in result.output
    assert runner.invoke(app, ["check", str(catalogue), "--for", "dpla"]).exit_code == 2
