"""Move bags into OCFL storage (``heritage-ld ocfl add``) and report OCFL validation as problems.

A bag becomes (a new version of) the OCFL object named by its ``External-Identifier`` (else its folder name),
with ``id_prefix`` in front (give the collection's object base, such as ``https://example.org/object/``, so
that ids are URIs as OCFL recommends). Adding the same bag again adds no version; a changed bag adds one that
stores only the files with new digests.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from heritage_ld.bags.info import parse_info
from heritage_ld.errors import UsageError
from heritage_ld.ocfl import OcflReport, VersionResult, add_version, init_storage_root
from heritage_ld.pipeline.steps.ocfl import PROJECT_URL, bag_files
from heritage_ld.problems import Location, Problem, report

__all__ = ["bags_to_ocfl", "ocfl_problems"]


def _identifier(bag: Path) -> str:
    try:
        labels = parse_info((bag / "bag-info.txt").read_text(encoding="utf-8"))[0]
    except (OSError, UnicodeDecodeError):
        labels = []
    return next((v for k, v in labels if k.lower() == "external-identifier" and v), bag.name)


def bags_to_ocfl(bags: Iterable[Path | str], root: Path | str, *, id_prefix: str = "", message: str = "",
                 created: datetime | None = None) -> list[VersionResult]:
    """Add each bag of ``bags`` as a version of its OCFL object in the storage root ``root`` (created if
    needed).

    Raises:
        UsageError: a bag is not a folder holding ``bagit.txt``.
    """
    storage = init_storage_root(root)
    results = []
    for bag in map(Path, bags):
        if not (bag / "bagit.txt").is_file():
            raise UsageError(f"{bag}: not a bag (no bagit.txt)")
        results.append(add_version(storage, id_prefix + _identifier(bag), bag_files(bag), created=created,
                                   user=("heritage-ld", PROJECT_URL),
                                   message=message or f"heritage-ld ocfl add: bag {bag.name}"))
    return results


def ocfl_problems(result: OcflReport) -> list[Problem]:
    """The codes an OCFL validation found, as problems (B040 errors, B041 warnings) carrying the OCFL code."""
    out = [report("B040", Location(w), path=w, ocfl_code=c, reason=m) for c, w, m in result.errors]
    out += [report("B041", Location(w), path=w, ocfl_code=c, reason=m) for c, w, m in result.warnings]
    return out
