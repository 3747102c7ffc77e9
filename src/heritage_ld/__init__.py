"""heritage-ld: linked data, preservation packages, IIIF and publishing for museum collections.

>>> import heritage_ld
>>> collection = heritage_ld.read_catalogue("examples/hanoi-1972")   # doctest: +SKIP
>>> heritage_ld.build(collection, "build/hanoi-1972")                 # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from heritage_ld._lazy import exports
from heritage_ld._version import __version__
from heritage_ld.errors import (
    CatalogueError,
    ExecutionError,
    FormatError,
    HeritageLDError,
    InvalidError,
    UsageError,
)
from heritage_ld.problems import Location, Problem, Severity

if TYPE_CHECKING:
    from heritage_ld.catalogue import CheckResult, check_catalogue, read_catalogue
    from heritage_ld.catalogue.validate import validate
    from heritage_ld.formats import FORMATS, Format
    from heritage_ld.model import (
        Agent,
        AgentKind,
        Attribution,
        Collection,
        Concept,
        Dimension,
        EDTFDate,
        EDTFError,
        Item,
        ItemKind,
        ItemSequence,
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
    from heritage_ld.pipeline.remote import build_catalogue
    from heritage_ld.pipeline.single import bag_item, item_files
    from heritage_ld.rdf.edm import edm_record
    from heritage_ld.storage import Store, StoreError

# Loaded on first use (see heritage_ld._lazy): importing one module of the package stays cheap.
__getattr__, __dir__ = exports(__name__, globals(), {
    "CheckResult": "heritage_ld.catalogue",
    "check_catalogue": "heritage_ld.catalogue",
    "read_catalogue": "heritage_ld.catalogue",
    "validate": "heritage_ld.catalogue.validate",
    "FORMATS": "heritage_ld.formats",
    "Format": "heritage_ld.formats",
    "Agent": "heritage_ld.model",
    "AgentKind": "heritage_ld.model",
    "Attribution": "heritage_ld.model",
    "Collection": "heritage_ld.model",
    "Concept": "heritage_ld.model",
    "Dimension": "heritage_ld.model",
    "EDTFDate": "heritage_ld.model",
    "EDTFError": "heritage_ld.model",
    "Item": "heritage_ld.model",
    "ItemKind": "heritage_ld.model",
    "ItemSequence": "heritage_ld.model",
    "MediaFile": "heritage_ld.model",
    "MediaRole": "heritage_ld.model",
    "MultilingualText": "heritage_ld.model",
    "Place": "heritage_ld.model",
    "Section": "heritage_ld.model",
    "SourceType": "heritage_ld.model",
    "UrlScheme": "heritage_ld.model",
    "parse_edtf": "heritage_ld.model",
    "BuildOptions": "heritage_ld.pipeline",
    "BuildReport": "heritage_ld.pipeline",
    "build": "heritage_ld.pipeline",
    "build_catalogue": "heritage_ld.pipeline.remote",
    "Store": "heritage_ld.storage",
    "StoreError": "heritage_ld.storage",
    "bag_item": "heritage_ld.pipeline.single",
    "item_files": "heritage_ld.pipeline.single",
    "edm_record": "heritage_ld.rdf.edm",
})

__all__ = [
    "FORMATS",
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
    "EDTFError",
    "ExecutionError",
    "Format",
    "FormatError",
    "HeritageLDError",
    "InvalidError",
    "Item",
    "ItemKind",
    "ItemSequence",
    "Location",
    "MediaFile",
    "MediaRole",
    "MultilingualText",
    "Place",
    "Problem",
    "Section",
    "Severity",
    "SourceType",
    "Store",
    "StoreError",
    "UrlScheme",
    "UsageError",
    "__version__",
    "bag_item",
    "build",
    "build_catalogue",
    "check_catalogue",
    "edm_record",
    "item_files",
    "parse_edtf",
    "read_catalogue",
    "validate",
]
