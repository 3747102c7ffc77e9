"""What rdf.load learnt from reading museums' records (tests/data/linked-art/real/): one small test per fix.

Each record here is hand-written (CC0) to show one pattern found in the real records, so that a fix stays
tested without them.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from heritage_ld.problems import Problem
from heritage_ld.rdf import load

AAT = "http://vocab.getty.edu/aat/"
LA = "https://linked.art/ns/v1/linked-art.json"
ACCESSION = {"type": "Identifier", "content": "X.1", "classified_as": [{"id": AAT + "300312355", "type": "Type"}]}


def _record(**fields: Any) -> dict[str, Any]:
    return {"@context": LA, "id": "https://museum.example/object/1", "type": "HumanMadeObject",
            "identified_by": [ACCESSION], **fields}


def _date_record(timespan: dict[str, Any]) -> dict[str, Any]:
    return _record(produced_by={"type": "Production", "timespan": {"type": "TimeSpan", **timespan}})


def test_a_copy_of_the_linked_art_context_elsewhere_is_read_with_a_warning() -> None:
    doc = _record(_label="Vase")
    doc["@context"] = "https://static.museum.example/contexts/linked.art/ns/v1.1.0/linked-art.json"
    problems: list[Problem] = []
    item = load(doc, problems=problems).items[0]
    assert (item.accession, item.title.best()) == ("X.1", "Vase")
    assert [(p.code, p.location.file) for p in problems] == [("R010", "https://museum.example/object/1")]


def test_the_pre_v1_man_made_object_is_an_object() -> None:
    assert load(_record(type="ManMadeObject")).items[0].accession == "X.1"


def test_an_identifier_classified_preferred_term_is_not_the_title() -> None:
    preferred = {"id": AAT + "300404670", "type": "Type"}
    accession = {**ACCESSION, "classified_as": [*ACCESSION["classified_as"], preferred]}  # as the Getty does
    name = {"type": "Name", "content": "Yellow Irises", "classified_as": [preferred]}  # (sorts after X.1)
    item = load(_record(identified_by=[accession, name])).items[0]
    assert (item.accession, item.title.best()) == ("X.1", "Yellow Irises")


def test_a_title_typed_title_is_a_name() -> None:
    title = {"type": "Title", "content": "Two young men", "classified_as": [{"id": AAT + "300404670"}]}
    assert load(_record(identified_by=[ACCESSION, title])).items[0].title.best() == "Two young men"


def test_credit_line_and_description_in_the_getty_terms() -> None:
    statements = [{"type": "LinguisticObject", "content": text, "classified_as": [{"id": AAT + term, "type": "Type"}]}
                  for term, text in (("300435418", "Gift of a friend"), ("300080091", "A blue vase."))]
    item = load(_record(referred_to_by=statements)).items[0]
    assert (item.credit_line.best(), item.description.best()) == ("Gift of a friend", "A blue vase.")


def test_a_measurement_keeps_the_value_without_trailing_zeros() -> None:
    dims = [{"type": "Dimension", "value": value, "classified_as": [{"id": AAT + kind}],
             "unit": {"id": AAT + "300379098", "type": "MeasurementUnit"}}
            for kind, value in (("300055644", "24.1000000000"), ("300055647", "19.0000000000"))]
    item = load(_record(dimension=dims)).items[0]
    assert [(d.kind, str(d.value)) for d in item.dimensions] == [("height", "24.1"), ("width", "19")]


def test_a_time_span_with_only_a_label() -> None:
    date = load(_date_record({"_label": "1927"})).items[0].date
    assert date is not None and date.text == "1927"


def test_a_year_before_the_common_era_is_a_warning_and_no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    problems: list[Problem] = []
    with caplog.at_level(logging.DEBUG, logger="rdflib"):
        item = load(_date_record({"_label": "about 500 B.C.", "begin_of_the_begin": "-0500-01-01T00:00:00",
                                  "end_of_the_end": "-0500-12-31T23:59:59"}), problems=problems).items[0]
    assert item.date is None
    assert [(p.code, dict(p.params)["value"]) for p in problems] == [("R007", "about 500 B.C.")]
    assert "common era" in str(dict(problems[0].params)["reason"])
    assert not caplog.records


def test_a_record_in_the_terms_before_linked_art_v1() -> None:
    """As the Georgia O'Keeffe Museum's and the Duchamp archives' records say it: "value" for "content",
    "label" for "_label", ``aat:`` compact IRIs."""
    problems: list[Problem] = []
    item = load({"@context": LA, "id": "https://museum.example/object/6", "type": "ManMadeObject", "label": "House",
                 "identified_by": [
                     {"type": "Identifier", "value": "2006.6.1",
                      "classified_as": [{"id": "aat:300312355", "label": "accession numbers", "type": "Type"}]},
                     {"type": "Name", "value": "Abiquiu House",
                      "classified_as": [{"id": "aat:300404670", "label": "preferred terms", "type": "Type"}]}]},
                problems=problems).items[0]
    assert (item.accession, item.title.best()) == ("2006.6.1", "Abiquiu House")
    assert problems == []


def _role_record(statement_iri: str) -> dict[str, Any]:
    production = "https://museum.example/object/1/production"
    statement = {"id": statement_iri, "type": "LinguisticObject", "content": "Photographers",
                 "classified_as": [{"id": "https://museum.example/thesaurus/producer-role-statement"}],
                 "close_match": [{"id": AAT + "300025687"}]}
    agent = {"id": "https://museum.example/person/1", "type": "Person", "_label": "A. Photographer",
             "referred_to_by": [statement]}
    return _record(produced_by={"id": production, "type": "Production", "carried_out_by": [agent]})


def test_a_role_given_in_a_statement_about_the_agent() -> None:
    """The Getty's "Artist/Maker (Producer) Role Statement": the AAT term of its close_match, else its text."""
    item = load(_role_record("https://museum.example/object/1/production/1/role-statement")).items[0]
    assert [(a.agent.name.best(), a.role) for a in item.creators] == [("A. Photographer", "photographer")]
    doc = _role_record("https://museum.example/object/1/production/1/role-statement")
    del doc["produced_by"]["carried_out_by"][0]["referred_to_by"][0]["close_match"]
    assert load(doc).items[0].creators[0].role == "Photographers"


def test_a_role_statement_of_another_record_is_not_read() -> None:
    """The agent's node is shared by every record naming it: only statements minted under this production count."""
    item = load(_role_record("https://museum.example/object/2/production/1/role-statement")).items[0]
    assert [a.role for a in item.creators] == [None]


def test_a_set_named_with_a_sentence_gets_a_short_key() -> None:
    name = ("Objects exhibited in A Day in the Country: Impressionism and the French Landscape, at the Los Angeles "
            "County Museum of Art, June 28 to September 16, 1984")
    sets = [{"id": f"https://other.example/set/{n}", "type": "Set", "_label": name} for n in (1, 2)]
    c = load(_record(member_of=sets))
    assert [s.key for s in c.sections] == [
        "objects-exhibited-in-a-day-in-the-country-impressionism-and-the",
        "objects-exhibited-in-a-day-in-the-country-impressionism-and-the-2"]
    assert c.sections[0].title.best() == name
