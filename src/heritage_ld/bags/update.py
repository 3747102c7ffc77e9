"""Update a bag's metadata in place, leaving its payload alone (no copy, no re-hash).

Used by the build when only the catalogue's metadata changed: tag files and tag manifests are rewritten
(each atomically, tag manifests last), payload manifests and ``data/`` are not touched. When nothing would
change, nothing is written, so a rebuild is byte-identical and cheap.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path

from heritage_ld.bags.events import Event, append_event, format_events
from heritage_ld.bags.info import format_info, parse_info
from heritage_ld.bags.manifest import parse_manifest
from heritage_ld.bags.report import BagReport
from heritage_ld.bags.tagfiles import (
    bag_date,
    check_tag_name,
    info_entries,
    write_atomic,
    write_tag_manifests,
)
from heritage_ld.bags.tree import read_tag_bytes
from heritage_ld.bags.validator import decode_tag_file
from heritage_ld.bags.writer import EVENTS_FILE, Sources, collect_sources
from heritage_ld.errors import UsageError

__all__ = ["payload_unchanged", "update_bag_metadata"]

_PAYLOAD_MANIFEST = re.compile(r"^manifest-([a-z0-9]+)\.txt$")
_TAG_MANIFEST = re.compile(r"^tagmanifest-[a-z0-9]+\.txt$")


def _payload_manifests(bag: Path) -> dict[str, dict[str, str]]:
    out = {}
    for entry in sorted(os.listdir(bag)):
        m = _PAYLOAD_MANIFEST.match(entry)
        if m:
            text = decode_tag_file(read_tag_bytes(bag / entry), "utf-8")
            out[m.group(1)] = parse_manifest(entry, text, version=(1, 0), payload=True).entries
    return out


def payload_unchanged(bag: Path | str, sources: Sources) -> bool:
    """True when ``bag`` holds exactly the payload ``sources`` would give, judged cheaply: the same payload
    paths, and each copy with the size and modification time of its source (the writer keeps the mtime).

    >>> payload_unchanged("no/such/bag", [])
    False
    """
    bag = Path(bag)
    if not (bag / "bagit.txt").is_file():
        return False
    manifests = _payload_manifests(bag)
    payload = collect_sources(sources)
    if not manifests or any(set(entries) != set(payload) for entries in manifests.values()):
        return False
    for rel, src in payload.items():
        try:
            a, b = os.lstat(bag / rel), os.stat(src)
        except OSError:
            return False
        if (a.st_size, a.st_mtime_ns) != (b.st_size, b.st_mtime_ns):
            return False
    return True


def update_bag_metadata(
    bag: Path | str,
    *,
    info: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
    tag_files: Mapping[str, bytes] | None = None,
    date: datetime | None = None,
    events: bool = True,
) -> BagReport:
    """Rewrite the tag files of an existing bag: bag-info.txt from ``info`` (the computed entries are kept
    right; the original Bagging-Date is kept unless ``info`` gives one), the caller's ``tag_files`` (old ones
    not given are removed), a "metadata modification" event, and the tag manifests.

    Raises:
        UsageError: ``bag`` is not a bag folder.
    """
    bag = Path(bag)
    if not (bag / "bagit.txt").is_file() or not (bag / "data").is_dir():
        raise UsageError(f"{bag}: not a bag folder")
    manifests = _payload_manifests(bag)
    algorithms = tuple(sorted(manifests))
    paths = set().union(*manifests.values()) if manifests else set()
    total = sum(os.lstat(bag / p).st_size for p in paths)
    old_info = parse_info(decode_tag_file(read_tag_bytes(bag / "bag-info.txt"), "utf-8"))[0] \
        if (bag / "bag-info.txt").is_file() else []
    pairs = list(info.items()) if isinstance(info, Mapping) else list(info or ())
    if not any(k.lower() == "bagging-date" for k, _ in pairs):
        pairs += [(k, v) for k, v in old_info if k.lower() == "bagging-date"]
    when = bag_date(date)
    new: dict[str, bytes] = {"bag-info.txt": format_info(info_entries(pairs, payload_bytes=total,
                                                                      payload_files=len(paths), date=when))}
    new.update({check_tag_name(k): v for k, v in (tag_files or {}).items()})
    old_tags = _listed_tag_files(bag)
    stale = [n for n in old_tags if n not in new and n != EVENTS_FILE and n != "bagit.txt"
             and not n.startswith("manifest-")]
    changed = [n for n, data in new.items() if not _same(bag / n, data)]
    if not changed and not stale:
        return BagReport(bag, len(paths), total, algorithms, payload_written=False)
    if events:
        event = Event("metadata modification", when, note=", ".join(sorted(changed + stale)))
        log_path = bag / EVENTS_FILE
        log = read_tag_bytes(log_path) if log_path.is_file() else format_events([], label=bag.name)
        new[EVENTS_FILE] = append_event(log, event)
    for name in stale:
        (bag / name).unlink(missing_ok=True)
    for name, data in sorted(new.items()):
        write_atomic(bag / name, data)
    every = {n: read_tag_bytes(bag / n) for n in _tag_file_names(bag)}
    written = write_tag_manifests(bag, every, algorithms)
    return BagReport(bag, len(paths), total, algorithms, False, (*sorted(every), *written))


def _same(path: Path, data: bytes) -> bool:
    try:
        return read_tag_bytes(path) == data
    except OSError:
        return False


def _listed_tag_files(bag: Path) -> list[str]:
    names: set[str] = set()
    for entry in os.listdir(bag):
        if _TAG_MANIFEST.match(entry):
            text = decode_tag_file(read_tag_bytes(bag / entry), "utf-8")
            names |= set(parse_manifest(entry, text, version=(1, 0), payload=False).entries)
    return sorted(names)


def _tag_file_names(bag: Path) -> list[str]:
    """Every regular file outside ``data/`` except tag manifests and temporary files."""
    names = []
    for folder, dirs, files in os.walk(bag):
        rel = os.path.relpath(folder, bag)
        if rel == "data" or rel.startswith("data" + os.sep):
            dirs[:] = []
            continue
        dirs[:] = [d for d in dirs if not (rel == "." and d == "data")]
        for f in files:
            name = f if rel == "." else f"{rel.replace(os.sep, '/')}/{f}"
            if _TAG_MANIFEST.match(name) or f.startswith("."):
                continue
            names.append(name)
    return sorted(names)
