"""The collection graph in Linked Art: the exhibition, its set of objects and sections, agents, places, concepts.

Linked Art model/exhibition: the exhibition is an ``E7_Activity`` classified as exhibition (AAT 300054766),
carried out by its organizers, at its venue, during its time-span, using (``used_specific_object``) a
``la:Set`` of the objects shown; objects point to the set with ``la:member_of``. Sections are parts of the
activity, each with its own set (a member of the exhibition's set). Agents, places and concepts are
described here once; items only reference them.
"""

from __future__ import annotations

from heritage_ld.catalogue.validate import require_valid
from heritage_ld.model import Agent, Collection, CollectionKind, Concept, Place, UrlScheme
from heritage_ld.rdf.crm import (
    _classified_brief,
    agent_ref,
    check_iri,
    names,
    place_ref,
    position_node,
    statements,
    timespan_node,
    type_ref,
)
from heritage_ld.rdf.node import Node

__all__ = ["agent_node", "collection_nodes", "concept_node", "place_node"]


def _web_page(owner: str, url: str, urls: UrlScheme) -> Node:
    page = Node(urls.node(owner, "homepage"), "LinguisticObject", "home page")
    do = Node(urls.node(owner, "homepage", "file"), "DigitalObject", None)
    do.add("classified_as", type_ref("digital:web-page"))
    do.add("access_point", Node(check_iri(url, "homepage", owner), "DigitalObject", None))
    page.add("digitally_carried_by", do)
    return page


def agent_node(agent: Agent, urls: UrlScheme) -> Node:
    """A Person or Group record with its names, authority IRIs, home page, contact points and logo."""
    ref = agent_ref(agent, urls)
    node = Node(ref.id, ref.type, ref.label)
    node.add("identified_by", *names(ref.id, agent.name, urls, "name:primary", "name"))
    for same in agent.same_as:
        node.add("equivalent", Node(check_iri(same, "same_as", agent.key), ref.type, None))
    if agent.logo:
        vis = Node(urls.node(ref.id, "logo"), "VisualItem", None)
        do = Node(urls.node(ref.id, "logo", "file"), "DigitalObject", agent.logo)
        if agent.logo.startswith(("http://", "https://")):
            do.add("access_point", Node(check_iri(agent.logo, "logo", agent.key), "DigitalObject", None))
        vis.add("digitally_shown_by", do)
        node.add("representation", vis)
    if agent.homepage:
        node.add("subject_of", _web_page(ref.id, agent.homepage, urls))
    for what, value in (("email", agent.email), ("address", agent.address)):
        if value:
            ident = Node(urls.node(ref.id, what), "Identifier", None)
            ident.add("classified_as", type_ref(f"identifier:{what}"))
            ident.add("content", value)
            node.add("contact_point", ident)
    return node


def place_node(place: Place, urls: UrlScheme) -> Node:
    """A Place with names, authority IRIs and its WGS 84 point as WKT (Linked Art model/place#geospatial)."""
    ref = place_ref(place, urls)
    node = Node(ref.id, "Place", ref.label)
    node.add("identified_by", *names(ref.id, place.name, urls, "name:primary", "name"))
    for same in place.same_as:
        node.add("equivalent", Node(check_iri(same, "same_as", place.key), "Place", None))
    if place.has_coordinates:
        node.add("defined_by", f"POINT({place.longitude!r} {place.latitude!r})")
    return node


def concept_node(concept: Concept, urls: UrlScheme) -> Node:
    """A Type (subject, material, technique) with its names and authority IRIs."""
    iri = urls.concept(concept.key)
    node = Node(iri, "Type", concept.label.best())
    node.add("identified_by", *names(iri, concept.label, urls, "name:primary", "name"))
    for same in concept.same_as:
        node.add("equivalent", Node(check_iri(same, "same_as", concept.key), "Type", None))
    return node


def _all_refs(collection: Collection) -> tuple[list[Agent], list[Place], list[Concept]]:
    agents: dict[str, Agent] = {a.key: a for a in collection.agents}
    places: dict[str, Place] = {p.key: p for p in collection.places}
    concepts: dict[str, Concept] = {c.key: c for c in collection.concepts}
    for a in (*collection.organizers, collection.publisher):
        if a is not None:
            agents.setdefault(a.key, a)
    if collection.venue is not None:
        places.setdefault(collection.venue.key, collection.venue)
    for item in collection.items:
        for att in (*item.creators, *item.contributors):
            agents.setdefault(att.agent.key, att.agent)
        for a2 in (item.source, item.rights_holder):
            if a2 is not None:
                agents.setdefault(a2.key, a2)
        for p in (*item.places, *((item.place_made,) if item.place_made else ())):
            places.setdefault(p.key, p)
        for c in (*item.subjects, *item.materials, *item.techniques):
            concepts.setdefault(c.key, c)
    return (
        [agents[k] for k in sorted(agents)],
        [places[k] for k in sorted(places)],
        [concepts[k] for k in sorted(concepts)],
    )


def collection_nodes(collection: Collection, urls: UrlScheme | None = None) -> list[Node]:
    """Every top-level record of the collection graph, in a fixed order (set, exhibition, sections, refs)."""
    require_valid(collection)
    urls = urls or UrlScheme(collection.base_url)
    set_iri = urls.set(collection.key)
    the_set = Node(set_iri, "Set", collection.title.best())
    the_set.add("classified_as", type_ref("set:collection"))
    the_set.add("identified_by", *names(set_iri, collection.title, urls, "name:primary", "name"))
    key_id = Node(urls.node(set_iri, "key"), "Identifier", None)
    key_id.add("content", collection.key)
    the_set.add("identified_by", key_id)
    the_set.add("referred_to_by", *statements(set_iri, collection.summary, urls, "statement:description", "description"))
    the_set.add("referred_to_by", *statements(set_iri, collection.credit_line, urls, "statement:credit", "credit"))
    if collection.languages:
        lang = Node(urls.node(set_iri, "languages"), "LinguisticObject", None)
        lang.add("classified_as", _classified_brief("statement:language"))
        lang.add("content", " ".join(collection.languages))
        the_set.add("referred_to_by", lang)
    if collection.rights:
        right = Node(urls.node(set_iri, "right"), "Right", collection.rights)
        right.add("classified_as", Node(check_iri(collection.rights, "rights", "collection.toml"), "Type", collection.rights))
        the_set.add("subject_to", right)
    if collection.publisher is not None:
        creation = Node(urls.node(set_iri, "creation"), "Creation", None)
        creation.add("carried_out_by", agent_ref(collection.publisher, urls))
        the_set.add("created_by", creation)
    if collection.homepage:
        the_set.add("subject_of", _web_page(set_iri, collection.homepage, urls))
    out = [the_set]
    if collection.kind is CollectionKind.EXHIBITION:
        ex_iri = urls.exhibition(collection.key)
        ex = Node(ex_iri, "Activity", collection.title.best())
        ex.add("classified_as", type_ref("activity:exhibition"))
        ex.add("identified_by", *names(ex_iri, collection.title, urls, "name:primary", "name"))
        for org in collection.organizers:
            ex.add("carried_out_by", agent_ref(org, urls))
        if collection.venue is not None:
            ex.add("took_place_at", place_ref(collection.venue, urls))
        if collection.date is not None:
            ex.add("timespan", timespan_node(ex_iri, collection.date, urls))
        ex.add("used_specific_object", Node(set_iri, "Set", collection.title.best()))
        for sec in collection.sections:
            part = Node(urls.node(ex_iri, "section", sec.key), "Activity", sec.title.best())
            part.add("classified_as", type_ref("activity:exhibition"))
            part.add("used_specific_object", Node(urls.section(sec.key), "Set", sec.title.best()))
            ex.add("part", part)
        out.append(ex)
    for n, sec in enumerate(collection.sections, 1):
        s_iri = urls.section(sec.key)
        s = Node(s_iri, "Set", sec.title.best())
        s.add("identified_by", *names(s_iri, sec.title, urls, "name:primary", "name"))
        key_id = Node(urls.node(s_iri, "key"), "Identifier", None)
        key_id.add("content", sec.key)
        s.add("identified_by", key_id)
        s.add("referred_to_by", *statements(s_iri, sec.summary, urls, "statement:description", "description"))
        s.add("member_of", Node(set_iri, "Set", collection.title.best()))
        s.add("dimension", position_node(s_iri, n, urls))
        out.append(s)
    agents, places, concepts = _all_refs(collection)
    out += [agent_node(a, urls) for a in agents]
    out += [place_node(p, urls) for p in places]
    out += [concept_node(c, urls) for c in concepts]
    return out
