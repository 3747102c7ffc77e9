"""Reading CIDOC-CRM / Linked Art RDF back into the model: ``load(source) -> Collection``.

Reads any serialisation (format from the argument, the file extension, or sniffed); JSON-LD documents that
name the Linked Art context get the copy shipped in ``vocab/`` (never fetched). The collection is the
``la:Set`` classified as a collection (AAT 300025976); objects are its members, in the order of their
"sequence position" dimension, then by IRI. Keys (of agents, places, concepts, sections) are the last path
segment of their IRIs. Parts the model has no place for are left out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

import rdflib
from rdflib import URIRef
from rdflib.term import Node as RNode

from heritage_ld import vocab
from heritage_ld.errors import CatalogueError, FormatError
from heritage_ld.formats import JSON_LD, N_QUADS, Format
from heritage_ld.model import (
    Agent,
    AgentKind,
    Attribution,
    Collection,
    CollectionKind,
    Concept,
    Dimension,
    Item,
    ItemKind,
    MediaFile,
    MediaRole,
    MultilingualText,
    Place,
    Section,
    SourceType,
    parse_edtf,
)
from heritage_ld.problems import Location, report
from heritage_ld.rdf._crm import crm
from heritage_ld.rdf.concepts import aat, aat_key
from heritage_ld.rdf.node import CONTEXT_URL
from heritage_ld.rdf.terms import LA, RDFS

__all__ = ["load", "read_graph"]

RDF_TYPE = rdflib.RDF.type


def _p(name: str) -> URIRef:
    return URIRef(crm(name))  # closed namespace: a typo fails at import


P1, P2, P190, P72 = _p("P1_is_identified_by"), _p("P2_has_type"), _p("P190_has_symbolic_content"), _p("P72_has_language")
P67I, P43, P90, P91 = _p("P67i_is_referred_to_by"), _p("P43_has_dimension"), _p("P90_has_value"), _p("P91_has_unit")
MEMBER_OF, EQUIV, ACCESS = URIRef(LA + "member_of"), URIRef(LA + "equivalent"), URIRef(LA + "access_point")
LABEL = URIRef(RDFS + "label")


def _replace_context(doc: object) -> object:
    local = vocab.read_json("linked-art-context.json")["@context"]
    if isinstance(doc, dict):
        return {k: (local if k == "@context" and v == CONTEXT_URL else _replace_context(v)) for k, v in doc.items()}
    if isinstance(doc, list):
        return [_replace_context(v) for v in doc]
    return doc


def read_graph(source: str | Path | bytes | rdflib.Graph, *, format: str | Format | None = None) -> rdflib.Graph:
    """Parse ``source`` (a path, bytes, or a graph) into an rdflib graph; raises CatalogueError (R002)."""
    if isinstance(source, rdflib.Graph):
        return source
    fmt = Format.from_name(format) if isinstance(format, str) else format
    if isinstance(source, (str, Path)):
        path = Path(source)
        if fmt is None:
            fmt = Format.from_extension(path.suffix)
        data = path.read_bytes()
        name = str(path)
    else:
        data, name = source, "<bytes>"
        if fmt is None:
            raise FormatError("give the format of RDF passed as bytes")
    g = rdflib.Graph()
    try:
        if fmt is JSON_LD:
            doc = _replace_context(json.loads(data))
            g.parse(data=json.dumps(doc), format="json-ld")
        elif fmt is N_QUADS:  # every named graph merged into one
            ds = rdflib.Dataset()
            ds.parse(data=data, format="nquads")
            for s, p, o, _g in ds.quads((None, None, None, None)):
                g.add((s, p, o))
        else:
            g.parse(data=data, format=fmt.rdflib_name)
    except Exception as exc:  # rdflib raises many parser-specific classes
        raise CatalogueError([report("R002", Location(name), value=name, format=fmt.name, reason=str(exc))]) from None
    return g


def _key(iri: RNode) -> str:
    return unquote(str(iri).rstrip("/").rsplit("/", 1)[-1])


class _Reader:
    def __init__(self, g: rdflib.Graph) -> None:
        self.g = g
        self.agents: dict[str, Agent] = {}
        self.places: dict[str, Place] = {}
        self.concepts: dict[str, Concept] = {}

    def objs(self, s: RNode, p: URIRef) -> list[RNode]:
        return sorted(self.g.objects(s, p), key=str)

    def typed(self, s: RNode) -> set[str]:
        return {str(t) for t in self.g.objects(s, P2)}

    def lang(self, node: RNode) -> str:
        for lang in self.g.objects(node, P72):
            key = aat_key(str(lang))
            if key and key.startswith("language:"):
                return key.split(":", 1)[1]
            label = self.g.value(lang, LABEL)
            return str(label) if label is not None else _key(lang).removeprefix("language-")
        return ""

    def texts(self, s: RNode, p: URIRef, kind: str) -> MultilingualText:
        want = aat(kind).iri
        values = {}
        for n in self.objs(s, p):
            if want in self.typed(n):
                content = self.g.value(n, P190)
                if content is not None:
                    values[self.lang(n)] = str(content)
        return MultilingualText.of(values)

    def names(self, s: RNode) -> MultilingualText:
        """Primary names by language; a bare reference (only ``_label``) gives its label, with no language."""
        text = self.texts(s, P1, "name:primary")
        if not text:
            label = self.g.value(s, LABEL)
            text = MultilingualText.plain(str(label)) if label is not None else text
        return text

    def access_points(self, s: RNode, p: URIRef) -> list[str]:
        out = []
        for lo in self.objs(s, p):
            for do in self.objs(lo, URIRef(LA + "digitally_carried_by")):
                out += [str(a) for a in self.objs(do, ACCESS)]
        return out

    def contact(self, s: RNode, kind: str) -> str | None:
        for n in self.objs(s, _p("P76_has_contact_point")):
            if aat(kind).iri in self.typed(n):
                v = self.g.value(n, P190)
                return str(v) if v is not None else None
        return None

    def agent(self, iri: RNode) -> Agent:
        key = _key(iri)
        if key not in self.agents:
            kind = AgentKind.PERSON if (iri, RDF_TYPE, _p("E21_Person")) in self.g else AgentKind.GROUP
            logo = None
            for vis in self.objs(iri, _p("P138i_has_representation")):
                for do in self.objs(vis, URIRef(LA + "digitally_shown_by")):
                    label = self.g.value(do, LABEL)
                    logo = str(label) if label is not None else None
            pages = self.access_points(iri, _p("P129i_is_subject_of"))
            self.agents[key] = Agent(
                key=key,
                kind=kind,
                name=self.names(iri),
                same_as=tuple(str(x) for x in self.objs(iri, EQUIV)),
                homepage=pages[0] if pages else None,
                logo=logo,
                address=self.contact(iri, "identifier:address"),
                email=self.contact(iri, "identifier:email"),
            )
        return self.agents[key]

    def place(self, iri: RNode) -> Place:
        key = _key(iri)
        if key not in self.places:
            lat = lon = None
            wkt = self.g.value(iri, _p("P168_place_is_defined_by"))
            if wkt is not None and str(wkt).startswith("POINT("):
                lon_s, lat_s = str(wkt)[6:-1].split()
                lon, lat = float(lon_s), float(lat_s)
            self.places[key] = Place(
                key=key,
                name=self.names(iri),
                latitude=lat,
                longitude=lon,
                same_as=tuple(str(x) for x in self.objs(iri, EQUIV)),
            )
        return self.places[key]

    def concept(self, iri: RNode) -> Concept:
        key = _key(iri)
        if key not in self.concepts:
            self.concepts[key] = Concept(
                key=key,
                label=self.names(iri),
                same_as=tuple(str(x) for x in self.objs(iri, EQUIV)),
            )
        return self.concepts[key]

    def position(self, s: RNode) -> int:
        for d in self.objs(s, P43):
            if aat("dimension:sequence-position").iri in self.typed(d):
                v = self.g.value(d, P90)
                return int(str(v)) if v is not None else 0
        return 0

    def date(self, event: RNode | None) -> object:
        if event is None:
            return None
        ts = self.g.value(event, _p("P4_has_time-span"))
        if ts is None:
            return None
        for n in self.objs(ts, P1):
            content = self.g.value(n, P190)
            if content is not None:
                return parse_edtf(str(content))
        return None


def _by_suffix(nodes: Iterable[RNode]) -> list[RNode]:
    def key(n: RNode) -> tuple[int, str]:
        tail = str(n).rsplit("-", 1)[-1]
        return (int(tail) if tail.isdigit() else 0, str(n))

    return sorted(nodes, key=key)


_KINDS = {f"kind:{k.value}": k for k in ItemKind}


def _item(r: _Reader, obj: RNode, set_iri: RNode) -> Item:
    g = r.g
    types = r.typed(obj)
    kind = next((_KINDS[aat_key(t) or ""] for t in sorted(types) if (aat_key(t) or "") in _KINDS), ItemKind.OTHER)
    accession = ""
    identifiers = []
    for n in r.objs(obj, P1):
        content = g.value(n, P190)
        if content is None:
            continue
        nt = r.typed(n)
        if aat("identifier:accession").iri in nt:
            accession = str(content)
        elif aat("identifier:local").iri in nt:
            identifiers.append((str(n), str(content)))
    if not accession:
        raise CatalogueError([report("R003", Location(str(obj)), focus=str(obj), what="accession number")],
                             f"{obj} has no accession number")
    section = None
    for s in r.objs(obj, MEMBER_OF):
        if s != set_iri:
            section = _key(s)
    media = []
    for vis in r.objs(obj, _p("P138i_has_representation")):
        for do in _by_suffix(g.objects(vis, URIRef(LA + "digitally_shown_by"))):
            path = next((str(g.value(i, P190)) for i in r.objs(do, P1) if g.value(i, P190) is not None), None)
            if path is None:
                continue
            role = MediaRole.ACCESS if any(str(t).endswith("/media-access") for t in r.objs(do, P2)) else MediaRole.MASTER
            size: dict[str, int] = {}
            for d in r.objs(do, P43):
                dk = next((aat_key(t) for t in r.typed(d) if aat_key(t)), "")
                v = g.value(d, P90)
                if dk and v is not None:
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
    dims = []
    for d in r.objs(obj, P43):
        dk = next((aat_key(t) for t in r.typed(d) if (aat_key(t) or "").startswith("dimension:")), None)
        unit = g.value(d, P91)
        v = g.value(d, P90)
        if dk and dk != "dimension:sequence-position" and unit is not None and v is not None:
            dims.append(Dimension(dk.split(":", 1)[1], Decimal(str(v.toPython() if hasattr(v, "toPython") else v)),
                                  (aat_key(str(unit)) or "unit:").split(":", 1)[1]))
    order = ("height", "width", "depth", "diameter", "weight")
    dims.sort(key=lambda d: order.index(d.kind) if d.kind in order else 99)
    content = g.value(obj, _p("P65_shows_visual_item")) or g.value(obj, _p("P128_carries"))
    subjects, places, languages = [], [], []
    rights = holder = None
    if content is not None:
        for a in g.objects(content, _p("P129_is_about")):
            if (a, RDF_TYPE, _p("E53_Place")) in g:
                places.append(r.place(a))
            else:
                subjects.append(r.concept(a))
        for lang in g.objects(content, P72):
            key = aat_key(str(lang))
            languages.append(key.split(":", 1)[1] if key else str(g.value(lang, LABEL)))
        right = g.value(content, _p("P104_is_subject_to"))
        if right is not None:
            t = g.value(right, P2)
            rights = str(t) if t is not None else None
            h = g.value(right, _p("P75i_is_possessed_by"))
            holder = r.agent(h) if h is not None else None
    prod = g.value(obj, _p("P108i_was_produced_by"))
    creators: list[Attribution] = []
    contributors: list[Attribution] = []
    techniques: list[Concept] = []
    place_made = None
    if prod is not None:
        pm = g.value(prod, _p("P7_took_place_at"))
        place_made = r.place(pm) if pm is not None else None
        techniques = [r.concept(t) for t in r.objs(prod, _p("P32_used_general_technique"))]
        # a peer may name the producers on the production itself instead of on parts (model/object/production)
        creators += [Attribution(r.agent(a), None) for a in r.objs(prod, _p("P14_carried_out_by"))]
        for part in _by_suffix(g.objects(prod, _p("P9_consists_of"))):
            agent = g.value(part, _p("P14_carried_out_by"))
            if agent is None:
                continue
            role_name: str | None = None
            contribution = False
            for t in r.objs(part, P2):
                k = aat_key(str(t))
                if k and k.startswith("role:"):
                    role_name = k.split(":", 1)[1]
                elif str(t).endswith("/contribution"):
                    contribution = True
                else:
                    label = g.value(t, LABEL)
                    role_name = str(label) if label is not None else role_name
            (contributors if contribution else creators).append(Attribution(r.agent(agent), role_name))
    source = source_type = None
    acq = g.value(obj, _p("P24i_changed_ownership_through"))
    if acq is not None:
        src = g.value(acq, _p("P23_transferred_title_from"))
        source = r.agent(src) if src is not None else None
        for t in r.objs(acq, P2):
            label = g.value(t, LABEL)
            if label is not None and str(label) in SourceType._value2member_map_:
                source_type = SourceType(str(label))
    # Concept order follows IRI order within a field; the catalogue's own order is not in the RDF (sets).
    return Item(
        accession=accession,
        kind=kind,
        title=r.texts(obj, P1, "name:primary"),
        section=section,
        alternative_title=r.texts(obj, P1, "name:alternate"),
        description=r.texts(obj, P67I, "statement:description"),
        date=r.date(prod),  # type: ignore[arg-type]
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
        dimensions=tuple(dims),
        rights=rights,
        rights_holder=holder,
        credit_line=r.texts(obj, P67I, "statement:credit"),
        media=tuple(media),
        identifiers=tuple(v for _, v in _by_suffix_pairs(identifiers)),
        same_as=tuple(str(x) for x in r.objs(obj, EQUIV)),
        languages=tuple(sorted(languages)),
    )


def _by_suffix_pairs(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    order = {str(n): i for i, n in enumerate(_by_suffix(URIRef(p) for p, _ in pairs))}
    return sorted(pairs, key=lambda kv: order[kv[0]])


def _objects_only(r: _Reader) -> Collection:
    """A collection made of the objects in RDF that has no collection set (a peer's object records)."""
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
    items = tuple(_item(r, o, URIRef("")) for o in objects)
    return Collection(
        key=_key(URIRef(base_url)),
        title=MultilingualText(),
        base_url=base_url,
        kind=CollectionKind.COLLECTION,
        items=items,
        agents=tuple(r.agents[k] for k in sorted(r.agents)),
        places=tuple(r.places[k] for k in sorted(r.places)),
        concepts=tuple(r.concepts[k] for k in sorted(r.concepts)),
    )


def load(source: str | Path | bytes | rdflib.Graph, *, format: str | Format | None = None) -> Collection:
    """Read a collection (the collection graph and its objects, in Linked Art) back into the model.

    RDF without a collection set (a peer's object records) gives a collection of its objects, with no
    title and kind ``collection``.

    Raises:
        CatalogueError: the RDF cannot be parsed (R002), has no object at all, or an object without an
            accession number (R003).
    """
    g = read_graph(source, format=format)
    r = _Reader(g)
    coll_type = URIRef(aat("set:collection").iri)
    sets = sorted((s for s in g.subjects(P2, coll_type) if (s, RDF_TYPE, URIRef(LA + "Set")) in g), key=str)
    if not sets:
        return _objects_only(r)
    set_iri = sets[0]
    base_url = str(set_iri).rsplit("/set/", 1)[0]
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
    items = tuple(_item(r, o, set_iri) for o in objects)
    languages: tuple[str, ...] = ()
    for n in r.objs(set_iri, P67I):
        if aat("statement:language").iri in r.typed(n):
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
        date = r.date(exhibition)
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
        date=date,  # type: ignore[arg-type]
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
