"""The SPARQL endpoint of ``heritage-ld serve`` on the built Hanoi example, asked by a plain HTTP client."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from heritage_ld.catalogue import read_catalogue
from heritage_ld.publish.server import make_app, running

ITEMS = """PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
SELECT DISTINCT ?item WHERE { ?item a crm:E22_Human-Made_Object
  FILTER(STRSTARTS(STR(?item), "%s/object/")) } ORDER BY ?item"""
TITLE = """PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?title WHERE { <%s/object/HNM.1972.002> dcterms:title ?title FILTER(LANG(?title) = "en") }"""


@pytest.fixture(scope="module")
def built(build_example: Callable[[str], Path]) -> Path:
    return build_example("rdf,site,store")


@pytest.fixture(scope="module")
def server(built: Path) -> Iterator[str]:
    with running(make_app(built)) as origin:
        yield origin


def select(server: str, query: str, accept: str = "application/sparql-results+json") -> requests.Response:
    return requests.get(f"{server}/sparql", params={"query": query}, headers={"Accept": accept}, timeout=30)


def test_select_finds_every_item_under_the_server_origin(server: str, example_dir: Path) -> None:
    collection = read_catalogue(example_dir)
    r = select(server, ITEMS % server)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/sparql-results+json")
    found = [b["item"]["value"] for b in r.json()["results"]["bindings"]]
    assert found == sorted(f"{server}/object/{i.accession}" for i in collection.items)


def test_select_a_title_in_csv_and_by_post(server: str, example_dir: Path) -> None:
    expected = read_catalogue(example_dir).item("HNM.1972.002").title["en"]
    rows = list(csv.reader(io.StringIO(select(server, TITLE % server, "text/csv").text)))
    assert rows == [["title"], [expected]]
    r = requests.post(f"{server}/sparql", data={"query": TITLE % server},
                      headers={"Accept": "application/sparql-results+xml"}, timeout=30)
    assert r.status_code == 200 and expected in r.text


def test_one_named_graph_per_item(server: str, example_dir: Path) -> None:
    n = len(read_catalogue(example_dir).items)
    q = f'SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{server}/object/")) }}'
    assert select(server, q).json()["results"]["bindings"][0]["n"]["value"] == str(n)


@pytest.mark.parametrize("update", ["INSERT DATA { <urn:x> <urn:y> <urn:z> }", "DROP ALL"])
def test_updates_are_refused_as_query_and_as_update(server: str, update: str) -> None:
    before = select(server, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").json()
    assert select(server, update).status_code == 403
    assert requests.post(f"{server}/sparql", data={"update": update}, timeout=30).status_code == 403
    r = requests.post(f"{server}/sparql", data=update.encode(), timeout=30,
                      headers={"Content-Type": "application/sparql-update"})
    assert r.status_code == 403
    assert select(server, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").json() == before
