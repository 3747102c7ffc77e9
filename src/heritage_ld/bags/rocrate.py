"""RO-Crate 1.1 metadata inside a bag: ``data/ro-crate-metadata.json``.

RO-Crate 1.1 (appendix "Combining with other packaging schemes", same text in 1.2): "RO-Crate can be combined
with BagIt simply by placing the RO-Crate files within the BagIt payload (``data/``) directory", so the crate's
root is ``data/``, the metadata file is listed in the payload manifests like any payload file, and every file
it describes has an ``@id`` relative to ``data/``.

The bag layer knows no catalogue: the caller passes the root's properties and the contextual entities (the
item with its Linked Art IRI, agents, the exhibition) as plain JSON values; this module adds the metadata
descriptor, one ``File`` per payload file (``contentSize``, ``encodingFormat`` as a media type and the PRONOM
format IRI, ``sha256``) and a ``WebSite`` entity per PRONOM format. Output is deterministic: entities sorted
by ``@id``, keys sorted, UTF-8.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from heritage_ld.bags.identify import Identification

__all__ = ["CRATE_FILE", "CRATE_SPEC", "CrateFile", "format_crate"]

#: Where the crate's metadata file goes (in the payload: the crate's root is ``data/``).
CRATE_FILE = "data/ro-crate-metadata.json"
#: The RO-Crate version the metadata file conforms to.
CRATE_SPEC = "https://w3id.org/ro/crate/1.1"
_CONTEXT = "https://w3id.org/ro/crate/1.1/context"


@dataclass(frozen=True, slots=True)
class CrateFile:
    """One payload file: its path in the bag (``data/...``), size, SHA-256 (``""`` if not computed) and
    format."""

    path: str
    size: int
    sha256: str
    format: Identification


def _file_entity(f: CrateFile) -> dict[str, Any]:
    rel = f.path.removeprefix("data/")
    entity: dict[str, Any] = {"@id": rel, "@type": "File", "name": rel.rpartition("/")[2],
                              "contentSize": str(f.size)}
    formats: list[Any] = []
    if f.format.media_type:
        formats.append(f.format.media_type)
    if f.format.puid:
        formats.append({"@id": f.format.pronom_iri})
    if formats:
        entity["encodingFormat"] = formats[0] if len(formats) == 1 else formats
    if f.sha256:
        entity["sha256"] = f.sha256
    return entity


def _single(entity: Mapping[str, Any]) -> dict[str, Any]:
    """RO-Crate 1.1 (JSON-LD compaction): a property with one value is that value, not a one-element array."""
    return {k: v[0] if isinstance(v, list) and len(v) == 1 else v for k, v in entity.items()}


def format_crate(files: Iterable[CrateFile], *, root: Mapping[str, Any] | None = None,
                 entities: Sequence[Mapping[str, Any]] = (), name: str = "") -> bytes:
    """The ``ro-crate-metadata.json`` of a bag whose payload is ``files``.

    Args:
        files: the payload files (not the metadata file itself).
        root: properties of the root data entity (``./``): ``name``, ``description``, ``datePublished``,
            ``license``, ``about`` …; ``hasPart`` is set here.
        entities: contextual entities (each with an ``@id``), written as given.
        name: the root's name when ``root`` gives none.

    >>> crate = json.loads(format_crate([CrateFile("data/a.txt", 5, "ab", Identification())], name="x"))
    >>> sorted(e["@id"] for e in crate["@graph"])
    ['./', 'a.txt', 'ro-crate-metadata.json']
    """
    files = sorted(files, key=lambda f: f.path)
    parts = [_file_entity(f) for f in files]
    root_entity: dict[str, Any] = {"name": name or "bag", **(root or {})}
    root_entity.update({"@id": "./", "@type": "Dataset",
                        "hasPart": [{"@id": p["@id"]} for p in parts]})
    graph: dict[str, dict[str, Any]] = {
        "ro-crate-metadata.json": {"@id": "ro-crate-metadata.json", "@type": "CreativeWork",
                                   "about": {"@id": "./"}, "conformsTo": {"@id": CRATE_SPEC}},
        "./": root_entity,
    }
    for part in parts:
        graph[part["@id"]] = part
    for f in files:
        if f.format.puid and f.format.pronom_iri not in graph:
            label = f.format.name + (f" {f.format.version}" if f.format.version else "")
            graph[f.format.pronom_iri] = {"@id": f.format.pronom_iri, "@type": "WebSite",
                                          "name": label or f.format.puid, "identifier": f.format.puid}
    for entity in entities:
        ident = str(entity["@id"])
        if ident not in graph:
            graph[ident] = dict(entity)
    doc = {"@context": _CONTEXT, "@graph": [_single(graph[k]) for k in sorted(graph)]}
    return (json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")
