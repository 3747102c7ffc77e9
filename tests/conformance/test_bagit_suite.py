"""The Library of Congress BagIt conformance suite: every case scored against the expected outcome.

``EXPECTED.json`` (beside the suite) states each case's expectation; ``valid`` must validate, ``invalid`` and
``linux-only`` must be rejected, ``warning`` bags validate with a warning, except the three that were made on
macOS and lost files in git (marked with a ``note``): on Linux they are incomplete and must be rejected.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from heritage_ld.bags import validate_bag
from heritage_support import conformance_root, require_conformance

pytestmark = pytest.mark.conformance


def _cases() -> list[dict[str, object]]:
    root = conformance_root()
    if root is None or not (root / "bagit" / "EXPECTED.json").is_file():
        return [{"path": "(suite absent)", "category": "absent", "expected": "absent"}]
    cases = json.loads((root / "bagit" / "EXPECTED.json").read_text())
    return [c for c in cases if c["category"] != "windows-only"]


def _verdict(case: dict[str, object], suite: Path) -> bool:
    result = validate_bag(suite / str(case["path"]))
    expected = str(case["expected"])
    if expected == "valid":
        return result.valid
    if expected.startswith("invalid"):
        return not result.valid
    if case.get("note"):  # made on macOS, incomplete on Linux
        return not result.valid
    return result.valid and bool(result.warnings)


@pytest.mark.parametrize("case", _cases(), ids=lambda c: str(c["path"]))
def test_case(case: dict[str, object]) -> None:
    suite = require_conformance("bagit")
    if case["category"] == "linux-only" and not sys.platform.startswith("linux"):
        pytest.skip("a POSIX-only case")
    result = validate_bag(suite / str(case["path"]))
    assert _verdict(case, suite), [p.render() for p in result.problems]


def test_score_is_54_of_54() -> None:
    suite = require_conformance("bagit")
    cases = [c for c in json.loads((suite / "EXPECTED.json").read_text()) if c["category"] != "windows-only"]
    assert len(cases) == 54
    assert sum(_verdict(c, suite) for c in cases) == 54


@pytest.mark.parametrize("name", [
    "out-of-scope-file-paths-using-absolute-path",
    "out-of-scope-file-paths-using-shortcut",
    "out-of-scope-file-paths-using-unc",
    "out-of-scope-file-paths-using-absolute-path-for-fetch",
    "out-of-scope-file-paths-using-unc-for-fetch",
])
def test_windows_paths_are_rejected_on_linux_too(name: str) -> None:
    suite = require_conformance("bagit")
    result = validate_bag(suite / "v0.97" / "windows-only" / name)
    assert not result.valid
    assert "B005" in {p.code for p in result.errors}


def test_invalid_cases_give_the_expected_codes() -> None:
    suite = require_conformance("bagit")
    expected = {
        "v0.97/invalid/corrupt-data-file": "B001",
        "v0.97/invalid/extra-file-in-bag": "B003",
        "v0.97/invalid/missing-baginfo": "B002",
        "v0.97/invalid/bom-in-bagit.txt": "B008",
        "v0.97/invalid/out-of-scope-file-paths-using-dot-notation": "B005",
        "v1.0/invalid/same-filename-listed-twice-with-the-same-hash": "B011",
        "v1.0/invalid/notAllManifestsListAllFiles": "B003",
        "v1.0/invalid/bagit-with-invalid-whitespace": "B008",
    }
    for path, code in expected.items():
        assert code in {p.code for p in validate_bag(suite / path).errors}, path
