"""rdf.load on Linked Art written by someone else (issue 13, item 3).

The records in tests/data/linked-art/ are hand-written in the shape museums publish (see its README); each case
the issue found is a test. Records museums published are read in test_load_real.py.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

import heritage_ld
from heritage_ld.errors import CatalogueError, HeritageLDError
from heritage_ld.formats import N_TRIPLES, TURTLE
from heritage_ld.model import EDTFError
from heritage_ld.problems import Problem
from heritage_ld.rdf import load
from heritage_ld.rdf.load import read_graph

DATA = Path(__file__).resolve().parents[2] / "data" / "linked-art"
MUSEUM = DATA / "museum-api-object.json"
UNIVERSITY = DATA / "university-records.json"
OBJECT_IRI = "https://data.museum-a.example/collection/object/6e1c3f4a-8b7d-4c2e-9f10-3a5b7c9d1e2f"


def _doc(path: Path = MUSEUM) -> object:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("kind", ["path", "str path", "bytes", "str", "dict", "list"])
def test_any_kind_of_source(kind: str) -> None:
    text = MUSEUM.read_text(encoding="utf-8")
    source = {"path": MUSEUM, "str path": str(MUSEUM), "bytes": text.encode(), "str": text,
              "dict": json.loads(text), "list": [json.loads(text)]}[kind]
    c = load(source)
    assert [i.accession for i in c.items] == ["2004.M.17.3"]


def test_gzipped_ntriples_by_its_name(tmp_path: Path) -> None:
    nt = read_graph(MUSEUM).serialize(format="nt", encoding="utf-8")
    path = tmp_path / "dataset.nt.gz"
    path.write_bytes(gzip.compress(nt))
    assert [i.accession for i in load(path).items] == ["2004.M.17.3"]
    assert [i.accession for i in load(gzip.compress(nt)).items] == ["2004.M.17.3"]  # sniffed


def test_our_own_dataset_dump_reads_back(tmp_path: Path) -> None:
    c = heritage_ld.read_catalogue(Path(__file__).resolve().parents[3] / "examples" / "hanoi-1972")
    path = tmp_path / "dataset.nt.gz"
    path.write_bytes(gzip.compress(heritage_ld.rdf.serialize(c, N_TRIPLES, profile="crm")))
    assert [i.accession for i in load(path).items] == [i.accession for i in c.items]


def test_the_context_is_never_fetched() -> None:
    doc = _doc()
    doc["@context"] = ["https://linked.art/ns/v1/linked-art.json", "https://other.example/context.json"]  # type: ignore[index]
    problems: list[Problem] = []
    c = load(doc, problems=problems)  # no network here: a fetch would fail the test
    assert c.items[0].accession == "2004.M.17.3"
    assert [p.code for p in problems] == ["R008"]


def test_a_free_text_date_comes_from_the_time_span_bounds() -> None:
    item = load(MUSEUM).items[0]
    assert item.date is not None
    assert (item.date.text, item.date.display) == ("1972-12", "December 1972")
    ca = load(UNIVERSITY).item("B1977.14.5512").date
    assert ca is not None and (ca.text, ca.display) == ("1890/1895", "ca. 1890–1895")


def test_a_time_span_with_only_bounds() -> None:
    doc = _doc()
    del doc["produced_by"]["timespan"]["identified_by"]  # type: ignore[index]
    date = load(doc).items[0].date
    assert date is not None and (date.text, date.display) == ("1972-12", "")


def test_an_unreadable_date_is_a_warning_not_a_failure() -> None:
    problems: list[Problem] = []
    c = load(UNIVERSITY, problems=problems)
    helmet = c.items[1]
    assert helmet.date is None
    assert ("R007", "date") in {(p.code, dict(p.params).get("what")) for p in problems}


def test_edtf_error_is_a_heritage_ld_error() -> None:
    assert issubclass(EDTFError, HeritageLDError) and issubclass(EDTFError, ValueError)
    with pytest.raises(HeritageLDError):
        heritage_ld.parse_edtf("December 1972")


def test_a_record_without_accession_number_is_read_keyed_by_its_iri() -> None:
    problems: list[Problem] = []
    c = load(UNIVERSITY, problems=problems)
    assert len(c.items) == 2
    helmet = c.items[1]
    iri = "https://lux.university-b.example/data/object/7b6a5c4d-3e2f-4101-9a8b-c7d6e5f4a3b2"
    assert helmet.accession == iri and helmet.identifiers == ("ILS-40551",)
    assert [(p.code, p.location.file) for p in problems if p.code == "R006"] == [("R006", iri)]
    assert all(not p.is_error for p in problems)


def test_one_bad_record_never_fails_the_graph() -> None:
    records = _doc(UNIVERSITY)
    assert isinstance(records, list)
    records[0]["dimension"][0]["value"] = "tall"
    problems: list[Problem] = []
    c = load(records, problems=problems)
    assert [i.title.best() for i in c.items] == ["Hanoi Spring Festival", "Helmet"]
    assert ("R007", "the height") in {(p.code, dict(p.params).get("what")) for p in problems}


def test_names_with_and_without_the_primary_classification() -> None:
    item = load(MUSEUM).items[0]
    assert item.title.as_dict() == {"en": "Street Scene, Hanoi", "vi": "Cảnh phố, Hà Nội"}
    poster = load(UNIVERSITY).items[0]
    assert poster.title.best() == "Hanoi Spring Festival"  # no classification: still the name
    assert poster.alternative_title.best() == "Festival poster"


def test_source_iris_are_kept() -> None:
    c = load(MUSEUM)
    item = c.items[0]
    assert item.same_as == (OBJECT_IRI,)
    person = item.creators[0].agent
    assert person.key == "anonymous-street-photographer"
    assert "http://vocab.getty.edu/ulan/500355043" in person.same_as
    assert item.place_made is not None and item.place_made.same_as == ("http://vocab.getty.edu/tgn/7001758",)
    assert item.materials[0].same_as == ("http://vocab.getty.edu/aat/300014109",)


def test_statements_dimensions_production_and_sets() -> None:
    c = load(MUSEUM)
    item = c.items[0]
    assert item.description.best().startswith("A crowded street")
    assert item.credit_line.best() == "Gift of a private collector"
    assert [(d.kind, str(d.value), d.unit) for d in item.dimensions] == [("height", "25.2", "cm"),
                                                                        ("width", "20.32", "cm")]
    assert [t.label.best() for t in item.techniques] == ["photography (process)"]
    assert [s.key for s in c.sections] == ["photographs-of-vietnam"] and item.section == "photographs-of-vietnam"
    poster = load(UNIVERSITY).items[0]
    assert poster.provenance.best() == "Purchased from a dealer, 1977."
    assert [(d.kind, str(d.value)) for d in poster.dimensions] == [("height", "76"), ("width", "50.5")]
    assert sorted((a.agent.name.best(), a.role) for a in poster.creators) == [
        ("State Printing House", "publisher"), ("Trần Văn Bình", "artists")]


def test_a_foreign_collection_is_a_valid_model_the_emitters_take() -> None:
    c = load(UNIVERSITY)
    assert [p for p in heritage_ld.validate(c) if p.is_error] == []
    ttl = heritage_ld.rdf.item_document(c.items[0], c, TURTLE).decode()
    assert "B1977.14.5512" in ttl and "https://lux.university-b.example/data/object/4f2a9c1e" in ttl


def test_reading_is_deterministic() -> None:
    assert repr(load(UNIVERSITY)) == repr(load(UNIVERSITY)) and repr(load(MUSEUM)) == repr(load(MUSEUM))


def test_what_fraction_is_read() -> None:
    """The fractions docs/rdf.md states for the sample records (3 records)."""
    items = [*load(MUSEUM).items, *load(UNIVERSITY).items]
    counts = {
        "primary names": sum(bool(i.title) for i in items),
        "accession numbers": sum(not i.accession.startswith("https://") for i in items),
        "dates": sum(i.date is not None for i in items),
        "creators": sum(bool(i.creators) for i in items),
    }
    assert len(items) == 3
    assert counts == {"primary names": 3, "accession numbers": 2, "dates": 2, "creators": 2}


def test_nothing_readable_is_still_an_error() -> None:
    with pytest.raises(CatalogueError) as err:
        load({"@context": "https://linked.art/ns/v1/linked-art.json", "id": "https://e.org/p", "type": "Person"})
    assert [p.code for p in err.value.problems] == ["R003"]
    with pytest.raises(CatalogueError) as err:
        load(b"{not json")
    assert [p.code for p in err.value.problems] == ["R002"]
