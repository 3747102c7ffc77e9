"""The tag side of an existing bag, read and changed through :class:`~heritage_ld.bags.safe_write.BagFolder`.

Shared by the audit and the metadata update: the bag's declared tag-file encoding, tag manifests updated
for exactly the tag files that changed (every other entry kept, so a tampered tag file stays detectable),
and the coded problems (``B014``, ``B015``) that say why a bag was not written to.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from heritage_ld.bags.fixity import ALGORITHMS, hash_bytes
from heritage_ld.bags.info import parse_declaration
from heritage_ld.bags.manifest import format_manifest, parse_manifest
from heritage_ld.bags.report import BagWriteRefused
from heritage_ld.bags.safe_write import BagFolder, RefusedPath
from heritage_ld.bags.validator import decode_tag_file
from heritage_ld.problems import Location, Problem, report

__all__ = ["cannot_update", "read_encoding", "refused", "refused_problem", "updated_tag_manifests"]

_TAG_MANIFEST = re.compile(r"^tagmanifest-([A-Za-z0-9]+)\.txt$")


def refused_problem(exc: RefusedPath) -> Problem:
    """``B014`` for a link or special file met on the way."""
    return report("B014", Location(exc.path), path=exc.path, kind=exc.reason)


def refused(bag: Path, exc: RefusedPath) -> BagWriteRefused:
    """The exception for a bag not written to because of ``exc``."""
    return BagWriteRefused(bag, [refused_problem(exc)])


def cannot_update(bag: Path, name: str, reason: str) -> BagWriteRefused:
    """``B015``: the tag file ``name`` cannot be changed safely."""
    return BagWriteRefused(bag, [report("B015", Location(name), path=name, reason=reason)])


def read_encoding(folder: BagFolder) -> str:
    """The tag-file encoding ``bagit.txt`` declares.

    Raises:
        BagWriteRefused: ``bagit.txt`` is missing, a link, or does not declare a version and an encoding.
    """
    try:
        data = folder.read("bagit.txt")
    except RefusedPath as exc:
        raise refused(folder.root, exc) from None
    except FileNotFoundError:
        raise cannot_update(folder.root, "bagit.txt", "it is missing: this is not a bag") from None
    decl = parse_declaration(data)
    if decl.encoding is None or decl.version is None:
        raise cannot_update(folder.root, "bagit.txt", "; ".join(decl.errors) or "unreadable")
    return decl.encoding


def updated_tag_manifests(folder: BagFolder, encoding: str, changed: Mapping[str, bytes | None]
                          ) -> dict[str, bytes]:
    """The new bytes of each tag manifest whose entries ``changed`` alters (tag path -> new bytes, or
    ``None`` for a removed file). Entries for other files are kept as they were; a tag manifest of an
    algorithm this package does not know is left alone (the validator reports it as unverified).

    Raises:
        BagWriteRefused: a tag manifest is a link or special file (B014), or cannot be read or has malformed
            lines (B015): rewriting it would lose or bless what it says.
    """
    out: dict[str, bytes] = {}
    for name in folder.listdir():
        m = _TAG_MANIFEST.match(name)
        if not m or m.group(1).lower() not in ALGORITHMS:
            continue
        try:
            raw = folder.read(name)
        except RefusedPath as exc:
            raise refused(folder.root, exc) from None
        try:
            text = decode_tag_file(raw, encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise cannot_update(folder.root, name, f"not readable as {encoding}: {exc}") from None
        parsed = parse_manifest(name, text, version=(1, 0), payload=False)
        errors = [p for p in parsed.problems if p.is_error]
        if errors:
            raise cannot_update(folder.root, name, f"it has {len(errors)} malformed line(s), the first: "
                                                   f"{errors[0].render(hints=False)}")
        algorithm = parsed.algorithm
        entries = dict(parsed.entries)
        for rel, data in changed.items():
            if data is None:
                entries.pop(rel, None)
            else:
                entries[rel] = hash_bytes(data, [algorithm])[algorithm]
        if entries != parsed.entries:
            try:
                out[name] = format_manifest(entries).decode("utf-8").encode(encoding)
            except UnicodeEncodeError as exc:
                raise cannot_update(folder.root, name, f"a name cannot be written in {encoding}: {exc}") from None
    return out
