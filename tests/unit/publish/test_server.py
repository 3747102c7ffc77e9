"""The server: static files with base-URL rewriting, content negotiation, SPARQL protocol, OAI-PMH over HTTP."""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import io
import json
from pathlib import Path

import pytest
from lxml import etree
from starlette.testclient import TestClient

from heritage_ld.model import Collection, MultilingualText, UrlScheme
from heritage_ld.publish.server import make_app
from heritage_ld.publish.site import write_site
from heritage_ld.publish.store import load_store
from heritage_support import require_conformance
from oai_validation import load_oai_schema

from .conftest import BASE

ORIGIN = "http://testserver"
COUNT = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a <http://www.cidoc-crm.org/cidoc-crm/E22_Human-Made_Object> }"


@pytest.fixture()
def client(built: Path) -> TestClient:
    return TestClient(make_app(built, max_rows=3), follow_redirects=False)


def test_root_redirects_to_the_home_page(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 302 and r.headers["location"] == "/site/index.html"
    page = client.get("/site/index.html")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]


def test_text_responses_carry_the_server_origin(client: TestClient) -> None:
    info = client.get("/iiif/image/HNM.1972.001-1/info.json")
    assert info.json()["id"] == f"{ORIGIN}/iiif/image/HNM.1972.001-1"
    ttl = client.get("/rdf/object/HNM.1972.001.ttl").text
    assert BASE not in ttl and f"{ORIGIN}/object/HNM.1972.001" in ttl
    img = client.get("/iiif/image/HNM.1972.001-1/full/max/0/default.jpg")
    assert img.status_code == 200 and img.content[:2] == b"\xff\xd8"


def test_rewriting_can_be_turned_off(built: Path) -> None:
    client = TestClient(make_app(built, rewrite_urls=False))
    assert client.get("/iiif/image/HNM.1972.001-1/info.json").json()["id"].startswith(BASE)


def test_no_file_outside_the_output_folder_and_no_store_files(client: TestClient) -> None:
    assert client.get("/site/../../catalogue/media/HNM.1972.001.jpg").status_code == 404
    assert client.get("/%2E%2E/catalogue/media/HNM.1972.001.jpg").status_code == 404
    assert client.get("/store/CURRENT").status_code == 404


@pytest.mark.parametrize(("accept", "needle"), [
    ("text/turtle", "@prefix"), ("application/ld+json", '"@id"'),
    ("application/n-triples", "<http://testserver/object/HNM.1972.001>"), ("application/rdf+xml", "<rdf:RDF"),
])
def test_object_content_negotiation(client: TestClient, accept: str, needle: str) -> None:
    r = client.get("/object/HNM.1972.001", headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(accept) and "Accept" in r.headers["vary"]
    assert needle in r.text


@pytest.mark.parametrize("accept", ["text/html,application/xhtml+xml,*/*;q=0.8", "*/*", "image/png"])
def test_object_redirects_browsers_to_the_page(client: TestClient, accept: str) -> None:
    r = client.get("/object/HNM.1972.001", headers={"Accept": accept})
    assert r.status_code == 303 and r.headers["location"] == "/site/object/HNM.1972.001.html"
    assert client.get("/object/NOPE").status_code == 404


def test_sparql_select_in_every_result_format(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": COUNT}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200
    assert r.json()["results"]["bindings"][0]["n"]["value"] == "5"
    r = client.post("/sparql", data={"query": COUNT}, headers={"Accept": "text/csv"})
    assert list(csv.reader(io.StringIO(r.text))) == [["n"], ["5"]]
    r = client.post("/sparql", content=COUNT, headers={"Content-Type": "application/sparql-query",
                                                       "Accept": "text/tab-separated-values"})
    assert r.text.splitlines()[0] == "?n" and r.text.splitlines()[1].startswith('"5"^^')
    r = client.get("/sparql", params={"query": COUNT, "format": "xml"})
    assert "<literal datatype=" in r.text and ">5</literal>" in r.text


def test_sparql_uses_and_returns_local_iris(client: TestClient) -> None:
    q = f"SELECT ?t WHERE {{ <{ORIGIN}/object/HNM.1972.002> <http://purl.org/dc/terms/title> ?t }} ORDER BY ?t"
    r = client.get("/sparql", params={"query": q}, headers={"Accept": "application/sparql-results+json"})
    titles = [b["t"]["value"] for b in r.json()["results"]["bindings"]]
    assert titles == ["Children evacuated", "Trẻ em sơ tán"]
    r = client.get("/sparql", params={"query": "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1"})
    assert r.status_code == 200 and ORIGIN in r.text and BASE not in r.text


def test_sparql_construct_and_ask(client: TestClient) -> None:
    q = f"CONSTRUCT {{ ?s a ?t }} WHERE {{ GRAPH <{ORIGIN}/object/HNM.1972.001> {{ ?s a ?t }} }}"
    r = client.get("/sparql", params={"query": q}, headers={"Accept": "application/n-triples"})
    assert r.status_code == 200 and r.text.count("\n") == 1
    r = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert r.json() == {"head": {}, "boolean": True}


@pytest.mark.parametrize("update", ["INSERT DATA { <urn:a> <urn:b> <urn:c> }", "DROP ALL",
                                    "PREFIX x: <urn:x#>\n# c\ndelete where { ?s ?p ?o }"])
def test_sparql_refuses_updates(client: TestClient, update: str) -> None:
    assert client.get("/sparql", params={"query": update}).status_code == 403
    assert client.post("/sparql", data={"update": update}).status_code == 403
    assert client.post("/sparql", data={"query": update}).status_code == 403
    assert client.post("/sparql", content=update,
                       headers={"Content-Type": "application/sparql-update"}).status_code == 403
    r = client.get("/sparql", params={"query": COUNT}, headers={"Accept": "application/sparql-results+json"})
    assert r.json()["results"]["bindings"][0]["n"]["value"] == "5"


def test_sparql_limits_and_bad_queries(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert r.status_code == 413  # max_rows=3
    assert client.get("/sparql", params={"query": "SELECT WHERE {"}).status_code == 400
    assert client.get("/sparql", params={"default-graph-uri": "https://example.org/g"}).status_code == 400
    # with no parameter at all, the endpoint describes itself (SPARQL 1.1 Service Description §2)
    described = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert described.status_code == 200 and "sparql-service-description#Service" in described.text
    r = client.get("/sparql", params={"query": COUNT}, headers={"Accept": "image/png"})
    assert r.status_code == 406


def test_sparql_time_limit(built: Path) -> None:
    client = TestClient(make_app(built, sparql_timeout=0.0))
    heavy = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } LIMIT 2"
    assert client.get("/sparql", params={"query": heavy}).status_code == 503


HEAVY_COUNT = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o . "
               "?p ?q ?r . ?s ?t ?u . ?v ?w ?x }")  # 27 triples: 27^8 rows to count


def _gone(pid: int, within: float) -> bool:
    import os
    import time

    end = time.monotonic() + within
    while time.monotonic() < end:
        try:
            os.kill(pid, 0)
            if Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z":  # a zombie: exited, not yet reaped
                return True
        except (ProcessLookupError, FileNotFoundError):
            return True
        time.sleep(0.05)
    return False


def test_a_query_slow_before_its_first_row_is_stopped_at_the_limit(built: Path) -> None:
    """An aggregate over a cross product yields nothing until it is done: its worker process is killed at the
    limit, its slot is free again at once, and the next query is answered."""
    import time

    from heritage_ld.publish.sparql import SparqlService
    from heritage_ld.publish.store import STORE_DIR, open_store

    service = SparqlService(open_store(built), timeout=1.0, max_rows=3, concurrency=1, isolate=built / STORE_DIR)
    try:
        assert service.answer(COUNT, accept="text/csv").status == 200  # starts the one worker
        worker = service._idle[0]
        started = time.monotonic()
        answer = service.answer(HEAVY_COUNT, accept="text/csv")
        assert answer.status == 503 and b"limit of 1 s" in answer.body
        assert time.monotonic() - started < 4
        assert _gone(worker.process.pid, within=2)
        assert service.answer(COUNT, accept="text/csv").body.splitlines()[-1] == b"5"
    finally:
        service.close()
    assert not service._idle


def test_without_isolation_queries_run_in_threads(built: Path) -> None:
    from heritage_ld.publish.sparql import SparqlService
    from heritage_ld.publish.store import open_store

    service = SparqlService(open_store(built), timeout=5.0, max_rows=3)
    assert service.answer(COUNT, accept="text/csv").body.splitlines()[-1] == b"5"
    assert service.answer("SELECT * WHERE { ?s ?p ?o }", accept="text/csv").status == 413
    assert not service._idle  # no worker process was started


def test_query_workers_end_with_their_server(built: Path, tmp_path: Path) -> None:
    """A worker busy with a long query ends when the server process dies without closing it."""
    import subprocess
    import sys
    import textwrap

    from heritage_ld.publish.store import STORE_DIR

    code = textwrap.dedent(f"""
        import os, json, struct
        from pathlib import Path
        from heritage_ld.publish.sparql import _Worker
        w = _Worker(Path({str(built / STORE_DIR)!r}), 60.0, 3)
        request = json.dumps({{"query": {HEAVY_COUNT!r}, "accept": "text/csv", "default_graphs": [],
                               "named_graphs": []}}).encode()
        w.process.stdin.write(struct.pack(">I", len(request)) + request)
        w.process.stdin.flush()
        print(w.process.pid, flush=True)
        os._exit(0)  # dies at once: no finaliser, no close
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    pid = int(out.stdout.split()[-1])
    try:
        assert _gone(pid, within=5)
    finally:  # never leave a stray worker counting a cross product for the rest of the run
        import os
        import signal

        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def test_oai_over_http(client: TestClient) -> None:
    r = client.get("/oai", params={"verb": "Identify"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/xml")
    assert f"<baseURL>{ORIGIN}/oai</baseURL>" in r.text
    r = client.post("/oai", data={"verb": "ListSets"})
    assert "<setSpec>silence</setSpec>" in r.text


def test_bag_folder_listing_escapes_names(built: Path) -> None:
    bag = built / "bags" / "HNM.1972.001"
    (bag / "data").mkdir(parents=True)
    (bag / "bagit.txt").write_text("BagIt-Version: 1.0\n")
    (bag / "<b>.txt").write_text("x")
    client = TestClient(make_app(built, serve_bags=True), follow_redirects=False)
    assert client.get("/bags/HNM.1972.001").status_code == 301
    listing = client.get("/bags/HNM.1972.001/").text
    assert "bagit.txt" in listing and "&lt;b&gt;.txt" in listing and "<b>" not in listing


def test_snapshot_is_deterministic(collection: Collection, out: Path, urls: UrlScheme, tmp_path: Path) -> None:
    write_site(collection, out, urls)
    first = (out / "site/data/exhibition.json").read_bytes()
    pages = {p: p.read_bytes() for p in (out / "site").rglob("*.html")}
    write_site(collection, out, urls)
    assert (out / "site/data/exhibition.json").read_bytes() == first
    assert {p: p.read_bytes() for p in (out / "site").rglob("*.html")} == pages
    assert json.loads(first)["datestamp"] is None


def test_serve_command_refuses_a_folder_that_is_not_a_build(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from heritage_ld.cli import app

    result = CliRunner().invoke(app, ["serve", str(tmp_path), "--port", "0"])
    assert result.exit_code == 2 and "heritage-ld build" in result.output
    assert "Traceback" not in result.output
    assert CliRunner().invoke(app, ["serve", "--help"]).exit_code == 0


def test_sparql_follows_a_rebuilt_store(built: Path, collection: Collection, urls: UrlScheme) -> None:
    client = TestClient(make_app(built))
    ask = {"query": "ASK { ?s <urn:x:added> ?o }"}
    assert client.get("/sparql", params=ask).json()["boolean"] is False
    (built / "rdf/object/HNM.1972.001.nt").open("a").write("<urn:x:a> <urn:x:added> <urn:x:b> .\n")
    load_store(built, urls, collection.key, [i.accession for i in collection.items])  # what a rebuild does
    assert client.get("/sparql", params=ask).json()["boolean"] is True


OAI_NS = {"o": "http://www.openarchives.org/OAI/2.0/"}


@pytest.fixture(scope="module")
def oai_schema(tmp_path_factory: pytest.TempPathFactory) -> etree.XMLSchema:
    return load_oai_schema(require_conformance("oai-pmh"), tmp_path_factory.mktemp("xsd"))


def oai_get(client: TestClient, schema: etree.XMLSchema, **params: str) -> etree._Element:
    r = client.get("/oai", params=params)
    assert r.status_code == 200
    doc = etree.fromstring(r.content)
    assert schema.validate(doc), schema.error_log
    return doc


def identifiers(client: TestClient, schema: etree.XMLSchema) -> list[str]:
    doc = oai_get(client, schema, verb="ListIdentifiers", metadataPrefix="oai_dc")
    ids: list[str] = doc.xpath("//o:header/o:identifier/text()", namespaces=OAI_NS)
    return ids


def test_oai_follows_a_rebuilt_snapshot(built: Path, collection: Collection, urls: UrlScheme,
                                        oai_schema: etree.XMLSchema) -> None:
    client = TestClient(make_app(built))
    paged = TestClient(make_app(built, page_size=2))
    before = identifiers(client, oai_schema)
    assert len(before) == 5 and before[2].endswith(":HNM.1972.003")
    token = oai_get(paged, oai_schema, verb="ListIdentifiers", metadataPrefix="oai_dc").find(".//o:resumptionToken",
                                                                                           OAI_NS)
    assert token is not None and token.text
    # The rebuild drops one item and retitles another; the server keeps running.
    items = [i for i in collection.items if i.accession != "HNM.1972.003"]
    items[0] = dataclasses.replace(items[0], title=MultilingualText.of(en="Retitled"))
    write_site(dataclasses.replace(collection, items=tuple(items)), built, urls, datestamp=1_700_000_000)
    assert identifiers(client, oai_schema) == [i for i in before if not i.endswith(":HNM.1972.003")]
    assert not list((built / "site/data").glob(".*.tmp"))  # the snapshot was replaced atomically
    record = oai_get(client, oai_schema, verb="GetRecord", metadataPrefix="oai_dc", identifier=before[0])
    assert record.xpath("//*[local-name()='title']/text()") == ["Retitled"]
    gone = oai_get(client, oai_schema, verb="GetRecord", metadataPrefix="oai_dc", identifier=before[2])
    assert gone.find("o:error", OAI_NS).get("code") == "idDoesNotExist"
    # A token from the old list no longer pages through the new one (OAI-PMH 2.0 §3.5).
    stale = oai_get(paged, oai_schema, verb="ListIdentifiers", resumptionToken=token.text)
    assert stale.find("o:error", OAI_NS).get("code") == "badResumptionToken"


def test_serve_follows_a_rebuild_with_another_base_url(built: Path, collection: Collection,
                                                       oai_schema: etree.XMLSchema) -> None:
    """The base URL to replace by the server's origin is the one of the current build, not of the first."""
    client = TestClient(make_app(built), follow_redirects=False)
    page = "/site/object/HNM.1972.001.html"  # its links to the item's IRI and manifest are absolute
    assert ORIGIN in client.get(page).text
    moved = "https://museum.example/hanoi"
    write_site(dataclasses.replace(collection, base_url=moved), built, UrlScheme(moved), datestamp=1_700_000_000)
    text = client.get(page).text
    assert moved not in text and ORIGIN in text
    assert moved not in client.get("/site/sitemap.xml").text
    record = client.get("/oai", params={"verb": "ListRecords", "metadataPrefix": "oai_dc"})
    assert schema_valid(oai_schema, record.content)
    assert moved not in record.text and f"{ORIGIN}/object/HNM.1972.001" in record.text
    assert client.get("/object/HNM.1972.001").status_code == 303


def schema_valid(schema: etree.XMLSchema, content: bytes) -> bool:
    return bool(schema.validate(etree.fromstring(content)))


def test_oai_keeps_the_last_good_snapshot_mid_rebuild(built: Path, oai_schema: etree.XMLSchema) -> None:
    client = TestClient(make_app(built))
    before = identifiers(client, oai_schema)
    snapshot = built / "site/data/exhibition.json"
    good = snapshot.read_bytes()
    snapshot.unlink()  # a rebuild removed it
    assert identifiers(client, oai_schema) == before
    snapshot.write_bytes(good[: len(good) // 2])  # a half-written file
    assert identifiers(client, oai_schema) == before
    data = json.loads(good)
    del data["items"][-1]
    snapshot.write_text(json.dumps(data), encoding="utf-8")  # the rebuild finished
    assert identifiers(client, oai_schema) == before[:-1]


def test_oai_without_a_contact_is_503_never_an_invented_address(
        built: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    import shutil

    out = tmp_path_factory.mktemp("no-contact") / "out"
    shutil.copytree(built, out, ignore=shutil.ignore_patterns("store"))
    snapshot = out / "site" / "data" / "exhibition.json"
    data = json.loads(snapshot.read_text(encoding="utf-8"))
    assert data["admin_email"] == "contact@example.org"  # the publisher's, from the catalogue
    data["admin_email"] = None
    snapshot.write_text(json.dumps(data), encoding="utf-8")
    r = TestClient(make_app(out)).get("/oai", params={"verb": "Identify"})
    assert r.status_code == 503 and "P040" in r.text and "webmaster@" not in r.text


def test_make_snapshot_invents_no_address() -> None:
    from heritage_ld.publish.snapshot import make_snapshot

    from .conftest import make_collection

    c = make_collection()
    nobody = dataclasses.replace(c, publisher=None, admin_email=None, organizers=())
    assert make_snapshot(nobody, UrlScheme(c.base_url))["admin_email"] is None
    given = dataclasses.replace(c, admin_email="oai@example.org")
    assert make_snapshot(given, UrlScheme(c.base_url))["admin_email"] == "oai@example.org"
