"""CIDOC-CRM in the Linked Art profile: an item as a tree of :class:`~heritage_ld.rdf.node.Node` values.

Patterns follow linked.art's model pages: names and identifiers (model/base), statements (model/base
#statements), the production with its time-span and parts (model/object/production), dimensions
(model/object/physical), the visual or textual content an object shows or carries (model/object/aboutness),
rights on that content (model/object/rights), digital images and the IIIF manifest (model/digital), the
acquisition (model/provenance) and set membership with a sequence position (model/collection). Every node has
an IRI from :class:`heritage_ld.model.UrlScheme` (``urls.node(item, "production")`` …): no blank nodes.
"""

from __future__ import annotations

from collections.abc import Callable

from heritage_ld.catalogue.validate import require_valid
from heritage_ld.errors import CatalogueError
from heritage_ld.model import (
    Agent,
    AgentKind,
    Collection,
    Concept,
    EDTFDate,
    Item,
    ItemKind,
    MultilingualText,
    Place,
    UrlScheme,
    is_absolute_iri,
    slugify,
)
from heritage_ld.problems import Location, report
from heritage_ld.rdf.concepts import aat, aat_key
from heritage_ld.rdf.node import Node

__all__ = [
    "IIIF_FORMAT",
    "IIIF_PRESENTATION",
    "agent_ref",
    "check_iri",
    "content_kind",
    "item_node",
    "language_ref",
    "timespan_node",
    "type_ref",
]

#: Linked Art model/digital: the manifest's digital object conforms to the Presentation API and has this format.
IIIF_PRESENTATION = "http://iiif.io/api/presentation/"
IIIF_FORMAT = 'application/ld+json;profile="http://iiif.io/api/presentation/3/context.json"'
IIIF_IMAGE = "http://iiif.io/api/image/"

_KIND_TERM = {
    ItemKind.PHOTOGRAPH: "kind:photograph",
    ItemKind.DOCUMENT: "kind:document",
    ItemKind.ARTIFACT: "kind:artifact",
    ItemKind.AUDIO: "kind:audio",
    ItemKind.VIDEO: "kind:video",
}


def check_iri(value: str, field: str, where: str) -> str:
    """``value`` if it is an absolute IRI, else raise :class:`CatalogueError` (R004): never broken output."""
    reason = is_absolute_iri(value)
    if reason is not None:
        raise CatalogueError([report("R004", Location(where, field=field), field=field, value=value, reason=reason)])
    return value


def type_ref(key: str) -> Node:
    """A reference to the AAT term ``key`` of ``vocab/aat.tsv`` (``{"id", "type": "Type", "_label"}``)."""
    t = aat(key)
    return Node(t.iri, "Type", t.label)


def language_ref(tag: str, urls: UrlScheme) -> Node:
    """The Language of a BCP 47 tag: its AAT term when the table has one, else a concept minted for the tag."""
    key = f"language:{tag}"
    if key in _language_keys():
        t = aat(key)
        return Node(t.iri, "Language", t.label)
    return Node(urls.concept(f"language-{tag}"), "Language", tag)


def _language_keys() -> frozenset[str]:
    from heritage_ld.rdf.concepts import aat_terms

    return frozenset(k for k in aat_terms() if k.startswith("language:"))


def local_type(urls: UrlScheme, key: str, label: str) -> Node:
    """A Type minted under ``{base}/concept/`` for a value with no AAT term (a role, a media role …)."""
    return Node(urls.concept(key), "Type", label)


def role_ref(role: str, urls: UrlScheme) -> Node:
    """The Type of an agent's role: the AAT term when the table has it, else a minted concept labelled ``role``."""
    key = f"role:{role}"
    return type_ref(key) if aat_key(_iri_or_none(key)) == key else local_type(urls, f"role-{slugify(role)}", role)


def _iri_or_none(key: str) -> str:
    try:
        return aat(key).iri
    except KeyError:
        return ""


def agent_ref(agent: Agent, urls: UrlScheme) -> Node:
    """A reference to a person or group."""
    return Node(urls.agent(agent.key), "Person" if agent.kind is AgentKind.PERSON else "Group", agent.name.best())


def place_ref(place: Place, urls: UrlScheme) -> Node:
    return Node(urls.place(place.key), "Place", place.name.best())


def concept_ref(concept: Concept, urls: UrlScheme, type_name: str = "Type") -> Node:
    return Node(urls.concept(concept.key), type_name, concept.label.best())


def names(owner: str, text: MultilingualText, urls: UrlScheme, kind: str, part: str) -> list[Node]:
    """One Name per language (Linked Art: each primary name has a unique language, or none)."""
    return _per_language(owner, text, urls, part, "Name", lambda: type_ref(kind))


def statements(owner: str, text: MultilingualText, urls: UrlScheme, kind: str, part: str) -> list[Node]:
    """One Statement (LinguisticObject) per language, classified ``kind`` and "brief text" (model/base)."""
    return _per_language(owner, text, urls, part, "LinguisticObject", lambda: _classified_brief(kind))


def _per_language(owner: str, text: MultilingualText, urls: UrlScheme, part: str, type_name: str,
                  classified: Callable[[], Node]) -> list[Node]:
    """A ``type_name`` node per language of ``text`` with its content and language (its content says what it
    is: no ``_label``)."""
    out = []
    for lang, value in text:
        n = Node(urls.node(owner, part, lang or "none"), type_name, None)
        n.add("classified_as", classified())
        n.add("content", value)
        if lang:
            n.add("language", language_ref(lang, urls))
        out.append(n)
    return out


def _classified_brief(key: str) -> Node:
    # Linked Art model/base#statements: the statement's type is itself classified as "brief text".
    t = type_ref(key)
    t.add("classified_as", type_ref("statement:brief-text"))
    return t


def _iso_start(d: EDTFDate) -> str | None:
    return f"{d.earliest.isoformat()}T00:00:00Z" if d.earliest else None


def _iso_end(d: EDTFDate) -> str | None:
    return f"{d.latest.isoformat()}T23:59:59Z" if d.latest else None


def timespan_node(owner: str, date: EDTFDate, urls: UrlScheme, *parts: str) -> Node:
    """A TimeSpan: begin of the begin / end of the end from the EDTF bounds, the EDTF text as its Name.

    Uncertain or approximate dates keep their widest bounds (EDTF §5.1, Linked Art model/base#time-span-details);
    an open or unknown end has no bound at all.
    """
    iri = urls.node(owner, *parts, "timespan")
    ts = Node(iri, "TimeSpan", date.text)
    n = Node(urls.node(owner, *parts, "timespan", "name"), "Name", None)
    n.add("content", date.text)
    ts.add("identified_by", n)
    start, end = _iso_start(date), _iso_end(date)
    if start:
        ts.add("begin_of_the_begin", start)
    if end:
        ts.add("end_of_the_end", end)
    return ts


def content_kind(item: Item) -> str:
    """The Linked Art class of an item's content: a document carries text, everything else shows an image."""
    return "LinguisticObject" if item.kind is ItemKind.DOCUMENT else "VisualItem"


def _content_node(item: Item, iri: str, urls: UrlScheme) -> Node:
    kind = content_kind(item)
    node = Node(urls.node(iri, "text" if kind == "LinguisticObject" else "visual"), kind, item.title.best())
    for c in item.subjects:
        node.add("about", concept_ref(c, urls))
    for p in item.places:
        node.add("about", place_ref(p, urls))
    if kind == "LinguisticObject":
        for lang in item.languages:
            node.add("language", language_ref(lang, urls))
    if item.rights or item.rights_holder:
        right = Node(urls.node(iri, "right"), "Right", item.rights)
        if item.rights:
            right.add("classified_as", Node(check_iri(item.rights, "rights", item.accession), "Type", item.rights))
        if item.rights_holder:
            right.add("possessed_by", agent_ref(item.rights_holder, urls))
        node.add("subject_to", right)
    return node


def _production(item: Item, iri: str, urls: UrlScheme) -> Node | None:
    if not (item.date or item.creators or item.contributors or item.place_made or item.techniques):
        return None
    prod_iri = urls.node(iri, "production")
    prod = Node(prod_iri, "Production", None)
    if item.date:
        prod.add("timespan", timespan_node(iri, item.date, urls, "production"))
    if item.place_made:
        prod.add("took_place_at", place_ref(item.place_made, urls))
    for t in item.techniques:
        prod.add("technique", concept_ref(t, urls))
    # Linked Art model/object/production#multiple-artists: one part per agent, classified by their role.
    for group, attributions in (("creator", item.creators), ("contributor", item.contributors)):
        for n, a in enumerate(attributions, 1):
            part = Node(urls.node(iri, "production", group, str(n)), "Production", None)
            if group == "contributor":
                part.add("classified_as", local_type(urls, "contribution", "contribution"))
            if a.role:
                part.add("classified_as", role_ref(a.role, urls))
            part.add("carried_out_by", agent_ref(a.agent, urls))
            prod.add("part", part)
    return prod


def _representation(item: Item, iri: str, urls: UrlScheme) -> Node | None:
    if not item.media:
        return None
    vis = Node(urls.node(iri, "images"), "VisualItem", None)
    shown = {m.path: n for n, m in enumerate(item.images, 1)}
    for n, m in enumerate(item.media, 1):
        fiv = urls.node(iri, "file", str(n))
        d = Node(fiv, "DigitalObject", str(m.path))
        ident = Node(urls.node(iri, "file", str(n), "name"), "Identifier", None)
        ident.add("classified_as", type_ref("identifier:file-name"))
        ident.add("content", str(m.path))
        d.add("identified_by", ident)
        if m.is_image:
            d.add("classified_as", type_ref("digital:image"))
        d.add("classified_as", local_type(urls, f"media-{m.role.value}", m.role.value))
        if m.path in shown:
            d.add("access_point", Node(urls.image_service(item.accession, shown[m.path]), "DigitalObject", None))
            d.add("conforms_to", Node(IIIF_IMAGE, "InformationObject", None))
        d.add("format", m.media_type)
        for dim, value in (("width", m.width), ("height", m.height)):
            if value is not None:
                dn = Node(urls.node(iri, "file", str(n), dim), "Dimension", None)
                dn.add("classified_as", type_ref(f"dimension:{dim}"))
                dn.add("value", value)
                dn.add("unit", _unit("unit:px"))
                d.add("dimension", dn)
        vis.add("digitally_shown_by", d)
    return vis


def _unit(key: str) -> Node:
    t = aat(key)
    return Node(t.iri, "MeasurementUnit", t.label)


def _decimal_number(value: object) -> int | float:
    f = float(str(value))
    return int(f) if f.is_integer() else f


def position_node(owner: str, position: int, urls: UrlScheme) -> Node:
    """Linked Art model/collection: a member's place in its set as a "sequence position" dimension."""
    d = Node(urls.node(owner, "position"), "Dimension", None)
    d.add("classified_as", type_ref("dimension:sequence-position"))
    d.add("value", position)
    d.add("unit", _unit("unit:number"))
    return d


def _subject_of(item: Item, iri: str, urls: UrlScheme) -> list[Node]:
    """The item's web page, and its IIIF manifest when it has one (``Item.has_manifest``: no dangling link)."""
    page = Node(urls.node(iri, "page"), "LinguisticObject", "web page")
    pdo = Node(urls.node(iri, "page", "file"), "DigitalObject", None)
    pdo.add("classified_as", type_ref("digital:web-page"))
    pdo.add("access_point", Node(urls.page(item.accession), "DigitalObject", None))
    pdo.add("format", "text/html")
    page.add("digitally_carried_by", pdo)
    if not item.has_manifest:
        return [page]
    manifest = Node(urls.node(iri, "manifest"), "LinguisticObject", "IIIF manifest")
    mdo = Node(urls.node(iri, "manifest", "file"), "DigitalObject", None)
    mdo.add("access_point", Node(urls.manifest(item.accession), "DigitalObject", None))
    mdo.add("format", IIIF_FORMAT)
    mdo.add("conforms_to", Node(IIIF_PRESENTATION, "InformationObject", None))
    manifest.add("digitally_carried_by", mdo)
    return [manifest, page]


def item_node(item: Item, collection: Collection, urls: UrlScheme | None = None, *, position: int = 0) -> Node:
    """The Linked Art tree of one item: an ``E22_Human-Made_Object`` and everything embedded in it.

    ``position`` (1-based, 0 for none) is the item's place in the catalogue, kept as a sequence position.

    >>> from heritage_ld.model import Collection, Item, ItemKind, MultilingualText
    >>> c = Collection("c", MultilingualText.of(en="C"), "https://example.org")
    >>> i = Item("A1", ItemKind.PHOTOGRAPH, MultilingualText.of(en="Hanoi", vi="Hà Nội"))
    >>> n = item_node(i, c)
    >>> n.id, n.type, [x.first("content") for x in n.props["identified_by"]][:2]
    ('https://example.org/object/A1', 'HumanMadeObject', ['Hanoi', 'Hà Nội'])
    """
    require_valid(collection, item)
    item = collection.with_defaults(item)
    urls = urls or UrlScheme(collection.base_url)
    iri = urls.object(item.accession)
    obj = Node(iri, "HumanMadeObject", item.title.best())
    if item.kind in _KIND_TERM:
        obj.add("classified_as", type_ref(_KIND_TERM[item.kind]))
    obj.add("identified_by", *names(iri, item.title, urls, "name:primary", "name"))
    obj.add("identified_by", *names(iri, item.alternative_title, urls, "name:alternate", "alternate-name"))
    acc = Node(urls.node(iri, "accession"), "Identifier", None)
    acc.add("classified_as", type_ref("identifier:accession"))
    acc.add("content", item.accession)
    obj.add("identified_by", acc)
    for n, other in enumerate(item.identifiers, 1):
        ident = Node(urls.node(iri, "identifier", str(n)), "Identifier", None)
        ident.add("classified_as", type_ref("identifier:local"))
        ident.add("content", other)
        obj.add("identified_by", ident)
    obj.add("referred_to_by", *statements(iri, item.description, urls, "statement:description", "description"))
    obj.add("referred_to_by", *statements(iri, item.credit_line, urls, "statement:credit", "credit"))
    obj.add("referred_to_by", *statements(iri, item.provenance, urls, "statement:provenance", "provenance"))
    for same in item.same_as:
        obj.add("equivalent", Node(check_iri(same, "same_as", item.accession), "HumanMadeObject", None))
    rep = _representation(item, iri, urls)
    if rep is not None:
        obj.add("representation", rep)
    obj.add("member_of", Node(urls.set(collection.key), "Set", collection.title.best()))
    if item.section:
        obj.add("member_of", Node(urls.section(item.section), "Set", _section_label(collection, item.section)))
    obj.add("subject_of", *_subject_of(item, iri, urls))
    for d in item.dimensions:
        dn = Node(urls.node(iri, "dimension", d.kind), "Dimension", None)
        dn.add("classified_as", type_ref(f"dimension:{d.kind}"))
        dn.add("value", _decimal_number(d.value))
        dn.add("unit", _unit(f"unit:{d.unit}"))
        obj.add("dimension", dn)
    if position:
        obj.add("dimension", position_node(iri, position, urls))
    for m in item.materials:
        obj.add("made_of", concept_ref(m, urls, "Material"))
    content = _content_node(item, iri, urls)
    obj.add("carries" if content.type == "LinguisticObject" else "shows", content)
    prod = _production(item, iri, urls)
    if prod is not None:
        obj.add("produced_by", prod)
    if item.source or item.source_type:
        acq = Node(urls.node(iri, "acquisition"), "Acquisition", None)
        if item.source_type:
            acq.add("classified_as", local_type(urls, f"source-{item.source_type.value}", item.source_type.value))
        if item.source:
            acq.add("transferred_title_from", agent_ref(item.source, urls))
        obj.add("changed_ownership_through", acq)
    return obj


def _section_label(collection: Collection, key: str) -> str:
    try:
        return collection.section(key).title.best()
    except KeyError:
        return key
