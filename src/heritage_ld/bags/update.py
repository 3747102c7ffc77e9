"""Update a bag's metadata in place, leaving its payload alone (no copy, no re-hash).

An update merges: it changes the bag-info labels it is given (and removes those it is asked to remove),
replaces or adds the tag files it is given (and removes those it is asked to remove), and keeps everything
else byte for byte: other labels (repeated ones too), other tag files, ``Payload-Oxum`` and ``Bag-Size`` (the
payload does not change). Tag manifest entries change for exactly the files that changed, and a "metadata
modification" event in the PREMIS log says what changed. Every read and write goes through
:class:`~heritage_ld.bags.safe_write.BagFolder`: a link or special file on the way refuses the update (B014)
and nothing is written. When nothing would change, nothing is written, so a rebuild is byte-identical.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path

from heritage_ld.bags.crate_update import crate_changes
from heritage_ld.bags.events import Event, append_event, format_events
from heritage_ld.bags.existing import cannot_update, read_encoding, refused, updated_tag_manifests
from heritage_ld.bags.info import parse_info
from heritage_ld.bags.info_merge import InfoChange, merge_info
from heritage_ld.bags.manifest import parse_manifest
from heritage_ld.bags.premis_xml import PREMIS_FILE, append_premis_event
from heritage_ld.bags.report import BagReport
from heritage_ld.bags.rocrate import CRATE_FILE
from heritage_ld.bags.safe_write import BagFolder, RefusedPath
from heritage_ld.bags.tagfiles import bag_date, check_tag_name
from heritage_ld.bags.tree import read_tag_bytes
from heritage_ld.bags.validator import decode_tag_file
from heritage_ld.bags.writer import EVENTS_FILE, Sources, collect_sources
from heritage_ld.errors import UsageError

__all__ = ["payload_unchanged", "update_bag_metadata"]

_PAYLOAD_MANIFEST = re.compile(r"^manifest-([a-z0-9]+)\.txt$")
_OXUM = re.compile(r"^([0-9]{1,18})\.([0-9]{1,18})$")
#: Labels that describe the payload: an update, which leaves the payload alone, never sets them.
PAYLOAD_LABELS = ("payload-oxum", "bag-size")


def _payload_manifests(bag: Path) -> dict[str, dict[str, str]]:
    out = {}
    for entry in sorted(os.listdir(bag)):
        m = _PAYLOAD_MANIFEST.match(entry)
        if m:
            text = decode_tag_file(read_tag_bytes(bag / entry), "utf-8")
            out[m.group(1)] = parse_manifest(entry, text, version=(1, 0), payload=True).entries
    return out


def _payload_stats(bag: Path) -> dict[str, tuple[int, int]] | None:
    """Payload path -> (size, mtime) of every regular file under ``data/``, from one walk that follows no link;
    ``None`` when ``data`` or anything in it is a link or special file (such a payload is never "unchanged")."""
    out: dict[str, tuple[int, int]] = {}
    try:
        if not stat.S_ISDIR(os.lstat(bag / "data").st_mode):
            return None
        stack = [(str(bag / "data"), "data/")]
        while stack:
            folder, prefix = stack.pop()
            with os.scandir(folder) as entries:
                for entry in entries:
                    st = entry.stat(follow_symlinks=False)
                    if stat.S_ISDIR(st.st_mode):
                        stack.append((entry.path, f"{prefix}{entry.name}/"))
                    elif stat.S_ISREG(st.st_mode):
                        out[prefix + entry.name] = (st.st_size, st.st_mtime_ns)
                    else:
                        return None
    except OSError:
        return None
    return out


def payload_unchanged(bag: Path | str, sources: Sources) -> bool:
    """True when ``bag`` holds exactly the payload ``sources`` would give, judged cheaply: the same payload
    paths, and each copy with the size and modification time of its source (the writer keeps the mtime).
    A payload with a link or special file in it is never unchanged.

    >>> payload_unchanged("no/such/bag", [])
    False
    """
    bag = Path(bag)
    try:
        if not stat.S_ISREG(os.lstat(bag / "bagit.txt").st_mode):
            return False
        manifests = _payload_manifests(bag)
    except (OSError, UnicodeDecodeError):
        return False
    payload = collect_sources(sources)
    on_disk = _payload_stats(bag)
    if not manifests or on_disk is None:
        return False
    # The RO-Crate metadata file is payload the writer made, not a source: whether it changed is the caller's
    # question (the build compares its bytes).
    on_disk.pop(CRATE_FILE, None)
    if set(on_disk) != set(payload):
        return False
    if any(set(entries) - {CRATE_FILE} != set(payload) for entries in manifests.values()):
        return False
    for rel, src in payload.items():
        try:
            b = os.stat(src)
        except OSError:
            return False
        if on_disk[rel] != (b.st_size, b.st_mtime_ns):
            return False
    return True


def update_bag_metadata(
    bag: Path | str,
    *,
    info: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
    remove_info: Iterable[str] = (),
    tag_files: Mapping[str, bytes] | None = None,
    remove_tag_files: Iterable[str] = (),
    date: datetime | None = None,
    events: bool = True,
    within: Path | str | None = None,
    durable: bool = True,
    crate: bytes | None = None,
) -> BagReport:
    """Merge changes into the metadata of an existing bag; everything not named is kept byte for byte.

    Args:
        bag: the bag folder.
        info: bag-info.txt entries to set. A label given replaces every old line of that label (give it twice
            for two values); ``Payload-Oxum`` and ``Bag-Size`` describe the payload and cannot be set.
        remove_info: bag-info.txt labels to remove (every line of each).
        tag_files: tag files to add or replace, as bytes by bag path (``{"metadata/item.ttl": b"..."}``).
        remove_tag_files: tag files to remove.
        date: the date of the "metadata modification" event (default: ``SOURCE_DATE_EPOCH``, else now).
        events: append that event to the PREMIS log (:data:`~heritage_ld.bags.writer.EVENTS_FILE`).
        within: a folder the bag lies in whose sub-folders down to the bag must be real folders, not links
            (the build passes its output folder).
        durable: ``fsync`` each file written.
        crate: new bytes for the bag's RO-Crate metadata file (payload the writer made, see
            :mod:`heritage_ld.bags.crate_update`): its payload manifest entries and Payload-Oxum follow.

    Returns:
        A :class:`BagReport` whose ``tag_files`` lists the files written (empty when nothing changed).

    Raises:
        UsageError: ``bag`` is not a bag folder, or a name or label is not allowed.
        BagWriteRefused: a link or special file on the way (B014), or a tag file that cannot be changed
            safely (B015); nothing was written.
    """
    bag = Path(bag)
    pairs = [(k.strip(), v) for k, v in (info.items() if isinstance(info, Mapping) else (info or ()))]
    removed_labels = [k.strip() for k in remove_info]
    for label in [k for k, _ in pairs] + removed_labels:
        if label.lower() in PAYLOAD_LABELS:
            raise UsageError(f"{label}: computed from the payload, which an update leaves alone; it cannot be "
                             "set or removed")
    try:
        new_tags = {check_tag_name(k): v for k, v in (tag_files or {}).items()}
        gone = [check_tag_name(k) for k in remove_tag_files]
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    for log in (EVENTS_FILE, PREMIS_FILE):
        if log in new_tags or log in gone:
            raise UsageError(f"{log}: the event log is only appended to; it cannot be replaced or removed")
    if set(new_tags) & set(gone):
        raise UsageError(f"{sorted(set(new_tags) & set(gone))[0]}: both given and removed")
    try:
        folder = BagFolder.open(bag, within=within)
    except RefusedPath as exc:
        raise refused(bag, exc) from None
    except (FileNotFoundError, NotADirectoryError):
        raise UsageError(f"{bag}: not a bag folder") from None
    with folder:
        try:
            return _update(folder, pairs, removed_labels, new_tags, gone, bag_date(date), events, durable, crate)
        except RefusedPath as exc:
            raise refused(bag, exc) from None


def _update(folder: BagFolder, pairs: list[tuple[str, str]], removed_labels: list[str],
            new_tags: dict[str, bytes], gone: list[str], when: datetime, events: bool, durable: bool,
            crate: bytes | None = None) -> BagReport:
    bag = folder.root
    encoding = read_encoding(folder)
    if folder.kind("data") != "a folder":
        kind = folder.kind("data")
        if kind is None:
            raise UsageError(f"{bag}: not a bag folder (no data/)")
        raise refused(bag, RefusedPath("data", kind))
    algorithms = tuple(sorted(m.group(1) for n in folder.listdir() if (m := _PAYLOAD_MANIFEST.match(n))))
    old_info = folder.read_optional("bag-info.txt")
    try:
        old_text = decode_tag_file(old_info, encoding) if old_info is not None else ""
        new_text, info_changes = merge_info(old_text, pairs, removed_labels)
        new_info = new_text.encode(encoding)
    except ValueError as exc:  # a bad label, or bytes or text the declared encoding cannot carry
        if isinstance(exc, (UnicodeDecodeError, UnicodeEncodeError)):
            raise cannot_update(bag, "bag-info.txt", f"{encoding}: {exc}") from None
        raise UsageError(f"bag-info.txt: {exc}") from None
    changed: dict[str, bytes | None] = {}
    notes: list[str] = []
    try:
        replaced = crate_changes(folder, encoding, algorithms, crate, new_text) if crate is not None else None
    except (ValueError, UnicodeError) as exc:
        raise cannot_update(bag, CRATE_FILE, str(exc)) from None
    if replaced is not None:
        payload_side, new_text = replaced
        new_info = new_text.encode(encoding)
        changed.update(payload_side)
        notes.append(f"{CRATE_FILE} replaced")
        info_changes = [*info_changes, InfoChange("Payload-Oxum", "set")]
    if info_changes:
        changed["bag-info.txt"] = new_info
        notes.append("bag-info.txt: " + ", ".join(map(str, info_changes)))
    for name, data in sorted(new_tags.items()):
        old = folder.read_optional(name)
        if old != data:
            changed[name] = data
            notes.append(f"{name} {'replaced' if old is not None else 'added'}")
    for name in sorted(gone):
        kind = folder.kind(name)
        if kind is None:
            raise UsageError(f"{name}: not in the bag, so it cannot be removed")
        changed[name] = None
        notes.append(f"{name} removed")
    files, size = _payload_size(new_info if info_changes else old_info, encoding)
    if not changed:
        return BagReport(bag, files, size, algorithms, payload_written=False)
    if events:
        log = folder.read_optional(EVENTS_FILE)
        if log is None:
            log = format_events([], label=bag.name)
        event = Event("metadata modification", when, note="; ".join(notes))
        changed[EVENTS_FILE] = append_event(log, event)
        premis = folder.read_optional(PREMIS_FILE) if PREMIS_FILE not in changed else None
        if premis is not None:
            try:
                changed[PREMIS_FILE] = append_premis_event(premis, event)
            except ValueError as exc:
                raise cannot_update(bag, PREMIS_FILE, str(exc)) from None
    manifests = updated_tag_manifests(folder, encoding, {k: v for k, v in changed.items() if k != CRATE_FILE})
    # Every check before the first write: each target must be writable (no link, no special file on the way).
    for name in [*changed, *manifests]:
        folder.check_writable(name)
    for name, content in sorted(changed.items()):
        if content is None:
            folder.remove(name)
        else:
            folder.write(name, content, durable=durable)
    for name, data in sorted(manifests.items()):
        folder.write(name, data, durable=durable)
    written = tuple(sorted(n for n, d in changed.items() if d is not None)) + tuple(sorted(manifests))
    return BagReport(bag, files, size, algorithms, False, written)


def _payload_size(info: bytes | None, encoding: str) -> tuple[int, int]:
    """Payload files and bytes as ``Payload-Oxum`` says (0, 0 when it is missing or unreadable)."""
    if info is None:
        return 0, 0
    try:
        entries = parse_info(decode_tag_file(info, encoding))[0]
    except (UnicodeDecodeError, LookupError):
        return 0, 0
    oxum = next((v for k, v in entries if k.lower() == "payload-oxum"), "")
    m = _OXUM.match(oxum)
    return (int(m.group(2)), int(m.group(1))) if m else (0, 0)
