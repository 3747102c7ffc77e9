"""``heritage-ld bag create|validate|update|audit|fetch``: BagIt preservation packages."""

from __future__ import annotations

import inspect
from pathlib import Path

import typer

from heritage_ld.bags.fixity import ALGORITHMS
from heritage_ld.bags.info import STANDARD_HEADERS
from heritage_ld.cli._app import (
    JOBS_OPTION,
    JSON_OPTION,
    QUIET_OPTION,
    app,
    console,
    handle_errors,
    print_json,
    print_problems,
    progress_reporter,
)
from heritage_ld.errors import UsageError

bag_app = typer.Typer(help="BagIt (RFC 8493) preservation packages: create, validate, update, audit, fetch.",
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
    as_json: bool = JSON_OPTION,
) -> None:
    """Validate bags: exit 0 all valid, 1 any invalid (every problem listed), 2 no such bag. With several bags,
    each problem line starts with its bag's path."""
    from heritage_ld.bags.validator import validate_bag

    if fast and completeness_only:
        raise UsageError("--fast and --completeness-only exclude each other")
    invalid = 0
    results = []
    for bag in bags:
        with progress_reporter(quiet or as_json, thread=False) as progress:
            result = validate_bag(bag, fast=fast, completeness_only=completeness_only, jobs=jobs,
                                  progress=progress)
        results.append(result)
        if as_json:
            invalid += not result.valid
            continue
        print_problems(result.problems, within=bag if len(bags) > 1 else None)
        if not result.valid:
            invalid += 1
            console.print(f"{bag}: INVALID ({len(result.errors)} error(s))", highlight=False)
        elif not quiet:
            console.print(f"{bag}: valid ({result.mode}; {result.files} files, {result.bytes} bytes checked, "
                          f"{len(result.warnings)} warning(s))", highlight=False)
    if as_json:
        print_json({"bags": [{"bag": str(bag), "valid": r.valid, "mode": r.mode, "files": r.files, "bytes": r.bytes,
                              "errors": len(r.errors), "warnings": len(r.warnings),
                              "problems": [p.as_dict() for p in r.problems]} for bag, r in zip(bags, results, strict=True)],
                    "valid": len(bags) - invalid, "invalid": invalid})
    elif len(bags) > 1 and not quiet:
        console.print(f"{len(bags) - invalid} of {len(bags)} bags valid", highlight=False)
    if invalid:
        raise typer.Exit(1)


#: bagit-python's bag-info flags (``--contact-name``), one per standard label an update may set: parameter name
#: -> label. Payload-Oxum, Bag-Size and Bag-Software-Agent are computed, not set.
_LABEL_FLAGS = {label.lower().replace("-", "_"): label for label in STANDARD_HEADERS
                if label not in ("Payload-Oxum", "Bag-Size", "Bag-Software-Agent")}


def _read_regular(path: Path) -> bytes:
    """The bytes of a regular file; a FIFO or a device (``/dev/zero`` was read until memory ran out) is
    refused, opened without blocking and checked once open."""
    import os
    import stat

    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise UsageError(f"--tag-file {path}: not a regular file (a FIFO, a device or a folder)")
        return f.read()


def _tag_files(pairs: list[str]) -> dict[str, bytes]:
    out = {}
    for pair in pairs:
        src, sep, dest = pair.rpartition(":")
        if not sep or not src or not dest:
            raise UsageError(f"--tag-file {pair!r}: expected SRC:DEST (a file, and its path in the bag)")
        try:
            out[dest] = _read_regular(Path(src))
        except OSError as exc:
            raise UsageError(f"--tag-file {pair!r}: cannot read {src}: {exc.strerror or exc}") from None
    return out


def update(
    bag: Path = typer.Argument(..., help="The bag folder to update."),
    info: list[str] = typer.Option([], "--info", help="Set a bag-info.txt label KEY=VALUE (replaces every line of "
                                   "KEY; repeat KEY for several values)."),
    remove_info: list[str] = typer.Option([], "--remove-info", help="Remove every line of a bag-info.txt label."),
    tag_file: list[str] = typer.Option([], "--tag-file", help="Add or replace a tag file: SRC:DEST, DEST its path "
                                       "in the bag (metadata/notes.txt)."),
    remove_tag_file: list[str] = typer.Option([], "--remove-tag-file", help="Remove a tag file (its path in the bag)."),
    quiet: bool = QUIET_OPTION,
    **labels: list[str],
) -> None:
    """Merge metadata changes into BAG: only the labels and tag files named change, everything else is kept
    byte for byte; a PREMIS event records what changed. bagit-python's --contact-name style flags set the
    standard labels. Exit 2 on bad input or when a link or special file is in the way (nothing written)."""
    from heritage_ld.bags.update import update_bag_metadata

    pairs = _info(info) + [(_LABEL_FLAGS[name], value) for name, values in labels.items() for value in values]
    if not (pairs or remove_info or tag_file or remove_tag_file):
        raise UsageError("nothing to update: give --info, --remove-info, --tag-file or --remove-tag-file")
    result = update_bag_metadata(bag, info=pairs, remove_info=remove_info, tag_files=_tag_files(tag_file),
                                 remove_tag_files=remove_tag_file)
    if not quiet:
        changed = ", ".join(n for n in result.tag_files if not n.startswith("tagmanifest-")) or "nothing changed"
        console.print(f"{bag}: {changed}", highlight=False)


def _add_label_flags() -> None:
    """Give :func:`update` one ``--contact-name``-style option per label of :data:`_LABEL_FLAGS` (typer reads
    the signature), then register it."""
    signature = inspect.signature(update, eval_str=True)
    params = [p for p in signature.parameters.values() if p.kind is not inspect.Parameter.VAR_KEYWORD]
    for name, label in _LABEL_FLAGS.items():
        option = typer.Option([], f"--{label.lower()}", help=f"Set {label} (like --info {label}=VALUE).")
        params.append(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=option, annotation=list[str]))
    update.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    update.__annotations__ = {**update.__annotations__, **dict.fromkeys(_LABEL_FLAGS, list[str])}
    bag_app.command("update")(handle_errors(update))


_add_label_flags()


@bag_app.command("audit")
@handle_errors
def audit(
    bags: list[Path] = typer.Argument(..., help="Bag folders to audit."),
    report: Path = typer.Option(None, "--report", help="Write a report: .json or .csv."),
    record: bool = typer.Option(True, "--record/--no-record", help="Append a fixity-check event to each bag."),
    jobs: int = JOBS_OPTION,
    quiet: bool = QUIET_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Re-verify the fixity of BAGS, record a PREMIS fixity-check event in each; exit 1 on any failure.
    With several bags, each problem line starts with its bag's path."""
    from heritage_ld.bags.audit import audit_bag, format_audit_report

    with progress_reporter(quiet or as_json, thread=False) as progress:
        results = [audit_bag(b, jobs=jobs, record=record, progress=progress) for b in bags]
    for r in results:
        if as_json:
            continue
        print_problems((*r.validation.problems, *r.problems), within=r.bag if len(results) > 1 else None)
        if not quiet or not r.ok:
            console.print(f"{r.bag}: {'OK' if r.ok else 'FAILED'} ({r.validation.files} files)", highlight=False)
    if report is not None:
        fmt = "csv" if report.suffix.lower() == ".csv" else "json"
        report.write_text(format_audit_report(results, fmt), encoding="utf-8")
    if as_json:
        print_json({"bags": [{**r.as_dict(), "problems": [p.as_dict() for p in (*r.validation.problems, *r.problems)]}
                             for r in results], "failed": sum(not r.ok for r in results)})
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
