from __future__ import annotations

import json

import pytest

from heritage_ld.iiif import serialize


def test_key_order_context_first_then_table_then_alphabetical() -> None:
    doc = {"zeta": 1, "items": [], "label": {"en": ["x"]}, "alpha": 2, "type": "Manifest", "id": "i", "@context": "c"}
    assert list(json.loads(serialize.dumps(doc))) == ["@context", "id", "type", "label", "items", "alpha", "zeta"]


def test_same_bytes_with_and_without_orjson(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = {"id": "https://example.org/m", "type": "Manifest", "label": {"vi": ["Hà Nội \u200f<b>\"x\"</b>"]},
           "navPlace": {"coordinates": [105.8372, 21.0191]}, "items": [], "width": 1201, "behavior": ["paged"]}
    fast = serialize.dumps(doc)
    compact = serialize.dumps(doc, indent=False)
    monkeypatch.setattr(serialize, "_orjson", None)
    assert serialize.dumps(doc) == fast
    assert serialize.dumps(doc, indent=False) == compact
    assert "Hà Nội".encode() in fast and fast.endswith(b"}\n")


def test_write_json_is_stable(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "a" / "manifest.json"
    serialize.write_json({"type": "Manifest", "id": "x"}, path)
    first = path.read_bytes()
    serialize.write_json({"id": "x", "type": "Manifest"}, path)
    assert path.read_bytes() == first == b'{\n  "id": "x",\n  "type": "Manifest"\n}\n'
