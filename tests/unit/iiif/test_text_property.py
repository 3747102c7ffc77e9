"""Any text a curator types survives in the JSON exactly (labels) or safely (HTML-looking values)."""

from __future__ import annotations

import html
import json
from pathlib import PurePosixPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heritage_ld.catalogue.validate import validate
from heritage_ld.errors import CatalogueError
from heritage_ld.iiif import build_manifest, dumps, load
from heritage_ld.model import (
    Collection,
    Item,
    ItemKind,
    MediaFile,
    MultilingualText,
    UrlScheme,
    normalize_text,
)

text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60)


@settings(max_examples=150, deadline=None)
@given(title=text, description=text, accession=st.text(st.characters(blacklist_categories=("Cs", "Cc")),
                                                       min_size=1, max_size=20))
def test_any_text_round_trips(title: str, description: str, accession: str) -> None:
    item = Item(accession, ItemKind.PHOTOGRAPH, MultilingualText.of(vi=title), description=MultilingualText.of(
        en=description), media=(MediaFile(PurePosixPath("media/a.jpg"), width=10, height=20),))
    collection = Collection("c", MultilingualText.of(en="C"), "https://example.org/c", items=(item,))
    urls = UrlScheme(collection.base_url)
    errors = [p.code for p in validate(collection) if p.is_error]
    if errors:  # text the catalogue refuses too (C033-C035: characters XML or a file name cannot hold; C022:
        # an accession of "." or "..", which would name a folder, not a file)
        with pytest.raises(CatalogueError) as refused:
            build_manifest(item, collection, urls=urls)
        assert [p.code for p in refused.value.problems if p.is_error] == errors
        assert set(errors) <= {"C022", "C033", "C034", "C035"}
        assert "C022" not in errors or accession in (".", "..")
        return
    data = dumps(build_manifest(item, collection, urls=urls))
    doc = json.loads(data)
    assert doc["label"] == {"vi": [normalize_text(title)]}
    summary = doc["summary"]["en"][0]
    wanted = normalize_text(description)
    if wanted.startswith("<") and wanted.endswith(">"):
        assert summary == f"<span>{html.escape(wanted, quote=False)}</span>"
    else:
        assert summary == wanted
    assert doc["id"] == urls.manifest(accession) and " " not in doc["id"]
    assert load(data).label == {"vi": (normalize_text(title),)}
