"""Build step ``iiif``: manifests, the exhibition collection and manifest, level-0 tiles and published media.

Writes ``OUT/iiif/{seg}/manifest.json`` per item with an image, ``OUT/iiif/collection.json``,
``OUT/iiif/exhibition.json``, ``OUT/iiif/image/{seg}-{n}/`` (``info.json`` and tiles, when ``options.tiles``) and
``OUT/iiif/media/…`` (PDFs, the publisher's logo, and the images themselves when tiles are off). Image sizes
and tiles are done in parallel over images with ``ctx.executor``; an image whose tiles are already there (same
size, same service id, not older than the source) is not tiled again.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

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


def _size(root: Path | None, media: MediaFile) -> tuple[int, int]:
    from heritage_ld.iiif.media import known_size

    return known_size(media, root)


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
    return write_tiles(job.source, job.directory, job.service, rights=job.rights, workers=job.workers).files


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
    from heritage_ld.iiif import build_collection, build_exhibition_manifest, build_manifest, has_manifest
    from heritage_ld.iiif.serialize import write_json

    collection, urls, tiles = ctx.collection, ctx.urls, ctx.options.tiles
    root = collection.root
    shown = [item for item in collection.items if has_manifest(item)]
    images = [(item, n, media) for item in shown for n, media in enumerate(item.images, start=1)]
    sizes = dict(zip((m.path for _, _, m in images),
                     ctx.executor.map(functools.partial(_size, root), [m for _, _, m in images]), strict=True))
    written: list[str] = []
    tile_files = 0
    if root is not None:
        if tiles:
            workers = max(1, min(4, ctx.executor.jobs // max(1, len(images))))
            jobs = [_Job(media.resolve(root), _out(ctx, urls.image_service(item.accession, n)),
                         urls.image_service(item.accession, n), item.rights or collection.rights,
                         sizes[media.path], workers) for item, n, media in images]
            ctx.progress.start("iiif tiles", len(jobs))
            try:
                for count in ctx.executor.map(_tile, jobs):
                    tile_files += count
                    ctx.progress.advance("iiif tiles")
            finally:
                ctx.progress.finish("iiif tiles")
        else:
            written += [_publish(ctx, urls, item, media) for item, _, media in images]
        written += [_publish(ctx, urls, item, doc) for item in shown for doc in item.documents]
        logo = collection.publisher.logo if collection.publisher else None
        if logo and is_absolute_iri(logo) is not None:
            written.append(_publish(ctx, urls, None, PurePosixPath(logo)))
    ctx.progress.start("iiif", len(shown) + 2)
    try:
        for item in shown:
            manifest = build_manifest(item, collection, urls=urls, sizes=sizes, tiles=tiles)
            path = urls.path(urls.manifest(item.accession))
            write_json(manifest, ctx.out / path, ordered=True)
            written.append(path)
            ctx.progress.advance("iiif")
        for url, doc in ((urls.iiif_collection(), build_collection(collection, urls=urls, sizes=sizes, tiles=tiles)),
                         (urls.exhibition_manifest(),
                          build_exhibition_manifest(collection, urls=urls, sizes=sizes, tiles=tiles))):
            write_json(doc, ctx.out / urls.path(url), ordered=True)
            written.append(urls.path(url))
            ctx.progress.advance("iiif")
    finally:
        ctx.progress.finish("iiif")
    skipped = [item.accession for item in collection.items if not has_manifest(item)]
    summary = f"{len(shown)} manifests, collection.json, exhibition.json"
    if tiles:
        summary += f", {len(images)} images tiled ({tile_files} files written)"
    if skipped:
        summary += f"; {len(skipped)} items without an image have no manifest"
    return StepResult(summary, (urls.path(urls.iiif_collection()), urls.path(urls.exhibition_manifest())),
                      {"paths": tuple(sorted(written)), "without_image": tuple(skipped), "tile_files": tile_files})
