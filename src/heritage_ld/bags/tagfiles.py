"""The tag side of a bag: bag-info defaults, reserved names, and writing tag files and tag manifests.

Shared by the writer (a new bag), the metadata update and the audit (an existing bag): only files outside
``data/`` are written here, each atomically (a temporary name, then ``os.replace``), tag manifests last.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path

from heritage_ld._project import software_agent
from heritage_ld.atomic import write_atomic
from heritage_ld.bags.fixity import hash_bytes
from heritage_ld.bags.manifest import format_manifest
from heritage_ld.bags.names import unsafe_reason

__all__ = [
    "SOFTWARE_AGENT",
    "bag_date",
    "check_tag_name",
    "format_size",
    "format_tag_manifests",
    "info_entries",
    "write_atomic",
    "write_tag_manifests",
]

SOFTWARE_AGENT = software_agent()
_RESERVED = re.compile(r"^(bagit\.txt|bag-info\.txt|fetch\.txt|(tag)?manifest-[A-Za-z0-9]+\.txt)$")
#: Labels the writer computes; a caller's value for them is replaced.
COMPUTED = ("Payload-Oxum", "Bag-Size", "Bag-Software-Agent")


def bag_date(date: datetime | None = None) -> datetime:
    """The date a bag records: ``date`` if given, else ``SOURCE_DATE_EPOCH`` (reproducible builds), else now.

    >>> bag_date(datetime(1972, 12, 30, tzinfo=timezone.utc)).year
    1972
    """
    if date is not None:
        return date if date.tzinfo else date.replace(tzinfo=timezone.utc)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    return datetime.now(timezone.utc)


def format_size(size: int) -> str:
    """A human size for ``Bag-Size`` (RFC 8493 §2.2.2).

    >>> format_size(1_700_000_000), format_size(512)
    ('1.7 GB', '512 bytes')
    """
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


def info_entries(info: Mapping[str, str] | Iterable[tuple[str, str]] | None, *, payload_bytes: int,
                 payload_files: int, date: datetime) -> list[tuple[str, str]]:
    """The bag-info entries: the caller's, plus the computed ones (Payload-Oxum, Bag-Size, the software
    agent) and a Bagging-Date unless the caller gave one."""
    pairs = list(info.items()) if isinstance(info, Mapping) else list(info or ())
    computed = {c.lower() for c in COMPUTED}
    entries = [(k, v) for k, v in pairs if k.lower() not in computed]
    if not any(k.lower() == "bagging-date" for k, _ in entries):
        entries.append(("Bagging-Date", date.strftime("%Y-%m-%d")))
    entries += [
        ("Payload-Oxum", f"{payload_bytes}.{payload_files}"),
        ("Bag-Size", format_size(payload_bytes)),
        ("Bag-Software-Agent", SOFTWARE_AGENT),
    ]
    return entries


def check_tag_name(name: str) -> str:
    """``name`` if it may be a caller's tag file, else ``ValueError`` (reserved, payload, or unsafe).

    >>> check_tag_name("metadata/item.ttl")
    'metadata/item.ttl'
    """
    bad = unsafe_reason(name)
    if bad or name.startswith("data/") or name == "data" or _RESERVED.match(name) or name.endswith("/"):
        raise ValueError(f"{name!r} cannot be a tag file ({bad or 'a reserved or payload name'})")
    return name


def format_tag_manifests(tag_bytes: Mapping[str, bytes], algorithms: Iterable[str]) -> dict[str, bytes]:
    """``tagmanifest-ALG.txt`` name -> bytes for the tag files given as bytes (every tag file but the tag
    manifests), in the order of ``algorithms``.

    >>> list(format_tag_manifests({"bagit.txt": b"x"}, ["sha256"]))
    ['tagmanifest-sha256.txt']
    """
    out: dict[str, bytes] = {}
    for algorithm in algorithms:
        sums = {name: hash_bytes(data, [algorithm])[algorithm] for name, data in tag_bytes.items()}
        out[f"tagmanifest-{algorithm}.txt"] = format_manifest(sums)
    return out


def write_tag_manifests(root: Path, tag_bytes: Mapping[str, bytes], algorithms: Iterable[str], *,
                        durable: bool = True) -> tuple[str, ...]:
    """Write ``tagmanifest-ALG.txt`` for the tag files given as bytes (every tag file but the tag manifests).

    Returns the tag manifest names written.
    """
    manifests = format_tag_manifests(tag_bytes, algorithms)
    for name, data in manifests.items():
        write_atomic(root / name, data, durable=durable)
    return tuple(manifests)
