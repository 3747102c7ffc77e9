"""Finding what the other build steps wrote in ``OUT``: image services, their static sizes, RDF files, bags.

Publishing never knows how an artefact was made; it only looks for it where the :class:`UrlScheme` says it is
and uses it when present. Thumbnails come from a level-0 IIIF image service's pre-rendered ``sizes`` (IIIF
Image API 3.0 §5.3, canonical size ``w,h`` §4.7) or, when the ``iiif`` step did not run, are made with Pillow
from the item's access copy into ``OUT/site/thumbs/``.

>>> from heritage_ld.model import UrlScheme
>>> pick_size([(100, 80), (400, 320), (1600, 1280)], want=240)
(400, 320)
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from heritage_ld.iiif.pyramid import Pyramid
from heritage_ld.model import Item, UrlScheme, iri_segment
from heritage_ld.storage.fetch import RemoteFile

__all__ = [
    "ImageService",
    "datestamp_of",
    "find_image_services",
    "image_service",
    "make_thumbnail",
    "pick_size",
    "rdf_path",
]

#: The thumbnail width the site asks for (pixels); the nearest pre-rendered size at least this wide is used.
THUMB_WIDTH = 320


@dataclass(frozen=True, slots=True)
class ImageService:
    """A static IIIF image service in OUT: its ``info.json`` path (relative to OUT) and its pre-rendered sizes."""

    info: str
    width: int
    height: int
    sizes: tuple[tuple[int, int], ...]
    #: Paths (relative to OUT) of pre-rendered full images by size, those that exist on disk.
    size_files: tuple[tuple[tuple[int, int], str], ...]

    def size_file(self, want: int) -> str | None:
        """The path of the pre-rendered image nearest ``want`` pixels wide (at least that, if any)."""
        available = [s for s, _ in self.size_files]
        if not available:
            return None
        best = pick_size(available, want=want)
        return dict(self.size_files)[best]


def pick_size(sizes: list[tuple[int, int]], *, want: int) -> tuple[int, int]:
    """The smallest size at least ``want`` wide, else the largest one."""
    wide = sorted(s for s in sizes if s[0] >= want)
    return wide[0] if wide else max(sizes)


def _size_paths(root: str, w: int, h: int) -> list[str]:
    # Image API 3.0 canonical form is "w,h" (§4.7); 2.x tiles use "w,". Accept either.
    return [f"{root}/full/{w},{h}/0/default.jpg", f"{root}/full/{w},/0/default.jpg"]


def _read_service(out: Path, root: str, complete: bool = False) -> ImageService | None:
    info_path = out / root / "info.json"
    try:
        info = json.loads(info_path.read_text(encoding="utf-8"))
        width, height = int(info["width"]), int(info["height"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    sizes = tuple(
        (int(s["width"]), int(s["height"])) for s in info.get("sizes", []) if "width" in s and "height" in s
    )
    files = []
    # A set on a store: its info.json is written last, so every file of its pyramid is there (the tiler writes
    # Pyramid.paths(); the full size is "full/max", not one of the size paths looked for here).
    stored = frozenset(f"{root}/{p}" for p in Pyramid(width, height).paths()) if complete else frozenset()
    def there(candidate: str) -> bool:
        return candidate in stored or (not complete and (out / candidate).is_file())

    for w, h in sizes:
        for candidate in _size_paths(root, w, h):
            if there(candidate):
                files.append(((w, h), candidate))
                break
    full = f"{root}/full/max/0/default.jpg"
    if not files and (width, height) in sizes and there(full):
        # An image no larger than a tile has one size, its full size, which the tiler writes as "full/max" only:
        # that file is its picture (without it the site showed no picture for small images).
        files.append(((width, height), full))
    return ImageService(f"{root}/info.json", width, height, sizes, tuple(files))


def find_image_services(out: Path, urls: UrlScheme, item: Item, *, complete: bool = False) -> list[ImageService]:
    """The item's static IIIF image services present in OUT, in canvas order (images, then PDF pages).

    Numbering is dense from 1 (``UrlScheme.image_service``), so the first missing number ends the list; empty
    when IIIF did not run. ``complete``: the tile sets were sent to object storage and OUT (the working copy)
    holds only their ``info.json``; every size it declares is taken to be there, in the canonical ``w,h`` form.
    """
    found = []
    n = 1
    while (service := _read_service(out, urls.path(urls.image_service(item.accession, n)), complete)) is not None:
        found.append(service)
        n += 1
    return found


def image_service(out: Path, urls: UrlScheme, accession: str, index: int = 1) -> ImageService | None:
    """The ``index``-th (1-based) static IIIF image service of an item in OUT, or ``None`` when absent."""
    return _read_service(out, urls.path(urls.image_service(accession, index)))


def make_thumbnail(source: Path | RemoteFile, target: Path, *, width: int = THUMB_WIDTH) -> tuple[int, int] | None:
    """Write a JPEG thumbnail of ``source`` at most ``width`` pixels wide; its size, or ``None`` if unreadable.
    A file of a catalogue on object storage (:class:`~heritage_ld.storage.fetch.RemoteFile`) is decoded as it
    streams from the store.

    The original is only read (never written); EXIF orientation is applied. An unreadable source gives
    ``None``; a failure to write the thumbnail (a full disk) raises ``OSError``.
    """
    from PIL import ImageOps

    from heritage_ld.decoding import MediaUnreadable, open_image
    from heritage_ld.storage.listing import readable
    from heritage_ld.storage.store import StoreError

    try:
        with readable(source) as stream, open_image(stream) as img:
            thumb = ImageOps.exif_transpose(img)
            thumb.thumbnail((width, width * 4))
            thumb = thumb.convert("RGB")
    except (MediaUnreadable, OSError, ValueError, StoreError):
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    thumb.save(target, "JPEG", quality=82, optimize=True)
    return thumb.size


def rdf_path(urls: UrlScheme, accession: str, extension: str) -> str:
    """The path under OUT of an item's RDF file in one format (``ttl``, ``jsonld``, ``nt``, ``rdf``, ``nq``).

    >>> rdf_path(UrlScheme("https://example.org/c"), "HN 1", "ttl")
    'rdf/object/HN%201.ttl'
    """
    return urls.path(urls.rdf_file(accession, extension))


def datestamp_of(out: Path, accession: str, fixed: int | None) -> datetime:
    """The OAI-PMH datestamp of an item: the build's fixed time, else the mtime of its RDF (or the snapshot).

    Seconds granularity, UTC (OAI-PMH 2.0 §3.3.1).
    """
    if fixed is not None:
        return datetime.fromtimestamp(fixed, tz=timezone.utc)
    seg = iri_segment(accession)
    for candidate in (out / "rdf" / "object" / f"{seg}.nt", out / "site" / "data" / "exhibition.json"):
        try:
            return datetime.fromtimestamp(int(os.stat(candidate).st_mtime), tz=timezone.utc)
        except OSError:
            continue
    return datetime.fromtimestamp(0, tz=timezone.utc)
