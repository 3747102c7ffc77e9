"""``heritage-ld bag create|validate|audit|fetch``: BagIt preservation packages."""

from __future__ import annotations

from pathlib import Path

import typer

from heritage_ld.bags.fixity import ALGORITHMS
from heritage_ld.cli._app import (
    JOBS_OPTION,
    QUIET_OPTION,
    app,
    console,
    handle_errors,
    print_problems,
    progress_reporter,
)
from heritage_ld.errors import UsageError

bag_app = typer.Typer(help="BagIt (RFC 8493) preservation packages: create, validate, audit, fetch.",
                      no_args_is_help=True)
app.add_typer(bag_app, name="bag")
_ALGORITHM_HELP = f"Checksum algorithm, repeatable: {', '.join(ALGORITHMS)}."


def _info(pairs: list[str]) -> list[tuple[str, str]]:
    out = []
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--info {pair!r}: expected KEY=VALUE")
        out.append((key.strip(), value.strip()))
    return out


@bag_app.command("create")
@handle_errors
def create(
    sources: list[Path] = typer.Argument(..., help="Files and folders to bag (a folder's contents go in data/)."),
    out: Path = typer.Option(..., "--out", "-o", help="The bag folder to create."),
    algorithm: list[str] = typer.Option(["sha256", "sha512"], "--algorithm", "-a",
                                        help=_ALGORITHM_HELP),
    info: list[str] = typer.Option([], "--info", help="A bag-info.txt entry KEY=VALUE, repeatable."),
    replace: bool = typer.Option(False, "--replace", help="Replace OUT if it exists."),
    jobs: int = JOBS_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Create a bag at OUT from SOURCES; the sources are only read. Exit 2 if OUT exists (see --replace)."""
    from heritage_ld.bags.writer import write_bag

    with progress_reporter(quiet, thread=False) as progress:
        result = write_bag(sources, out, algorithms=algorithm, info=_info(info), replace=replace, jobs=jobs,
                           progress=progress)
    if not quiet:
        console.print(f"{out}: {result.files} files, {result.bytes} bytes ({', '.join(result.algorithms)})",
                      highlight=False)


@bag_app.command("validate")
@handle_errors
def validate(
    bags: list[Path] = typer.Argument(..., help="Bag folders, or .tar, .tar.gz or .zip bags."),
    fast: bool = typer.Option(False, "--fast", help="Check only the structure and Payload-Oxum."),
    completeness_only: bool = typer.Option(False, "--completeness-only", help="Check completeness, no checksums."),
    jobs: int = JOBS_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Validate bags: exit 0 all valid, 1 any invalid (every problem listed), 2 no such bag."""
    from heritage_ld.bags.validator import validate_bag

    if fast and completeness_only:
        raise UsageError("--fast and --completeness-only exclude each other")
    invalid = 0
    for bag in bags:
        with progress_reporter(quiet, thread=False) as progress:
            result = validate_bag(bag, fast=fast, completeness_only=completeness_only, jobs=jobs,
                                  progress=progress)
        print_problems(result.problems)
        if not result.valid:
            invalid += 1
            console.print(f"{bag}: INVALID ({len(result.errors)} error(s))", highlight=False)
        elif not quiet:
            console.print(f"{bag}: valid ({result.mode}; {result.files} files, {result.bytes} bytes checked, "
                          f"{len(result.warnings)} warning(s))", highlight=False)
    if len(bags) > 1 and not quiet:
        console.print(f"{len(bags) - invalid} of {len(bags)} bags valid", highlight=False)
    if invalid:
        raise typer.Exit(1)


@bag_app.command("audit")
@handle_errors
def audit(
    bags: list[Path] = typer.Argument(..., help="Bag folders to audit."),
    report: Path = typer.Option(None, "--report", help="Write a report: .json or .csv."),
    record: bool = typer.Option(True, "--record/--no-record", help="Append a fixity-check event to each bag."),
    jobs: int = JOBS_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Re-verify the fixity of BAGS, record a PREMIS fixity-check event in each; exit 1 on any failure."""
    from heritage_ld.bags.audit import audit_bag, format_audit_report

    with progress_reporter(quiet, thread=False) as progress:
        results = [audit_bag(b, jobs=jobs, record=record, progress=progress) for b in bags]
    for r in results:
        print_problems(r.validation.problems)
        if not quiet or not r.ok:
            console.print(f"{r.bag}: {'OK' if r.ok else 'FAILED'} ({r.validation.files} files)", highlight=False)
    if report is not None:
        fmt = "csv" if report.suffix.lower() == ".csv" else "json"
        report.write_text(format_audit_report(results, fmt), encoding="utf-8")
    if not all(r.ok for r in results):
        raise typer.Exit(1)


@bag_app.command("fetch")
@handle_errors
def fetch(
    bag: Path = typer.Argument(..., help="A holey bag (with fetch.txt)."),
    timeout: float = typer.Option(60.0, "--timeout", help="Seconds to wait for a server."),
    quiet: bool = QUIET_OPTION,
) -> None:
    """Complete BAG from its fetch.txt over http(s), verifying every file; exit 1 if any fetch failed."""
    from heritage_ld.bags.fetch import fetch_bag

    result = fetch_bag(bag, timeout=timeout)
    print_problems(result.problems)
    if not quiet:
        console.print(f"{bag}: fetched {len(result.fetched)}, already present {len(result.present)}",
                      highlight=False)
    if not result.ok:
        raise typer.Exit(1)
