"""Every class and property heritage-ld emits exists in the official vocabularies (conformance data).

CIDOC-CRM 7.1.1 RDFS, DCMI terms / elements / types, DCAT 3, CRMdig's D1 (as Linked Art imports it) and the
``la:`` terms (the Linked Art context is the list of them: linkedart_crm_enhancements.rdf declares none).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
import rdflib

from heritage_ld.catalogue import read_catalogue
from heritage_ld.rdf import collection_triples, dataset_description, item_triples
from heritage_ld.rdf.terms import CRM, DC, DCAT, DCMITYPE, DCTERMS, DIG, LA, RDF, RDF_TYPE, RDFS, VOID

pytestmark = pytest.mark.conformance

# VoID has no offline copy in the conformance data (its README says so): its terms are listed from
# http://rdfs.org/ns/void (the VoID vocabulary, W3C Interest Group Note 2011, §4-§6).
VOID_TERMS = {"Dataset", "triples", "entities", "dataDump", "sparqlEndpoint", "uriSpace", "vocabulary",
              "exampleResource", "rootResource"}


@functools.cache
def _declared(path: Path, fmt: str) -> frozenset[str]:
    g = rdflib.Graph().parse(path, format=fmt)
    return frozenset(str(s) for s in g.subjects(rdflib.RDF.type, None))


def _references(v: Path) -> dict[str, frozenset[str]]:
    ctx = json.loads((v / "linked-art/linked-art.json").read_text())["@context"]
    la_terms: set[str] = set()

    def walk(context: dict) -> None:  # type: ignore[type-arg]
        for entry in context.values():
            iri = entry.get("@id") if isinstance(entry, dict) else entry
            if isinstance(iri, str) and iri.startswith("la:"):
                la_terms.add(LA + iri[3:])
            if isinstance(entry, dict) and isinstance(entry.get("@context"), dict):
                walk(entry["@context"])  # type-scoped terms (la:member_of is declared per class)

    walk(ctx)
    return {
        CRM: _declared(v / "cidoc-crm/CIDOC_CRM_v7.1.1.rdfs", "xml"),
        DCTERMS: _declared(v / "dcmi/dublin_core_terms.ttl", "turtle"),
        DC: _declared(v / "dcmi/dublin_core_elements.ttl", "turtle"),
        DCMITYPE: _declared(v / "dcmi/dublin_core_type.ttl", "turtle"),
        DCAT: _declared(v / "dcat/dcat3.ttl", "turtle"),
        DIG: _declared(v / "linked-art/ontologies/linkedart_crm_enhancements.rdf", "xml"),
        LA: frozenset(la_terms),
        VOID: frozenset(VOID + t for t in VOID_TERMS),
        RDFS: frozenset({RDFS + "label"}),
        RDF: frozenset({RDF_TYPE}),
    }


def _used_terms(example_dir: Path) -> set[str]:
    c = read_catalogue(example_dir)
    triples = list(collection_triples(c))
    for item in c.items:
        triples += item_triples(item, c)
    triples += dataset_description(c, triples=1)
    used = {p for _, p, _ in triples}
    used |= {o for _, p, o in triples if p == RDF_TYPE and isinstance(o, str)}
    used |= {o for _, p, o in triples if p == DCTERMS + "type" and isinstance(o, str)}
    return used


def test_every_term_is_in_its_official_vocabulary(conformance: Path, example_dir: Path) -> None:
    refs = _references(conformance / "vocab")
    used = _used_terms(example_dir)
    unknown = []
    for term in sorted(used):
        ns = next((n for n in sorted(refs, key=len, reverse=True) if term.startswith(n)), None)
        if ns is None or term not in refs[ns]:
            unknown.append(term)
    assert unknown == []
    # the check has teeth: the example uses terms from every vocabulary
    assert {n for n in refs if any(t.startswith(n) for t in used)} >= {CRM, LA, DIG, DCTERMS, DCMITYPE, DCAT, VOID}


def test_crm_references_are_7x_names(example_dir: Path) -> None:
    used = _used_terms(example_dir)
    assert CRM + "E22_Human-Made_Object" in used and CRM + "E33_E41_Linguistic_Appellation" in used
    assert not any("Man-Made" in t for t in used)


def test_rights_iris_are_rightsstatements_terms(conformance: Path, example_dir: Path) -> None:
    g = rdflib.Graph().parse(conformance / "vocab/rightsstatements/rights-statements.ttl", format="turtle")
    statements = {str(s) for s in g.subjects()}
    c = read_catalogue(example_dir)
    used = {i.rights for i in c.items if i.rights and "rightsstatements" in i.rights} | {c.rights}
    assert used and used <= statements
