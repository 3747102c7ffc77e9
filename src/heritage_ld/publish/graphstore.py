"""Push a build's graphs to any SPARQL 1.1 Graph Store HTTP Protocol server (Fuseki, Virtuoso, GraphDB, Oxigraph).

Each graph is sent with ``PUT {endpoint}?graph={graph IRI}`` (Graph Store Protocol §5.3, indirect graph
identification; ``PUT`` replaces the graph, so pushing twice gives the same store). The graphs are those of
the embedded store ``OUT/store`` when it exists (one per item, the collection's, the dataset description's),
else one per item from ``OUT/rdf/object/{seg}.nt``. Connection errors, 429 and 5xx answers are retried with
exponential backoff; other 4xx answers stop the push with a clear message.

>>> graph_url("http://127.0.0.1:7878/store", "https://ex.org/c/object/A 1")
'http://127.0.0.1:7878/store?graph=https%3A%2F%2Fex.org%2Fc%2Fobject%2FA+1'
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from heritage_ld.errors import UsageError
from heritage_ld.model import UrlScheme
from heritage_ld.publish.artefacts import rdf_path
from heritage_ld.publish.snapshot import read_snapshot
from heritage_ld.publish.store import STORE_DIR

__all__ = ["PushReport", "graph_url", "list_graphs", "push_graphs"]

_RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


def graph_url(endpoint: str, graph: str) -> str:
    """The Graph Store URL of a named graph (indirect identification, ``?graph=``)."""
    sep = "&" if "?" in endpoint else "?"
    return f"{endpoint}{sep}{urlencode({'graph': graph})}"


@dataclass(frozen=True, slots=True)
class PushReport:
    """What a push did: graphs sent, triples in them, retries needed."""

    graphs: int
    triples: int
    retries: int


def list_graphs(out: Path) -> list[tuple[str, Callable[[], bytes]]]:
    """The graphs to push from ``out``: ``(graph IRI, N-Triples loader)`` pairs in a stable order.

    Raises:
        UsageError: ``out`` has neither a store nor per-item N-Triples files.
    """
    if (out / STORE_DIR).is_dir():
        from heritage_ld.publish.store import open_store

        store = open_store(out)
        names = sorted(g.value for g in store.named_graphs())

        def from_store(name: str) -> Callable[[], bytes]:
            def load() -> bytes:
                from pyoxigraph import NamedNode, RdfFormat, serialize

                quads = store.quads_for_pattern(None, None, None, NamedNode(name))
                return bytes(serialize((q.triple for q in quads), format=RdfFormat.N_TRIPLES) or b"")

            return load

        return [(name, from_store(name)) for name in names]
    snapshot = read_snapshot(out)
    urls = UrlScheme(snapshot.base_url)
    graphs = []
    for entry in snapshot.items:
        path = out / rdf_path(urls, entry["accession"], "nt")
        if path.is_file():
            graphs.append((urls.object(entry["accession"]), path.read_bytes))
    if not graphs:
        raise UsageError(f"{out} has no RDF to push: build it with the rdf (and store) steps first")
    return graphs


def push_graphs(
    out: Path,
    endpoint: str,
    *,
    auth: tuple[str, str] | None = None,
    retries: int = 5,
    backoff: float = 0.5,
    timeout: float = 60.0,
    start: Callable[[int], None] | None = None,
    advance: Callable[[], None] | None = None,
    session: Any = None,
) -> PushReport:
    """PUT every graph of the build output ``out`` to the Graph Store at ``endpoint``.

    Args:
        out: the build output folder.
        endpoint: the Graph Store Protocol URL (Fuseki ``…/DATASET/data``, Oxigraph ``…/store``).
        auth: user name and password for HTTP basic authentication.
        retries: attempts after the first for connection errors, 429 and 5xx answers.
        backoff: seconds before the first retry, doubled for each next one.
        start: called once with the number of graphs; ``advance`` once per graph sent.

    Raises:
        UsageError: the server refused a graph (4xx), or stayed unreachable after the retries.
    """
    import requests

    graphs = list_graphs(out)
    if start is not None:
        start(len(graphs))
    http = session or requests.Session()
    if auth is not None:
        http.auth = auth
    sent = triples = retried = 0
    for name, load in graphs:
        body = load()
        retried += _put(http, graph_url(endpoint, name), body, retries=retries, backoff=backoff, timeout=timeout)
        sent += 1
        triples += body.count(b"\n")
        if advance is not None:
            advance()
    return PushReport(sent, triples, retried)


def _attempts(retries: int, backoff: float) -> Iterator[float]:
    yield 0.0
    for n in range(retries):
        yield backoff * (2**n)


def _put(http: Any, url: str, body: bytes, *, retries: int, backoff: float, timeout: float) -> int:
    """PUT one graph; the number of retries it took."""
    import requests

    problem = ""
    for n, wait in enumerate(_attempts(retries, backoff)):
        if wait:
            time.sleep(wait)
        try:
            r = http.put(url, data=body, headers={"Content-Type": "application/n-triples"}, timeout=timeout)
        except requests.RequestException as exc:
            problem = f"cannot reach the graph store: {exc}"
            continue
        if r.status_code < 300:
            return n
        problem = f"the graph store answered {r.status_code} {r.reason} for {url}: {r.text[:200].strip()}"
        if r.status_code not in _RETRY_STATUS:
            raise UsageError(problem)
    raise UsageError(f"{problem} (after {retries} retries)")
