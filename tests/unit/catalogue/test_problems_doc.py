"""The problem table: docs/problems.md is generated from it and up to date; every template renders."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

from heritage_ld.problems import CODES, Location, Severity, report

ROOT = Path(__file__).resolve().parents[3]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_problems_doc", ROOT / "scripts" / "gen_problems_doc.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_problems_page_is_up_to_date() -> None:
    expected = _script().render()
    actual = (ROOT / "docs" / "problems.md").read_text(encoding="utf-8")
    assert actual == expected, "docs/problems.md is stale: run python scripts/gen_problems_doc.py"


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_code_renders_with_its_parameters(code: str) -> None:
    spec = CODES[code]
    assert re.fullmatch(r"[CRIBPSX]\d{3}", code)
    hint_params = {f for f in re.findall(r"\{(\w+)", spec.hint)}
    params = {name: f"<{name}>" for name in spec.params | hint_params}
    problem = report(code, Location("items.csv", 3, 2, "x"), **params)
    text = problem.render()
    assert text.startswith(f"items.csv:3:2: {code} ")
    for name in spec.params:
        assert f"<{name}>" in text
    assert "{" not in problem.message
    if spec.severity is Severity.WARNING:
        assert f"{code} warning: " in text


def test_a_missing_parameter_fails_at_once() -> None:
    with pytest.raises(KeyError, match="C012 needs parameter"):
        report("C012", Location("items.csv"), value="1972-13")


def test_catalogue_codes_exist_and_are_all_used() -> None:
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "src/heritage_ld/catalogue").glob("*.py"))
    used = set(re.findall(r'"(C\d{3})"', source))
    assert used <= set(CODES), used - set(CODES)
    assert {c for c in CODES if c.startswith("C")} <= used, {c for c in CODES if c.startswith("C")} - used


def test_every_code_is_defined_once() -> None:
    from heritage_ld import problems

    codes = [c.code for c in problems._TABLE]
    assert len(codes) == len(set(codes)), sorted({c for c in codes if codes.count(c) > 1})
