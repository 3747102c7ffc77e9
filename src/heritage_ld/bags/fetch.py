"""Complete a holey bag from its ``fetch.txt`` (RFC 8493 §2.2.3) over HTTP(S).

Each missing file is streamed into a temporary file inside the bag, hashed while it arrives with every
algorithm its payload manifests use, and moved into place only when every checksum (and the declared length)
matches. Only ``http`` and ``https`` URLs are followed; targets must be under ``data/`` and are reached
through :class:`~heritage_ld.bags.safe_write.BagFolder`, never through a symbolic link (B014); a file no
payload manifest lists is refused (it could not be verified).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

import requests

from heritage_ld.bags.existing import refused, refused_problem
from heritage_ld.bags.fixity import ALGORITHMS, CHUNK_SIZE
from heritage_ld.bags.info import parse_declaration
from heritage_ld.bags.manifest import FetchEntry, parse_fetch, parse_manifest
from heritage_ld.bags.safe_write import BagFolder, RefusedPath
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


def _download(session: requests.Session, entry: FetchEntry, out: BinaryIO, algorithms: list[str],
              timeout: float) -> tuple[int, dict[str, str]]:
    hashers = {a: ALGORITHMS[a][0]() for a in algorithms}
    size = 0
    with session.get(entry.url, stream=True, timeout=timeout, allow_redirects=True) as response:
        response.raise_for_status()
        if urlsplit(response.url).scheme not in ("http", "https"):
            raise OSError(f"redirected to a {urlsplit(response.url).scheme} URL")
        for chunk in response.iter_content(CHUNK_SIZE):
            size += len(chunk)
            if entry.length is not None and size > entry.length:
                raise OSError(f"more than the {entry.length} bytes fetch.txt declares")
            for h in hashers.values():
                h.update(chunk)
            out.write(chunk)
    return size, {a: h.hexdigest() for a, h in hashers.items()}


def fetch_bag(bag: Path | str, *, session: requests.Session | None = None, timeout: float = 60.0) -> FetchReport:
    """Fetch every file of ``fetch.txt`` that is not in the bag yet, verifying each before it is put in place.

    Every file is read and written through :class:`~heritage_ld.bags.safe_write.BagFolder`: a link or special
    file on the way to a target (``data/`` a link, say) is reported (B014) and that file is not fetched.

    Raises:
        UsageError: ``bag`` is not a bag folder.
        BagWriteRefused: ``bagit.txt``, ``fetch.txt`` or a payload manifest is a link or special file (B014).
    """
    bag = Path(bag)
    try:
        folder = BagFolder.open(bag)
    except (FileNotFoundError, NotADirectoryError):
        raise UsageError(f"{bag}: not a bag folder") from None
    with folder:
        try:
            return _fetch(folder, session, timeout)
        except RefusedPath as exc:
            raise refused(bag, exc) from None


def _fetch(folder: BagFolder, session: requests.Session | None, timeout: float) -> FetchReport:
    bag = folder.root
    declaration = folder.read_optional("bagit.txt")
    if declaration is None:
        raise UsageError(f"{bag}: not a bag folder")
    decl = parse_declaration(declaration)
    encoding = decl.encoding or "utf-8"
    result = FetchReport(bag)
    fetch_txt = folder.read_optional("fetch.txt")
    if fetch_txt is None:
        return result
    try:
        entries, problems = parse_fetch(decode_tag_file(fetch_txt, encoding))
    except (UnicodeDecodeError, LookupError) as exc:
        result.problems.append(report("B008", Location("fetch.txt"), file="fetch.txt",
                                      reason=f"cannot be read as {encoding}: {exc}"))
        return result
    result.problems.extend(problems)
    sums: dict[str, dict[str, str]] = {}
    for name in folder.listdir():
        if name.startswith("manifest-") and name.endswith(".txt"):
            try:
                text = decode_tag_file(folder.read(name), encoding)
            except (UnicodeDecodeError, LookupError) as exc:
                result.problems.append(report("B008", Location(name), file=name,
                                              reason=f"cannot be read as {encoding}: {exc}"))
                continue
            m = parse_manifest(name, text, version=decl.version or (1, 0), payload=True)
            if m.algorithm in ALGORITHMS:
                for path, checksum in m.entries.items():
                    sums.setdefault(path, {})[m.algorithm] = checksum
    own = session is None
    http = session or requests.Session()
    try:
        for entry in entries:
            _fetch_one(folder, http, entry, sums.get(entry.path), timeout, result)
    finally:
        if own:
            http.close()
    return result


def _fetch_one(folder: BagFolder, http: requests.Session, entry: FetchEntry, expected: dict[str, str] | None,
               timeout: float, result: FetchReport) -> None:
    where = Location("fetch.txt")
    try:
        present = folder.kind(entry.path) is not None
    except RefusedPath as exc:
        result.problems.append(refused_problem(exc))
        return
    if present:
        result.present.append(entry.path)
        return
    scheme = urlsplit(entry.url).scheme.lower()
    reason = (f"the {scheme or 'missing'} scheme is not allowed (only http and https)"
              if scheme not in ("http", "https") else
              "no payload manifest lists it, so it could not be verified" if not expected else None)
    if reason is not None or expected is None:
        result.problems.append(report("B013", where, path=entry.path, url=entry.url, reason=reason or "refused"))
        return
    try:
        with folder.create(entry.path) as new:
            size, found = _download(http, entry, new.file, sorted(expected), timeout)
            if entry.length is not None and size != entry.length:
                raise OSError(f"{size} bytes where fetch.txt declares {entry.length}")
            bad = [a for a in expected if found[a] != expected[a]]
            if bad:
                raise OSError(f"{bad[0]} checksum {found[bad[0]]} does not match the manifest's {expected[bad[0]]}")
            new.commit()
        result.fetched.append(entry.path)
    except RefusedPath as exc:
        result.problems.append(refused_problem(exc))
    except (OSError, requests.RequestException) as exc:
        result.problems.append(report("B013", where, path=entry.path, url=entry.url, reason=str(exc)))
