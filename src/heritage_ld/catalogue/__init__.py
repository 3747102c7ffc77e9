"""Catalogue input: a folder with ``collection.toml`` and ``items.csv`` (or ``items.xlsx``) and the media files.

:func:`read_catalogue` gives a :class:`~heritage_ld.model.Collection` or raises
:class:`~heritage_ld.errors.CatalogueError` with every problem; :func:`check_catalogue` returns them all.
The format is documented in ``docs/catalogue.md``.
"""

from __future__ import annotations

from heritage_ld.catalogue.check import CheckResult, check_catalogue, read_catalogue

__all__ = ["CheckResult", "check_catalogue", "read_catalogue"]
