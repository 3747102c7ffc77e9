"""The bag's preservation event log: PREMIS 3 events in RDF (Turtle), written as text.

The bag layer knows no RDF library (the emitters are independent): the log is a small, fixed Turtle shape,
written by hand and appended to by :func:`append_event`. Terms: the PREMIS 3 ontology
(``http://www.loc.gov/premis/rdf/v3/``, where ``premis:Event`` is a ``prov:Activity``) and the Library of
Congress event-type vocabulary (``http://id.loc.gov/vocabulary/preservation/eventType/``: ``cre`` creation,
``mes`` message digest calculation, ``fix`` fixity check, ``mem`` metadata modification, ``for`` format
identification, ``pac`` packing).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

from heritage_ld._version import __version__

__all__ = ["EVENT_TYPES", "Event", "append_event", "count_events", "format_events", "timestamp"]

#: Event kinds we record -> LoC preservation event-type code.
EVENT_TYPES = {
    "creation": "cre",
    "message digest calculation": "mes",
    "fixity check": "fix",
    "metadata modification": "mem",
    "format identification": "for",
    "packing": "pac",
}

AGENT = f"heritage-ld {__version__}"

_HEADER = """\
@prefix dct: <http://purl.org/dc/terms/> .
@prefix eventType: <http://id.loc.gov/vocabulary/preservation/eventType/> .
@prefix premis: <http://www.loc.gov/premis/rdf/v3/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<#bag> a premis:IntellectualEntity ;
    rdfs:label {label} .

<#agent> a premis:SoftwareAgent ;
    rdfs:label {agent} .

<#outcome-success> a premis:OutcomeStatus ;
    rdfs:label "success" .

<#outcome-failure> a premis:OutcomeStatus ;
    rdfs:label "failure" .
"""

# Event numbers of up to 18 digits: a longer one (a hand-edited log) is not counted, and cannot crash int().
_EVENT_ID = re.compile(rb"^<#event-([0-9]{1,18})> a premis:Event", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Event:
    """One preservation event: its kind (a key of :data:`EVENT_TYPES`), when, whether it succeeded, a note."""

    kind: str
    date: datetime
    success: bool = True
    note: str = ""


def _literal(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def timestamp(date: datetime) -> str:
    if date.tzinfo is None:
        date = date.replace(tzinfo=timezone.utc)
    return date.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _format_event(number: int, event: Event) -> str:
    outcome = "success" if event.success else "failure"
    lines = [
        f"<#event-{number}> a premis:Event ;",
        f"    dct:type eventType:{EVENT_TYPES[event.kind]} ;",
        f"    rdfs:label {_literal(event.kind)} ;",
        f'    prov:atTime "{timestamp(event.date)}"^^xsd:dateTime ;',
        f"    premis:outcome <#outcome-{outcome}> ;",
    ]
    if event.note:
        lines.append(f"    premis:outcomeNote {_literal(event.note)} ;")
    lines.append("    prov:wasAssociatedWith <#agent> ;")
    lines.append("    prov:used <#bag> .")
    return "\n" + "\n".join(lines) + "\n"


def format_events(events: Iterable[Event], *, label: str, base: str | None = None) -> bytes:
    """A new event log (Turtle bytes) for the bag called ``label``. Event IRIs are relative (``<#event-1>``)
    and resolve against ``base`` when given (an ``@base`` line), else against the file's own location.

    >>> ttl = format_events([Event("creation", datetime(1972, 12, 30))], label="HN1972.001").decode()
    >>> "eventType:cre" in ttl and '"1972-12-30T00:00:00Z"^^xsd:dateTime' in ttl
    True
    """
    text = (f"@base <{base}> .\n" if base else "") + _HEADER.replace("{label}", _literal(label)).replace(
        "{agent}", _literal(AGENT))
    for number, event in enumerate(events, start=1):
        text += _format_event(number, event)
    return text.encode("utf-8")


def count_events(log: bytes) -> int:
    """How many events a log holds.

    >>> count_events(format_events([Event("creation", datetime(1972, 12, 30))], label="x"))
    1
    """
    return max((int(m.group(1)) for m in _EVENT_ID.finditer(log)), default=0)


def append_event(log: bytes, event: Event) -> bytes:
    """The log with one more event, numbered after the last (the existing text is kept byte for byte).

    >>> log = format_events([Event("creation", datetime(1972, 12, 30))], label="x")
    >>> count_events(append_event(log, Event("fixity check", datetime(2026, 1, 1), note="2 files")))
    2
    """
    return log + _format_event(count_events(log) + 1, event).encode("utf-8")
