"""The OAI-PMH provider: every verb and error condition, every response valid against the official schemas."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from lxml import etree

from heritage_ld.model import Collection, UrlScheme
from heritage_ld.publish.oai import OaiProvider
from heritage_ld.publish.site import write_site
from heritage_ld.publish.snapshot import read_snapshot
from heritage_support import require_conformance
from oai_validation import load_oai_schema

NS = {"o": "http://www.openarchives.org/OAI/2.0/", "dc": "http://purl.org/dc/elements/1.1/",
      "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#"}
NOW = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
EPOCH = 1_700_000_000  # 2023-11-14T22:13:20Z


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> etree.XMLSchema:
    return load_oai_schema(require_conformance("oai-pmh"), tmp_path_factory.mktemp("xsd"))


@pytest.fixture()
def provider(collection: Collection, out: Path, urls: UrlScheme) -> OaiProvider:
    write_site(collection, out, urls, datestamp=EPOCH)
    return OaiProvider(read_snapshot(out), page_size=2)


def ask(provider: OaiProvider, schema: etree.XMLSchema, **params: str | list[str]) -> etree._Element:
    query = {k: v if isinstance(v, list) else [v] for k, v in params.items()}
    doc = etree.fromstring(provider.respond(query, endpoint="http://127.0.0.1/oai", now=NOW))
    assert schema.validate(doc), schema.error_log
    return doc


def error_code(doc: etree._Element) -> str | None:
    err = doc.find("o:error", NS)
    return None if err is None else err.get("code")


def test_schema_rejects_a_known_bad_response(provider: OaiProvider, schema: etree.XMLSchema) -> None:
    doc = etree.fromstring(provider.respond({"verb": ["GetRecord"], "metadataPrefix": ["oai_dc"],
                                             "identifier": ["oai:heritage-ld.example:HNM.1972.001"]},
                                            endpoint="http://127.0.0.1/oai", now=NOW))
    assert schema.validate(doc)
    dc = doc.find(".//{http://www.openarchives.org/OAI/2.0/oai_dc/}dc")
    etree.SubElement(dc, "{http://purl.org/dc/elements/1.1/}bogus").text = "x"
    assert not schema.validate(doc)


def test_identify(provider: OaiProvider, schema: etree.XMLSchema) -> None:
    doc = ask(provider, schema, verb="Identify")
    assert doc.findtext("o:Identify/o:protocolVersion", namespaces=NS) == "2.0"
    assert doc.findtext("o:Identify/o:earliestDatestamp", namespaces=NS) == "2023-11-14T22:13:20Z"
    assert doc.findtext("o:Identify/o:adminEmail", namespaces=NS) == "contact@example.org"
    assert doc.find("o:request", NS).get("verb") == "Identify"


def test_list_metadata_formats(provider: OaiProvider, schema: etree.XMLSchema) -> None:
    doc = ask(provider, schema, verb="ListMetadataFormats")
    assert doc.xpath("//o:metadataPrefix/text()", namespaces=NS) == ["oai_dc", "rdf"]
    doc = ask(provider, schema, verb="ListMetadataFormats", identifier="oai:heritage-ld.example:nope")
    assert error_code(doc) == "idDoesNotExist"


def test_list_sets_are_the_sections(provider: OaiProvider, schema: etree.XMLSchema) -> None:
    doc = ask(provider, schema, verb="ListSets")
    assert doc.xpath("//o:setSpec/text()", namespaces=NS) == ["silence", "confront", "peace"]
    assert error_code(ask(provider, schema, verb="ListSets", resumptionToken="x")) == "badResumptionToken"


def test_get_record_in_both_formats(provider: OaiProvider, schema: etree.XMLSchema) -> None:
    ident = "oai:heritage-ld.example:HNM.1972.001"
    doc = ask(provider, schema, verb="GetRecord", identifier=ident, metadataPrefix="oai_dc")
    titles = doc.xpath("//dc:title[@xml:lang='en']/text()", namespaces=NS)
    assert titles == ["Kham Thien Street after the bombing"]
    assert doc.xpath("//o:header/o:setSpec/text()", namespaces=NS) == ["silence"]
    assert doc.findtext(".//o:header/o:datestamp", namespaces=NS) == "2023-11-14T22:13:20Z"
    doc = ask(provider, schema, verb="GetRecord", identifier=ident, metadataPrefix="rdf")
    assert doc.find(".//o:metadata/rdf:RDF", NS) is not None


def test_list_records_pages_with_resumption_tokens(provider: OaiProvider, schema: etree.XMLSchema) -> None:
    seen: list[str] = []
    doc = ask(provider, schema, verb="ListRecords", metadataPrefix="oai_dc")
    cursors = []
    while True:
        seen += doc.xpath("//o:record/o:header/o:identifier/text()", namespaces=NS)
        token = doc.find(".//o:resumptionToken", NS)
        assert token is not None and token.get("completeListSize") == "5"
        cursors.append(token.get("cursor"))
        if not token.text:
            break
        doc = ask(provider, schema, verb="ListRecords", resumptionToken=token.text)
    assert len(seen) == 5 == len(set(seen))
    assert cursors == ["0", "2", "4"]


def test_list_identifiers_by_set_and_dates(provider: OaiProvider, schema: etree.XMLSchema) -> None:
    doc = ask(provider, schema, verb="ListIdentifiers", metadataPrefix="oai_dc", set="peace")
    assert doc.xpath("//o:identifier/text()", namespaces=NS) == [
        "oai:heritage-ld.example:HNM.1972.004", "oai:heritage-ld.example:HNM.1972.005"]
    doc = ask(provider, schema, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": "2023-11-14"},
              until="2023-11-14")
    assert len(doc.xpath("//o:header", namespaces=NS)) == 2  # first page of 5
    doc = ask(provider, schema, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": "2023-11-15"})
    assert error_code(doc) == "noRecordsMatch"
    doc = ask(provider, schema, verb="ListIdentifiers", metadataPrefix="oai_dc", set="nope")
    assert error_code(doc) == "noRecordsMatch"


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "badVerb"),
        ({"verb": "Dance"}, "badVerb"),
        ({"verb": ["Identify", "Identify"]}, "badVerb"),
        ({"verb": "Identify", "set": "x"}, "badArgument"),
        ({"verb": "GetRecord", "identifier": "oai:heritage-ld.example:HNM.1972.001"}, "badArgument"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": ["oai_dc", "rdf"]}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "resumptionToken": "x"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2023-11"}, "badArgument"),
        # red-team of #11: digits that are not ASCII were read as 2020 (\d matched them)
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "\uff12020-01-01"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "until": "\u0662\u0660\u0662\u0660-01-01"},
         "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2020-01-01T00:00:0\uff10Z"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "9999-99-99"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2023-11-01",
          "until": "2023-12-01T00:00:00Z"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "mods"}, "cannotDisseminateFormat"),
        ({"verb": "GetRecord", "identifier": "oai:x:y", "metadataPrefix": "oai_dc"}, "idDoesNotExist"),
        ({"verb": "GetRecord", "identifier": "oai:heritage-ld.example:HNM.1972.001", "metadataPrefix": "mods"},
         "cannotDisseminateFormat"),
        ({"verb": "ListIdentifiers", "resumptionToken": "not-a-token"}, "badResumptionToken"),
        ({"verb": "ListIdentifiers", "resumptionToken": "eyJmIjoiOTkiLCJvIjowLCJxIjp7fX0"}, "badResumptionToken"),
    ],
)
def test_error_conditions(provider: OaiProvider, schema: etree.XMLSchema, params: dict[str, str], code: str) -> None:
    doc = ask(provider, schema, **params)
    assert error_code(doc) == code
    request = doc.find("o:request", NS)
    if code in ("badVerb", "badArgument"):
        assert dict(request.attrib) == {}  # §3.2: no attributes echoed for these errors


def test_no_set_hierarchy(tmp_path: Path, collection: Collection, urls: UrlScheme,
                          schema: etree.XMLSchema) -> None:
    from dataclasses import replace

    flat = replace(collection, sections=(), items=tuple(replace(i, section=None) for i in collection.items))
    write_site(flat, tmp_path / "o", urls)
    provider = OaiProvider(read_snapshot(tmp_path / "o"))
    assert error_code(ask(provider, schema, verb="ListSets")) == "noSetHierarchy"
    doc = ask(provider, schema, verb="ListRecords", metadataPrefix="oai_dc", set="silence")
    assert error_code(doc) == "noSetHierarchy"
    # Without a SOURCE_DATE_EPOCH, datestamps come from the files' modification times.
    assert ask(provider, schema, verb="Identify").findtext("o:Identify/o:earliestDatestamp", namespaces=NS)


# -- resumption tokens: opaque, signed, expiring (issue #11) ------------------------------------------------
def _first_token(provider: OaiProvider, schema: etree.XMLSchema, now: datetime = NOW) -> etree._Element:
    doc = etree.fromstring(provider.respond({"verb": ["ListIdentifiers"], "metadataPrefix": ["oai_dc"]},
                                            endpoint="http://127.0.0.1/oai", now=now))
    assert schema.validate(doc), schema.error_log
    token = doc.find(".//o:resumptionToken", NS)
    assert token is not None and token.text
    return token


def _resume(provider: OaiProvider, schema: etree.XMLSchema, token: str, now: datetime = NOW) -> etree._Element:
    doc = etree.fromstring(provider.respond({"verb": ["ListIdentifiers"], "resumptionToken": [token]},
                                            endpoint="http://127.0.0.1/oai", now=now))
    assert schema.validate(doc), schema.error_log
    return doc


def _unsigned(state: object) -> str:
    import base64
    import json

    raw = json.dumps(state, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def test_forged_tokens_are_bad_resumption_tokens(provider: OaiProvider, schema: etree.XMLSchema) -> None:
    fingerprint = provider._fingerprint
    forged = [
        _unsigned({"q": {"metadataPrefix": ["oai_dc"]}, "o": 0, "f": fingerprint}),  # a list for a string
        _unsigned({"q": {"metadataPrefix": "oai_dc"}, "o": 2, "f": fingerprint}),    # well formed, not signed
        _unsigned({"q": ["metadataPrefix"], "o": "x", "f": fingerprint}),
        _unsigned([1, 2, 3]), "", ".", "..", "a.b.c", "\u00e9" * 50, "x" * 100_000,
    ]
    for token in forged:
        assert error_code(_resume(provider, schema, token)) == "badResumptionToken", token[:40]


def test_a_tampered_or_foreign_token_is_refused(provider: OaiProvider, schema: etree.XMLSchema,
                                                collection: Collection, out: Path) -> None:
    token = _first_token(provider, schema).text
    assert token is not None
    assert error_code(_resume(provider, schema, token)) is None
    flipped = token[:5] + ("A" if token[5] != "A" else "B") + token[6:]
    assert error_code(_resume(provider, schema, flipped)) == "badResumptionToken"
    other = OaiProvider(read_snapshot(out), page_size=2, token_key=b"another key of 32 bytes........")
    assert error_code(_resume(other, schema, token)) == "badResumptionToken"


def test_tokens_expire(collection: Collection, out: Path, urls: UrlScheme, schema: etree.XMLSchema) -> None:
    from datetime import timedelta

    write_site(collection, out, urls, datestamp=EPOCH)
    key = b"k" * 32
    provider = OaiProvider(read_snapshot(out), page_size=2, token_key=key, token_ttl=timedelta(hours=1))
    token = _first_token(provider, schema)
    assert token.get("expirationDate") == "2024-01-02T04:04:05Z"
    assert error_code(_resume(provider, schema, token.text or "", NOW + timedelta(minutes=59))) is None
    late = _resume(provider, schema, token.text or "", NOW + timedelta(hours=1, seconds=1))
    assert error_code(late) == "badResumptionToken"
    # The same key in a new provider (a restarted server) accepts the token.
    again = OaiProvider(read_snapshot(out), page_size=2, token_key=key)
    assert error_code(_resume(again, schema, token.text or "")) is None
