"""IIIF Change Discovery API 1.0: the change stream of real builds of the Hanoi example against every MUST and
SHOULD of the requirement tables in ``conformance/iiif-discovery/README.md`` (taken from the spec, section by
section), JSON-LD 1.1 expansion with the offline contexts (pyld), and the HTTP rules of §4.1 through ``serve``.

There is no official JSON Schema for this API, so the rules are checked by the functions below; the spec's own
complete examples pass them, and broken copies of those examples fail them, so the checker is held to the spec
rather than to our output. Two streams are checked: one build (one page), and two builds of an edited catalogue
with pages of 7 activities (many pages, with ``prev``/``next``, Update and Delete activities).

Rules that bind consumers, not publishers ("Consumers ignore properties they do not process") are exercised by
the consumer in ``tests/e2e/test_change_discovery_hanoi.py``; "one activity per variant" holds because every
manifest has exactly one URI (no negotiable resources are published).
"""

from __future__ import annotations

import copy
import csv
import functools
import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from heritage_ld import read_catalogue
from heritage_ld.iiif import changes as changes_module
from heritage_ld.model import UrlScheme
from heritage_ld.pipeline import BuildOptions, build
from heritage_support import EXAMPLE, require_conformance

CONTEXT = "http://iiif.io/api/discovery/1/context.json"
MEDIA_TYPE = f'application/ld+json;profile="{CONTEXT}"'
AS = "https://www.w3.org/ns/activitystreams#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PREZI = "http://iiif.io/api/presentation/3#"
#: §3.3 type: the registered activity types (Refresh is discov:Refresh, the others as:).
REGISTERED = {"Create", "Update", "Delete", "Move", "Add", "Remove", "Refresh"}
#: xsd:dateTime in UTC (§3.3 endTime / startTime "expressed in UTC").
UTC_DATETIME = re.compile(r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]00:00)$")
T1 = 1_700_000_000


# -- the checker: one function per section of the README's tables; each returns the rules broken ------------------
def _is_http(value: Any) -> bool:
    return isinstance(value, str) and re.match(r"^https?://[^\s/]+", value) is not None


def _ref_problems(where: str, value: Any, expected_type: str) -> list[str]:
    """An ``{id, type}`` reference (first, last, next, prev, partOf): both MUST, id an HTTP(S) URI."""
    if not isinstance(value, dict):
        return [f"{where} MUST be a JSON object"]
    problems = []
    if not _is_http(value.get("id")):
        problems.append(f"{where}.id MUST be an HTTP(S) URI string")
    if value.get("type") != expected_type:
        problems.append(f"{where}.type MUST be {expected_type!r}")
    return problems


def context_problems(doc: dict[str, Any]) -> list[str]:
    """§3.4.1 @context MUST (the URI, or an array ending with it), SHOULD come first; §3.4.2 extensions before."""
    ctx = doc.get("@context")
    problems = []
    if ctx != CONTEXT and not (isinstance(ctx, list) and ctx and ctx[-1] == CONTEXT):
        problems.append("@context MUST be the discovery context URI or an array whose last item it is")
    if isinstance(ctx, list) and CONTEXT in ctx[:-1]:
        problems.append("extension contexts MUST come before the discovery context")
    if next(iter(doc), None) != "@context":
        problems.append("@context SHOULD be the first key")
    return problems


def collection_problems(doc: dict[str, Any]) -> list[str]:
    """§3.1 Ordered Collection."""
    problems = []
    if not _is_http(doc.get("id")):
        problems.append("id MUST be an HTTP(S) URI string")
    if doc.get("type") != "OrderedCollection":
        problems.append("type MUST be 'OrderedCollection'")
    if "first" not in doc:
        problems.append("first SHOULD be given")
    else:
        problems += _ref_problems("first", doc["first"], "OrderedCollectionPage")
    if "last" not in doc:
        problems.append("last MUST be given")
    else:
        problems += _ref_problems("last", doc["last"], "OrderedCollectionPage")
    if "totalItems" in doc and not (type(doc["totalItems"]) is int and doc["totalItems"] >= 0):
        problems.append("totalItems MUST be a non-negative integer")
    for name, type_ in (("seeAlso", "Dataset"), ("partOf", "OrderedCollection")):
        if name in doc:
            value = doc[name]
            if not isinstance(value, list) or not value:
                problems.append(f"{name} MUST be an array of one or more objects")
            else:
                for n, entry in enumerate(value):
                    problems += _ref_problems(f"{name}[{n}]", entry, type_)
    if "rights" in doc:
        rights = doc["rights"]
        if not isinstance(rights, str):
            problems.append("rights MUST be a string")
        elif re.search(r"creativecommons\.org|rightsstatements\.org", rights) and not _is_http(rights):
            problems.append("rights from CC or RightsStatements.org MUST be a URI they define")
    return problems


def page_problems(doc: dict[str, Any], *, first: bool | None = None, last: bool | None = None) -> list[str]:
    """§3.2 Ordered Collection Page (``first``/``last``: whether it is the first or last page, when known)."""
    problems = []
    if not _is_http(doc.get("id")):
        problems.append("id MUST be an HTTP(S) URI string")
    if doc.get("type") != "OrderedCollectionPage":
        problems.append("type MUST be 'OrderedCollectionPage'")
    if "partOf" not in doc:
        problems.append("partOf SHOULD be given")
    else:  # one object here, not an array as on the collection
        problems += _ref_problems("partOf", doc["partOf"], "OrderedCollection")
    if "startIndex" in doc and not (type(doc["startIndex"]) is int and doc["startIndex"] >= 0):
        problems.append("startIndex MUST be a non-negative integer")
    if "next" in doc:
        problems += _ref_problems("next", doc["next"], "OrderedCollectionPage")
    elif last is False:
        problems.append("next SHOULD be given on every page but the last")
    if "prev" in doc:
        problems += _ref_problems("prev", doc["prev"], "OrderedCollectionPage")
    elif first is False:
        problems.append("prev MUST be given on every page but the first")
    items = doc.get("orderedItems")
    if not isinstance(items, list) or not items:
        problems.append("orderedItems MUST be an array with at least one item")
        return problems
    for n, activity in enumerate(items):
        problems += [f"orderedItems[{n}]: {p}" for p in activity_problems(activity)]
    times = [a.get("endTime") for a in items if isinstance(a, dict) and "endTime" in a]
    if times != sorted(times, key=_parse_time):
        problems.append("orderedItems MUST run from the earliest endTime to the most recent")
    return problems


def activity_problems(activity: Any) -> list[str]:
    """§3.3 Activities (and §2.1.2: a level 1/2 stream dates every activity but Refresh)."""
    if not isinstance(activity, dict):
        return ["an activity MUST be a JSON object"]
    problems = []
    if "id" in activity and not _is_http(activity["id"]):
        problems.append("id MUST be an HTTP(S) URI string")
    kind = activity.get("type")
    if kind not in REGISTERED:
        problems.append("type MUST be a registered Activity type")
    elif kind not in ("Create", "Update", "Delete"):
        problems.append("type SHOULD be Create, Update or Delete")
    if kind != "Refresh":  # Refresh "does not have an object or target" (§3.3 type table)
        obj = activity.get("object")
        if not isinstance(obj, dict) or "id" not in obj or "type" not in obj:
            problems.append("object MUST be a JSON object with id and type")
        else:
            if not _is_http(obj["id"]):
                problems.append("object.id MUST be an HTTP(S) URI")
            if obj["type"] not in ("Collection", "Manifest"):
                problems.append("object.type SHOULD be Collection or Manifest")
            if "canonical" in obj and not isinstance(obj["canonical"], str):
                problems.append("object.canonical MUST be a string")
            for n, agent in enumerate(obj.get("provider", [])):
                if not (isinstance(agent, dict) and agent.get("type") == "Agent" and "id" in agent and "label" in agent):
                    problems.append(f"object.provider[{n}] MUST have id, type 'Agent' and label")
        if "endTime" not in activity:
            problems.append("endTime SHOULD be given")
    if kind == "Move":
        target = activity.get("target")
        if not isinstance(target, dict) or not _is_http(target.get("id")) or "type" not in target:
            problems.append("target MUST be given on Move, with an HTTP(S) id and a type")
        elif isinstance(activity.get("object"), dict) and target["id"] == activity["object"].get("id"):
            problems.append("target.id MUST differ from object.id")
    for name in ("endTime", "startTime"):
        if name in activity and not (isinstance(activity[name], str) and UTC_DATETIME.match(activity[name])):
            problems.append(f"{name} MUST be an xsd:dateTime in UTC")
    if "summary" in activity and not isinstance(activity["summary"], str):
        problems.append("summary MUST be a string")
    if "actor" in activity:
        actor = activity["actor"]
        if not isinstance(actor, dict) or actor.get("type") not in ("Application", "Organization", "Person"):
            problems.append("actor.type MUST be Application, Organization or Person")
        elif not _is_http(actor.get("id")):
            problems.append("actor.id SHOULD be an HTTP(S) URI")
    return problems


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


# -- the checker against the spec's own examples -------------------------------------------------------------------
@pytest.fixture(scope="module")
def discovery() -> Path:
    return require_conformance("iiif-discovery")


def _example(discovery: Path, prefix: str) -> dict[str, Any]:
    [path] = (discovery / "examples").glob(f"{prefix}-*.json")
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return doc


@pytest.mark.parametrize("prefix", ["08", "17"])
def test_the_checker_passes_the_spec_collections(discovery: Path, prefix: str) -> None:
    doc = _example(discovery, prefix)
    assert context_problems(doc) + collection_problems(doc) == []


@pytest.mark.parametrize("prefix", ["07", "25"])
def test_the_checker_passes_the_spec_pages(discovery: Path, prefix: str) -> None:
    doc = _example(discovery, prefix)
    assert context_problems(doc) + page_problems(doc, first=False, last=False) == []


@pytest.mark.parametrize("prefix", ["02", "03", "34"])
def test_the_checker_passes_the_spec_activities(discovery: Path, prefix: str) -> None:
    assert activity_problems(_example(discovery, prefix)) == []


def test_the_checker_fails_broken_copies_of_the_spec_examples(discovery: Path) -> None:
    coll = _example(discovery, "17")
    assert "last MUST be given" in collection_problems({k: v for k, v in coll.items() if k != "last"})
    assert context_problems({k: v for k, v in coll.items() if k != "@context"})
    page = _example(discovery, "25")
    assert "prev MUST be given on every page but the first" in page_problems(
        {k: v for k, v in page.items() if k != "prev"}, first=False)
    assert "orderedItems MUST be an array with at least one item" in page_problems({**page, "orderedItems": []})
    late_first = copy.deepcopy(_example(discovery, "07"))
    late_first["orderedItems"].reverse()
    assert "orderedItems MUST run from the earliest endTime to the most recent" in page_problems(late_first)
    activity = {**_example(discovery, "03"), "endTime": "2017-09-20 00:00"}
    assert "endTime MUST be an xsd:dateTime in UTC" in activity_problems(activity)


# -- the streams of real builds ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Stream:
    out: Path
    urls: UrlScheme
    docs: dict[str, dict[str, Any]]  # by path under OUT
    pages: list[dict[str, Any]]  # from first to last, by next
    edited: bool  # built twice, the catalogue edited in between, pages of 7

    def at(self, url: str) -> dict[str, Any]:
        return self.docs[self.urls.path(url)]

    @property
    def collection(self) -> dict[str, Any]:
        return self.docs["iiif/activity/all-changes.json"]

    @property
    def activities(self) -> list[dict[str, Any]]:
        return [a for page in self.pages for a in page["orderedItems"]]


def _edit(catalogue: Path) -> None:
    """One title changed, one row removed, one added (a copy of another under a new accession)."""
    path = catalogue / "items.csv"
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = list(reader.fieldnames or []), list(reader)
    rows[2]["title@en"] += " (corrected)"
    rows = [*rows[:4], *rows[5:], {**rows[1], "accession": "HNM.1972.900", "identifier": ""}]
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _read(out: Path, urls: UrlScheme, *, edited: bool) -> Stream:
    folder = out / "iiif" / "activity"
    docs = {f"iiif/activity/{p.name}": json.loads(p.read_bytes()) for p in folder.glob("*.json")}
    stream = Stream(out, urls, docs, [], edited)
    ref = stream.collection.get("first")
    while ref is not None:
        page = stream.at(ref["id"])
        stream.pages.append(page)
        ref = page.get("next")
    return stream


@pytest.fixture(scope="module", params=["one-build", "two-builds-pages-of-7"])
def stream(request: pytest.FixtureRequest, discovery: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stream]:
    root = tmp_path_factory.mktemp(request.param)
    catalogue = root / "hanoi-1972"
    shutil.copytree(EXAMPLE, catalogue)
    out = root / "out"
    with pytest.MonkeyPatch.context() as patch:
        if request.param != "one-build":
            patch.setattr(changes_module, "write_change_stream",
                          functools.partial(changes_module.write_change_stream, page_size=7))
        collection = read_catalogue(catalogue)
        build(collection, out, only=["iiif", "site"], options=BuildOptions(source_date_epoch=T1), executor="serial")
        if request.param != "one-build":
            _edit(catalogue)
            build(read_catalogue(catalogue), out, only=["iiif", "site"],
                  options=BuildOptions(source_date_epoch=T1 + 86_400), executor="serial")
    yield _read(out, UrlScheme(collection.base_url), edited=request.param != "one-build")


def test_every_document_has_the_discovery_context_first(stream: Stream) -> None:
    assert {path: context_problems(doc) for path, doc in stream.docs.items()} == {p: [] for p in stream.docs}
    assert all(doc["@context"] == CONTEXT for doc in stream.docs.values())  # no extensions


def test_the_collection_conforms(stream: Stream) -> None:
    assert collection_problems(stream.collection) == []


def test_documents_are_published_at_their_id(stream: Stream) -> None:
    """§3.1 and §3.2 id: the JSON representation MUST be available at the URI (here: the file it maps to)."""
    for path, doc in stream.docs.items():
        assert stream.urls.path(doc["id"]) == path


def test_at_least_one_page_and_every_page_conforms(stream: Stream) -> None:
    assert stream.pages, "MUST publish at least one page"
    assert len(stream.pages) == len(stream.docs) - 1, "every page is reached from first by next"
    last = len(stream.pages) - 1
    for n, page in enumerate(stream.pages):
        assert page_problems(page, first=n == 0, last=n == last) == [], page["id"]
    if stream.edited:
        assert len(stream.pages) > 2 and all(len(p["orderedItems"]) == 7 for p in stream.pages[:-1])


def test_first_last_prev_next_and_start_index_agree(stream: Stream) -> None:
    pages, coll = stream.pages, stream.collection
    assert coll["first"]["id"] == pages[0]["id"] and coll["last"]["id"] == pages[-1]["id"]
    assert "prev" not in pages[0] and "next" not in pages[-1]
    start = 0
    for n, page in enumerate(pages):
        assert page["partOf"]["id"] == coll["id"]
        assert page["startIndex"] == start
        start += len(page["orderedItems"])
        if n:
            assert page["prev"]["id"] == pages[n - 1]["id"]
    assert coll["totalItems"] == start


def test_the_whole_stream_runs_from_the_oldest_activity_to_the_most_recent(stream: Stream) -> None:
    """§3.1: oldest first in the first page, most recent last in the last page (§2.1.2: MUST)."""
    times = [_parse_time(a["endTime"]) for a in stream.activities]
    assert times == sorted(times)
    assert all(a["type"] in ("Create", "Update", "Delete") and "endTime" in a for a in stream.activities)


def test_each_object_is_created_once_deleted_at_most_once_and_available_as_its_last_activity_says(
        stream: Stream) -> None:
    """§3.3 type: at most one Create and one Delete per resource (more only after re-use); an Update is of
    something created and not deleted; §3.3 endTime: the object MUST be available at its URI (checked now, after
    the build whose time the activity bears)."""
    state: dict[str, str] = {}
    for activity in stream.activities:
        obj, kind = activity["object"]["id"], activity["type"]
        before = state.get(obj)
        if kind == "Create":
            assert before in (None, "Delete"), f"{obj} created twice"
        else:
            assert before in ("Create", "Update"), f"{kind} of {obj}, which does not exist"
        state[obj] = kind
    for obj, kind in state.items():
        path = stream.out / stream.urls.path(obj)
        if kind == "Delete":
            assert not path.exists(), obj
        else:
            assert json.loads(path.read_bytes())["id"] == obj
    built = {stream.urls.manifest(i.accession) for i in read_catalogue(EXAMPLE).items if i.has_manifest}
    if not stream.edited:  # the first build: everything was created, nothing else
        assert set(state) == built | {stream.urls.iiif_collection(), stream.urls.exhibition_manifest()}
        assert set(state.values()) == {"Create"}
    else:
        assert set(state.values()) == {"Create", "Update", "Delete"}


# -- JSON-LD 1.1 with the offline contexts -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def to_rdf(discovery: Path) -> Any:
    jsonld = pytest.importorskip("pyld.jsonld", reason="pyld (the test extra) converts JSON-LD 1.1 to RDF")
    local = {CONTEXT: discovery / "context" / "discovery-1-context.json",
             "https://www.w3.org/ns/activitystreams": discovery / "context" / "activitystreams.jsonld"}
    asked: list[str] = []

    def loader(url: str, options: Any = None) -> dict[str, Any]:
        asked.append(url)
        if url not in local:
            raise jsonld.JsonLdError(f"offline: {url}", "loading remote context failed")
        return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
                "document": json.loads(local[url].read_text(encoding="utf-8"))}

    def convert(doc: dict[str, Any]) -> list[tuple[str, str, str, str]]:
        quads = jsonld.to_rdf(copy.deepcopy(doc), {"documentLoader": loader})["@default"]
        assert set(asked) <= set(local)
        return [(q["subject"]["value"], q["predicate"]["value"], q["object"]["value"],
                 q["object"].get("datatype", q["object"]["type"])) for q in quads]

    return convert


def test_the_official_complete_examples_convert_offline(discovery: Path, to_rdf: Any) -> None:
    counts = {p: len(to_rdf(_example(discovery, p))) for p in ("07", "08", "17", "25", "34")}
    assert counts == {"07": 20, "08": 6, "17": 14, "25": 15, "34": 12}  # as the README says


def test_the_stream_is_json_ld_every_term_defined(stream: Stream, to_rdf: Any) -> None:
    """Every key and type of every document maps to an IRI of ActivityStreams or IIIF (none falls back to the
    ActivityStreams context's ``"@vocab": "_:"``, which would make a blank-node property or class)."""
    for path, doc in stream.docs.items():
        triples = to_rdf(doc)
        assert triples, path
        assert not [t for t in triples if t[1].startswith("_:")], f"{path}: a key with no definition"
        types = {t[2] for t in triples if t[1] == RDF_TYPE}
        assert not [t for t in types if t.startswith("_:")], f"{path}: a type with no definition"
        if doc["type"] == "OrderedCollection":
            assert (doc["id"], RDF_TYPE, f"{AS}OrderedCollection", "IRI") in triples
            assert (doc["id"], f"{AS}last", doc["last"]["id"], "IRI") in triples
            continue
        assert (doc["id"], RDF_TYPE, f"{AS}OrderedCollectionPage", "IRI") in triples
        assert (doc["id"], f"{AS}partOf", doc["partOf"]["id"], "IRI") in triples
        end_times = [t for t in triples if t[1] == f"{AS}endTime"]
        assert len(end_times) == len(doc["orderedItems"])
        assert {t[3] for t in end_times} == {"http://www.w3.org/2001/XMLSchema#dateTime"}
        assert types <= {f"{AS}OrderedCollection", f"{AS}OrderedCollectionPage", f"{AS}Create", f"{AS}Update", f"{AS}Delete",
                         f"{PREZI}Manifest", f"{PREZI}Collection"}
        assert {a["object"]["id"] for a in doc["orderedItems"]} <= {t[2] for t in triples if t[1] == f"{AS}object"}


# -- §4.1 over HTTP ------------------------------------------------------------------------------------------------
def test_served_as_json_ld_with_the_discovery_profile_and_cors(stream: Stream) -> None:
    from starlette.testclient import TestClient

    from heritage_ld.publish.server import make_app

    client = TestClient(make_app(stream.out))
    for path in stream.docs:
        r = client.get(f"/{path}", headers={"Accept": ""})
        assert r.status_code == 200
        assert r.headers["content-type"] == MEDIA_TYPE
        assert r.headers["access-control-allow-origin"] == "*"
    plain = client.get("/iiif/activity/all-changes.json", headers={"Accept": "application/json"})
    assert plain.headers["content-type"] == "application/json"
