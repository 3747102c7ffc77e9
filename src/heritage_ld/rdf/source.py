"""RDF from wherever a caller has it: a path (also ``.gz``), bytes, text, a parsed JSON-LD document, a graph.

The format comes from the argument, else the file extension (``dataset.nt.gz`` is N-Triples), else the bytes
themselves (JSON, XML, Turtle or N-Triples are told apart by how they start). JSON-LD contexts are never
fetched: the Linked Art context (any of its published addresses) is replaced by the copy in ``vocab/``, and a
context no copy exists for is left out with a warning (its terms then read as relative IRIs, or not at all).
"""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import rdflib

from heritage_ld import vocab
from heritage_ld.errors import CatalogueError, FormatError
from heritage_ld.formats import JSON_LD, N_QUADS, RDF_XML, TURTLE, Format
from heritage_ld.problems import Location, Problem, report

__all__ = ["LINKED_ART_CONTEXTS", "Source", "read_graph", "sniff"]

#: A source of RDF: a path, bytes, text, a parsed JSON-LD document (dict or list), or an rdflib graph.
Source = str | Path | bytes | dict[str, Any] | list[Any] | rdflib.Graph

#: The addresses the Linked Art v1 context is published at (https://linked.art/ns/v1/linked-art.json).
LINKED_ART_CONTEXTS = frozenset({
    "https://linked.art/ns/v1/linked-art.json", "http://linked.art/ns/v1/linked-art.json",
    "https://linked.art/ns/v1/linked-art.json/", "linked-art.json",
})

#: Terms museums serve that the Linked Art v1 context does not define, read with it: from the context before v1
#: (2018 and earlier), "ManMadeObject" (``E22_Man-Made_Object`` until CIDOC-CRM 6.2.6), "label" (now "_label") and
#: the ``aat:``/``ulan:``/``tgn:`` prefixes of compact IRIs (a name's or identifier's "value" is read by the
#: reader); from the Getty's version of the context, "close_match" (``skos:closeMatch``), which ties its role
#: statements to AAT roles.
_EXTRA_TERMS: dict[str, Any] = {
    "ManMadeObject": {"@id": "crm:E22_Human-Made_Object"},
    "label": {"@id": "rdfs:label"},
    "aat": "http://vocab.getty.edu/aat/", "ulan": "http://vocab.getty.edu/ulan/", "tgn": "http://vocab.getty.edu/tgn/",
    "close_match": {"@id": "skos:closeMatch", "@type": "@id", "@container": "@set"},
}

_GZIP = b"\x1f\x8b"


def sniff(data: bytes) -> Format:
    """The format of RDF ``data`` from how it starts (after a BOM and white space).

    >>> [sniff(d).extension for d in (b' {"@context": 1}', b'<?xml version="1.0"?><rdf:RDF/>',
    ...                                b'@prefix ex: <x:> .', b'<https://e.org/a> <https://e.org/b> "c" .')]
    ['jsonld', 'rdf', 'ttl', 'ttl']
    """
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"{", b"["):
        return JSON_LD
    if head.startswith(b"<?xml") or head.startswith(b"<rdf:RDF") or head.startswith(b"<!--"):
        return RDF_XML
    return TURTLE  # N-Triples is Turtle too


def _format_of_name(name: str) -> Format | None:
    suffixes = [s for s in Path(name).suffixes if s.lower() != ".gz"]
    if not suffixes:
        return None
    try:
        return Format.from_extension(suffixes[-1])
    except FormatError:
        return None


def _linked_art() -> Any:
    return {**vocab.read_json("linked-art-context.json")["@context"], **_EXTRA_TERMS}


def _contexts(context: Any, where: str, problems: list[Problem]) -> Any:
    """``context`` with the Linked Art context replaced by the shipped copy and unknown remote ones dropped.

    A copy of the Linked Art context served elsewhere (the Getty serves ``https://static.getty.edu/contexts/
    linked.art/ns/v1.1.0/linked-art.json``; any address ending in ``/linked-art.json``) is read as the Linked Art
    v1 context, with a warning (R010): its version may differ from the copy heritage-ld ships.
    """
    if isinstance(context, str):
        if context in LINKED_ART_CONTEXTS:
            return _linked_art()
        if context.rstrip("/").endswith("/linked-art.json"):
            problems.append(report("R010", Location(where), focus=where, value=context))
            return _linked_art()
        problems.append(report("R008", Location(where), focus=where, value=context))
        return {}
    if isinstance(context, list):
        return [_contexts(c, where, problems) for c in context]
    return context


def _local_contexts(doc: Any, where: str, problems: list[Problem]) -> Any:
    if isinstance(doc, dict):
        return {k: (_contexts(v, str(doc.get("id", doc.get("@id", where))), problems) if k == "@context"
                    else _local_contexts(v, where, problems)) for k, v in doc.items()}
    if isinstance(doc, list):
        return [_local_contexts(v, where, problems) for v in doc]
    return doc


class _NoLiteralTracebacks(logging.Filter):
    """Drops rdflib's log record (with a traceback) for a typed literal Python cannot hold, such as the
    ``xsd:dateTime`` of a year before the common era (``-0500-01-01T00:00:00``): the literal is kept as it is,
    and the reader reports the date it cannot read as a coded warning (R007)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Failed to convert Literal lexical form")


@contextmanager
def _quiet_literals() -> Iterator[None]:
    log, quiet = logging.getLogger("rdflib.term"), _NoLiteralTracebacks()
    log.addFilter(quiet)
    try:
        yield
    finally:
        log.removeFilter(quiet)


def _parse_jsonld(doc: Any, name: str, problems: list[Problem]) -> rdflib.Graph:
    g = rdflib.Graph()
    doc = _local_contexts(doc, name, problems)
    g.parse(data=json.dumps(doc), format="json-ld")
    return g


def _is_text_rdf(value: str) -> bool:
    head = value.lstrip("\ufeff \t\r\n")[:1]
    return head in ("{", "[", "<", "@") or "\n" in value


def read_graph(source: Source, *, format: str | Format | None = None,
               problems: list[Problem] | None = None) -> rdflib.Graph:
    """Parse ``source`` into an rdflib graph.

    Args:
        source: a path (``.gz`` is decompressed), bytes, text (a path when it holds no RDF), a JSON-LD document
            already parsed (``dict`` or ``list``), or a graph (returned as is).
        format: a :class:`~heritage_ld.formats.Format` or its name; by default from the extension, else sniffed.
        problems: receives warnings (``R008``: a JSON-LD context that is not fetched).

    Raises:
        CatalogueError: the RDF cannot be parsed (``R002``).
        FormatError: an unknown format name.
    """
    found: list[Problem] = problems if problems is not None else []
    if isinstance(source, rdflib.Graph):
        return source
    fmt = Format.from_name(format) if isinstance(format, str) else format
    doc: Any = None
    if isinstance(source, (dict, list)):
        doc, name, data = source, "<JSON-LD document>", b""
        fmt = JSON_LD
    elif isinstance(source, str) and _is_text_rdf(source):
        data, name = source.encode("utf-8"), "<text>"
    elif isinstance(source, (str, Path)):
        path = Path(source)
        data, name = path.read_bytes(), str(path)
        fmt = fmt or _format_of_name(path.name)
    else:
        data, name = bytes(source), "<bytes>"
    if data[:2] == _GZIP:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise CatalogueError([report("R002", Location(name), value=name, format="gzip", reason=str(exc))]) from None
    fmt = fmt or sniff(data)
    with _quiet_literals():
        try:
            if fmt is JSON_LD:
                return _parse_jsonld(doc if doc is not None else json.loads(data), name, found)
            g = rdflib.Graph()
            if fmt is N_QUADS:  # every named graph merged into one
                ds = rdflib.Dataset()
                ds.parse(data=data, format="nquads")
                for s, p, o, _g in ds.quads((None, None, None, None)):
                    g.add((s, p, o))
            else:
                g.parse(data=data, format=fmt.rdflib_name)
        except Exception as exc:  # rdflib and json raise many parser-specific classes
            raise CatalogueError([report("R002", Location(name), value=name, format=fmt.name, reason=str(exc))]) from None
    return g
