"""Validate a serialised bag (``.tar``, ``.tar.gz``, ``.zip``) without unpacking it to disk (RFC 8493 §4).

The archive must hold one top-level folder, the bag. Its members are listed into the same
:class:`~heritage_ld.bags.tree.BagTree` the folder validator uses; tag files are read into memory, payload
files are hashed as streams. Links and special members are reported like their folder counterparts, and
member names go through the same lexical checks, so ``../`` in an archive never reaches the file system.
"""

from __future__ import annotations

import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from heritage_ld.bags.fixity import ALGORITHMS, CHUNK_SIZE
from heritage_ld.bags.names import unsafe_reason
from heritage_ld.bags.report import ValidationReport
from heritage_ld.bags.tree import BagTree
from heritage_ld.bags.validator import BagCheck, run_checks
from heritage_ld.errors import UsageError
from heritage_ld.problems import Location, report

__all__ = ["validate_archive"]


class _ArchiveCheck(BagCheck):
    """A :class:`BagCheck` whose files are members of an archive."""

    def __init__(self, path: Path, tree: BagTree, opener: _Members) -> None:
        super().__init__(path, tree)
        self.members = opener
        self._tags: dict[str, bytes] = {}

    def tag_bytes(self, name: str) -> bytes:
        if name not in self._tags:
            with self.members.open(name) as f:
                self._tags[name] = f.read()
        return self._tags[name]

    def has_data_folder(self) -> bool:
        return self.members.has_data

    def start_hashing(self, jobs: int) -> None:
        """Nothing to start: an archive is read front to back once, when the manifests are known."""

    def digests(self, wanted: dict[str, list[str]], jobs: int) -> Iterator[tuple[str, dict[str, str] | str]]:
        for name in self.members.order(wanted):
            hashers = {a: ALGORITHMS[a][0]() for a in wanted[name]}
            with self.members.open(name) as f:
                while chunk := f.read(CHUNK_SIZE):
                    for h in hashers.values():
                        h.update(chunk)
            yield name, {a: h.hexdigest() for a, h in hashers.items()}


class _Members:
    """Members of a tar or zip archive under its one top-level folder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tar: tarfile.TarFile | None = None
        self.zip: zipfile.ZipFile | None = None
        self.names: dict[str, str] = {}
        self.has_data = False
        #: Paths the archive holds more than once (which copy counts depends on the tool that unpacks it).
        self.twice: list[str] = []
        try:
            if zipfile.is_zipfile(path):
                self.zip = zipfile.ZipFile(path)
            else:
                self.tar = tarfile.open(path, "r:*")  # noqa: SIM115 - closed by close()
        except (OSError, tarfile.TarError, zipfile.BadZipFile) as exc:
            raise UsageError(f"{path}: cannot be read as a .tar, .tar.gz or .zip archive: {exc}") from None

    def close(self) -> None:
        (self.zip or self.tar).close()  # type: ignore[union-attr]

    def tree(self) -> tuple[BagTree, list[str]]:
        tree = BagTree(self.path)
        tops: set[str] = set()
        unsafe: list[str] = []
        entries: list[tuple[str, str, int]] = []
        if self.zip is not None:
            for info in self.zip.infolist():
                entries.append((info.filename, "dir" if info.is_dir() else "file", info.file_size))
        else:
            assert self.tar is not None
            for member in self.tar.getmembers():
                kind = ("dir" if member.isdir() else "file" if member.isfile() else
                        "link" if member.issym() else "hard link" if member.islnk() else "special")
                entries.append((member.name, kind, member.size))
        for raw, kind, size in entries:
            name = raw.rstrip("/")
            if name.startswith("./"):
                name = name[2:]
            if not name:
                continue
            bad = unsafe_reason(name)
            if bad:
                unsafe.append(f"{name} ({bad})")
                continue
            top, _, rel = name.partition("/")
            tops.add(top)
            if not rel:
                continue
            if kind == "dir":
                self.has_data = self.has_data or rel == "data"
            elif rel in tree.files or rel in tree.links or rel in tree.specials:
                self.twice.append(rel)
            elif kind == "file":
                tree.files[rel] = size
                self.names[rel] = raw
                self.has_data = self.has_data or rel.startswith("data/")
            elif kind == "link":
                tree.links[rel] = None
            else:
                tree.specials[rel] = f"{kind} archive member"
        if len(tops) != 1:
            unsafe.append(f"{len(tops)} top-level entries where one folder is expected")
        return tree, unsafe

    def open(self, rel: str) -> IO[bytes]:
        if self.zip is not None:
            return self.zip.open(self.names[rel])
        assert self.tar is not None
        f = self.tar.extractfile(self.names[rel])
        if f is None:
            raise OSError(f"{rel}: not a regular member")
        return f

    def order(self, wanted: dict[str, list[str]]) -> list[str]:
        """Wanted members in archive order (a compressed tar is read front to back once)."""
        position = {rel: i for i, rel in enumerate(self.names)}
        return sorted(wanted, key=lambda rel: position.get(rel, 0))


def validate_archive(path: Path | str, *, fast: bool = False, completeness_only: bool = False) -> ValidationReport:
    """Validate a ``.tar``, ``.tar.gz`` or ``.zip`` bag in place.

    Raises:
        UsageError: the file cannot be read as an archive.
    """
    path = Path(path)
    members = _Members(path)
    mode = "fast" if fast else "completeness" if completeness_only else "full"
    try:
        tree, unsafe = members.tree()
        state = _ArchiveCheck(path, tree, members)
        problems = [report("B005", Location(path.name), path=u, reason="archive member") for u in unsafe]
        problems += [report("B008", Location(rel), file=rel, reason="the archive holds this path more than once; which copy "
                            "counts depends on the tool that unpacks it") for rel in sorted(set(members.twice))]
        if problems:
            return ValidationReport(path, mode, tuple(problems))
        return run_checks(state, mode, 1)
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, zlib.error, OSError) as exc:
        # A truncated or corrupt archive (read lazily: it can fail half-way through the members or a hash).
        return ValidationReport(path, mode, (report("B008", Location(path.name), file=path.name,
                                                    reason=f"the archive is damaged: {exc}"),))
    finally:
        members.close()

