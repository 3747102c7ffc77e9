"""The EDM records of the Hanoi example against Europeana's own XML Schema and Schematron rules, and one record
per mandatory rule that must fail (so that a validator that lets everything through is caught)."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import pytest
from lxml import etree

from edm_validation import PARSER, failed_rules, schema_errors
from heritage_ld.catalogue import read_catalogue
from heritage_ld.model import Collection, Item, ItemKind, MultilingualText
from heritage_ld.rdf.edm import edm_record
from heritage_support import require_conformance

NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "edm": "http://www.europeana.eu/schemas/edm/",
    "ore": "http://www.openarchives.org/ore/terms/",
}


@pytest.fixture(scope="module")
def edm() -> Path:
    return require_conformance("edm")


@pytest.fixture(scope="module")
def example(example_dir: Path) -> Collection:
    return read_catalogue(example_dir)


def _doc(data: bytes) -> etree._ElementTree:
    return etree.fromstring(data, PARSER).getroottree()


def test_the_validators_tell_good_from_bad(edm: Path) -> None:
    # Europeana's own samples: a schema that failed to load would let the bad one through.
    good = etree.parse(str(edm / "samples/good-item.xml"), PARSER)
    bad = etree.parse(str(edm / "samples/bad-item.xml"), PARSER)
    assert schema_errors(edm, good) == [] and failed_rules(edm, good) == []
    assert schema_errors(edm, bad) and len(failed_rules(edm, bad)) == 2


def test_every_record_of_the_example_is_valid(edm: Path, example: Collection) -> None:
    kinds = set()
    for item in example.items:
        doc = _doc(edm_record(item, example))
        assert schema_errors(edm, doc) == [], item.accession
        assert failed_rules(edm, doc) == [], item.accession
        kinds.add(doc.findtext(".//edm:ProvidedCHO/edm:type", namespaces=NS))
    assert kinds == {"IMAGE", "TEXT"}


def test_a_record_follows_the_iiif_pattern(example: Collection) -> None:
    item = example.item("HNM.1972.025")
    doc = _doc(edm_record(item, example))
    agg = doc.find(".//ore:Aggregation", NS)
    shown_by = agg.find("edm:isShownBy", NS).get(f"{{{NS['rdf']}}}resource")
    assert shown_by.endswith("/iiif/image/HNM.1972.025-1/full/max/0/default.jpg")
    assert agg.find("edm:isShownAt", NS).get(f"{{{NS['rdf']}}}resource").endswith("/site/object/HNM.1972.025.html")
    wr = doc.find(f".//edm:WebResource[@rdf:about='{shown_by}']", NS)
    assert wr.find("dcterms:isReferencedBy", NS).get(f"{{{NS['rdf']}}}resource").endswith("/iiif/HNM.1972.025/manifest.json")
    service = wr.find("{http://rdfs.org/sioc/services#}has_service").get(f"{{{NS['rdf']}}}resource")
    svc = doc.find(f".//{{http://rdfs.org/sioc/services#}}Service[@rdf:about='{service}']", NS)
    assert svc.find("dcterms:conformsTo", NS).get(f"{{{NS['rdf']}}}resource") == "http://iiif.io/api/image"
    places = doc.findall(".//edm:Place", NS)
    assert places and all(p.find("{http://www.w3.org/2003/01/geo/wgs84_pos#}lat") is not None for p in places)


def _drop(doc: etree._ElementTree, path: str) -> etree._ElementTree:
    doc = copy.deepcopy(doc)
    for el in doc.findall(path, NS):
        el.getparent().remove(el)
    return doc


def _set_resource(doc: etree._ElementTree, path: str, value: str) -> etree._ElementTree:
    doc = copy.deepcopy(doc)
    for el in doc.findall(path, NS):
        el.set(f"{{{NS['rdf']}}}resource", value)
    return doc


# One mutation per mandatory rule; each must fail the schema (XSD) or the named Schematron pattern.
MUTATIONS = {
    "no edm:rights": (lambda d: _drop(d, ".//ore:Aggregation/edm:rights"), "xsd", None),
    "no edm:provider": (lambda d: _drop(d, ".//ore:Aggregation/edm:provider"), "xsd", None),
    "no edm:type": (lambda d: _drop(d, ".//edm:ProvidedCHO/edm:type"), "xsd", None),
    "no edm:aggregatedCHO": (lambda d: _drop(d, ".//ore:Aggregation/edm:aggregatedCHO"), "xsd", None),
    "no edm:dataProvider": (lambda d: _drop(d, ".//ore:Aggregation/edm:dataProvider"), "sch", "M19"),
    "neither isShownAt nor isShownBy": (
        lambda d: _drop(_drop(d, ".//ore:Aggregation/edm:isShownAt"), ".//ore:Aggregation/edm:isShownBy"), "sch", "M18"),
    "neither title nor description": (
        lambda d: _drop(_drop(d, ".//edm:ProvidedCHO/dc:title"), ".//edm:ProvidedCHO/dc:description"), "sch", "M35"),
    "no subject, type, spatial or temporal": (
        lambda d: _drop(_drop(_drop(d, ".//edm:ProvidedCHO/dc:subject"), ".//edm:ProvidedCHO/dc:type"),
                        ".//edm:ProvidedCHO/dcterms:spatial"), "sch", "M35"),
    "rights Europeana refuses": (
        lambda d: _set_resource(d, ".//ore:Aggregation/edm:rights", "http://rightsstatements.org/vocab/UND/1.0/"),
        "sch", "M24"),
    "https Creative Commons": (
        lambda d: _set_resource(d, ".//ore:Aggregation/edm:rights", "https://creativecommons.org/licenses/by/4.0/"),
        "sch", "M24"),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_a_record_breaking_one_mandatory_rule_fails(edm: Path, example: Collection, name: str) -> None:
    mutate, where, pattern = MUTATIONS[name]
    doc = mutate(_doc(edm_record(example.item("HNM.1972.025"), example)))
    if where == "xsd":
        assert schema_errors(edm, doc), name
    else:
        assert any(f.startswith(f"{pattern}:") for f in failed_rules(edm, doc)), (name, failed_rules(edm, doc))


def test_text_without_language_fails_and_is_never_emitted(edm: Path, example: Collection) -> None:
    doc_item = next(i for i in example.items if i.kind is ItemKind.DOCUMENT)
    doc = _drop(_doc(edm_record(doc_item, example)), ".//edm:ProvidedCHO/dc:language")
    assert any(f.startswith("M35:") and "dc:language" in f for f in failed_rules(edm, doc))
    # the emitter refuses to write what would fail: check reports it instead (C093)
    with pytest.raises(ValueError, match="C093"):
        edm_record(dataclasses.replace(doc_item, languages=()), example)


def test_no_record_without_a_provider_or_accepted_rights(example: Collection) -> None:
    item = example.item("HNM.1972.025")
    with pytest.raises(ValueError, match="C091"):
        edm_record(item, dataclasses.replace(example, provider=None))
    with pytest.raises(ValueError, match="C092"):
        edm_record(dataclasses.replace(item, rights="http://rightsstatements.org/vocab/NKC/1.0/"), example)


def test_https_creative_commons_is_written_as_europeana_accepts_it(edm: Path, example: Collection) -> None:
    item = dataclasses.replace(example.item("HNM.1972.025"), rights="https://creativecommons.org/licenses/by-sa/4.0")
    doc = _doc(edm_record(item, example))
    assert doc.find(".//ore:Aggregation/edm:rights", NS).get(f"{{{NS['rdf']}}}resource") == \
        "http://creativecommons.org/licenses/by-sa/4.0/"
    assert failed_rules(edm, doc) == []


def test_an_item_without_media_is_shown_at_its_page(edm: Path, example: Collection) -> None:
    bare = Item("HN.X", ItemKind.ARTIFACT, MultilingualText.of(en="Helmet"), subjects=example.items[0].subjects)
    c = dataclasses.replace(example, items=(bare,))
    doc = _doc(edm_record(bare, c))
    assert doc.find(".//ore:Aggregation/edm:isShownBy", NS) is None
    assert schema_errors(edm, doc) == [] and failed_rules(edm, doc) == []


def test_records_are_deterministic(example: Collection) -> None:
    item = example.items[3]
    assert edm_record(item, example) == edm_record(item, example)
