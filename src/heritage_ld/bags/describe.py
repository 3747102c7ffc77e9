"""What a new bag says about its payload: each file's format, the RO-Crate and the PREMIS XML.

Called by the writer once the payload is copied and hashed (the digests are known): distinct contents are
identified once (:mod:`heritage_ld.bags.identify`, unless the caller already did, by SHA-256), then
``data/ro-crate-metadata.json`` (:mod:`heritage_ld.bags.rocrate`) and ``metadata/premis.xml``
(:mod:`heritage_ld.bags.premis_xml`) are made from the same data. A file no tool could identify is reported
(B030), never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from heritage_ld.bags.events import Event
from heritage_ld.bags.fixity import Digests
from heritage_ld.bags.identify import Identification, identify_files, tool_info
from heritage_ld.bags.premis_xml import PremisObject, format_premis
from heritage_ld.bags.rocrate import CrateFile, format_crate
from heritage_ld.problems import Location, Problem, report

__all__ = ["CrateSpec", "Description", "crate_bytes", "describe_payload"]


@dataclass(frozen=True, slots=True)
class CrateSpec:
    """What the caller knows of the bag's subject, for its RO-Crate: the root's properties and the contextual
    entities (plain JSON values), and formats already identified (by SHA-256 of the content)."""

    root: Mapping[str, Any] = field(default_factory=dict)
    entities: tuple[Mapping[str, Any], ...] = ()
    formats: Mapping[str, Identification] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Description:
    """The crate (payload bytes), the PREMIS XML (tag bytes), each payload file's format and the problems."""

    crate: bytes
    premis: bytes
    formats: Mapping[str, Identification]
    problems: tuple[Problem, ...]


def crate_bytes(files: Mapping[str, tuple[int, str]], formats: Mapping[str, Identification],
                spec: CrateSpec | None, name: str, date: datetime) -> bytes:
    """The RO-Crate metadata file for payload ``files`` (bag path -> (size, sha256)) and their ``formats``
    (bag path -> identification): the same bytes whether the bag is written or only checked for change.

    The root data entity gets what RO-Crate 1.1 requires (``name``, ``description``, ``datePublished``,
    ``license``) from ``name`` and ``date`` unless ``spec.root`` gives them; a bag made by hand states no
    licence, and its crate says so rather than invent one.
    """
    spec = spec or CrateSpec()
    root = {"name": name, "description": f"Preservation package {name}: {len(files)} payload files",
            "datePublished": date.strftime("%Y-%m-%d"), "license": "not stated", **spec.root}
    return format_crate([CrateFile(rel, size, sha, formats.get(rel, Identification()))
                         for rel, (size, sha) in files.items()], root=root, entities=spec.entities, name=name)


def describe_payload(root: Path, digests: Mapping[str, Digests], *, spec: CrateSpec | None, label: str,
                     organisation: str | None, events: list[Event], when: datetime, jobs: int,
                     paths: Mapping[str, Path] | None = None) -> Description:
    """Identify the payload files under ``root`` (the bag being written; ``paths``: bag path -> file, for files
    read elsewhere) and make the crate and the PREMIS XML.

    ``events`` (the bag's making so far) gets a ``format identification`` event, which the PREMIS XML lists
    too, linked to the tools that answered.
    """
    spec = spec or CrateSpec()
    by_content: dict[str, str] = {}
    for rel, d in sorted(digests.items()):
        key = _content_key(d)
        by_content.setdefault(key, rel)
    known = {k: spec.formats[k.partition(":")[2]] for k in by_content
             if k.startswith("sha256:") and k.partition(":")[2] in spec.formats}
    where = paths or {}
    todo = {k: where.get(rel, root / rel) for k, rel in by_content.items() if k not in known}
    found = {**known, **identify_files(todo, jobs=jobs)}
    formats = {rel: found[_content_key(d)] for rel, d in digests.items()}
    problems = tuple(report("B030", Location(rel), path=rel) for rel, f in sorted(formats.items()) if not f.known)
    fido, fallback = tool_info()
    counts = {m: sum(f.method == m for f in formats.values()) for m in ("signature", "container", "fallback",
                                                                         "unknown")}
    note = (f"{len(found)} distinct contents: {counts['signature'] + counts['container']} files by {fido.label}, "
            f"{counts['fallback']} by the fallback {fallback.label}, {counts['unknown']} unknown")
    events.append(Event("format identification", when, success=not problems, note=note))
    files = {rel: (d.size, dict(d.hexdigests).get("sha256", "")) for rel, d in digests.items()}
    crate = crate_bytes(files, formats, spec, label, when)
    premis = format_premis([PremisObject(rel, d.size, dict(d.hexdigests), formats[rel])
                            for rel, d in digests.items()], events, bag=label, organisation=organisation)
    return Description(crate, premis, formats, problems)


def _content_key(d: Digests) -> str:
    algorithm, digest = next(((a, h) for a, h in d.hexdigests if a == "sha256"), d.hexdigests[0])
    return f"{algorithm}:{digest}:{d.size}" if algorithm != "sha256" else f"sha256:{digest}"
