from __future__ import annotations

from pathlib import Path

import pytest

from heritage_ld.errors import FormatError
from heritage_ld.iiif import (
    CollectionRecord,
    ManifestRecord,
    PresentationVersionError,
    build_collection,
    build_manifest,
    dumps,
    load,
    read_page_sizes,
    read_sizes,
    views,
)
from heritage_ld.model import Collection, UrlScheme


def test_round_trip_of_our_manifest(collection: Collection, urls: UrlScheme, tmp_path: Path, hostile: str) -> None:
    sizes, pages = read_sizes(collection), read_page_sizes(collection)
    for accession in ("HN.002", "HN.003", "HN.006"):
        path = tmp_path / f"{accession}.json"
        item = collection.item(accession)
        path.write_bytes(dumps(build_manifest(item, collection, urls=urls, sizes=sizes, pages=pages)))
        record = load(path)
        assert isinstance(record, ManifestRecord)
        assert record.id == urls.manifest(accession)
        assert [(c.width, c.height) for c in record.canvases] == [
            v.size for v in views(item, sizes=sizes, pages=pages)]
        assert record.canvases[0].services == (urls.image_service(accession, 1),)
        assert record.rights == collection.rights
        assert [r.format for r in record.see_also] == ["text/turtle", "application/ld+json"]
    assert load(tmp_path / "HN.002.json").label == {"en": (hostile,)}
    assert load(tmp_path / "HN.003.json").behavior == ("paged",)
    assert load(tmp_path / "HN.006.json").behavior == ("paged",)


def test_collection_round_trip(collection: Collection, urls: UrlScheme) -> None:
    record = load(dumps(build_collection(collection, urls=urls, sizes=read_sizes(collection),
                                         pages=read_page_sizes(collection))))
    assert isinstance(record, CollectionRecord)
    assert [r.id for r in record.items][:2] == [urls.manifest("HN.001"), urls.manifest("HN.002")]


def test_presentation_2_is_reported() -> None:
    doc = {"@context": "http://iiif.io/api/presentation/2/context.json", "@id": "https://example.org/m",
           "@type": "sc:Manifest", "label": "old"}
    with pytest.raises(PresentationVersionError) as info:
        load(doc)
    assert info.value.problem.code == "I001" and info.value.problem.get("version") == "2.x"
    with pytest.raises(PresentationVersionError):
        load({"@id": "https://example.org/m", "@type": "sc:Manifest"})


@pytest.mark.parametrize("data, reason", [
    (b"{not json", "not JSON"),
    (b"[1, 2]", "not a JSON object"),
    (b'{"id": "https://e.org/a", "type": "AnnotationPage"}', "AnnotationPage"),
    (b'{"type": "Manifest"}', "no 'id'"),
])
def test_not_a_manifest(data: bytes, reason: str) -> None:
    with pytest.raises(FormatError, match="I002") as info:
        load(data)
    assert reason in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="I002"):
        load(tmp_path / "nope.json")
