"""Update the metadata of a bag on object storage, leaving its payload where it is (no copy, no re-hash).

When an item's metadata changes but its files do not, the build must neither send the originals again nor lose
what the bag gathered since it was written (its PREMIS events, labels and tag files added by hand). The bag's
tag side (every file outside ``data/``, and the RO-Crate the writer made) is brought into a small local scratch
folder, :func:`~heritage_ld.bags.update_bag_metadata` merges the changes there (the very code a bag in a folder
is updated with), and the files it rewrote go back to the store by the rule of :mod:`heritage_ld.bags.remote`:
``bagit.txt`` removed first, the changed files put and read back, ``bagit.txt`` last.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path

from heritage_ld.bags.remote import DECLARATION, read_back
from heritage_ld.bags.rocrate import CRATE_FILE
from heritage_ld.bags.update import update_bag_metadata
from heritage_ld.storage import Store, StoreError

__all__ = ["update_store_bag"]


def update_store_bag(store: Store, *, info: Iterable[tuple[str, str]], remove_info: Iterable[str] = (),
                     tag_files: Mapping[str, bytes], date: datetime | None = None,
                     crate: bytes | None = None) -> tuple[str, ...]:
    """Merge ``info``, ``remove_info``, ``tag_files`` and ``crate`` into the complete bag at ``store`` (as
    :func:`~heritage_ld.bags.update_bag_metadata` does for a folder); returns the files rewritten (none when
    nothing changed: then nothing was written).

    Raises:
        UsageError, BagWriteRefused: as :func:`~heritage_ld.bags.update_bag_metadata` (nothing written).
        StoreError: the store could not be read or written, or a file read back differs (S002, S004):
            ``bagit.txt`` is then not written.
    """
    listing = store.listing()
    tag_side = sorted(rel for rel in listing if not rel.startswith("data/") or rel == CRATE_FILE)
    with tempfile.TemporaryDirectory(prefix="hld-bag-update-") as scratch:
        root = Path(scratch) / "bag"
        (root / "data").mkdir(parents=True)
        store.get_files([(rel, root / rel) for rel in tag_side])
        result = update_bag_metadata(root, info=list(info), remove_info=list(remove_info), tag_files=tag_files,
                                     date=date, crate=crate, durable=False)
        changed = {name: (root / name).read_bytes() for name in result.tag_files}
        if not changed:
            return ()
        store.remove([DECLARATION])  # from now until the end, nothing at this prefix looks like a bag
        for name, data in sorted(changed.items()):
            store.write_bytes(name, data)
        problems = read_back(store, {name: ("the tag manifests", [("sha256", hashlib.sha256(data).hexdigest())])
                                     for name, data in changed.items()}, jobs=4)
        if problems:
            raise StoreError(problems)
        store.write_bytes(DECLARATION, (root / DECLARATION).read_bytes())
    return tuple(sorted(changed))
