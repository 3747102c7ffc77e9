"""A real OAI-PMH harvester (sickle) harvests the Hanoi example from ``heritage-ld serve``'s app over HTTP."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from lxml import etree
from sickle import Sickle

from heritage_ld.catalogue import read_catalogue
from heritage_ld.publish.server import make_app, running
from heritage_support import require_conformance
from oai_validation import load_oai_schema

OAI = "{http://www.openarchives.org/OAI/2.0/}"


@pytest.fixture(scope="module")
def built(build_example: Callable[[str], Path]) -> Path:
    return build_example("rdf,site")


@pytest.fixture(scope="module")
def server(built: Path) -> Iterator[str]:
    with running(make_app(built, page_size=5)) as origin:
        yield origin


def test_sickle_harvests_every_item_exactly_once(server: str, example_dir: Path) -> None:
    accessions = [i.accession for i in read_catalogue(example_dir).items]
    harvester = Sickle(f"{server}/oai", max_retries=1, timeout=30)
    records = list(harvester.ListRecords(metadataPrefix="oai_dc"))
    identifiers = [r.header.identifier for r in records]
    assert len(identifiers) == len(set(identifiers)) == len(accessions)  # 36 items over 8 pages of 5
    assert sorted(i.rsplit(":", 1)[1] for i in identifiers) == sorted(accessions)
    titles = [t for r in records for t in r.metadata.get("title", [])]
    assert "Hầm trú ẩn trên phố Khâm Thiên" in titles


def test_sickle_harvests_sets_and_rdf(server: str, example_dir: Path) -> None:
    collection = read_catalogue(example_dir)
    harvester = Sickle(f"{server}/oai", max_retries=1, timeout=30)
    sets = [s.setSpec for s in harvester.ListSets()]
    assert sets == [s.key for s in collection.sections]
    for spec in sets:
        headers = list(harvester.ListIdentifiers(metadataPrefix="oai_dc", set=spec))
        assert len(headers) == len(collection.items_in(spec))
    record = harvester.GetRecord(identifier=headers[0].identifier, metadataPrefix="rdf")
    rdf = record.xml.find(f"{OAI}metadata/{{http://www.w3.org/1999/02/22-rdf-syntax-ns#}}RDF")
    assert rdf is not None and len(rdf) > 0


def test_every_page_of_a_harvest_validates(server: str, tmp_path: Path) -> None:
    schema = load_oai_schema(require_conformance("oai-pmh"), tmp_path)
    params: dict[str, str] = {"verb": "ListRecords", "metadataPrefix": "rdf"}
    pages = 0
    while True:
        doc = etree.fromstring(requests.get(f"{server}/oai", params=params, timeout=30).content)
        assert schema.validate(doc), schema.error_log
        pages += 1
        token = doc.find(f".//{OAI}resumptionToken")
        if token is None or not token.text:
            break
        params = {"verb": "ListRecords", "resumptionToken": token.text}
    assert pages >= 7
    bad = etree.fromstring(requests.get(f"{server}/oai", params={"verb": "Identify"}, timeout=30).content)
    etree.SubElement(bad.find(f"{OAI}Identify"), f"{OAI}bogus")
    assert not schema.validate(bad)
