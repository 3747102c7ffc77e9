"""End-to-end fixtures: the Hanoi example built once per set of steps, shared read-only by the tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from heritage_ld.cli import app


@pytest.fixture(scope="session")
def build_example(tmp_path_factory: pytest.TempPathFactory, example_dir: Path) -> Callable[[str], Path]:
    """``build_example("rdf,site")``: the output folder of ``heritage-ld build`` of the example with those steps,
    built through the CLI the first time it is asked for and shared after (do not change it)."""
    built: dict[str, Path] = {}

    def build(only: str) -> Path:
        if only not in built:
            out = tmp_path_factory.mktemp("example-" + only.replace(",", "-"))
            result = CliRunner().invoke(app, ["build", str(example_dir), "-o", str(out), "--only", only, "-q"])
            assert result.exit_code == 0, result.output
            built[only] = out
        return built[only]

    return build
