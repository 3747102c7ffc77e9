"""Build step ``iiif``: manifests, the exhibition collection and manifest, level-0 tiles and published media.

Writes ``OUT/iiif/{seg}/manifest.json`` per item with an image or a PDF, ``OUT/iiif/collection.json``,
``OUT/iiif/exhibition.json``, ``OUT/iiif/image/{seg}-{n}/`` (``info.json`` and tiles of each image and PDF page,
when ``options.tiles``) and ``OUT/iiif/media/…`` (PDFs, the publisher's logo, and the images themselves and one
JPEG per PDF page when tiles are off). Image sizes, PDF page sizes, page rendering and tiles are done in parallel
with ``ctx.executor``; an image or page whose tiles are already there (same size, same service id, not older than
the source) is not rendered or tiled again.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, cast

from heritage_ld.atomic import remove_stale_temporaries, write_atomic
from heritage_ld.decoding import DEFAULT_MAX_PIXELS
from heritage_ld.model import Item, MediaFile, UrlScheme, iri_segment, is_absolute_iri
from heritage_ld.pipeline.build import BuildContext, StepResult
from heritage_ld.storage.fetch import RemoteFile, local_copy, problem_name
from heritage_ld.storage.listing import media_source, readable

__all__ = ["run"]


@dataclass(frozen=True, slots=True)
class _Job:
    """One tile set to write. Run on any machine: it reads ``source`` (a path, or a remote catalogue's file
    fetched where it runs) and, with ``store``, writes only to the store (the client keeps ``info.json``)."""

    source: Path | RemoteFile
    directory: Path
    service: str
    rights: str | None
    size: tuple[int, int]
    workers: int
    page: int | None = None  # a page (1-based) of the PDF ``source``, rendered before it is tiled
    max_pixels: int = DEFAULT_MAX_PIXELS
    store: str | None = None  # the tile set's URL on object storage: tiles go there, ``directory`` keeps info.json


@dataclass(frozen=True, slots=True)
class _PageJob:
    """A PDF page to render as one JPEG (tiles off); the worker returns its bytes, the client writes them."""

    source: Path | RemoteFile
    page: int


def _size(max_pixels: int, task: tuple[MediaFile, Path | RemoteFile | None]) -> tuple[int, int]:
    """An image's size: given in the catalogue, else read from the file (``None``: no catalogue folder)."""
    from heritage_ld.iiif.media import image_size, known_size

    media, source = task
    if source is None or (media.width is not None and media.height is not None):
        return known_size(media, None, max_pixels=max_pixels)
    # with no copy on this machine the header is read from the store in a few ranged requests (the whole
    # master comes only if a task here decodes it: its tiles)
    with readable(source) as stream:
        return image_size(stream, max_pixels=max_pixels, name=problem_name(source))


def _pages(task: tuple[MediaFile, Path | RemoteFile | None]) -> tuple[tuple[int, int], ...]:
    from heritage_ld.iiif.media import known_pages
    from heritage_ld.iiif.pdf import page_sizes

    media, source = task
    if source is None:
        return known_pages(media, None)
    with readable(source) as stream:  # a PDF on the store with no copy here: read in ranges, not copied
        return page_sizes(stream, name=problem_name(source))


def _mtime(source: Path | RemoteFile) -> float:
    """The modification time (seconds) of a task's source, as the build read it."""
    return source.mtime_ns / 1e9 if isinstance(source, RemoteFile) else source.stat().st_mtime


def _up_to_date(job: _Job) -> bool:
    """Whether the tile set in the working copy is this job's (judged by the client, before any worker runs)."""
    info = job.directory / "info.json"
    try:
        if info.stat().st_mtime < _mtime(job.source):
            return False
        doc = json.loads(info.read_bytes())
    except (OSError, ValueError):
        return False
    return bool(doc.get("id") == job.service and (doc.get("width"), doc.get("height")) == job.size
                and doc.get("rights") == job.rights)


def _tile(job: _Job) -> tuple[int, tuple[int, int] | None]:
    """Write one tile set; return the files written and, when they went to the store, the set's size (the
    client then writes its ``info.json`` into the working copy: a worker on another machine has none)."""
    from heritage_ld.iiif.tiles import write_tiles, write_tiles_to_store

    # a remote catalogue's file with no copy on this machine: an image bound for the store is read once into
    # memory (a large master: an unnamed local file) and tiled from there, nothing kept; a PDF to render (PDFium)
    # or an image tiled into a folder is fetched into a file for this task only
    streamed = isinstance(job.source, RemoteFile) and job.store is not None and job.page is None
    with (job.source.spooled() if streamed and isinstance(job.source, RemoteFile)
          else local_copy(job.source)) as opened:
        source: Any = opened  # a path, a stream (store-bound image), or a rendered page
        if job.page is not None:
            from heritage_ld.iiif.pdf import render_page

            source = render_page(cast(Path, opened), job.page)
        if job.store is not None:
            from heritage_ld.storage import Store

            done = write_tiles_to_store(source, Store.from_url(job.store), job.service, rights=job.rights,
                                        max_pixels=job.max_pixels, name=problem_name(job.source))
            return done.files, (done.width, done.height)
        return write_tiles(source, job.directory, job.service, rights=job.rights, workers=job.workers,
                           max_pixels=job.max_pixels).files, None


def _keep_info(job: _Job, size: tuple[int, int]) -> None:
    """The working copy's ``info.json`` of a set written to the store (the same bytes as the store's)."""
    from heritage_ld.iiif.pyramid import Pyramid
    from heritage_ld.iiif.serialize import dumps

    job.directory.mkdir(parents=True, exist_ok=True)
    write_atomic(job.directory / "info.json", dumps(Pyramid(*size).info(job.service, rights=job.rights), ordered=True),
                 durable=False)


def _remove_stored_tiles(store_url: str, record_files: Any) -> None:
    """Remove a withdrawn item's tile sets from the store: ``info.json`` first (the set stops being complete),
    then the rest."""
    from heritage_ld.iiif.tiles import INFO
    from heritage_ld.storage import Store

    for rel in sorted(record_files):
        if rel.startswith("iiif/image/"):
            tiles = Store.from_url(store_url).child(rel)
            tiles.remove([INFO])
            tiles.remove(sorted(tiles.listing()))


def _render_page(job: _PageJob) -> bytes:
    """A PDF page as one JPEG (tiles off), returned to the client that writes it (run on any machine)."""
    import io

    from heritage_ld.iiif.pdf import render_page
    from heritage_ld.iiif.tiles import QUALITY

    buffer = io.BytesIO()
    with local_copy(job.source) as path:
        page = render_page(path, job.page)
    page.save(buffer, "JPEG", quality=QUALITY, optimize=False,
                                                        progressive=False)
    return buffer.getvalue()


def _page_current(target: Path, source: Path | RemoteFile) -> bool:
    """Whether a page's JPEG is there and not older than its PDF (then it is not rendered again)."""
    if target.parent.is_dir():  # a page's temporary left by a build that was killed (not a running one's)
        remove_stale_temporaries(target.parent)
    try:
        return target.stat().st_mtime >= _mtime(source)
    except FileNotFoundError:
        return False


def _out(ctx: BuildContext, url: str) -> Path:
    return ctx.out / ctx.urls.path(url)


def _publish(ctx: BuildContext, urls: UrlScheme, item: Item | None, media: MediaFile | PurePosixPath) -> str:
    from heritage_ld.iiif.media import COLLECTION_SEGMENT, media_path, publish_media

    assert ctx.collection.root is not None
    path = media.path if isinstance(media, MediaFile) else media
    segment = COLLECTION_SEGMENT if item is None else iri_segment(item.accession)
    relative = media_path(segment, path)
    publish_media(media_source(ctx.collection.root, path), ctx.out, relative)
    return relative


def _sizes_of(ctx: BuildContext, shown: list[Item], todo: set[str]) -> tuple[dict[PurePosixPath, tuple[int, int]],
                                                                         dict[PurePosixPath, tuple[tuple[int, int], ...]]]:
    """Image and PDF page sizes: read from the files for items to build, from the ledger for the others."""
    root = ctx.collection.root
    records = ctx.plan.records("iiif")
    sizes: dict[PurePosixPath, tuple[int, int]] = {}
    pages: dict[PurePosixPath, tuple[tuple[int, int], ...]] = {}
    read_images: list[MediaFile] = []
    read_pdfs: list[MediaFile] = []
    for item in shown:
        cached = records.get(item.accession)
        known = cached.data if cached is not None and item.accession not in todo else {}
        for m in item.images:
            if str(m.path) in known.get("sizes", {}):
                w, h = known["sizes"][str(m.path)]
                sizes[m.path] = (int(w), int(h))
            else:
                read_images.append(m)
        for m in item.pdfs:
            if str(m.path) in known.get("pages", {}):
                pages[m.path] = tuple((int(w), int(h)) for w, h in known["pages"][str(m.path)])
            else:
                read_pdfs.append(m)
    def tasks(media: list[MediaFile]) -> list[tuple[MediaFile, Path | RemoteFile | None]]:
        return [(m, ctx.source(m) if root is not None else None) for m in media]

    sizes.update(zip((m.path for m in read_images),
                     ctx.executor.map(functools.partial(_size, ctx.options.max_pixels), tasks(read_images)),
                     strict=True))
    pages.update(zip((m.path for m in read_pdfs), ctx.executor.map(_pages, tasks(read_pdfs)), strict=True))
    return sizes, pages


def run(ctx: BuildContext) -> StepResult:
    """Write the IIIF output of the collection under ``OUT/iiif/`` (only what changed since the ledger's record)."""
    from heritage_ld.iiif import ManifestBuilder, build_collection, build_exhibition_manifest
    from heritage_ld.iiif.media import media_path, page_image_path, views
    from heritage_ld.iiif.serialize import write_json

    collection, urls, tiles, plan = ctx.collection, ctx.urls, ctx.options.tiles, ctx.plan
    root = collection.root
    ledger = plan.ledger
    shown = [item for item in collection.items if item.has_manifest]
    todo_pairs, current = plan.split("iiif", shown, ctx.out)
    todo = {item.accession: digest for item, digest in todo_pairs}
    removed = 0
    previous = plan.records("iiif")
    for record in plan.withdrawn("iiif", (i.accession for i in shown)):
        had_manifest = urls.path(urls.manifest(record.accession)) in record.files
        # the Delete and forgetting the outputs go together (a build killed in between redoes both)
        if ctx.options.tiles_store:
            _remove_stored_tiles(ctx.options.tiles_store, record.files)
        with ledger.transaction() if ledger is not None else contextlib.nullcontext():
            plan.remove_outputs("iiif", record, ctx.out)
            if ledger is not None and had_manifest:
                ledger.add_event("delete", "manifest", record.accession, plan.now)
        removed += 1
    sizes, pages = _sizes_of(ctx, shown, set(todo))
    max_pixels = ctx.options.max_pixels
    # every canvas of every item: (item, n, view), n the canvas and image service number
    canvases = {item.accession: [(item, n, view) for n, view in enumerate(views(item, sizes=sizes, pages=pages),
                                                                         start=1)] for item in shown}
    building = [c for item in shown if item.accession in todo for c in canvases[item.accession]]
    page_count = sum(1 for _, _, view in building if view.page is not None)
    files: dict[str, dict[str, str]] = {acc: {} for acc in todo}
    written: list[str] = []
    tile_files = 0
    if root is not None:
        if tiles:
            workers = max(1, min(4, ctx.executor.jobs // max(1, len(building))))
            stored = ctx.options.tiles_store
            jobs = [_Job(ctx.source(view.media), _out(ctx, urls.image_service(item.accession, n)),
                         urls.image_service(item.accession, n), item.rights or collection.rights,
                         view.size, workers, view.page, max_pixels,
                         f"{stored}/{urls.path(urls.image_service(item.accession, n))}" if stored else None)
                    for item, n, view in building]
            for item, n, _ in building:
                files[item.accession][urls.path(urls.image_service(item.accession, n))] = ""
            ctx.progress.start("iiif tiles", len(jobs))
            try:
                redo = [job for job in jobs if not _up_to_date(job)]
                ctx.progress.advance("iiif tiles", len(jobs) - len(redo))
                for job in redo:
                    if job.store is not None and job.directory.exists():
                        # its info.json first (the set is not current until the store has it again); tiles a
                        # build of the working copy wrote there before are on the store now
                        shutil.rmtree(job.directory)
                for job, (count, size) in zip(redo, ctx.executor.map(_tile, redo), strict=True):
                    if size is not None:
                        _keep_info(job, size)
                    tile_files += count
                    ctx.progress.advance("iiif tiles")
            finally:
                ctx.progress.finish("iiif tiles")
        else:
            for item, _, view in building:
                if view.page is None:
                    rel = _publish(ctx, urls, item, view.media)
                    files[item.accession][rel] = ""
                    written.append(rel)
            page_jobs = [(item.accession, media_path(iri_segment(item.accession), page_image_path(view.media, view.page)),
                          ctx.source(view.media), view.page) for item, _, view in building
                         if view.page is not None]
            render = [(ctx.out / rel, _PageJob(src, page)) for _, rel, src, page in page_jobs
                      if not _page_current(ctx.out / rel, src)]
            for (target, _), jpeg in zip(render, ctx.executor.map(_render_page, [j for _, j in render]), strict=True):
                write_atomic(target, jpeg, durable=False)
            for acc, rel, _, _ in page_jobs:
                files[acc][rel] = ""
                written.append(rel)
        for item in shown:
            if item.accession in todo:
                for doc in item.documents:
                    rel = _publish(ctx, urls, item, doc)
                    files[item.accession][rel] = ""
                    written.append(rel)
        logo = collection.publisher.logo if collection.publisher else None
        if logo and is_absolute_iri(logo) is not None:
            written.append(_publish(ctx, urls, None, PurePosixPath(logo)))
    ctx.progress.start("iiif", len(shown) + 2)
    ctx.progress.advance("iiif", len(current))
    events: list[tuple[str, str, str]] = []  # recorded with the manifests they are about, batch by batch
    try:
        builder = ManifestBuilder(collection, urls=urls, sizes=sizes, pages=pages, tiles=tiles)
        rows = []
        for item in shown:
            if item.accession not in todo:
                continue
            manifest = builder.build(item)
            path = urls.path(urls.manifest(item.accession))
            sha = hashlib.sha256(write_json(manifest, ctx.out / path, ordered=True)).hexdigest()
            old = previous.get(item.accession)
            if old is None:
                events.append(("create", "manifest", item.accession))
            elif old.files.get(path) != sha:
                events.append(("update", "manifest", item.accession))
            files[item.accession][path] = sha
            written.append(path)
            if old is not None:  # what the item had and has no more: an image taken out, tiles turned off or on
                gone = sorted(set(old.files) - set(files[item.accession]))
                if gone and ctx.options.tiles_store:
                    _remove_stored_tiles(ctx.options.tiles_store, gone)
                plan.remove_files(gone, ctx.out)
            data = {"sizes": {str(m.path): list(sizes[m.path]) for m in item.images},
                    "pages": {str(m.path): [list(p) for p in pages[m.path]] for m in item.pdfs}}
            rows.append((item.accession, todo[item.accession], files[item.accession], data))
            ctx.progress.advance("iiif")
            if len(rows) >= 256:
                plan.record_many("iiif", rows, events=events)
                rows, events = [], []
        plan.record_many("iiif", rows, events=events)
        whole = (urls.path(urls.iiif_collection()), urls.path(urls.exhibition_manifest()))
        same = plan.collection_current("iiif", ctx.out, whole)  # no item changed: both documents stay as they are
        makers: list[tuple[str, str, Callable[..., dict[str, Any]]]] = [] if same else [
            ("collection", urls.iiif_collection(), build_collection),
            ("exhibition", urls.exhibition_manifest(), build_exhibition_manifest)]
        for kind, url, make in makers:
            document = make(collection, urls=urls, sizes=sizes, pages=pages, tiles=tiles)
            path = urls.path(url)
            sha = hashlib.sha256(write_json(document, ctx.out / path, ordered=True)).hexdigest()
            written.append(path)
            if ledger is not None:
                key = f"iiif:{kind}"
                old_sha = ledger.get_meta(key)
                if old_sha != sha:
                    with ledger.transaction():
                        ledger.add_event("create" if old_sha is None else "update", kind, path, plan.now)
                        ledger.set_meta(key, sha)
            ctx.progress.advance("iiif")
        if not same:
            plan.record_collection("iiif")
    finally:
        ctx.progress.finish("iiif")
    if ledger is not None:
        _write_changes(ctx)
    skipped = [item.accession for item in collection.items if not item.has_manifest]
    summary = f"{len(shown)} manifests ({len(todo)} written, {len(current)} unchanged"
    summary += f", {removed} withdrawn), collection.json, exhibition.json" if removed else \
        "), collection.json, exhibition.json"
    if tiles and building:
        tiled = f"{len(building) - page_count} images" + (f" and {page_count} PDF pages" if page_count else "")
        summary += f", {tiled} tiled ({tile_files} files written)"
    if skipped:
        summary += f"; {len(skipped)} items without an image or a PDF have no manifest"
    return StepResult(summary, (urls.path(urls.iiif_collection()), urls.path(urls.exhibition_manifest())),
                      {"paths": tuple(sorted(written)), "without_manifest": tuple(skipped), "tile_files": tile_files,
                       "written": len(todo), "unchanged": len(current), "withdrawn": removed})


def _write_changes(ctx: BuildContext) -> None:
    """Write the IIIF Change Discovery stream (``OUT/iiif/activity/``) from the ledger's history."""
    from heritage_ld.iiif.changes import write_change_stream

    ledger = ctx.plan.ledger
    assert ledger is not None
    history = [(e.seq, e.time, e.kind, e.type, e.target)
               for e in ledger.events("manifest", "collection", "exhibition")]
    # The stream changes only with the history (and the base URL): when neither did, it stays as it is.
    mark = f"{history[-1][0] if history else 0} {ctx.urls.base_url}"
    stream = ctx.out / "iiif" / "activity" / "all-changes.json"
    if not ctx.plan.force and ledger.get_meta("iiif:stream") == mark and (stream.exists() or not history):
        return
    write_change_stream(history, ctx.urls, ctx.out)
    ledger.set_meta("iiif:stream", mark)
