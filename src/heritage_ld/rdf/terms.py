"""RDF terms as plain Python values: an IRI is a ``str``, a literal a :class:`Literal`, a triple a tuple.

Emitters build lists of triples from the model with no rdflib objects in between (building rdflib terms costs
more than serialising them); :mod:`heritage_ld.rdf.serialize` formats them directly.

>>> Literal("Hà Nội", "vi")
Literal(value='Hà Nội', language='vi', datatype='')
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = [
    "CRM",
    "DC",
    "DCAT",
    "DCMITYPE",
    "DCTERMS",
    "DIG",
    "FOAF",
    "LA",
    "PREFIXES",
    "RDF",
    "RDFS",
    "RDF_TYPE",
    "SKOS",
    "VOID",
    "XSD",
    "Literal",
    "Object",
    "Triple",
]

CRM = "http://www.cidoc-crm.org/cidoc-crm/"
LA = "https://linked.art/ns/terms/"
DIG = "http://www.ics.forth.gr/isl/CRMdig/"
DCTERMS = "http://purl.org/dc/terms/"
DC = "http://purl.org/dc/elements/1.1/"
DCMITYPE = "http://purl.org/dc/dcmitype/"
DCAT = "http://www.w3.org/ns/dcat#"
VOID = "http://rdfs.org/ns/void#"
FOAF = "http://xmlns.com/foaf/0.1/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = RDF + "type"

#: Prefixes written in Turtle and RDF/XML, in this order.
PREFIXES: tuple[tuple[str, str], ...] = (
    ("crm", CRM),
    ("la", LA),
    ("dig", DIG),
    ("dcterms", DCTERMS),
    ("dc", DC),
    ("dcmitype", DCMITYPE),
    ("dcat", DCAT),
    ("void", VOID),
    ("foaf", FOAF),
    ("rdf", RDF),
    ("rdfs", RDFS),
    ("skos", SKOS),
    ("xsd", XSD),
)


class Literal(NamedTuple):
    """A literal: its lexical ``value``, a BCP 47 ``language`` or a ``datatype`` IRI (neither: xsd:string)."""

    value: str
    language: str = ""
    datatype: str = ""


Object = str | Literal
#: (subject IRI, predicate IRI, object IRI or literal); there are no blank nodes.
Triple = tuple[str, str, Object]
