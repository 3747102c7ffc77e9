"""Every manifest and collection we emit validates against the official IIIF Presentation 3 JSON Schema, and
our level-0 ``info.json`` has the shape of the Image API 3 examples."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

from heritage_ld.catalogue import read_catalogue
from heritage_ld.iiif import (
    Pyramid,
    build_collection,
    build_exhibition_manifest,
    build_manifest,
    dumps,
    read_page_sizes,
    read_sizes,
)
from heritage_ld.model import Collection, UrlScheme
from heritage_ld.synth import write_synthetic_catalogue
from heritage_support import EXAMPLE, require_conformance

pytestmark = pytest.mark.conformance


@pytest.fixture(scope="module")
def validator() -> Draft7Validator:
    schema = json.loads((require_conformance("iiif/schema") / "iiif_3_0.json").read_text("utf-8"))
    return Draft7Validator(schema)


def _check(validator: Draft7Validator, doc: dict[str, Any], kind: str) -> None:
    doc = json.loads(dumps(doc))  # what is written, not the in-memory dicts
    assert doc["type"] == kind  # the schema's top level also accepts AnnotationPages and Annotations
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    details = [f"{'/'.join(map(str, c.path))}: {c.message[:200]}" for e in errors for c in (e.context or [e])]
    assert not errors, f"{doc['id']}: " + "\n".join(details[:10])


def _all(collection: Collection, validator: Draft7Validator, *, tiles: bool) -> int:
    urls = UrlScheme(collection.base_url)
    sizes, pages = read_sizes(collection), read_page_sizes(collection)
    count = 0
    for item in collection.items:
        if item.has_manifest:
            doc = build_manifest(item, collection, urls=urls, sizes=sizes, pages=pages, tiles=tiles)
            _check(validator, doc, "Manifest")
            count += 1
    _check(validator, build_collection(collection, urls=urls, sizes=sizes, pages=pages, tiles=tiles), "Collection")
    _check(validator, build_exhibition_manifest(collection, urls=urls, sizes=sizes, pages=pages, tiles=tiles),
           "Manifest")
    return count


@pytest.mark.parametrize("tiles", [True, False])
def test_hanoi_example_manifests_validate(validator: Draft7Validator, tiles: bool) -> None:
    collection = read_catalogue(EXAMPLE)
    assert all(i.has_manifest for i in collection.items if i.pdfs)  # the archive documents that are PDFs only
    assert {"HNM.1972.007", "HNM.1972.032"} <= {i.accession for i in collection.items if i.pdfs and not i.images}
    assert _all(collection, validator, tiles=tiles) == sum(1 for i in collection.items if i.has_manifest) > 30


@pytest.mark.slow
def test_synthetic_300_item_catalogue_validates(validator: Draft7Validator, tmp_path: Path) -> None:
    write_synthetic_catalogue(tmp_path / "synth", items=300, media_size="8KB")
    collection = read_catalogue(tmp_path / "synth")
    assert len(collection.items) == 300
    assert _all(collection, validator, tiles=True) >= 290


def test_info_json_has_the_shape_of_the_image_api_examples() -> None:
    folder = require_conformance("iiif/image-3")
    ours = json.loads(dumps(Pyramid(6000, 4000).info("https://example.org/iiif/abcd1234",
                                                       rights="http://rightsstatements.org/vocab/InC-EDU/1.0/"),
                           ordered=True))  # as write_tiles writes it: in the Image API's own order
    examples = {p.name: json.loads(p.read_text("utf-8")) for p in sorted(folder.glob("*.json"))}
    assert len(examples) == 4
    for name, example in examples.items():
        for key in ("@context", "id", "type", "protocol", "profile", "width", "height"):
            assert key in ours, key
            if key not in ("id", "profile"):
                ctx = example[key]
                assert ours[key] == ctx or (isinstance(ctx, list) and ours[key] in ctx), (name, key)
        for field in ("sizes", "tiles"):
            if field in example:  # same structure: lists of objects with the same keys and value types
                for theirs in example[field]:
                    mine = ours[field][0]
                    assert set(mine) <= set(theirs) | {"height"} and all(
                        type(mine[k]) is type(theirs[k]) for k in mine if k in theirs), (name, field)
    libvips = examples["libvips-dzsave-iiif3-level0-6000x4000.info.json"]
    assert ours["profile"] == libvips["profile"] == "level0"
    assert ours["tiles"] == libvips["tiles"]  # the same 512-pixel tiles and scale factors as dzsave
    assert (ours["width"], ours["height"]) == (libvips["width"], libvips["height"])
    assert [s["width"] for s in ours["sizes"]] == [375, 750, 1500, 6000]  # sizes dzsave does not declare
    assert list(ours) == ["@context", "id", "type", "protocol", "profile", "width", "height", "sizes", "tiles",
                          "rights"]  # the order of the Image API 3.0 §5.9 example
