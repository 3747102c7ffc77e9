"""heritage-ld: linked data, preservation packages, IIIF and publishing for museum collections.

>>> import heritage_ld
>>> collection = heritage_ld.read_catalogue("examples/hanoi-1972")   # doctest: +SKIP
>>> heritage_ld.build(collection, "build/hanoi-1972")                 # doctest: +SKIP
"""

from __future__ import annotations

from heritage_ld._version import __version__
from heritage_ld.catalogue import CheckResult, check_catalogue, read_catalogue
from heritage_ld.errors import CatalogueError, FormatError, HeritageLDError, InvalidError, UsageError
from heritage_ld.model import (
    Agent,
    AgentKind,
    Attribution,
    Collection,
    Concept,
    Dimension,
    EDTFDate,
    Item,
    ItemKind,
    MediaFile,
    MediaRole,
    MultilingualText,
    Place,
    Section,
    SourceType,
    UrlScheme,
    parse_edtf,
)
from heritage_ld.pipeline import BuildOptions, BuildReport, build
from heritage_ld.problems import Location, Problem, Severity

__all__ = [
    "Agent",
    "AgentKind",
    "Attribution",
    "BuildOptions",
    "BuildReport",
    "CatalogueError",
    "CheckResult",
    "Collection",
    "Concept",
    "Dimension",
    "EDTFDate",
    "FormatError",
    "HeritageLDError",
    "InvalidError",
    "Item",
    "ItemKind",
    "Location",
    "MediaFile",
    "MediaRole",
    "MultilingualText",
    "Place",
    "Problem",
    "Section",
    "Severity",
    "SourceType",
    "UrlScheme",
    "UsageError",
    "__version__",
    "build",
    "check_catalogue",
    "parse_edtf",
    "read_catalogue",
]
