"""What is inside the media files a build decodes: images decode within the pixel limit, PDFs have readable pages.

``check`` promises that ``build`` succeeds, so it opens every file the build will decode, through the same
functions (:mod:`heritage_ld.decoding`), and reports what the build would stop on at the cell that names it:

* every image an item shows (its access copy, else its master image): the header within ``max_pixels``
  (``C051``), then a complete decode (``C050``; JPEG at ⅛ scale, which still reads every compressed byte);
* every PDF whose pages the item shows: it opens, has pages, and each page loads with a size (``C052``).

Files that the build only copies (masters with an access copy, other documents) are not decoded: their bytes
go into the bags as they are. Files are checked in a few threads (decoding releases the GIL); each file once.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath

from heritage_ld.decoding import DEFAULT_MAX_PIXELS, MediaUnreadable, TooManyPixels, check_image, check_pdf
from heritage_ld.model import Item, MediaFile, MediaRole
from heritage_ld.problems import Location, Problem, report
from heritage_ld.storage.listing import media_source, readable
from heritage_ld.storage.store import StoreError

__all__ = ["check_media_content", "decoded_media"]

#: Threads decoding files in ``check`` (I/O and C code that releases the GIL; few, as each may hold a large
#: decoded image).
_WORKERS = min(4, os.cpu_count() or 1)


def decoded_media(item: Item) -> tuple[MediaFile, ...]:
    """The files of ``item`` that a build decodes (the images it shows, then the PDFs whose pages it shows)."""
    return (*item.images, *item.pdfs)


def _probe(root: Path, media: MediaFile, max_pixels: int) -> tuple[str, dict[str, str | int]] | None:
    """``(code, params)`` of what is wrong with one file, or ``None``."""
    try:
        # a remote catalogue's file is decoded from the store as it is read (no copy: :mod:`heritage_ld.storage.listing`)
        with readable(media_source(root, media.path)) as source:
            if media.is_pdf:
                check_pdf(source)
            else:
                check_image(source, max_pixels=max_pixels)
    except TooManyPixels as exc:
        return "C051", {"width": exc.width, "height": exc.height, "pixels": f"{exc.width * exc.height:,}",
                        "limit": f"{exc.limit:,}"}
    except MediaUnreadable as exc:
        return ("C052" if media.is_pdf else "C050"), {"reason": exc.reason}
    except OSError as exc:
        return "C018", {"reason": exc.strerror or str(exc)}
    except StoreError as exc:  # the store could not be read, or the file changed there since it was listed
        return "C018", {"reason": exc.problems[0].message if exc.problems else str(exc)}
    return None


def check_media_content(
    rows: Iterable[tuple[Item, Callable[[MediaRole], Location]]],
    root: Path,
    problems: list[Problem],
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    trusted: Callable[[PurePosixPath], bool] | None = None,
) -> None:
    """Decode every file the build will decode and append a problem for each one that fails.

    Args:
        rows: each item with a function giving the location of its ``master`` or ``access`` cell.
        root: the catalogue folder.
        problems: where problems are appended (located at the cell naming the file).
        max_pixels: refuse images with more pixels (``C051``).
        trusted: says which files need not be decoded again (a rebuild passes the files an earlier build
            decoded, unchanged since: same size and modification time, see
            :func:`heritage_ld.pipeline.incremental.trusted_media`).
    """
    where: dict[PurePosixPath, list[Location]] = {}
    files: dict[PurePosixPath, MediaFile] = {}
    for item, locate in rows:
        for media in decoded_media(item):
            files.setdefault(media.path, media)
            where.setdefault(media.path, []).append(locate(media.role))
    paths = [p for p in sorted(files) if trusted is None or not trusted(p)]
    if not paths:
        return

    def probe(path: PurePosixPath) -> tuple[str, dict[str, str | int]] | None:
        return _probe(root, files[path], max_pixels)

    if len(paths) == 1 or _WORKERS == 1:
        found = [probe(p) for p in paths]
    else:
        with ThreadPoolExecutor(_WORKERS, thread_name_prefix="check-media") as pool:
            found = list(pool.map(probe, paths))
    for path, outcome in zip(paths, found, strict=True):
        if outcome is None:
            continue
        code, params = outcome
        for loc in where[path]:
            problems.append(report(code, loc, value=str(path), **params))
