"""SHACL validation (pyshacl) with the shapes in ``vocab/shapes/``, reported as :class:`Problem` values (R001).

``crm.ttl`` holds the Linked Art shapes (an object has an accession number, a primary name, a type …),
``dc.ttl`` the Dublin Core ones (identifier, a title with a language tag, a DCMI type, rights). Each result
becomes ``R001 {focus}: {path} {message} (see the shape {shape})``; a ``sh:Warning`` result becomes R005.

>>> from heritage_ld.model import Collection, Item, ItemKind, MultilingualText
>>> c = Collection("c", MultilingualText.of(en="C"), "https://example.org", items=(
...     Item("A1", ItemKind.PHOTOGRAPH, MultilingualText.of(en="Hanoi"), rights="http://rightsstatements.org/vocab/InC/1.0/"),))
>>> [p.code for p in validate(c) if p.is_error]
[]
"""

from __future__ import annotations

import functools
from typing import Any

import rdflib

from heritage_ld import vocab
from heritage_ld.errors import UsageError
from heritage_ld.model import Collection
from heritage_ld.problems import Location, Problem, report
from heritage_ld.rdf.graph import PROFILES, dataset_triples, to_rdflib
from heritage_ld.rdf.serialize import _qname

__all__ = ["SHAPE_FILES", "shapes_graph", "validate"]

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")

#: Shape files by profile.
SHAPE_FILES: dict[str, tuple[str, ...]] = {
    "crm": ("shapes/crm.ttl",),
    "dc": ("shapes/dc.ttl",),
    "all": ("shapes/crm.ttl", "shapes/dc.ttl"),
}


@functools.cache
def shapes_graph(profile: str = "all") -> rdflib.Graph:
    """The SHACL shapes of a profile, parsed once."""
    if profile not in PROFILES:
        raise UsageError(f"unknown profile {profile!r}; choose one of {', '.join(PROFILES)}")
    g = rdflib.Graph()
    for name in SHAPE_FILES[profile]:
        g.parse(data=vocab.read_text(name), format="turtle")
    return g


def _short(term: Any) -> str:
    if term is None:
        return ""
    text = str(term)
    return _qname(text) or text


def validate(data: Collection | rdflib.Graph, *, profile: str = "all") -> list[Problem]:
    """Run the shapes of ``profile`` on a collection's RDF (or any graph); every violation as a Problem.

    The result is sorted by focus node, path and message; an empty list means the data conforms.
    """
    try:
        import pyshacl
    except ImportError as exc:  # pragma: no cover - depends on the extra
        raise UsageError("validation needs the optional extra: pip install 'heritage-ld[shapes]'") from exc
    if isinstance(data, Collection):
        graph = rdflib.Graph()
        for chunk in dataset_triples(data, profile=profile):
            to_rdflib(chunk, graph)
    else:
        graph = data
    _conforms, results, _text = pyshacl.validate(graph, shacl_graph=shapes_graph(profile), advanced=True)
    problems = []
    for r in results.subjects(rdflib.RDF.type, SH.ValidationResult):
        focus = str(results.value(r, SH.focusNode))
        path = _short(results.value(r, SH.resultPath))
        message = str(results.value(r, SH.resultMessage) or "does not conform")
        source = results.value(r, SH.sourceShape)
        if isinstance(source, rdflib.BNode):  # a property shape: name the node shape it belongs to
            source = shapes_graph(profile).value(None, SH.property, source) or source
        shape = _short(source).rsplit("/", 1)[-1]
        code = "R001" if results.value(r, SH.resultSeverity) == SH.Violation else "R005"
        problems.append(report(code, Location("rdf"), focus=focus, path=path, message=message, shape=shape))
    return sorted(problems, key=lambda p: (p.location.file, str(p.get("path")), str(p.get("message"))))
