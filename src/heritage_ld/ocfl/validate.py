"""Validate OCFL objects and storage roots on disk (OCFL 1.0 and 1.1), reporting the specification's codes.

Checks the conformance declaration, the root inventory (:mod:`heritage_ld.ocfl.inventory`) and its sidecar,
what the object root and each version directory may hold, each version's own inventory (identical to the root
one for the head, the same states for earlier versions), that every content file is in the manifest and every
manifest path exists, and (unless ``check_digests=False``) each file's digest and fixity values. Checked
against the official OCFL fixtures (``tests/conformance/test_ocfl_fixtures.py``).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from heritage_ld.ocfl.inventory import Inventory, Log, check_inventory

__all__ = ["OcflReport", "validate_object", "validate_storage_root"]

_HASHES = {"md5": "md5", "sha1": "sha1", "sha256": "sha256", "sha512": "sha512", "blake2b-512": "blake2b"}
_VERSION_DIR = re.compile(r"^v\d+$")
#: Extensions registered at https://ocfl.github.io/extensions/ (W013 for other names).
REGISTERED = {"0001-digest-algorithms", "0002-flat-direct-storage-layout", "0003-hash-and-id-n-tuple-storage-layout",
              "0004-hashed-n-tuple-storage-layout", "0005-mutable-head", "0006-flat-omit-prefix-storage-layout",
              "0007-n-tuple-omit-prefix-storage-layout", "0008-schema-registry", "0009-digest-algorithms",
              "0010-differential-ocfl-inventory", "0011-direct-clean-path-layout"}


@dataclass
class OcflReport:
    """The codes found: ``errors`` and ``warnings`` as ``(code, path, message)``."""

    path: Path
    errors: list[tuple[str, str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str, str]] = field(default_factory=list)
    objects: int = 0

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def codes(self) -> set[str]:
        return {c for c, _, _ in (*self.errors, *self.warnings)}


class _Digests:
    def __init__(self) -> None:
        self._cache: dict[tuple[str, str], str] = {}

    def of(self, path: Path, algorithm: str) -> str | None:
        key = (str(path), algorithm)
        if key not in self._cache:
            name = _HASHES.get(algorithm)
            if name is None:
                return None
            h = hashlib.new(name)
            try:
                with open(path, "rb") as f:
                    while chunk := f.read(1 << 20):
                        h.update(chunk)
            except OSError:
                return None
            self._cache[key] = h.hexdigest()
        return self._cache[key]


def _read_inventory(folder: Path, where: str, log: Log, spec: str, root: bool) -> Inventory | None:
    try:
        body = (folder / "inventory.json").read_bytes()
    except OSError:
        return None
    try:
        data = json.loads(body)
    except ValueError as exc:
        log.error("E033", where, f"not JSON: {exc}")
        return None
    inv = check_inventory(data, where, log, spec=spec, root=root)
    if inv is None:
        return None
    algorithm = inv.algorithm or str(data.get("digestAlgorithm", "sha512"))
    sidecar = folder / f"inventory.json.{algorithm}"
    if not sidecar.is_file():
        log.error("E058", where, f"no sidecar inventory.json.{algorithm}")
    else:
        m = re.fullmatch(r"([0-9a-fA-F]+)[ \t]+inventory\.json\n?", sidecar.read_text(encoding="utf-8",
                                                                                      errors="replace"))
        if m is None:
            log.error("E061", where, "the sidecar is not 'DIGEST inventory.json'")
        elif algorithm in _HASHES and m.group(1).lower() != hashlib.new(_HASHES[algorithm], body).hexdigest():
            log.error("E060", where, "the sidecar digest does not match inventory.json")
    return inv


def _declaration(root: Path, log: Log) -> str | None:
    decls = [n for n in os.listdir(root) if n.startswith("0=")]
    if len(decls) != 1:
        log.error("E003", ".", f"{len(decls)} conformance declarations, expected 1")
        return None
    m = re.fullmatch(r"0=ocfl_object_(1\.[01])", decls[0])
    if m is None:
        log.error("E006", decls[0], "not 0=ocfl_object_1.0 or 0=ocfl_object_1.1")
        return None
    if (root / decls[0]).read_bytes() != f"ocfl_object_{m.group(1)}\n".encode():
        log.error("E007", decls[0], "the declaration's text is not its name's value and a newline")
    return m.group(1)


def _files_under(folder: Path) -> tuple[list[str], list[str]]:
    """Files (paths relative to ``folder``'s parent's parent: ``vN/content/...``) and empty folders."""
    files, empty = [], []
    base = folder.parent.parent
    for dirpath, dirs, names in os.walk(folder):
        if not dirs and not names:
            empty.append(Path(dirpath).relative_to(base).as_posix())
        files += [(Path(dirpath) / n).relative_to(base).as_posix() for n in names]
    return files, empty


def _logical(inv: Inventory, version: str) -> dict[str, str]:
    """Logical path -> content path of ``version`` in ``inv``."""
    state = inv.data.get("versions", {}).get(version, {}).get("state", {})
    out = {}
    for digest, paths in state.items() if isinstance(state, dict) else []:
        content = (inv.manifest.get(digest) or [""])[0]
        for p in paths if isinstance(paths, list) else []:
            out[p] = content
    return out


def validate_object(path: Path | str, *, check_digests: bool = True) -> OcflReport:
    """Validate the OCFL object whose root is ``path``.

    >>> validate_object("/no/such/object").errors[0][0]
    'E003'
    """
    root = Path(path)
    log = Log()
    report = OcflReport(root, log.errors, log.warnings, 1)
    if not root.is_dir():
        log.error("E003", ".", "no object root")
        return report
    spec = _declaration(root, log)
    if not (root / "inventory.json").is_file():
        log.error("E063", ".", "no inventory.json")
        return report
    inv = _read_inventory(root, "inventory.json", log, spec or "1.1", True)
    if inv is None:
        return report
    _object_root(root, inv, log)
    digests = _Digests()
    on_disk: set[str] = set()
    specs: list[tuple[str, str]] = []
    for v in inv.versions:
        on_disk |= _version_dir(root, v, inv, log, digests, specs)
    for (_, earlier), (v, later) in itertools.pairwise(specs):
        if earlier and later and later < earlier:
            log.error("E103", f"{v}/inventory.json", f"OCFL {later} after a version of OCFL {earlier}")
    for p in sorted(on_disk - set(inv.content)):
        log.error("E023", p, "a content file not in the manifest")
    for p in sorted(set(inv.content) - on_disk):
        log.error("E092", p, "in the manifest but missing")
    if check_digests:
        _check_digests(root, inv, on_disk, digests, log)
    return report


def _object_root(root: Path, inv: Inventory, log: Log) -> None:
    allowed = {"inventory.json", f"inventory.json.{inv.algorithm or 'sha512'}", "extensions", "logs"}
    for name in sorted(os.listdir(root)):
        if name.startswith("0=") or name in allowed or name in inv.versions:
            continue
        if _VERSION_DIR.match(name) and (root / name).is_dir():
            log.error("E046", name, "a version directory the inventory does not list")
        else:
            log.error("E001", name, "not allowed in an object root")
    ext = root / "extensions"
    if ext.is_dir():
        for name in sorted(os.listdir(ext)):
            if not (ext / name).is_dir():
                log.error("E067", f"extensions/{name}", "a file in the extensions directory")
            elif name not in REGISTERED:
                log.warn("W013", f"extensions/{name}", "not a registered extension")


def _version_dir(root: Path, v: str, inv: Inventory, log: Log, digests: _Digests,
                 specs: list[tuple[str, str]]) -> set[str]:
    folder = root / v
    if not folder.is_dir():
        log.error("E010", v, "the version directory is missing")
        return set()
    for name in sorted(os.listdir(folder)):
        if name in ("inventory.json", f"inventory.json.{inv.algorithm}") or name.startswith("inventory.json."):
            continue
        if name == inv.content_dir:
            continue
        if (folder / name).is_dir():
            log.warn("W002", f"{v}/{name}", "a directory other than the content directory")
        else:
            log.error("E015", f"{v}/{name}", "a file in a version directory")
    files, empty = _files_under(folder / inv.content_dir) if (folder / inv.content_dir).is_dir() else ([], [])
    for e in empty:
        log.error("E024", e, "an empty directory in the content directory")
    if not (folder / "inventory.json").is_file():
        log.warn("W010", v, "no inventory in the version directory")
        return set(files)
    spec = inv.spec or "1.1"
    old = _read_inventory(folder, f"{v}/inventory.json", log, spec, False)
    if old is None:
        return set(files)
    specs.append((v, old.spec))
    if v == inv.head:
        if (folder / "inventory.json").read_bytes() != (root / "inventory.json").read_bytes():
            log.error("E064", f"{v}/inventory.json", "differs from the root inventory")
        return set(files)
    _compare(root, v, inv, old, log, digests)
    return set(files)


def _compare(root: Path, v: str, inv: Inventory, old: Inventory, log: Log, digests: _Digests) -> None:
    where = f"{v}/inventory.json"
    if old.data.get("id") != inv.data.get("id"):
        log.error("E037", where, "a different id")
    if old.head and old.head != v:
        log.error("E040", where, f"head {old.head!r} in version directory {v}")
    if old.content_dir != inv.content_dir:
        log.error("E019", where, "a different contentDirectory")
    if old.spec and inv.spec and old.spec > inv.spec:
        log.error("E103", where, f"OCFL {old.spec} in an earlier version than the root's {inv.spec}")
    for name in old.versions:
        if name not in inv.data.get("versions", {}):
            continue
        if _logical(old, name) != _logical(inv, name):
            log.error("E066", where, f"version {name} has another state than in the root inventory")
        elif old.algorithm == inv.algorithm:
            o = old.data["versions"][name]["state"]
            n = inv.data["versions"][name]["state"]
            if isinstance(o, dict) and isinstance(n, dict) and set(o) != set(n):
                log.error("E066", where, f"version {name} has other digests than in the root inventory")
        for key in ("created", "message", "user"):
            if old.data["versions"][name].get(key) != inv.data["versions"][name].get(key):
                log.warn("W011", where, f"version {name}: {key} differs from the root inventory")
    on_disk = set()
    for name in old.versions:
        if (root / name / old.content_dir).is_dir():
            on_disk |= set(_files_under(root / name / old.content_dir)[0])
    for p in sorted(on_disk - set(old.content)):
        log.error("E023", p, f"a content file not in the manifest of {where}")
    for path, digest in sorted(old.content.items()):
        found = digests.of(root / path, old.algorithm) if old.algorithm else None
        if found is not None and found.lower() != digest.lower():
            log.error("E092", path, f"its {old.algorithm} is not the one in {where}")


def _check_digests(root: Path, inv: Inventory, on_disk: set[str], digests: _Digests, log: Log) -> None:
    for path, digest in sorted(inv.content.items()):
        if path not in on_disk or not inv.algorithm:
            continue
        found = digests.of(root / path, inv.algorithm)
        if found is not None and found.lower() != digest.lower():
            log.error("E092", path, f"its {inv.algorithm} is not the one in the manifest")
    fixity = inv.data.get("fixity")
    for algorithm, block in fixity.items() if isinstance(fixity, dict) else []:
        for digest, paths in block.items() if isinstance(block, dict) else []:
            for path in paths if isinstance(paths, list) else []:
                if isinstance(path, str) and path in on_disk:
                    found = digests.of(root / path, algorithm)
                    if found is not None and found.lower() != digest.lower():
                        log.error("E093", path, f"its {algorithm} is not the one in the fixity block")


def validate_storage_root(path: Path | str, *, check_digests: bool = True) -> OcflReport:
    """Validate a storage root: its declaration (E069, E080), layout description (E070), that the hierarchy
    holds only objects (E072, E073, E084) and every object in it."""
    root = Path(path)
    report = OcflReport(root)
    if not (root / "0=ocfl_1.1").is_file() and not (root / "0=ocfl_1.0").is_file():
        report.errors.append(("E069", ".", "no storage root declaration 0=ocfl_1.1"))
        return report
    decl = next(n for n in ("0=ocfl_1.1", "0=ocfl_1.0") if (root / n).is_file())
    if (root / decl).read_bytes() != f"{decl[2:]}\n".encode():
        report.errors.append(("E080", decl, "the declaration's text is not its value and a newline"))
    layout = root / "ocfl_layout.json"
    if layout.is_file():
        try:
            data = json.loads(layout.read_bytes())
            ok = isinstance(data, dict) and {"extension", "description"} <= set(data)
        except ValueError:
            ok = False
        if not ok:
            report.errors.append(("E070", "ocfl_layout.json", "needs the keys extension and description"))
    for name in sorted(os.listdir(root)):
        if name == "extensions" or not (root / name).is_dir():
            continue
        _walk(root, root / name, report, check_digests)
    return report


def _walk(root: Path, folder: Path, report: OcflReport, check_digests: bool) -> None:
    names = sorted(os.listdir(folder))
    rel = folder.relative_to(root).as_posix()
    if any(n.startswith("0=ocfl_object_") for n in names):
        found = validate_object(folder, check_digests=check_digests)
        report.objects += 1
        report.errors += [(c, f"{rel}/{w}", m) for c, w, m in found.errors]
        report.warnings += [(c, f"{rel}/{w}", m) for c, w, m in found.warnings]
        return
    if not names:
        report.errors.append(("E073", rel, "an empty directory"))
    for n in names:
        if (folder / n).is_dir():
            _walk(root, folder / n, report, check_digests)
        else:
            report.errors.append(("E084", f"{rel}/{n}", "a file in an intermediate directory"))
