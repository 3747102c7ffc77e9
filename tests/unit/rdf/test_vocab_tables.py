"""The vocabulary tables in vocab/: well-formed, unique, and consistent with each other and the model."""

from __future__ import annotations

import dataclasses
import re

from heritage_ld import vocab
from heritage_ld.model import Collection, Item
from heritage_ld.rdf.concepts import aat_terms


def test_aat_table_is_well_formed() -> None:
    rows = vocab.read_table("aat.tsv")
    assert [list(r) for r in rows[:1]] == [["key", "iri", "label", "source"]]
    keys = [r["key"] for r in rows]
    iris = [r["iri"] for r in rows]
    assert len(set(keys)) == len(keys)
    assert len(set(iris)) == len(iris)
    assert all(re.fullmatch(r"http://vocab\.getty\.edu/aat/3\d{8}", i) for i in iris)
    assert all(r["label"] and r["source"] for r in rows)
    # the terms the issue names, checked against linked.art
    named = {"name:primary": "300404670", "identifier:accession": "300312355", "statement:description": "300435416",
             "statement:brief-text": "300418049", "statement:credit": "300026687", "statement:rights": "300435434",
             "activity:exhibition": "300054766", "set:collection": "300025976", "kind:photograph": "300046300",
             "digital:image": "300215302", "digital:web-page": "300264578", "language:en": "300388277",
             "language:vi": "300389525"}
    assert {k: aat_terms()[k].iri.rsplit("/", 1)[1] for k in named} == named


def test_crosswalk_covers_model_fields_and_known_terms() -> None:
    rows = vocab.read_table("crosswalk.tsv")
    fields = {f.strip() for r in rows for f in r["field"].split(",")}
    model = {f.name for f in dataclasses.fields(Item)} | {f.name for f in dataclasses.fields(Collection)}
    extra = {"collection", "manifest", "page", "order", "publisher"}
    assert fields - extra <= model
    # every item field with content in RDF has a row
    assert {"accession", "title", "description", "date", "creators", "rights", "media", "section"} <= fields
    known = {t.iri.rsplit("/", 1)[1] for t in aat_terms().values()}
    cited = set(re.findall(r"aat:(3\d{8})", " ".join(r["crm"] for r in rows)))
    assert cited and cited <= known
