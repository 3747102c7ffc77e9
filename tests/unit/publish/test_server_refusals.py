"""What ``heritage-ld serve`` refuses (issue #11): outbound requests from SPARQL, private files, 5xx on bad input.

Paths are sent as raw request lines (``http.client`` with ``putrequest``) to a real uvicorn server, so that no
client normalises ``..``, ``%2e`` or ``//`` before the server sees them.
"""

from __future__ import annotations

import http.client
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from heritage_ld.publish.server import make_app, running
from heritage_ld.publish.sparql import SparqlService
from heritage_ld.publish.store import STORE_DIR, open_store

COUNT = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a <http://www.cidoc-crm.org/cidoc-crm/E22_Human-Made_Object> }"


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection and answers like a SPARQL endpoint would."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.connections: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    self.connections.append(conn.recv(65536))
                except OSError:
                    self.connections.append(b"")
                body = b'{"head":{"vars":["a"]},"results":{"bindings":[{"a":{"type":"literal","value":"REMOTE"}}]}}'
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                             b"Content-Length: %d\r\n\r\n%s" % (len(body), body))

    def close(self) -> None:
        self.sock.close()


@pytest.fixture()
def listener() -> Iterator[Listener]:
    lst = Listener()
    yield lst
    lst.close()


@pytest.fixture()
def client(built: Path) -> TestClient:
    return TestClient(make_app(built), follow_redirects=False)


# -- 1. SPARQL never makes a network request --------------------------------------------------------
SERVICE_QUERIES = [
    "SELECT * WHERE {{ SERVICE <{url}> {{ ?a ?b ?c }} }}",
    "SELECT * WHERE {{ service <{url}> {{ ?a ?b ?c }} }}",
    "SELECT * WHERE {{ SeRvIcE SILENT <{url}> {{ ?a ?b ?c }} }}",
    "SELECT * WHERE {{ SERVICE<{url}>{{ ?a ?b ?c }} }}",
    "SELECT * WHERE {{\tSERVICE\n\r<{url}>\n{{ ?a ?b ?c }} }}",
    "SELECT * WHERE {{ SERVICE # a comment }}\n<{url}> {{ ?a ?b ?c }} }}",
    "PREFIX : <{url}/> SELECT * WHERE {{ SERVICE:x {{ ?a ?b ?c }} }}",
    "PREFIX s: <{url}/> SELECT * WHERE {{ SERVICE s:x {{ ?a ?b ?c }} }}",
    "SELECT * WHERE {{ VALUES ?g {{ <{url}> }} SERVICE ?g {{ ?a ?b ?c }} }}",
    "SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ {{ SERVICE <{url}> {{ ?a ?b ?c }} }} }} }} LIMIT 1",
    "ASK {{ SERVICE <{url}> {{ ?a ?b ?c }} }}",
    "CONSTRUCT {{ ?a ?b ?c }} WHERE {{ SERVICE <{url}> {{ ?a ?b ?c }} }}",
    "# \"a comment with a quote\nSELECT * WHERE {{ SERVICE <{url}> {{ ?a ?b ?c }} }}",
    "SELECT * WHERE {{ ?s ?p \"x\" . SERVICE <{url}> {{ ?a ?b ?c }} }}",
    # pyoxigraph matches keywords without a word boundary: these are SERVICE calls to it.
    "PREFIX x: <{url}/> SELECT * WHERE {{ SERVICEx:foo {{ ?a ?b ?c }} }}",
    "SELECT * WHERE {{ SERVICESILENT<{url}> {{ ?a ?b ?c }} }}",
    "PREFIX ex: <urn:x:> SELECT * WHERE {{ ?s ?p ex:o\\#\nSERVICE <{url}> {{ ?a ?b ?c }} }}",
    "SELECT * WHERE {{ ?s ?p ?o. FILTER(?a<1)SERVICE<{url}>{{ ?a ?b ?c }} }}",
]


@pytest.mark.parametrize("template", SERVICE_QUERIES)
def test_sparql_service_is_refused_before_anything_is_sent(client: TestClient, listener: Listener,
                                                           template: str) -> None:
    query = template.format(url=f"http://127.0.0.1:{listener.port}/sparql")
    for r in (client.get("/sparql", params={"query": query}),
              client.post("/sparql", data={"query": query}),
              client.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"})):
        assert r.status_code == 400, r.text
        assert "P002" in r.text and "REMOTE" not in r.text
    assert listener.connections == []


@pytest.mark.parametrize("query", [
    'SELECT ?x WHERE { BIND("SERVICE <http://127.0.0.1:1/>" AS ?x) }',
    "SELECT ?x WHERE { BIND('''a\nSERVICE''' AS ?x) }",
    "SELECT ?service WHERE { VALUES ?service { <urn:SERVICE> } }",
    "SELECT $service WHERE { VALUES $service { <http://example.org/service> } }",
    "# SERVICE <http://127.0.0.1:1/>\nASK { }",
    "PREFIX ex: <urn:x:> SELECT * WHERE { VALUES ?x { ex:ServiceDesk } }",
])
def test_the_word_service_in_literals_iris_comments_and_names_is_fine(client: TestClient, query: str) -> None:
    r = client.get("/sparql", params={"query": query})
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("template", [
    "SELECT * FROM <{url}> WHERE {{ ?a ?b ?c }} LIMIT 1",
    "SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?a ?b ?c }} }} LIMIT 1",
    "DESCRIBE <{url}>",
    "SELECT * WHERE {{ GRAPH <{url}> {{ ?a ?b ?c }} }}",
    "SELECT * WHERE {{ BIND(IRI(\"{url}\") AS ?x) BIND(STR(?x) AS ?y) }}",
])
def test_no_other_query_form_dereferences_an_iri(client: TestClient, listener: Listener, template: str) -> None:
    url = f"http://127.0.0.1:{listener.port}/data"
    r = client.get("/sparql", params={"query": template.format(url=url)})
    assert r.status_code == 200 and "REMOTE" not in r.text
    r = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }", "default-graph-uri": url, "named-graph-uri": url})
    assert r.status_code == 200
    assert listener.connections == []


@pytest.mark.parametrize("update", [
    "LOAD <http://127.0.0.1:1/data.ttl>",
    "load silent <http://127.0.0.1:1/data.ttl> INTO GRAPH <urn:g>",
    "# comment\nPREFIX ex: <urn:x#> BASE <urn:b> INSERT DATA { ex:a ex:b ex:c }",
])
def test_updates_and_load_are_refused(client: TestClient, listener: Listener, update: str) -> None:
    update = update.replace("127.0.0.1:1", f"127.0.0.1:{listener.port}")
    assert client.get("/sparql", params={"query": update}).status_code == 403
    assert client.post("/sparql", data={"update": update}).status_code == 403
    assert listener.connections == []


# -- 6. bad requests get 4xx, never 5xx -------------------------------------------------------------
@pytest.mark.parametrize("params", [
    {"default-graph-uri": "not an iri"},
    {"default-graph-uri": ""},
    {"named-graph-uri": "relative/path"},
    {"named-graph-uri": "http://exa mple.org/"},
])
def test_bad_graph_iris_are_400_and_the_worker_survives(built: Path, params: dict[str, str]) -> None:
    client = TestClient(make_app(built))
    r = client.get("/sparql", params={"query": COUNT, **params})
    assert r.status_code == 400 and "P005" in r.text
    service = SparqlService(open_store(built), timeout=5.0, isolate=built / STORE_DIR)
    try:
        assert service.answer(COUNT, accept="text/csv").status == 200
        worker = service._idle[0]
        answer = service.answer(COUNT, accept="text/csv", default_graphs=[params.get("default-graph-uri", "")],
                                named_graphs=[v for k, v in params.items() if k == "named-graph-uri"])
        assert answer.status == 400
        assert service.answer(COUNT, accept="text/csv").body.splitlines()[-1] == b"5"
        assert service._idle == [worker] and worker.alive()
    finally:
        service.close()


def huge_union() -> str:
    return "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 500_000) + " }"


def deep_braces() -> str:
    return "SELECT * WHERE " + "{" * 100_000 + " ?s ?p ?o " + "}" * 100_000


def test_a_5_mb_query_is_413(client: TestClient) -> None:
    query = huge_union()
    assert len(query) > 5_000_000
    r = client.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413
    r = client.post("/sparql", data={"query": query})
    assert r.status_code == 413
    assert client.get("/sparql", params={"query": COUNT}, headers={"Accept": "text/csv"}).text.split()[-1] == "5"


@pytest.mark.parametrize("query", [
    deep_braces(),
    "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
    "SELECT * WHERE { BIND(" + "CONCAT(" * 2000 + '"a"' + ")" * 2000 + " AS ?x) }",
    "SELECT * WHERE { FILTER(" + "!" * 20_000 + "true) }",
    "SELECT * WHERE { " + " ".join(["MINUS {}"] * 6000) + " }",
    "SELECT * WHERE { FILTER(" + "+".join(["1"] * 15_000) + " = 2) }",
])
def test_queries_that_would_overflow_the_parser_are_400_and_the_worker_survives(built: Path, query: str) -> None:
    service = SparqlService(open_store(built), timeout=5.0, isolate=built / STORE_DIR)
    try:
        assert service.answer(COUNT, accept="text/csv").status == 200
        worker = service._idle[0]
        answer = service.answer(query, accept="text/csv")
        assert answer.status == 400 and answer.body.split()[1] in (b"P003", b"P004"), answer
        assert service.answer(COUNT, accept="text/csv").body.splitlines()[-1] == b"5"
        assert service._idle == [worker] and worker.alive()
    finally:
        service.close()


def test_a_large_values_block_is_still_answered(client: TestClient) -> None:
    values = " ".join(f"<urn:x:{n}>" for n in range(5000))
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?x {{ {values} }} }}"
    r = client.post("/sparql", data={"query": query}, headers={"Accept": "text/csv"})
    assert r.status_code == 200 and r.text.split()[-1] == "5000"


LONG = "a" * 256


@pytest.mark.parametrize("path", [
    f"/site/{LONG}", f"/site/{LONG}/x", f"/object/{LONG}", f"/iiif/{LONG}", f"/rdf/object/{LONG}.ttl",
    "/site/%00", "/site/a%00b", "/object/", "/object/%00", "/object/a%00b", f"/{LONG}",
])
def test_bad_paths_are_4xx(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert 400 <= r.status_code < 500, (path, r.status_code)


def raw_get(origin: str, target: str) -> tuple[int, bytes]:
    """GET ``target`` exactly as written (no client normalisation)."""
    host, port = origin.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.putrequest("GET", target, skip_host=False, skip_accept_encoding=True)
        conn.endheaders()
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


# -- 7. only the published trees are served -----------------------------------------------------------
def traversals(out: Path) -> list[str]:
    absolute = out.resolve().as_posix()
    return [
        "/site/../store/LOG", "/site/./../store/LOG", "/./store/LOG", "/store/LOG", "/store/CURRENT", "/store/",
        f"/{absolute}/store/LOG", f"//{absolute}/store/LOG", f"/site/..{absolute}/store/LOG",
        "/site/%2e%2e/store/LOG", "/site/%2E%2E/store/LOG", "/site/.%2e/store/LOG", "/%2e/store/LOG",
        "/site/..%2fstore/LOG", "/site%2f..%2fstore%2fLOG", "/site/..%2Fstore%2FLOG", "/%2fstore/LOG",
        "/site/..\\store\\LOG", "/site\\..\\store\\LOG", "/site/%5c..%5cstore%5cLOG", "/site/..%5cstore/LOG",
        "/site//../store/LOG", "/site/.//..//store/LOG", "//store/LOG", "///store/LOG",
        "/site/%00/../../store/LOG", "/site/..%00/store/LOG", "/site/%2e%2e%00/store/LOG",
        "/rdf/../../catalogue/media/HNM.1972.001.jpg", "/site/../../catalogue/media/HNM.1972.001.jpg",
        "/site/%2e%2e/%2e%2e/catalogue/media/HNM.1972.001.jpg", "/.oai-token-key", "/site/../.oai-token-key",
        "/%2eoai-token-key", "/.store.tmp/LOG", "/rdf/", "/iiif/", "/iiif/image/", "/bags/",
        "/site/data/.exhibition.json.tmp", "/site/./index.html/../../store/LOG",
    ]


def test_traversal_spellings_never_reach_a_private_file(built: Path) -> None:
    (built / ".store.tmp").mkdir()
    (built / ".store.tmp" / "LOG").write_text("RocksDB leftover\n")
    (built / "site" / "data" / ".exhibition.json.tmp").write_text("half\n")
    with running(make_app(built)) as origin:
        assert raw_get(origin, "/site/index.html")[0] == 200  # the published trees are served
        assert raw_get(origin, "/rdf/object/HNM.1972.001.ttl")[0] == 200
        secret = (built / ".oai-token-key").read_bytes()
        for target in traversals(built):
            status, body = raw_get(origin, target)
            assert status in (400, 404), (target, status, body[:80])
            assert b"RocksDB" not in body and b"<li>" not in body and secret not in body, target
            assert b"half" not in body


def test_bags_and_their_listings_only_when_asked(built: Path) -> None:
    bag = built / "bags" / "HNM.1972.001"
    (bag / "data").mkdir(parents=True)
    (bag / "bagit.txt").write_text("BagIt-Version: 1.0\n")
    assert TestClient(make_app(built)).get("/bags/HNM.1972.001/bagit.txt").status_code == 404
    client = TestClient(make_app(built, serve_bags=True))
    assert client.get("/bags/HNM.1972.001/bagit.txt").text == "BagIt-Version: 1.0\n"
    assert "bagit.txt" in client.get("/bags/HNM.1972.001/").text
    assert client.get("/rdf/").status_code == 404  # never a listing outside the bags


# -- OAI-PMH: arguments XML cannot carry --------------------------------------------------------------
@pytest.mark.parametrize("bad", ["%00", "%01", "%0b", "%1f", "%EF%BF%BE", "%EF%BF%BF", "a%00b"])
@pytest.mark.parametrize("template", [
    "verb=GetRecord&metadataPrefix=oai_dc&identifier={bad}",
    "verb=ListRecords&metadataPrefix={bad}",
    "verb=ListRecords&metadataPrefix=oai_dc&set={bad}",
    "verb=ListIdentifiers&metadataPrefix=oai_dc&from={bad}",
    "verb=ListIdentifiers&resumptionToken={bad}",
    "verb=Identify&{bad}=1",
    "verb=ListMetadataFormats&identifier={bad}",
])
def test_oai_arguments_with_control_characters_are_bad_arguments(client: TestClient, template: str,
                                                                  bad: str) -> None:
    query = template.format(bad=bad)
    for r in (client.get(f"/oai?{query}"),
              client.post("/oai", content=query, headers={"Content-Type": "application/x-www-form-urlencoded"})):
        assert r.status_code == 200
        assert 'code="badArgument"' in r.text
        assert "<request>" in r.text  # §3.2: no argument echoed


# -- junk at every route: no 5xx ---------------------------------------------------------------------
JUNK = ["", "%", "%zz", "%00", "%ff%fe", "..", "%2e%2e", "\u00e9", "%C3%A9", "a" * 300, "%ED%A0%80", "{", "<",
        "'", '"', "\\", "%0d%0a", "%7f", "%EF%BF%BE", "?", "#", "&", "=", ";"]


@pytest.mark.parametrize("junk", JUNK)
def test_junk_at_every_route_is_never_a_server_error(client: TestClient, junk: str) -> None:
    targets = [
        f"/{junk}", f"/site/{junk}", f"/site/{junk}/", f"/object/{junk}", f"/rdf/{junk}", f"/iiif/{junk}",
        f"/bags/{junk}", f"/robots.txt?{junk}", f"/?lang={junk}",
        f"/oai?verb={junk}", f"/oai?verb=Identify&{junk}={junk}", f"/oai?verb=GetRecord&identifier={junk}",
        f"/oai?verb=ListRecords&metadataPrefix=oai_dc&from={junk}&until={junk}",
        f"/oai?verb=ListRecords&metadataPrefix={junk}&set={junk}", f"/oai?verb=ListSets&resumptionToken={junk}",
        f"/oai?verb=ListIdentifiers&resumptionToken={junk}",
        f"/sparql?query={junk}", f"/sparql?query={quote(COUNT)}&default-graph-uri={junk}",
        f"/sparql?query={quote(COUNT)}&named-graph-uri={junk}", f"/sparql?query={quote(COUNT)}&format={junk}",
        f"/sparql?update={junk}", f"/sparql?{junk}",
    ]
    for target in targets:
        r = client.get(target, headers={"Accept": junk if junk.isascii() and junk.isprintable() else "*/*"})
        assert r.status_code < 500, (target, r.status_code, r.text[:200])
    for target in ("/oai", "/sparql"):
        r = client.post(target, content=f"verb={junk}&query={junk}&{junk}={junk}".encode(),
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert r.status_code < 500, (target, r.status_code, r.text[:200])


# -- the same, with hypothesis: any path, any OAI arguments, any SPARQL parameters ---------------------------
SEGMENT = st.text(st.characters(codec="utf-8"), max_size=30)
PREFIX = st.sampled_from(["site", "rdf", "iiif", "bags", "object", "store", ".", "..", "", "%2e%2e", "site/data"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(prefix=PREFIX, segments=st.lists(SEGMENT, max_size=4), raw=st.booleans())
def test_no_path_is_a_server_error(client: TestClient, prefix: str, segments: list[str], raw: bool) -> None:
    # Every byte percent-encoded, or '/', '%', '.', '\\' and friends left as they are (only what no URL may
    # hold, such as control characters, space, '#' and '?', encoded).
    path = "/" + "/".join([prefix, *(quote(s, safe="/%.:@!$&'()*+,;=~-_\\" if raw else "") for s in segments)])
    try:
        r = client.get(path)
    except httpx.InvalidURL:  # a path the test's own client refuses to send (e.g. only slashes): nothing to test
        assume(False)
        return
    assert r.status_code < 500, (path, r.status_code, r.text[:200])
    assert b"RocksDB" not in r.content


OAI_NAMES = st.sampled_from(["verb", "identifier", "metadataPrefix", "from", "until", "set", "resumptionToken"])
# Characters XML cannot carry, mixed into ordinary text: what broke the provider before.
NOT_XML = st.builds("{}{}{}".format, SEGMENT, st.sampled_from(["\x00", "\x01", "\x0b", "\x1f", "\ufffe", "\uffff"]),
                    SEGMENT)


VERBS = ["ListRecords", "ListIdentifiers", "GetRecord", "Identify", "ListSets", "ListMetadataFormats"]
OAI_VALUES = st.sampled_from(["oai_dc", "rdf", "2023-11-14", "2023-11-14T00:00:00Z", "silence",
                              "oai:heritage-ld.example:HNM.1972.001"]) | SEGMENT | NOT_XML


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(verb=st.sampled_from(VERBS) | SEGMENT | NOT_XML,
       args=st.dictionaries(OAI_NAMES | SEGMENT | NOT_XML, OAI_VALUES, max_size=4))
def test_no_oai_request_is_a_server_error(client: TestClient, verb: str, args: dict[str, str]) -> None:
    from lxml import etree

    query = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in [("verb", verb), *args.items()])
    r = client.get(f"/oai?{query}")
    assert r.status_code == 200, (query, r.text[:200])
    etree.fromstring(r.content)  # well-formed XML whatever came in


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=SEGMENT | st.sampled_from([COUNT, "ASK {}", "SELECT * WHERE { SERVICE <urn:x> {} }"]),
       graph=st.none() | SEGMENT, accept=st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=30))
def test_no_sparql_request_is_a_server_error(client: TestClient, query: str, graph: str | None, accept: str) -> None:
    params = {"query": query, **({"default-graph-uri": graph} if graph is not None else {})}
    r = client.get("/sparql", params=params, headers={"Accept": accept})
    assert r.status_code < 500, (params, r.status_code, r.text[:200])


def test_the_serve_command_serves_bags_only_with_bags(built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn
    from typer.testing import CliRunner

    from heritage_ld.cli import app

    apps: list[object] = []
    monkeypatch.setattr(uvicorn, "run", lambda application, **_: apps.append(application))
    (built / "bags" / "HNM.1972.001").mkdir(parents=True)
    (built / "bags" / "HNM.1972.001" / "bagit.txt").write_text("BagIt-Version: 1.0\n")
    for args in ([], ["--bags"]):
        result = CliRunner().invoke(app, ["serve", str(built), "--port", "0", *args])
        assert result.exit_code == 0, result.output
    plain, with_bags = (TestClient(a) for a in apps)
    assert plain.get("/bags/HNM.1972.001/bagit.txt").status_code == 404
    assert with_bags.get("/bags/HNM.1972.001/bagit.txt").status_code == 200
