"""``heritage-ld rdf CATALOGUE [--format ttl] [--profile all] [-o FILE] [--validate]``."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from heritage_ld.cli._app import QUIET_OPTION, app, err_console, handle_errors, print_problems
from heritage_ld.formats import FORMATS, PROFILES, Format

_FORMAT_NAMES = ", ".join(f.extension for f in FORMATS)


@app.command("rdf")
@handle_errors
def rdf_command(
    catalogue: Path = typer.Argument(..., help="The catalogue folder."),
    format: str = typer.Option("ttl", "--format", "-f", help=f"Output format: {_FORMAT_NAMES}."),
    profile: str = typer.Option("all", "--profile", "-p", help=f"Vocabulary: {', '.join(PROFILES)}."),
    output: Path = typer.Option(None, "--output", "-o", help="Write to FILE instead of standard output."),
    check: bool = typer.Option(False, "--validate", help="Run the SHACL shapes; exit 1 on a violation."),
    quiet: bool = QUIET_OPTION,
) -> None:
    """Print the catalogue's linked data (CIDOC-CRM / Linked Art and Dublin Core) in one RDF format.

    Example: heritage-ld rdf examples/hanoi-1972 --format ttl --profile crm -o hanoi.ttl
    """
    from heritage_ld.catalogue import read_catalogue
    from heritage_ld.rdf import validate, write_collection

    fmt = Format.from_name(format)
    if profile not in PROFILES:
        raise typer.BadParameter(f"choose one of {', '.join(PROFILES)}", param_hint="--profile")
    collection = read_catalogue(catalogue)
    if check:
        problems = validate(collection, profile=profile)
        print_problems(problems)
        errors = [p for p in problems if p.is_error]
        if not quiet:
            err_console.print(f"{len(errors)} violation(s), {len(problems) - len(errors)} warning(s)", highlight=False)
        if errors:
            raise typer.Exit(1)
        if output is None:
            return
    if output is None:
        write_collection(collection, sys.stdout.buffer, fmt, profile=profile)
        sys.stdout.buffer.flush()
    else:
        with output.open("wb") as f:
            n = write_collection(collection, f, fmt, profile=profile)
        if not quiet:
            err_console.print(f"wrote {n} triples to {output}", highlight=False)
