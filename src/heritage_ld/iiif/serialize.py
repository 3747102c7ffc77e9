"""Deterministic IIIF JSON: ``@context`` first, then ``id``, ``type``, ``label`` … in the order the IIIF examples use.

The key order is data, in ``vocab/iiif-key-order.json``; keys the table does not list follow in alphabetical
order, so the same document always gives the same bytes (diff-friendly, reproducible builds). Text is written
as UTF-8, not ``\\u`` escapes (RFC 8259 §8.1): Vietnamese labels stay readable. orjson is used when it is
importable (about 5× faster than :mod:`json` on indented manifests; see ``docs/performance.md``); both give the same bytes.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from heritage_ld import vocab
from heritage_ld.atomic import write_atomic

try:  # optional speed-up; the output is byte-identical without it
    import orjson as _orjson
except ImportError:  # pragma: no cover - orjson is in the test extra
    _orjson = None  # type: ignore[assignment]

__all__ = ["dumps", "key_order", "order_keys", "write_json"]


@functools.cache
def key_order() -> Mapping[str, int]:
    """The rank of each key in ``vocab/iiif-key-order.json`` (lower comes first).

    >>> key_order()["@context"] < key_order()["id"] < key_order()["type"] < key_order()["label"]
    True
    """
    order: list[str] = vocab.read_json("iiif-key-order.json")["order"]
    return {k: i for i, k in enumerate(order)}


def _sort_key(key: str, ranks: Mapping[str, int], last: int) -> tuple[int, str]:
    return (ranks.get(key, last), key)


def order_keys(value: Any) -> Any:
    """A copy of ``value`` whose dicts (at every depth) have their keys in the IIIF order.

    >>> list(order_keys({"label": {}, "type": "Manifest", "zzz": 1, "id": "x", "@context": "c"}))
    ['@context', 'id', 'type', 'label', 'zzz']
    """
    ranks = key_order()
    last = len(ranks)

    def visit(node: Any) -> Any:
        if isinstance(node, dict):
            keys = sorted(node, key=lambda k: _sort_key(k, ranks, last))
            return {k: visit(node[k]) for k in keys}
        if isinstance(node, list):
            return [visit(v) for v in node]
        return node

    return visit(value)


def dumps(document: Mapping[str, Any], *, indent: bool = True, ordered: bool = False) -> bytes:
    """The UTF-8 JSON bytes of a IIIF document, keys in the IIIF order, with a final newline.

    Args:
        document: a manifest, collection or ``info.json`` as plain dicts and lists.
        indent: two-space indentation (default) or the most compact form.
        ordered: the caller promises the keys are already in order (the builders in this package emit them so),
            which skips the reordering pass.

    >>> dumps({"type": "Manifest", "id": "https://example.org/m", "label": {"vi": ["Hà Nội"]}}, indent=False)
    b'{"id":"https://example.org/m","type":"Manifest","label":{"vi":["H\\xc3\\xa0 N\\xe1\\xbb\\x99i"]}}\\n'
    """
    doc = document if ordered else order_keys(document)
    if _orjson is not None:
        option = _orjson.OPT_APPEND_NEWLINE | (_orjson.OPT_INDENT_2 if indent else 0)
        out: bytes = _orjson.dumps(doc, option=option)
        return out
    text = json.dumps(doc, ensure_ascii=False, indent=2 if indent else None, separators=None if indent else (",", ":"))
    return (text + "\n").encode("utf-8")


def write_json(document: Mapping[str, Any], path: Path, *, ordered: bool = False) -> bytes:
    """Write ``document`` to ``path`` (parents created) with :func:`dumps`; written only when the bytes change,
    through a temporary file (:func:`heritage_ld.atomic.write_atomic`: a failure leaves the old file whole).
    Returns the bytes that are in the file (a caller that records a digest need not read them back)."""
    data = dumps(document, ordered=ordered)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        if path.read_bytes() == data:
            return data
    except FileNotFoundError:
        pass
    write_atomic(path, data, durable=False)
    return data
