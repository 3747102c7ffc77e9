"""docs/api.md is enough to write a tool (issue 13, "Done when"): its examples run and show what they say.

The page's last section is a whole tool written with the documented names only (a two-item collection built in
Python, validated, one item's RDF, manifest and bag, a foreign Linked Art record read); the sections on the
model, one item at a time, foreign Linked Art, words and formats run too. The examples of the first sections use
the repository's paths (and one writes a build), so they are the docstrings' job (tests/test_doctests.py).
"""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

import heritage_ld

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "api.md"
RUN = ("A model built in Python, and `validate`", "Reading other museums' Linked Art", "Words for people", "Formats", "Writing a tool against this page")


def _sections() -> dict[str, str]:
    text = PAGE.read_text(encoding="utf-8")
    parts = re.split(r"^## (.+)$", text, flags=re.M)
    # a code fence ends an example's expected output (doctest would read it as output)
    return {parts[i].strip(): re.sub(r"^```.*$", "", parts[i + 1], flags=re.M) for i in range(1, len(parts), 2)}


@pytest.mark.parametrize("title", RUN)
def test_the_section_runs(title: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sections = _sections()
    assert title in sections, f"docs/api.md has no section {title!r}"
    monkeypatch.chdir(tmp_path)  # nothing is written into the repository
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "93571200")
    test = doctest.DocTestParser().get_doctest(sections[title], {"heritage_ld": heritage_ld}, title, str(PAGE), 0)
    assert test.examples, f"section {title!r} has no example"
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples of {title!r} failed"


def test_the_tool_uses_only_documented_names() -> None:
    """Every heritage_ld name the tool section uses is named in the page outside that section."""
    sections = _sections()
    tool = sections["Writing a tool against this page"]
    rest = PAGE.read_text(encoding="utf-8").replace(tool, "")
    used = set(re.findall(r"\b(?:heritage_ld\.|rdf\.|iiif\.)(\w+)", tool))
    imported = set()
    for names in re.findall(r"from heritage_ld(?:\.\w+)? import \(?([^)\n]+(?:\n\.\.\.[^)\n]+)*)", tool):
        imported |= {n.strip(" .\n") for n in names.replace("...", "").split(",") if n.strip(" .\n")}
    for name in sorted((used | imported) - {"rdf", "iiif", "bags"}):
        assert re.search(rf"\b{re.escape(name)}\b", rest), f"{name} is used by the tool but not documented"


def test_every_documented_top_level_name_exists() -> None:
    for name in ("validate", "bag_item", "item_files", "Format", "FORMATS", "EDTFError", "Section", "Collection"):
        assert name in heritage_ld.__all__ and getattr(heritage_ld, name) is not None
