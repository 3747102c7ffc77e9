"""Opening the media files a build decodes, the same way for ``check`` and for ``build``.

``check`` promises that ``build`` will succeed, so both open images and PDFs through this one module:

* **Images** (Pillow) are refused above a pixel limit, read from the header before any pixel is decoded: a
  50,000 × 50,000 PNG of 300 KB would otherwise take gigabytes of memory (a *decompression bomb*). The limit is
  :data:`DEFAULT_MAX_PIXELS` unless a caller gives another (``--max-pixels`` on the command line). Pillow's own
  limit (``PIL.Image.MAX_IMAGE_PIXELS``, a warning above 89 million pixels, an error above 179 million) is
  replaced by this one while heritage-ld opens a file, and left as it was for everything else in the process.
* :func:`check_image` decodes the whole file without keeping it (JPEG at ⅛ scale, which still reads every byte
  of the compressed data), so a truncated or damaged file is found by ``check`` rather than half-way through a
  build.
* **PDFs** are opened with PDFium (``pypdfium2``), which is not thread-safe: every call holds one lock
  (:func:`open_pdf`). :func:`check_pdf` loads every page's size without rendering.

Failures are :class:`MediaUnreadable` (or :class:`TooManyPixels`); callers turn them into located problems.

>>> import tempfile, pathlib
>>> from PIL import Image
>>> f = pathlib.Path(tempfile.mkdtemp()) / "a.png"; Image.new("RGB", (300, 200)).save(f)
>>> check_image(f)
(300, 200)
>>> check_image(f, max_pixels=50_000)
Traceback (most recent call last):
...
heritage_ld.decoding.TooManyPixels: 300 × 200 pixels (60,000), more than the limit of 50,000
"""

from __future__ import annotations

import contextlib
import struct
import sys
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from heritage_ld.errors import HeritageLDError

if TYPE_CHECKING:
    from PIL import Image

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "MediaUnreadable",
    "TooManyPixels",
    "check_image",
    "check_pdf",
    "decode_image",
    "open_image",
    "open_pdf",
]

#: Images with more pixels than this are refused unless the caller allows more: 250 million pixels is a
#: 20,000 × 12,500 scan, about 1 GB of memory once decoded (Pillow keeps RGB as 4 bytes a pixel).
DEFAULT_MAX_PIXELS = 250_000_000

_OPEN_LOCK = threading.Lock()
_PDF_LOCK = threading.Lock()


class MediaUnreadable(HeritageLDError):
    """A media file cannot be opened or decoded; :attr:`reason` says why, in words a curator understands."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TooManyPixels(MediaUnreadable):
    """An image has more pixels than the limit (a decompression bomb, or a master larger than allowed)."""

    def __init__(self, width: int, height: int, limit: int) -> None:
        self.width, self.height, self.limit = width, height, limit
        super().__init__(f"{width} × {height} pixels ({width * height:,}), more than the limit of {limit:,}")


def _pillow_errors() -> tuple[type[BaseException], ...]:
    """What Pillow raises for a file it cannot identify or decode: a truncated file is an ``OSError`` without
    errno (``UnidentifiedImageError`` is one too); damaged headers raise the others. Pillow is imported on first
    use, so that the command line starts without it."""
    from PIL import Image

    return (OSError, ValueError, SyntaxError, EOFError, IndexError, struct.error, Image.DecompressionBombError)


def _reason(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def _is_disk_error(exc: BaseException) -> bool:
    """An OS error with an errno (no space, no permission, I/O error …) is the machine's, not the file's."""
    return isinstance(exc, OSError) and exc.errno is not None


def open_image(path: Path | BinaryIO, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> Image.Image:
    """Open an image (header only: no pixel is decoded yet), refusing more than ``max_pixels`` pixels.
    ``path`` may be a seekable binary stream (a file on object storage: only the header's bytes are read).

    Raises:
        TooManyPixels: the header declares more than ``max_pixels`` pixels.
        MediaUnreadable: Pillow cannot identify the file.
        OSError: the file cannot be read (missing, permissions, an I/O error).
    """
    from PIL import Image, UnidentifiedImageError

    # Pillow checks its own global limit inside Image.open; heritage-ld's limit replaces it for this call only.
    # The lock keeps the swap consistent between the threads of a build (opening reads a header: microseconds).
    # Pillow's warnings about a damaged header (e.g. "Corrupt EXIF data") are silenced: the file either opens
    # and is used, or is reported as a problem.
    with _OPEN_LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        saved = Image.MAX_IMAGE_PIXELS
        # Not None: Pillow reads the global twice (``is None``, then ``2 * MAX_IMAGE_PIXELS``), and another thread
        # opening an image without this lock (the tiler) would get a TypeError if the swap fell in between.
        Image.MAX_IMAGE_PIXELS = sys.maxsize // 4
        try:
            im = Image.open(path)
        except UnidentifiedImageError as exc:
            raise MediaUnreadable("its header cannot be read (a truncated or damaged file, or not an image "
                                  "format Pillow reads)") from exc
        except _pillow_errors() as exc:
            if _is_disk_error(exc):
                raise
            raise MediaUnreadable(_reason(exc)) from exc
        finally:
            Image.MAX_IMAGE_PIXELS = saved
    width, height = im.size
    if width * height > max_pixels:
        im.close()
        raise TooManyPixels(width, height, max_pixels)
    return im


def decode_image(path: Path | BinaryIO, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> Image.Image:
    """Open and decode an image (all its pixels in memory), refusing more than ``max_pixels`` pixels.

    Raises:
        TooManyPixels, MediaUnreadable: as :func:`open_image`, or the data is truncated or damaged.
    """
    im = open_image(path, max_pixels=max_pixels)
    try:
        im.load()
    except _pillow_errors() as exc:
        im.close()
        if _is_disk_error(exc):
            raise
        raise MediaUnreadable(_reason(exc)) from exc
    return im


def check_image(path: Path | BinaryIO, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> tuple[int, int]:
    """Check that an image decodes completely within ``max_pixels``; return its stored width and height.

    A JPEG is decoded at ⅛ scale (libjpeg still reads every compressed byte, so truncation is found, at a
    fraction of the cost); other formats are decoded in full, as the build will. Nothing is kept.

    Raises:
        TooManyPixels, MediaUnreadable: as :func:`decode_image`.
    """
    with open_image(path, max_pixels=max_pixels) as im:
        size = im.size
        try:
            if im.format == "JPEG":
                im.draft(im.mode, (max(1, size[0] // 8), max(1, size[1] // 8)))
            im.load()
        except _pillow_errors() as exc:
            if _is_disk_error(exc):
                raise
            raise MediaUnreadable(_reason(exc)) from exc
    return int(size[0]), int(size[1])


@contextlib.contextmanager
def open_pdf(path: Path | BinaryIO) -> Iterator[Any]:
    """An open ``pypdfium2.PdfDocument``, used under PDFium's lock (PDFium is not thread-safe).

    Raises:
        MediaUnreadable: PDFium cannot open the file (damaged, truncated, encrypted, not a PDF).
        OSError: the file cannot be read.
    """
    import pypdfium2 as pdfium

    with _PDF_LOCK:
        try:
            doc = pdfium.PdfDocument(path)
        except pdfium.PdfiumError as exc:
            raise MediaUnreadable(f"not a PDF that PDFium can open ({_reason(exc)})") from exc
        except (OSError, ValueError) as exc:
            if _is_disk_error(exc):
                raise
            raise MediaUnreadable(f"not a PDF that PDFium can open ({_reason(exc)})") from exc
        try:
            yield doc
        finally:
            doc.close()


def check_pdf(path: Path | BinaryIO) -> tuple[tuple[float, float], ...]:
    """Open a PDF and load every page (no rendering); return each page's size in points.

    Raises:
        MediaUnreadable: the file does not open, has no page, or a page cannot be loaded or has no size.

    >>> import tempfile, pathlib
    >>> from PIL import Image
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "a.pdf"
    >>> Image.new("RGB", (300, 200)).save(f, resolution=72.0)
    >>> check_pdf(f)
    ((300.0, 200.0),)
    """
    import pypdfium2 as pdfium

    sizes: list[tuple[float, float]] = []
    with open_pdf(path) as doc:
        for index in range(len(doc)):
            try:
                page = doc[index]
                try:
                    width, height = page.get_size()
                finally:
                    page.close()
            except (pdfium.PdfiumError, ValueError) as exc:
                raise MediaUnreadable(f"page {index + 1} cannot be loaded ({_reason(exc)})") from exc
            if not (width > 0 and height > 0):
                raise MediaUnreadable(f"page {index + 1} has no size ({width} × {height} pt)")
            sizes.append((float(width), float(height)))
    if not sizes:
        raise MediaUnreadable("the document has no page")
    return tuple(sizes)
