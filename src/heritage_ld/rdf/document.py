"""Whole documents in any :class:`~heritage_ld.formats.Format`: one item's file, or the whole collection.

Per-item files hold both profiles (CIDOC-CRM and Dublin Core) except JSON-LD, which is the Linked Art
document of the object (CRM only: the Linked Art API has no place for ``dcterms:`` keys). The collection is
written chunk by chunk (collection graph, then item by item), so memory stays flat whatever its size.

>>> from heritage_ld.formats import TURTLE
>>> from heritage_ld.model import Collection, Item, ItemKind, MultilingualText
>>> c = Collection("c", MultilingualText.of(en="C"), "https://example.org", items=(
...     Item("A1", ItemKind.PHOTOGRAPH, MultilingualText.of(vi="Hà Nội")),))
>>> "Hà Nội" in serialize(c, TURTLE, profile="dc").decode()
True
"""

from __future__ import annotations

import io
from typing import IO, Any

from heritage_ld.formats import JSON_LD, N_QUADS, N_TRIPLES, RDF_XML, TURTLE, Format
from heritage_ld.model import Collection, Item, UrlScheme
from heritage_ld.rdf.crm import item_node
from heritage_ld.rdf.exhibition import collection_nodes
from heritage_ld.rdf.graph import collection_triples, dataset_triples, item_triples
from heritage_ld.rdf.node import CONTEXT_URL, node_json
from heritage_ld.rdf.serialize import (
    canonical_ntriples,
    dumps_json,
    jsonld_flat,
    nquads,
    rdfxml,
    sort_triples,
    turtle,
)
from heritage_ld.rdf.terms import Triple

__all__ = ["item_document", "item_jsonld", "serialize", "triples_document", "write_collection"]


def item_jsonld(
    item: Item, collection: Collection, *, urls: UrlScheme | None = None, position: int | None = None
) -> dict[str, Any]:
    """The Linked Art JSON-LD document of one item (compacted, Linked Art key order).

    ``position`` (1-based) adds the item's place in the catalogue as a sequence position. By default an item's
    document carries none: the order belongs to the collection graph, so that adding or removing one item
    changes no other item's files.
    """
    return node_json(item_node(item, collection, urls or UrlScheme(collection.base_url), position=position or 0))


def triples_document(triples: list[Triple], fmt: Format, *, graph: str = "", main: str = "") -> bytes:
    """Triples in ``fmt`` (JSON-LD is written flattened with prefixes); sorted, UTF-8.

    ``graph`` names the N-Quads graph; in Turtle the subjects under ``main`` come first.
    """
    if fmt is N_TRIPLES:
        return canonical_ntriples(triples).encode()
    if fmt is N_QUADS:
        return nquads(sort_triples(triples), graph).encode()
    if fmt is TURTLE:
        return turtle(triples, main=main or graph).encode()
    if fmt is RDF_XML:
        return rdfxml(triples).encode()
    return dumps_json(jsonld_flat(triples)).encode()


def item_document(
    item: Item, collection: Collection, fmt: Format, *, urls: UrlScheme | None = None, position: int | None = None
) -> bytes:
    """One item's file: Linked Art JSON-LD for ``jsonld``, both profiles in every other format."""
    urls = urls or UrlScheme(collection.base_url)
    if fmt is JSON_LD:
        return dumps_json(item_jsonld(item, collection, urls=urls, position=position)).encode()
    triples = item_triples(item, collection, profile="all", urls=urls, position=position)
    return triples_document(triples, fmt, graph=urls.object(item.accession))


def write_collection(
    collection: Collection, stream: IO[bytes], fmt: Format, *, profile: str = "all", urls: UrlScheme | None = None
) -> int:
    """Write the whole dataset (collection graph and every item) to ``stream``; returns the triple count.

    N-Triples, N-Quads (one named graph per item, the collection graph named by its set) and Turtle stream
    chunk by chunk; RDF/XML and JSON-LD are built whole (they nest).
    """
    urls = urls or UrlScheme(collection.base_url)
    count = 0
    if fmt in (N_TRIPLES, N_QUADS, TURTLE):
        if fmt is TURTLE:
            stream.write(turtle([]).encode())
        graphs = [urls.set(collection.key)] + [urls.object(i.accession) for i in collection.items]
        for graph, chunk in zip(graphs, dataset_triples(collection, profile=profile, urls=urls), strict=False):
            chunk = sort_triples(chunk)
            count += len(chunk)
            if fmt is N_TRIPLES:
                stream.write(canonical_ntriples(chunk).encode())
            elif fmt is N_QUADS:
                stream.write(nquads(chunk, graph).encode())
            else:  # each chunk's own resource first: the set, then item by item
                stream.write(turtle(chunk, prefixes=False, main=graph).encode())
        return count
    if fmt is JSON_LD and profile == "crm":
        nodes = collection_nodes(collection, urls)
        nodes += [item_node(i, collection, urls, position=n) for n, i in enumerate(collection.items, 1)]
        doc = {"@context": CONTEXT_URL, "@graph": [node_json(n, context=False) for n in nodes]}
        stream.write(dumps_json(doc).encode())
        return len(set(collection_triples(collection, profile="crm", urls=urls))) + sum(
            len(item_triples(i, collection, profile="crm", urls=urls)) for i in collection.items
        )  # the positions are counted once, in the collection graph
    allt: list[Triple] = []
    for chunk in dataset_triples(collection, profile=profile, urls=urls):
        allt += chunk
    data = triples_document(allt, fmt)
    stream.write(data)
    return len(set(allt))


def serialize(collection: Collection, fmt: Format, *, profile: str = "all") -> bytes:
    """The whole dataset as bytes (see :func:`write_collection`)."""
    buf = io.BytesIO()
    write_collection(collection, buf, fmt, profile=profile)
    return buf.getvalue()
