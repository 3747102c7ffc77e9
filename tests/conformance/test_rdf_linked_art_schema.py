"""The Linked Art JSON-LD of every example item against the Linked Art API 1.0 JSON Schemas (draft 2020-12).

Two deliberate differences from an API 1.0 response, both checked here:

* heritage-ld gives every embedded node an IRI (no blank nodes, so formats stay isomorphic); API 1.0 embedded
  structures (Name, Identifier, TimeSpan …) have no ``id``. So the documents are validated with ``id``
  allowed on embedded nodes, and once more with embedded ids removed against the unmodified schemas.
* the object's visual item / text is embedded in ``shows`` / ``carries`` (one document per item), where the API
  references a separate record: a visual item is validated with its own schema (image.json); text.json is not
  in the conformance data, so a carried text is only checked as the object's reference.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from heritage_ld.catalogue import read_catalogue
from heritage_ld.rdf import item_jsonld

pytestmark = pytest.mark.conformance

CONTEXT = "https://linked.art/ns/v1/linked-art.json"
# The API 1.0 text schema (text.json) is not in the conformance data, so a document's carried text is checked
# through the object record only (as a reference), not as a record of its own.
SCHEMA_FOR = {"HumanMadeObject": "object.json", "VisualItem": "image.json"}


def _allow_ids(node: Any) -> Any:
    if isinstance(node, dict):
        out = {k: _allow_ids(v) for k, v in node.items()}
        props = out.get("properties")
        if out.get("additionalProperties") is False and isinstance(props, dict) and "id" not in props:
            props["id"] = {"type": "string", "format": "uri"}
        return out
    if isinstance(node, list):
        return [_allow_ids(v) for v in node]
    return node


def _registry(conformance: Path, relaxed: bool) -> tuple[Registry, dict[str, dict[str, Any]]]:
    folder = conformance / "vocab/linked-art/schema"
    schemas = {}
    registry: Registry = Registry()
    for path in sorted(Path(folder).glob("*.json")):
        schema = json.loads(path.read_text())
        if relaxed:
            schema = _allow_ids(schema)
        schemas[path.name] = schema
        registry = registry.with_resource(schema["$id"], Resource.from_contents(schema, default_specification=DRAFT202012))
    return registry, schemas


def _split(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The object record (content as references) and the content record(s) it embeds."""
    obj = copy.deepcopy(doc)
    records = [obj]
    for key in ("shows", "carries"):
        for n, content in enumerate(obj.get(key, [])):
            records.append({"@context": CONTEXT, **content})
            obj[key][n] = {k: content[k] for k in ("id", "type", "_label") if k in content}
    return records


def _strip_embedded_ids(node: Any, top: bool = True) -> Any:
    if isinstance(node, dict):
        out = {k: _strip_embedded_ids(v, False) for k, v in node.items()}
        if not top and "#" in str(out.get("id")) and set(out) - {"id", "type", "_label"}:
            del out["id"]  # an embedded node of this record (a reference has only id, type and _label)
        return out
    if isinstance(node, list):
        return [_strip_embedded_ids(v, False) for v in node]
    return node


def _docs(example_dir: Path) -> list[dict[str, Any]]:
    c = read_catalogue(example_dir)
    return [item_jsonld(i, c) for i in c.items]


@pytest.mark.parametrize("relaxed", [True, False], ids=["with-embedded-ids", "embedded-ids-stripped"])
def test_every_item_validates(conformance: Path, example_dir: Path, relaxed: bool) -> None:
    registry, schemas = _registry(conformance, relaxed)
    failures = []
    checked = set()
    for doc in _docs(example_dir):
        for record in _split(doc):
            if record["type"] not in SCHEMA_FOR:
                continue
            data = record if relaxed else _strip_embedded_ids(record)
            schema = schemas[SCHEMA_FOR[record["type"]]]
            validator = jsonschema.Draft202012Validator(schema, registry=registry,
                                                        format_checker=jsonschema.FormatChecker())
            checked.add(record["type"])
            failures += [f"{record['id']}: {e.json_path}: {e.message}" for e in validator.iter_errors(data)]
    assert failures == []
    assert checked == {"HumanMadeObject", "VisualItem"}


def test_the_unrelaxed_schema_rejects_embedded_ids(conformance: Path, example_dir: Path) -> None:
    """The relaxation is needed, and the schemas really are applied: an embedded id fails the official schema."""
    registry, schemas = _registry(conformance, False)
    obj = _split(_docs(example_dir)[0])[0]
    validator = jsonschema.Draft202012Validator(schemas["object.json"], registry=registry)
    assert any("id" in e.message for e in validator.iter_errors(obj))
