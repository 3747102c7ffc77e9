"""Which answer a minted IRI gets: the document to send by content negotiation, or where to send the client.

Every IRI the data mints resolves (docs/aggregators.md, "Dereferencing"):

* items, ``/object/{id}``: ``rdf/object/{id}.{ttl,jsonld,nt,rdf}``, else 303 to the item's page; with the EDM
  profile asked for (``Accept-Profile: <http://www.europeana.eu/schemas/edm/>`` or ``?_profile=edm``, W3C
  Content Negotiation by Profile §7), the EDM record ``rdf/edm/{id}.rdf``;
* agents, places, concepts, sections, the exhibition and its set, ``/{kind}/{key}``: ``rdf/{kind}/{key}.{ext}``,
  else 303 to a page (a section's page, the home page for the exhibition and its set, else the Turtle);
* the dataset, ``/rdf/dataset`` and ``/.well-known/void`` (VoID §7.2): ``rdf/dataset.{ext}``.

Each answer names the chosen file; the server reads and sends it (rewriting the base URL when it does).

>>> wants_edm("<http://www.europeana.eu/schemas/edm/>", None), wants_edm(None, "edm"), wants_edm(None, None)
(True, True, False)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from heritage_ld.model import UrlScheme, iri_segment
from heritage_ld.publish.negotiation import choose
from heritage_ld.publish.webroot import Kind, kind_of

__all__ = ["EDM_PROFILE", "RDF_TYPES", "RESOURCE_KINDS", "Answer", "resolve", "wants_edm"]

#: RDF media types offered for a minted IRI and the file extension each is read from.
RDF_TYPES = {
    "text/turtle": "ttl",
    "application/ld+json": "jsonld",
    "application/n-triples": "nt",
    "application/rdf+xml": "rdf",
}
#: URL path segments of minted resources other than items (heritage_ld.rdf.resources.RESOURCE_KINDS).
RESOURCE_KINDS = ("agent", "place", "concept", "section", "exhibition", "set")
EDM_PROFILE = "http://www.europeana.eu/schemas/edm/"
_EDM_TOKENS = ("edm", EDM_PROFILE, f"<{EDM_PROFILE}>")


@dataclass(frozen=True, slots=True)
class Answer:
    """What to send: ``file`` (with ``media`` and ``profile``), or a 303 to ``location``, or 404 ``missing``."""

    file: Path | None = None
    media: str = ""
    location: str | None = None
    profile: str | None = None
    missing: str | None = None


def wants_edm(accept_profile: str | None, query_profile: str | None) -> bool:
    """Whether the client asks for the EDM profile (``Accept-Profile`` header or ``_profile`` query argument)."""
    for value in (accept_profile, query_profile):
        if value and any(part.split(";")[0].strip() in _EDM_TOKENS for part in value.split(",")):
            return True
    return False


def _negotiate(files: dict[str, Path], accept: str | None, page: str | None) -> Answer:
    present = {m: p for m, p in files.items() if kind_of(p) is Kind.FILE}
    if not present and page is None:
        return Answer(missing="no such resource")
    chosen = choose(accept, (["text/html"] if page is not None else []) + list(present))
    if (chosen is None or chosen == "text/html") and page is not None:
        # httpRange-14: the IRI names a thing, not a document; 303 See Other to a description of it.
        return Answer(location=page)
    if chosen is None:
        chosen = next(iter(present))  # a client that takes none of them gets Turtle, not a 406
    return Answer(file=present[chosen], media=chosen)


def resolve(out: Path, urls: UrlScheme, kind: str, key: str, *, accept: str | None, edm: bool = False) -> Answer:
    """The answer to a request for the IRI ``{base}/{kind}/{key}`` (``kind`` ``object`` for items, ``dataset``
    for the dataset description, else one of :data:`RESOURCE_KINDS`)."""
    if kind == "dataset":
        return _negotiate({m: out / "rdf" / f"dataset.{ext}" for m, ext in RDF_TYPES.items()}, accept, None)
    try:
        seg = iri_segment(key)
    except ValueError:  # an empty key names nothing
        return Answer(missing="no such resource")
    folder = out / "rdf" / kind
    if kind == "object" and edm:
        record = out / "rdf" / "edm" / f"{seg}.rdf"
        if kind_of(record) is not Kind.FILE:
            return Answer(missing="no EDM record for this item")
        return Answer(file=record, media="application/rdf+xml", profile=EDM_PROFILE)
    files = {m: folder / f"{seg}.{ext}" for m, ext in RDF_TYPES.items()}
    page = _page(out, urls, kind, key, seg)
    return _negotiate(files, accept, page)


def _page(out: Path, urls: UrlScheme, kind: str, key: str, seg: str) -> str | None:
    """The path (under OUT) of the page describing a resource, if there is one."""
    candidates = {
        "object": [urls.path(urls.page(key))],
        "section": [urls.path(urls.section_page(key))],
        "exhibition": [urls.path(urls.home_page())],
        "set": [urls.path(urls.home_page())],
    }.get(kind, [])
    for rel in candidates:
        if kind_of(out / rel) is Kind.FILE:
            return rel
    turtle = f"rdf/{kind}/{seg}.ttl"
    if kind != "object" and kind_of(out / turtle) is Kind.FILE:
        return turtle  # no page of its own: its description in Turtle
    return None
