"""``heritage-ld publish``: graphs PUT to a real Graph Store server (the oxigraph server from PyPI)."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from typer.testing import CliRunner

from heritage_ld.cli import app
from heritage_ld.model import Collection, UrlScheme
from heritage_ld.publish.graphstore import push_graphs
from heritage_ld.publish.site import write_site
from heritage_ld.publish.store import load_store
from heritage_support import free_port

COUNT = ("SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g "
         "{ ?s a <http://www.cidoc-crm.org/cidoc-crm/E22_Human-Made_Object> } }")
TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def count(url: str, query: str) -> int:
    r = requests.get(f"{url}/query", params={"query": query},
                     headers={"Accept": "application/sparql-results+json"}, timeout=10)
    r.raise_for_status()
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


@pytest.fixture()
def built(collection: Collection, out: Path, urls: UrlScheme) -> Path:
    write_site(collection, out, urls)
    load_store(out, urls, collection.key, [i.accession for i in collection.items])
    return out


def test_publish_puts_one_graph_per_item_idempotently(built: Path, graph_store: str) -> None:
    result = CliRunner().invoke(app, ["publish", str(built), "--graph-store", f"{graph_store}/store"])
    assert result.exit_code == 0, result.output
    assert "sent 7 graphs" in result.output  # 5 items + collection + dataset description
    assert result.output.rstrip().endswith(", verified")  # every graph read back and counted
    assert count(graph_store, COUNT) == 5
    triples = count(graph_store, TRIPLES)
    report = push_graphs(built, f"{graph_store}/store")  # PUT replaces: the same store afterwards
    assert count(graph_store, TRIPLES) == triples == report.triples


def test_publish_without_store_uses_item_files(collection: Collection, out: Path, urls: UrlScheme,
                                              graph_store: str) -> None:
    write_site(collection, out, urls)
    report = push_graphs(out, f"{graph_store}/store")
    assert report.graphs == 5 and count(graph_store, COUNT) == 5


def test_unreachable_server_is_a_clear_error(built: Path) -> None:
    result = CliRunner().invoke(app, ["publish", str(built), "--graph-store", f"http://127.0.0.1:{free_port()}/store",
                                      "--retries", "0"])
    assert result.exit_code == 2 and "P030" in result.output and "Traceback" not in result.output


def test_publish_verifies_with_the_sparql_endpoint(built: Path, graph_store: str) -> None:
    result = CliRunner().invoke(app, ["publish", str(built), "--graph-store", f"{graph_store}/store",
                                      "--sparql", f"{graph_store}/query"])
    assert result.exit_code == 0, result.output
    assert "sent 7 graphs" in result.output and "verified" in result.output
    report = push_graphs(built, f"{graph_store}/store", sparql=f"{graph_store}/query")
    assert report.verified and report.triples == count(graph_store, TRIPLES)
