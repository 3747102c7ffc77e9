"""``heritage-ld example synth --items N --media-size SIZE -o DIR``: example and synthetic catalogues."""

from __future__ import annotations

from pathlib import Path

import typer

from heritage_ld.cli._app import QUIET_OPTION, app, console, handle_errors
from heritage_ld.errors import UsageError
from heritage_ld.synth import MEDIA_FORMATS, write_synthetic_catalogue

example_app = typer.Typer(
    help="Example catalogues: generate a synthetic catalogue of any size for scale tests and benchmarks.",
    no_args_is_help=True,
)
app.add_typer(example_app, name="example")


@example_app.command("synth")
@handle_errors
def synth(
    out: Path = typer.Option(..., "--out", "-o", help="The catalogue folder to write (must not hold a catalogue)."),
    items: int = typer.Option(300, "--items", "-n", min=1, help="How many items (rows of items.csv)."),
    media_size: str = typer.Option("64KB", "--media-size", help="Size of each media file, e.g. 64KB, 1MB, 512KiB."),
    media: str = typer.Option("jpeg", "--media", help=f"Media files to write: {', '.join(MEDIA_FORMATS)}."),
    seed: int = typer.Option(0, "--seed", help="The same seed gives byte-identical output."),
    quiet: bool = QUIET_OPTION,
) -> None:
    """Write a synthetic catalogue (collection.toml, items.csv, media/) shaped like the Hanoi example.

    Three sections, people, groups, places, EDTF dates and real image files; check or build it like any
    catalogue. Exit 2 on a bad option or when OUT already holds a catalogue.

    Example: heritage-ld example synth --items 300 --media-size 64KB -o build/synthetic-300
    """
    try:
        result = write_synthetic_catalogue(out, items=items, media_size=media_size, media=media, seed=seed)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if not quiet:
        console.print(
            f"wrote {result.items} items and {result.media_files} media files "
            f"({result.media_bytes / 1e6:.1f} MB) to {result.path}",
            highlight=False,
        )
