"""The bag's PREMIS 3 XML (``metadata/premis.xml``), beside the PREMIS RDF event log.

Objects (one per payload file: fixity, size, format with its PRONOM key), events (message digest
calculation, packing, format identification; fixity checks appended by ``bag audit`` and metadata
modifications by ``bag update``) typed with the id.loc.gov event-type IRIs, and agents (this software with its
version, the identification tool with its version, the organisation). Valid against the PREMIS 3.0 XML Schema
(element order as the schema's sequences require: objects, then events, then agents). Deterministic: event
identifiers are numbers within the bag (``event-1``), dates come from the caller.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from lxml import etree

from heritage_ld._version import __version__
from heritage_ld.bags.events import EVENT_TYPES, Event, timestamp
from heritage_ld.bags.identify import Identification, ToolInfo

__all__ = ["PREMIS_FILE", "PremisObject", "append_premis_event", "format_premis"]

#: Where the PREMIS XML goes (a tag file).
PREMIS_FILE = "metadata/premis.xml"

NS = "http://www.loc.gov/premis/v3"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_P = f"{{{NS}}}"
_EVENT_SCHEME = "http://id.loc.gov/vocabulary/preservation/eventType"
_HASH_SCHEME = "http://id.loc.gov/vocabulary/preservation/cryptographicHashFunctions"
_ROLE_SCHEME = "http://id.loc.gov/vocabulary/preservation/eventRelatedAgentRole"
#: Our algorithm names -> the id.loc.gov cryptographicHashFunctions codes and labels.
_HASHES = {"md5": ("md5", "MD5"), "sha1": ("sha1", "SHA-1"), "sha224": ("sha224", "SHA-224"),
           "sha256": ("sha256", "SHA-256"), "sha384": ("sha384", "SHA-384"), "sha512": ("sha512", "SHA-512"),
           "blake2b": ("blake2b-512", "BLAKE2b-512")}
SOFTWARE = "agent/heritage-ld"
ORGANISATION = "agent/organisation"


@dataclass(frozen=True, slots=True)
class PremisObject:
    """One payload file: its path in the bag, size, digests by algorithm and its format."""

    path: str
    size: int
    digests: Mapping[str, str]
    format: Identification


#: Characters XML 1.0 cannot carry (§2.2): C0 controls but tab, line feed and carriage return, surrogates,
#: U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str) -> str:
    """``value`` as XML can carry it: unchanged when it can; else ``%`` and each character XML cannot carry
    percent-encoded (UTF-8), as a file name with a control character is (a bag may hold one: BagIt allows it,
    the PREMIS record must still be written).

    >>> xml_text("data/a b.jpg"), xml_text("data/bad\x07name 100%.jpg")
    ('data/a b.jpg', 'data/bad%07name 100%25.jpg')
    """
    if not _NOT_XML.search(value):
        return value
    return re.sub("[%\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]",
                  lambda m: "".join(f"%{b:02X}" for b in m[0].encode("utf-8", "surrogatepass")), value)


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrib: str) -> etree._Element:
    el = etree.SubElement(parent, _P + tag, {k: xml_text(v) for k, v in attrib.items()})
    if text is not None:
        el.text = xml_text(text)
    return el


def _identifier(parent: etree._Element, kind: str, value: str, prefix: str | None = None) -> None:
    box = _sub(parent, f"{prefix or kind}Identifier")
    _sub(box, f"{prefix or kind}IdentifierType", "local")
    _sub(box, f"{prefix or kind}IdentifierValue", value)


def _tool_id(tool: ToolInfo) -> str:
    return f"agent/{tool.name}"


def _object(root: etree._Element, obj: PremisObject) -> None:
    el = _sub(root, "object", **{f"{{{_XSI}}}type": "premis:file"})
    _identifier(el, "object", obj.path)
    chars = _sub(el, "objectCharacteristics")
    for algorithm, digest in sorted(obj.digests.items()):
        code, label = _HASHES.get(algorithm, (algorithm, algorithm))
        fixity = _sub(chars, "fixity")
        _sub(fixity, "messageDigestAlgorithm", label, authority="cryptographicHashFunctions",
             authorityURI=_HASH_SCHEME, valueURI=f"{_HASH_SCHEME}/{code}")
        _sub(fixity, "messageDigest", digest)
    _sub(chars, "size", str(obj.size))
    fmt = _sub(chars, "format")
    f = obj.format
    designation = _sub(fmt, "formatDesignation")
    _sub(designation, "formatName", f.name or f.media_type or "unknown")
    if f.version:
        _sub(designation, "formatVersion", f.version)
    if f.puid:
        registry = _sub(fmt, "formatRegistry")
        _sub(registry, "formatRegistryName", "PRONOM")
        _sub(registry, "formatRegistryKey", f.puid)
        _sub(registry, "formatRegistryRole", "specification")
    note = (f"identified by {f.tool.label} ({f.method})" if f.tool is not None
            else "format not identified: no signature matched and the fallback found nothing")
    _sub(fmt, "formatNote", note)
    if f.media_type:
        _sub(fmt, "formatNote", f"media type {f.media_type}")


def _event(number: int, event: Event, objects: Sequence[str], agents: Sequence[tuple[str, str]]
           ) -> etree._Element:
    el = etree.Element(_P + "event")
    _identifier(el, "event", f"event-{number}")
    code = EVENT_TYPES[event.kind]
    _sub(el, "eventType", event.kind, authority="eventType", authorityURI=_EVENT_SCHEME,
         valueURI=f"{_EVENT_SCHEME}/{code}")
    _sub(el, "eventDateTime", timestamp(event.date))
    outcome = _sub(el, "eventOutcomeInformation")
    _sub(outcome, "eventOutcome", "success" if event.success else "failure")
    if event.note:
        detail = _sub(outcome, "eventOutcomeDetail")
        _sub(detail, "eventOutcomeDetailNote", event.note)
    for agent, role in agents:
        box = _sub(el, "linkingAgentIdentifier")
        _sub(box, "linkingAgentIdentifierType", "local")
        _sub(box, "linkingAgentIdentifierValue", agent)
        _sub(box, "linkingAgentRole", role, authority="eventRelatedAgentRole", authorityURI=_ROLE_SCHEME,
             valueURI=f"{_ROLE_SCHEME}/{'exe' if role == 'executing program' else 'imp'}")
    for obj in objects:
        _identifier(el, "linkingObject", obj)
    return el


def _agent(root: etree._Element, ident: str, name: str, kind: str, version: str = "", note: str = "") -> None:
    el = _sub(root, "agent")
    _identifier(el, "agent", ident)
    _sub(el, "agentName", name)
    _sub(el, "agentType", kind)
    if version:
        _sub(el, "agentVersion", version)
    if note:
        _sub(el, "agentNote", note)


def format_premis(objects: Iterable[PremisObject], events: Iterable[Event], *, bag: str,
                  organisation: str | None = None) -> bytes:
    """The PREMIS 3 XML document of a new bag called ``bag``: its payload files, the events of its making
    (``format identification`` linked to the tools that answered) and the agents.

    >>> from datetime import datetime
    >>> xml = format_premis([], [Event("creation", datetime(1972, 12, 30))], bag="HNM.1972.001")
    >>> b'valueURI="http://id.loc.gov/vocabulary/preservation/eventType/cre"' in xml
    True
    """
    objects = sorted(objects, key=lambda o: o.path)
    root = etree.Element(_P + "premis", nsmap={"premis": NS, "xsi": _XSI}, version="3.0")
    for obj in objects:
        _object(root, obj)
    tools = sorted({o.format.tool for o in objects if o.format.tool is not None}, key=lambda t: t.name)
    ours = [(SOFTWARE, "executing program")] + ([(ORGANISATION, "implementer")] if organisation else [])
    for number, event in enumerate(events, start=1):
        agents = list(ours)
        linked = [o.path for o in objects]
        if event.kind == "format identification":
            agents += [(_tool_id(t), "executing program") for t in tools]
        root.append(_event(number, event, linked, agents))
    _agent(root, SOFTWARE, "heritage-ld", "software", __version__, f"bag {bag}")
    for tool in tools:
        _agent(root, _tool_id(tool), tool.name, "software", tool.version, tool.signatures)
    if organisation:
        _agent(root, ORGANISATION, organisation, "organization")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def append_premis_event(xml: bytes, event: Event) -> bytes:
    """``xml`` with one more event (after the last event, before the agents), numbered after the highest.

    >>> from datetime import datetime
    >>> xml = format_premis([], [Event("creation", datetime(1972, 12, 30))], bag="x")
    >>> b"event-2" in append_premis_event(xml, Event("fixity check", datetime(2026, 1, 1)))
    True

    Raises:
        ValueError: ``xml`` is not a PREMIS document.
    """
    parser = etree.XMLParser(no_network=True, resolve_entities=False, remove_blank_text=True)
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"not XML: {exc}") from None
    if root.tag != _P + "premis":
        raise ValueError("not a PREMIS document")
    events = root.findall(_P + "event")
    values = [el.findtext(f"{_P}eventIdentifier/{_P}eventIdentifierValue") or "" for el in events]
    numbers = [int(v[6:]) for v in values if v.startswith("event-") and v[6:].isdigit()]
    objects = [el.findtext(f"{_P}objectIdentifier/{_P}objectIdentifierValue") or ""
               for el in root.findall(_P + "object")]
    el = _event(max(numbers, default=0) + 1, event, objects, [(SOFTWARE, "executing program")])
    if events:
        events[-1].addnext(el)
    else:
        objs = root.findall(_P + "object")
        if objs:
            objs[-1].addnext(el)
        else:
            root.insert(0, el)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
