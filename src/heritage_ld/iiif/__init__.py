"""IIIF: Presentation 3.0 manifests and collections, level-0 Image API 3.0 tiles, and a manifest reader."""

from __future__ import annotations

from heritage_ld.iiif.collection import build_collection, build_exhibition_manifest
from heritage_ld.iiif.load import (
    CanvasRecord,
    CollectionRecord,
    ManifestRecord,
    PresentationVersionError,
    Reference,
    load,
)
from heritage_ld.iiif.manifest import ManifestBuilder, build_manifest
from heritage_ld.iiif.media import View, image_size, read_page_sizes, read_sizes, views
from heritage_ld.iiif.pdf import page_sizes, render_page
from heritage_ld.iiif.pyramid import Pyramid
from heritage_ld.iiif.serialize import dumps, order_keys, write_json
from heritage_ld.iiif.tiles import TileResult, available_backends, write_tiles
from heritage_ld.iiif.upgrade import upgrade

__all__ = [
    "CanvasRecord",
    "CollectionRecord",
    "ManifestBuilder",
    "ManifestRecord",
    "PresentationVersionError",
    "Pyramid",
    "Reference",
    "TileResult",
    "View",
    "available_backends",
    "build_collection",
    "build_exhibition_manifest",
    "build_manifest",
    "dumps",
    "image_size",
    "load",
    "order_keys",
    "page_sizes",
    "read_page_sizes",
    "read_sizes",
    "render_page",
    "upgrade",
    "views",
    "write_json",
    "write_tiles",
]
