"""The command-line interface: thin commands over the public API. ``heritage-ld --help`` lists them."""

from __future__ import annotations

from heritage_ld.cli import (  # noqa: F401  (registers the commands)
    bag_cmd,
    build_cmd,
    check_cmd,
    example_cmd,
    iiif_cmd,
    ocfl_cmd,
    publish_cmd,
    rdf_cmd,
    serve_cmd,
)
from heritage_ld.cli._app import app

__all__ = ["app", "main"]


def main() -> None:
    """The ``heritage-ld`` console script."""
    app()
