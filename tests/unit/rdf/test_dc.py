"""Dublin Core terms for items and the collection."""

from __future__ import annotations

import rdflib
from rdflib import Literal as L
from rdflib import URIRef

from heritage_ld.model import Collection, UrlScheme
from heritage_ld.rdf import collection_graph, dataset_description, item_graph, to_rdflib

DCT = rdflib.Namespace("http://purl.org/dc/terms/")
DCMI = rdflib.Namespace("http://purl.org/dc/dcmitype/")


def test_item_terms(collection: Collection) -> None:
    urls = UrlScheme(collection.base_url)
    photo, doc, helmet = (item_graph(i, collection, profile="dc") for i in collection.items)
    s = URIRef(urls.object("HN 1972/001"))
    assert photo.value(s, DCT.type) == DCMI.StillImage
    assert (s, DCT.title, L("Đào hầm Hà Nội", lang="vi")) in photo
    assert (s, DCT.date, L("1972-12-18/1972-12-29")) in photo
    assert photo.value(s, DCT.created) is None  # an interval is not one creation day
    assert {str(o) for o in photo.objects(s, DCT.identifier)} == {"HN 1972/001", "BTHN-AN-0412", "OLD 7"}
    assert {str(o) for o in photo.objects(s, DCT["format"])} == {"image/jpeg", "image/tiff"}
    assert (s, DCT.rightsHolder, URIRef(urls.agent("museum"))) in photo
    assert (s, DCT.isPartOf, URIRef(urls.section("silence"))) in photo
    d = URIRef(urls.object("HN1972.002"))
    assert doc.value(d, DCT.type) == DCMI.Text
    assert (d, DCT.license, URIRef("https://creativecommons.org/licenses/by/4.0/")) in doc
    assert (d, DCT.language, L("vi")) in doc
    assert helmet.value(URIRef(urls.object("HN1972.003")), DCT.type) == DCMI.PhysicalObject


def test_collection_terms(collection: Collection) -> None:
    urls = UrlScheme(collection.base_url)
    g = collection_graph(collection, profile="dc")
    s = URIRef(urls.set("hanoi-1972"))
    assert len(list(g.objects(s, DCT.hasPart))) == 3 + 2  # items and sections
    assert (URIRef(urls.section("silence")), DCT.hasPart, URIRef(urls.object("HN 1972/001"))) in g


def test_dataset_description(collection: Collection) -> None:
    g = to_rdflib(dataset_description(collection, triples=42, issued="2026-11-27"))
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    ds = URIRef(UrlScheme(collection.base_url).dataset())
    assert g.value(ds, void["triples"]).toPython() == 42
    assert g.value(ds, void.entities).toPython() == 3
    assert str(g.value(ds, void.dataDump)).endswith("/rdf/dataset.nt.gz")
    assert str(g.value(ds, void.exampleResource)) == UrlScheme(collection.base_url).object("HN 1972/001")
    assert g.value(ds, DCT.issued) == L("2026-11-27", datatype=rdflib.XSD.date)
    assert dataset_description(collection, triples=1) == dataset_description(collection, triples=1)
    assert not any(p.endswith("issued") for _, p, _ in dataset_description(collection, triples=1))


def test_the_collection_graph_streamed_item_by_item_is_the_whole_graph(collection: Collection) -> None:
    """The rdf step writes the collection graph without its per-item part, then that part item by item (700,000
    triples at 100,000 items, never held at once): together, exactly the graph made whole."""
    from heritage_ld.rdf.graph import collection_triples, item_membership

    urls = UrlScheme(collection.base_url)
    for profile in ("all", "crm", "dc"):
        whole = collection_triples(collection, profile=profile, urls=urls)
        head = collection_triples(collection, profile=profile, urls=urls, positions=False, members=False)
        parts = list(item_membership(collection, profile=profile, urls=urls))
        assert len(parts) == len(collection.items)
        streamed = head + [t for part in parts for t in part]
        assert set(streamed) == set(whole)  # (the shared type and unit of positions may repeat: a graph)
        for item, part in list(zip(collection.items, parts, strict=True))[1:]:  # (the first also describes shared terms)
            iri = urls.object(item.accession)
            assert part and all(str(s).startswith(iri) or str(o) == iri for s, _, o in part)
