"""Audit bags: re-verify fixity, record a PREMIS fixity-check event in each bag, write a JSON or CSV report.

The tool an archivist runs from cron every month. Only the event logs (the PREMIS RDF log and, when the bag has
one, the PREMIS XML) and their entries in the tag manifests change: other tag manifest entries are kept as they were, so an audit never blesses a tampered tag file.
The writes go through :class:`~heritage_ld.bags.safe_write.BagFolder`: a log or tag manifest that is, or lies
behind, a link or special file is never written through (B014).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from heritage_ld.bags.events import Event, append_event, format_events
from heritage_ld.bags.existing import read_encoding, refused_problem, updated_tag_manifests
from heritage_ld.bags.premis_xml import PREMIS_FILE, append_premis_event
from heritage_ld.bags.progress import ProgressSink
from heritage_ld.bags.report import BagWriteRefused, ValidationReport
from heritage_ld.bags.safe_write import BagFolder, RefusedPath
from heritage_ld.bags.tagfiles import bag_date
from heritage_ld.bags.validator import validate_bag
from heritage_ld.bags.writer import EVENTS_FILE
from heritage_ld.problems import Location, Problem, report

__all__ = ["AuditReport", "audit_bag", "format_audit_report"]



@dataclass(frozen=True, slots=True)
class AuditReport:
    """One bag's audit: when, the validation, and whether the event was recorded in the bag."""

    bag: Path
    date: datetime
    validation: ValidationReport
    recorded: bool
    #: Why the event was not recorded (B014, B015), if it was not.
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return self.validation.valid and not any(p.is_error for p in self.problems)

    def as_dict(self) -> dict[str, object]:
        v = self.validation
        return {
            "bag": str(self.bag),
            "date": self.date.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "outcome": "success" if self.ok else "failure",
            "files": v.files,
            "bytes": v.bytes,
            "errors": len(v.errors) + sum(p.is_error for p in self.problems),
            "warnings": len(v.warnings),
            "recorded": self.recorded,
            "problems": [{"code": p.code, "message": p.message, **{k: str(x) for k, x in p.params}}
                         for p in (*v.problems, *self.problems)],
        }


def _record(bag: Path, event: Event) -> tuple[bool, tuple[Problem, ...]]:
    """Append ``event`` to the bag's log and update the log's tag manifest entries, through
    :class:`BagFolder`: every check (links, special files, readable tag manifests) comes before the first
    write, and each file is replaced atomically. ``(False, problems)`` when the bag was not written to."""
    try:
        with BagFolder.open(bag) as folder:
            encoding = read_encoding(folder)
            log = folder.read_optional(EVENTS_FILE)
            new = append_event(log if log is not None else format_events([], label=bag.name), event)
            changed = {EVENTS_FILE: new}
            premis = folder.read_optional(PREMIS_FILE)
            if premis is not None:
                try:
                    changed[PREMIS_FILE] = append_premis_event(premis, event)
                except ValueError as exc:
                    return False, (report("B015", Location(PREMIS_FILE), path=PREMIS_FILE, reason=str(exc)),)
            manifests = updated_tag_manifests(folder, encoding, dict(changed))
            for name in (*changed, *manifests):
                folder.check_writable(name)
            for name, data in sorted(changed.items()):
                folder.write(name, data)
            for name, data in sorted(manifests.items()):
                folder.write(name, data)
    except RefusedPath as exc:
        return False, (refused_problem(exc),)
    except BagWriteRefused as exc:
        return False, exc.problems
    except OSError as exc:
        return False, (report("B015", Location(EVENTS_FILE), path=EVENTS_FILE, reason=str(exc)),)
    return True, ()


def audit_bag(bag: Path | str, *, date: datetime | None = None, jobs: int | None = None,
              record: bool = True, progress: ProgressSink | None = None) -> AuditReport:
    """Validate ``bag`` fully and, with ``record``, append a fixity-check event (date, outcome, agent) to its
    event log. A bag whose declaration cannot be read is reported but not written to; nor is one where the
    log or a tag manifest is (or lies behind) a link or special file: ``problems`` then says why (B014, B015)
    and the audit fails.

    Raises:
        UsageError: ``bag`` does not exist.
    """
    bag = Path(bag)
    when = bag_date(date)
    result = validate_bag(bag, jobs=jobs, progress=progress)
    recorded = False
    problems: tuple[Problem, ...] = ()
    structural = any(p.code == "B008" and p.location.file == "bagit.txt" for p in result.problems)
    if record and bag.is_dir() and not structural:
        note = f"{result.files} files, {result.bytes} bytes verified; {len(result.errors)} error(s)"
        recorded, problems = _record(bag, Event("fixity check", when, success=result.valid, note=note))
    return AuditReport(bag, when, result, recorded, problems)


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
