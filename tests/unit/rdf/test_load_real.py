"""rdf.load on Linked Art that museums published (issue 13, item 3).

The records in tests/data/linked-art/real/ are byte-exact copies of what the J. Paul Getty Museum, the National
Gallery of Art and Yale's LUX served from their Linked Art APIs (see the READMEs there: source, commit, licence).
The fractions asserted in test_what_fraction_is_read are the ones docs/rdf.md states.
"""

from __future__ import annotations

import gzip
import json
import logging
from pathlib import Path

import pytest

import heritage_ld
from heritage_ld.formats import TURTLE
from heritage_ld.model import Item
from heritage_ld.problems import Problem
from heritage_ld.rdf import load

REAL = Path(__file__).resolve().parents[2] / "data" / "linked-art" / "real"
RECORDS = sorted(p for p in REAL.glob("*/*.json*"))
GETTY = "https://data.getty.edu/museum/collection/"
YALE = "https://lux-front-tst.collections.yale.edu/data/object/644445c1-f91f-449e-b5f6-08647ee0c38f"


def _one(name: str, problems: list[Problem] | None = None) -> Item:
    (path,) = [p for p in RECORDS if p.name.startswith(name)]
    items = load(path, problems=problems).items
    assert len(items) == 1
    return items[0]


def _doc(path: Path) -> object:
    data = path.read_bytes()
    return json.loads(gzip.decompress(data) if path.suffix == ".gz" else data)


def test_the_sample_is_what_the_readme_says() -> None:
    assert {p.parent.name for p in RECORDS} == {"getty", "nga", "yale"} and len(RECORDS) == 7
    for folder in {p.parent for p in RECORDS}:
        readme = (folder / "README.md").read_text(encoding="utf-8")
        assert "Licence" in readme and "314befdd67e4b6d0cdcfe43afaad32c3a37640dd" in readme
        for p in folder.glob("*.json*"):
            assert p.name in readme


@pytest.mark.parametrize("path", RECORDS, ids=lambda p: f"{p.parent.name}/{p.name[:8]}")
def test_every_record_is_read_with_warnings_only(path: Path) -> None:
    problems: list[Problem] = []
    c = load(path, problems=problems)
    assert len(c.items) == 1
    item = c.items[0]
    assert item.same_as[0] == _doc(path)["id"]  # type: ignore[index]  # the record's own IRI is kept
    assert not any(p.is_error for p in problems)
    # every warning names the node it is about
    assert all(p.location.file and p.location.file.startswith(("https://", "http://")) for p in problems)


def test_what_fraction_is_read() -> None:
    """Primary names, accession numbers, dates and creators read from the 7 records (docs/rdf.md)."""
    items = [i for p in RECORDS for i in load(p).items]
    counts = {
        "primary names": sum(bool(i.title) and i.title.best() != i.accession for i in items),
        "accession numbers": sum(not i.accession.startswith(("https://", "http://")) for i in items),
        "dates": sum(i.date is not None for i in items),
        "creators": sum(bool(i.creators) for i in items),
    }
    assert len(items) == 7
    assert counts == {"primary names": 7, "accession numbers": 6, "dates": 5, "creators": 6}


def test_all_records_in_one_document() -> None:
    """The records as one JSON-LD array (what an aggregator harvesting them holds) read as one collection."""
    c = load([_doc(p) for p in RECORDS])
    assert sorted(i.accession for i in c.items) == [
        "1987.58.6", "2005.69.3", "83.MR.171", "84.GB.48", "86.AE.183", "90.PA.20", YALE]


def test_the_records_are_a_model_the_emitters_take() -> None:
    """What was read validates (the Getty's exhibition sets, named with whole sentences, become keys short
    enough for file names) and each item is written back out in our profile."""
    c = load([_doc(p) for p in RECORDS])
    assert [p for p in heritage_ld.validate(c) if p.is_error] == []
    assert all(len(s.key) <= 64 + len("-99") for s in c.sections) and len(c.sections) > 30  # (+ "-2" …)
    for item in c.items:
        assert item.title.best().encode() in heritage_ld.rdf.item_document(item, c, TURTLE)


def test_a_getty_photograph() -> None:
    problems: list[Problem] = []
    item = _one("1cd16038", problems)
    assert (item.accession, item.title.best()) == ("2005.69.3", "Construct XIV")
    assert item.date is not None and (item.date.text, item.date.display) == ("1982", "")
    (creator,) = item.creators
    assert (creator.agent.name.best(), creator.role) == ("Barbara Kasten", "photographer")  # AAT 300025687
    assert creator.agent.same_as == (GETTY + "person/686e6b6a-5c86-42f0-bfb7-9119405c123a",)
    assert [(d.kind, str(d.value), d.unit) for d in item.dimensions] == [("height", "24.1", "cm"), ("width", "19", "cm")]
    assert item.credit_line.best() == "Gift of Laura and John Knaus"
    assert item.description.best().startswith("An abstract sculptural construction")
    # the Getty serves its own copy of the Linked Art context: read as the Linked Art context, with a warning
    assert [(p.code, dict(p.params)["value"]) for p in problems] == [
        ("R010", "https://static.getty.edu/contexts/linked.art/ns/v1.1.0/linked-art.json")]


def test_a_getty_drawing_dated_in_words() -> None:
    item = _one("dff75e58")
    assert item.accession == "84.GB.48"
    assert item.title.best() == "Study of Triton Blowing a Conch Shell (recto); Partial Study of an Arm (verso)"
    assert item.date is not None and (item.date.text, item.date.display) == ("1600", "about 1600")
    assert [(a.agent.name.best(), a.role) for a in item.creators] == [("Annibale Carracci", "Artists (Visual Artists)")]


def test_a_date_before_the_common_era_is_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    problems: list[Problem] = []
    with caplog.at_level(logging.DEBUG, logger="rdflib"):
        item = _one("dd808888", problems)
    assert (item.accession, item.title.best()) == ("86.AE.183", "Attic Black-Figure Cup Fragment")
    assert item.date is None
    (warning,) = [p for p in problems if p.code == "R007"]
    assert warning.location.file == GETTY + "object/dd808888-4dfe-441c-b3d0-ce57c4167c5b"
    assert dict(warning.params)["value"] == "about 500 B.C." and "common era" in str(dict(warning.params)["reason"])
    assert not [r for r in caplog.records if "Literal" in r.getMessage()]  # no rdflib traceback on stderr


def test_gzipped_records() -> None:
    irises = _one("c88b3df0")
    assert (irises.accession, irises.title.best()) == ("90.PA.20", "Irises")
    assert irises.date is not None and irises.date.text == "1889"
    assert [a.agent.name.best() for a in irises.creators] == ["Vincent van Gogh"]
    manuscript = _one("f8fd6961")
    assert manuscript.accession == "83.MR.171"
    assert manuscript.date is not None
    assert (manuscript.date.text, manuscript.date.display) == ("1450/1475", "third quarter of 15th century")
    assert ("Richard Fitzralph", "author") in [(a.agent.name.best(), a.role) for a in manuscript.creators]
    assert len(manuscript.creators) == 7


def test_the_national_gallery_record() -> None:
    problems: list[Problem] = []
    item = _one("nga-70182", problems)
    assert (item.accession, item.title.best()) == ("1987.58.6", "Line and Curve")
    assert item.date is not None and item.date.text == "1927"
    (creator,) = item.creators
    assert creator.agent.name.best() == "O'Keeffe, Georgia"
    assert creator.agent.same_as == ("http://vocab.getty.edu/ulan/500018666",)
    assert [m.label.best() for m in item.materials] == ["canvas (textile material)", "oil paint (paint)"]
    assert item.credit_line.best() == "Alfred Stieglitz Collection, Bequest of Georgia O'Keeffe"
    assert item.identifiers == ("70182",) and problems == []


def test_a_yale_specimen_from_the_lux_test_server() -> None:
    """No accession number a reader can tell (LUX classifies every identifier with one concept of its own): the
    record is read, keyed by its IRI (R006); its mistyped context address still reads as Linked Art (R010)."""
    problems: list[Problem] = []
    item = _one("yale-644445c1", problems)
    assert item.accession == YALE and item.title.best() == "Torosaurus latus"
    assert "YPM VP 001830" in item.identifiers
    assert item.date is None and item.creators == ()  # a fossil: no production date, no maker
    assert sorted(p.code for p in problems) == ["R006", "R010"]
    assert {p.location.file for p in problems} == {YALE}
