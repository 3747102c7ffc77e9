"""BagIt (RFC 8493) preservation packages: write, validate, update, audit and complete bags.

The bag layer works on files and bytes only: it knows nothing of RDF or IIIF; the pipeline hands it the
item's metadata as tag files.

>>> import tempfile
>>> from pathlib import Path
>>> d = Path(tempfile.mkdtemp()); _ = (d / "photo.tif").write_bytes(b"II*")
>>> write_bag([d / "photo.tif"], d / "bag", info={"External-Identifier": "HN1972.001"}).files  # and its RO-Crate
2
>>> validate_bag(d / "bag").valid
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from heritage_ld._lazy import exports

if TYPE_CHECKING:
    from heritage_ld.bags.audit import AuditReport, audit_bag
    from heritage_ld.bags.describe import CrateSpec
    from heritage_ld.bags.fetch import FetchReport, fetch_bag
    from heritage_ld.bags.fixity import ALGORITHMS
    from heritage_ld.bags.identify import Identification, identify_files
    from heritage_ld.bags.info import STANDARD_HEADERS
    from heritage_ld.bags.report import (
        BagInvalid,
        BagReport,
        BagWriteError,
        BagWriteRefused,
        ValidationReport,
    )
    from heritage_ld.bags.store_update import update_store_bag
    from heritage_ld.bags.store_writer import StoreBag, write_store_bag
    from heritage_ld.bags.update import payload_unchanged, update_bag_metadata
    from heritage_ld.bags.validator import validate_bag
    from heritage_ld.bags.writer import EVENTS_FILE, collect_sources, commit_staged, write_bag

# Loaded on first use (see heritage_ld._lazy): importing one module of the package stays cheap.
__getattr__, __dir__ = exports(__name__, globals(), {
    "AuditReport": "heritage_ld.bags.audit",
    "audit_bag": "heritage_ld.bags.audit",
    "CrateSpec": "heritage_ld.bags.describe",
    "Identification": "heritage_ld.bags.identify",
    "identify_files": "heritage_ld.bags.identify",
    "FetchReport": "heritage_ld.bags.fetch",
    "fetch_bag": "heritage_ld.bags.fetch",
    "ALGORITHMS": "heritage_ld.bags.fixity",
    "STANDARD_HEADERS": "heritage_ld.bags.info",
    "BagInvalid": "heritage_ld.bags.report",
    "BagReport": "heritage_ld.bags.report",
    "BagWriteError": "heritage_ld.bags.report",
    "BagWriteRefused": "heritage_ld.bags.report",
    "ValidationReport": "heritage_ld.bags.report",
    "StoreBag": "heritage_ld.bags.store_writer",
    "write_store_bag": "heritage_ld.bags.store_writer",
    "update_store_bag": "heritage_ld.bags.store_update",
    "payload_unchanged": "heritage_ld.bags.update",
    "update_bag_metadata": "heritage_ld.bags.update",
    "validate_bag": "heritage_ld.bags.validator",
    "EVENTS_FILE": "heritage_ld.bags.writer",
    "collect_sources": "heritage_ld.bags.writer",
    "commit_staged": "heritage_ld.bags.writer",
    "write_bag": "heritage_ld.bags.writer",
})

__all__ = [
    "ALGORITHMS",
    "EVENTS_FILE",
    "STANDARD_HEADERS",
    "AuditReport",
    "BagInvalid",
    "BagReport",
    "BagWriteError",
    "BagWriteRefused",
    "CrateSpec",
    "FetchReport",
    "Identification",
    "StoreBag",
    "ValidationReport",
    "audit_bag",
    "collect_sources",
    "commit_staged",
    "ensure_valid",
    "fetch_bag",
    "identify_files",
    "payload_unchanged",
    "update_bag_metadata",
    "update_store_bag",
    "validate_bag",
    "write_bag",
    "write_store_bag",
]


def ensure_valid(path: str, *, fast: bool = False, completeness_only: bool = False,
                 jobs: int | None = None) -> ValidationReport:
    """Validate and raise :class:`BagInvalid` (with every problem) unless the bag is valid."""
    from heritage_ld.bags.validator import validate_bag

    return validate_bag(path, fast=fast, completeness_only=completeness_only, jobs=jobs).ensure_valid()
