"""Our OCFL validator against the official OCFL fixtures (1.0 and 1.1): every verdict as expected, the warnings
of warn-objects reported; the error codes of bad-objects are a hint (the fixtures README), reported when missed.
"""

from __future__ import annotations

import json
import shutil
import tarfile
from pathlib import Path

import pytest

from heritage_ld.ocfl import validate_object
from heritage_support import require_conformance


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict[str, object]]]:
    ocfl = require_conformance("ocfl")
    tree = tmp_path_factory.mktemp("ocfl") / "fixtures"
    shutil.copytree(ocfl / "fixtures", tree)
    with tarfile.open(ocfl / "fixtures" / "large-objects.tar.xz") as tar:
        tar.extractall(tree, filter="data")
    expected = json.loads((ocfl / "EXPECTED.json").read_text(encoding="utf-8"))
    return tree, expected


def _names() -> list[str]:
    from heritage_support import conformance_root

    root = conformance_root()
    path = root / "ocfl" / "EXPECTED.json" if root else None
    if path is None or not path.is_file():
        return ["(conformance data absent)"]
    return sorted(json.loads(path.read_text(encoding="utf-8")))


@pytest.mark.conformance
@pytest.mark.parametrize("name", _names())
def test_fixture_verdict(name: str, fixtures: tuple[Path, dict[str, dict[str, object]]]) -> None:
    tree, expected = fixtures
    want = expected[name]
    report = validate_object(tree / name)
    codes = report.codes
    assert report.valid is want["valid"], (name, report.errors)
    if want["category"] == "warn-objects":
        assert {c for c in want["codes"] if c.startswith("W")} <= codes, (name, report.warnings)  # type: ignore[union-attr]


@pytest.mark.conformance
def test_most_expected_error_codes_are_reported(fixtures: tuple[Path, dict[str, dict[str, object]]]) -> None:
    tree, expected = fixtures
    bad = {k: v for k, v in expected.items() if v["category"] == "bad-objects"}
    hits = sum(bool(set(v["codes"]) & validate_object(tree / k).codes) for k, v in bad.items())  # type: ignore[arg-type]
    assert hits >= 0.9 * len(bad), f"{hits} of {len(bad)} bad fixtures report one of their codes"
