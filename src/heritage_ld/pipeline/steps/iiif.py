"""Build step ``iiif``: manifests, the exhibition collection and manifest, level-0 tiles and published media.

Writes ``OUT/iiif/{seg}/manifest.json`` per item with an image or a PDF, ``OUT/iiif/collection.json``,
``OUT/iiif/exhibition.json``, ``OUT/iiif/image/{seg}-{n}/`` (``info.json`` and tiles of each image and PDF page,
when ``options.tiles``) and ``OUT/iiif/media/…`` (PDFs, the publisher's logo, and the images themselves and one
JPEG per PDF page when tiles are off). Image sizes, PDF page sizes, page rendering and tiles are done in parallel
with ``ctx.executor``; an image or page whose tiles are already there (same size, same service id, not older than
the source) is not rendered or tiled again.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from heritage_ld.atomic import temporary_path
from heritage_ld.decoding import DEFAULT_MAX_PIXELS
from heritage_ld.model import Item, MediaFile, UrlScheme, iri_segment, is_absolute_iri
from heritage_ld.pipeline.build import BuildContext, StepResult

__all__ = ["run"]


@dataclass(frozen=True, slots=True)
class _Job:
    source: Path
    directory: Path
    service: str
    rights: str | None
    size: tuple[int, int]
    workers: int
    page: int | None = None  # a page (1-based) of the PDF ``source``, rendered before it is tiled
    max_pixels: int = DEFAULT_MAX_PIXELS


@dataclass(frozen=True, slots=True)
class _PageJob:
    source: Path
    page: int
    target: Path


def _size(root: Path | None, max_pixels: int, media: MediaFile) -> tuple[int, int]:
    from heritage_ld.iiif.media import known_size

    return known_size(media, root, max_pixels=max_pixels)


def _pages(root: Path | None, media: MediaFile) -> tuple[tuple[int, int], ...]:
    from heritage_ld.iiif.media import known_pages

    return known_pages(media, root)


def _up_to_date(job: _Job) -> bool:
    info = job.directory / "info.json"
    try:
        if info.stat().st_mtime < job.source.stat().st_mtime:
            return False
        doc = json.loads(info.read_bytes())
    except (OSError, ValueError):
        return False
    return bool(doc.get("id") == job.service and (doc.get("width"), doc.get("height")) == job.size
                and doc.get("rights") == job.rights)


def _tile(job: _Job) -> int:
    from heritage_ld.iiif.tiles import write_tiles

    if _up_to_date(job):
        return 0
    if job.page is not None:
        from heritage_ld.iiif.pdf import render_page

        image = render_page(job.source, job.page)
        return write_tiles(image, job.directory, job.service, rights=job.rights, workers=job.workers).files
    return write_tiles(job.source, job.directory, job.service, rights=job.rights, workers=job.workers,
                       max_pixels=job.max_pixels).files


def _write_page(job: _PageJob) -> bool:
    """Render a PDF page to one JPEG (tiles off) unless a not-older one is there; True if written."""
    from heritage_ld.iiif.pdf import render_page
    from heritage_ld.iiif.tiles import QUALITY

    try:
        if job.target.stat().st_mtime >= job.source.stat().st_mtime:
            return False
    except FileNotFoundError:
        pass
    image = render_page(job.source, job.page)
    job.target.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_path(job.target)
    try:
        image.save(tmp, "JPEG", quality=QUALITY, optimize=False, progressive=False)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.filename is None:
            exc.filename = str(job.target)
        raise
    tmp.replace(job.target)
    return True


def _out(ctx: BuildContext, url: str) -> Path:
    return ctx.out / ctx.urls.path(url)


def _publish(ctx: BuildContext, urls: UrlScheme, item: Item | None, media: MediaFile | PurePosixPath) -> str:
    from heritage_ld.iiif.media import COLLECTION_SEGMENT, media_path, publish_media

    assert ctx.collection.root is not None
    path = media.path if isinstance(media, MediaFile) else media
    segment = COLLECTION_SEGMENT if item is None else iri_segment(item.accession)
    relative = media_path(segment, path)
    publish_media(ctx.collection.root.joinpath(*path.parts), ctx.out, relative)
    return relative


def run(ctx: BuildContext) -> StepResult:
    """Write the IIIF output of the collection under ``OUT/iiif/``."""
    from heritage_ld.iiif import ManifestBuilder, build_collection, build_exhibition_manifest
    from heritage_ld.iiif.media import media_path, page_image_path, views
    from heritage_ld.iiif.serialize import write_json

    collection, urls, tiles = ctx.collection, ctx.urls, ctx.options.tiles
    root = collection.root
    shown = [item for item in collection.items if item.has_manifest]
    images = [m for item in shown for m in item.images]
    max_pixels = ctx.options.max_pixels
    sizes = dict(zip((m.path for m in images),
                     ctx.executor.map(functools.partial(_size, root, max_pixels), images), strict=True))
    pdfs = [m for item in shown for m in item.pdfs]
    pages = dict(zip((m.path for m in pdfs), ctx.executor.map(functools.partial(_pages, root), pdfs), strict=True))
    # every canvas of every item: (item, n, view), n the canvas and image service number
    canvases = [(item, n, view) for item in shown
                for n, view in enumerate(views(item, sizes=sizes, pages=pages), start=1)]
    page_count = sum(1 for _, _, view in canvases if view.page is not None)
    written: list[str] = []
    tile_files = 0
    if root is not None:
        if tiles:
            workers = max(1, min(4, ctx.executor.jobs // max(1, len(canvases))))
            jobs = [_Job(view.media.resolve(root), _out(ctx, urls.image_service(item.accession, n)),
                         urls.image_service(item.accession, n), item.rights or collection.rights,
                         view.size, workers, view.page, max_pixels) for item, n, view in canvases]
            ctx.progress.start("iiif tiles", len(jobs))
            try:
                for count in ctx.executor.map(_tile, jobs):
                    tile_files += count
                    ctx.progress.advance("iiif tiles")
            finally:
                ctx.progress.finish("iiif tiles")
        else:
            written += [_publish(ctx, urls, item, view.media) for item, _, view in canvases if view.page is None]
            page_jobs = [(media_path(iri_segment(item.accession), page_image_path(view.media, view.page)),
                          view.media.resolve(root), view.page) for item, _, view in canvases
                         if view.page is not None]
            for _ in ctx.executor.map(_write_page, [_PageJob(src, page, ctx.out / rel) for rel, src, page in page_jobs]):
                pass
            written += [rel for rel, _, _ in page_jobs]
        written += [_publish(ctx, urls, item, doc) for item in shown for doc in item.documents]
        logo = collection.publisher.logo if collection.publisher else None
        if logo and is_absolute_iri(logo) is not None:
            written.append(_publish(ctx, urls, None, PurePosixPath(logo)))
    ctx.progress.start("iiif", len(shown) + 2)
    try:
        builder = ManifestBuilder(collection, urls=urls, sizes=sizes, pages=pages, tiles=tiles)
        for item in shown:
            manifest = builder.build(item)
            path = urls.path(urls.manifest(item.accession))
            write_json(manifest, ctx.out / path, ordered=True)
            written.append(path)
            ctx.progress.advance("iiif")
        for url, doc in ((urls.iiif_collection(),
                          build_collection(collection, urls=urls, sizes=sizes, pages=pages, tiles=tiles)),
                         (urls.exhibition_manifest(),
                          build_exhibition_manifest(collection, urls=urls, sizes=sizes, pages=pages, tiles=tiles))):
            write_json(doc, ctx.out / urls.path(url), ordered=True)
            written.append(urls.path(url))
            ctx.progress.advance("iiif")
    finally:
        ctx.progress.finish("iiif")
    skipped = [item.accession for item in collection.items if not item.has_manifest]
    summary = f"{len(shown)} manifests, collection.json, exhibition.json"
    if tiles:
        tiled = f"{len(canvases) - page_count} images" + (f" and {page_count} PDF pages" if page_count else "")
        summary += f", {tiled} tiled ({tile_files} files written)"
    if skipped:
        summary += f"; {len(skipped)} items without an image or a PDF have no manifest"
    return StepResult(summary, (urls.path(urls.iiif_collection()), urls.path(urls.exhibition_manifest())),
                      {"paths": tuple(sorted(written)), "without_manifest": tuple(skipped), "tile_files": tile_files})
