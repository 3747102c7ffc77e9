"""Reading our RDF back: model -> RDF -> model in every format."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from heritage_ld.errors import CatalogueError
from heritage_ld.formats import FORMATS, Format
from heritage_ld.model import Collection
from heritage_ld.rdf import load, serialize


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.extension)
def test_round_trip(collection: Collection, fmt: Format, canon: Callable[[Collection], Collection]) -> None:
    back = load(serialize(collection, fmt, profile="crm"), format=fmt)
    assert canon(back) == canon(collection)
    assert back.items == collection.items or canon(back).items == canon(collection).items
    assert [i.accession for i in back.items] == [i.accession for i in collection.items]


def test_load_reads_a_file(tmp_path, collection: Collection, canon: Callable[[Collection], Collection]) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "all.ttl"
    path.write_bytes(serialize(collection, Format.from_name("ttl"), profile="all"))
    assert canon(load(path)) == canon(collection)


def test_unparsable_rdf_is_r002() -> None:
    with pytest.raises(CatalogueError) as err:
        load(b"<a> <b> .", format="nt")
    assert [p.code for p in err.value.problems] == ["R002"]


def test_rdf_without_a_collection_is_r003() -> None:
    with pytest.raises(CatalogueError) as err:
        load(b"<https://e.org/a> <https://e.org/b> <https://e.org/c> .\n", format="nt")
    assert [p.code for p in err.value.problems] == ["R003"]


PEER = b"""{
  "@context": "https://linked.art/ns/v1/linked-art.json",
  "id": "https://museum.example/data/object/42",
  "type": "HumanMadeObject",
  "_label": "Night Watch",
  "classified_as": [{"id": "http://vocab.getty.edu/aat/300046300", "type": "Type", "_label": "Photograph"}],
  "identified_by": [
    {"type": "Name", "content": "The Night Watch",
     "classified_as": [{"id": "http://vocab.getty.edu/aat/300404670", "type": "Type", "_label": "Primary Name"}],
     "language": [{"id": "http://vocab.getty.edu/aat/300388277", "type": "Language", "_label": "English"}]},
    {"type": "Identifier", "content": "SK-C-5",
     "classified_as": [{"id": "http://vocab.getty.edu/aat/300312355", "type": "Type", "_label": "Accession Number"}]}
  ],
  "produced_by": {"type": "Production",
    "timespan": {"type": "TimeSpan", "identified_by": [{"type": "Name", "content": "1642"}],
                 "begin_of_the_begin": "1642-01-01T00:00:00Z", "end_of_the_end": "1642-12-31T23:59:59Z"},
    "carried_out_by": [{"id": "https://museum.example/data/person/rembrandt", "type": "Person", "_label": "Rembrandt"}]}
}"""


def test_a_peers_linked_art_object_is_read() -> None:
    """A Linked Art document as linked.art writes it (blank embedded nodes, no collection set)."""
    c = load(PEER, format="jsonld")
    (item,) = c.items
    assert item.accession == "SK-C-5"
    assert item.title["en"] == "The Night Watch"
    assert item.kind.value == "photograph"
    assert item.date is not None and item.date.text == "1642"
    assert c.base_url == "https://museum.example/data"
    assert [(a.agent.name.best(), a.role) for a in item.creators] == [("Rembrandt", None)]
