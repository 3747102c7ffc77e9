"""Media files as IIIF sees them: their pixel size from the file header, and where the build publishes copies.

Files a manifest links to directly (PDFs in ``rendering``, a logo, images when tiles are not written) are copied
to ``OUT/iiif/media/{seg}/{file name}`` and published at ``{base_url}/iiif/media/{seg}/{file name}``, ``seg``
being the item's :func:`~heritage_ld.model.iri_segment` (``_collection`` for the collection's own files).
Originals are only read, never moved or changed.
"""

from __future__ import annotations

import errno
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from PIL import Image

from heritage_ld.atomic import temporary_path
from heritage_ld.decoding import DEFAULT_MAX_PIXELS, MediaUnreadable, TooManyPixels, open_image
from heritage_ld.errors import FormatError
from heritage_ld.model import Collection, Item, MediaFile, UrlScheme, iri_segment
from heritage_ld.problems import Location, report
from heritage_ld.storage.fetch import RemoteFile, problem_name
from heritage_ld.storage.listing import media_source, readable

__all__ = [
    "COLLECTION_SEGMENT",
    "ImageSizes",
    "PageSizes",
    "View",
    "image_size",
    "media_path",
    "media_url",
    "orientation",
    "page_image_path",
    "publish_media",
    "read_page_sizes",
    "read_sizes",
    "unreadable",
    "upright_size",
    "views",
]

#: The media folder of files that belong to the collection rather than an item (the publisher's logo).
COLLECTION_SEGMENT = "_collection"

#: Errors of a full disk (or quota).
_FULL = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})

#: Pixel sizes of image files, by their path in the catalogue.
ImageSizes = Mapping[PurePosixPath, tuple[int, int]]
#: The rendered pixel size of every page of PDF files, by their path in the catalogue
#: (:func:`heritage_ld.iiif.pdf.page_sizes`).
PageSizes = Mapping[PurePosixPath, tuple[tuple[int, int], ...]]


@dataclass(frozen=True, slots=True)
class View:
    """What one Canvas shows: an image, or one page (1-based) of a PDF rendered at ``width`` × ``height``."""

    media: MediaFile
    page: int | None
    width: int
    height: int

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height


#: EXIF orientations (tag 0x0112) that turn the stored image a quarter: the upright image is H × W.
_QUARTER_TURNS = frozenset({5, 6, 7, 8})


def orientation(im: Image.Image) -> int:
    """The EXIF orientation of an opened image (1 = as stored; 2-8 mirror and/or rotate), from its header."""
    try:
        value = im.getexif().get(0x0112, 1)
        return int(value) if 1 <= int(value) <= 8 else 1
    except (OSError, ValueError, TypeError, SyntaxError):  # a damaged EXIF block: the pixels as stored
        return 1


def upright_size(im: Image.Image) -> tuple[int, int]:
    """Width and height of an opened image as it is meant to be seen: its EXIF orientation applied.

    >>> from PIL import Image
    >>> im = Image.new("RGB", (30, 20)); exif = im.getexif(); exif[0x0112] = 6
    >>> upright_size(im), upright_size(Image.new("RGB", (30, 20)))
    ((20, 30), (30, 20))
    """
    width, height = im.size
    return (height, width) if orientation(im) in _QUARTER_TURNS else (width, height)


def unreadable(path: Path | str, exc: MediaUnreadable | OSError) -> FormatError:
    """The build-time failure for an image that cannot be used: ``I004`` over the pixel limit, else ``I003``."""
    if isinstance(exc, TooManyPixels):
        problem = report("I004", Location(str(path)), value=str(path), width=exc.width, height=exc.height,
                         pixels=f"{exc.width * exc.height:,}", limit=f"{exc.limit:,}")
    else:
        reason = exc.reason if isinstance(exc, MediaUnreadable) else (exc.strerror or str(exc))
        problem = report("I003", Location(str(path)), value=str(path), reason=reason)
    return FormatError(problem.render())


def image_size(path: Path | BinaryIO, *, max_pixels: int = DEFAULT_MAX_PIXELS, name: str | None = None) -> tuple[int, int]:
    """Width and height of an image as shown (EXIF orientation applied), from its header only (Pillow decodes
    no pixels until asked). A camera JPEG stored 4000 × 3000 with orientation 6 is 3000 × 4000. ``path`` may be a
    seekable binary stream (a file on object storage, read in ranges: only the header's bytes come), named in
    problems by ``name``.

    Raises:
        FormatError: the file is missing or is not an image Pillow can read (problem ``I003``), or it has more
            than ``max_pixels`` pixels (``I004``, :mod:`heritage_ld.decoding`).

    >>> import io, tempfile, pathlib
    >>> from PIL import Image
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "a.png"; Image.new("RGB", (30, 20)).save(f)
    >>> image_size(f)
    (30, 20)
    """
    try:
        with open_image(path, max_pixels=max_pixels) as im:
            width, height = upright_size(im)
    except (MediaUnreadable, OSError) as exc:  # a missing file, no permission: the file's problem, I003
        raise unreadable(name or (path if isinstance(path, Path) else str(getattr(path, "name", path))),
                         exc) from exc
    return int(width), int(height)


def read_sizes(collection: Collection, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> dict[PurePosixPath, tuple[int, int]]:
    """The pixel size of every image an item shows: from the catalogue when it gives one, else from the header.

    Raises:
        FormatError: an image has no known size and cannot be read (``collection.root`` unset or a bad file).
    """
    sizes: dict[PurePosixPath, tuple[int, int]] = {}
    for item in collection.items:
        for media in item.images:
            sizes[media.path] = known_size(media, collection.root, max_pixels=max_pixels)
    return sizes


def read_page_sizes(collection: Collection) -> dict[PurePosixPath, tuple[tuple[int, int], ...]]:
    """The rendered size of every page of every PDF an item shows, read from the files (no page is rendered).

    Raises:
        FormatError: a PDF cannot be opened, or ``collection.root`` is unset (problem ``I003``).
    """
    pages: dict[PurePosixPath, tuple[tuple[int, int], ...]] = {}
    for item in collection.items:
        for media in item.pdfs:
            pages[media.path] = known_pages(media, collection.root)
    return pages


def known_pages(media: MediaFile, root: Path | None) -> tuple[tuple[int, int], ...]:
    """The rendered page sizes of one PDF, read from the file under ``root``."""
    from heritage_ld.iiif.pdf import page_sizes  # imports pypdfium2 only when there is a PDF

    if root is None:
        problem = report("I003", Location(str(media.path)), value=str(media.path),
                         reason="its pages are not given and there is no catalogue folder to read them from")
        raise FormatError(problem.render())
    found = _source(root, media)
    with readable(found) as source:
        return page_sizes(source, name=problem_name(found))


def views(item: Item, *, sizes: ImageSizes, pages: PageSizes,
          images: tuple[MediaFile, ...] | None = None) -> tuple[View, ...]:
    """What the item's canvases show, in order: its images, then every page of its PDFs (catalogue order).

    Sizes come from ``sizes`` and ``pages``, else from the media files' own ``width``/``height``.

    Raises:
        FormatError: an image's size or a PDF's pages are unknown (problem ``I003``).

    >>> pdf = MediaFile(PurePosixPath("m/a.pdf"))
    >>> from heritage_ld.model import ItemKind, MultilingualText
    >>> item = Item("A", ItemKind.DOCUMENT, MultilingualText.of(en="A"), media=(pdf,))
    >>> [(v.page, v.size) for v in views(item, sizes={}, pages={pdf.path: ((1414, 2000), (2000, 1414))})]
    [(1, (1414, 2000)), (2, (2000, 1414))]
    """
    out = [View(m, None, *(sizes[m.path] if m.path in sizes else known_size(m, None)))
           for m in (item.images if images is None else images)]
    for media in item.pdfs:
        page_list = pages[media.path] if media.path in pages else known_pages(media, None)
        out.extend(View(media, n, w, h) for n, (w, h) in enumerate(page_list, start=1))
    return tuple(out)


def page_image_path(media: MediaFile, page: int) -> PurePosixPath:
    """The name of a rendered page's JPEG when tiles are not written (published beside the PDF).

    >>> page_image_path(MediaFile(PurePosixPath("media/HN.7.pdf")), 2)
    PurePosixPath('media/HN.7-p2.jpg')
    """
    return media.path.with_name(f"{media.path.stem}-p{page}.jpg")


def known_size(media: MediaFile, root: Path | None, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> tuple[int, int]:
    """The size of one image: ``media.width``/``height`` when set, else read from the file under ``root``."""
    if media.width is not None and media.height is not None:
        return media.width, media.height
    if root is None:
        problem = report("I003", Location(str(media.path)), value=str(media.path),
                         reason="no size given and no catalogue folder to read it from")
        raise FormatError(problem.render())
    found = _source(root, media)
    with readable(found) as source:
        return image_size(source, max_pixels=max_pixels, name=problem_name(found))


def _source(root: Path, media: MediaFile) -> Path | RemoteFile:
    """The file of ``media`` in the catalogue folder ``root`` (for a catalogue on object storage: on the store,
    :mod:`heritage_ld.storage.listing`); I003 when the store has no such file."""
    try:
        return media_source(root, media.path)
    except FileNotFoundError as exc:
        raise unreadable(str(exc.filename), exc) from exc


def media_path(segment: str, media: MediaFile | PurePosixPath) -> str:
    """The path, under the build output folder, of a published copy of a file.

    >>> media_path("HN1972.001", PurePosixPath("media/scan 1.pdf"))
    'iiif/media/HN1972.001/scan%201.pdf'
    """
    path = media.path if isinstance(media, MediaFile) else media
    return f"iiif/media/{segment}/{iri_segment(path.name)}"


def media_url(urls: UrlScheme, accession: str | None, media: MediaFile | PurePosixPath) -> str:
    """The public URL of a published copy of an item's file (``accession=None``: a collection file).

    >>> media_url(UrlScheme("https://example.org/h"), "A 1", PurePosixPath("media/a.pdf"))
    'https://example.org/h/iiif/media/A%201/a.pdf'
    """
    segment = COLLECTION_SEGMENT if accession is None else iri_segment(accession)
    return f"{urls.base_url}/{media_path(segment, media)}"


def publish_media(source: Path | RemoteFile, out: Path, relative: str) -> bool:
    """Copy ``source`` to ``out/relative`` unless an identical-size, not-older copy is there; True if copied.
    A file of a catalogue on object storage (:class:`RemoteFile`) is streamed from the store (no other copy).

    The copy goes to a temporary name first (``.NAME.PID.tmp``) and is renamed into place, so an interruption
    leaves no half file, and a failure (a full disk) no temporary.
    """
    target = out / relative
    try:
        size, mtime_ns = (source.size, source.mtime_ns) if isinstance(source, RemoteFile) else \
            ((st := source.stat()).st_size, st.st_mtime_ns)
        tt = target.stat()
        if size == tt.st_size and tt.st_mtime_ns >= mtime_ns:
            return False
    except FileNotFoundError:
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_path(target)
    try:
        with readable(source) as opened:
            if isinstance(opened, Path):
                shutil.copyfile(opened, tmp)
            else:  # a remote file's stream: all of it must come
                with open(tmp, "wb") as f:
                    shutil.copyfileobj(opened, f, 1 << 20)
                    got = f.tell()
                if isinstance(source, RemoteFile) and got != source.size:
                    raise OSError(errno.EIO, f"{got} bytes came of {source.size}", source.url)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.errno in _FULL:  # shutil names the source: the copy is what failed
            exc.filename, exc.filename2 = str(target), None
        raise
    tmp.replace(target)
    return True
