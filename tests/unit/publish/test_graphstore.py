"""``heritage-ld publish``: graphs PUT to a real Graph Store server (the oxigraph server from PyPI)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests
from typer.testing import CliRunner

from heritage_ld.cli import app
from heritage_ld.errors import UsageError
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
    assert count(graph_store, COUNT) == 5
    triples = count(graph_store, TRIPLES)
    push_graphs(built, f"{graph_store}/store")  # PUT replaces: the same store afterwards
    assert count(graph_store, TRIPLES) == triples


def test_publish_without_store_uses_item_files(collection: Collection, out: Path, urls: UrlScheme,
                                              graph_store: str) -> None:
    write_site(collection, out, urls)
    report = push_graphs(out, f"{graph_store}/store")
    assert report.graphs == 5 and count(graph_store, COUNT) == 5


class _Flaky:
    """A session whose first answers are 503, then 204."""

    def __init__(self, failures: int, status: int = 503) -> None:
        self.failures, self.status, self.calls = failures, status, 0
        self.auth: Any = None

    def put(self, url: str, **kwargs: Any) -> Any:
        self.calls += 1
        ok = self.calls > self.failures
        return type("R", (), {"status_code": 204 if ok else self.status, "reason": "x", "text": ""})()


def test_retries_with_backoff_then_succeeds(built: Path) -> None:
    session = _Flaky(2)
    report = push_graphs(built, "http://graph.invalid/store", session=session, backoff=0.001)
    assert report.retries == 2 and session.calls == 7 + 2


def test_client_errors_stop_at_once(built: Path) -> None:
    session = _Flaky(100, status=401)
    with pytest.raises(UsageError, match="401"):
        push_graphs(built, "http://graph.invalid/store", session=session, backoff=0.001)
    assert session.calls == 1


def test_unreachable_server_is_a_clear_error(built: Path) -> None:
    result = CliRunner().invoke(app, ["publish", str(built), "--graph-store", f"http://127.0.0.1:{free_port()}/store",
                                      "--retries", "0"])
    assert result.exit_code == 2 and "cannot reach the graph store" in result.output
