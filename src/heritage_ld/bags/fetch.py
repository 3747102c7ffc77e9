"""Complete a holey bag from its ``fetch.txt`` (RFC 8493 §2.2.3) over HTTP(S).

Each missing file is streamed into a temporary file inside the bag, hashed while it arrives with every
algorithm its payload manifests use, and moved into place only when every checksum (and the declared length)
matches. Only ``http`` and ``https`` URLs are followed; targets must be under ``data/`` and may not pass
through a symbolic link; a file no payload manifest lists is refused (it could not be verified).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import requests

from heritage_ld.bags.fixity import ALGORITHMS, CHUNK_SIZE
from heritage_ld.bags.info import parse_declaration
from heritage_ld.bags.manifest import FetchEntry, parse_fetch, parse_manifest
from heritage_ld.bags.tree import read_tag_bytes
from heritage_ld.bags.validator import decode_tag_file
from heritage_ld.errors import UsageError
from heritage_ld.problems import Location, Problem, report

__all__ = ["FetchReport", "fetch_bag"]


@dataclass(slots=True)
class FetchReport:
    """Paths fetched, paths already present, and every problem."""

    bag: Path
    fetched: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)


def _safe_parent(bag: Path, rel: str) -> Path | None:
    """Create the folders of ``rel`` under ``bag``; ``None`` if an existing component is not a real folder."""
    folder = bag
    for part in rel.split("/")[:-1]:
        folder = folder / part
        try:
            mode = os.lstat(folder).st_mode
        except FileNotFoundError:
            folder.mkdir()
            continue
        if not stat.S_ISDIR(mode):
            return None
    return folder


def _download(session: requests.Session, entry: FetchEntry, tmp: Path, algorithms: list[str],
              timeout: float) -> tuple[int, dict[str, str]]:
    hashers = {a: ALGORITHMS[a][0]() for a in algorithms}
    size = 0
    with session.get(entry.url, stream=True, timeout=timeout, allow_redirects=True) as response:
        response.raise_for_status()
        if urlsplit(response.url).scheme not in ("http", "https"):
            raise OSError(f"redirected to a {urlsplit(response.url).scheme} URL")
        with open(tmp, "xb") as out:
            for chunk in response.iter_content(CHUNK_SIZE):
                size += len(chunk)
                if entry.length is not None and size > entry.length:
                    raise OSError(f"more than the {entry.length} bytes fetch.txt declares")
                for h in hashers.values():
                    h.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    return size, {a: h.hexdigest() for a, h in hashers.items()}


def fetch_bag(bag: Path | str, *, session: requests.Session | None = None, timeout: float = 60.0) -> FetchReport:
    """Fetch every file of ``fetch.txt`` that is not in the bag yet, verifying each before it is put in place.

    Raises:
        UsageError: ``bag`` is not a bag folder.
    """
    bag = Path(bag)
    if not bag.is_dir() or not (bag / "bagit.txt").is_file():
        raise UsageError(f"{bag}: not a bag folder")
    decl = parse_declaration(read_tag_bytes(bag / "bagit.txt"))
    encoding = decl.encoding or "utf-8"
    result = FetchReport(bag)
    if not (bag / "fetch.txt").is_file():
        return result
    entries, problems = parse_fetch(decode_tag_file(read_tag_bytes(bag / "fetch.txt"), encoding))
    result.problems.extend(problems)
    sums: dict[str, dict[str, str]] = {}
    for name in sorted(os.listdir(bag)):
        if name.startswith("manifest-") and name.endswith(".txt"):
            m = parse_manifest(name, decode_tag_file(read_tag_bytes(bag / name), encoding),
                               version=decl.version or (1, 0), payload=True)
            if m.algorithm in ALGORITHMS:
                for path, checksum in m.entries.items():
                    sums.setdefault(path, {})[m.algorithm] = checksum
    own = session is None
    http = session or requests.Session()
    try:
        for entry in entries:
            where = Location("fetch.txt")
            target = bag / entry.path
            if os.path.lexists(target):
                result.present.append(entry.path)
                continue
            scheme = urlsplit(entry.url).scheme.lower()
            expected = sums.get(entry.path)
            reason = (f"the {scheme or 'missing'} scheme is not allowed (only http and https)"
                      if scheme not in ("http", "https") else
                      "no payload manifest lists it, so it could not be verified" if not expected else None)
            folder = None if reason else _safe_parent(bag, entry.path)
            if reason is None and folder is None:
                reason = "a folder on its path is not a real folder"
            if reason is not None or folder is None or expected is None:
                result.problems.append(report("B013", where, path=entry.path, url=entry.url,
                                              reason=reason or "refused"))
                continue
            tmp = folder / f".{target.name}.fetch-{os.getpid()}"
            try:
                size, found = _download(http, entry, tmp, sorted(expected), timeout)
                if entry.length is not None and size != entry.length:
                    raise OSError(f"{size} bytes where fetch.txt declares {entry.length}")
                bad = [a for a in expected if found[a] != expected[a]]
                if bad:
                    raise OSError(f"{bad[0]} checksum {found[bad[0]]} does not match the manifest's "
                                  f"{expected[bad[0]]}")
                os.rename(tmp, target)
                result.fetched.append(entry.path)
            except (OSError, requests.RequestException) as exc:
                result.problems.append(report("B013", where, path=entry.path, url=entry.url, reason=str(exc)))
            finally:
                tmp.unlink(missing_ok=True)
    finally:
        if own:
            http.close()
    return result
