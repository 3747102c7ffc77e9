"""``heritage-ld iiif CATALOGUE -o OUT --base-url URL [--tiles/--no-tiles]``."""

from __future__ import annotations

from pathlib import Path

import typer

from heritage_ld.cli._app import (
    JOBS_OPTION,
    MAX_PIXELS_OPTION,
    QUIET_OPTION,
    app,
    console,
    handle_errors,
    progress_reporter,
)


@app.command("iiif")
@handle_errors
def iiif_command(
    catalogue: Path = typer.Argument(..., help="The catalogue folder."),
    out: Path = typer.Option(..., "--out", "-o", help="The output folder; IIIF files go to OUT/iiif/."),
    base_url: str = typer.Option(None, "--base-url", help="Public base URL of OUT (default: from collection.toml)."),
    tiles: bool = typer.Option(True, "--tiles/--no-tiles", help="Write static level-0 Image API tiles."),
    jobs: int = JOBS_OPTION,
    max_pixels: int = MAX_PIXELS_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Write IIIF Presentation 3 manifests, the exhibition collection and manifest, and level-0 image tiles.

    Example: heritage-ld iiif examples/hanoi-1972 -o build/iiif --base-url https://museum.example/hanoi-1972
    """
    from heritage_ld.catalogue import read_catalogue
    from heritage_ld.pipeline import BuildOptions, build

    collection = read_catalogue(catalogue, max_pixels=max_pixels)
    options = BuildOptions(base_url=base_url, tiles=tiles, max_pixels=max_pixels)
    with progress_reporter(quiet) as progress:
        report = build(collection, out, only=["iiif"], options=options, jobs=jobs, progress=progress)
    if not quiet:
        console.print(f"iiif: {report.results['iiif'].summary} in {report.seconds:.1f} s", highlight=False)
