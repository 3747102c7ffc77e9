"""``heritage-ld publish`` pushes the built Hanoi example to a real Graph Store (the oxigraph server from PyPI)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from typer.testing import CliRunner

from heritage_ld.catalogue import read_catalogue
from heritage_ld.cli import app

pytestmark = pytest.mark.slow

ITEMS = ("SELECT (COUNT(DISTINCT ?item) AS ?n) WHERE { GRAPH ?item "
         "{ ?item a <http://www.cidoc-crm.org/cidoc-crm/E22_Human-Made_Object> } }")


def test_every_item_lands_in_its_own_graph(build_example: Callable[[str], Path], example_dir: Path,
                                           graph_store: str) -> None:
    out = build_example("rdf,site,store")
    store = ["publish", str(out), "--graph-store", f"{graph_store}/store"]
    # everything, verified by reading every graph back; again: the ledger knows the store has it all
    first = CliRunner().invoke(app, [*store, "--all"])
    assert first.exit_code == 0, first.output
    assert first.output.startswith("sent 38 graphs") and ", verified" in first.output
    again = CliRunner().invoke(app, store)
    assert again.exit_code == 0, again.output
    assert again.output.startswith("sent 0 graphs") and "38 unchanged graphs not sent" in again.output
    # idempotent: everything again, verified by SPARQL counts
    result = CliRunner().invoke(app, [*store, "--all", "--sparql", f"{graph_store}/query"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("sent 38 graphs") and result.output.rstrip().endswith(", verified")
    r = requests.get(f"{graph_store}/query", params={"query": ITEMS}, timeout=30,
                     headers={"Accept": "application/sparql-results+json"})
    assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == len(read_catalogue(example_dir).items)
