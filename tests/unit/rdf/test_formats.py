from __future__ import annotations

import pytest

from heritage_ld.errors import FormatError
from heritage_ld.formats import FORMATS, JSON_LD, N_QUADS, N_TRIPLES, RDF_XML, TURTLE, Format


@pytest.mark.parametrize(
    ("name", "expected"),
    [("ttl", TURTLE), ("Turtle", TURTLE), ("jsonld", JSON_LD), ("json-ld", JSON_LD), ("nt", N_TRIPLES),
     ("nq", N_QUADS), ("xml", RDF_XML), ("rdf", RDF_XML)],
)
def test_from_name(name: str, expected: Format) -> None:
    assert Format.from_name(name) is expected


def test_from_extension_and_media_type() -> None:
    assert Format.from_extension(".ttl") is TURTLE
    assert Format.from_extension("jsonld") is JSON_LD
    assert Format.from_media_type("application/n-triples; charset=utf-8") is N_TRIPLES
    assert Format.from_media_type("application/rdf+xml") is RDF_XML


@pytest.mark.parametrize("call", [Format.from_name, Format.from_extension, Format.from_media_type])
def test_unknown_raises_format_error(call: object) -> None:
    with pytest.raises(FormatError):
        call("text/x-nonsense")  # type: ignore[operator]


def test_extensions_are_unique_and_cli_choices_list_them() -> None:
    exts = [f.extension for f in FORMATS]
    assert len(set(exts)) == len(exts) == 5
    assert all(f.names[0] == f.extension for f in FORMATS)
