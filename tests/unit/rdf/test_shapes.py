"""The SHACL shapes accept good data and reject a broken variant each (one case per shape)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import rdflib
from rdflib import RDF, RDFS, URIRef
from rdflib import Literal as L

from heritage_ld.model import Collection, UrlScheme
from heritage_ld.rdf import dataset_triples, to_rdflib, validate

CRM = rdflib.Namespace("http://www.cidoc-crm.org/cidoc-crm/")
LA = rdflib.Namespace("https://linked.art/ns/terms/")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
AAT = rdflib.Namespace("http://vocab.getty.edu/aat/")


def graph_of(c: Collection) -> rdflib.Graph:
    g = rdflib.Graph()
    for chunk in dataset_triples(c):
        to_rdflib(chunk, g)
    return g


def test_good_collection_conforms(collection: Collection) -> None:
    problems = validate(collection)
    assert [p for p in problems if p.is_error] == []
    # the third item has no rights of its own: it is described with the collection's, as in its manifest
    assert list(problems) == []
    assert [p for p in validate(graph_of(collection), profile="crm") if p.is_error] == []


def test_an_item_without_rights_anywhere_is_a_warning(collection: Collection) -> None:
    import dataclasses

    bare = dataclasses.replace(collection, rights=None)
    assert bare.items[2].rights is None
    problems = validate(bare)
    assert [p for p in problems if p.is_error] == []
    assert sorted((p.code, p.get("shape")) for p in problems) == [("R005", "ContentRightsShape"), ("R005", "DCRightsShape")]


def _obj(c: Collection) -> URIRef:
    return URIRef(UrlScheme(c.base_url).object(c.items[0].accession))


def _remove(pred: URIRef, *, typed: URIRef | None = None) -> Callable[[rdflib.Graph, URIRef], None]:
    def run(g: rdflib.Graph, obj: URIRef) -> None:
        for o in list(g.objects(obj, pred)):
            if typed is None or (o, CRM.P2_has_type, typed) in g:
                g.remove((obj, pred, o))

    return run


def _on(cls: URIRef, pred: URIRef, value: rdflib.term.Node | None) -> Callable[[rdflib.Graph, URIRef], None]:
    """Replace ``pred`` on the first node of class ``cls`` with ``value`` (or remove it)."""

    def run(g: rdflib.Graph, obj: URIRef) -> None:
        node = sorted(g.subjects(RDF.type, cls))[0]
        g.remove((node, pred, None))
        if value is not None:
            g.add((node, pred, value))

    return run


def _drop_rights(g: rdflib.Graph, obj: URIRef) -> None:
    vis = g.value(obj, CRM.P65_shows_visual_item)
    g.remove((vis, CRM.P104_is_subject_to, None))


def _drop_dc_title(g: rdflib.Graph, obj: URIRef) -> None:
    g.remove((obj, DCT.title, None))
    g.add((obj, DCT.title, L("no language")))


CASES = [
    ("ObjectShape", "R001", _remove(RDFS.label)),
    ("ObjectShape", "R001", _remove(CRM.P1_is_identified_by, typed=AAT["300312355"])),
    ("ObjectShape", "R001", _remove(CRM.P1_is_identified_by, typed=AAT["300404670"])),
    ("ObjectShape", "R001", _remove(CRM.P2_has_type)),
    ("ObjectShape", "R001", _remove(CRM.P65_shows_visual_item)),
    ("ObjectShape", "R001", _remove(LA.member_of)),
    ("ContentRightsShape", "R005", _drop_rights),
    ("RightShape", "R001", _on(CRM.E30_Right, CRM.P2_has_type, URIRef("https://example.org/my-licence"))),
    ("NameShape", "R001", _on(CRM.E33_E41_Linguistic_Appellation, CRM.P190_has_symbolic_content, None)),
    ("TimeSpanShape", "R001", _on(CRM["E52_Time-Span"], CRM.P82a_begin_of_the_begin, L("1972-12-18"))),
    ("TimeSpanShape", "R001", _on(CRM["E52_Time-Span"], CRM.P82a_begin_of_the_begin,
                                  L("2999-01-01T00:00:00Z", datatype=rdflib.XSD.dateTime))),
    ("DimensionShape", "R001", _on(CRM.E54_Dimension, CRM.P91_has_unit, None)),
    ("DigitalObjectShape", "R001", lambda g, o: g.remove((None, LA.access_point, None))),
    ("ExhibitionShape", "R001", _on(CRM.E7_Activity, CRM.P16_used_specific_object, None)),
    ("PlaceShape", "R001", _on(CRM.E53_Place, CRM.P168_place_is_defined_by, L("somewhere"))),
    ("DCResourceShape", "R001", _drop_dc_title),
    ("DCResourceShape", "R001", lambda g, o: g.remove((o, DCT.identifier, None))),
    ("DCRightsShape", "R005", lambda g, o: g.remove((o, DCT.rights, None))),
]


@pytest.mark.parametrize(("shape", "code", "breaks"), CASES, ids=[f"{s}-{n}" for n, (s, _, _) in enumerate(CASES)])
def test_each_shape_rejects_a_broken_variant(
    collection: Collection, shape: str, code: str, breaks: Callable[[rdflib.Graph, URIRef], None]
) -> None:
    g = graph_of(collection)
    breaks(g, _obj(collection))
    problems = validate(g)
    assert problems, "the broken graph passed"
    baseline = {(p.code, p.get("shape"), p.get("focus")) for p in validate(graph_of(collection))}
    new = {(p.code, p.get("shape")) for p in problems if (p.code, p.get("shape"), p.get("focus")) not in baseline}
    assert new == {(code, shape)}
