"""``heritage-ld check CATALOGUE``."""

from __future__ import annotations

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
from heritage_ld.errors import UsageError


@app.command("check")
@handle_errors
def check(
    catalogue: str = typer.Argument(..., help="The catalogue folder (collection.toml + items.csv or items.xlsx), or "
                                    "its URL (s3://bucket/prefix, any fsspec URL: its own files are brought into --cache, its media "
                                    "files decoded as they stream from the store)."),
    quiet: bool = QUIET_OPTION,
    max_pixels: int = MAX_PIXELS_OPTION,
    as_json: bool = JSON_OPTION,
    outputs: list[str] = typer.Option(
        [], "--for", help="An output that will be published (oai, edm; repeatable): the warnings that concern it "
        "count as errors (a missing OAI-PMH contact, what EDM requires)."),
    cache: str = typer.Option(None, "--cache", help="Local folder for a remote catalogue's own files and listing "
                              "(default: ~/.cache/heritage-ld)."),
) -> None:
    """Check a catalogue and list every problem as file:line:column: message.

    Every media file the build decodes is opened and decoded too (images within --max-pixels, every PDF page).
    Exit 0 when it can be built (warnings are shown but allowed), 2 when it has errors, or warnings an output
    named with --for needs.

    Example: heritage-ld check examples/hanoi-1972
    """
    from heritage_ld.catalogue import check_catalogue
    from heritage_ld.catalogue.aggregators import blocking

    try:
        required = blocking((), outputs)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    from heritage_ld.pipeline.remote import local_catalogue

    result = check_catalogue(local_catalogue(catalogue, cache=cache), max_pixels=max_pixels, outputs=outputs)
    if as_json:
        c = result.collection
        required = blocking(result.warnings, outputs)
        print_json({"catalogue": str(catalogue), "ok": result.ok and not required, "errors": len(result.errors),
                    "warnings": len(result.warnings), "items": len(c.items) if c else None,
                    "sections": len(c.sections) if c else None,
                    "media_files": sum(len(i.media) for i in c.items) if c else None,
                    "needed_for": sorted(outputs) if required else [],
                    "problems": [p.as_dict() for p in result.problems]})
        if result.errors or required:
            raise typer.Exit(2)
        return
    print_problems(result.problems)
    required = blocking(result.warnings, outputs)
    if result.errors or required:
        console.print(
            f"{catalogue}: {len(result.errors)} error(s), {len(result.warnings)} warning(s)"
            + (f", {len(required)} of them needed for {', '.join(outputs)}" if required else ""),
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
