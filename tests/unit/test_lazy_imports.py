"""Importing one part of heritage-ld loads only that part: the command line starts without rdflib or requests."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest

HEAVY = ("rdflib", "requests", "pyshacl", "heritage_ld.catalogue", "heritage_ld.rdf.graph")


def _loaded_after(statement: str) -> set[str]:
    code = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("statement", ["import heritage_ld", "import heritage_ld.cli",
                                       "import heritage_ld.bags.validator", "from heritage_ld.bags import ALGORITHMS"])
def test_light_imports_do_not_load_heavy_packages(statement: str) -> None:
    assert not set(HEAVY) & _loaded_after(statement)


def test_a_lazy_name_loads_on_first_use() -> None:
    loaded = _loaded_after("import heritage_ld\nheritage_ld.read_catalogue")
    assert "heritage_ld.catalogue" in loaded


@pytest.mark.parametrize("package", ["heritage_ld", "heritage_ld.bags", "heritage_ld.rdf", "heritage_ld.publish"])
def test_every_exported_name_resolves_and_is_listed(package: str) -> None:
    module = importlib.import_module(package)
    for name in module.__all__:
        assert getattr(module, name) is not None, name
        assert name in dir(module)
    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        getattr(module, "no_such_name")  # noqa: B009
