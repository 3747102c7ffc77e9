"""Harvesting the Hanoi example as an aggregator would: EDM over OAI-PMH (Sickle), every minted IRI
dereferenced, one base URL across every channel, the DCAT catalogue and every distribution it lists."""

from __future__ import annotations

import gzip
import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import rdflib
import requests
from lxml import etree
from sickle import Sickle

from edm_validation import PARSER, failed_rules, schema_errors
from heritage_ld.catalogue import read_catalogue
from heritage_ld.publish.server import make_app, running
from heritage_support import require_conformance
from oai_validation import load_oai_schema

OAI = "{http://www.openarchives.org/OAI/2.0/}"
BASE = "https://heritage-ld.example/hanoi-1972"
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
RDF_TYPES = ("text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml")


@pytest.fixture(scope="module")
def built(build_example: Callable[[str], Path]) -> Path:
    return build_example("rdf,edm,iiif,site,store")


@pytest.fixture(scope="module")
def server(built: Path) -> Iterator[str]:
    with running(make_app(built, page_size=10)) as origin:
        yield origin


def _get(url: str, **kw: object) -> requests.Response:
    return requests.get(url, timeout=30, **kw)  # type: ignore[arg-type]


def test_sickle_harvests_edm_and_every_page_validates(server: str, example_dir: Path) -> None:
    edm = require_conformance("edm")
    require_conformance("oai-pmh")
    accessions = {i.accession for i in read_catalogue(example_dir).items}
    records = list(Sickle(f"{server}/oai", max_retries=1, timeout=30).ListRecords(metadataPrefix="edm"))
    assert {r.header.identifier.rsplit(":", 1)[1] for r in records} == accessions
    # the whole OAI-PMH responses, page by page, against OAI-PMH + EDM and Europeana's rules
    params: dict[str, str] = {"verb": "ListRecords", "metadataPrefix": "edm"}
    pages = 0
    while True:
        doc = etree.fromstring(_get(f"{server}/oai", params=params).content, PARSER).getroottree()
        assert schema_errors(edm, doc, oai=True) == []
        assert failed_rules(edm, doc) == []
        pages += 1
        token = doc.find(f".//{OAI}resumptionToken")
        if token is None or not token.text:
            break
        params = {"verb": "ListRecords", "resumptionToken": token.text}
    assert pages == 4
    formats = _get(f"{server}/oai", params={"verb": "ListMetadataFormats"}).text
    assert "<metadataPrefix>edm</metadataPrefix>" in formats
    assert "http://www.europeana.eu/schemas/edm/EDM.xsd" in formats


def test_oai_dc_carries_the_page_and_thumbnail_and_validates(server: str, tmp_path: Path) -> None:
    schema = load_oai_schema(require_conformance("oai-pmh"), tmp_path)
    records = list(Sickle(f"{server}/oai", max_retries=1, timeout=30).ListRecords(metadataPrefix="oai_dc"))
    record = next(r for r in records if r.header.identifier.endswith("HNM.1972.025"))
    assert f"{server}/site/object/HNM.1972.025.html" in record.metadata["identifier"]
    thumbs = record.metadata["relation"]
    thumb = next(t for t in thumbs if "/iiif/image/" in t and t.endswith(".jpg"))
    got = _get(thumb)
    assert got.status_code == 200 and got.headers["content-type"] == "image/jpeg"
    doc = etree.fromstring(_get(f"{server}/oai", params={"verb": "ListRecords", "metadataPrefix": "oai_dc"}).content)
    assert schema.validate(doc), schema.error_log
    identify = etree.fromstring(_get(f"{server}/oai", params={"verb": "Identify"}).content)
    assert identify.findtext(f".//{OAI}adminEmail") == "oai-contact-placeholder@example.org"


def _dump_iris(text: str, base: str) -> set[str]:
    graph = rdflib.Graph().parse(data=text, format="nt")
    iris = {str(t) for triple in graph for t in (triple[0], triple[2]) if isinstance(t, rdflib.URIRef)}
    return {i.split("#", 1)[0] for i in iris if i.startswith(base + "/")}


def test_every_iri_in_the_dump_resolves(server: str) -> None:
    text = gzip.decompress(_get(f"{server}/rdf/dataset.nt.gz").content).decode()
    iris = _dump_iris(text, server)
    kinds = {i[len(server):].split("/")[1] for i in iris}
    assert {"object", "agent", "place", "concept", "section", "exhibition", "set"} <= kinds
    things = ("object", "agent", "place", "concept", "section", "exhibition", "set")
    for iri in sorted(iris):
        r = _get(iri, headers={"Accept": "text/turtle"})
        assert r.status_code == 200, iri
        if iri[len(server):].split("/")[1] in things:  # a thing: described in RDF
            assert r.headers["content-type"].startswith("text/turtle"), iri
            assert f"<{iri}>" in r.text, iri
        # else a document (a manifest, a page, an image service: 303 to its info.json), fetched as it is


@pytest.mark.parametrize("path", ["/agent/hanoi-museum", "/place/kham-thien", "/concept/evacuation",
                                  "/section/peace", "/set/hanoi-1972", "/exhibition/hanoi-1972", "/rdf/dataset",
                                  "/.well-known/void"])
def test_each_kind_resolves_in_every_format_and_to_a_page(server: str, path: str) -> None:
    for media in RDF_TYPES:
        r = _get(server + path, headers={"Accept": media})
        assert r.status_code == 200 and r.headers["content-type"].startswith(media), (path, media)
        graph = rdflib.Graph().parse(data=r.content, format={"text/turtle": "turtle", "application/ld+json": "json-ld",
                                                              "application/n-triples": "nt",
                                                              "application/rdf+xml": "xml"}[media])
        assert len(graph) > 0
    page = _get(server + path, headers={"Accept": "text/html"}, allow_redirects=False)
    if path in ("/rdf/dataset", "/.well-known/void"):
        assert page.status_code == 200  # a document, not a thing: no redirect
    else:
        assert page.status_code == 303 and _get(server + page.headers["location"]).status_code == 200


def test_edm_by_profile(server: str) -> None:
    r = _get(f"{server}/object/HNM.1972.025", headers={"Accept-Profile": "<http://www.europeana.eu/schemas/edm/>"})
    assert r.status_code == 200 and "<edm:ProvidedCHO" in r.text
    assert r.headers["content-profile"] == "<http://www.europeana.eu/schemas/edm/>"
    assert _get(f"{server}/object/HNM.1972.025", params={"_profile": "edm"}).text == r.text
    assert "crm:" in _get(f"{server}/object/HNM.1972.025", headers={"Accept": "text/turtle"}).text
    assert _get(f"{server}/object/NO-SUCH", params={"_profile": "edm"}).status_code == 404


def _channels(origin: str) -> dict[str, str]:
    """The text each channel answers with."""
    return {
        "dump": gzip.decompress(_get(f"{origin}/rdf/dataset.nt.gz").content).decode(),
        "void": _get(f"{origin}/.well-known/void", headers={"Accept": "text/turtle"}).text,
        "oai": _get(f"{origin}/oai", params={"verb": "GetRecord", "metadataPrefix": "rdf",
                                             "identifier": "oai:heritage-ld.example:HNM.1972.025"}).text,
        "edm": _get(f"{origin}/oai", params={"verb": "GetRecord", "metadataPrefix": "edm",
                                             "identifier": "oai:heritage-ld.example:HNM.1972.025"}).text,
        "sparql": _get(f"{origin}/sparql", params={"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 50"},
                       headers={"Accept": "application/sparql-results+json"}).text,
        "conneg": _get(f"{origin}/object/HNM.1972.025", headers={"Accept": "application/ld+json"}).text,
        "page": _get(f"{origin}/site/object/HNM.1972.025.html").text,
        "manifest": _get(f"{origin}/iiif/HNM.1972.025/manifest.json").text,
    }


def test_one_base_url_in_every_channel(server: str, built: Path) -> None:
    for name, text in _channels(server).items():
        assert BASE not in text, name  # rewritten everywhere…
        assert server in text, name    # …to this server's origin
    with running(make_app(built, rewrite_urls=False)) as kept:  # --keep-base-url: rewritten nowhere
        for name, text in _channels(kept).items():
            assert kept not in text, name
            assert BASE in text or BASE.replace("/", "\\/") in text, name


def test_the_dcat_catalogue_reaches_every_distribution(server: str) -> None:
    graph = rdflib.Graph().parse(data=_get(f"{server}/.well-known/void", headers={"Accept": "text/turtle"}).text,
                                 format="turtle")
    catalog = next(graph.subjects(rdflib.RDF.type, DCAT.Catalog))
    datasets = list(graph.objects(catalog, DCAT.dataset))
    distributions = [d for ds in datasets for d in graph.objects(ds, DCAT.distribution)]
    assert len(distributions) == 4
    cc0 = rdflib.URIRef("http://creativecommons.org/publicdomain/zero/1.0/")
    for dist in distributions:
        assert (dist, rdflib.DCTERMS.license, cc0) in graph
        assert graph.value(dist, DCAT.mediaType) is not None
        url = str(graph.value(dist, DCAT.downloadURL) or graph.value(dist, DCAT.accessURL))
        r = _get(url + ("?verb=Identify" if url.endswith("/oai") else ""))
        assert r.status_code == 200, url
    services = [s for d in distributions for s in graph.objects(d, DCAT.accessService)]
    assert len(services) == 2 and all(_get(str(graph.value(s, DCAT.endpointURL))).status_code == 200 for s in services)
    # the SPARQL endpoint describes itself (SPARQL 1.1 Service Description)
    sd = rdflib.Graph().parse(data=_get(f"{server}/sparql", headers={"Accept": "text/turtle"}).text, format="turtle")
    assert (None, rdflib.URIRef("http://www.w3.org/ns/sparql-service-description#endpoint"),
            rdflib.URIRef(f"{server}/sparql")) in sd


def test_robots_and_sitemap_at_the_root(server: str) -> None:
    robots = _get(f"{server}/robots.txt")
    assert robots.status_code == 200 and re.search(r"^Sitemap: http://127\.0\.0\.1:\d+/", robots.text, re.M)
    sitemap = _get(f"{server}/sitemap.xml")
    assert sitemap.status_code == 200
    locs = etree.parse(io.BytesIO(sitemap.content)).findall(".//{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
    assert locs and all(_get(loc.text).status_code == 200 for loc in locs[:5])


def test_pages_state_the_metadata_licence(server: str) -> None:
    page = _get(f"{server}/site/object/HNM.1972.025.html").text
    assert 'rel="license" href="http://creativecommons.org/publicdomain/zero/1.0/"' in page
