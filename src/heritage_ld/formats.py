"""RDF output formats: one :class:`Format` value each, oxigraph-style (name, media type, extension, aliases).

>>> Format.from_name("ttl") is TURTLE
True
>>> Format.from_extension("nq").name, Format.from_media_type("application/ld+json").extension
('nquads', 'jsonld')
"""

from __future__ import annotations

from dataclasses import dataclass

from heritage_ld.errors import FormatError

__all__ = ["FORMATS", "JSON_LD", "N_QUADS", "N_TRIPLES", "PROFILES", "RDF_XML", "TURTLE", "Format"]


@dataclass(frozen=True, slots=True)
class Format:
    """An RDF serialisation: its canonical ``name``, ``media_type``, file ``extension`` and other ``aliases``."""

    name: str
    media_type: str
    extension: str
    aliases: tuple[str, ...] = ()
    #: The rdflib parser/serialiser name for the same format.
    rdflib_name: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the format answers to (CLI choices): the extension first, then the name and aliases."""
        return tuple(dict.fromkeys((self.extension, self.name, *self.aliases)))

    @staticmethod
    def from_name(name: str) -> Format:
        """The format called ``name`` (``ttl``, ``turtle``, ``jsonld`` …); raises :class:`FormatError`."""
        key = name.strip().lower()
        for f in FORMATS:
            if key in f.names:
                return f
        raise FormatError(f"unknown RDF format {name!r}; choose one of {', '.join(f.extension for f in FORMATS)}")

    @staticmethod
    def from_extension(extension: str) -> Format:
        """The format of a file extension (with or without the dot); raises :class:`FormatError`."""
        key = extension.lower().lstrip(".")
        for f in FORMATS:
            if key == f.extension or (key in f.aliases and "/" not in key):
                return f
        raise FormatError(f"no RDF format has the extension {extension!r}")

    @staticmethod
    def from_media_type(media_type: str) -> Format:
        """The format of a media type (parameters such as ``;charset=utf-8`` are ignored)."""
        key = media_type.split(";", 1)[0].strip().lower()
        for f in FORMATS:
            if key == f.media_type or key in f.aliases:
                return f
        raise FormatError(f"no RDF format has the media type {media_type!r}")


TURTLE = Format("turtle", "text/turtle", "ttl", ("application/x-turtle",), "turtle")
JSON_LD = Format("json-ld", "application/ld+json", "jsonld", ("json-ld", "json"), "json-ld")
N_TRIPLES = Format("ntriples", "application/n-triples", "nt", ("n-triples", "text/plain"), "nt")
N_QUADS = Format("nquads", "application/n-quads", "nq", ("n-quads",), "nquads")
RDF_XML = Format("rdfxml", "application/rdf+xml", "rdf", ("xml", "rdf/xml", "owl", "rdfs"), "xml")

#: Every format, in the order the build writes them.
FORMATS: tuple[Format, ...] = (TURTLE, JSON_LD, N_TRIPLES, RDF_XML, N_QUADS)

#: RDF profiles (CLI ``--profile`` choices): CIDOC-CRM (Linked Art), Dublin Core, or both. Here rather than
#: in :mod:`heritage_ld.rdf` so that the command line lists them without loading rdflib.
PROFILES: tuple[str, ...] = ("crm", "dc", "all")
