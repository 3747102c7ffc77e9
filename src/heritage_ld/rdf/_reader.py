"""The graph-reading helper of :mod:`heritage_ld.rdf.load`: Linked Art terms and the parts of records that
several kinds of node share (names, statements, references to agents, places and concepts, dates,
dimensions), read leniently where other publishers legitimately differ from us."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from urllib.parse import unquote

import rdflib
from rdflib import URIRef
from rdflib.term import Node as RNode

from heritage_ld.model import (
    Agent,
    AgentKind,
    Concept,
    Dimension,
    EDTFDate,
    EDTFError,
    MultilingualText,
    Place,
    Section,
    parse_edtf,
    slugify,
)
from heritage_ld.problems import Location, Problem, report
from heritage_ld.rdf._crm import crm
from heritage_ld.rdf.concepts import aat_key
from heritage_ld.rdf.terms import LA, RDFS
from heritage_ld.rdf.timespan import edtf_from_bounds

RDF_TYPE = rdflib.RDF.type


def _p(name: str) -> URIRef:
    return URIRef(crm(name))  # closed namespace: a typo fails at import


P1, P2, P190, P72 = _p("P1_is_identified_by"), _p("P2_has_type"), _p("P190_has_symbolic_content"), _p("P72_has_language")
P67I, P43, P90, P91 = _p("P67i_is_referred_to_by"), _p("P43_has_dimension"), _p("P90_has_value"), _p("P91_has_unit")
MEMBER_OF, EQUIV, ACCESS = URIRef(LA + "member_of"), URIRef(LA + "equivalent"), URIRef(LA + "access_point")
LABEL = URIRef(RDFS + "label")
_AAT = "http://vocab.getty.edu/aat/"

#: AAT terms other publishers use where we use another (or none), by the key they stand for.
_ALIASES = {
    _AAT + "300444174": "statement:provenance",  # "provenance statement" (Linked Art's current choice)
    _AAT + "300435452": "statement:description",  # "physical description"
    _AAT + "300404012": "name:primary",  # "unique names" (older Linked Art records)
    _AAT + "300435418": "statement:credit",  # "credit line" (the Getty Museum's records)
    _AAT + "300080091": "statement:description",  # "description (activity)" (the Getty Museum's records)
}
#: Units other publishers measure in, converted to the model's (cm, g): AAT term -> (unit, factor).
_UNITS = {
    _AAT + "300379098": ("cm", Decimal(1)), _AAT + "300379097": ("cm", Decimal("0.1")),
    _AAT + "300379099": ("cm", Decimal(100)), _AAT + "300379100": ("cm", Decimal("2.54")),
    _AAT + "300379225": ("g", Decimal(1)), _AAT + "300379226": ("g", Decimal(1000)),
}
#: The same units by the words of their labels, for a unit given without a known AAT term.
_UNIT_WORDS = {"cm": "300379098", "centimeters": "300379098", "centimetres": "300379098", "mm": "300379097",
               "millimeters": "300379097", "millimetres": "300379097", "in": "300379100", "inches": "300379100",
               "g": "300379225", "grams": "300379225", "kg": "300379226", "kilograms": "300379226"}


def _aat_iri(iri: object) -> str:
    """An AAT IRI in the form our table uses (``http``, no ``page/``, no trailing slash)."""
    text = str(iri).rstrip("/")
    for prefix in ("https://vocab.getty.edu/aat/", "http://vocab.getty.edu/page/aat/",
                   "https://vocab.getty.edu/page/aat/"):
        if text.startswith(prefix):
            return _AAT + text[len(prefix):]
    return text


def _term_key(iri: object) -> str | None:
    """The key of our AAT table (or of :data:`_ALIASES`) a type IRI stands for."""
    normal = _aat_iri(iri)
    return aat_key(normal) or _ALIASES.get(normal)


def _plain(number: Decimal) -> Decimal:
    """A measurement as its publisher gave it, without trailing zeros (``"24.1000000000"`` is ``24.1``)."""
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()


def _round(number: Decimal) -> Decimal:
    """A converted measurement to 0.01, without trailing zeros (``9.9 in`` is ``25.15 cm``, ``1.2 kg`` is
    ``1200 g``)."""
    q = number.quantize(Decimal("0.01"))
    return q.quantize(Decimal(1)) if q == q.to_integral_value() else q.normalize()


#: The longest key made from a name (a key names files and URLs; the model allows 100 characters, and a suffix
#: "-2" … may follow). Sets some museums publish are named with whole sentences ("Exhibition: …, at …, from … to …").
_KEY_LENGTH = 64


def _slug(name: str) -> str:
    """A key from a name: its slug, cut at a word boundary to :data:`_KEY_LENGTH` characters."""
    slug = slugify(name)
    if len(slug) <= _KEY_LENGTH:
        return slug
    cut = slug[:_KEY_LENGTH + 1].rsplit("-", 1)[0]
    return cut if len(cut) >= _KEY_LENGTH // 2 else slug[:_KEY_LENGTH].rstrip("-")


def _key(iri: RNode) -> str:
    return unquote(str(iri).rstrip("/").rsplit("/", 1)[-1])


class Reader:
    """Reads the records of one graph; ``base_url`` tells our own IRIs (read back as keys) from others' (kept)."""

    def __init__(self, g: rdflib.Graph, problems: list[Problem], base_url: str = "") -> None:
        self.g = g
        self.problems = problems
        self.base_url = base_url
        self.agents: dict[str, Agent] = {}
        self.places: dict[str, Place] = {}
        self.concepts: dict[str, Concept] = {}
        self._keys: dict[tuple[str, str], str] = {}  # (registry, source IRI) -> key, for IRIs minted elsewhere
        self.sections: dict[str, Section] = {}  # the sets records are members of, when there is no collection set

    def warn(self, code: str, focus: RNode, **params: object) -> None:
        self.problems.append(report(code, Location(str(focus)), focus=str(focus), **params))

    def objs(self, s: RNode, p: URIRef) -> list[RNode]:
        """The objects of ``s p``, in a stable order: IRIs by IRI, then blank nodes by what they say (their
        labels change from one parse to the next)."""
        return sorted(self.g.objects(s, p), key=self._order)

    def _order(self, n: RNode) -> tuple[int, str]:
        if not isinstance(n, rdflib.BNode):
            return 0, str(n)
        said = sorted(f"{p} {o}" for p, o in self.g.predicate_objects(n) if not isinstance(o, rdflib.BNode))
        return 1, "\n".join(said)

    def typed(self, s: RNode) -> set[str]:
        """The keys (``name:primary`` …) of the node's types, and the type IRIs themselves (normalised)."""
        out = set()
        for t in self.g.objects(s, P2):
            out.add(_aat_iri(t))
            key = _term_key(t)
            if key:
                out.add(key)
        return out

    def lang(self, node: RNode) -> str:
        for lang in self.objs(node, P72):
            key = _term_key(lang)
            if key and key.startswith("language:"):
                return key.split(":", 1)[1]
            label = self.g.value(lang, LABEL)
            if label is not None and len(str(label)) <= 3:  # ("en"; a label such as "English" is not a tag)
                return str(label)
            tail = _key(lang).removeprefix("language-")
            return tail if tail.isalpha() and len(tail) <= 3 else ""
        return ""

    def texts(self, s: RNode, p: URIRef, kind: str, *, names: bool = False) -> MultilingualText:
        """The contents of the ``p`` nodes classified ``kind``, by language (only names when ``names``: some
        publishers also classify the accession number "preferred term", AAT 300404670)."""
        values: dict[str, str] = {}
        for n in self.objs(s, p):
            if kind in self.typed(n) and (not names or self.is_name(n)):
                content = self.content(n)
                if content is not None:
                    values.setdefault(self.lang(n), str(content))
        return MultilingualText.of(values)

    def content(self, n: RNode) -> RNode | None:
        """What a name, identifier or statement says: its ``content`` (P190), or the ``value`` (P90) records made
        before Linked Art v1 give instead (the Georgia O'Keeffe Museum's, the Duchamp archives')."""
        found = self.g.value(n, P190)
        return found if found is not None else self.g.value(n, P90)

    def is_name(self, n: RNode) -> bool:
        types = {str(t) for t in self.g.objects(n, RDF_TYPE)}
        return not any(t.endswith("E42_Identifier") for t in types) and (
            any("Appellation" in t or t.endswith("E35_Title") for t in types) or not types)

    def names(self, s: RNode, kind: str = "name:primary") -> MultilingualText:
        """Names by language: the primary names first, else any name (Linked Art names need no classification),
        else the node's ``_label`` (with no language)."""
        text = self.texts(s, P1, kind, names=True)
        if text:
            return text
        values: dict[str, str] = {}
        for n in self.objs(s, P1):
            content = self.content(n)
            if content is None or not self.is_name(n) or "name:alternate" in self.typed(n):
                continue
            values.setdefault(self.lang(n), str(content))
        if values:
            return MultilingualText.of(values)
        label = self.g.value(s, LABEL)
        return MultilingualText.plain(str(label)) if label is not None else MultilingualText()

    def access_points(self, s: RNode, p: URIRef) -> list[str]:
        out = []
        for lo in self.objs(s, p):
            for do in self.objs(lo, URIRef(LA + "digitally_carried_by")):
                out += [str(a) for a in self.objs(do, ACCESS)]
        return out

    def contact(self, s: RNode, kind: str) -> str | None:
        for n in self.objs(s, _p("P76_has_contact_point")):
            if kind in self.typed(n):
                v = self.g.value(n, P190)
                return str(v) if v is not None else None
        return None

    def own(self, iri: RNode, kind: str) -> bool:
        """Whether ``iri`` was minted by this collection (``{base_url}/{kind}/KEY``): read back as its key."""
        return bool(self.base_url) and str(iri).startswith(f"{self.base_url}/{kind}/")

    def key_of(self, iri: RNode, kind: str, name: MultilingualText) -> tuple[str, tuple[str, ...]]:
        """The key of a referenced node and the source IRIs to keep: ours read back as they were; an IRI
        minted elsewhere (a ULAN person, a TGN place) becomes a key from its name and is kept in ``same_as``."""
        same = tuple(str(x) for x in self.objs(iri, EQUIV))
        if self.own(iri, kind) or isinstance(iri, rdflib.BNode):
            return _key(iri), same
        if (kind, str(iri)) not in self._keys:
            taken = set(self._keys.values())
            base = _slug(name.best()) if name else _slug(_key(iri))
            key, n = base, 1
            while key in taken:
                n += 1
                key = f"{base}-{n}"
            self._keys[(kind, str(iri))] = key
        return self._keys[(kind, str(iri))], (str(iri), *(x for x in same if x != str(iri)))

    def section_key(self, iri: RNode) -> str:
        """The key of a set an object is a member of (a section): ours by its key, another's from its name."""
        if self.own(iri, "section"):
            return _key(iri)
        name = self.names(iri)
        key, _ = self.key_of(iri, "set", name)
        if key not in self.sections:
            self.sections[key] = Section(key, name or MultilingualText.plain(key),
                                         self.texts(iri, P67I, "statement:description"))
        return key

    def agent(self, iri: RNode) -> Agent:
        name = self.names(iri)
        key, same = self.key_of(iri, "agent", name)
        if key not in self.agents:
            person = (iri, RDF_TYPE, _p("E21_Person")) in self.g
            kind = AgentKind.PERSON if person else AgentKind.GROUP
            logo = None
            for vis in self.objs(iri, _p("P138i_has_representation")):
                for do in self.objs(vis, URIRef(LA + "digitally_shown_by")):
                    label = self.g.value(do, LABEL)
                    logo = str(label) if label is not None else None
            pages = self.access_points(iri, _p("P129i_is_subject_of"))
            self.agents[key] = Agent(key=key, kind=kind, name=name, same_as=same, homepage=pages[0] if pages else None,
                                     logo=logo, address=self.contact(iri, "identifier:address"),
                                     email=self.contact(iri, "identifier:email"))
        return self.agents[key]

    def place(self, iri: RNode) -> Place:
        name = self.names(iri)
        key, same = self.key_of(iri, "place", name)
        if key not in self.places:
            lat = lon = None
            wkt = self.g.value(iri, _p("P168_place_is_defined_by"))
            if wkt is not None and str(wkt).strip().upper().startswith("POINT"):
                try:
                    lon_s, lat_s = str(wkt).strip()[5:].strip(" ()").split()
                    lon, lat = float(lon_s), float(lat_s)
                except ValueError:
                    self.warn("R007", iri, what="coordinates", value=str(wkt), reason="not a WKT POINT(lon lat)")
            self.places[key] = Place(key=key, name=name, latitude=lat, longitude=lon, same_as=same)
        return self.places[key]

    def concept(self, iri: RNode) -> Concept:
        label = self.names(iri)
        key, same = self.key_of(iri, "concept", label)
        if key not in self.concepts:
            self.concepts[key] = Concept(key=key, label=label, same_as=same)
        return self.concepts[key]

    def position(self, s: RNode) -> int:
        for d in self.objs(s, P43):
            if "dimension:sequence-position" in self.typed(d):
                v = self.g.value(d, P90)
                try:
                    return int(str(v)) if v is not None else 0
                except ValueError:
                    return 0
        return 0

    def date(self, event: RNode | None, focus: RNode) -> EDTFDate | None:
        """The date of an event's time-span: its name when that is EDTF; else its outer bounds, with the name
        kept as the display text (R007 when neither can be read)."""
        if event is None:
            return None
        ts = self.g.value(event, _p("P4_has_time-span"))
        if ts is None:
            return None
        texts = [str(c) for n in self.objs(ts, P1) if (c := self.content(n)) is not None]
        label = self.g.value(ts, LABEL)
        # a time-span may carry its date only as its label (the Philadelphia Museum of Art's records: "1927")
        for text in texts or ([str(label)] if label is not None else []):
            try:
                return parse_edtf(text)
            except EDTFError:
                continue
        begin = self.g.value(ts, _p("P82a_begin_of_the_begin"))
        end = self.g.value(ts, _p("P82b_end_of_the_end"))
        edtf = edtf_from_bounds(str(begin) if begin is not None else None, str(end) if end is not None else None)
        display = texts[0] if texts else (str(label) if label is not None else "")
        if edtf is None:
            bce = any(str(b).lstrip().startswith("-") for b in (begin, end) if b is not None)
            self.warn("R007", focus, what="date", value=display or f"{begin}/{end}",
                      reason="a year before the common era, which the model's dates (EDTF years 0-9999) do not "
                             f"hold: {begin}/{end}" if bce else
                             "its name is not EDTF and its time-span has no begin or end that can be read")
            return None
        parsed = parse_edtf(edtf)
        return EDTFDate(parsed.text, parsed.start, parsed.end, parsed.interval, parsed.open_start, parsed.open_end,
                        display=display if display != edtf else "")

    def dimensions(self, obj: RNode) -> list[Dimension]:
        """Height, width, depth, diameter and weight, converted to cm and g; the first of each kind is kept
        (publishers often give one in centimetres and again in inches)."""
        out: dict[str, Dimension] = {}
        # the ones given in cm or g first: a value converted from inches is the less exact of two
        for d in sorted(self.objs(obj, P43), key=lambda d: (self._unit(self.g.value(d, P91)) or ("", 0))[1] != 1):
            kinds = [k for k in self.typed(d) if k.startswith("dimension:") and k != "dimension:sequence-position"]
            if not kinds or "dimension:sequence-position" in self.typed(d):
                continue
            kind = kinds[0].split(":", 1)[1]
            unit, value = self.g.value(d, P91), self.g.value(d, P90)
            converted = self._unit(unit)
            if value is None or converted is None:
                self.warn("R007", d if not isinstance(d, rdflib.BNode) else obj, what=f"the {kind}",
                          value=str(value), reason=f"unknown unit {unit}" if value is not None else "no value")
                continue
            try:
                number = Decimal(str(value)) * converted[1]
            except InvalidOperation:
                self.warn("R007", obj, what=f"the {kind}", value=str(value), reason="not a number")
                continue
            if kind not in out:
                out[kind] = Dimension(kind, _plain(number) if converted[1] == 1 else _round(number), converted[0])
        order = ("height", "width", "depth", "diameter", "weight")
        return sorted(out.values(), key=lambda d: order.index(d.kind) if d.kind in order else 99)

    def _unit(self, unit: RNode | None) -> tuple[str, Decimal] | None:
        if unit is None:
            return None
        found = _UNITS.get(_aat_iri(unit))
        if found is None:
            label = self.g.value(unit, LABEL)
            word = _UNIT_WORDS.get(str(label).strip().lower()) if label is not None else None
            found = _UNITS.get(_AAT + word) if word else None
        return found


