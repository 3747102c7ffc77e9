"""One item, the way the build makes it: its bag (:func:`bag_item`) and its files (:func:`item_files`).

The build writes every item's RDF and manifest under ``OUT`` and bags them from there; these functions make
the same bytes from the model alone, for a tool that handles one item at a time (a collection management
system exporting the record it just saved). The model is validated first (:func:`heritage_ld.validate`).
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from heritage_ld.catalogue.validate import require_valid
from heritage_ld.errors import UsageError
from heritage_ld.formats import JSON_LD, TURTLE
from heritage_ld.model import Collection, Item, UrlScheme

if TYPE_CHECKING:
    from heritage_ld.bags import BagReport

__all__ = ["bag_item", "item_files"]


def item_files(item: Item, collection: Collection, *, base_url: str | None = None,
               tiles: bool = True) -> dict[str, bytes]:
    """The item's metadata files as the build writes them, by their path under ``OUT``: its RDF in Turtle
    and Linked Art JSON-LD, and its IIIF manifest when it has an image or a PDF.

    >>> from heritage_ld.model import ItemKind, MultilingualText
    >>> c = Collection("h", MultilingualText.of(en="H"), "https://example.org/h",
    ...                items=(Item("A.1", ItemKind.ARTIFACT, MultilingualText.of(en="Helmet")),))
    >>> sorted(item_files(c.items[0], c))
    ['rdf/object/A.1.jsonld', 'rdf/object/A.1.ttl']

    Raises:
        CatalogueError: the collection or the item has errors.
    """
    from heritage_ld.iiif import build_manifest, dumps
    from heritage_ld.rdf import item_document

    require_valid(collection, item)
    urls = UrlScheme(base_url or collection.base_url)
    files = {urls.path(urls.rdf_file(item.accession, fmt.extension)): item_document(item, collection, fmt, urls=urls)
             for fmt in (TURTLE, JSON_LD)}
    if item.has_manifest:
        manifest = build_manifest(item, collection, urls=urls, tiles=tiles)
        files[urls.path(urls.manifest(item.accession))] = dumps(manifest, ordered=True)
    return files


def bag_item(item: Item, collection: Collection, target: Path | str, *, base_url: str | None = None,
             tiles: bool = True, algorithms: tuple[str, ...] = ("sha256", "sha512"), replace: bool = False,
             date: datetime | None = None) -> BagReport:
    """Write the BagIt bag of one item at ``target``, as ``heritage-ld build`` writes ``OUT/bags/<accession>``:
    the untouched originals under ``data/`` (their paths in the catalogue kept), ``metadata/item.ttl``,
    ``metadata/item.jsonld`` and ``metadata/manifest.json`` as tag files, the same ``bag-info.txt``, and a
    PREMIS event log. Returns the :class:`heritage_ld.bags.BagReport`.

    Args:
        item: the item; its media files are read under ``collection.root``.
        collection: its collection (``root`` must be set when the item has media files).
        target: the bag folder to create.
        base_url: the base of every IRI (default: the collection's).
        tiles: whether the manifest points at level-0 tiles (as the build's default) or at the files.
        algorithms: checksum algorithms.
        replace: replace an existing bag at ``target``.
        date: the bagging date (default: ``SOURCE_DATE_EPOCH``, else now).

    Raises:
        CatalogueError: the collection or the item has errors (nothing is written).
        UsageError: ``target`` exists (without ``replace``), or the item has media and no ``collection.root``.
    """
    from heritage_ld.bags import EVENTS_FILE, write_bag
    from heritage_ld.pipeline.steps.bags import bag_info
    from heritage_ld.storage.fetch import local_path
    from heritage_ld.storage.listing import media_source

    tags = item_files(item, collection, base_url=base_url, tiles=tiles)
    urls = UrlScheme(base_url or collection.base_url)
    if item.media and collection.root is None:
        raise UsageError(f"item {item.accession!r} has media files but the collection has no root folder to read "
                         "them from: set Collection.root")
    root = collection.root or Path(".")
    # The bag holds the file a link inside the catalogue points to, under the catalogue's name (as the build);
    # a catalogue on object storage: the file fetched once onto this machine.
    sources = {str(m.path): local_path(media_source(root, m.path)) for m in item.media}
    names = {urls.path(urls.rdf_file(item.accession, "ttl")): "metadata/item.ttl",
             urls.path(urls.rdf_file(item.accession, "jsonld")): "metadata/item.jsonld",
             urls.path(urls.manifest(item.accession)): "metadata/manifest.json"}
    from heritage_ld.pipeline.build import source_date
    from heritage_ld.pipeline.steps.crate import crate_spec

    epoch = source_date()
    published = int(date.timestamp()) if date is not None else (epoch if epoch is not None else int(time.time()))
    crate = crate_spec(collection, item, urls, published=published, formats={})  # the build's RO-Crate
    return write_bag(sources, target, algorithms=algorithms, info=bag_info(collection, item),
                     tag_files={names[path]: data for path, data in tags.items()}, replace=replace, date=date,
                     events_base=f"{urls.bag(item.accession)}/{EVENTS_FILE}", crate=crate)
