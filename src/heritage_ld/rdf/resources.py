"""One document per resource of the collection graph, so that every IRI the data mints can be dereferenced.

Items have their own files (``rdf/object/``). The other resources the collection graph mints, the agents,
places, concepts, sections, the exhibition and its set, get ``rdf/{kind}/{key}.{ttl,jsonld,nt,rdf}``: the
triples whose subject is the resource or one of its ``#`` nodes (a concise description). ``heritage-ld serve``
answers ``/{kind}/{key}`` from them by content negotiation, and so can a plain web server (docs/aggregators.md).

>>> from heritage_ld.model import Collection, MultilingualText, UrlScheme
>>> c = Collection("c", MultilingualText.of(en="C"), "https://example.org/c")
>>> [r.path for r in minted_resources(c, UrlScheme(c.base_url))]
['rdf/set/c', 'rdf/exhibition/c']
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from heritage_ld.formats import JSON_LD, N_TRIPLES, RDF_XML, TURTLE, Format
from heritage_ld.model import Collection, CollectionKind, UrlScheme
from heritage_ld.rdf.document import triples_document
from heritage_ld.rdf.exhibition import _all_refs
from heritage_ld.rdf.terms import Triple

__all__ = ["RESOURCE_FORMATS", "RESOURCE_KINDS", "Resource", "minted_resources", "resource_documents"]

#: The folders (and URL path segments) of minted resources other than items.
RESOURCE_KINDS = ("agent", "place", "concept", "section", "exhibition", "set")
#: The formats each resource is written in (the ones content negotiation offers).
RESOURCE_FORMATS: tuple[Format, ...] = (TURTLE, JSON_LD, N_TRIPLES, RDF_XML)


@dataclass(frozen=True, slots=True)
class Resource:
    """A minted resource: its IRI and the path of its documents under OUT, without the extension."""

    iri: str
    path: str


def minted_resources(collection: Collection, urls: UrlScheme) -> list[Resource]:
    """Every resource other than items that the collection graph mints, in a fixed order."""
    found = [urls.set(collection.key)]
    if collection.kind is CollectionKind.EXHIBITION:
        found.append(urls.exhibition(collection.key))
    found += [urls.section(s.key) for s in collection.sections]
    agents, places, concepts = _all_refs(collection)
    found += [urls.agent(a.key) for a in agents]
    found += [urls.place(p.key) for p in places]
    found += [urls.concept(c.key) for c in concepts]
    return [Resource(iri, "rdf/" + urls.path(iri)) for iri in found]


def resource_documents(collection: Collection, triples: Iterable[Triple], urls: UrlScheme
                       ) -> Iterator[tuple[str, bytes]]:
    """``(path under OUT, bytes)`` of every document of every minted resource, from the collection graph."""
    resources = minted_resources(collection, urls)
    by_iri: dict[str, list[Triple]] = {r.iri: [] for r in resources}
    for t in triples:
        subject = t[0].split("#", 1)[0]
        if subject in by_iri:
            by_iri[subject].append(t)
    for r in resources:
        for fmt in RESOURCE_FORMATS:
            yield f"{r.path}.{fmt.extension}", triples_document(by_iri[r.iri], fmt, main=r.iri)
