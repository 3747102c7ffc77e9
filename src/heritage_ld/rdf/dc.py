"""Dublin Core terms (``http://purl.org/dc/terms/``) for items and the collection, as triples.

The mapping from the model, and to CIDOC-CRM, is the crosswalk table ``vocab/crosswalk.tsv``. Text keeps its
language tag; dates keep their EDTF text (``dcterms:date``) with the ISO bounds as ``dcterms:created`` when the
date is a single day; the type comes from the DCMI Type Vocabulary.

>>> from heritage_ld.model import Collection, Item, ItemKind, MultilingualText
>>> c = Collection("c", MultilingualText.of(en="C"), "https://example.org")
>>> t = item_dc(Item("A1", ItemKind.PHOTOGRAPH, MultilingualText.of(vi="Hà Nội")), c)
>>> [p.rsplit("/", 1)[1] for _, p, _ in t][:3]
['type', 'title', 'identifier']
"""

from __future__ import annotations

from heritage_ld.catalogue.validate import require_valid
from heritage_ld.model import Collection, Item, ItemKind, MultilingualText, UrlScheme
from heritage_ld.rdf.crm import check_iri
from heritage_ld.rdf.terms import DCMITYPE, DCTERMS, XSD, Literal, Triple

__all__ = ["DCMI_TYPE", "collection_dc", "item_dc", "member_dc"]

#: Item kind → DCMI Type (https://www.dublincore.org/specifications/dublin-core/dcmi-type-vocabulary/).
DCMI_TYPE: dict[ItemKind, str] = {
    ItemKind.PHOTOGRAPH: DCMITYPE + "StillImage",
    ItemKind.DOCUMENT: DCMITYPE + "Text",
    ItemKind.ARTIFACT: DCMITYPE + "PhysicalObject",
    ItemKind.AUDIO: DCMITYPE + "Sound",
    ItemKind.VIDEO: DCMITYPE + "MovingImage",
    ItemKind.OTHER: DCMITYPE + "PhysicalObject",
}


def _text(s: str, p: str, text: MultilingualText, out: list[Triple]) -> None:
    # Language tags are case-insensitive (RDF 1.1 Concepts §3.3); lower case is their canonical form in
    # N-Triples (as pyoxigraph writes them), so every format carries the same literal.
    for lang, value in text:
        out.append((s, DCTERMS + p, Literal(value, lang.lower())))


def item_dc(item: Item, collection: Collection, urls: UrlScheme | None = None) -> list[Triple]:
    """The Dublin Core description of one item (subject: the item's IRI, as in the CRM profile)."""
    require_valid(collection, item)
    item = collection.with_defaults(item)
    urls = urls or UrlScheme(collection.base_url)
    s = urls.object(item.accession)
    out: list[Triple] = [(s, DCTERMS + "type", DCMI_TYPE[item.kind])]
    _text(s, "title", item.title, out)
    out.append((s, DCTERMS + "identifier", Literal(item.accession)))
    for other in item.identifiers:
        out.append((s, DCTERMS + "identifier", Literal(other)))
    _text(s, "alternative", item.alternative_title, out)
    _text(s, "description", item.description, out)
    for a in item.creators:
        out.append((s, DCTERMS + "creator", urls.agent(a.agent.key)))
    for a in item.contributors:
        out.append((s, DCTERMS + "contributor", urls.agent(a.agent.key)))
    if collection.publisher is not None:
        out.append((s, DCTERMS + "publisher", urls.agent(collection.publisher.key)))
    if item.date is not None:
        out.append((s, DCTERMS + "date", Literal(item.date.text)))
        d = item.date
        if d.earliest and d.earliest == d.latest and not d.interval:
            out.append((s, DCTERMS + "created", Literal(d.earliest.isoformat(), "", XSD + "date")))
    for c in item.subjects:
        out.append((s, DCTERMS + "subject", urls.concept(c.key)))
    for p in item.places:
        out.append((s, DCTERMS + "spatial", urls.place(p.key)))
    for m in item.materials:
        out.append((s, DCTERMS + "medium", urls.concept(m.key)))
    for mt in sorted({m.media_type for m in item.media}):
        out.append((s, DCTERMS + "format", Literal(mt)))
    for dim in item.dimensions:
        out.append((s, DCTERMS + "extent", Literal(f"{dim.kind} {dim.value} {dim.unit}")))
    if item.source is not None:
        out.append((s, DCTERMS + "source", urls.agent(item.source.key)))
    _text(s, "provenance", item.provenance, out)
    if item.rights:
        out.append((s, DCTERMS + "rights", check_iri(item.rights, "rights", item.accession)))
        if "creativecommons.org" in item.rights:
            out.append((s, DCTERMS + "license", item.rights))
    if item.rights_holder is not None:
        out.append((s, DCTERMS + "rightsHolder", urls.agent(item.rights_holder.key)))
    _text(s, "bibliographicCitation", item.credit_line, out)
    for lang in item.languages:
        out.append((s, DCTERMS + "language", Literal(lang)))
    out.append((s, DCTERMS + "isPartOf", urls.set(collection.key)))
    if item.section:
        out.append((s, DCTERMS + "isPartOf", urls.section(item.section)))
    return out


def member_dc(item: Item, collection: Collection, urls: UrlScheme) -> list[Triple]:
    """The collection's (and the item's section's) ``hasPart`` to ``item``."""
    iri = urls.object(item.accession)
    out: list[Triple] = [(urls.set(collection.key), DCTERMS + "hasPart", iri)]
    if item.section:
        out.append((urls.section(item.section), DCTERMS + "hasPart", iri))
    return out


def collection_dc(collection: Collection, urls: UrlScheme | None = None, *, members: bool = True) -> list[Triple]:
    """Dublin Core for the collection (its Set) and its sections, with ``hasPart`` to every item
    (``members=False`` leaves those out, for a writer that streams them with :func:`member_dc`)."""
    urls = urls or UrlScheme(collection.base_url)
    s = urls.set(collection.key)
    out: list[Triple] = [(s, DCTERMS + "type", DCMITYPE + "Collection")]
    _text(s, "title", collection.title, out)
    out.append((s, DCTERMS + "identifier", Literal(collection.key)))
    _text(s, "description", collection.summary, out)
    if collection.publisher is not None:
        out.append((s, DCTERMS + "publisher", urls.agent(collection.publisher.key)))
    if collection.date is not None:
        out.append((s, DCTERMS + "date", Literal(collection.date.text)))
    if collection.rights:
        out.append((s, DCTERMS + "rights", check_iri(collection.rights, "rights", "collection.toml")))
        if "creativecommons.org" in collection.rights:
            out.append((s, DCTERMS + "license", collection.rights))
    for lang in collection.languages:
        out.append((s, DCTERMS + "language", Literal(lang)))
    if collection.venue is not None:
        out.append((s, DCTERMS + "spatial", urls.place(collection.venue.key)))
    for sec in collection.sections:
        sec_iri = urls.section(sec.key)
        out.append((s, DCTERMS + "hasPart", sec_iri))
        out.append((sec_iri, DCTERMS + "type", DCMITYPE + "Collection"))
        out.append((sec_iri, DCTERMS + "identifier", Literal(sec.key)))
        _text(sec_iri, "title", sec.title, out)
        _text(sec_iri, "description", sec.summary, out)
    if members:
        for item in collection.items:
            out += member_dc(item, collection, urls)
    return out
