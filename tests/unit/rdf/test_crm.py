"""The Linked Art shape of an item, checked triple by triple."""

from __future__ import annotations

import dataclasses

import pytest
import rdflib
from rdflib import RDF, RDFS, URIRef
from rdflib import Literal as L

from heritage_ld.errors import CatalogueError
from heritage_ld.model import Collection, UrlScheme
from heritage_ld.rdf import collection_graph, item_graph, item_jsonld

CRM = rdflib.Namespace("http://www.cidoc-crm.org/cidoc-crm/")
LA = rdflib.Namespace("https://linked.art/ns/terms/")
DIG = rdflib.Namespace("http://www.ics.forth.gr/isl/CRMdig/")
AAT = rdflib.Namespace("http://vocab.getty.edu/aat/")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")


@pytest.fixture()
def g(collection: Collection) -> rdflib.Graph:
    return item_graph(collection.items[0], collection, profile="all")


@pytest.fixture()
def obj(collection: Collection) -> URIRef:
    return URIRef(UrlScheme(collection.base_url).object(collection.items[0].accession))


def test_no_blank_nodes_and_every_node_under_its_item(g: rdflib.Graph, obj: URIRef) -> None:
    assert not any(isinstance(t, rdflib.BNode) for triple in g for t in triple)
    hashed = {s for s in g.subjects() if "#" in s}
    assert hashed and all(str(s).startswith(str(obj) + "#") for s in hashed)


def test_object_photograph_names_and_accession(g: rdflib.Graph, obj: URIRef) -> None:
    assert (obj, RDF.type, CRM["E22_Human-Made_Object"]) in g
    assert (obj, CRM.P2_has_type, AAT["300046300"]) in g
    names = {(str(g.value(n, CRM.P190_has_symbolic_content)), g.value(n, CRM.P72_has_language))
             for n in g.objects(obj, CRM.P1_is_identified_by)
             if (n, RDF.type, CRM.E33_E41_Linguistic_Appellation) in g and (n, CRM.P2_has_type, AAT["300404670"]) in g}
    assert ("Đào hầm Hà Nội", AAT["300389525"]) in names
    acc = [n for n in g.objects(obj, CRM.P1_is_identified_by) if (n, CRM.P2_has_type, AAT["300312355"]) in g]
    assert [str(g.value(a, CRM.P190_has_symbolic_content)) for a in acc] == ["HN 1972/001"]


def test_description_statement_is_brief_text(g: rdflib.Graph, obj: URIRef) -> None:
    descs = [s for s in g.objects(obj, CRM.P67i_is_referred_to_by) if (s, CRM.P2_has_type, AAT["300435416"]) in g]
    assert len(descs) == 2
    assert (AAT["300435416"], CRM.P2_has_type, AAT["300418049"]) in g


def test_production_timespan_parts_and_roles(g: rdflib.Graph, obj: URIRef) -> None:
    prod = g.value(obj, CRM.P108i_was_produced_by)
    assert (prod, RDF.type, CRM.E12_Production) in g
    ts = g.value(prod, CRM["P4_has_time-span"])
    xsd_dt = rdflib.XSD.dateTime
    assert g.value(ts, CRM.P82a_begin_of_the_begin) == L("1972-12-18T00:00:00Z", datatype=xsd_dt)
    assert g.value(ts, CRM.P82b_end_of_the_end) == L("1972-12-29T23:59:59Z", datatype=xsd_dt)
    parts = list(g.objects(prod, CRM.P9_consists_of))
    assert len(parts) == 3
    photographers = [p for p in parts if (p, CRM.P2_has_type, AAT["300025687"]) in g]
    assert len(photographers) == 1 and (g.value(photographers[0], CRM.P14_carried_out_by), RDF.type, CRM.E21_Person) in g


def test_open_and_uncertain_dates(collection: Collection) -> None:
    urls = UrlScheme(collection.base_url)
    g = item_graph(collection.items[2], collection, profile="crm")  # 1972-12-29/..
    ts = URIRef(urls.object("HN1972.003") + "#production-timespan")
    assert g.value(ts, CRM.P82a_begin_of_the_begin) is not None
    assert g.value(ts, CRM.P82b_end_of_the_end) is None
    g2 = item_graph(collection.items[1], collection, profile="crm")  # 1972~ keeps the whole year
    ts2 = URIRef(urls.object("HN1972.002") + "#production-timespan")
    assert g2.value(ts2, CRM.P82b_end_of_the_end) == L("1972-12-31T23:59:59Z", datatype=rdflib.XSD.dateTime)
    assert str(g2.value(URIRef(str(ts2) + "-name"), CRM.P190_has_symbolic_content)) == "1972~"


def test_visual_item_carries_rights_and_subjects(g: rdflib.Graph, obj: URIRef) -> None:
    vis = g.value(obj, CRM.P65_shows_visual_item)
    assert (vis, RDF.type, CRM.E36_Visual_Item) in g
    right = g.value(vis, CRM.P104_is_subject_to)
    assert (right, RDF.type, CRM.E30_Right) in g
    assert (right, CRM.P2_has_type, URIRef("http://rightsstatements.org/vocab/InC/1.0/")) in g
    assert len(list(g.objects(vis, CRM.P129_is_about))) == 3  # one subject, two places


def test_document_carries_linguistic_object(collection: Collection) -> None:
    g = item_graph(collection.items[1], collection, profile="crm")
    obj = URIRef(UrlScheme(collection.base_url).object("HN1972.002"))
    text = g.value(obj, CRM.P128_carries)
    assert (text, RDF.type, CRM.E33_Linguistic_Object) in g
    assert (text, CRM.P72_has_language, AAT["300389525"]) in g


def test_manifest_link_follows_linked_art(g: rdflib.Graph, obj: URIRef, collection: Collection) -> None:
    urls = UrlScheme(collection.base_url)
    manifest = URIRef(urls.manifest(collection.items[0].accession))
    (do,) = list(g.subjects(LA.access_point, manifest))
    (lo,) = list(g.subjects(LA.digitally_carried_by, do))
    assert (obj, CRM.P129i_is_subject_of, lo) in g and (lo, RDF.type, CRM.E33_Linguistic_Object) in g
    assert (do, RDF.type, DIG.D1_Digital_Object) in g
    assert (do, DCT.conformsTo, URIRef("http://iiif.io/api/presentation/")) in g
    assert str(g.value(do, URIRef("http://purl.org/dc/elements/1.1/format"))) == (
        'application/ld+json;profile="http://iiif.io/api/presentation/3/context.json"')
    page = URIRef(urls.page(collection.items[0].accession))
    (pdo,) = list(g.subjects(LA.access_point, page))
    assert (pdo, CRM.P2_has_type, AAT["300264578"]) in g


def test_images_are_digital_objects_with_access_points(g: rdflib.Graph, obj: URIRef, collection: Collection) -> None:
    urls = UrlScheme(collection.base_url)
    vis = g.value(obj, CRM.P138i_has_representation)
    files = list(g.objects(vis, LA.digitally_shown_by))
    assert len(files) == 2
    shown = [f for f in files if g.value(f, LA.access_point) is not None]
    assert [str(g.value(f, LA.access_point)) for f in shown] == [urls.image_service("HN 1972/001", 1)]
    assert str(g.value(shown[0], RDFS.label)) == "media/001.jpg"


def test_dimensions_and_set_membership(g: rdflib.Graph, obj: URIRef, collection: Collection) -> None:
    urls = UrlScheme(collection.base_url)
    heights = [d for d in g.objects(obj, CRM.P43_has_dimension) if (d, CRM.P2_has_type, AAT["300055644"]) in g]
    assert g.value(heights[0], CRM.P90_has_value).toPython() == 18.5
    assert g.value(heights[0], CRM.P91_has_unit) == AAT["300379098"]
    assert (obj, LA.member_of, URIRef(urls.set("hanoi-1972"))) in g
    assert (obj, LA.member_of, URIRef(urls.section("silence"))) in g


def test_exhibition_is_an_activity_using_the_set(collection: Collection) -> None:
    g = collection_graph(collection, profile="crm")
    urls = UrlScheme(collection.base_url)
    ex = URIRef(urls.exhibition("hanoi-1972"))
    assert (ex, RDF.type, CRM.E7_Activity) in g and (ex, CRM.P2_has_type, AAT["300054766"]) in g
    assert (ex, CRM.P16_used_specific_object, URIRef(urls.set("hanoi-1972"))) in g
    assert len(list(g.objects(ex, CRM.P9_consists_of))) == 2
    hanoi = URIRef(urls.place("hanoi"))
    assert str(g.value(hanoi, CRM.P168_place_is_defined_by)) == "POINT(105.8542 21.0285)"


def test_invalid_iri_is_a_catalogue_error(collection: Collection) -> None:
    bad = dataclasses.replace(collection.items[0], same_as=("not an iri",))
    with pytest.raises(CatalogueError) as err:
        item_graph(bad, collection)
    # refused before any triple is made, with the catalogue's code (heritage_ld.validate)
    assert [p.code for p in err.value.problems if p.is_error] == ["C014"]


def test_jsonld_key_order(collection: Collection) -> None:
    doc = item_jsonld(collection.items[0], collection)
    assert list(doc)[:6] == ["@context", "id", "type", "_label", "classified_as", "identified_by"]
    assert doc["type"] == "HumanMadeObject"


def test_no_manifest_link_for_an_item_without_images_or_pdfs(collection: Collection) -> None:
    item = dataclasses.replace(collection.items[0], media=())
    assert not item.has_manifest
    urls = UrlScheme(collection.base_url)
    g = item_graph(item, collection)
    iris = {str(t) for triple in g for t in triple}
    assert urls.manifest(item.accession) not in iris  # no link to a manifest that is never written
    assert urls.page(item.accession) in iris  # the web page is still linked
