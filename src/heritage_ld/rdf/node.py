"""A Linked Art resource as a tree of :class:`Node` values, read through the shipped JSON-LD context.

One tree gives both outputs: :func:`node_triples` expands it to triples with the Linked Art context
(``vocab/linked-art-context.json``: type-scoped terms first, JSON-LD 1.1 §4.1.8, then the top-level terms), and
:func:`node_json` writes it as compacted JSON-LD with the same keys, so the JSON-LD always expands to exactly
the triples of the other formats.

>>> n = Node("https://example.org/object/1", "HumanMadeObject", "Example")
>>> n.add("identified_by", Node("https://example.org/object/1#name", "Name").set("content", "Example"))
>>> [t[1].rsplit("/", 1)[1] for t in node_triples(n)]
['22-rdf-syntax-ns#type', 'rdf-schema#label', 'P1_is_identified_by', '22-rdf-syntax-ns#type', 'P190_has_symbolic_content']
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Union

from heritage_ld import vocab
from heritage_ld.errors import FormatError
from heritage_ld.rdf.terms import RDF_TYPE, Literal, Triple

__all__ = ["CONTEXT_URL", "Node", "class_iri", "node_json", "node_triples", "term"]

#: The Linked Art context IRI written in documents; it is never fetched (the copy in vocab/ is used).
CONTEXT_URL = "https://linked.art/ns/v1/linked-art.json"

Value = Union["Node", str, int, float]


@dataclass(slots=True)
class Node:
    """One resource: ``id`` (an IRI), Linked Art class name ``type``, ``_label`` and properties in key order.

    Values are nodes, or strings and numbers whose meaning (IRI or literal, datatype) comes from the context.
    ``embedded`` is false for a reference to a resource described elsewhere (only id, type and label).
    """

    id: str
    type: str
    label: str | None = None
    props: dict[str, list[Value]] = field(default_factory=dict)

    def add(self, key: str, *values: Value) -> None:
        """Append values to property ``key`` (keys keep their first-use order)."""
        if values:
            self.props.setdefault(key, []).extend(values)

    def set(self, key: str, value: Value) -> Node:
        """Set a single-valued property and return the node (for chaining)."""
        self.props[key] = [value]
        return self

    def first(self, key: str) -> Value | None:
        values = self.props.get(key)
        return values[0] if values else None


@functools.cache
def _context() -> dict[str, Any]:
    ctx: dict[str, Any] = vocab.read_json("linked-art-context.json")["@context"]
    return ctx


def _expand(name: str) -> str:
    ctx = _context()
    prefix, sep, local = name.partition(":")
    if sep and prefix in ctx and isinstance(ctx[prefix], str):
        return str(ctx[prefix]) + local
    return name


@functools.cache
def class_iri(type_name: str) -> str:
    """The class IRI of a Linked Art class name (``HumanMadeObject`` → ``crm:E22_Human-Made_Object``)."""
    entry = _context().get(type_name)
    if not isinstance(entry, dict) or "@id" not in entry:
        raise FormatError(f"{type_name!r} is not a class of the Linked Art context")
    return _expand(entry["@id"])


def _entry(type_name: str, key: str) -> Any:
    """The context entry of ``key`` on a ``type_name`` node: type-scoped first, then top-level, else ``None``."""
    scoped = _context().get(type_name)
    entry: Any = None
    if isinstance(scoped, dict):
        entry = scoped.get("@context", {}).get(key)
    return _context().get(key) if entry is None else entry


@functools.cache
def term(type_name: str, key: str) -> tuple[str, str]:
    """``(predicate IRI, kind)`` of property ``key`` on a ``type_name`` node; kind is ``@id`` or a datatype IRI.

    Type-scoped terms win over top-level ones (JSON-LD 1.1 §4.1.8). A datatype of ``""`` is xsd:string.
    """
    entry = _entry(type_name, key)
    if entry is None:
        raise FormatError(f"{key!r} is not a term of the Linked Art context")
    if isinstance(entry, str):
        return _expand(entry), ""
    kind = entry.get("@type", "")
    return _expand(entry["@id"]), ("@id" if kind in ("@id", "@vocab") else _expand(kind))


def _number(value: int | float) -> Literal:
    # JSON-LD 1.1 §8.6 (toRdf): integral numbers are xsd:integer, others xsd:double in canonical form.
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and abs(value) < 1e21):
        return Literal(str(int(value)), "", "http://www.w3.org/2001/XMLSchema#integer")
    mantissa, exp = f"{value:.15E}".split("E")
    mantissa = mantissa.rstrip("0")
    if mantissa.endswith("."):
        mantissa += "0"
    return Literal(f"{mantissa}E{int(exp)}", "", "http://www.w3.org/2001/XMLSchema#double")


def node_triples(
    node: Node, out: list[Triple] | None = None, seen: set[tuple[str, str, str | None]] | None = None
) -> list[Triple]:
    """The triples of ``node`` and every node under it, in tree order.

    A reference met again (a Type or Language used by several names: same id, class and label) is only
    linked, not described again; ``seen`` remembers them. Embedded nodes have their own hash IRIs, so within
    one tree no triple repeats and callers need no de-duplication pass.
    """
    out = [] if out is None else out
    seen = set() if seen is None else seen
    s = node.id
    out.append((s, RDF_TYPE, class_iri(node.type)))
    if node.label is not None:
        out.append((s, "http://www.w3.org/2000/01/rdf-schema#label", Literal(node.label)))
    for key, values in node.props.items():
        pred, kind = term(node.type, key)
        for v in values:
            if isinstance(v, Node):
                out.append((s, pred, v.id))
                if "#" in v.id:  # an embedded node: its own hash IRI, met once
                    node_triples(v, out, seen)
                elif (ref := (v.id, v.type, v.label)) not in seen:
                    seen.add(ref)
                    node_triples(v, out, seen)
            elif isinstance(v, str):
                out.append((s, pred, v if kind == "@id" else Literal(v, "", kind)))
            else:
                out.append((s, pred, _number(v)))
    return out


def node_json(node: Node, *, context: bool = True) -> dict[str, Any]:
    """The compacted JSON-LD of ``node`` (Linked Art key order: @context, id, type, _label, properties)."""
    doc: dict[str, Any] = {"@context": CONTEXT_URL} if context else {}
    doc["id"] = node.id
    doc["type"] = node.type
    if node.label is not None:
        doc["_label"] = node.label
    for key, values in node.props.items():
        _pred, _kind = term(node.type, key)
        items = [node_json(v, context=False) if isinstance(v, Node) else v for v in values]
        # Linked Art: properties declared "@container": "@set" are arrays; the others hold one value.
        single = _is_single(node.type, key)
        doc[key] = items[0] if single and len(items) == 1 else items
    return doc


@functools.cache
def _is_single(type_name: str, key: str) -> bool:
    entry = _entry(type_name, key)
    return not (isinstance(entry, dict) and entry.get("@container") == "@set")
