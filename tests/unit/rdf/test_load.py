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
