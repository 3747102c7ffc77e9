"""PDF documents as IIIF images: the pixel size of each page, and each page rendered to RGB pixels.

Documents from archives are often PDFs. A viewer shows a Canvas per page, so each page is rendered once,
deterministically, and tiled like any image (:func:`heritage_ld.iiif.tiles.write_tiles`); the manifest keeps a
``rendering`` link to the PDF itself.

* The scale is fixed per page so that its long side is :data:`LONG_SIDE` pixels (about 170 dpi for A4): the
  rendered size is ``⌈w·s⌉ × ⌈h·s⌉`` with ``s = LONG_SIDE / max(w, h)``, ``w``, ``h`` the page size in points as
  PDFium gives it (crop box, after the page's ``/Rotate``). Page sizes are read without rendering anything, so
  a manifest can be built without the tiles.
* Rendering is PDFium's (``pypdfium2``) on a white background, RGB, forms and annotations drawn; the same file
  gives the same pixels, and Pillow's JPEG encoder the same bytes.
* PDFium is not thread-safe: every call into it holds one lock (:func:`heritage_ld.decoding.open_pdf`, shared
  with ``check``; threads of one process render one page at a time, processes render in parallel), and the JPEG
  encoding of the tiles runs outside it.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from PIL import Image

from heritage_ld.decoding import MediaUnreadable, open_pdf
from heritage_ld.errors import FormatError
from heritage_ld.problems import Location, report

__all__ = ["LONG_SIDE", "page_pixels", "page_sizes", "render_page"]

#: The long side of a rendered page, in pixels.
LONG_SIDE = 2000

def page_pixels(width: float, height: float) -> tuple[int, int]:
    """The rendered pixel size of a page of ``width`` × ``height`` points.

    >>> page_pixels(595, 842)  # A4 portrait
    (1414, 2000)
    >>> page_pixels(842, 595)
    (2000, 1414)
    """
    scale = _scale(width, height)
    return max(1, math.ceil(width * scale)), max(1, math.ceil(height * scale))


def _scale(width: float, height: float) -> float:
    if not (width > 0 and height > 0):
        raise ValueError(f"a page needs a positive size, not {width}x{height} pt")
    return LONG_SIDE / max(width, height)


def _fail(path: Path | str, exc: BaseException) -> FormatError:
    if isinstance(exc, MediaUnreadable):
        reason = exc.reason
    else:
        reason = f"not a PDF that PDFium can open ({str(exc) or type(exc).__name__})"
    problem = report("I003", Location(str(path)), value=str(path), reason=reason)
    return FormatError(problem.render())


@contextlib.contextmanager
def _document(path: Path | BinaryIO, name: Path | str) -> Iterator[Any]:
    """An open PDFium document, under PDFium's lock (:func:`heritage_ld.decoding.open_pdf`); I003 (about
    ``name``) when it cannot be opened. An error of the disk (``OSError`` with an errno) is raised as it is."""
    try:
        with open_pdf(path) as doc:
            yield doc
    except MediaUnreadable as exc:
        raise _fail(name, exc) from exc


def page_sizes(path: Path | BinaryIO, *, name: str | None = None) -> tuple[tuple[int, int], ...]:
    """The rendered pixel size of every page of a PDF, in page order, read without rendering. ``path`` may be a
    seekable binary stream (a PDF on object storage, read in ranges), ``name`` then names it in problems.

    Raises:
        FormatError: the file is missing, is not a PDF, is encrypted or has no page (problem ``I003``).

    >>> import tempfile, pathlib
    >>> from PIL import Image
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "a.pdf"
    >>> Image.new("RGB", (300, 200)).save(f, save_all=True, append_images=[Image.new("RGB", (100, 200))])
    >>> page_sizes(f)
    ((2000, 1334), (1000, 2000))
    """
    where = name if name is not None else path if isinstance(path, Path) else str(getattr(path, "name", "a PDF"))
    with _document(path, where) as doc:
        points = [doc.get_page_size(i) for i in range(len(doc))]
    if not points:
        raise _fail(where, ValueError("the document has no page"))
    try:
        return tuple(page_pixels(w, h) for w, h in points)
    except ValueError as exc:
        raise _fail(where, exc) from exc


def render_page(path: Path, page: int) -> Image.Image:
    """Page ``page`` (1-based) of a PDF as an RGB image of :func:`page_pixels` size.

    Raises:
        FormatError: the file cannot be opened or has no such page (problem ``I003``).
    """
    import pypdfium2 as pdfium

    with _document(path, path) as doc:
        try:
            if not 1 <= page <= len(doc):
                raise _fail(path, ValueError(f"it has no page {page}"))
            pdf_page = doc[page - 1]
            try:
                width, height = pdf_page.get_size()
                bitmap = pdf_page.render(scale=_scale(width, height), rev_byteorder=True, may_draw_forms=True)
                try:
                    image: Image.Image = bitmap.to_pil().convert("RGB")  # a copy: the buffer is freed below
                finally:
                    bitmap.close()
            finally:
                pdf_page.close()
        except (pdfium.PdfiumError, ValueError) as exc:
            raise _fail(path, exc) from exc
    want = page_pixels(width, height)
    if image.size != want:  # pragma: no cover - PDFium's size is ⌈w·s⌉ × ⌈h·s⌉, as page_pixels computes it
        image = image.resize(want, Image.Resampling.LANCZOS)
    return image
