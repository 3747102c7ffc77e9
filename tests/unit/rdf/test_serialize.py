"""The writers against references: pyoxigraph's canonical N-Triples bytes, rdflib's parsers (isomorphism)."""

from __future__ import annotations

import json

import pyoxigraph
import pytest
import rdflib
from rdflib.compare import isomorphic

from heritage_ld.errors import FormatError
from heritage_ld.formats import FORMATS, JSON_LD, N_QUADS, N_TRIPLES, TURTLE, Format
from heritage_ld.model import Collection
from heritage_ld.rdf import item_document, item_triples, serialize, to_rdflib, triples_document
from heritage_ld.rdf.load import read_graph
from heritage_ld.rdf.serialize import ntriples, rdfxml, sort_triples, turtle
from heritage_ld.rdf.terms import Literal


def test_ntriples_is_byte_identical_to_pyoxigraph(collection: Collection) -> None:
    for item in collection.items:
        ours = ntriples(sort_triples(item_triples(item, collection))).encode()
        quads = list(pyoxigraph.parse(ours, format=pyoxigraph.RdfFormat.N_TRIPLES))
        assert pyoxigraph.serialize(quads, format=pyoxigraph.RdfFormat.N_TRIPLES) == ours


def test_hostile_text_is_escaped_per_the_grammar(hostile: str) -> None:
    line = ntriples([("https://e.org/a", "https://e.org/p", Literal(hostile + "\x01\x7f", "en"))])
    assert '\\"hi\\"' in line and "\\\\n back\\\\slash\\nnew line\\r\\n" in line
    assert line.endswith('\\u0001\\u007F"@en .\n')
    assert "𝄞 😀\\tend" in line and "<script>" in line and line.count("\n") == 1


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f is not JSON_LD], ids=lambda f: f.extension)
def test_every_format_parses_back_to_the_same_graph(collection: Collection, fmt: Format, hostile: str) -> None:
    triples = item_triples(collection.items[0], collection)
    expected = to_rdflib(triples)
    data = triples_document(triples, fmt, graph="https://example.org/g")
    parsed = rdflib.Dataset() if fmt is N_QUADS else rdflib.Graph()
    parsed.parse(data=data, format=fmt.rdflib_name)
    graph = rdflib.Graph()
    for t in parsed.triples((None, None, None)) if fmt is not N_QUADS else ((s, p, o) for s, p, o, _ in parsed.quads()):
        graph.add(t)
    assert isomorphic(graph, expected)
    # the hostile strings survive exactly, NFC Vietnamese included
    literals = {str(o) for o in graph.objects() if isinstance(o, rdflib.Literal)}
    assert "Đào hầm Hà Nội" in literals
    assert hostile in literals


def test_rdfxml_refuses_text_xml_cannot_carry() -> None:
    with pytest.raises(FormatError):
        rdfxml([("https://e.org/a", "http://purl.org/dc/terms/title", Literal("bell \x07"))])


def test_rdfxml_keeps_carriage_returns_and_markup() -> None:
    text = "a\r\nb <script>&amp;</script> \"q\""
    g = rdflib.Graph().parse(data=rdfxml([("https://e.org/a", "http://purl.org/dc/terms/title", Literal(text))]), format="xml")
    assert str(next(g.objects())) == text


def test_turtle_uses_prefixes_and_is_deterministic(collection: Collection) -> None:
    triples = item_triples(collection.items[0], collection)
    first = turtle(triples)
    assert first == turtle(list(reversed(triples)))
    assert "a crm:E22_Human-Made_Object" in first and "@prefix crm:" in first


def test_item_documents_are_deterministic(collection: Collection) -> None:
    for fmt in FORMATS:
        assert item_document(collection.items[0], collection, fmt) == item_document(collection.items[0], collection, fmt)


def test_jsonld_expands_to_the_crm_triples_of_the_turtle(collection: Collection) -> None:
    for item in collection.items:
        doc = item_document(item, collection, JSON_LD)
        assert json.loads(doc)["@context"] == "https://linked.art/ns/v1/linked-art.json"
        from_jsonld = read_graph(doc, format=JSON_LD)
        crm = to_rdflib(item_triples(item, collection, profile="crm"))
        assert isomorphic(from_jsonld, crm)
        assert not any(isinstance(t, rdflib.BNode) for triple in from_jsonld for t in triple)


def test_whole_collection_formats_are_isomorphic(collection: Collection) -> None:
    reference = read_graph(serialize(collection, N_TRIPLES, profile="all"), format=N_TRIPLES)
    for fmt in (TURTLE, N_QUADS, JSON_LD):
        g = read_graph(serialize(collection, fmt, profile="all"), format=fmt) if fmt is not N_QUADS else None
        if g is None:
            ds = rdflib.Dataset()
            ds.parse(data=serialize(collection, fmt, profile="all"), format="nquads")
            g = rdflib.Graph()
            for s, p, o, _ in ds.quads():
                g.add((s, p, o))
        assert isomorphic(g, reference), fmt.name
    crm = read_graph(serialize(collection, N_TRIPLES, profile="crm"), format=N_TRIPLES)
    assert isomorphic(read_graph(serialize(collection, JSON_LD, profile="crm"), format=JSON_LD), crm)
