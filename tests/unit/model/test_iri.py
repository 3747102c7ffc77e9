"""IRI minting: deterministic, one scheme for every artefact, with paths under the output folder."""

from __future__ import annotations

import pytest

from heritage_ld.model import UrlScheme, iri_segment, is_absolute_iri, slugify


def test_segments_are_nfc_and_percent_encoded() -> None:
    assert iri_segment("HNM.1972.001") == "HNM.1972.001"
    assert iri_segment("HN 1972/001") == "HN%201972%2F001"
    assert iri_segment("Ha\u0300 No\u0323\u0302i") == iri_segment("Hà Nội")  # NFD and NFC mint one IRI
    assert iri_segment("a?b#c") == "a%3Fb%23c"


def test_slugify() -> None:
    assert slugify("Phố Khâm Thiên") == "pho-kham-thien"
    assert slugify("Đống Đa") == "dong-da"
    assert slugify("!!!") == "x"


@pytest.mark.parametrize("iri", ["http://www.wikidata.org/entity/Q1858", "https://e.org/a#b", "urn:isbn:0451450523",
                                 "http://vocab.getty.edu/aat/300046300", "https://vi.wikipedia.org/wiki/Hà_Nội"])
def test_absolute_iris(iri: str) -> None:
    assert is_absolute_iri(iri) is None


@pytest.mark.parametrize(("iri", "reason"), [
    ("", "empty"),
    ("www.wikidata.org/entity/Q1858", "no scheme (such as https:)"),
    ("http:/e.org", "an http(s) IRI needs '//' and a host"),
    ("https:///path", "no host"),
    ("https://e.org/a b", "character ' ' is not allowed in an IRI"),
    ("https://e.org/<x>", "character '<' is not allowed in an IRI"),
    ("https://e.org/a#b#c", "more than one '#'"),
])
def test_not_absolute_iris(iri: str, reason: str) -> None:
    assert is_absolute_iri(iri) == reason


def test_url_scheme_mints_every_url_from_one_base() -> None:
    u = UrlScheme("https://example.org/hanoi-1972//")
    assert u.base_url == "https://example.org/hanoi-1972"
    acc = "HN 1972/001"
    seg = "HN%201972%2F001"
    assert u.object(acc) == f"https://example.org/hanoi-1972/object/{seg}"
    assert u.manifest(acc) == f"https://example.org/hanoi-1972/iiif/{seg}/manifest.json"
    assert u.image_service(acc, 2) == f"https://example.org/hanoi-1972/iiif/image/{seg}-2"
    assert u.rdf_file(acc, "ttl") == f"https://example.org/hanoi-1972/rdf/object/{seg}.ttl"
    assert u.page(acc) == f"https://example.org/hanoi-1972/site/object/{seg}.html"
    assert u.bag(acc) == f"https://example.org/hanoi-1972/bags/{seg}"
    assert u.node(u.object(acc), "production", "time span") == f"{u.object(acc)}#production-time%20span"
    assert u.path(u.node(u.object(acc), "production")) == f"object/{seg}"
    assert u.path(u.manifest(acc)) == f"iiif/{seg}/manifest.json"
    with pytest.raises(ValueError):
        u.path("https://elsewhere.org/object/x")


def test_dot_segments_never_step_out_of_the_output_folder() -> None:
    import pytest as _pytest

    from heritage_ld.model import UrlScheme, iri_segment

    assert iri_segment("..") == "%2E%2E"
    assert iri_segment(".") == "%2E"
    assert iri_segment("a..b") == "a..b"
    u = UrlScheme("https://example.org/x")
    assert u.path(u.manifest("..")) == "iiif/%2E%2E/manifest.json"
    with _pytest.raises(ValueError, match="empty"):
        iri_segment("")
