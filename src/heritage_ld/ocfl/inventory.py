"""Check one OCFL inventory (``inventory.json``) against the OCFL 1.0/1.1 rules, without the disk.

Codes are the specification's own (``E036``, ``W005`` …, https://ocfl.io/1.1/spec/validation-codes.html);
:mod:`heritage_ld.ocfl.validate` adds what needs the files (sidecars, content, version inventories).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["DIGEST_LENGTHS", "Inventory", "Log", "check_inventory"]

#: Hex digest lengths of the algorithms OCFL names (content addressing: sha512, sha256; fixity: all).
DIGEST_LENGTHS = {"md5": 32, "sha1": 40, "sha256": 64, "sha512": 128, "blake2b-512": 128, "blake2b-160": 40,
                  "blake2b-256": 64, "blake2b-384": 96, "sha512/256": 64, "size": 0}
_CREATED = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_VERSION = re.compile(r"^v(\d+)$")


@dataclass
class Log:
    """Codes found, each with where and what: ``(code, path, message)``."""

    errors: list[tuple[str, str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str, str]] = field(default_factory=list)

    def error(self, code: str, where: str, message: str) -> None:
        self.errors.append((code, where, message))

    def warn(self, code: str, where: str, message: str) -> None:
        self.warnings.append((code, where, message))


@dataclass
class Inventory:
    """What the checks of one inventory found usable (empty values where the inventory is broken)."""

    data: dict[str, Any]
    algorithm: str = ""
    head: str = ""
    content_dir: str = "content"
    versions: list[str] = field(default_factory=list)
    manifest: dict[str, list[str]] = field(default_factory=dict)
    #: content path -> digest
    content: dict[str, str] = field(default_factory=dict)
    spec: str = ""


def _path_ok(path: str) -> str | None:
    if path.startswith("/") or path.endswith("/"):
        return "begins or ends with /"
    if any(p in ("", ".", "..") for p in path.split("/")):
        return "has an empty, . or .. element"
    return None


def _conflicts(paths: list[str]) -> str | None:
    seen = set(paths)
    if len(seen) != len(paths):
        return next(p for p in paths if paths.count(p) > 1)
    for p in paths:
        parts = p.split("/")
        for i in range(1, len(parts)):
            if "/".join(parts[:i]) in seen:
                return p
    return None


def _versions(inv: Inventory, versions: dict[str, Any], where: str, log: Log) -> None:
    names = list(versions)
    bad = [n for n in names if not _VERSION.match(n)]
    for n in bad:
        log.error("E046", where, f"version {n!r} is not a version directory name")
    good = sorted((n for n in names if _VERSION.match(n)), key=lambda n: int(n[1:]))
    if not good:
        log.error("E008", where, "no versions")
        return
    numbers = [int(n[1:]) for n in good]
    if numbers != list(range(1, len(numbers) + 1)):
        log.error("E010" if numbers[0] == 1 else "E009", where, f"versions {good} are not 1..{len(good)}")
    widths = {len(n) for n in good}
    padded = [n for n in good if n.startswith("v0")]
    if padded:
        if len(widths) != 1:
            log.error("E013", where, "versions mix zero-padded and other names")
        else:
            log.warn("W001", where, "zero-padded version names")
    elif len(widths) > 1 and any(len(n) != len(f"v{int(n[1:])}") for n in good):
        log.error("E012", where, "versions use different naming conventions")
    inv.versions = good


def check_inventory(data: Any, where: str, log: Log, *, spec: str, root: bool) -> Inventory | None:
    """Check ``data`` (parsed JSON) as an inventory of an object declaring OCFL ``spec`` (``1.0``/``1.1``)."""
    if not isinstance(data, dict):
        log.error("E033", where, "not a JSON object")
        return None
    inv = Inventory(data)
    for key in ("id", "type", "digestAlgorithm", "head"):
        if key not in data:
            log.error("E036", where, f"no {key}")
    ident = data.get("id")
    if "id" in data and not isinstance(ident, str):
        log.error("E037", where, "id is not a string")
    elif isinstance(ident, str) and not _URI.match(ident):
        log.warn("W005", where, f"id {ident!r} is not a URI")
    kind = data.get("type")
    m = re.fullmatch(r"https://ocfl\.io/(1\.[01])/spec/#inventory", kind) if isinstance(kind, str) else None
    if "type" in data and m is None:
        log.error("E038", where, f"type {kind!r} is not an OCFL inventory type")
    inv.spec = m.group(1) if m else ""
    if root and inv.spec and inv.spec != spec:
        log.error("E038", where, f"type is OCFL {inv.spec} but the object declares {spec}")
    algorithm = data.get("digestAlgorithm")
    if "digestAlgorithm" in data:
        if algorithm not in ("sha512", "sha256"):
            log.error("E025", where, f"digestAlgorithm {algorithm!r} is not sha512 or sha256")
        else:
            inv.algorithm = algorithm
            if algorithm == "sha256":
                log.warn("W004", where, "sha256 rather than sha512")
    content_dir = data.get("contentDirectory", "content")
    if not isinstance(content_dir, str) or "/" in content_dir:
        log.error("E017", where, f"contentDirectory {content_dir!r} holds a /")
    elif content_dir in (".", ".."):
        log.error("E018", where, f"contentDirectory {content_dir!r}")
    else:
        inv.content_dir = content_dir
    manifest = data.get("manifest")
    if not isinstance(manifest, dict):
        log.error("E041", where, "no manifest block")
        manifest = {}
    versions = data.get("versions")
    if not isinstance(versions, dict):
        log.error("E043" if versions is None else "E044", where, "no versions block")
        log.error("E041", where, "no versions block")
        versions = {}
    else:
        _versions(inv, versions, where, log)
    head = data.get("head")
    if "head" in data:
        if not isinstance(head, str) or not inv.versions or head != inv.versions[-1]:
            log.error("E040", where, f"head {head!r} is not the last version")
        else:
            inv.head = head
    _manifest(inv, manifest, where, log)
    used: set[str] = set()
    for name in inv.versions:
        _version(inv, name, versions[name], where, log, used)
    for digest in sorted(set(inv.manifest) - used):
        log.error("E107", where, f"manifest digest {digest[:16]}… is in no version's state")
    _fixity(inv, data.get("fixity"), where, log)
    return inv


def _manifest(inv: Inventory, manifest: dict[str, Any], where: str, log: Log) -> None:
    lowered: dict[str, str] = {}
    paths: list[str] = []
    length = DIGEST_LENGTHS.get(inv.algorithm)
    for digest, content in manifest.items():
        if digest.lower() in lowered:
            log.error("E096", where, f"digest {digest[:16]}… twice in the manifest")
        lowered[digest.lower()] = digest
        if length and not re.fullmatch(f"[0-9a-fA-F]{{{length}}}", digest):
            log.error("E096", where, f"{digest[:16]}… is not a {inv.algorithm} digest")
        if not isinstance(content, list):
            log.error("E092", where, "a manifest value is not a list")
            continue
        for path in content:
            bad = _path_ok(path) if isinstance(path, str) else "not a string"
            if bad:
                log.error("E100" if path.startswith("/") or path.endswith("/") else "E099", where,
                          f"content path {path!r} {bad}")
                continue
            parts = path.split("/")
            if (len(parts) < 3 or parts[0] not in inv.versions or parts[1] != inv.content_dir):
                log.error("E015", where, f"content path {path!r} is not in a version's content directory")
            paths.append(path)
            inv.content[path] = digest
        inv.manifest[digest] = [p for p in content if isinstance(p, str)]
    conflict = _conflicts(paths)
    if conflict:
        log.error("E101", where, f"content path {conflict!r} is not unique")


def _version(inv: Inventory, name: str, block: Any, where: str, log: Log, used: set[str]) -> None:
    here = f"{where} {name}"
    if not isinstance(block, dict):
        log.error("E047", here, "not a JSON object")
        return
    created = block.get("created")
    if created is None:
        log.error("E048", here, "no created")
    elif not isinstance(created, str) or not _CREATED.match(created):
        log.error("E049", here, f"created {created!r} is not an RFC 3339 date and time")
    if "message" in block and not isinstance(block["message"], str):
        log.error("E094", here, "message is not a string")
    user = block.get("user")
    if "message" not in block or "user" not in block:
        log.warn("W007", here, "no message or no user")
    if "user" in block:
        if not isinstance(user, dict) or not isinstance(user.get("name"), str):
            log.error("E054", here, "user has no name")
        elif "address" not in user:
            log.warn("W008", here, "user has no address")
        elif not isinstance(user["address"], str) or not _URI.match(user["address"]):
            log.warn("W009", here, f"user address {user['address']!r} is not a URI")
    state = block.get("state")
    if not isinstance(state, dict):
        log.error("E048", here, "no state")
        return
    logical: list[str] = []
    for digest, paths in state.items():
        if digest not in inv.manifest:
            log.error("E050", here, f"state digest {digest[:16]}… is not in the manifest")
        used.add(digest)
        for path in paths if isinstance(paths, list) else []:
            bad = _path_ok(path) if isinstance(path, str) else "not a string"
            if bad:
                log.error("E053" if isinstance(path, str) and (path.startswith("/") or path.endswith("/"))
                          else "E052", here, f"logical path {path!r} {bad}")
            else:
                logical.append(path)
    conflict = _conflicts(logical)
    if conflict:
        log.error("E095", here, f"logical path {conflict!r} is not unique or conflicts with another")


def _fixity(inv: Inventory, fixity: Any, where: str, log: Log) -> None:
    if fixity is None:
        return
    if not isinstance(fixity, dict):
        log.error("E056", where, "fixity is not a JSON object")
        return
    for algorithm, block in fixity.items():
        if not isinstance(block, dict):
            log.error("E057", where, f"fixity {algorithm} is not a JSON object")
            continue
        lowered: set[str] = set()
        for digest, paths in block.items():
            if digest.lower() in lowered:
                log.error("E097", where, f"fixity {algorithm} digest {digest[:16]}… twice")
            lowered.add(digest.lower())
            for path in paths if isinstance(paths, list) else []:
                bad = _path_ok(path) if isinstance(path, str) else "not a string"
                if bad:
                    log.error("E100" if path.startswith("/") or path.endswith("/") else "E099", where,
                              f"fixity content path {path!r} {bad}")
                elif path not in inv.content:
                    log.error("E057", where, f"fixity content path {path!r} is not in the manifest")
