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
import stat
from collections.abc import Container, Iterable, Iterator, Mapping
from pathlib import Path

from heritage_ld.bags.comparison import Comparison
from heritage_ld.bags.fixity import ALGORITHMS, digest_batch
from heritage_ld.bags.info import KNOWN_VERSIONS, parse_declaration, parse_info
from heritage_ld.bags.manifest import Manifest, parse_fetch, parse_manifest
from heritage_ld.bags.pool import Results, map_spans, spans, use_processes, worth_processes
from heritage_ld.bags.progress import ProgressSink
from heritage_ld.bags.report import ValidationReport
from heritage_ld.bags.tree import UNKNOWN, BagTree, read_tag_bytes, scan_tree
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


def _shown(value: str, limit: int = 60) -> str:
    """``value`` for a message: an absurdly long one is cut, with its length.

    >>> _shown("1" * 5000)
    '111111111111111111111111111111…(5000 characters)'
    """
    return value if len(value) <= limit else f"{value[:limit // 2]}…({len(value)} characters)"


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
        self.progress: ProgressSink | None = None
        self._small: bool | None = None
        #: The algorithms :meth:`start_hashing` hashes payload files (True) and tag files (False) with.
        self._kinds: dict[bool, tuple[str, ...]] | None = None
        self._hashing: tuple[list[str], list[tuple[str, tuple[str, ...]]], list[tuple[int, int]],
                             Results[list[tuple[int, list[str]] | str]]] | None = None

    def add(self, code: str, where: str, **params: object) -> None:
        self.problems.append(report(code, Location(where), **params))

    def tag_bytes(self, name: str) -> bytes:
        """The bytes of a (small) tag file listed in the tree."""
        return read_tag_bytes(self.root / name)

    def has_data_folder(self) -> bool:
        return (self.root / "data").is_dir()

    def start_hashing(self, jobs: int) -> None:
        """Start hashing every file that a manifest of this bag can name, with the algorithms those manifests
        are named after, before any manifest is read: the workers hash while this process parses manifests
        and checks completeness (on 20,000 small files that is a fifth of the work, and it used to come first).
        """
        payload_algorithms: set[str] = set()
        tag_algorithms: set[str] = set()
        for _name, tag, algorithm in self.manifest_files():
            if algorithm.lower() in ALGORITHMS:
                (tag_algorithms if tag else payload_algorithms).add(algorithm.lower())
        by_kind = self._kinds = {True: tuple(sorted(payload_algorithms)), False: tuple(sorted(tag_algorithms))}
        files = self.tree.files
        if UNKNOWN in files.values() and not self._many_small(jobs):
            self.stat_unsized()
        self._start({p: by_kind[p.startswith("data/")] for p in files}, jobs)

    def _many_small(self, jobs: int) -> bool:
        """Whether the payload is many small files, judged by ``Payload-Oxum``'s byte count (no ``stat``):
        worker processes then hash it, in the listing's order. Without a usable ``Payload-Oxum`` the files
        are measured one by one (and hashed largest first)."""
        if self._small is not None:
            return self._small
        count = len(self.tree.payload())
        try:
            info, _errors = parse_info(decode_tag_file(self.tag_bytes("bag-info.txt"), self.encoding))
            oxum = _OXUM.match(next(v for k, v in info if k.lower() == "payload-oxum").strip())
            total = int(oxum.group(1)) if oxum and len(oxum.group(1)) <= 18 else None
        except (OSError, UnicodeDecodeError, LookupError, StopIteration):
            total = None
        self._small = total is not None and worth_processes(count, total, jobs)
        return self._small

    def stat_unsized(self, skip: Container[str] = ()) -> None:
        """Measure the files listed without a size (see :func:`.tree.scan_tree`) one by one, except ``skip``;
        one that is gone or no longer a regular file keeps the size :data:`.tree.UNKNOWN`."""
        sizes: dict[str, int] = {}
        root = str(self.root) + os.sep
        for path in self.tree.unsized():
            if path in skip:
                continue
            try:
                st = os.lstat(root + path)
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode):
                sizes[path] = st.st_size
        self.tree.set_sizes(sizes)

    def _start(self, wanted: Mapping[str, tuple[str, ...]], jobs: int) -> None:
        sizes, links = self.tree.files, self.tree.links
        order = [p for p, algorithms in wanted.items() if algorithms]
        if any(sizes[p] == UNKNOWN for p in order):
            # Many small files of unknown sizes, in the listing's order: runs of equal counts, about 24 a
            # worker (each run is one task to send and one result back; 64 files a run made 313 tasks of
            # 20,000 files, and sending them cost the validating process 0.02 s).
            processes = self._many_small(jobs)
            step = max(64, len(order) // (24 * max(1, jobs)))
            runs = [(start, min(start + step, len(order))) for start in range(0, len(order), step)]
        else:
            order.sort(key=lambda p: (-sizes[p], p))
            processes = use_processes((sizes[p] for p in order), jobs)
            runs = list(spans([sizes[p] for p in order]))
        root = str(self.root) + os.sep
        tasks = [(str(links[p]) if p in links else root + p, wanted[p]) for p in order]
        self._hashing = (order, tasks, runs,
                         map_spans(digest_batch, tasks, runs, max(1, jobs), processes=processes, name="bag-validate"))

    def stop_hashing(self) -> None:
        """Cancel hashing that was started and not collected (validation ended early: an error, Ctrl-C)."""
        if self._hashing is not None:
            self._hashing[3].close()
            self._hashing = None

    def hashed(self) -> Iterator[list[tuple[str, tuple[str, ...], list[str] | str]]]:
        """What the hashing begun by :meth:`start_hashing` finds, batch by batch as the workers finish them:
        ``(path, algorithms, hex digests in that order)``, or why the file could not be read instead of the
        digests. A subclass that hashes elsewhere overrides :meth:`found_digests` instead."""
        if self._hashing is None:
            found = self.found_digests()
            if found:
                yield [(p, tuple(r), list(r.values())) if isinstance(r, dict) else (p, (), r)
                       for p, r in found.items()]
            return
        order, tasks, runs, results = self._hashing
        self._hashing = None
        task = f"validate {self.root.name}"
        if self.progress is not None:
            self.progress.start(task, len(order))
        for (start, _stop), batch in zip(runs, results, strict=True):
            self.tree.set_sizes({order[i]: r[0] for i, r in enumerate(batch, start) if not isinstance(r, str)})
            yield [(order[i], tasks[i][1], r if isinstance(r, str) else r[1]) for i, r in enumerate(batch, start)]
            if self.progress is not None:
                self.progress.advance(task, len(batch))
        if self.progress is not None:
            self.progress.finish(task)

    def found_digests(self) -> dict[str, dict[str, str] | str]:
        """What the hashing begun by :meth:`start_hashing` found: path -> {algorithm: hex digest}, or why the
        file could not be read (empty when nothing was started)."""
        if self._hashing is None:
            return {}
        return {path: result if isinstance(result, str) else dict(zip(algorithms, result, strict=True))
                for batch in self.hashed() for path, algorithms, result in batch}

    def digests(self, wanted: dict[str, list[str]], jobs: int) -> Iterator[tuple[str, dict[str, str] | str]]:
        """Digests of the wanted files with the wanted algorithms (or why a file could not be read)."""
        self._start({p: tuple(a) for p, a in wanted.items()}, jobs)
        yield from self.found_digests().items()

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
        if decl.version not in KNOWN_VERSIONS:
            self.version = min(decl.version, KNOWN_VERSIONS[-1])
            self.add("B016", "bagit.txt", version="{}.{}".format(*decl.version),
                     known=", ".join("{}.{}".format(*v) for v in KNOWN_VERSIONS), used="{}.{}".format(*self.version))
        return True

    def structure(self) -> None:
        data = self.tree.links.get("data", False)
        if data is None:
            self.add("B010", "data", path="data")
        elif data is not False:
            self.add("B007", "data", path="data", kind="symbolic link")
        elif not self.tree.payload() and not self.has_data_folder():
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

    def manifest_files(self) -> Iterator[tuple[str, bool, str]]:
        """The bag's manifest files, sorted: (name, whether it is a tag manifest, algorithm as written)."""
        for name in sorted(p for p in self.tree.files if "/" not in p):
            m = _MANIFEST.match(name)
            if m:
                yield name, bool(m.group(1)), m.group(2)

    def manifests(self) -> tuple[list[Manifest], list[Manifest]]:
        payload: list[Manifest] = []
        tags: list[Manifest] = []
        for name, tag, algorithm in self.manifest_files():
            if algorithm.lower() not in ALGORITHMS:
                self.add("B009", name, file=name, reason=f"unknown algorithm {algorithm!r}: not verified")
                continue
            text = self.read_text(name)
            if text is None:
                continue
            parsed = parse_manifest(name, text, version=self.version, payload=not tag)
            self.problems.extend(parsed.problems)
            (tags if tag else payload).append(parsed)
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
        if UNKNOWN in payload.values():
            # A file that could not be read (reported as such, B008): its size is unknown, the count is not.
            found = f"?.{len(payload)}"
        if not m:
            self.add("B004", "bag-info.txt", file="bag-info.txt", line=0, reason=f"Payload-Oxum {_shown(value)}")
        elif found.startswith("?.") and f"?.{m.group(2).lstrip('0') or '0'}" != found:
            self.add("B006", "bag-info.txt", expected=_shown(value), found=found)
        elif not found.startswith("?.") and f"{m.group(1).lstrip('0') or '0'}.{m.group(2).lstrip('0') or '0'}" != found:
            # Compared as text: int() of a 5,000-digit Payload-Oxum raises (Python's integer string limit).
            self.add("B006", "bag-info.txt", expected=_shown(value), found=found)

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
        """Compare every manifest entry of a file in the bag with its digest; the files and bytes checked.

        Digests come from the hashing started before the manifests were read, compared batch by batch as the
        workers hand them back (the comparing overlaps the hashing still under way), and for what that did
        not cover (a payload file listed in a tag manifest, say) from a second round.
        """
        manifests = list(manifests)
        files = self.tree.files
        kinds = self._kinds or {True: (), False: ()}
        # Which file was hashed with which algorithms: known from start_hashing, else (a subclass hashing
        # its own way) noted file by file.
        comparison = Comparison(manifests, note_hashed=self._kinds is None)
        for batch in self.hashed():
            comparison.add(batch)
        failed, hashed = comparison.failed, comparison.hashed
        again: dict[str, set[str]] = {}
        for m in manifests:
            if hashed is None and m.name.startswith("manifest-") and m.algorithm in kinds[True]:
                # Every payload file was hashed with this payload manifest's algorithm (the parser keeps only
                # paths under data/ in a payload manifest): nothing for a second round.
                continue
            listed = m.entries.keys() & files.keys()
            if hashed is not None:
                covered: set[str] = set()
                for algorithms, paths in hashed.items():
                    if m.algorithm in algorithms:
                        covered.update(paths)
                todo = listed - covered
            else:
                todo = {p for p in listed if m.algorithm not in kinds[p.startswith("data/")]}
            for path in sorted(todo - failed.keys()):
                again.setdefault(path, set()).add(m.algorithm)
        if again:
            for path, result in self.digests({p: sorted(a) for p, a in again.items()}, jobs):
                comparison.add([(path, (), result) if isinstance(result, str)
                                else (path, tuple(result), list(result.values()))])
        self.problems.extend(comparison.problems)
        checked = set().union(*(m.entries.keys() for m in manifests)) & files.keys()
        # Sizes the hashing did not learn (files no manifest algorithm covers, a tag file with no tag manifest):
        # measured now, for Payload-Oxum; a file that could not be read keeps an unknown size.
        self.stat_unsized(skip=failed)
        for path in sorted(checked & failed.keys()):
            self.add("B008", path, file=path, reason=failed[path])
        ok = checked - failed.keys()
        return len(checked), sum(map(files.__getitem__, ok))


def validate_bag(
    path: Path | str,
    *,
    fast: bool = False,
    completeness_only: bool = False,
    jobs: int | None = None,
    check: bool = False,
    progress: ProgressSink | None = None,
) -> ValidationReport:
    """Validate the bag at ``path`` (a folder, or a ``.tar``, ``.tar.gz`` or ``.zip`` serialisation).

    Args:
        path: the bag.
        fast: check only the structure and ``Payload-Oxum`` (no manifest completeness, no checksums).
        completeness_only: check structure and completeness, no checksums.
        jobs: hashing threads (default: the CPUs available).
        check: raise :class:`heritage_ld.bags.BagInvalid` when the bag is not valid.
        progress: receives ``start``/``advance``/``finish`` as files are hashed (full validation of a
            folder; ``heritage_ld.pipeline.Progress`` fits).

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
    # A full validation opens every file anyway and learns its size there: the listing needs no stat.
    state = BagCheck(root, scan_tree(root, sizes=mode != "full"))
    state.progress = progress
    result = run_checks(state, mode, jobs)
    return result.ensure_valid() if check else result


def run_checks(state: BagCheck, mode: str, jobs: int | None) -> ValidationReport:
    """Run the checks of ``mode`` (``fast``, ``completeness`` or ``full``) on a prepared bag."""
    fast, completeness_only = mode == "fast", mode == "completeness"
    files = 0
    size = 0
    if state.declaration():
        if mode == "full":
            state.start_hashing(jobs or default_jobs())
        try:
            state.structure()
            payload, tags = state.manifests()
            if mode != "full":
                state.oxum(required=fast)
            fetched = state.fetch()
            if not fast:
                state.completeness(payload, tags, fetched)
                if not completeness_only:
                    files, size = state.fixity([*payload, *tags], jobs or default_jobs())
                    state.oxum(required=False)  # once the hashing has given every file's size
        finally:
            state.stop_hashing()
    return ValidationReport(state.root, mode, tuple(sorted(state.problems, key=_sort_key)), files, size)
