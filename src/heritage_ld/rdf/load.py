"""Reading CIDOC-CRM / Linked Art RDF back into the model: ``load(source) -> Collection``.

Reads any serialisation from a path (also ``.gz``), bytes, text or a parsed JSON-LD document
(:mod:`heritage_ld.rdf.source`; contexts are never fetched). The collection is the ``la:Set`` classified as a
collection (AAT 300025976); objects are its members, in the order of their "sequence position" dimension,
then by IRI. RDF without such a set (records another museum publishes) gives a collection of its objects.

Our own RDF reads back exactly. Other publishers' Linked Art is read leniently, where the data is
legitimately different from ours (https://linked.art/model/): names with or without the primary-name
classification, identifiers of any classification (a record without an accession number is keyed by its IRI,
with a warning), dates from a time-span's bounds when its name is free text (the name is kept as the display
date), statements, dimensions in other units, production with or without parts, membership of sets (the
sections). Source IRIs are kept: an object minted elsewhere keeps its IRI in ``same_as``, and so do agents,
places and concepts. What cannot be mapped is reported as a warning naming the node, and one bad record never
stops the others being read.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePosixPath

import rdflib
from rdflib import URIRef
from rdflib.term import Node as RNode

from heritage_ld.errors import CatalogueError, HeritageLDError
from heritage_ld.formats import Format
from heritage_ld.model import (
    Agent,
    Attribution,
    Collection,
    CollectionKind,
    Concept,
    Item,
    ItemKind,
    MediaFile,
    MediaRole,
    MultilingualText,
    Place,
    Section,
    SourceType,
    UrlScheme,
    slugify,
)
from heritage_ld.problems import Location, Problem, report
from heritage_ld.rdf._reader import (
    EQUIV,
    LABEL,
    MEMBER_OF,
    P1,
    P2,
    P43,
    P67I,
    P72,
    P90,
    P190,
    RDF_TYPE,
    Reader,
    _aat_iri,
    _key,
    _p,
    _term_key,
)
from heritage_ld.rdf.concepts import aat
from heritage_ld.rdf.source import Source, read_graph
from heritage_ld.rdf.terms import LA

SKOS_CLOSE = URIRef("http://www.w3.org/2004/02/skos/core#closeMatch")

__all__ = ["load", "read_graph"]


def _by_suffix(nodes: Iterable[RNode]) -> list[RNode]:
    def key(n: RNode) -> tuple[int, str]:
        tail = str(n).rsplit("-", 1)[-1]
        return (int(tail) if tail.isdigit() else 0, str(n))

    return sorted(nodes, key=key)


def _identifiers(r: Reader, obj: RNode) -> tuple[str, list[tuple[str, str]]]:
    """The accession number (an Identifier classified so; the first by IRI when there are several) and every
    other identifier, of any classification."""
    accession = ""
    others: list[tuple[str, str]] = []
    for n in r.objs(obj, P1):
        content = r.content(n)
        if content is None or r.is_name(n):
            continue
        if "identifier:accession" in r.typed(n) and not accession:
            accession = str(content)
        else:
            others.append((str(n), str(content)))
    return accession, others


def _media(r: Reader, obj: RNode) -> list[MediaFile]:
    g = r.g
    media = []
    for vis in r.objs(obj, _p("P138i_has_representation")):
        for do in _by_suffix(g.objects(vis, URIRef(LA + "digitally_shown_by"))):
            path = next((str(g.value(i, P190)) for i in r.objs(do, P1) if g.value(i, P190) is not None), None)
            if path is None:
                continue
            role = MediaRole.ACCESS if any(str(t).endswith("/media-access") for t in r.objs(do, P2)) else MediaRole.MASTER
            size: dict[str, int] = {}
            for d in r.objs(do, P43):
                dk = next((k for k in r.typed(d) if k.startswith("dimension:")), "")
                v = g.value(d, P90)
                if dk and v is not None and str(v).isdigit():
                    size[dk.split(":", 1)[1]] = int(str(v))
            media.append(MediaFile(PurePosixPath(path), role, None, size.get("width"), size.get("height")))
    masters = [m for m in media if m.role is MediaRole.MASTER]
    access = [m for m in media if m.role is MediaRole.ACCESS]
    if access and len(access) == len(masters):  # one access copy per master, in order (catalogue C029)
        derived = {id(a): m.path for a, m in zip(access, masters, strict=False)}
        media = [
            MediaFile(m.path, m.role, derived.get(id(m)), m.width, m.height) if m.role is MediaRole.ACCESS else m
            for m in media
        ]
    return media


def _role_statement(r: Reader, prod: RNode, agent: RNode) -> str | None:
    """The role the record gives an agent in a statement about the agent (the Getty Museum's "Artist/Maker
    (Producer) Role Statement", ``close_match`` an AAT role): our role key when the AAT term is in our table, else
    the statement's text. Only statements minted under this production's IRI count: an agent's node is shared by
    every record that names it."""
    if not isinstance(prod, URIRef):
        return None
    for st in r.objs(agent, P67I):
        if not str(st).startswith(f"{prod}/"):
            continue
        for term in r.objs(st, SKOS_CLOSE):
            key = _term_key(term)
            if key and key.startswith("role:"):
                return key.split(":", 1)[1]
        content = r.content(st)
        if content is not None and any(str(t).endswith("role-statement") for t in r.objs(st, P2)):
            return str(content)
    return None


def _production(r: Reader, prod: RNode | None) -> tuple[list[Attribution], list[Attribution], list[Concept],
                                                           Place | None]:
    """Creators, contributors, techniques and the place made, from a production and its parts; a publisher
    may name the producers on the production itself instead of on parts (https://linked.art/model/object/production/)."""
    g = r.g
    creators: list[Attribution] = []
    contributors: list[Attribution] = []
    if prod is None:
        return creators, contributors, [], None
    pm = g.value(prod, _p("P7_took_place_at"))
    techniques = [r.concept(t) for t in r.objs(prod, _p("P32_used_general_technique"))]
    creators += [Attribution(r.agent(a), _role_statement(r, prod, a)) for a in r.objs(prod, _p("P14_carried_out_by"))]
    parts = list(g.objects(prod, _p("P9_consists_of")))
    for part in _by_suffix(parts) if all(isinstance(p, URIRef) for p in parts) else r.objs(prod, _p("P9_consists_of")):
        techniques += [r.concept(t) for t in r.objs(part, _p("P32_used_general_technique"))]
        for agent in r.objs(part, _p("P14_carried_out_by")):
            role_name: str | None = _role_statement(r, prod, agent)
            contribution = False
            for t in r.objs(part, P2):
                k = _term_key(t)
                if k and k.startswith("role:"):
                    role_name = k.split(":", 1)[1]
                elif str(t).endswith("/contribution"):
                    contribution = True
                else:
                    label = g.value(t, LABEL)
                    role_name = str(label) if label is not None else role_name
            (contributors if contribution else creators).append(Attribution(r.agent(agent), role_name))
    return creators, contributors, list(dict.fromkeys(techniques)), r.place(pm) if pm is not None else None


_KINDS = {f"kind:{k.value}": k for k in ItemKind}


def _item(r: Reader, obj: RNode, set_iri: RNode, urls: UrlScheme) -> Item:
    g = r.g
    types = r.typed(obj)
    kind = next((_KINDS[t] for t in sorted(types) if t in _KINDS), ItemKind.OTHER)
    accession, identifiers = _identifiers(r, obj)
    if not accession:
        r.warn("R006", obj)
        accession = str(obj)
    section = None
    for s in r.objs(obj, MEMBER_OF):
        if s != set_iri:
            section = r.section_key(s)
    content = g.value(obj, _p("P65_shows_visual_item")) or g.value(obj, _p("P128_carries"))
    subjects, places, languages = [], [], []
    rights = holder = None
    if content is not None:
        for a in r.objs(content, _p("P129_is_about")) + r.objs(content, _p("P138_represents")):
            if (a, RDF_TYPE, _p("E53_Place")) in g:
                places.append(r.place(a))
            elif (a, RDF_TYPE, _p("E21_Person")) not in g and (a, RDF_TYPE, _p("E74_Group")) not in g:
                subjects.append(r.concept(a))
        for lang in g.objects(content, P72):
            key = _term_key(lang)
            languages.append(key.split(":", 1)[1] if key else str(g.value(lang, LABEL)))
        right = g.value(content, _p("P104_is_subject_to"))
        if right is not None:
            t = g.value(right, P2)
            rights = str(t) if t is not None else None
            h = g.value(right, _p("P75i_is_possessed_by"))
            holder = r.agent(h) if h is not None else None
    prod = g.value(obj, _p("P108i_was_produced_by"))
    creators, contributors, techniques, place_made = _production(r, prod)
    source = source_type = None
    acq = g.value(obj, _p("P24i_changed_ownership_through"))
    if acq is not None:
        src = g.value(acq, _p("P23_transferred_title_from"))
        source = r.agent(src) if src is not None else None
        for t in r.objs(acq, P2):
            label = g.value(t, LABEL)
            if label is not None and str(label) in SourceType._value2member_map_:
                source_type = SourceType(str(label))
    same_as = [str(x) for x in r.objs(obj, EQUIV)]
    if not isinstance(obj, rdflib.BNode) and urls.object(accession) != str(obj):
        same_as.insert(0, str(obj))  # minted elsewhere: the source IRI is kept
    # Concept order follows IRI order within a field; the catalogue's own order is not in the RDF (sets).
    return Item(
        accession=accession,
        kind=kind,
        title=r.names(obj),
        section=section,
        alternative_title=r.texts(obj, P1, "name:alternate"),
        description=r.texts(obj, P67I, "statement:description"),
        date=r.date(prod, obj),
        creators=tuple(creators),
        contributors=tuple(contributors),
        source=source,
        source_type=source_type,
        provenance=r.texts(obj, P67I, "statement:provenance"),
        places=tuple(places),
        place_made=place_made,
        subjects=tuple(subjects),
        materials=tuple(r.concept(m) for m in r.objs(obj, _p("P45_consists_of"))),
        techniques=tuple(techniques),
        dimensions=tuple(r.dimensions(obj)),
        rights=rights,
        rights_holder=holder,
        credit_line=r.texts(obj, P67I, "statement:credit"),
        media=tuple(_media(r, obj)),
        identifiers=tuple(v for _, v in _by_suffix_pairs(identifiers)),
        same_as=tuple(dict.fromkeys(same_as)),
        languages=tuple(sorted(languages)),
    )


def _by_suffix_pairs(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    order = {str(n): i for i, n in enumerate(_by_suffix(URIRef(p) for p, _ in pairs))}
    return sorted(pairs, key=lambda kv: order[kv[0]])


def _items(r: Reader, objects: list[RNode], set_iri: RNode, urls: UrlScheme) -> tuple[Item, ...]:
    """Every object that can be read; one that cannot (R009) does not stop the others."""
    items = []
    for o in objects:
        try:
            items.append(_item(r, o, set_iri, urls))
        except (HeritageLDError, ValueError, TypeError, ArithmeticError) as exc:
            r.warn("R009", o, reason=str(exc))
    return tuple(items)


def _objects_only(r: Reader) -> Collection:
    """A collection made of the objects in RDF that has no collection set (records another museum publishes);
    the sets they are members of become its sections."""
    g = r.g
    objects = sorted(
        (o for o in g.subjects(RDF_TYPE, _p("E22_Human-Made_Object"))
         if (None, EQUIV, o) not in g and (o, P1, None) in g),
        key=lambda o: (r.position(o), str(o)),
    )
    if not objects:
        raise CatalogueError(
            [report("R003", Location("rdf"), focus="the data", what="E22_Human-Made_Object with an identifier")],
            "no object (an E22_Human-Made_Object with an identifier) in the RDF",
        )
    first = str(objects[0])
    base_url = first.rsplit("/object/", 1)[0] if "/object/" in first else first.rsplit("/", 1)[0]
    if not base_url.startswith(("http://", "https://")):
        base_url = "https://example.org/linked-art"  # (blank or non-web IRIs: a base the model accepts)
    r.base_url = base_url
    items = _items(r, objects, URIRef(""), UrlScheme(base_url))
    return Collection(
        key=slugify(_key(URIRef(base_url))),
        title=MultilingualText(),
        base_url=base_url,
        kind=CollectionKind.COLLECTION,
        sections=tuple(r.sections.values()),
        items=items,
        agents=tuple(r.agents[k] for k in sorted(r.agents)),
        places=tuple(r.places[k] for k in sorted(r.places)),
        concepts=tuple(r.concepts[k] for k in sorted(r.concepts)),
    )


def load(source: Source, *, format: str | Format | None = None, problems: list[Problem] | None = None) -> Collection:
    """Read a collection (the collection graph and its objects, in Linked Art) back into the model.

    Args:
        source: a path (also ``.gz``), bytes, text, a parsed JSON-LD document (``dict`` or ``list``) or an
            rdflib graph; JSON-LD contexts are never fetched (the Linked Art one ships with heritage-ld).
        format: the format's name or :class:`~heritage_ld.formats.Format` (default: from the extension, else
            recognised from the data).
        problems: receives the warnings: a record without an accession number (``R006``), a value that
            cannot be read (``R007``), a context that is not fetched (``R008``), a record left out (``R009``).

    RDF without a collection set (a peer's object records) gives a collection of its objects, with no
    title and kind ``collection``; the sets they are members of are its sections.

    Raises:
        CatalogueError: the RDF cannot be parsed (R002) or has no object at all (R003).

    >>> record = {"@context": "https://linked.art/ns/v1/linked-art.json",
    ...           "id": "https://museum.example/object/1", "type": "HumanMadeObject", "_label": "Hanoi street",
    ...           "identified_by": [{"type": "Identifier", "content": "1972.25", "classified_as": [
    ...               {"id": "http://vocab.getty.edu/aat/300312355", "type": "Type"}]}]}
    >>> item = load(record).items[0]
    >>> item.accession, item.title.best(), item.same_as
    ('1972.25', 'Hanoi street', ('https://museum.example/object/1',))
    """
    found: list[Problem] = problems if problems is not None else []
    g = read_graph(source, format=format, problems=found)
    r = Reader(g, found)
    coll_type = aat("set:collection").iri
    sets = sorted((s for s in g.subjects(RDF_TYPE, URIRef(LA + "Set"))
                   if coll_type in {_aat_iri(t) for t in g.objects(s, P2)}), key=str)
    if not sets:
        return _objects_only(r)
    set_iri = sets[0]
    base_url = str(set_iri).rsplit("/set/", 1)[0]
    r.base_url = base_url
    key = next((str(g.value(n, P190)) for n in r.objs(set_iri, P1) if not r.typed(n)), _key(set_iri))
    exhibition = next(iter(sorted(g.subjects(_p("P16_used_specific_object"), set_iri), key=str)), None)
    sections_nodes = sorted(
        (s for s in g.subjects(MEMBER_OF, set_iri) if (s, RDF_TYPE, URIRef(LA + "Set")) in g),
        key=lambda s: (r.position(s), str(s)),
    )
    sections = tuple(
        Section(_key(s), r.texts(s, P1, "name:primary"), r.texts(s, P67I, "statement:description")) for s in sections_nodes
    )
    objects = sorted(
        (o for o in g.subjects(MEMBER_OF, set_iri) if (o, RDF_TYPE, _p("E22_Human-Made_Object")) in g),
        key=lambda o: (r.position(o), str(o)),
    )
    items = _items(r, objects, set_iri, UrlScheme(base_url))
    languages: tuple[str, ...] = ()
    for n in r.objs(set_iri, P67I):
        if "statement:language" in r.typed(n):
            languages = tuple(str(g.value(n, P190)).split())
    right = g.value(set_iri, _p("P104_is_subject_to"))
    creation = g.value(set_iri, _p("P94i_was_created_by"))
    publisher = g.value(creation, _p("P14_carried_out_by")) if creation is not None else None
    pages = r.access_points(set_iri, _p("P129i_is_subject_of"))
    organizers: tuple[Agent, ...] = ()
    venue = None
    date = None
    if exhibition is not None:
        organizers = tuple(r.agent(a) for a in r.objs(exhibition, _p("P14_carried_out_by")))
        v = g.value(exhibition, _p("P7_took_place_at"))
        venue = r.place(v) if v is not None else None
        date = r.date(exhibition, set_iri)
    for cls in ("E21_Person", "E74_Group"):
        for s in g.subjects(RDF_TYPE, _p(cls)):
            if str(s).startswith(base_url + "/agent/"):
                r.agent(s)
    for s in g.subjects(RDF_TYPE, _p("E53_Place")):
        if str(s).startswith(base_url + "/place/"):
            r.place(s)
    for s in g.subjects(RDF_TYPE, _p("E55_Type")):
        if str(s).startswith(base_url + "/concept/") and (s, P1, None) in g:
            r.concept(s)
    return Collection(
        key=key,
        title=r.texts(set_iri, P1, "name:primary"),
        base_url=base_url,
        kind=CollectionKind.EXHIBITION if exhibition is not None else CollectionKind.COLLECTION,
        summary=r.texts(set_iri, P67I, "statement:description"),
        organizers=organizers,
        publisher=r.agent(publisher) if publisher is not None else None,
        venue=venue,
        date=date,
        sections=sections,
        items=items,
        rights=str(g.value(right, P2)) if right is not None and g.value(right, P2) is not None else None,
        credit_line=r.texts(set_iri, P67I, "statement:credit"),
        homepage=pages[0] if pages else None,
        languages=languages,
        agents=tuple(r.agents[k] for k in sorted(r.agents)),
        places=tuple(r.places[k] for k in sorted(r.places)),
        concepts=tuple(r.concepts[k] for k in sorted(r.concepts)),
    )
