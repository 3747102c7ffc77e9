"""``heritage-ld ocfl add|validate``: versioned OCFL 1.1 storage of bags."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from heritage_ld.cli._app import QUIET_OPTION, app, console, handle_errors, print_problems

ocfl_app = typer.Typer(help="OCFL 1.1 storage (Oxford Common File Layout): versioned objects, as Fedora 6 "
                            "keeps them.", no_args_is_help=True)
app.add_typer(ocfl_app, name="ocfl")
JSON_OPTION = typer.Option(False, "--json", help="Print the result as JSON on stdout (for scripts).")


@ocfl_app.command("add")
@handle_errors
def add(
    bags: list[Path] = typer.Argument(..., help="Bag folders to store."),
    root: Path = typer.Option(..., "--root", "-r", help="The OCFL storage root (created if missing)."),
    id_prefix: str = typer.Option("", "--id-prefix", help="Put in front of each bag's External-Identifier to "
                                  "make the object id (a URI base such as https://example.org/object/)."),
    message: str = typer.Option("", "--message", "-m", help="The version message."),
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Store BAGS as OCFL objects in ROOT: a new version for a bag that changed, none for one that did not.

    Example: heritage-ld ocfl add build/hanoi/bags/* --root /archive/ocfl --id-prefix https://example.org/object/
    """
    from heritage_ld.pipeline.archive import bags_to_ocfl

    results = bags_to_ocfl(bags, root, id_prefix=id_prefix, message=message)
    if as_json:
        typer.echo(json.dumps({"root": str(root), "objects": [
            {"id": r.object_id, "path": str(r.path), "head": r.head, "created": r.created, "copied": r.copied,
             "bytes": r.bytes} for r in results]}, indent=2, ensure_ascii=False))
    elif not quiet:
        for r in results:
            what = f"new version {r.head} ({r.copied} files stored)" if r.created else f"unchanged at {r.head}"
            console.print(f"{r.object_id}: {what}", highlight=False, soft_wrap=True)


@ocfl_app.command("validate")
@handle_errors
def validate(
    path: Path = typer.Argument(..., help="An OCFL storage root, or one object's root."),
    digests: bool = typer.Option(True, "--digests/--no-digests", help="Check every file's digest (slower)."),
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Validate an OCFL storage root or object against OCFL 1.1 (1.0 objects too); exit 1 if invalid.

    Example: heritage-ld ocfl validate /archive/ocfl --json > report.json
    """
    from heritage_ld.errors import UsageError
    from heritage_ld.ocfl import validate_object, validate_storage_root
    from heritage_ld.pipeline.archive import ocfl_problems

    if not path.is_dir():
        raise UsageError(f"{path}: no such folder")
    is_object = any(p.name.startswith("0=ocfl_object_") for p in path.iterdir())
    result = (validate_object if is_object else validate_storage_root)(path, check_digests=digests)
    problems = ocfl_problems(result)
    if as_json:
        typer.echo(json.dumps({"path": str(path), "valid": result.valid, "objects": result.objects,
                               "problems": [{"code": p.code, "ocfl_code": p.get("ocfl_code"), "path": p.get("path"),
                                             "message": p.message} for p in problems]}, indent=2, ensure_ascii=False))
    else:
        print_problems(problems)
        if not quiet or not result.valid:
            console.print(f"{path}: {'valid' if result.valid else 'INVALID'} ({result.objects} object(s), "
                          f"{len(result.errors)} error(s), {len(result.warnings)} warning(s))", highlight=False)
    if not result.valid:
        raise typer.Exit(1)
