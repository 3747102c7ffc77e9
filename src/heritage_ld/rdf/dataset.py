"""The dataset description harvesters read first: VoID and DCAT 3 (W3C DCAT §6.4 dcat:Dataset, §6.8
dcat:Distribution; VoID §4 statistics, §6 dumps, §3.4 example resources).

>>> from heritage_ld.model import Collection, MultilingualText
>>> c = Collection("c", MultilingualText.of(en="Hanoi 1972"), "https://example.org")
>>> t = dataset_description(c, triples=1234)
>>> any(p.endswith("void#triples") and o.value == "1234" for _, p, o in t if not isinstance(o, str))
True
"""

from __future__ import annotations

from heritage_ld.model import Collection, UrlScheme
from heritage_ld.rdf.terms import DCAT, DCTERMS, RDF_TYPE, VOID, XSD, Literal, Triple

__all__ = ["dataset_description"]


def dataset_description(
    collection: Collection,
    *,
    triples: int,
    entities: int | None = None,
    urls: UrlScheme | None = None,
    issued: str | None = None,
) -> list[Triple]:
    """VoID + DCAT triples describing the published dataset.

    Args:
        triples: the number of triples in the full dump (``void:triples``).
        entities: the number of items (``void:entities``); defaults to the collection's item count.
        issued: an ISO date (from ``SOURCE_DATE_EPOCH``), or ``None`` to leave the date out (determinism).
    """
    urls = urls or UrlScheme(collection.base_url)
    ds = urls.dataset()
    base = urls.base_url
    dump = f"{base}/rdf/dataset.nt.gz"
    out: list[Triple] = [
        (ds, RDF_TYPE, VOID + "Dataset"),
        (ds, RDF_TYPE, DCAT + "Dataset"),
    ]
    for lang, value in collection.title:
        out.append((ds, DCTERMS + "title", Literal(value, lang.lower())))
    for lang, value in collection.summary:
        out.append((ds, DCTERMS + "description", Literal(value, lang.lower())))
    if collection.publisher is not None:
        out.append((ds, DCTERMS + "publisher", urls.agent(collection.publisher.key)))
    if collection.rights:
        out.append((ds, DCTERMS + "license", collection.rights))
    if issued:
        out.append((ds, DCTERMS + "issued", Literal(issued, "", XSD + "date")))
    if collection.homepage:
        out.append((ds, DCAT + "landingPage", collection.homepage))
    out.append((ds, VOID + "triples", Literal(str(triples), "", XSD + "integer")))
    out.append((ds, VOID + "entities", Literal(str(len(collection.items) if entities is None else entities), "", XSD + "integer")))
    out.append((ds, VOID + "dataDump", dump))
    out.append((ds, VOID + "sparqlEndpoint", f"{base}/sparql"))
    out.append((ds, VOID + "uriSpace", Literal(f"{base}/")))
    for vocabulary in ("http://www.cidoc-crm.org/cidoc-crm/", "https://linked.art/ns/terms/", "http://purl.org/dc/terms/"):
        out.append((ds, VOID + "vocabulary", vocabulary))
    if collection.items:
        out.append((ds, VOID + "exampleResource", urls.object(collection.items[0].accession)))
    out.append((ds, VOID + "rootResource", urls.set(collection.key)))
    dist = f"{ds}#dump"
    out += [
        (ds, DCAT + "distribution", dist),
        (dist, RDF_TYPE, DCAT + "Distribution"),
        (dist, DCAT + "downloadURL", dump),
        (dist, DCAT + "mediaType", "https://www.iana.org/assignments/media-types/application/n-triples"),
        (dist, DCAT + "compressFormat", "https://www.iana.org/assignments/media-types/application/gzip"),
        (dist, DCTERMS + "format", Literal("application/n-triples")),
    ]
    svc = f"{base}/sparql"
    out += [
        (ds, DCAT + "distribution", f"{ds}#sparql"),
        (f"{ds}#sparql", RDF_TYPE, DCAT + "Distribution"),
        (f"{ds}#sparql", DCAT + "accessURL", svc),
    ]
    return out
