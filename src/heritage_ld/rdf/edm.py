"""EDM (Europeana Data Model): one RDF/XML record per item, as Europeana harvests it (OAI-PMH ``edm``).

A record holds the ``edm:ProvidedCHO`` (the item), its ``edm:WebResource``\\ s (each image's full-size JPEG from
its level-0 IIIF Image service, with ``svcs:has_service`` and ``dcterms:isReferencedBy`` the manifest, following
Europeana's "IIIF in EDM" pattern; other files such as PDFs as themselves), the contextual ``edm:Agent``,
``edm:Place``, ``edm:TimeSpan`` and ``skos:Concept`` it refers to, its ``ore:Aggregation`` (data provider,
provider, ``edm:isShownAt`` the item's page, ``edm:isShownBy``/``edm:object`` its first image, ``edm:rights``)
and the ``svcs:Service``\\ s. Elements come in the order Europeana's XML Schema requires (``EDM.xsd``:
``ProvidedCHO`` is the ``dc:``/``dcterms:`` properties, then the ``edm:`` ones, ``edm:type``, ``owl:sameAs``;
``Aggregation``, ``WebResource``, the contextual classes and ``svcs:Service`` are fixed sequences).

Reference: https://pro.europeana.eu/page/edm-documentation (EDM Mapping Guidelines); tested against Europeana's
XML Schema and Schematron rules (conformance folder ``edm/``). The identifiers are the ones every other output
uses: the CHO is the item's IRI, the aggregation and time-span are ``#`` nodes of it, agents, places and
concepts are the collection's IRIs.

>>> from heritage_ld.model import Collection, Item, ItemKind, MultilingualText, Agent, AgentKind
>>> museum = Agent("museum", AgentKind.GROUP, MultilingualText.of(en="Hanoi Museum"))
>>> item = Item("HN.1", ItemKind.PHOTOGRAPH, MultilingualText.of(en="Street"), rights="http://rightsstatements.org/vocab/InC/1.0/")
>>> c = Collection("c", MultilingualText.of(en="C"), "https://example.org/c", items=(item,), publisher=museum, provider=museum)
>>> b"<edm:type>IMAGE</edm:type>" in edm_record(item, c)
True
"""

from __future__ import annotations

from typing import Any

from heritage_ld.model import (
    Agent,
    Collection,
    Concept,
    Item,
    MediaFile,
    MultilingualText,
    Place,
    UrlScheme,
    iri_segment,
)
from heritage_ld.model.aggregation import edm_collection_gaps, edm_item_gaps, edm_rights, edm_type

__all__ = ["EDM_MEDIA_TYPE", "EDM_NAMESPACE", "EDM_PROFILE", "EDM_SCHEMA", "edm_record", "edm_writable"]

EDM_NAMESPACE = "http://www.europeana.eu/schemas/edm/"
#: The profile a client asks for (``Accept-Profile``; W3C Content Negotiation by Profile) to get EDM.
EDM_PROFILE = EDM_NAMESPACE
EDM_SCHEMA = "http://www.europeana.eu/schemas/edm/EDM.xsd"
EDM_MEDIA_TYPE = "application/rdf+xml"

_NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "edm": EDM_NAMESPACE,
    "ore": "http://www.openarchives.org/ore/terms/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "wgs84_pos": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "svcs": "http://rdfs.org/sioc/services#",
    "doap": "http://usefulinc.com/ns/doap#",
}
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_IIIF_IMAGE = "http://iiif.io/api/image"
_LEVEL0 = "http://iiif.io/api/image/3/level0.json"


def _q(name: str) -> str:
    prefix, _, local = name.partition(":")
    return f"{{{_NS[prefix]}}}{local}"


class _Doc:
    """An ``rdf:RDF`` element being filled (lxml, imported only when a record is made)."""

    def __init__(self) -> None:
        from lxml import etree

        self.etree = etree
        self.root = etree.Element(_q("rdf:RDF"), nsmap=_NS)

    def node(self, cls: str, about: str) -> Any:
        el = self.etree.SubElement(self.root, _q(cls))
        el.set(_q("rdf:about"), about)
        return el

    def ref(self, parent: Any, prop: str, iri: str) -> None:
        self.etree.SubElement(parent, _q(prop)).set(_q("rdf:resource"), iri)

    def lit(self, parent: Any, prop: str, value: str, lang: str = "") -> None:
        el = self.etree.SubElement(parent, _q(prop))
        el.text = value
        if lang:
            el.set(_XML_LANG, lang)

    def texts(self, parent: Any, prop: str, text: MultilingualText) -> None:
        for lang, value in text:
            self.lit(parent, prop, value, lang)

    def bytes(self) -> bytes:
        return bytes(self.etree.tostring(self.root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _media_url(urls: UrlScheme, accession: str, media: MediaFile) -> str:
    # Where the iiif step publishes an item's own files (heritage_ld.iiif.media.media_url; not imported: the
    # emitters are independent of each other).
    return f"{urls.base_url}/iiif/media/{iri_segment(accession)}/{iri_segment(media.path.name)}"


def _web_resources(item: Item, urls: UrlScheme, tiles: bool) -> list[tuple[str, MediaFile, str | None]]:
    """``(url, file, image service)`` of each file shown, images first (numbered as the manifest numbers them)."""
    out: list[tuple[str, MediaFile, str | None]] = []
    for n, image in enumerate(item.images, 1):
        if tiles:
            service = urls.image_service(item.accession, n)
            out.append((f"{service}/full/max/0/default.jpg", image, service))
        else:
            out.append((_media_url(urls, item.accession, image), image, None))
    out += [(_media_url(urls, item.accession, doc), doc, None) for doc in item.documents]
    return out


def edm_writable(item: Item, collection: Collection) -> bool:
    """Whether an EDM record is written for ``item`` (the catalogue has what EDM requires; else ``check`` says
    what is missing, codes C091-C095)."""
    return not edm_collection_gaps(collection) and not edm_item_gaps(item, collection)


def _agent(doc: _Doc, agent: Agent, urls: UrlScheme) -> None:
    el = doc.node("edm:Agent", urls.agent(agent.key))
    doc.texts(el, "skos:prefLabel", agent.name)
    for same in agent.same_as:
        doc.ref(el, "owl:sameAs", same)


def _place(doc: _Doc, place: Place, urls: UrlScheme) -> None:
    el = doc.node("edm:Place", urls.place(place.key))
    if place.latitude is not None and place.longitude is not None:
        doc.lit(el, "wgs84_pos:lat", repr(place.latitude))
        doc.lit(el, "wgs84_pos:long", repr(place.longitude))
    doc.texts(el, "skos:prefLabel", place.name)
    for same in place.same_as:
        doc.ref(el, "owl:sameAs", same)


def _concept(doc: _Doc, concept: Concept, urls: UrlScheme) -> None:
    el = doc.node("skos:Concept", urls.concept(concept.key))
    doc.texts(el, "skos:prefLabel", concept.label)
    for same in concept.same_as:
        doc.ref(el, "skos:exactMatch", same)


def _unique(values: list[Any]) -> list[Any]:
    seen: set[str] = set()
    out = []
    for v in values:
        if v.key not in seen:
            seen.add(v.key)
            out.append(v)
    return out


def edm_record(item: Item, collection: Collection, *, urls: UrlScheme | None = None, tiles: bool = True) -> bytes:
    """The EDM record of ``item`` as RDF/XML bytes (UTF-8), in the element order of Europeana's schema.

    Args:
        urls: the URL scheme (default: the collection's base URL).
        tiles: whether level-0 IIIF tiles are published (images are then the services' full-size JPEGs, each
            with its ``svcs:Service``); without tiles, the published copies of the files themselves.

    Raises:
        ValueError: the catalogue lacks what EDM requires (see :func:`edm_writable`).
    """
    gaps = edm_collection_gaps(collection) + edm_item_gaps(item, collection)
    if gaps:
        raise ValueError(f"no EDM record for {item.accession}: {', '.join(code for code, _ in gaps)}")
    urls = urls or UrlScheme(collection.base_url)
    rights = edm_rights(item, collection)
    assert rights is not None and collection.publisher is not None and collection.provider is not None
    cho_iri = urls.object(item.accession)
    doc = _Doc()
    cho = doc.node("edm:ProvidedCHO", cho_iri)
    agents = _unique([a.agent for a in (*item.creators, *item.contributors)])
    for att in item.creators:
        doc.ref(cho, "dc:creator", urls.agent(att.agent.key))
    for att in item.contributors:
        doc.ref(cho, "dc:contributor", urls.agent(att.agent.key))
    if item.date is not None:
        doc.lit(cho, "dc:date", item.date.text)
    doc.texts(cho, "dc:description", item.description)
    doc.lit(cho, "dc:identifier", item.accession)
    for other in item.identifiers:
        doc.lit(cho, "dc:identifier", other)
    for lang in item.languages:
        doc.lit(cho, "dc:language", lang)
    doc.texts(cho, "dc:publisher", collection.publisher.name)
    for concept in item.subjects:
        doc.ref(cho, "dc:subject", urls.concept(concept.key))
    doc.texts(cho, "dc:title", item.title)
    for concept in item.techniques:
        doc.ref(cho, "dc:type", urls.concept(concept.key))
    doc.lit(cho, "dc:type", item.kind.value, "en")
    doc.texts(cho, "dcterms:alternative", item.alternative_title)
    timespan = urls.node(cho_iri, "production", "timespan") if item.date is not None else None
    if timespan is not None:
        doc.ref(cho, "dcterms:created", timespan)
    if item.section:
        doc.ref(cho, "dcterms:isPartOf", urls.section(item.section))
    doc.ref(cho, "dcterms:isPartOf", urls.set(collection.key))
    for concept in item.materials:
        doc.ref(cho, "dcterms:medium", urls.concept(concept.key))
    doc.texts(cho, "dcterms:provenance", item.provenance)
    places = _unique([*item.places, *((item.place_made,) if item.place_made else ())])
    for place in places:
        doc.ref(cho, "dcterms:spatial", urls.place(place.key))
    doc.lit(cho, "edm:type", edm_type(item))
    for same in item.same_as:
        doc.ref(cho, "owl:sameAs", same)

    shown = _web_resources(item, urls, tiles)
    manifest = urls.manifest(item.accession) if item.has_manifest else None
    for url, media, service in shown:
        wr = doc.node("edm:WebResource", url)
        doc.lit(wr, "dc:format", "image/jpeg" if service else media.media_type)
        doc.ref(wr, "edm:rights", rights)
        if manifest is not None:
            doc.ref(wr, "dcterms:isReferencedBy", manifest)
        if service is not None:
            doc.ref(wr, "svcs:has_service", service)
    for agent in agents:
        _agent(doc, agent, urls)
    for place in places:
        _place(doc, place, urls)
    if item.date is not None and timespan is not None:
        ts = doc.node("edm:TimeSpan", timespan)
        doc.lit(ts, "skos:prefLabel", item.date.text)
        begin, end = item.date.earliest, item.date.latest
        if begin is not None:
            doc.lit(ts, "edm:begin", begin.isoformat())
        if end is not None:
            doc.lit(ts, "edm:end", end.isoformat())
    for concept in _unique([*item.subjects, *item.techniques, *item.materials]):
        _concept(doc, concept, urls)

    agg = doc.node("ore:Aggregation", urls.node(cho_iri, "aggregation"))
    doc.ref(agg, "edm:aggregatedCHO", cho_iri)
    doc.lit(agg, "edm:dataProvider", *_one_name(collection.publisher.name))
    for url, _, _ in shown[1:]:
        doc.ref(agg, "edm:hasView", url)
    doc.ref(agg, "edm:isShownAt", urls.page(item.accession))
    if shown:
        doc.ref(agg, "edm:isShownBy", shown[0][0])
        if shown[0][2] is not None:  # an image (a thumbnail is made from it); never a PDF
            doc.ref(agg, "edm:object", shown[0][0])
    doc.lit(agg, "edm:provider", *_one_name(collection.provider.name))
    doc.ref(agg, "edm:rights", rights)
    for _, _, service in shown:
        if service is not None:
            svc = doc.node("svcs:Service", service)
            doc.ref(svc, "dcterms:conformsTo", _IIIF_IMAGE)
            doc.ref(svc, "doap:implements", _LEVEL0)
    return doc.bytes()


def _one_name(name: MultilingualText) -> tuple[str, str]:
    """An organisation's name in one language (``edm:dataProvider`` and ``edm:provider`` take one value)."""
    best = name.best(("en",))
    lang = next((lang for lang, value in name if value == best), "")
    return best, lang
