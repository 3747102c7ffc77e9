"""OCFL 1.1 (Oxford Common File Layout) storage: versioned preservation objects, as Fedora 6 stores them.

>>> import tempfile
>>> from pathlib import Path
>>> d = Path(tempfile.mkdtemp()); _ = (d / "a.txt").write_text("1972")
>>> root = init_storage_root(d / "ocfl")
>>> add_version(root, "HNM.1972.001", {"a.txt": d / "a.txt"}).head
'v1'
>>> add_version(root, "HNM.1972.001", {"a.txt": d / "a.txt"}).created
False
>>> validate_object(root / Layout().path("HNM.1972.001")).valid
True
"""

from __future__ import annotations

from heritage_ld.ocfl.layout import LAYOUT_NAME, Layout
from heritage_ld.ocfl.store import VersionResult, add_version, init_storage_root, read_inventory
from heritage_ld.ocfl.validate import OcflReport, validate_object, validate_storage_root

__all__ = ["LAYOUT_NAME", "Layout", "OcflReport", "VersionResult", "add_version", "init_storage_root",
           "read_inventory", "validate_object", "validate_storage_root"]
