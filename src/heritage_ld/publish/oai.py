"""An OAI-PMH 2.0 data provider over a build output folder, with lxml.

All six verbs (OAI-PMH 2.0 §4), metadata formats ``oai_dc`` (simple Dublin Core, §Appendix, with the item's
page as a ``dc:identifier`` and its thumbnail as a ``dc:relation``), ``rdf`` (the item's RDF/XML as the ``rdf``
step wrote it) and ``edm`` (the Europeana Data Model record the ``edm`` step wrote, for the items that have one), sets = the exhibition's sections, stateless resumption tokens
(§3.5; opaque, signed and expiring, see :mod:`heritage_ld.publish.tokens`; a rebuild that changes the list
expires them too: ``badResumptionToken``) with a configurable page size, datestamps at seconds granularity, and
every error condition of §3.6 that can apply: ``badVerb``, ``badArgument``, ``badResumptionToken``,
``cannotDisseminateFormat``, ``idDoesNotExist``, ``noRecordsMatch``, ``noMetadataFormats`` and
``noSetHierarchy``. An argument XML cannot carry (a control character, U+FFFE, U+FFFF) is a ``badArgument``,
never echoed.

When the build keeps its ledger (``OUT/ledger.sqlite3``, the default), each record's datestamp is the time its
metadata last changed (never the time of a rebuild that left it unchanged), and items withdrawn from the
catalogue stay as deleted records (``deletedRecord`` is ``persistent``), dated when they were withdrawn.

Spec: https://www.openarchives.org/OAI/openarchivesprotocol.html

>>> oai_identifier("heritage-ld.example", "HNM 1")
'oai:heritage-ld.example:HNM%201'
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from heritage_ld.ledger import ItemRecord, Ledger
from heritage_ld.model import UrlScheme, iri_segment
from heritage_ld.publish.artefacts import THUMB_WIDTH, datestamp_of, image_service
from heritage_ld.publish.snapshot import Snapshot
from heritage_ld.publish.tokens import BadToken, TokenSigner

__all__ = ["FORMATS", "OaiProvider", "oai_identifier"]

OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_NS = "http://www.w3.org/XML/1998/namespace"
OAI_ID = "http://www.openarchives.org/OAI/2.0/oai-identifier"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

#: Metadata formats: prefix -> (schema, namespace).
FORMATS: Mapping[str, tuple[str, str]] = {
    "oai_dc": ("http://www.openarchives.org/OAI/2.0/oai_dc.xsd", OAI_DC),
    "rdf": ("http://www.openarchives.org/OAI/2.0/rdf.xsd", RDF),
    # Europeana's own OAI-PMH prefix, schema and namespace for EDM (the record's root is rdf:RDF).
    "edm": ("http://www.europeana.eu/schemas/edm/EDM.xsd", "http://www.europeana.eu/schemas/edm/"),
}
#: Where each metadata format's per-item file is under OUT (``oai_dc`` comes from the snapshot).
_FILES = {"rdf": ("rdf/object", "rdf"), "edm": ("rdf/edm", "rdf")}

# §3.3.1: repositories support day or seconds granularity; this one supports seconds.
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
# ASCII digits only (\d would take '２020' or '٢٠٢٠' for 2020), to the end of the string (not before a newline).
_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_SECOND = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\Z")

# §4: arguments per verb: (required, optional); resumptionToken is "exclusive" where listed.
_ARGS: Mapping[str, tuple[frozenset[str], frozenset[str], bool]] = {
    "Identify": (frozenset(), frozenset(), False),
    "ListMetadataFormats": (frozenset(), frozenset({"identifier"}), False),
    "ListSets": (frozenset(), frozenset(), True),
    "GetRecord": (frozenset({"identifier", "metadataPrefix"}), frozenset(), False),
    "ListIdentifiers": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"}), True),
    "ListRecords": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"}), True),
}
_LIST_ARGS = _ARGS["ListRecords"][0] | _ARGS["ListRecords"][1]  # what a resumption token may carry
# XML 1.0 §2.2 Char: what an attribute or text can hold. Anything else in an argument is a badArgument.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def oai_identifier(repository: str, accession: str) -> str:
    """The OAI identifier of an item (oai-identifier scheme: ``oai:{repository}:{local}``)."""
    return f"oai:{repository}:{iri_segment(accession)}"


class OaiError(Exception):
    """One OAI-PMH error condition (§3.6): its code and message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class _Record:
    accession: str
    identifier: str
    datestamp: datetime
    sets: tuple[str, ...]
    entry: Mapping[str, Any]
    deleted: bool = False


def _stamp(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_date(value: str, *, end: bool) -> tuple[datetime, str]:
    if _SECOND.match(value):
        fmt, granularity = "%Y-%m-%dT%H:%M:%SZ", "second"
    elif _DAY.match(value):
        fmt, granularity = "%Y-%m-%d", "day"
    else:
        raise OaiError("badArgument", f"{value!r} is not a date in the granularity {GRANULARITY} or YYYY-MM-DD")
    try:
        when = datetime.strptime(value, fmt).replace(tzinfo=timezone.utc)
    except ValueError:
        raise OaiError("badArgument", f"{value!r} is not a valid date") from None
    if granularity == "day" and end:  # an until day includes the whole day (§3.3.1)
        when += timedelta(days=1) - timedelta(seconds=1)
    return when, granularity


class OaiProvider:
    """Answers OAI-PMH requests for a build output folder read through its snapshot.

    Args:
        snapshot: the exhibition snapshot (:func:`heritage_ld.publish.read_snapshot`).
        page_size: records or identifiers per list response before a resumption token.
        token_key: the secret that signs resumption tokens (:func:`heritage_ld.publish.tokens.load_key`);
            default: a new one, valid for this provider only.
        token_ttl: how long a resumption token stays valid (its ``expirationDate``).
    """

    def __init__(self, snapshot: Snapshot, *, page_size: int = 100, token_key: bytes | None = None,
                 token_ttl: timedelta = timedelta(hours=24)) -> None:
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        self.snapshot = snapshot
        self.page_size = page_size
        self.tokens = TokenSigner(token_key or secrets.token_bytes(32), ttl=token_ttl)
        self.urls = UrlScheme(snapshot.base_url)
        self.repository = urlsplit(snapshot.base_url).hostname or "localhost"

    @cached_property
    def _ledger_items(self) -> dict[str, ItemRecord] | None:
        """The build ledger's items (``None`` without a ledger: datestamps then come from the build time)."""
        ledger = Ledger.read_only(self.snapshot.out)
        if ledger is None:
            return None
        try:
            return {r.accession: r for r in ledger.items()}
        finally:
            ledger.close()

    @property
    def deleted_records(self) -> bool:
        """True when the build keeps a ledger: withdrawn items are then kept as deleted records (persistent)."""
        return self._ledger_items is not None

    @cached_property
    def records(self) -> tuple[_Record, ...]:
        """Every record: the snapshot's items, then the withdrawn items the ledger remembers, each dated by the
        ledger (when its metadata last changed, or when it was withdrawn)."""
        fixed = self.snapshot.data.get("datestamp")
        history = self._ledger_items or {}
        records = []
        for e in self.snapshot.items:
            known = history.get(e["accession"])
            stamp = (datetime.fromtimestamp(known.changed, tz=timezone.utc) if known is not None
                     else datestamp_of(self.snapshot.out, e["accession"], fixed))
            records.append(_Record(
                accession=e["accession"],
                identifier=oai_identifier(self.repository, e["accession"]),
                datestamp=stamp,
                sets=(e["section"],) if e.get("section") else (),
                entry=e,
            ))
        present = {e["accession"] for e in self.snapshot.items}
        for acc, known in sorted(history.items()):
            if known.withdrawn is not None and acc not in present:
                records.append(_Record(
                    accession=acc,
                    identifier=oai_identifier(self.repository, acc),
                    datestamp=datetime.fromtimestamp(known.withdrawn, tz=timezone.utc),
                    sets=known.sets,
                    entry={"accession": acc},
                    deleted=True,
                ))
        return tuple(records)

    # -- the protocol -------------------------------------------------------------------------------
    def respond(self, params: Mapping[str, Sequence[str]], *, endpoint: str, now: datetime | None = None) -> bytes:
        """The XML response (UTF-8 bytes) to a request with these (repeatable) parameters.

        Errors are OAI-PMH ``<error>`` elements in a normal response (§3.6), never exceptions.
        """
        now = now or datetime.now(timezone.utc)
        root = etree.Element(f"{{{OAI}}}OAI-PMH", nsmap={None: OAI, "xsi": XSI})  # type: ignore[dict-item]  # lxml-stubs: None = default namespace
        root.set(f"{{{XSI}}}schemaLocation", f"{OAI} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd")
        etree.SubElement(root, f"{{{OAI}}}responseDate").text = _stamp(now)
        request = etree.SubElement(root, f"{{{OAI}}}request")
        request.text = endpoint
        try:
            verb, args = self._check(params)
            for name, value in sorted(args.items()):  # §3.2: echo the arguments of a valid request only
                request.set(name, value)
            request.set("verb", verb)
            if verb in ("ListIdentifiers", "ListRecords"):  # the lists hand out tokens, which expire
                body = self._list(verb, args, now)
            else:
                body = getattr(self, f"_{verb}")(args)
            root.append(body)
        except OaiError as exc:
            if exc.code in ("badVerb", "badArgument"):
                request.attrib.clear()
            error = etree.SubElement(root, f"{{{OAI}}}error", code=exc.code)
            error.text = exc.message
        return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))

    def _check(self, params: Mapping[str, Sequence[str]]) -> tuple[str, dict[str, str]]:
        verbs = list(params.get("verb", []))
        if len(verbs) != 1 or verbs[0] not in _ARGS:
            raise OaiError("badVerb", "missing, repeated or illegal verb" if verbs else "no verb")
        verb = verbs[0]
        if any(_NOT_XML.search(text) for name, values in params.items() for text in (name, *values)):
            raise OaiError("badArgument", "an argument holds a character XML cannot carry (a control character, "
                                          "U+FFFE or U+FFFF)")
        required, optional, exclusive = _ARGS[verb]
        args: dict[str, str] = {}
        for name, values in params.items():
            if name == "verb":
                continue
            if len(values) != 1:
                raise OaiError("badArgument", f"argument {name} is repeated")
            allowed = required | optional | ({"resumptionToken"} if exclusive else frozenset())
            if name not in allowed:
                raise OaiError("badArgument", f"{verb} does not take the argument {name}")
            args[name] = values[0]
        if "resumptionToken" in args:
            if len(args) > 1:
                raise OaiError("badArgument", "resumptionToken is an exclusive argument")
        else:
            missing = required - args.keys()
            if missing:
                raise OaiError("badArgument", f"{verb} needs {', '.join(sorted(missing))}")
        return verb, args

    def _el(self, tag: str, text: str | None = None, parent: Any = None) -> Any:
        el = etree.Element(f"{{{OAI}}}{tag}") if parent is None else etree.SubElement(parent, f"{{{OAI}}}{tag}")
        if text is not None:
            el.text = text
        return el

    def _Identify(self, args: Mapping[str, str]) -> Any:
        data = self.snapshot.data
        body = self._el("Identify")
        titles = [t for _, t in data["title"]]
        self._el("repositoryName", " / ".join(titles) or data["key"], body)
        self._el("baseURL", f"{self.snapshot.base_url}/oai", body)
        self._el("protocolVersion", "2.0", body)
        email = data.get("admin_email")
        if not email:  # never invented: the server answers 503 (P040) before it gets here
            raise OaiError("badArgument", "this repository has no adminEmail")
        self._el("adminEmail", email, body)
        earliest = min((r.datestamp for r in self.records), default=datetime.fromtimestamp(0, tz=timezone.utc))
        self._el("earliestDatestamp", _stamp(earliest), body)
        # With a build ledger, withdrawn items stay as deleted records for good (§2.5.1 "persistent").
        self._el("deletedRecord", "persistent" if self.deleted_records else "no", body)
        self._el("granularity", GRANULARITY, body)
        if re.fullmatch(r"[a-zA-Z][a-zA-Z0-9\-]*(\.[a-zA-Z][a-zA-Z0-9\-]*)+", self.repository):
            desc = self._el("description", parent=body)
            ident = etree.SubElement(desc, f"{{{OAI_ID}}}oai-identifier", nsmap={None: OAI_ID})  # type: ignore[dict-item]
            ident.set(f"{{{XSI}}}schemaLocation", f"{OAI_ID} http://www.openarchives.org/OAI/2.0/oai-identifier.xsd")
            for tag, text in (("scheme", "oai"), ("repositoryIdentifier", self.repository), ("delimiter", ":"),
                              ("sampleIdentifier", self.records[0].identifier if self.records
                               else oai_identifier(self.repository, "example"))):
                etree.SubElement(ident, f"{{{OAI_ID}}}{tag}").text = text
        return body

    def _record(self, identifier: str) -> _Record:
        for r in self.records:
            if r.identifier == identifier:
                return r
        raise OaiError("idDoesNotExist", f"no item has the identifier {identifier!r}")

    @property
    def has_admin_email(self) -> bool:
        """Whether the catalogue gave a contact (OAI-PMH requires one; heritage-ld never invents one)."""
        return bool(self.snapshot.data.get("admin_email"))

    def _file(self, accession: str, prefix: str) -> str:
        folder, extension = _FILES[prefix]
        return f"{folder}/{iri_segment(accession)}.{extension}"

    def _formats_of(self, record: _Record) -> list[str]:
        if record.deleted:  # a deleted record is reported in every format (§2.5.1)
            return list(FORMATS)
        return ["oai_dc", *(p for p in _FILES if (self.snapshot.out / self._file(record.accession, p)).is_file())]

    def _ListMetadataFormats(self, args: Mapping[str, str]) -> Any:
        if "identifier" in args:
            prefixes = self._formats_of(self._record(args["identifier"]))
        else:
            prefixes = sorted({p for r in self.records for p in self._formats_of(r)} | {"oai_dc"})
        body = self._el("ListMetadataFormats")
        for prefix in prefixes:
            fmt = self._el("metadataFormat", parent=body)
            schema, namespace = FORMATS[prefix]
            self._el("metadataPrefix", prefix, fmt)
            self._el("schema", schema, fmt)
            self._el("metadataNamespace", namespace, fmt)
        return body

    def _ListSets(self, args: Mapping[str, str]) -> Any:
        if "resumptionToken" in args:
            raise OaiError("badResumptionToken", "the set list is never split: no resumption token is valid")
        if not self.snapshot.sections:
            raise OaiError("noSetHierarchy", "this repository has no sections, hence no sets")
        body = self._el("ListSets")
        for section in self.snapshot.sections:
            s = self._el("set", parent=body)
            self._el("setSpec", section["key"], s)
            self._el("setName", " / ".join(t for _, t in section["title"]) or section["key"], s)
            if section["summary"]:
                desc = self._el("setDescription", parent=s)
                desc.append(_dc([["description", lang, text] for lang, text in section["summary"]]))
        return body

    def _GetRecord(self, args: Mapping[str, str]) -> Any:
        record = self._record(args["identifier"])
        prefix = args["metadataPrefix"]
        if prefix not in self._formats_of(record):
            raise OaiError("cannotDisseminateFormat", f"{prefix!r} is not available for this item")
        body = self._el("GetRecord")
        body.append(self._full_record(record, prefix))
        return body

    def _links(self, accession: str) -> list[list[str]]:
        """The item's page (``dc:identifier``) and thumbnail (``dc:relation``) for ``oai_dc``.

        DPLA's application profile maps ``edm:isShownAt`` from a URL in ``dc:identifier``; a thumbnail there too
        would be taken for the page, so it goes in ``dc:relation``, where DPLA's and Europeana's simple-DC
        crosswalks look for a related resource (docs/aggregators.md).
        """
        rows = []
        page = self.urls.path(self.urls.page(accession))
        if (self.snapshot.out / page).is_file():
            rows.append(["identifier", "", self.urls.page(accession)])
        thumb = self._thumbnail(accession)
        if thumb is not None:
            rows.append(["relation", "", f"{self.urls.base_url}/{thumb}"])
        return rows

    def _thumbnail(self, accession: str) -> str | None:
        """The path under OUT of the item's thumbnail, as the site shows it (a pre-rendered IIIF size, else the
        site's own thumbnail), or ``None``."""
        service = image_service(self.snapshot.out, self.urls, accession)
        if service is not None:
            return service.size_file(THUMB_WIDTH)
        own = f"site/thumbs/{iri_segment(accession)}.jpg"
        return own if (self.snapshot.out / own).is_file() else None

    # -- lists and resumption tokens (§3.5) ---------------------------------------------------------
    @cached_property
    def _fingerprint(self) -> str:
        """The list that tokens page through: a rebuild that adds, removes or re-dates a record expires them."""
        digest = hashlib.sha256()
        for r in self.records:
            digest.update(f"{r.identifier}\t{_stamp(r.datestamp)}\t{' '.join(r.sets)}\n".encode())
        return digest.hexdigest()[:16]

    def _encode(self, query: Mapping[str, str], offset: int, now: datetime) -> tuple[str, datetime]:
        state = {"q": dict(sorted(query.items())), "o": offset, "f": self._fingerprint}
        return self.tokens.sign(state, now=now)

    def _decode(self, token: str, now: datetime) -> tuple[dict[str, str], int]:
        try:
            state = self.tokens.verify(token, now=now)
        except BadToken as exc:
            raise OaiError("badResumptionToken", f"the resumption token is not valid: {exc}") from None
        # Signed by this server, so well formed; checked all the same, a field at a time.
        state = state if isinstance(state, dict) else {}
        query, offset = state.get("q"), state.get("o")
        if not (isinstance(query, dict) and query.keys() <= _LIST_ARGS and "metadataPrefix" in query
                and all(isinstance(v, str) for v in query.values())
                and type(offset) is int and offset >= 0):
            raise OaiError("badResumptionToken", "the resumption token is not valid")
        if state.get("f") != self._fingerprint:
            raise OaiError("badResumptionToken", "the list has changed since the token was made: start again")
        return dict(query), offset

    def _list(self, verb: str, args: Mapping[str, str], now: datetime) -> Any:
        if "resumptionToken" in args:
            query, offset = self._decode(args["resumptionToken"], now)
        else:
            query, offset = dict(args), 0
        prefix = query["metadataPrefix"]
        if prefix not in FORMATS:
            raise OaiError("cannotDisseminateFormat", f"unknown metadata format {prefix!r}")
        low = _parse_date(query["from"], end=False) if "from" in query else None
        high = _parse_date(query["until"], end=True) if "until" in query else None
        if low and high and low[1] != high[1]:
            raise OaiError("badArgument", "from and until must have the same granularity")
        if "set" in query and not self.snapshot.sections:
            raise OaiError("noSetHierarchy", "this repository has no sets")
        matches = [
            r for r in self.records
            if (low is None or r.datestamp >= low[0]) and (high is None or r.datestamp <= high[0])
            and ("set" not in query or query["set"] in r.sets)
            and prefix in self._formats_of(r)
        ]
        if not matches:
            raise OaiError("noRecordsMatch", "no record matches the arguments")
        if offset >= len(matches):
            raise OaiError("badResumptionToken", "the resumption token points past the end of the list")
        body = self._el(verb)
        page = matches[offset:offset + self.page_size]
        for r in page:
            body.append(self._header(r) if verb == "ListIdentifiers" else self._full_record(r, prefix))
        if offset > 0 or len(matches) > offset + len(page):
            nxt = offset + len(page)
            token = self._el("resumptionToken", parent=body)
            if nxt < len(matches):
                token.text, expires = self._encode(query, nxt, now)
                token.set("expirationDate", _stamp(expires))
            token.set("completeListSize", str(len(matches)))
            token.set("cursor", str(offset))
        return body

    # -- records ------------------------------------------------------------------------------------
    def _header(self, record: _Record) -> Any:
        header = self._el("header")
        if record.deleted:
            header.set("status", "deleted")
        self._el("identifier", record.identifier, header)
        self._el("datestamp", _stamp(record.datestamp), header)
        for spec in record.sets:
            self._el("setSpec", spec, header)
        return header

    def _full_record(self, record: _Record, prefix: str) -> Any:
        el = self._el("record")
        el.append(self._header(record))
        if record.deleted:  # §2.5.1: a deleted record has a header and no metadata
            return el
        metadata = self._el("metadata", parent=el)
        if prefix == "oai_dc":
            metadata.append(_dc([*record.entry["dc"], *self._links(record.accession)]))
        else:
            path = self.snapshot.out / self._file(record.accession, prefix)
            parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)
            metadata.append(etree.parse(str(path), parser).getroot())
        return el


def _dc(rows: Sequence[Sequence[str]]) -> Any:
    """An ``oai_dc:dc`` element from ``[element, lang, value]`` rows."""
    dc = etree.Element(f"{{{OAI_DC}}}dc", nsmap={"oai_dc": OAI_DC, "dc": DC, "xsi": XSI})
    dc.set(f"{{{XSI}}}schemaLocation", f"{OAI_DC} http://www.openarchives.org/OAI/2.0/oai_dc.xsd")
    for element, lang, value in rows:
        child = etree.SubElement(dc, f"{{{DC}}}{element}")
        child.text = value
        if lang:
            child.set(f"{{{XML_NS}}}lang", lang)
    return dc
