"""Audit bags: re-verify fixity, record a PREMIS fixity-check event in each bag, write a JSON or CSV report.

The tool an archivist runs from cron every month. Only the event log and its entries in the tag manifests
change: other tag manifest entries are kept as they were, so an audit never blesses a tampered tag file.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from heritage_ld.bags.events import Event, append_event, format_events
from heritage_ld.bags.fixity import hash_bytes
from heritage_ld.bags.manifest import format_manifest, parse_manifest
from heritage_ld.bags.progress import ProgressSink
from heritage_ld.bags.report import ValidationReport
from heritage_ld.bags.tagfiles import bag_date, write_atomic
from heritage_ld.bags.tree import read_tag_bytes
from heritage_ld.bags.validator import decode_tag_file, validate_bag
from heritage_ld.bags.writer import EVENTS_FILE

__all__ = ["AuditReport", "audit_bag", "format_audit_report"]

_TAG_MANIFEST = re.compile(r"^tagmanifest-([a-z0-9]+)\.txt$")


@dataclass(frozen=True, slots=True)
class AuditReport:
    """One bag's audit: when, the validation, and whether the event was recorded in the bag."""

    bag: Path
    date: datetime
    validation: ValidationReport
    recorded: bool

    @property
    def ok(self) -> bool:
        return self.validation.valid

    def as_dict(self) -> dict[str, object]:
        v = self.validation
        return {
            "bag": str(self.bag),
            "date": self.date.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "outcome": "success" if self.ok else "failure",
            "files": v.files,
            "bytes": v.bytes,
            "errors": len(v.errors),
            "warnings": len(v.warnings),
            "problems": [{"code": p.code, "message": p.message, **{k: str(x) for k, x in p.params}}
                         for p in v.problems],
        }


def _record(bag: Path, event: Event) -> bool:
    log_path = bag / EVENTS_FILE
    try:
        log = read_tag_bytes(log_path) if log_path.is_file() else format_events([], label=bag.name)
    except OSError:
        return False
    new = append_event(log, event)
    write_atomic(log_path, new)
    for entry in sorted(p.name for p in bag.iterdir()):
        m = _TAG_MANIFEST.match(entry)
        if not m:
            continue
        text = decode_tag_file(read_tag_bytes(bag / entry), "utf-8")
        entries = parse_manifest(entry, text, version=(1, 0), payload=False).entries
        entries[EVENTS_FILE] = hash_bytes(new, [m.group(1)])[m.group(1)]
        write_atomic(bag / entry, format_manifest(entries))
    return True


def audit_bag(bag: Path | str, *, date: datetime | None = None, jobs: int | None = None,
              record: bool = True, progress: ProgressSink | None = None) -> AuditReport:
    """Validate ``bag`` fully and, with ``record``, append a fixity-check event (date, outcome, agent) to its
    event log. A bag whose declaration cannot be read is reported but not written to.

    Raises:
        UsageError: ``bag`` does not exist.
    """
    bag = Path(bag)
    when = bag_date(date)
    result = validate_bag(bag, jobs=jobs, progress=progress)
    recorded = False
    structural = any(p.code == "B008" and p.location.file == "bagit.txt" for p in result.problems)
    if record and bag.is_dir() and not structural:
        note = f"{result.files} files, {result.bytes} bytes verified; {len(result.errors)} error(s)"
        recorded = _record(bag, Event("fixity check", when, success=result.valid, note=note))
    return AuditReport(bag, when, result, recorded)


def format_audit_report(reports: Iterable[AuditReport], fmt: str = "json") -> str:
    """The reports as JSON (one object with every problem) or CSV (one row per bag).

    >>> format_audit_report([], "csv").splitlines()[0]
    'bag,date,outcome,files,bytes,errors,warnings,first_problem'
    """
    rows = [r.as_dict() for r in reports]
    if fmt == "json":
        return json.dumps({"bags": rows, "failed": sum(r["outcome"] != "success" for r in rows)},
                          indent=2, ensure_ascii=False) + "\n"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["bag", "date", "outcome", "files", "bytes", "errors", "warnings", "first_problem"])
    for r in rows:
        problems = r["problems"]
        first = problems[0]["message"] if isinstance(problems, list) and problems else ""
        writer.writerow([r["bag"], r["date"], r["outcome"], r["files"], r["bytes"], r["errors"], r["warnings"],
                         first])
    return out.getvalue()
