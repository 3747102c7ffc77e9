"""Static level-0 Image API 3.0 tiles: an ``info.json`` and every tile and size it declares, as JPEG files.

The geometry is :class:`~heritage_ld.iiif.pyramid.Pyramid`'s. Pixels come from Pillow by default, or from
pyvips (libvips' ``dzsave``, the optional extra ``heritage-ld[images]``) on request; both give the same files,
pixel sizes and paths (the JPEG bytes differ between the two, and are the same from run to run with each).

* The image is decoded once; each scale factor is the previous level halved (a 2×2 box filter, rounding up, so
  level ``s`` is exactly ``⌈W/s⌉ × ⌈H/s⌉``) and cut into 512-pixel tiles.
* ``full/max/0/default.jpg`` is a byte copy of the source when it is already a plain JPEG, else an encoding.
* TIFF masters (8 or 16 bits, RGB, grey, CMYK, with alpha) become 8-bit RGB or grey JPEG. The EXIF orientation
  is applied (a camera JPEG stored on its side is tiled upright), matching the size the canvas declares
  (:func:`heritage_ld.iiif.media.image_size`); such a JPEG is re-encoded for ``full/max``, not copied.
* Files go to ``{dir}.part`` first and replace ``{dir}`` only when complete, so an interrupted run never leaves
  an ``info.json`` that declares tiles that are not there.
"""

from __future__ import annotations

import io
import shutil
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from PIL import Image, ImageOps

from heritage_ld.decoding import DEFAULT_MAX_PIXELS, MediaUnreadable, decode_image
from heritage_ld.errors import FormatError
from heritage_ld.iiif.media import image_size, orientation, unreadable
from heritage_ld.iiif.pyramid import Pyramid, Tile
from heritage_ld.iiif.serialize import dumps
from heritage_ld.storage.store import PART, Store

__all__ = ["BACKENDS", "DEFAULT_BACKEND", "INFO", "STORE_WORKERS", "TileResult", "available_backends", "write_tiles",
           "write_tiles_to_store"]

#: The file that makes a tile set complete: written last, on disk and on a store alike.
INFO = "info.json"
#: Threads sending one tile set's files to a store (each file one request: they overlap the latency).
STORE_WORKERS = 8
#: JPEG quality of tiles and sizes (libvips' dzsave default is 75; 85 keeps photographs' grain).
QUALITY = 85
BACKENDS = ("pillow", "pyvips")
#: Pillow is the default even where pyvips is installed: measured on a 6000×4000 JPEG it writes the same files
#: in 0.5-0.8 s against 1.4-1.9 s for the pyvips path (dzsave + sizes) here (see docs/performance.md).
DEFAULT_BACKEND = "pillow"


@dataclass(frozen=True, slots=True)
class TileResult:
    """What :func:`write_tiles` wrote for one image."""

    directory: Path
    width: int
    height: int
    files: int
    backend: str


def available_backends() -> tuple[str, ...]:
    """The tile backends that work here: ``pillow`` always, ``pyvips`` when it imports (and libvips loads)."""
    try:
        import pyvips  # noqa: F401
    except (ImportError, OSError):
        return ("pillow",)
    return BACKENDS


def _to_jpeg_mode(im: Image.Image) -> Image.Image:
    if im.mode in ("RGB", "L"):
        return im
    if im.mode.startswith("I;16") or im.mode == "I":  # 16-bit grey TIFF: keep the high byte
        return im.convert("I").point(lambda v: v / 256).convert("L")
    if im.mode in ("LA", "La"):
        return im.convert("L")
    return im.convert("RGB")  # RGBA, P, CMYK, YCbCr, RGB;16 …


class _Writer:
    """Encodes JPEG files, in ``workers`` threads (Pillow releases the GIL while encoding to a file)."""

    def __init__(self, root: Path, workers: int) -> None:
        self.root = root
        self.count = 0
        self._made: set[Path] = set()
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="tiles") if workers > 1 else None
        self._pending: list[Future[None]] = []

    def path(self, relative: str) -> Path:
        target = self.root / relative
        parent = target.parent
        if parent not in self._made:
            parent.mkdir(parents=True, exist_ok=True)
            self._made.add(parent)
        self.count += 1
        return target

    def save(self, im: Image.Image, relative: str) -> None:
        target = self.path(relative)
        if self._pool is None:
            _save(im, target)
        else:
            self._pending.append(self._pool.submit(_save, im, target))

    def copy(self, source: Path | BinaryIO, relative: str) -> None:
        """The bytes of ``source`` as ``relative`` (a plain JPEG master as ``full/max``)."""
        if isinstance(source, Path):
            shutil.copyfile(source, self.path(relative))
        else:
            source.seek(0)
            with open(self.path(relative), "wb") as f:
                shutil.copyfileobj(source, f, PART)

    def wait(self) -> None:
        pending, self._pending = self._pending, []
        for f in pending:
            f.result()

    def close(self) -> None:
        try:
            self.wait()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)


class _StoreWriter(_Writer):
    """:class:`_Writer` for a tile set on object storage: each file encoded in memory and sent in one ``PUT``
    (tiles are tens of KB; no temporary file), in ``workers`` threads, which also overlap the requests' latency.
    :attr:`written` holds the relative paths sent."""

    def __init__(self, store: Store, workers: int) -> None:
        super().__init__(Path("."), workers)
        self.store = store
        self.written: set[str] = set()

    def path(self, relative: str) -> Path:  # pragma: no cover - never a local path
        raise NotImplementedError("a tile set on a store has no local paths")

    def _put(self, im: Image.Image, relative: str) -> None:
        buffer = io.BytesIO()
        _encode(im, buffer)
        self.store.write_bytes(relative, buffer.getvalue())

    def save(self, im: Image.Image, relative: str) -> None:
        self.count += 1
        self.written.add(relative)
        if self._pool is None:
            self._put(im, relative)
        else:
            self._pending.append(self._pool.submit(self._put, im, relative))

    def copy(self, source: Path | BinaryIO, relative: str) -> None:
        self.count += 1
        self.written.add(relative)
        if isinstance(source, Path):
            with open(source, "rb") as f:
                self.store.write_stream(relative, iter(lambda: f.read(PART), b""))
        else:
            source.seek(0)
            self.store.write_stream(relative, iter(lambda: source.read(PART), b""))


def _encode(im: Image.Image, target: Path | io.BytesIO) -> None:
    im.save(target, "JPEG", quality=QUALITY, optimize=False, progressive=False)


def _save(im: Image.Image, target: Path) -> None:
    """Encode one file; an ``OSError`` names it (a failed ``write`` names no file: a full disk must say where)."""
    try:
        _encode(im, target)
    except OSError as exc:
        if exc.filename is None:
            exc.filename = str(target)
        raise


def _is_plain_jpeg(source: Path) -> bool:
    with Image.open(source) as im:
        return _plain_jpeg(im)


def _plain_jpeg(im: Image.Image) -> bool:
    """Whether the file's bytes can serve as ``full/max`` as they are: an RGB or grey JPEG, stored upright."""
    return im.format == "JPEG" and im.mode in ("RGB", "L") and orientation(im) == 1


def _upright(im: Image.Image) -> Image.Image:
    """The decoded image turned as its EXIF orientation says (a copy only when it needs turning)."""
    return ImageOps.exif_transpose(im) if orientation(im) != 1 else im


def _by_scale(pyramid: Pyramid) -> dict[int, list[Tile]]:
    tiles: dict[int, list[Tile]] = {s: [] for s in pyramid.scale_factors}
    for tile in pyramid.tiles():
        tiles[tile.scale].append(tile)
    return tiles


def _decoded(source: Path | BinaryIO, max_pixels: int, name: str | None = None) -> Image.Image:
    """The source decoded (``I003`` when truncated or damaged, ``I004`` over the pixel limit); a stream from its
    start, ``name`` naming it in problems."""
    if not isinstance(source, Path):
        source.seek(0)
    try:
        return decode_image(source, max_pixels=max_pixels)
    except MediaUnreadable as exc:
        raise unreadable(name or str(source), exc) from exc


def _write_pillow(source: Path | BinaryIO | Image.Image, writer: _Writer, pyramid: Pyramid, max_pixels: int,
                  name: str | None = None) -> int:
    if isinstance(source, Image.Image):  # already decoded (a rendered PDF page)
        plain_jpeg = False
        level = _to_jpeg_mode(source)
    else:
        with _decoded(source, max_pixels, name) as opened:
            plain_jpeg = _plain_jpeg(opened)
            level = _to_jpeg_mode(_upright(opened))
    try:
        tiles = _by_scale(pyramid)
        declared = {t.path for t in pyramid.tiles()}
        sizes = set(pyramid.sizes)
        for scale in pyramid.scale_factors:
            if scale > 1:
                writer.wait()  # tiles of the previous level are encoded before it is dropped
                level = level.reduce(2)  # 2×2 box, rounds up: ⌈w/2⌉ × ⌈h/2⌉
            want = pyramid.level_size(scale)
            if level.size != want:  # pragma: no cover - guards the geometry invariant
                level = level.resize(want, Image.Resampling.BOX)
            for tile in tiles[scale]:
                x, y = tile.x // scale, tile.y // scale
                writer.save(level.crop((x, y, x + tile.out_w, y + tile.out_h)), tile.path)
            size_path = pyramid.size_path(*want)
            if scale > 1 and want in sizes and size_path not in declared:
                writer.save(level, size_path)
        writer.wait()
        full = "full/max/0/default.jpg"
        if full not in declared:
            if isinstance(source, Image.Image):
                writer.save(_to_jpeg_mode(source), full)
            elif plain_jpeg:  # the source already is the full-size JPEG: copy its bytes
                writer.copy(source, full)
            else:  # decoded again rather than kept: memory stays at one full-size image
                with _decoded(source, max_pixels, name) as opened:
                    writer.save(_to_jpeg_mode(_upright(opened)), full)
    finally:
        writer.close()
    return writer.count


def _write_pyvips(source: Path, tmp: Path, pyramid: Pyramid, workers: int) -> int:
    """libvips' own static tiler (``dzsave``, layout ``iiif3``) for the tiles, then the sizes and ``full/max``.

    dzsave writes the same tile paths as :class:`Pyramid` except the one-tile level, which it names by its region
    (``0,0,W,H/w,h``) where Image API 3.0 §4.7 says ``full/w,h``: that folder is renamed. Its ``info.json``
    (no ``sizes``, the folder name appended to the ``id``) and ``vips-properties.xml`` are replaced/removed.
    """
    import pyvips  # libvips runs its own thread pool; ``workers`` is not needed

    image = pyvips.Image.new_from_file(str(source), access="random").autorot()  # EXIF orientation applied
    if image.interpretation == "cmyk":
        image = image.colourspace("srgb")
    if image.format in ("ushort", "short"):
        image = image.cast("uchar", shift=True)  # 16-bit: keep the high byte, like the Pillow path
    elif image.format != "uchar":
        image = image.cast("uchar")
    if image.bands in (2, 4):  # drop alpha
        image = image.extract_band(0, n=image.bands - 1)
    image = image.copy_memory()  # decoded once, for the tiles and the sizes
    shutil.rmtree(tmp)  # dzsave creates the folder itself
    image.dzsave(str(tmp), layout="iiif3", tile_size=pyramid.tile, overlap=0, depth="onetile",
                 suffix=f".jpg[Q={QUALITY},strip]")
    for extra in ("info.json", "vips-properties.xml"):
        (tmp / extra).unlink(missing_ok=True)
    width, height = pyramid.width, pyramid.height
    smallest = pyramid.level_size(pyramid.scale_factors[-1])
    whole = tmp / f"0,0,{width},{height}"
    if whole.is_dir():
        target = tmp / pyramid.size_path(*smallest)
        target.parent.parent.parent.mkdir(parents=True, exist_ok=True)
        (whole / f"{smallest[0]},{smallest[1]}").rename(target.parent.parent)
        shutil.rmtree(whole)
    writer = _Writer(tmp, 1)
    writer.count = sum(1 for _ in tmp.rglob("*.jpg"))
    declared = {t.path for t in pyramid.tiles()}
    level = image
    for scale in pyramid.scale_factors[1:]:
        w, h = level.width, level.height
        if w % 2 or h % 2:  # pad odd edges so the 2×2 shrink rounds up: ⌈w/2⌉ × ⌈h/2⌉
            level = level.embed(0, 0, w + w % 2, h + h % 2, extend="copy")
        level = level.shrink(2, 2).copy_memory()
        want = pyramid.level_size(scale)
        size_path = pyramid.size_path(*want)
        if want in pyramid.sizes and size_path not in declared:
            level.jpegsave(str(writer.path(size_path)), Q=QUALITY, strip=True)
    full = "full/max/0/default.jpg"
    if full not in declared:
        if _is_plain_jpeg(source):
            shutil.copyfile(source, writer.path(full))
        else:
            image.jpegsave(str(writer.path(full)), Q=QUALITY, strip=True)
    return writer.count


def write_tiles(source: Path | Image.Image, directory: Path, service_id: str, *, backend: str | None = None,
                rights: str | None = None, workers: int = 1, max_pixels: int = DEFAULT_MAX_PIXELS) -> TileResult:
    """Write the level-0 ``info.json``, tiles and sizes of one image into ``directory`` (replacing it).

    Args:
        source: the image (JPEG, TIFF, PNG … anything the backend reads; never written to), or an image
            already in memory (a rendered PDF page: :func:`heritage_ld.iiif.pdf.render_page`), tiled by Pillow.
        directory: the service folder, ``OUT/iiif/image/{seg}-{n}``.
        service_id: the ``id`` of the service (``urls.image_service(accession, n)``), without ``/info.json``.
        backend: ``pillow`` (default) or ``pyvips`` (needs ``heritage-ld[images]``).
        rights: a rights IRI to put in ``info.json`` (Image API 3.0 §5.5).
        workers: threads encoding the tiles of this one image (use 1 when images are already done in parallel).
        max_pixels: refuse a larger image (problem ``I004``, :mod:`heritage_ld.decoding`).

    Raises:
        FormatError: the image cannot be read or decoded (problem ``I003``) or is too large (``I004``).
        OSError: the tiles cannot be written (no space left …); the folder's previous content is kept and no
            ``.part`` folder is left.

    >>> import tempfile, pathlib
    >>> from PIL import Image
    >>> d = pathlib.Path(tempfile.mkdtemp()); Image.new("RGB", (700, 300)).save(d / "a.png")
    >>> r = write_tiles(d / "a.png", d / "a", "https://example.org/iiif/image/a-1", backend="pillow")
    >>> (r.width, r.height, r.files), (d / "a/full/350,150/0/default.jpg").is_file()
    ((700, 300, 5), True)
    """
    backend = backend or DEFAULT_BACKEND
    if backend not in BACKENDS:
        raise FormatError(f"unknown tile backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    if isinstance(source, Image.Image):
        backend = "pillow"
        width, height = source.size
    else:
        width, height = image_size(source, max_pixels=max_pixels)  # I003 when unreadable, I004 when too large
    pyramid = Pyramid(width, height)
    tmp = directory.with_name(directory.name + ".part")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    try:
        if backend == "pyvips" and isinstance(source, Path):
            files = _write_pyvips(source, tmp, pyramid, max(1, workers))
        else:
            files = _write_pillow(source, _Writer(tmp, max(1, workers)), pyramid, max_pixels)
        (tmp / "info.json").write_bytes(dumps(pyramid.info(service_id, rights=rights), ordered=True))
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError) and exc.filename is not None and Path(exc.filename).is_relative_to(tmp):
            exc.filename = str(directory / Path(exc.filename).relative_to(tmp))  # where it was going
        raise
    old = directory.with_name(directory.name + ".old")
    if old.exists():  # left by a run killed between the two renames below
        shutil.rmtree(old)
    if directory.exists():
        directory.rename(old)
    tmp.rename(directory)
    if old.exists():
        shutil.rmtree(old)
    return TileResult(directory, width, height, files + 1, backend)


def write_tiles_to_store(source: Path | BinaryIO | Image.Image, store: Store, service_id: str, *,
                         rights: str | None = None, workers: int = STORE_WORKERS,
                         max_pixels: int = DEFAULT_MAX_PIXELS, local_info: Path | None = None,
                         name: str | None = None) -> TileResult:
    """:func:`write_tiles` straight to object storage: the tile set at ``store`` (``OUT/iiif/image/{seg}-{n}``
    on the store), each tile encoded in memory and sent in one request, no local copy. ``source`` may also be
    a seekable binary stream (read from its start, more than once; ``name`` names it in problems).

    The rule is that of bags (``bagit.txt`` last): a tile set is complete when its ``info.json`` is there.
    The old ``info.json`` is removed first, the tiles and sizes are sent, files of an earlier pyramid that
    this one does not have are removed, and ``info.json`` goes last; an interruption leaves a set without
    ``info.json``, which the next build writes again. ``local_info``: where to keep a copy of ``info.json``
    in the working copy (removed first, written last), from which the next build and the site judge the set
    without asking the store. Always Pillow (pyvips' ``dzsave`` writes to a folder).

    >>> from PIL import Image
    >>> s = Store.from_url("memory://doctest-tiles/iiif/image/a-1")
    >>> r = write_tiles_to_store(Image.new("RGB", (700, 300)), s, "https://example.org/iiif/image/a-1")
    >>> r.files, sorted(s.listing())[-1], s.exists("full/350,150/0/default.jpg")
    (5, 'info.json', True)
    """
    if isinstance(source, Image.Image):
        width, height = source.size
    else:  # I003 when unreadable, I004 when too large
        width, height = image_size(source, max_pixels=max_pixels, name=name)
    pyramid = Pyramid(width, height)
    info = dumps(pyramid.info(service_id, rights=rights), ordered=True)
    if local_info is not None:
        local_info.unlink(missing_ok=True)
    store.remove([INFO])
    before = set(store.listing())
    writer = _StoreWriter(store, max(1, workers))
    try:
        files = _write_pillow(source, writer, pyramid, max_pixels, name)
    finally:
        writer.close()
    store.remove(sorted(before - writer.written - {INFO}))
    store.write_bytes(INFO, info)
    if local_info is not None:
        from heritage_ld.atomic import write_atomic

        local_info.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(local_info, info, durable=False)
    return TileResult(local_info.parent if local_info is not None else Path(store.url), width, height, files + 1,
                      "pillow")
