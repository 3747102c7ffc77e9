"""``heritage-ld serve`` and the IIIF Change Discovery stream (``OUT/iiif/activity/``): spec §4.1 media type,
content negotiation and CORS."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from heritage_ld.iiif.changes import MEDIA_TYPE, write_change_stream
from heritage_ld.model import Collection, UrlScheme
from heritage_ld.publish.server import make_app
from heritage_ld.publish.site import write_site

ORIGIN = "http://testserver"
STREAM = "/iiif/activity/all-changes.json"
PAGE = "/iiif/activity/page-0.json"


@pytest.fixture()
def client(collection: Collection, out: Path, urls: UrlScheme) -> TestClient:
    write_site(collection, out, urls, datestamp=1_700_000_000)
    write_change_stream([(1, 1_700_000_000, "create", "manifest", collection.items[0].accession)], urls, out)
    return TestClient(make_app(out), follow_redirects=False)


@pytest.mark.parametrize("path", [STREAM, PAGE])
def test_stream_is_json_ld_with_the_discovery_profile(client: TestClient, path: str) -> None:
    r = client.get(path, headers={"Accept": ""})  # no Accept header to speak of
    assert r.status_code == 200
    assert r.headers["content-type"] == MEDIA_TYPE
    assert r.headers["access-control-allow-origin"] == "*"
    assert r.json()["id"] == f"{ORIGIN}{path}"  # the base URL replaced by the server's, like other IIIF JSON


def test_a_client_asking_for_json_ld_or_anything_gets_the_profile(client: TestClient) -> None:
    for accept in ("application/ld+json", "*/*", 'application/ld+json;profile="x", application/json;q=0.5'):
        assert client.get(STREAM, headers={"Accept": accept}).headers["content-type"] == MEDIA_TYPE


def test_a_client_asking_only_for_json_gets_plain_json(client: TestClient) -> None:
    """Spec §4.1: with an Accept header, follow content negotiation; application/json carries no profile."""
    r = client.get(STREAM, headers={"Accept": "application/json"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert "accept" in r.headers["vary"].lower()


def test_head_gives_the_same_media_type(client: TestClient) -> None:
    r = client.head(STREAM)
    assert r.status_code == 200 and r.headers["content-type"] == MEDIA_TYPE


def test_other_iiif_json_is_unchanged(client: TestClient, collection: Collection) -> None:
    r = client.get(f"/iiif/{collection.items[0].accession}/manifest.json")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
