"""``heritage-ld check CATALOGUE``."""

from __future__ import annotations

from pathlib import Path

import typer

from heritage_ld.cli._app import (
    JSON_OPTION,
    MAX_PIXELS_OPTION,
    QUIET_OPTION,
    app,
    console,
    handle_errors,
    print_json,
    print_problems,
)


@app.command("check")
@handle_errors
def check(
    catalogue: Path = typer.Argument(..., help="The catalogue folder (collection.toml + items.csv or items.xlsx)."),
    quiet: bool = QUIET_OPTION,
    max_pixels: int = MAX_PIXELS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Check a catalogue and list every problem as file:line:column: message.

    Every media file the build decodes is opened and decoded too (images within --max-pixels, every PDF page).
    Exit 0 when it can be built (warnings are shown but allowed), 2 when it has errors.
    """
    from heritage_ld.catalogue import check_catalogue

    result = check_catalogue(catalogue, max_pixels=max_pixels)
    if as_json:
        c = result.collection
        print_json({"catalogue": str(catalogue), "ok": result.ok, "errors": len(result.errors),
                    "warnings": len(result.warnings), "items": len(c.items) if c else None,
                    "sections": len(c.sections) if c else None,
                    "media_files": sum(len(i.media) for i in c.items) if c else None,
                    "problems": [p.as_dict() for p in result.problems]})
        if result.errors:
            raise typer.Exit(2)
        return
    print_problems(result.problems)
    if result.errors:
        console.print(
            f"{catalogue}: {len(result.errors)} error(s), {len(result.warnings)} warning(s)",
            highlight=False, markup=False, soft_wrap=True,
        )
        raise typer.Exit(2)
    if not quiet and result.collection is not None:
        c = result.collection
        media = sum(len(i.media) for i in c.items)
        console.print(
            f"{catalogue}: OK: {len(c.items)} items in {len(c.sections)} sections, {media} media files, "
            f"{len(result.warnings)} warning(s)",
            highlight=False,
            markup=False,
            soft_wrap=True,  # one line even when piped (rich would wrap at 80 columns)
        )
