"""A new bag's tag side as bytes: the RO-Crate and PREMIS XML, the event log, bag-info, the manifests and the
tag manifests, made from the payload's digests alone.

One function for both writers: :func:`heritage_ld.bags.write_bag` (a folder) writes these bytes into its
temporary folder, :func:`heritage_ld.bags.store_writer.write_store_bag` (object storage) puts them on the store;
so a bag written either way holds the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from heritage_ld.bags.describe import CrateSpec, describe_payload
from heritage_ld.bags.events import Event, format_events
from heritage_ld.bags.fixity import Digests, hash_bytes
from heritage_ld.bags.info import format_declaration, format_info
from heritage_ld.bags.names import encode_paths
from heritage_ld.bags.premis_xml import PREMIS_FILE
from heritage_ld.bags.rocrate import CRATE_FILE
from heritage_ld.bags.tagfiles import format_tag_manifests, info_entries
from heritage_ld.problems import Problem

__all__ = ["EVENTS_FILE", "TagSide", "format_manifests", "tag_side"]

#: Where the PREMIS event log goes (a tag file).
EVENTS_FILE = "metadata/premis-events.ttl"


@dataclass(frozen=True, slots=True)
class TagSide:
    """What a new bag holds besides its copied payload.

    ``digests``: every payload file's digests, the RO-Crate's included; ``crate``: the RO-Crate's bytes
    (:data:`~heritage_ld.bags.rocrate.CRATE_FILE`, a payload file) or ``None``; ``files``: every tag file by
    name, ``bagit.txt`` and the tag manifests included (tag manifests last); ``problems``: B030 for media of
    unknown format.
    """

    digests: dict[str, Digests]
    crate: bytes | None
    files: dict[str, bytes]
    problems: tuple[Problem, ...]

    @property
    def payload_bytes(self) -> int:
        return sum(d.size for d in self.digests.values())


def tag_side(digests: Mapping[str, Digests], algorithms: tuple[str, ...],
             info: list[tuple[str, str]], tags: Mapping[str, bytes], when: datetime, *, label: str,
             describe: bool, crate: CrateSpec | None, events: bool, events_base: str | None, jobs: int,
             root: Path, paths: Mapping[str, Path] | None = None) -> TagSide:
    """The tag side of a new bag whose copied payload has ``digests``.

    ``root`` is the bag being written and ``paths`` (bag path -> file) where a payload file can be read when it
    is not under ``root``: only read to identify a format the ``crate`` spec does not already give.
    """
    digests = dict(digests)
    tags = dict(tags)
    total = sum(d.size for d in digests.values())
    log = [Event("creation", when, note=f"{len(digests)} payload files, {total} bytes"),
           Event("message digest calculation", when, note=", ".join(algorithms))]
    problems: tuple[Problem, ...] = ()
    crate_data: bytes | None = None
    if describe:
        organisation = next((v for k, v in info if k.lower() == "source-organization"), None)
        found = describe_payload(root, digests, spec=crate, label=label, organisation=organisation,
                                 events=log, when=when, jobs=jobs, paths=paths)
        problems = found.problems
        crate_data = found.crate
        digests[CRATE_FILE] = hash_bytes(found.crate, algorithms)
        total += len(found.crate)
        tags[PREMIS_FILE] = found.premis
    if events:
        tags[EVENTS_FILE] = format_events(log, label=label, base=events_base)
    files: dict[str, bytes] = {
        "bagit.txt": format_declaration(),
        "bag-info.txt": format_info(info_entries(info, payload_bytes=total, payload_files=len(digests),
                                                 date=when)),
    }
    files.update(format_manifests(digests, algorithms))
    files.update(tags)
    files = dict(sorted(files.items()))
    files.update(format_tag_manifests(files, algorithms))
    return TagSide(digests, crate_data, files, problems)


def format_manifests(digests: Mapping[str, Digests], algorithms: Iterable[str]) -> dict[str, bytes]:
    """``manifest-ALGORITHM.txt`` bytes for each algorithm (as :func:`~heritage_ld.bags.manifest.format_manifest`
    would make them), with the paths sorted and encoded once for all the manifests."""
    paths = sorted(digests)
    encoded = encode_paths(paths)
    rows = [digests[p].hexdigests for p in paths]
    out: dict[str, bytes] = {}
    for k, algorithm in enumerate(algorithms):
        # Joined in C ("  ".join of each pair, "\n".join of the lines) rather than an f-string a line.
        sums = [row[k][1] if row[k][0] == algorithm else dict(row)[algorithm] for row in rows]
        lines = map("  ".join, zip(sums, encoded, strict=True))
        out[f"manifest-{algorithm}.txt"] = ("\n".join(lines) + "\n" if paths else "").encode("utf-8")
    return out
