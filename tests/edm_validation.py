"""Validating EDM records offline with Europeana's XML Schema and Schematron rules (shared conformance data).

``edm/schema_xsds/EDM.xsd`` checks structure, element order and cardinalities; the XPath 1.0 port of Europeana's
Schematron (``edm/schematron-xpath1/edm-external-xpath1.sch``) the mandatory-property rules. For whole OAI-PMH
responses, ``edm/OAI-PMH_edm.xsd`` loads the OAI-PMH schema beside EDM (it needs the sibling ``oai-pmh/``).
"""

from __future__ import annotations

import functools
from pathlib import Path

from lxml import etree, isoschematron

PARSER = etree.XMLParser(no_network=True, resolve_entities=False)
SVRL = "{http://purl.oclc.org/dsdl/svrl}"


@functools.cache
def edm_schema(edm: Path, oai: bool = False) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(edm / ("OAI-PMH_edm.xsd" if oai else "schema_xsds/EDM.xsd")), PARSER))


@functools.cache
def edm_rules(edm: Path) -> isoschematron.Schematron:
    return isoschematron.Schematron(etree.parse(str(edm / "schematron-xpath1/edm-external-xpath1.sch"), PARSER),
                                    store_report=True)


def failed_rules(edm: Path, doc: etree._ElementTree) -> list[str]:
    """The pattern ids (``M18`` …) of the failed Schematron assertions, with their text."""
    rules = edm_rules(edm)
    rules.validate(doc)
    report = rules.validation_report
    out = []
    for failed in report.iter(f"{SVRL}failed-assert"):
        pattern = None
        for el in failed.itersiblings(preceding=True):
            if el.tag == f"{SVRL}active-pattern":
                pattern = el.get("id")
                break
        out.append(f"{pattern}: {' '.join(''.join(failed.itertext()).split())}")
    return out


def schema_errors(edm: Path, doc: etree._ElementTree, *, oai: bool = False) -> list[str]:
    schema = edm_schema(edm, oai)
    return [] if schema.validate(doc) else [f"{e.line}: {e.message}" for e in schema.error_log]
