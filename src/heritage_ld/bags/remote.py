"""Bags on object storage: publish a bag so that it is visible only when complete, and validate it there.

**The rule** (object stores have no folder rename): a bag's ``bagit.txt`` is written last, and only after every
file the bag's manifests list has been read back from the store and matched its checksums. A bag without
``bagit.txt`` is not a bag (RFC 8493 §2.1.1: the declaration is required), so any BagIt tool refuses it; a bag
being replaced first loses its ``bagit.txt``, so a reader never sees old and new files mixed under a declaration.
An upload killed at any point leaves either the previous complete bag or a prefix with no ``bagit.txt``; the
next publish finishes it. ``bagit.txt`` itself is one small ``PUT``, which S3 makes visible whole or not at all.

Validation on the store reuses the checks of :mod:`heritage_ld.bags.validator` on a listing of the prefix,
hashing each file by streaming it from the store (never downloading a bag whole).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from heritage_ld.bags.fixity import ALGORITHMS
from heritage_ld.bags.info import parse_declaration
from heritage_ld.bags.manifest import parse_manifest
from heritage_ld.bags.report import ValidationReport
from heritage_ld.bags.tree import BagTree
from heritage_ld.bags.validator import BagCheck, decode_tag_file, default_jobs, run_checks
from heritage_ld.problems import Location, Problem, report
from heritage_ld.storage import Store, StoreError
from heritage_ld.storage.sync import local_files

__all__ = ["DECLARATION", "publish_bag", "read_back", "validate_store_bag"]

#: The file written last: its presence on the store is what makes a bag.
DECLARATION = "bagit.txt"

_MANIFEST = re.compile(r"^(tag)?manifest-([A-Za-z0-9]+)\.txt$")


def _expected(local: Path) -> dict[str, dict[str, str]]:
    """path -> {algorithm: checksum} from every manifest of the local bag."""
    decl = parse_declaration((local / DECLARATION).read_bytes())
    version, encoding = decl.version or (1, 0), decl.encoding or "UTF-8"
    wanted: dict[str, dict[str, str]] = {}
    for path in sorted(local.iterdir()):
        m = _MANIFEST.match(path.name)
        if not m or m.group(2).lower() not in ALGORITHMS:
            continue
        parsed = parse_manifest(path.name, decode_tag_file(path.read_bytes(), encoding), version=version,
                                payload=not m.group(1))
        for rel, checksum in parsed.entries.items():
            wanted.setdefault(rel, {})[parsed.algorithm] = checksum
            wanted[rel].setdefault("", path.name)  # the first manifest that lists it (for the message)
    for rel, _ in local_files(local):  # the tag manifests themselves (and anything unlisted): their own digest
        if rel not in wanted:
            wanted[rel] = {"": "the local bag", "sha256": _local_digests(local / rel, ["sha256"])[0]}
    return wanted


def publish_bag(local: Path, store: Store, *, changed: Iterable[str] | None = None, jobs: int = 8) -> int:
    """Copy the complete bag folder ``local`` to ``store`` (the bag's own prefix), by the rule above.

    Args:
        local: a complete bag on the local disk.
        store: where the bag goes (``s3://bucket/out/bags/ITEM``).
        changed: the bag's files (relative paths) that differ from what the store holds (default: all);
            files the store lacks are sent anyway.
        jobs: files read back from the store at once.

    Returns:
        How many files were uploaded.

    Raises:
        StoreError: the store could not be written or read (S002), or a file read back does not match the
            manifests (S004, S005): ``bagit.txt`` was then not written, so nothing looks like a bag.
    """
    files = {rel: st.st_size for rel, st in local_files(local)}
    remote = store.listing()
    if DECLARATION in remote:
        store.remove([DECLARATION])  # from now until the end, no bag is visible at this prefix
    send = set(files) if changed is None else set(changed) & set(files)
    send |= {rel for rel, size in files.items() if rel not in remote or int(remote[rel].get("size") or -1) != size}
    send.discard(DECLARATION)
    store.put_files([(local / rel, rel) for rel in sorted(send)])
    stale = sorted(rel for rel in remote if rel not in files and rel != DECLARATION)
    store.remove(stale)
    wanted = _expected(local)
    problems = _verify(local, store, wanted, jobs)
    if problems:  # sent again once (a file the caller thought unchanged, a transfer gone wrong), then checked
        again = sorted({str(p.get("path")) for p in problems} - {DECLARATION})
        store.put_files([(local / rel, rel) for rel in again])
        send.update(again)
        problems = _verify(local, store, {rel: wanted[rel] for rel in again}, jobs)
    if problems:
        raise StoreError(problems)
    store.write_bytes(DECLARATION, (local / DECLARATION).read_bytes())
    return len(send) + 1


def read_back(store: Store, expected: Mapping[str, tuple[str, Sequence[tuple[str, str]]]], jobs: int) -> list[Problem]:
    """Read back every file of ``expected`` (path -> (the manifest that lists it, ((algorithm, checksum), …)))
    from the store, hashing it with those algorithms in one streamed read: the problems (S005 missing, S004 a
    checksum that differs), in path order. What every writer of a bag on a store checks before ``bagit.txt``."""
    present = store.listing()

    def check(item: tuple[str, tuple[str, Sequence[tuple[str, str]]]]) -> list[Problem]:
        rel, (manifest, sums) = item
        if rel not in present:
            return [report("S005", Location(store.url_of(rel)), url=store.url, path=rel, manifest=manifest)]
        found = store.digests(rel, [a for a, _ in sums], size=int(present[rel].get("size") or 0))
        return [report("S004", Location(store.url_of(rel)), url=store.url, path=rel, manifest=manifest,
                       algorithm=a, expected=want, found=f)
                for (a, want), f in zip(sums, found, strict=True) if f != want]

    with ThreadPoolExecutor(max(1, jobs), thread_name_prefix="bag-verify") as pool:
        return [p for found in pool.map(check, sorted(expected.items())) for p in found]


def _verify(local: Path, store: Store, wanted: Mapping[str, dict[str, str]], jobs: int) -> list[Problem]:
    """Read back every file the manifests list from the store; the problems (S004 mismatch, S005 missing).
    ``bagit.txt`` is not on the store yet by design: it is checked against the bytes that will be written."""
    expected = {rel: (sums[""], [(a, sums[a]) for a in sorted(a for a in sums if a)])
                for rel, sums in wanted.items()}
    declaration = expected.pop(DECLARATION, None)
    problems = read_back(store, expected, jobs)
    if declaration is not None:
        manifest, sums = declaration
        found = _local_digests(local / DECLARATION, [a for a, _ in sums])
        problems += [report("S004", Location(store.url_of(DECLARATION)), url=store.url, path=DECLARATION,
                            manifest=manifest, algorithm=a, expected=want, found=f)
                     for (a, want), f in zip(sums, found, strict=True) if f != want]
        problems.sort(key=lambda p: str(p.get("path")))  # (stable: each file's algorithms stay in order)
    return problems


def _local_digests(path: Path, algorithms: list[str]) -> list[str]:
    import hashlib

    data = path.read_bytes()
    return [hashlib.new(a, data).hexdigest() for a in algorithms]


class _StoreBagCheck(BagCheck):
    """The validator's checks, reading a bag on object storage."""

    def __init__(self, store: Store, tree: BagTree) -> None:
        super().__init__(Path(store.root), tree)
        self.store = store
        self._found: dict[str, dict[str, str] | str] = {}

    def tag_bytes(self, name: str) -> bytes:
        try:
            return self.store.read_bytes(name)
        except StoreError as exc:
            raise OSError(str(exc)) from None

    def has_data_folder(self) -> bool:
        return True  # object stores have no empty folders: a bag with no payload files has no data/ object

    def _start(self, wanted: Mapping[str, tuple[str, ...]], jobs: int) -> None:
        todo = sorted((p, a) for p, a in wanted.items() if a)

        sizes = self.tree.files

        def one(task: tuple[str, tuple[str, ...]]) -> dict[str, str] | str:
            try:
                digests = self.store.digests(task[0], task[1], size=sizes.get(task[0]))
                return dict(zip(task[1], digests, strict=True))
            except StoreError as exc:
                return str(exc)

        with ThreadPoolExecutor(max(1, jobs), thread_name_prefix="bag-validate") as pool:
            self._found = dict(zip((p for p, _ in todo), pool.map(one, todo), strict=True))

    def stop_hashing(self) -> None:
        pass

    def found_digests(self) -> dict[str, dict[str, str] | str]:
        found, self._found = self._found, {}
        return found


def validate_store_bag(store: Store, *, fast: bool = False, completeness_only: bool = False,
                       jobs: int | None = None) -> ValidationReport:
    """Validate the bag at ``store`` where it is (same checks and codes as
    :func:`heritage_ld.bags.validate_bag`; every file is hashed by streaming it from the store).

    Raises:
        StoreError: the store cannot be listed (S001, S002), or nothing is there (S003).
    """
    listing = store.listing()
    if not listing:
        raise StoreError([report("S003", Location(store.url), url=store.url, doing="validating a bag")])
    tree = BagTree(Path(store.root), files={rel: int(info.get("size") or 0) for rel, info in listing.items()})
    mode = "fast" if fast else "completeness" if completeness_only else "full"
    state = _StoreBagCheck(store, tree)
    result = run_checks(state, mode, jobs or max(8, default_jobs()))
    return ValidationReport(Path(store.url), result.mode, result.problems, result.files, result.bytes)
