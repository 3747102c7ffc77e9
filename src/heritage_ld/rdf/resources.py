"""One document per resource of the collection graph, so that every IRI the data mints can be dereferenced.

Items have their own files (``rdf/object/``). The other resources the collection graph mints, the agents,
places, concepts (also the types items mint, such as roles), sections, the exhibition and its set, get ``rdf/{kind}/{key}.{ttl,jsonld,nt,rdf}``: the
triples whose subject is the resource or one of its ``#`` nodes (a concise description). ``heritage-ld serve``
answers ``/{kind}/{key}`` from them by content negotiation, and so can a plain web server (docs/aggregators.md).

>>> from heritage_ld.model import UrlScheme
>>> t = [("https://example.org/c/place/hanoi", "http://www.w3.org/2000/01/rdf-schema#label", Literal("Hanoi"))]
>>> [path for path, _ in resource_documents(t, UrlScheme("https://example.org/c"))][:2]
['rdf/place/hanoi.ttl', 'rdf/place/hanoi.jsonld']
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from heritage_ld.formats import JSON_LD, N_TRIPLES, RDF_XML, TURTLE, Format
from heritage_ld.model import UrlScheme
from heritage_ld.rdf.document import triples_document
from heritage_ld.rdf.terms import Literal, Triple

__all__ = ["RESOURCE_FORMATS", "RESOURCE_KINDS", "document_iri", "from_ntriples", "resource_documents"]

#: The folders (and URL path segments) of minted resources other than items.
RESOURCE_KINDS = ("agent", "place", "concept", "section", "exhibition", "set")
#: The formats each resource is written in (the ones content negotiation offers).
RESOURCE_FORMATS: tuple[Format, ...] = (TURTLE, JSON_LD, N_TRIPLES, RDF_XML)


def document_iri(iri: str, urls: UrlScheme) -> str | None:
    """The minted resource whose document describes ``iri`` (itself, or the resource of a ``#`` node), or
    ``None`` when it is not a resource of :data:`RESOURCE_KINDS` under the base URL.

    >>> u = UrlScheme("https://example.org/c")
    >>> document_iri("https://example.org/c/agent/vna#name-en", u), document_iri("https://example.org/c/object/1", u)
    ('https://example.org/c/agent/vna', None)
    """
    doc = iri.split("#", 1)[0]
    prefix = urls.base_url + "/"
    if not doc.startswith(prefix):
        return None
    kind, _, key = doc[len(prefix):].partition("/")
    return doc if kind in RESOURCE_KINDS and key and "/" not in key else None


def resource_documents(triples: Iterable[Triple], urls: UrlScheme) -> Iterator[tuple[str, bytes]]:
    """``(path under OUT, bytes)`` of every document of every minted resource: each subject under the base URL
    in one of :data:`RESOURCE_KINDS` (the collection graph's, and those items mint, such as role types) gets
    the triples about it and its ``#`` nodes, in each of :data:`RESOURCE_FORMATS`, sorted by IRI."""
    by_iri: dict[str, list[Triple]] = {}
    for t in triples:
        doc = document_iri(t[0], urls)
        if doc is not None:
            by_iri.setdefault(doc, []).append(t)
    for iri in sorted(by_iri):
        path = "rdf/" + urls.path(iri)
        for fmt in RESOURCE_FORMATS:
            yield f"{path}.{fmt.extension}", triples_document(by_iri[iri], fmt, main=iri)


def from_ntriples(lines: Iterable[str]) -> list[Triple]:
    """Triples from N-Triples lines (those the build wrote), as :mod:`heritage_ld.rdf.terms` values.

    Parsed with pyoxigraph's streaming parser (rdflib's graph took 3 s and most of a gigabyte for the half
    million lines of a 100,000-item collection).

    >>> from_ntriples(['<https://e.org/a> <https://e.org/p> "x"@en .'])
    [('https://e.org/a', 'https://e.org/p', Literal(value='x', language='en', datatype=''))]
    """
    from pyoxigraph import Literal as OxLiteral
    from pyoxigraph import RdfFormat, parse

    out: list[Triple] = []
    for t in parse("".join(lines).encode("utf-8"), format=RdfFormat.N_TRIPLES):
        o = t.object
        if isinstance(o, OxLiteral):
            datatype = "" if o.language or o.datatype.value == _XSD_STRING else o.datatype.value
            out.append((t.subject.value, t.predicate.value, Literal(o.value, o.language or "", datatype)))
        else:
            out.append((t.subject.value, t.predicate.value, o.value))
    return out


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
