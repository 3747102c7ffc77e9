"""The dataset description harvesters read first: VoID and DCAT 3 (W3C DCAT §6.2 dcat:Catalog, §6.4 dcat:Dataset,
§6.7 dcat:DataService, §6.8 dcat:Distribution; VoID §4 statistics, §6 dumps, §3.4 example resources), and the
SPARQL 1.1 Service Description of the endpoint.

The catalogue lists one dataset with one distribution per way to get it: the N-Triples dump, the SPARQL
endpoint, the OAI-PMH endpoint (oai_dc, rdf and EDM records) and the IIIF collection, each with its media type
and, for the two services, a ``dcat:accessService``. Every one carries the **metadata** licence
(``collection.metadata_license``, CC0 1.0 by default), never the items' rights.

>>> from heritage_ld.model import Collection, MultilingualText
>>> c = Collection("c", MultilingualText.of(en="Hanoi 1972"), "https://example.org")
>>> t = dataset_description(c, triples=1234)
>>> any(p.endswith("void#triples") and o.value == "1234" for _, p, o in t if not isinstance(o, str))
True
"""

from __future__ import annotations

from heritage_ld.model import Collection, UrlScheme
from heritage_ld.rdf.terms import DCAT, DCTERMS, RDF_TYPE, VOID, XSD, Literal, Triple

__all__ = ["DISTRIBUTIONS", "dataset_description", "service_description"]

SD = "http://www.w3.org/ns/sparql-service-description#"
_IANA = "https://www.iana.org/assignments/media-types/"
#: The fragment of each distribution of the dataset (``{dataset}#dump`` …).
DISTRIBUTIONS = ("dump", "sparql", "oai", "iiif")


def dataset_description(
    collection: Collection,
    *,
    triples: int,
    entities: int | None = None,
    urls: UrlScheme | None = None,
    issued: str | None = None,
) -> list[Triple]:
    """VoID + DCAT triples describing the published dataset: the catalogue, the dataset, its distributions.

    Args:
        triples: the number of triples in the full dump (``void:triples``).
        entities: the number of items (``void:entities``); defaults to the collection's item count.
        issued: an ISO date (from ``SOURCE_DATE_EPOCH``), or ``None`` to leave the date out (determinism).
    """
    urls = urls or UrlScheme(collection.base_url)
    ds = urls.dataset()
    base = urls.base_url
    licence = collection.metadata_license
    dump = f"{base}/rdf/dataset.nt.gz"
    catalog = f"{ds}#catalog"
    out: list[Triple] = [
        (catalog, RDF_TYPE, DCAT + "Catalog"),
        (catalog, DCAT + "dataset", ds),
        (catalog, DCTERMS + "license", licence),
        (ds, RDF_TYPE, VOID + "Dataset"),
        (ds, RDF_TYPE, DCAT + "Dataset"),
        (ds, DCTERMS + "license", licence),
    ]
    for lang, value in collection.title:
        out.append((ds, DCTERMS + "title", Literal(value, lang.lower())))
        out.append((catalog, DCTERMS + "title", Literal(value, lang.lower())))
    for lang, value in collection.summary:
        out.append((ds, DCTERMS + "description", Literal(value, lang.lower())))
    if collection.publisher is not None:
        out.append((ds, DCTERMS + "publisher", urls.agent(collection.publisher.key)))
        out.append((catalog, DCTERMS + "publisher", urls.agent(collection.publisher.key)))
    if issued:
        out.append((ds, DCTERMS + "issued", Literal(issued, "", XSD + "date")))
    if collection.homepage:
        out.append((ds, DCAT + "landingPage", collection.homepage))
    out.append((catalog, DCAT + "landingPage", urls.home_page()))
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

    def distribution(name: str, media: str, *, download: str | None = None, access: str | None = None) -> str:
        dist = f"{ds}#{name}"
        out.extend([
            (ds, DCAT + "distribution", dist),
            (dist, RDF_TYPE, DCAT + "Distribution"),
            (dist, DCAT + "mediaType", _IANA + media),
            (dist, DCTERMS + "license", licence),
        ])
        if download:
            out.extend([(dist, DCAT + "downloadURL", download), (dist, DCAT + "accessURL", download)])
        if access:
            out.append((dist, DCAT + "accessURL", access))
        return dist

    dist = distribution("dump", "application/n-triples", download=dump)
    out += [
        (dist, DCAT + "compressFormat", _IANA + "application/gzip"),
        (dist, DCTERMS + "format", Literal("application/n-triples")),
    ]
    for name, endpoint, media, standard in (
        ("sparql", f"{base}/sparql", "application/sparql-results+json", "https://www.w3.org/TR/sparql11-protocol/"),
        ("oai", f"{base}/oai", "text/xml", "http://www.openarchives.org/OAI/2.0/"),
    ):
        dist = distribution(name, media, access=endpoint)
        service = f"{ds}#{name}-service"
        out += [
            (dist, DCAT + "accessService", service),
            (service, RDF_TYPE, DCAT + "DataService"),
            (service, DCAT + "endpointURL", endpoint),
            (service, DCAT + "servesDataset", ds),
            (service, DCTERMS + "conformsTo", standard),
            (service, DCTERMS + "license", licence),
        ]
        out.append((catalog, DCAT + "service", service))
    dist = distribution("iiif", "application/ld+json", download=urls.iiif_collection())
    out.append((dist, DCTERMS + "conformsTo", "http://iiif.io/api/presentation/3/context.json"))
    return out


def service_description(endpoint: str, dataset: str) -> list[Triple]:
    """The SPARQL 1.1 Service Description of the endpoint (W3C SPARQL 1.1 Service Description §3).

    >>> t = service_description("https://example.org/sparql", "https://example.org/rdf/dataset")
    >>> ("https://example.org/sparql#service", "http://www.w3.org/ns/sparql-service-description#endpoint",
    ...  "https://example.org/sparql") in t
    True
    """
    svc = f"{endpoint}#service"
    default = f"{endpoint}#default-dataset"
    graph = f"{endpoint}#default-graph"
    out: list[Triple] = [
        (svc, RDF_TYPE, SD + "Service"),
        (svc, SD + "endpoint", endpoint),
        (svc, SD + "supportedLanguage", SD + "SPARQL11Query"),
        (svc, SD + "feature", SD + "UnionDefaultGraph"),
        (svc, SD + "defaultDataset", default),
        (default, RDF_TYPE, SD + "Dataset"),
        (default, SD + "defaultGraph", graph),
        (graph, RDF_TYPE, SD + "Graph"),
        (graph, VOID + "inDataset", dataset),
    ]
    for fmt in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                "Turtle", "N-Triples", "RDF_XML"):
        out.append((svc, SD + "resultFormat", f"http://www.w3.org/ns/formats/{fmt}"))
    return out
