"""End to end: the Hanoi build's bags carry an RO-Crate and PRONOM-identified PREMIS (RDF and XML), checked by
the independent tools: roc-validator and the rocrate package, bagit-python, the PREMIS 3 XML Schema."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

import bagit
import pytest
import rdflib
from lxml import etree

from heritage_ld.bags.premis_xml import NS, PREMIS_FILE
from heritage_ld.bags.rocrate import CRATE_FILE
from heritage_ld.catalogue import read_catalogue
from heritage_ld.pipeline import BuildOptions, build
from heritage_support import require_conformance

EPOCH = 92188800


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory, example_dir: Path) -> Path:
    out = tmp_path_factory.mktemp("archive")
    build(read_catalogue(example_dir), out, only=["rdf", "iiif", "bags"],
          options=BuildOptions(source_date_epoch=EPOCH), executor="serial")
    return out


def _offline_context(monkeypatch: pytest.MonkeyPatch) -> None:
    """roc-validator fetches the RO-Crate 1.1 JSON-LD context; the tests run offline, so it is served from the
    copy the rocrate package ships (the same document)."""
    import rdflib.plugins.shared.jsonld.context as jsonld_context
    from rocrate_validator.utils import http

    context = json.loads((resources.files("rocrate") / "data" / "ro-crate.jsonld").read_text(encoding="utf-8"))
    original = jsonld_context.source_to_json

    def source_to_json(source: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(source, str) and source.startswith("https://w3id.org/ro/crate/1.1/context"):
            return context, None
        return original(source, *args, **kwargs)

    class Response:
        status_code = 200
        headers: ClassVar[dict[str, str]] = {"Content-Type": "application/ld+json"}
        text = json.dumps(context)
        content = text.encode()

        def json(self) -> Any:
            return context

        def raise_for_status(self) -> None:
            return None

    monkeypatch.setattr(jsonld_context, "source_to_json", source_to_json)
    monkeypatch.setattr(http.HttpRequester, "get", lambda self, url, **kw: Response(), raising=False)


@pytest.mark.parametrize("accession", ["HNM.1972.025", "HNM.1972.007", "HNM.1972.036"])  # photo, PDF, last
def test_roc_validator_passes_the_crate_in_the_bag(out: Path, monkeypatch: pytest.MonkeyPatch, accession: str) -> None:
    from rocrate_validator import models, services

    _offline_context(monkeypatch)
    bag = out / "bags" / accession
    settings = services.ValidationSettings(rocrate_uri=str(bag), profile_identifier="ro-crate-1.1",
                                           requirement_severity=models.Severity.RECOMMENDED)
    result = services.validate(settings)
    assert result.passed(), [i.message for i in result.get_issues()]


def test_every_bag_reads_back_with_rocrate_and_validates_with_bagit(out: Path, example_dir: Path) -> None:
    from rocrate.rocrate import ROCrate

    collection = read_catalogue(example_dir)
    for item in collection.items:
        bag = out / "bags" / item.accession
        bagit.Bag(str(bag)).validate()
        crate = ROCrate(bag / "data")
        main = crate.root_dataset["mainEntity"]
        assert main.id == f"{collection.base_url.rstrip('/')}/object/{item.accession}"
        assert {e.id for e in crate.get_entities() if e.type == "File"} == {str(m.path) for m in item.media}
        for f in (e for e in crate.get_entities() if e.type == "File"):
            formats = f["encodingFormat"]
            assert any(isinstance(x, str) and "/" in x for x in formats), f.id  # a media type
            assert any(getattr(x, "id", "").startswith("https://www.nationalarchives.gov.uk/PRONOM/fmt/")
                       for x in formats), f.id


def test_the_item_in_the_crate(out: Path) -> None:
    crate = json.loads((out / "bags" / "HNM.1972.025" / CRATE_FILE).read_text(encoding="utf-8"))
    graph = {e["@id"]: e for e in crate["@graph"]}
    item = graph[graph["./"]["about"]["@id"]]
    assert {n["@language"] for n in item["name"]} == {"en", "vi"}
    assert item["dateCreated"] and item["license"]["@id"] in graph
    assert any(graph[p["@id"]]["@type"] == "ExhibitionEvent" for p in item["isPartOf"])
    assert graph["./"]["publisher"]["@id"] in graph


def test_premis_rdf_and_xml_record_the_identification(out: Path) -> None:
    premis = require_conformance("premis")
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    schema = etree.XMLSchema(etree.parse(str(premis / "premis-v3-0.xsd"), parser))
    for bag in sorted((out / "bags").iterdir()):
        doc = etree.parse(str(bag / PREMIS_FILE), parser)
        assert schema.validate(doc), (bag.name, schema.error_log)
        keys = set(doc.xpath("//p:formatRegistryKey/text()", namespaces={"p": NS}))
        assert keys and keys <= {"fmt/43", "fmt/353", "fmt/18", "fmt/19", "fmt/20", "fmt/276"}, keys
    graph = rdflib.Graph().parse(out / "bags" / "HNM.1972.025" / "metadata" / "premis-events.ttl")
    types = {str(o) for o in graph.objects(None, rdflib.URIRef("http://purl.org/dc/terms/type"))}
    assert "http://id.loc.gov/vocabulary/preservation/eventType/for" in types


def test_a_metadata_change_rewrites_the_crate_and_nothing_else_changes(tmp_path: Path, example_dir: Path) -> None:
    import dataclasses

    from heritage_ld.model import MultilingualText

    out = tmp_path / "out"
    collection = read_catalogue(example_dir)
    options = BuildOptions(source_date_epoch=EPOCH)
    build(collection, out, only=["bags"], options=options, executor="serial")
    before = {p: p.read_bytes() for p in (out / "bags").rglob("ro-crate-metadata.json")}
    items = list(collection.items)
    items[0] = dataclasses.replace(items[0], title=MultilingualText.of(en="A corrected title", vi="Tên mới"))
    changed = dataclasses.replace(collection, items=tuple(items))
    report = build(changed, out, only=["bags"], options=options, executor="serial")
    assert report.results["bags"].data.get("updated") == 1  # merged in: no copy, the bag's history kept
    after = {p: p.read_bytes() for p in (out / "bags").rglob("ro-crate-metadata.json")}
    differ = [p.parent.parent.name for p in before if before[p] != after[p]]
    assert differ == [items[0].accession]
    assert b"A corrected title" in after[out / "bags" / items[0].accession / CRATE_FILE]
    bag = out / "bags" / items[0].accession
    bagit.Bag(str(bag)).validate()
    assert b"data/ro-crate-metadata.json replaced" in (bag / "metadata" / "premis-events.ttl").read_bytes()
    assert b"metadata modification" in (bag / PREMIS_FILE).read_bytes()
