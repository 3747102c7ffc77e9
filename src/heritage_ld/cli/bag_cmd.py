"""``heritage-ld bag create|validate|update|audit|fetch``: BagIt preservation packages."""

from __future__ import annotations

import dataclasses
import inspect
import json
import re
from collections.abc import Iterable
from datetime import date
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
    print_problems,
    progress_reporter,
)
from heritage_ld.errors import UsageError
from heritage_ld.problems import Location, Problem, report
from heritage_ld.storage import Store

_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

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
    bad = [report("B031", Location("bag-info.txt", field=k), value=v) for k, v in out
           if k.lower() == "bagging-date" and not _is_date(v)]
    if bad:
        _refuse(bad)
    return out


def _is_date(value: str) -> bool:
    if not _DATE.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _refuse(problems: list[Problem]) -> None:
    """Print the problems and stop with exit code 2: nothing was written."""
    print_problems(problems)
    raise typer.Exit(2)


def in_bag(bag: Path | str, problems: Iterable[Problem]) -> list[Problem]:
    """``problems`` located in ``bag`` (``bags/X/manifest-sha256.txt:3: …``): which bag, when several are
    checked."""
    return [dataclasses.replace(p, location=dataclasses.replace(p.location, file=f"{bag}/{p.location.file}"
                                                                if p.location.file else str(bag)))
            for p in problems]


def _problem_dicts(problems: Iterable[Problem]) -> list[dict[str, object]]:
    return [p.as_dict() for p in problems]


def _inside(target: Path, folder: Path) -> bool:
    t, f = target.resolve(), folder.resolve()
    return t == f or f in t.parents


def _create_checks(sources: list[Path], out: Path, replace: bool) -> list[Problem]:
    """Refuse an output inside its own source (B033) and a target that exists without --replace; warn about
    names with '%' (B032), which bagit-python rejects."""
    from heritage_ld.bags.writer import collect_sources

    refused = [report("B033", Location(str(src)), path=str(src), target=str(out)) for src in sources
               if src.is_dir() and _inside(out, src)]
    if refused:
        _refuse(refused)
    if (out.exists() or out.is_symlink()) and not replace:
        raise UsageError(f"{out}: already exists; give --replace to replace it, or choose another -o")
    return [report("B032", Location(rel), path=rel) for rel in collect_sources(sources) if "%" in rel]


@bag_app.command("create")
@handle_errors
def create(
    sources: list[Path] = typer.Argument(..., help="Files and folders to bag (a folder's contents go in data/)."),
    out: Path = typer.Option(..., "--out", "-o", help="The bag folder to create."),
    algorithm: list[str] = typer.Option(["sha256", "sha512"], "--algorithm", "-a",
                                        help=_ALGORITHM_HELP),
    info: list[str] = typer.Option([], "--info", help="A bag-info.txt entry KEY=VALUE, repeatable "
                                   "(Bagging-Date must be YYYY-MM-DD)."),
    replace: bool = typer.Option(False, "--replace", help="Replace OUT if it exists."),
    describe: bool = typer.Option(True, "--describe/--no-describe", help="Identify each file's format (PRONOM) "
                                  "and write the RO-Crate (data/ro-crate-metadata.json) and PREMIS XML."),
    jobs: int = JOBS_OPTION,
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Create a bag at OUT from SOURCES; the sources are only read. Exit 2 if OUT exists (see --replace) or
    lies inside a source.

    Example: heritage-ld bag create scans/ -o bags/HNM.1972.025 --info External-Identifier=HNM.1972.025
    """
    from heritage_ld.bags.writer import write_bag

    pairs = _info(info)
    warnings = _create_checks(sources, out, replace)
    with progress_reporter(quiet or as_json, thread=False) as progress:
        result = write_bag(sources, out, algorithms=algorithm, info=pairs, replace=replace, jobs=jobs,
                           progress=progress, describe=describe)
    problems = in_bag(out, [*warnings, *result.problems])
    if as_json:
        typer.echo(json.dumps({"bag": str(out), "files": result.files, "bytes": result.bytes,
                               "algorithms": list(result.algorithms), "problems": _problem_dicts(problems)},
                              indent=2, ensure_ascii=False))
        return
    print_problems(problems)
    if not quiet:
        console.print(f"{out}: {result.files} payload files, {result.bytes} bytes ({', '.join(result.algorithms)})",
                      highlight=False)


def _expand(bags: list[Path], recursive: bool) -> list[Path]:
    """The bags to check: each path given, or with ``recursive`` the bags inside a folder of bags. A folder of
    bags given without ``recursive`` is refused (B034) rather than reported as one invalid bag."""
    out: list[Path] = []
    refused: list[Problem] = []
    for path in bags:
        if not path.is_dir() or (path / "bagit.txt").exists():
            out.append(path)
            continue
        inside = _bags_under(path)
        if not inside:
            out.append(path)
        elif recursive:
            out += inside
        else:
            refused.append(report("B034", Location(str(path)), path=str(path)))
    if refused:
        _refuse(refused)
    return out


def _expand_store(store: Store, recursive: bool) -> list[Store]:
    """The bags at a URL: the bag itself, or with ``recursive`` every prefix under it holding a ``bagit.txt``
    (a folder of bags without ``recursive``: B034)."""
    from heritage_ld.storage import StoreError

    listing = store.listing()
    if not listing:
        raise StoreError([report("S003", Location(store.url), url=store.url, doing="validating a bag")])
    if "bagit.txt" in listing:
        return [store]
    inside = sorted({rel.rsplit("/", 1)[0] for rel in listing if rel.endswith("/bagit.txt")})
    if not inside:
        return [store]
    if not recursive:
        _refuse([report("B034", Location(store.url), path=store.url)])
    return [store.child(rel) for rel in inside]


def _bags_under(folder: Path) -> list[Path]:
    found: list[Path] = []
    for child in sorted(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink()):
        found += [child] if (child / "bagit.txt").exists() else _bags_under(child)
    return found


@bag_app.command("validate")
@handle_errors
def validate(
    bags: list[str] = typer.Argument(..., help="Bag folders, .tar, .tar.gz or .zip bags, or bags on object storage "
                                     "(s3://bucket/out/bags/ITEM: checked there, streaming each file)."),
    fast: bool = typer.Option(False, "--fast", help="Check only the structure and Payload-Oxum."),
    completeness_only: bool = typer.Option(False, "--completeness-only", help="Check completeness, no checksums."),
    recursive: bool = typer.Option(False, "--recursive", "-r", help="Validate every bag inside the folders given."),
    jobs: int = JOBS_OPTION,
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Validate bags: exit 0 all valid, 1 any invalid (every problem listed, naming its bag: with several bags,
    each problem line starts with its bag's path), 2 no such bag or a folder of bags without --recursive.

    Example: heritage-ld bag validate --recursive build/hanoi-1972/bags --json > report.json
    """
    from heritage_ld.bags.validator import validate_bag
    from heritage_ld.storage import Store, is_url

    if fast and completeness_only:
        raise UsageError("--fast and --completeness-only exclude each other")
    targets: list[Path | Store] = []
    for given in bags:
        if is_url(given) and not given.lower().startswith("file://"):
            targets += _expand_store(Store.from_url(given), recursive)
        else:
            targets += _expand([Path(given[7:] if given.lower().startswith("file://") else given)], recursive)
    several = len(targets) > 1
    invalid = 0
    rows = []
    for target in targets:
        if isinstance(target, Store):
            from heritage_ld.bags.remote import validate_store_bag

            bag: Path | str = target.url
            result = validate_store_bag(target, fast=fast, completeness_only=completeness_only, jobs=jobs)
        else:
            bag = target
            with progress_reporter(quiet or as_json, thread=False) as progress:
                result = validate_bag(target, fast=fast, completeness_only=completeness_only, jobs=jobs,
                                      progress=progress)
        problems = in_bag(bag, result.problems) if several else list(result.problems)
        invalid += not result.valid
        if as_json:
            rows.append({"bag": str(bag), "valid": result.valid, "mode": result.mode, "files": result.files,
                         "bytes": result.bytes, "errors": len(result.errors), "warnings": len(result.warnings),
                         "problems": _problem_dicts(problems)})
            continue
        print_problems(problems)
        if not result.valid:
            console.print(f"{bag}: INVALID ({len(result.errors)} error(s))", highlight=False)
        elif not quiet:
            console.print(f"{bag}: valid ({result.mode}; {result.files} files, {result.bytes} bytes checked, "
                          f"{len(result.warnings)} warning(s))", highlight=False)
    if as_json:
        typer.echo(json.dumps({"bags": rows, "valid": len(targets) - invalid, "invalid": invalid}, indent=2,
                              ensure_ascii=False))
    elif several and not quiet:
        console.print(f"{len(targets) - invalid} of {len(targets)} bags valid", highlight=False)
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
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
    **labels: list[str],
) -> None:
    """Merge metadata changes into BAG: only the labels and tag files named change, everything else is kept
    byte for byte; a PREMIS event (in the RDF log and the PREMIS XML) records what changed. bagit-python's
    --contact-name style flags set the standard labels. Exit 2 on bad input or when a link or special file is
    in the way (nothing written).

    Example: heritage-ld bag update bags/HNM.1972.025 --contact-name "Archivist" --remove-info Contact-Phone
    """
    from heritage_ld.bags.update import update_bag_metadata

    pairs = _info(info) + [(_LABEL_FLAGS[name], value) for name, values in labels.items() for value in values]
    if not (pairs or remove_info or tag_file or remove_tag_file):
        raise UsageError("nothing to update: give --info, --remove-info, --tag-file or --remove-tag-file")
    result = update_bag_metadata(bag, info=pairs, remove_info=remove_info, tag_files=_tag_files(tag_file),
                                 remove_tag_files=remove_tag_file)
    if as_json:
        typer.echo(json.dumps({"bag": str(bag), "written": list(result.tag_files)}, indent=2, ensure_ascii=False))
    elif not quiet:
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
    report_file: Path = typer.Option(None, "--report", help="Write a report: .json or .csv."),
    record: bool = typer.Option(True, "--record/--no-record", help="Append a fixity-check event to each bag."),
    recursive: bool = typer.Option(False, "--recursive", "-r", help="Audit every bag inside the folders given."),
    jobs: int = JOBS_OPTION,
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Re-verify the fixity of BAGS, record a PREMIS fixity-check event in each (RDF log and PREMIS XML);
    exit 1 on any failure. Quiet and a report file: what cron needs.

    Example: heritage-ld bag audit -r /archive/bags -q --report /var/log/heritage-ld/audit-$(date +%F).csv
    """
    from heritage_ld.bags.audit import audit_bag, format_audit_report

    targets = _expand(bags, recursive)
    with progress_reporter(quiet or as_json, thread=False) as progress:
        results = [audit_bag(b, jobs=jobs, record=record, progress=progress) for b in targets]
    if as_json:
        typer.echo(format_audit_report(results, "json"), nl=False)
    for r in results if not as_json else ():
        problems = [*r.validation.problems, *r.problems]
        print_problems(in_bag(r.bag, problems) if len(results) > 1 else problems)
        if not quiet or not r.ok:
            console.print(f"{r.bag}: {'OK' if r.ok else 'FAILED'} ({r.validation.files} files)", highlight=False)
    if report_file is not None:
        fmt = "csv" if report_file.suffix.lower() == ".csv" else "json"
        report_file.write_text(format_audit_report(results, fmt), encoding="utf-8")
    if not all(r.ok for r in results):
        raise typer.Exit(1)


@bag_app.command("fetch")
@handle_errors
def fetch(
    bag: Path = typer.Argument(..., help="A holey bag (with fetch.txt)."),
    timeout: float = typer.Option(60.0, "--timeout", help="Seconds to wait for a server."),
    quiet: bool = QUIET_OPTION,
) -> None:
    """Complete BAG from its fetch.txt over http(s), verifying every file; exit 1 if any fetch failed.

    Example: heritage-ld bag fetch bags/HNM.1972.025 --timeout 120
    """
    from heritage_ld.bags.fetch import fetch_bag

    result = fetch_bag(bag, timeout=timeout)
    print_problems(result.problems)
    if not quiet:
        console.print(f"{bag}: fetched {len(result.fetched)}, already present {len(result.present)}",
                      highlight=False)
    if not result.ok:
        raise typer.Exit(1)
