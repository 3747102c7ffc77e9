"""Validate a bag (RFC 8493 §3): structure, completeness and fixity, with every problem listed.

Three depths, as in bagit-python: ``fast`` checks the structure and ``Payload-Oxum`` only; ``completeness_only``
adds that every manifest entry exists and every payload file is listed in every payload manifest; the default
also re-computes every checksum. Validation only reads: it never writes, never follows ``fetch.txt``, never
opens a special file, and never resolves a manifest path on the file system (see :mod:`.tree`).
"""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from heritage_ld.bags.fixity import ALGORITHMS, hash_batch
from heritage_ld.bags.info import parse_declaration, parse_info
from heritage_ld.bags.manifest import Manifest, parse_fetch, parse_manifest
from heritage_ld.bags.pool import batches, map_batches, use_processes
from heritage_ld.bags.report import ValidationReport
from heritage_ld.bags.tree import BagTree, read_tag_bytes, scan_tree
from heritage_ld.errors import UsageError
from heritage_ld.problems import Location, Problem, report

__all__ = ["BagCheck", "decode_tag_file", "default_jobs", "run_checks", "validate_bag"]

_MANIFEST = re.compile(r"^(tag)?manifest-([A-Za-z0-9]+)\.txt$")
_OXUM = re.compile(r"^([0-9]+)\.([0-9]+)$")
ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".zip")


def default_jobs() -> int:
    """Hashing workers (threads or processes): the CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


def decode_tag_file(data: bytes, encoding: str) -> str:
    """Decode a tag file with the bag's declared encoding (a UTF-8 byte-order mark is tolerated).

    >>> decode_tag_file("Contact-Name: Đỗ".encode("utf-8"), "UTF-8")
    'Contact-Name: Đỗ'
    """
    if codecs.lookup(encoding).name == "utf-8":
        encoding = "utf-8-sig"
    return data.decode(encoding)


def _sort_key(p: Problem) -> tuple[str, int, str, str]:
    return (p.location.file, p.location.line or 0, p.code, repr(p.params))


class BagCheck:
    """The state of one validation: the tree, the problems found so far."""

    def __init__(self, root: Path, tree: BagTree) -> None:
        self.root = root
        self.tree = tree
        self.problems: list[Problem] = []
        self.encoding = "utf-8"
        self.version = (1, 0)

    def add(self, code: str, where: str, **params: object) -> None:
        self.problems.append(report(code, Location(where), **params))

    def tag_bytes(self, name: str) -> bytes:
        """The bytes of a (small) tag file listed in the tree."""
        return read_tag_bytes(self.root / name)

    def has_data_folder(self) -> bool:
        return (self.root / "data").is_dir()

    def digests(self, wanted: dict[str, list[str]], jobs: int) -> Iterator[tuple[str, dict[str, str] | str]]:
        """Hash each wanted file with its algorithms, largest first, in a bounded pool (see :mod:`.pool`)."""
        order = sorted(wanted, key=lambda p: (-self.tree.files[p], p))
        root = str(self.root)
        tasks = [[(p, str(self.tree.links.get(p) or os.path.join(root, p)), tuple(wanted[p])) for p in batch]
                 for batch in batches(order, self.tree.files)]
        processes = use_processes((self.tree.files[p] for p in order), jobs)
        for results in map_batches(hash_batch, tasks, max(1, jobs), processes=processes, name="bag-validate"):
            yield from results

    def read_text(self, name: str) -> str | None:
        try:
            return decode_tag_file(self.tag_bytes(name), self.encoding)
        except (OSError, UnicodeDecodeError, LookupError) as exc:
            self.add("B008", name, file=name, reason=f"cannot be read as {self.encoding}: {exc}")
            return None

    def declaration(self) -> bool:
        if "bagit.txt" not in self.tree.files:
            self.add("B008", "bagit.txt", file="bagit.txt", reason="missing: every bag has one (RFC 8493 §2.1.1)")
            return False
        decl = parse_declaration(self.tag_bytes("bagit.txt"))
        for reason in decl.errors:
            self.add("B008", "bagit.txt", file="bagit.txt", reason=reason)
        if decl.version is None or decl.encoding is None:
            return False
        self.version, self.encoding = decl.version, decl.encoding
        return True

    def structure(self) -> None:
        data = self.tree.links.get("data", False)
        if data is None:
            self.add("B010", "data", path="data")
        elif data is not False:
            self.add("B007", "data", path="data", kind="symbolic link")
        elif not any(p.startswith("data/") for p in self.tree.files) and not self.has_data_folder():
            self.add("B008", "data", file="data/", reason="the payload folder is missing")
        for path, target in sorted(self.tree.links.items()):
            if path == "data":
                continue
            if target is None:
                self.add("B010", path, path=path)
            elif path not in self.tree.files:
                self.add("B007", path, path=path, kind="symbolic link to a folder")
        for path, kind in sorted(self.tree.specials.items()):
            self.add("B007", path, path=path, kind=kind)

    def manifests(self) -> tuple[list[Manifest], list[Manifest]]:
        payload: list[Manifest] = []
        tags: list[Manifest] = []
        for name in sorted(p for p in self.tree.files if "/" not in p):
            m = _MANIFEST.match(name)
            if not m:
                continue
            if m.group(2).lower() not in ALGORITHMS:
                self.add("B009", name, file=name, reason=f"unknown algorithm {m.group(2)!r}: not verified")
                continue
            text = self.read_text(name)
            if text is None:
                continue
            parsed = parse_manifest(name, text, version=self.version, payload=not m.group(1))
            self.problems.extend(parsed.problems)
            (tags if m.group(1) else payload).append(parsed)
        if not payload:
            self.add("B008", "manifest-sha256.txt", file="manifest-ALGORITHM.txt",
                     reason="no payload manifest (RFC 8493 §2.1.3 requires one)")
        return payload, tags

    def oxum(self, *, required: bool) -> None:
        info: dict[str, str] = {}
        if "bag-info.txt" in self.tree.files:
            text = self.read_text("bag-info.txt")
            if text is not None:
                entries, errors = parse_info(text)
                for line, reason in errors:
                    self.problems.append(report("B004", Location("bag-info.txt", line), file="bag-info.txt",
                                                line=line, reason=reason))
                info = {k.lower(): v for k, v in entries}
        value = info.get("payload-oxum")
        if value is None:
            if required:
                self.add("B008", "bag-info.txt", file="bag-info.txt",
                         reason="no Payload-Oxum: --fast has nothing to check the payload against")
            return
        m = _OXUM.match(value)
        payload = self.tree.payload()
        found = f"{sum(payload.values())}.{len(payload)}"
        if not m:
            self.add("B004", "bag-info.txt", file="bag-info.txt", line=0, reason=f"Payload-Oxum {value!r}")
        elif f"{int(m.group(1))}.{int(m.group(2))}" != found:
            self.add("B006", "bag-info.txt", expected=value, found=found)

    def fetch(self) -> set[str]:
        if "fetch.txt" not in self.tree.files:
            return set()
        text = self.read_text("fetch.txt")
        if text is None:
            return set()
        entries, problems = parse_fetch(text)
        self.problems.extend(problems)
        return {e.path for e in entries}

    def completeness(self, payload: list[Manifest], tags: list[Manifest], fetched: set[str]) -> None:
        on_disk = self.tree.payload()
        unusable = set(self.tree.specials) | {p for p, t in self.tree.links.items() if t is None}
        pending: set[str] = set()
        for m in payload:
            for path in m.entries:
                if path in on_disk or path in unusable:
                    continue
                if path in fetched:
                    pending.add(path)
                else:
                    self.add("B002", m.name, path=path, manifest=m.name)
            for path in sorted(on_disk.keys() - m.entries.keys()):
                self.add("B003", m.name, path=path, manifest=m.name)
        for path in sorted(pending):
            self.add("B012", "fetch.txt", path=path)
        for m in tags:
            for path in m.entries:
                if path not in self.tree.files and path not in unusable:
                    self.add("B002", m.name, path=path, manifest=m.name)

    def fixity(self, manifests: Iterable[Manifest], jobs: int) -> tuple[int, int]:
        wanted: dict[str, list[tuple[Manifest, str]]] = {}
        for m in manifests:
            for path, checksum in m.entries.items():
                if path in self.tree.files:
                    wanted.setdefault(path, []).append((m, checksum))
        algorithms = {p: sorted({m.algorithm for m, _ in w}) for p, w in wanted.items()}
        total = 0
        for path, result in self.digests(algorithms, jobs):
            if isinstance(result, str):
                self.add("B008", path, file=path, reason=result)
                continue
            total += self.tree.files[path]
            for m, expected in wanted[path]:
                if result[m.algorithm] != expected:
                    self.add("B001", m.name, path=path, algorithm=m.algorithm, expected=expected,
                             found=result[m.algorithm])
        return len(wanted), total


def validate_bag(
    path: Path | str,
    *,
    fast: bool = False,
    completeness_only: bool = False,
    jobs: int | None = None,
    check: bool = False,
) -> ValidationReport:
    """Validate the bag at ``path`` (a folder, or a ``.tar``, ``.tar.gz`` or ``.zip`` serialisation).

    Args:
        path: the bag.
        fast: check only the structure and ``Payload-Oxum`` (no manifest completeness, no checksums).
        completeness_only: check structure and completeness, no checksums.
        jobs: hashing threads (default: the CPUs available).
        check: raise :class:`heritage_ld.bags.BagInvalid` when the bag is not valid.

    Returns:
        A :class:`ValidationReport` listing every problem (``report.valid`` is the verdict).

    Raises:
        UsageError: ``path`` does not exist or is neither a folder nor a serialised bag.
        BagInvalid: with ``check=True``, when the bag is invalid.

    >>> validate_bag("no/such/bag")
    Traceback (most recent call last):
    ...
    heritage_ld.errors.UsageError: no/such/bag: no such bag (folder or .tar/.tar.gz/.zip)
    """
    root = Path(path)
    mode = "fast" if fast else "completeness" if completeness_only else "full"
    if root.is_file() and root.name.lower().endswith(ARCHIVE_SUFFIXES):
        from heritage_ld.bags.serialized import validate_archive

        result = validate_archive(root, fast=fast, completeness_only=completeness_only)
        return result.ensure_valid() if check else result
    if not root.is_dir():
        raise UsageError(f"{root}: no such bag (folder or .tar/.tar.gz/.zip)")
    result = run_checks(BagCheck(root, scan_tree(root)), mode, jobs)
    return result.ensure_valid() if check else result


def run_checks(state: BagCheck, mode: str, jobs: int | None) -> ValidationReport:
    """Run the checks of ``mode`` (``fast``, ``completeness`` or ``full``) on a prepared bag."""
    fast, completeness_only = mode == "fast", mode == "completeness"
    files = 0
    size = 0
    if state.declaration():
        state.structure()
        payload, tags = state.manifests()
        state.oxum(required=fast)
        fetched = state.fetch()
        if not fast:
            state.completeness(payload, tags, fetched)
            if not completeness_only:
                files, size = state.fixity([*payload, *tags], jobs or default_jobs())
    return ValidationReport(state.root, mode, tuple(sorted(state.problems, key=_sort_key)), files, size)
