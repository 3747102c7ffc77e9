"""Check after a push that the remote store holds what was sent: the number of triples of every graph.

Two ways to count, both standard: read each graph back from the Graph Store (``GET ?graph=``, Graph Store
Protocol §5.2; a 404 counts as 0 triples), or, when the store's SPARQL endpoint is known, ask it once per
hundred graphs (``SELECT ?g (COUNT(*) AS ?n) … GROUP BY ?g``, SPARQL 1.1 Protocol §2.1.2, a read-only query
sent as a form so that it may be repeated). Counts are of distinct triples, as a store keeps them.

>>> count_triples(b'<urn:a> <urn:b> "c" .\\n<urn:a> <urn:b> "c" .\\n# a comment\\n', "application/n-triples")
1
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from heritage_ld.errors import PublishError, PublishVerificationError
from heritage_ld.problems import Location, report
from heritage_ld.publish.transport import Endpoint, RequestPolicy, send

if TYPE_CHECKING:
    import httpx

__all__ = ["count_by_reading_back", "count_by_sparql", "count_triples", "graph_url", "verify_counts"]

N_TRIPLES = "application/n-triples"
_BATCH = 100


def graph_url(endpoint: str, graph: str) -> str:
    """The Graph Store URL of a named graph (indirect identification, ``?graph=``, Graph Store Protocol §4.2).

    >>> graph_url("http://127.0.0.1:7878/store", "https://ex.org/c/object/A 1")
    'http://127.0.0.1:7878/store?graph=https%3A%2F%2Fex.org%2Fc%2Fobject%2FA+1'
    """
    sep = "&" if "?" in endpoint else "?"
    return f"{endpoint}{sep}{urlencode({'graph': graph})}"


def count_triples(data: bytes, media_type: str) -> int:
    """The number of distinct triples in an RDF document of ``media_type``.

    Raises:
        ValueError: the media type is not an RDF format, or the document does not parse.
    """
    from pyoxigraph import RdfFormat, parse

    fmt = RdfFormat.from_media_type(media_type.split(";")[0].strip() or N_TRIPLES)
    if fmt is None:
        raise ValueError(f"the answer is {media_type!r}, not RDF")
    try:
        return len(set(parse(data, fmt)))
    except SyntaxError as exc:
        raise ValueError(f"the answer is not valid {fmt.name}: {exc}") from None


async def count_by_reading_back(client: httpx.AsyncClient, endpoint: Endpoint, graphs: Sequence[str], *,
                                policy: RequestPolicy) -> dict[str, int]:
    """Each graph's triples, read back from the Graph Store at ``endpoint`` one graph at a time.

    Raises:
        PublishError: a graph cannot be read (P030–P034) or its answer is not RDF (P036).
    """
    found = {}
    for graph in graphs:
        sent = await send(client, "GET", graph_url(endpoint.url, graph), endpoint=endpoint, graph=graph,
                          policy=policy, headers={"Accept": N_TRIPLES}, accept=frozenset({404}))
        if sent.response.status_code == 404:
            found[graph] = 0
            continue
        try:
            found[graph] = count_triples(sent.response.content, sent.response.headers.get("content-type", ""))
        except ValueError as exc:
            raise PublishError([report("P036", Location(endpoint.url), graph=graph, reason=str(exc))]) from None
    return found


async def count_by_sparql(client: httpx.AsyncClient, sparql: Endpoint, graphs: Sequence[str], *,
                          policy: RequestPolicy) -> dict[str, int]:
    """Each graph's triples, counted by the SPARQL query endpoint ``sparql`` (graphs it lacks: 0).

    Raises:
        PublishError: the endpoint cannot be queried (P030–P034) or its answer cannot be read (P036).
    """
    found = dict.fromkeys(graphs, 0)
    for start in range(0, len(graphs), _BATCH):
        batch = graphs[start:start + _BATCH]
        values = " ".join(f"<{g}>" for g in batch)
        query = f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g"
        sent = await send(client, "POST", sparql.url, endpoint=sparql, graph=batch[0], policy=policy,
                          content=urlencode({"query": query}).encode(),
                          headers={"Content-Type": "application/x-www-form-urlencoded",
                                   "Accept": "application/sparql-results+json"})
        try:
            for row in sent.response.json()["results"]["bindings"]:
                found[row["g"]["value"]] = int(row["n"]["value"])
        except (ValueError, KeyError, TypeError) as exc:
            reason = f"the SPARQL endpoint's answer is not SPARQL JSON results ({type(exc).__name__}: {exc})"
            raise PublishError([report("P036", Location(sparql.url), graph=batch[0], reason=reason)]) from None
    return found


def verify_counts(endpoint: Endpoint, expected: Mapping[str, int], found: Mapping[str, int]) -> None:
    """Raise when a graph's count in the store differs from what was sent (every such graph at once).

    Raises:
        PublishVerificationError: P035 for each graph whose count differs.
    """
    problems = [report("P035", Location(endpoint.url), graph=g, expected=n, found=found.get(g, 0))
                for g, n in expected.items() if found.get(g, 0) != n]
    if problems:
        raise PublishVerificationError(problems)
