"""BagIt (RFC 8493) preservation packages: write, validate, update, audit and complete bags.

The bag layer works on files and bytes only: it knows nothing of RDF or IIIF; the pipeline hands it the
item's metadata as tag files.

>>> import tempfile
>>> from pathlib import Path
>>> d = Path(tempfile.mkdtemp()); _ = (d / "photo.tif").write_bytes(b"II*")
>>> write_bag([d / "photo.tif"], d / "bag", info={"External-Identifier": "HN1972.001"}).files
1
>>> validate_bag(d / "bag").valid
True
"""

from __future__ import annotations

from heritage_ld.bags.audit import AuditReport, audit_bag
from heritage_ld.bags.fetch import FetchReport, fetch_bag
from heritage_ld.bags.fixity import ALGORITHMS
from heritage_ld.bags.info import STANDARD_HEADERS
from heritage_ld.bags.report import BagInvalid, BagReport, BagWriteError, ValidationReport
from heritage_ld.bags.update import payload_unchanged, update_bag_metadata
from heritage_ld.bags.validator import validate_bag
from heritage_ld.bags.writer import EVENTS_FILE, collect_sources, write_bag

__all__ = [
    "ALGORITHMS",
    "EVENTS_FILE",
    "STANDARD_HEADERS",
    "AuditReport",
    "BagInvalid",
    "BagReport",
    "BagWriteError",
    "FetchReport",
    "ValidationReport",
    "audit_bag",
    "collect_sources",
    "ensure_valid",
    "fetch_bag",
    "payload_unchanged",
    "update_bag_metadata",
    "validate_bag",
    "write_bag",
]


def ensure_valid(path: str, **options: bool) -> ValidationReport:
    """Validate and raise :class:`BagInvalid` (with every problem) unless the bag is valid."""
    return validate_bag(path, **options).ensure_valid()
