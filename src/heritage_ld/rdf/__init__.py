"""Linked data for a collection: CIDOC-CRM (Linked Art) and Dublin Core, serialised, validated, read back.

>>> from heritage_ld.model import Collection, Item, ItemKind, MultilingualText
>>> c = Collection("c", MultilingualText.of(en="C"), "https://example.org", items=(
...     Item("A1", ItemKind.PHOTOGRAPH, MultilingualText.of(en="Hanoi")),))
>>> len(item_triples(c.items[0], c, profile="crm")) > 10
True
"""

from __future__ import annotations

from heritage_ld.rdf.crm import item_node
from heritage_ld.rdf.dataset import dataset_description
from heritage_ld.rdf.document import item_document, item_jsonld, serialize, triples_document, write_collection
from heritage_ld.rdf.edm import edm_record
from heritage_ld.rdf.exhibition import collection_nodes
from heritage_ld.rdf.graph import (
    PROFILES,
    collection_graph,
    collection_triples,
    dataset_triples,
    item_graph,
    item_triples,
    to_rdflib,
)
from heritage_ld.rdf.load import load
from heritage_ld.rdf.shapes import validate
from heritage_ld.rdf.terms import Literal, Triple

__all__ = [
    "PROFILES",
    "Literal",
    "Triple",
    "collection_graph",
    "collection_nodes",
    "collection_triples",
    "dataset_description",
    "dataset_triples",
    "edm_record",
    "item_document",
    "item_graph",
    "item_jsonld",
    "item_node",
    "item_triples",
    "load",
    "serialize",
    "to_rdflib",
    "triples_document",
    "validate",
    "write_collection",
]
