"""Fast, deterministic writers that format triples straight to text (no rdflib objects in between).

N-Triples and N-Quads follow RDF 1.1 N-Triples §2.3-2.4 with the canonical escapes of RDF 1.1 N-Triples
§4 / RDF 1.2 canonical N-Triples (``\\"``, ``\\\\``, ``\\n``, ``\\r``, ``\\t``, ``\\b``, ``\\f`` and ``\\uXXXX``
for other controls; everything else raw UTF-8), byte-identical to pyoxigraph's writer. Turtle (RDF 1.1 Turtle
§2.5, §6.5 escapes) groups by subject with prefixes; RDF/XML (RDF 1.1 XML Syntax §2.2-2.9) writes one
``rdf:Description`` per subject. Output is sorted: the same triples give the same bytes.

>>> from heritage_ld.rdf.terms import Literal
>>> print(ntriples([("https://ex.org/a", "http://purl.org/dc/terms/title", Literal('say "hi"\\n', "en"))]), end="")
<https://ex.org/a> <http://purl.org/dc/terms/title> "say \\"hi\\"\\n"@en .
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from heritage_ld.errors import FormatError
from heritage_ld.rdf.terms import PREFIXES, RDF_TYPE, XSD, Literal, Object, Triple

__all__ = ["canonical_ntriples", "jsonld_flat", "nquads", "ntriples", "rdfxml", "sort_triples", "turtle"]

_ESC = {i: f"\\u{i:04X}" for i in range(0x20)}
_ESC.update({0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r", 0x22: '\\"', 0x5C: "\\\\", 0x7F: "\\u007F"})
_NEEDS_ESC = re.compile(r'[\x00-\x1f"\\\x7f]')
_XSD_STRING = XSD + "string"


def _lit(o: Literal) -> str:
    v = o.value
    if _NEEDS_ESC.search(v):
        v = v.translate(_ESC)
    if o.language:
        return f'"{v}"@{o.language}'
    if o.datatype and o.datatype != _XSD_STRING:
        return f'"{v}"^^<{o.datatype}>'
    return f'"{v}"'


def _nt(o: Object) -> str:
    return f"<{o}>" if o.__class__ is str else _lit(o)  # type: ignore[arg-type]


def _key(t: Triple) -> tuple[str, str, int, str, str, str]:
    o = t[2]
    if isinstance(o, Literal):
        return (t[0], t[1], 1, o.value, o.language, o.datatype)
    return (t[0], t[1], 0, o, "", "")


def sort_triples(triples: Iterable[Triple]) -> list[Triple]:
    """Unique triples sorted by subject, predicate, then IRIs before literals."""
    return sorted(set(triples), key=_key)


def ntriples(triples: Iterable[Triple]) -> str:
    """N-Triples text, one line per triple in the given order (sort first for canonical output)."""
    return "".join(f"<{s}> <{p}> {_nt(o)} .\n" for s, p, o in triples)


def canonical_ntriples(triples: Iterable[Triple]) -> str:
    """N-Triples with duplicates removed and lines sorted (code point order): the fast canonical form.

    >>> canonical_ntriples([("https://e.org/b", "https://e.org/p", "https://e.org/o")] * 2).count("\\n")
    1
    """
    lines: set[str] = set()
    add = lines.add
    for s, p, o in triples:
        if o.__class__ is str:
            add(f"<{s}> <{p}> <{o}> .\n")
        else:
            add(f"<{s}> <{p}> {_lit(o)} .\n")  # type: ignore[arg-type]
    return "".join(sorted(lines))


def nquads(triples: Iterable[Triple], graph: str) -> str:
    """N-Quads text with every triple in the named graph ``graph`` (RDF 1.1 N-Quads §2)."""
    g = f"<{graph}>"
    return "".join(f"<{s}> <{p}> {_nt(o)} {g} .\n" for s, p, o in triples)


_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


_PREFIX_OF = {ns: prefix for prefix, ns in PREFIXES}


def _qname(iri: str) -> str | None:
    """``prefix:local`` for an IRI in a known namespace whose local part is a safe PN_LOCAL, else None."""
    cut = max(iri.rfind("#"), iri.rfind("/")) + 1
    prefix = _PREFIX_OF.get(iri[:cut])
    if prefix is None or not _LOCAL.match(iri[cut:]):
        return None
    return f"{prefix}:{iri[cut:]}"


def _ttl(o: Object) -> str:
    if isinstance(o, Literal):
        if o.datatype and not o.language and o.datatype != _XSD_STRING:
            v = o.value.translate(_ESC) if _NEEDS_ESC.search(o.value) else o.value
            q = _qname(o.datatype)
            return f'"{v}"^^{q}' if q else f'"{v}"^^<{o.datatype}>'
        return _lit(o)
    return _qname(o) or f"<{o}>"


def _prefix_block() -> str:
    return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES)


def turtle(triples: Iterable[Triple], *, prefixes: bool = True, main: str = "") -> str:
    """Turtle: prefixes, then one block per subject (``a`` first, then predicates sorted), sorted.

    Subjects starting with ``main`` (a document's resource and its hash nodes) come first, for a reader.
    """
    parts = [_prefix_block() + "\n"] if prefixes else []
    by_subject: dict[str, dict[str, set[str]]] = {}
    for s, p, o in triples:
        by_subject.setdefault(s, {}).setdefault(p, set()).add(_ttl(o))
    order = sorted(by_subject, key=lambda s: (not (main and s.startswith(main)), s))
    for s in order:
        preds = by_subject[s]
        lines = []
        if RDF_TYPE in preds:
            lines.append("a " + ", ".join(sorted(preds.pop(RDF_TYPE))))
        for p in sorted(preds):
            objs = sorted(preds[p])
            sep = ",\n        " if len(objs) > 2 else ", "
            lines.append(f"{_qname(p) or f'<{p}>'} " + sep.join(objs))
        parts.append(f"<{s}> " + " ;\n    ".join(lines) + " .\n\n")
    return "".join(parts)


_XML_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(v: str, attr: bool = False) -> str:
    if _XML_BAD.search(v):
        raise FormatError(f"{v!r} has a control character that XML 1.0 cannot carry (XML 1.0 §2.2); use Turtle")
    v = v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    if attr:
        v = v.replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")
    return v


def rdfxml(triples: Iterable[Triple]) -> str:
    """RDF/XML with one ``rdf:Description`` per subject (sorted); raises FormatError on XML-illegal text."""
    out = ['<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF']
    out += [f'\n   xmlns:{p}="{ns}"' for p, ns in PREFIXES]
    out.append(">\n")
    current = None
    for s, p, o in sort_triples(triples):
        if s != current:
            if current is not None:
                out.append("  </rdf:Description>\n")
            out.append(f'  <rdf:Description rdf:about="{_xml_text(s, True)}">\n')
            current = s
        q = _qname(p)
        if q is None:
            raise FormatError(f"the predicate <{p}> has no prefix usable in RDF/XML")
        if isinstance(o, Literal):
            attrs = f' xml:lang="{o.language}"' if o.language else (
                f' rdf:datatype="{_xml_text(o.datatype, True)}"' if o.datatype and o.datatype != _XSD_STRING else "")
            out.append(f"    <{q}{attrs}>{_xml_text(o.value)}</{q}>\n")
        else:
            out.append(f'    <{q} rdf:resource="{_xml_text(o, True)}"/>\n')
    if current is not None:
        out.append("  </rdf:Description>\n")
    out.append("</rdf:RDF>\n")
    return "".join(out)


def _json_value(o: Object) -> dict[str, str]:
    if isinstance(o, Literal):
        if o.language:
            return {"@value": o.value, "@language": o.language}
        if o.datatype and o.datatype != _XSD_STRING:
            return {"@value": o.value, "@type": o.datatype}
        return {"@value": o.value}
    return {"@id": o}


def jsonld_flat(triples: Iterable[Triple]) -> dict[str, Any]:
    """Flattened JSON-LD (JSON-LD 1.1 §4.9 ``@graph``) with prefixes as the context: any triples, any profile."""
    nodes: dict[str, dict[str, Any]] = {}
    for s, p, o in sort_triples(triples):
        node = nodes.setdefault(s, {"@id": s})
        if p == RDF_TYPE and isinstance(o, str):
            node.setdefault("@type", []).append(_qname(o) or o)
        else:
            node.setdefault(_qname(p) or p, []).append(_json_value(o))
    return {"@context": dict(PREFIXES), "@graph": list(nodes.values())}


def dumps_json(doc: Any) -> str:
    """JSON text as written everywhere: UTF-8, 2-space indent, key order kept."""
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
