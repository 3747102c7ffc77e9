"""The public builders: the triples (and rdflib graphs) of an item, of the collection, for a profile.

Profiles: ``crm`` (Linked Art), ``dc`` (Dublin Core terms) or ``all`` (both). Builders return plain triples
(:mod:`heritage_ld.rdf.terms`) for speed; :func:`item_graph` and :func:`collection_graph` wrap them in
rdflib graphs for callers who want one.

>>> from heritage_ld.model import Collection, Item, ItemKind, MultilingualText
>>> c = Collection("c", MultilingualText.of(en="C"), "https://example.org", items=(
...     Item("A1", ItemKind.PHOTOGRAPH, MultilingualText.of(en="Hanoi")),))
>>> len(item_graph(c.items[0], c, profile="dc")) > 3
True
"""

from __future__ import annotations

from collections.abc import Iterator

import rdflib

from heritage_ld.errors import UsageError
from heritage_ld.formats import PROFILES
from heritage_ld.model import Collection, Item, UrlScheme
from heritage_ld.rdf.crm import item_node, position_node
from heritage_ld.rdf.dc import collection_dc, item_dc, member_dc
from heritage_ld.rdf.exhibition import collection_nodes
from heritage_ld.rdf.node import node_triples, term
from heritage_ld.rdf.terms import Literal, Triple

__all__ = [
    "PROFILES",
    "collection_graph",
    "collection_triples",
    "dataset_triples",
    "item_graph",
    "item_membership",
    "item_triples",
    "position_of",
    "position_triples",
    "to_rdflib",
]



def _check_profile(profile: str) -> None:
    if profile not in PROFILES:
        raise UsageError(f"unknown profile {profile!r}; choose one of {', '.join(PROFILES)}")


def position_of(collection: Collection, item: Item) -> int:
    """The 1-based place of ``item`` in the collection (0 when it is not in it)."""
    for n, i in enumerate(collection.items, 1):
        if i is item or i.accession == item.accession:
            return n
    return 0


def item_triples(
    item: Item, collection: Collection, *, profile: str = "all", urls: UrlScheme | None = None, position: int | None = None
) -> list[Triple]:
    """The triples of one item, without duplicates, in a stable order (CRM tree order, then Dublin Core).

    ``position`` (1-based) adds the item's place in the catalogue; by default there is none, since the
    collection graph holds every member's position (:func:`collection_triples`): an item's own triples then
    depend on the item alone, and removing one item changes no other item's files.
    """
    _check_profile(profile)
    urls = urls or UrlScheme(collection.base_url)
    out: list[Triple] = []
    if profile in ("crm", "all"):
        node_triples(item_node(item, collection, urls, position=position or 0), out)  # unique by construction
    if profile in ("dc", "all"):
        out += dict.fromkeys(item_dc(item, collection, urls))  # CRM and DC share no predicate
    return out


def collection_triples(
    collection: Collection, *, profile: str = "all", urls: UrlScheme | None = None, positions: bool = True,
    members: bool = True,
) -> list[Triple]:
    """The collection graph: the exhibition, its sets and sections, agents, places and concepts, and the
    place of each item in the catalogue (a "sequence position" dimension of the item, Linked Art
    model/collection; ``positions=False`` leaves those out, for a writer that streams them with
    :func:`position_triples`), and the set's and sections' ``dcterms:hasPart`` to each item (``members=False``
    leaves those out: :func:`item_membership` streams them with the positions)."""
    _check_profile(profile)
    urls = urls or UrlScheme(collection.base_url)
    out: list[Triple] = []
    if profile in ("crm", "all"):
        for node in collection_nodes(collection, urls):
            node_triples(node, out)
        if positions:
            for chunk in position_triples(collection, urls=urls):
                out += chunk
    if profile in ("dc", "all"):
        out += collection_dc(collection, urls, members=members)
    return list(dict.fromkeys(out))  # records repeat what references to them already said


def item_membership(collection: Collection, *, profile: str = "all",
                    urls: UrlScheme | None = None) -> Iterator[list[Triple]]:
    """What the collection graph says of each item, one list per item in catalogue order: its position (CRM
    profile, :func:`position_triples`) and the set's and its section's ``dcterms:hasPart`` (DC profile). With
    :func:`collection_triples` (``positions=False, members=False``), the whole collection graph, streamed: at
    100,000 items this part is 700,000 triples."""
    _check_profile(profile)
    urls = urls or UrlScheme(collection.base_url)
    crm, dc = profile in ("crm", "all"), profile in ("dc", "all")
    positions = position_triples(collection, urls=urls) if crm else None
    for item in collection.items:
        out = next(positions) if positions is not None else []
        if dc:
            out += member_dc(item, collection, urls)
        yield out


def position_triples(collection: Collection, *, urls: UrlScheme | None = None) -> Iterator[list[Triple]]:
    """Each item's place in the catalogue, one list of triples per item in catalogue order: the item's
    "sequence position" dimension (CRM profile). The type and unit the dimensions share are described once,
    with the first item."""
    urls = urls or UrlScheme(collection.base_url)
    dimension, _ = term("HumanMadeObject", "dimension")
    seen: set[tuple[str, str, str | None]] = set()
    for n, item in enumerate(collection.items, 1):
        iri = urls.object(item.accession)
        position = position_node(iri, n, urls)
        out: list[Triple] = [(iri, dimension, position.id)]
        node_triples(position, out, seen)
        yield out


def dataset_triples(collection: Collection, *, profile: str = "all", urls: UrlScheme | None = None) -> Iterator[list[Triple]]:
    """The whole dataset in chunks: the collection graph, then one chunk per item (never one giant list)."""
    urls = urls or UrlScheme(collection.base_url)
    yield collection_triples(collection, profile=profile, urls=urls)
    for item in collection.items:
        yield item_triples(item, collection, profile=profile, urls=urls)


def _term(o: object) -> rdflib.term.Node:
    if isinstance(o, Literal):
        return rdflib.Literal(o.value, lang=o.language or None, datatype=rdflib.URIRef(o.datatype) if o.datatype else None)
    return rdflib.URIRef(str(o))


def to_rdflib(triples: list[Triple], graph: rdflib.Graph | None = None) -> rdflib.Graph:
    """Add triples to an rdflib graph (a new one by default)."""
    g = graph if graph is not None else rdflib.Graph()
    for s, p, o in triples:
        g.add((rdflib.URIRef(s), rdflib.URIRef(p), _term(o)))
    return g


def item_graph(item: Item, collection: Collection, *, profile: str = "all") -> rdflib.Graph:
    """One item as an rdflib graph."""
    return to_rdflib(item_triples(item, collection, profile=profile))


def collection_graph(collection: Collection, *, profile: str = "all") -> rdflib.Graph:
    """The collection graph (no item descriptions) as an rdflib graph."""
    return to_rdflib(collection_triples(collection, profile=profile))
