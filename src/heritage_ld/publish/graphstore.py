"""Push a build's graphs to any SPARQL 1.1 Graph Store HTTP Protocol server (Fuseki, Virtuoso, GraphDB, Oxigraph).

Each graph is sent with ``PUT {endpoint}?graph={graph IRI}`` (Graph Store Protocol §5.3, indirect graph
identification; ``PUT`` replaces the graph, so pushing twice gives the same store). The graphs are those of
the embedded store ``OUT/store`` when it exists (one per item, the collection's, the dataset description's),
else one per item from ``OUT/rdf/object/{seg}.nt``.

Each request goes through :func:`heritage_ld.publish.transport.send` (a deadline per attempt, bounded retries,
no redirects, no printed credentials), and a push ends by counting every graph's triples in the store
(:mod:`heritage_ld.publish.verification`): a store that answers 2xx but keeps nothing fails the push.
:func:`send_graphs` pushes any list of graphs, so a caller that knows which graphs changed sends only those.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from heritage_ld.errors import UsageError
from heritage_ld.ledger import Ledger, LedgerError, ledger_path
from heritage_ld.model import UrlScheme
from heritage_ld.publish.artefacts import rdf_path
from heritage_ld.publish.snapshot import read_snapshot
from heritage_ld.publish.store import STORE_DIR
from heritage_ld.publish.transport import Endpoint, RequestPolicy, parse_endpoint, send
from heritage_ld.publish.verification import (
    N_TRIPLES,
    count_by_reading_back,
    count_by_sparql,
    count_triples,
    graph_url,
    verify_counts,
)

__all__ = ["PushReport", "RequestPolicy", "graph_url", "list_graphs", "push_graphs", "send_graphs"]

#: A graph to push: its IRI and a function that returns its N-Triples.
Graph = tuple[str, Callable[[], bytes]]


@dataclass(frozen=True, slots=True)
class PushReport:
    """What a push did: graphs sent, distinct triples in them, retries needed, whether the store was verified,
    graphs deleted and graphs left alone because the ledger says the store has them already."""

    graphs: int
    triples: int
    retries: int
    verified: bool = False
    deleted: int = 0  # graphs of withdrawn items deleted at the store
    unchanged: int = 0  # graphs not sent: the store has them as they are (from the ledger)


def list_graphs(out: Path) -> list[Graph]:
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
    verify: bool = True,
    sparql: str | None = None,
    start: Callable[[int], None] | None = None,
    advance: Callable[[], None] | None = None,
    everything: bool = False,
) -> PushReport:
    """PUT the graphs of the build output ``out`` to the Graph Store at ``endpoint``, then verify the store.

    When the build keeps a ledger (``OUT/ledger.sqlite3``), only the graphs that changed since the last
    successful push to this endpoint are sent, and the graphs of items withdrawn since then are deleted
    there (``DELETE``); the ledger then records what the endpoint holds. ``everything`` sends every graph
    (and still deletes the withdrawn ones). Without a ledger every graph is sent.

    Args:
        out: the build output folder.
        endpoint: the Graph Store Protocol URL (Fuseki ``…/DATASET/data``, Oxigraph ``…/store``); a
            ``user:password@`` in it is sent as HTTP basic authentication and never shown.
        auth: user name and password for HTTP basic authentication.
        retries: attempts after the first for connection errors, timeouts, 408, 429 and 5xx answers.
        backoff: seconds before the first retry, doubled for each next one.
        timeout: seconds one attempt may take in all (connect, send, the whole answer).
        verify: count every graph's triples in the store at the end (see :func:`send_graphs`).
        sparql: the store's SPARQL query endpoint, to count with one query per 100 graphs instead of
            reading every graph back.
        start: called once with the number of graphs; ``advance`` once per graph sent.
        everything: send every graph, not only those changed since the last push (``--all``).

    Raises:
        UsageError: a bad URL or option, or ``out`` has nothing to push.
        PublishError: a graph could not be sent (codes P030–P034, P036); exit code 2.
        PublishVerificationError: the store does not hold what was sent (P035); exit code 1.
    """
    policy = RequestPolicy(timeout=timeout, retries=retries, backoff=backoff)
    store = parse_endpoint(endpoint, auth)
    query = None
    if sparql is not None:
        query = parse_endpoint(sparql)
        if query.auth is None and store.auth is not None and store.same_origin(query.url):
            query = Endpoint(query.url, store.auth)  # credentials go to the graph store's own server only
    graphs = list_graphs(out)
    if not ledger_path(out).is_file():
        return send_graphs(graphs, store, policy=policy, verify=verify, sparql=query, start=start, advance=advance)
    try:
        ledger = Ledger.open(out)
    except LedgerError as exc:
        raise UsageError(str(exc)) from None
    try:
        digests = graph_digests(out, graphs, ledger)
        pushed = ledger.pushed(store.url)
        todo = [g for g in graphs if everything or pushed.get(g[0]) != digests[g[0]]]
        gone = sorted(name for name in pushed if name not in digests)
        report = send_graphs(todo, store, policy=policy, verify=verify, sparql=query, start=start, advance=advance,
                             delete=gone)
        now = int(time.time())
        with ledger.transaction():
            for name, _ in todo:
                ledger.record_push(store.url, name, digests[name], now=now)
            for name in gone:
                ledger.record_push(store.url, name, None, now=now)
    finally:
        ledger.close()
    return dataclasses.replace(report, unchanged=len(graphs) - len(todo))


def graph_digests(out: Path, graphs: Sequence[Graph], ledger: Ledger) -> dict[str, str]:
    """A digest per graph: for an item's graph the SHA-256 of its N-Triples file as the build's ledger recorded
    it (no read), for the others (collection, dataset description) the SHA-256 of their N-Triples."""
    by_iri: dict[str, str] = {}
    records = ledger.outputs("rdf")
    snapshot = read_snapshot(out) if (out / "site").is_dir() else None
    base = snapshot.base_url if snapshot is not None else None
    if base is not None:
        urls = UrlScheme(base)
        for acc, record in records.items():
            sha = record.files.get(rdf_path(urls, acc, "nt"))
            if sha:
                by_iri[urls.object(acc)] = sha
    digests: dict[str, str] = {}
    for name, load in graphs:
        digests[name] = by_iri.get(name) or hashlib.sha256(load()).hexdigest()
    return digests


def send_graphs(
    graphs: Sequence[Graph],
    store: Endpoint,
    *,
    policy: RequestPolicy,
    verify: bool = True,
    sparql: Endpoint | None = None,
    start: Callable[[int], None] | None = None,
    advance: Callable[[], None] | None = None,
    delete: Sequence[str] = (),
) -> PushReport:
    """PUT ``graphs`` one by one to the Graph Store ``store``, then check that it holds each graph's triples;
    ``DELETE`` the graphs named in ``delete`` (a graph already missing there, 404, counts as deleted).

    Stops at the first graph that cannot be sent. The check counts every graph's triples in the store, by
    reading it back or, with ``sparql``, by a SPARQL query, and compares with the distinct triples sent.

    Raises:
        PublishError: a graph could not be sent or counted (P030–P034, P036).
        PublishVerificationError: some graphs hold another number of triples than was sent (P035, all of them).
    """
    import anyio

    run = functools.partial(_send_all, graphs, store, policy=policy, verify=verify, sparql=sparql,
                            start=start, advance=advance, delete=delete)
    return anyio.run(run)


async def _send_all(
    graphs: Sequence[Graph],
    store: Endpoint,
    *,
    policy: RequestPolicy,
    verify: bool,
    sparql: Endpoint | None,
    start: Callable[[int], None] | None,
    advance: Callable[[], None] | None,
    delete: Sequence[str] = (),
) -> PushReport:
    import httpx

    if start is not None:
        start(len(graphs) + len(delete))
    expected: dict[str, int] = {}
    retried = 0
    async with httpx.AsyncClient(timeout=policy.timeout, follow_redirects=False) as client:
        for name, load in graphs:
            body = load()
            try:
                expected[name] = count_triples(body, N_TRIPLES)
            except ValueError as exc:
                raise UsageError(f"graph <{name}> cannot be sent: {exc}") from None
            sent = await send(client, "PUT", graph_url(store.url, name), endpoint=store, graph=name, policy=policy,
                              content=body, headers={"Content-Type": N_TRIPLES})
            retried += sent.retries
            if advance is not None:
                advance()
        for name in delete:
            sent = await send(client, "DELETE", graph_url(store.url, name), endpoint=store, graph=name,
                              policy=policy, accept=frozenset({404}))
            retried += sent.retries
            if advance is not None:
                advance()
        if verify and expected:
            names = list(expected)
            if sparql is not None:
                found = await count_by_sparql(client, sparql, names, policy=policy)
            else:
                found = await count_by_reading_back(client, store, names, policy=policy)
            verify_counts(store, expected, found)
    return PushReport(len(expected), sum(expected.values()), retried, verified=verify, deleted=len(delete))
