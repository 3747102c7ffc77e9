"""Replace a bag's RO-Crate metadata file in place: the one payload file the bag writer makes itself.

When an item's metadata changes but its files do not, the build must not copy the originals again, nor lose
what the bag has gathered since it was written (audit events, labels and tag files added by hand). The crate
(``data/ro-crate-metadata.json``) is payload, so replacing it changes its entry in each payload manifest and
the ``Payload-Oxum``; :func:`crate_changes` computes those new bytes for
:func:`~heritage_ld.bags.update.update_bag_metadata`, which writes them with the tag manifests through the
same safe path as any other change. ``Bag-Size`` (an approximate, human-readable size) is left as it was.
"""

from __future__ import annotations

import re

from heritage_ld.bags.fixity import hash_bytes
from heritage_ld.bags.info import parse_info
from heritage_ld.bags.info_merge import merge_info
from heritage_ld.bags.manifest import format_manifest, parse_manifest
from heritage_ld.bags.rocrate import CRATE_FILE
from heritage_ld.bags.safe_write import BagFolder
from heritage_ld.bags.validator import decode_tag_file

__all__ = ["crate_changes"]

_OXUM = re.compile(r"^([0-9]{1,18})\.([0-9]{1,18})$")


def crate_changes(folder: BagFolder, encoding: str, algorithms: tuple[str, ...], crate: bytes,
                  info_text: str) -> tuple[dict[str, bytes], str] | None:
    """The files to write (the crate and each payload manifest) and the new bag-info text, or ``None`` when
    the bag already holds ``crate``.

    Raises:
        ValueError: a payload manifest or the Payload-Oxum cannot be read (the caller refuses the update).
    """
    old = folder.read_optional(CRATE_FILE)
    if old == crate:
        return None
    changed: dict[str, bytes] = {CRATE_FILE: crate}
    digests = hash_bytes(crate, algorithms)
    for algorithm in algorithms:
        name = f"manifest-{algorithm}.txt"
        manifest = parse_manifest(name, decode_tag_file(folder.read(name), encoding), version=(1, 0), payload=True)
        if any(p.is_error for p in manifest.problems):
            raise ValueError(f"{name} has errors; validate the bag first")
        entries = dict(manifest.entries)
        entries[CRATE_FILE] = digests[algorithm]
        changed[name] = format_manifest(entries).decode("utf-8").encode(encoding)
    labels = parse_info(info_text)[0]
    oxum = next((v for k, v in labels if k.lower() == "payload-oxum"), None)
    if oxum is None:
        return changed, info_text
    m = _OXUM.match(oxum.strip())
    if m is None:
        raise ValueError(f"Payload-Oxum {oxum!r} is not OCTETS.COUNT")
    size = int(m.group(1)) - len(old or b"") + len(crate)
    count = int(m.group(2)) + (old is None)
    text, _ = merge_info(info_text, [("Payload-Oxum", f"{size}.{count}")])
    return changed, text
