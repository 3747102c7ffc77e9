"""Every docstring example in the package runs and shows what it says (docstrings are documentation)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from pathlib import Path

import pytest

import heritage_ld

ROOT = Path(__file__).resolve().parents[1]


def _modules() -> list[str]:
    names = ["heritage_ld"]
    for info in pkgutil.walk_packages(heritage_ld.__path__, "heritage_ld."):
        if info.name.endswith("__main__"):
            continue
        names.append(info.name)
    return sorted(names)


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # examples use repository paths such as examples/hanoi-1972
    try:
        module = importlib.import_module(name)
    except ImportError as exc:  # a module of an optional extra that is not installed
        pytest.skip(f"{name} needs an optional package: {exc}")
    for export in getattr(module, "__all__", ()):
        getattr(module, export)  # a lazy package's names are loaded on first use: load them for its examples
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} docstring examples failed in {name}"
