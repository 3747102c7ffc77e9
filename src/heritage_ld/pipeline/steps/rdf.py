"""Build step ``rdf``: per-item files in every format, the collection graph, the gzipped dump, the description.

Writes ``OUT/rdf/object/{seg}.{ttl,jsonld,nt,rdf,nq}`` (in parallel with ``ctx.executor``),
``OUT/rdf/collection.ttl``, ``OUT/rdf/dataset.nt.gz`` (gzip with mtime 0: byte-identical rebuilds) and
``OUT/rdf/dataset.{ttl,jsonld,nt,rdf}`` (VoID / DCAT, with the dump's triple count) and one document per other
resource the collection graph mints, ``OUT/rdf/{agent,place,concept,section,exhibition,set}/{key}.{ttl,jsonld,nt,rdf}``
(collection-level, rewritten each build; those of resources no longer minted are removed).

Every file is written to a temporary beside it and renamed into place (:mod:`heritage_ld.atomic`): a failure
(a full disk) leaves each file old or new and no temporary; those of an earlier run that was killed are
removed first.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from heritage_ld.atomic import remove_stale_temporaries, temporary_path, write_atomic
from heritage_ld.formats import FORMATS
from heritage_ld.model import Collection, Item, UrlScheme
from heritage_ld.pipeline.build import BuildContext, StepResult, source_date
from heritage_ld.rdf import collection_triples, dataset_description, item_document, triples_document
from heritage_ld.rdf.graph import item_membership
from heritage_ld.rdf.resources import (
    RESOURCE_FORMATS,
    RESOURCE_KINDS,
    document_iri,
    from_ntriples,
    resource_documents,
)
from heritage_ld.rdf.serialize import ntriples, sort_triples
from heritage_ld.rdf.terms import Triple

__all__ = ["run"]


def _same(path: Path, data: bytes) -> bool:
    """Whether ``path`` already holds exactly ``data`` (a regular file, not a link)."""
    try:
        if path.is_symlink() or path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _write(path: Path, data: bytes) -> str:
    write_atomic(path, data, durable=False)
    return hashlib.sha256(data).hexdigest()


#: Items per task: tasks are module-level and carry a slim collection, so every executor (threads,
#: processes, dask) can run them without shipping the whole catalogue each time.
_BATCH = 32


@dataclass(frozen=True, slots=True)
class _Batch:
    collection: Collection  # without items, agents, places, concepts: what an item's graph needs
    urls: UrlScheme
    out: Path
    items: tuple[tuple[Item, str], ...]  # (item, its digest for this step)
    store: str | None = None  # a remote OUT's URL: the worker sends the files there and returns them


#: What a batch gives back per item: accession, digest, {path: sha256}, and with a store the files' bytes
#: (the client writes them into its working copy: the worker may run on a machine that has none).
BatchResult = tuple[str, str, dict[str, str], dict[str, bytes] | None]


def _write_batch(batch: _Batch) -> list[BatchResult]:
    """Make the files of a batch of items. Without a store they are written into OUT; with one they are sent
    there (several at once) and returned, the worker touching no local file."""
    c, urls = batch.collection, batch.urls
    results: list[BatchResult] = []
    for item, digest in batch.items:
        files: dict[str, str] = {}
        made: dict[str, bytes] = {}
        for fmt in FORMATS:
            rel = urls.path(urls.rdf_file(item.accession, fmt.extension))
            data = item_document(item, c, fmt, urls=urls)
            if batch.store is None:
                files[rel] = _write(batch.out / rel, data)
            else:
                files[rel], made[rel] = hashlib.sha256(data).hexdigest(), data
        results.append((item.accession, digest, files, made if batch.store is not None else None))
    if batch.store is not None:
        from heritage_ld.storage import Store

        # Sent by this worker before the client records the items: a batch that fails here is not recorded,
        # and the next build makes and sends it again.
        Store.from_url(batch.store).write_many({rel: data for *_, made in results if made for rel, data in made.items()})
    return results


def _named(path: Path, write: Callable[[bytes], object]) -> Callable[[bytes], None]:
    """``write``, with an ``OSError`` naming ``path`` (a failed ``write`` names no file: a full disk must say
    which)."""

    def put(data: bytes) -> None:
        try:
            write(data)
        except OSError as exc:
            if exc.filename is None:
                exc.filename = str(path)
            raise

    return put


def _write_collection_and_dump(ctx: BuildContext, coll: list[Triple]) -> tuple[str, int, set[str]]:
    """Write ``rdf/collection.ttl`` and ``rdf/dataset.nt.gz`` in one pass over the items, each in a temporary
    renamed into place once both are complete.

    ``collection.ttl``: the collection graph in Turtle, then what it says of each item (its position in the
    catalogue, the set's and section's ``hasPart``) as N-Triples lines (valid Turtle), streamed: at 100,000 items
    they are 700,000 triples, never held at once.

    ``dataset.nt.gz``: the collection graph, then for each item in catalogue order those lines and its N-Triples
    file. An item's file holds its own triples (subject: the item or one of its ``#`` nodes) and triples about
    shared resources (AAT terms, agents …) that recur in many items: those are written once, so the dump has no
    duplicates and ``void:triples`` is exact. Only the shared lines are remembered, never the items' own (nor
    those about an item's web page, which no other item describes: 100,000 of them held 70 MB), so memory stays
    flat; unchanged items are read back from their files, not recomputed.

    Returns the SHA-256 of ``collection.ttl`` (the store step reloads the collection graph only when it
    changed), the dump's triple count, and its shared lines about minted resources (their documents are made
    from them).
    """
    urls, rdf_dir = ctx.urls, ctx.out / "rdf"
    objects = f"<{urls.base_url}/object/"
    ttl_path, dump_path = rdf_dir / "collection.ttl", rdf_dir / "dataset.nt.gz"
    ttl_tmp, dump_tmp = temporary_path(ttl_path), temporary_path(dump_path)
    coll_text = ntriples(coll)
    seen = set(coll_text.splitlines(keepends=True))
    count = len(seen)
    digest = hashlib.sha256()
    try:
        with open(ttl_tmp, "wb") as ttl, open(dump_tmp, "wb") as raw, \
                gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gzfile, \
                _Compressor(gzfile) as gz:
            write_ttl = _named(ttl_path, ttl.write)

            def put(data: bytes) -> None:
                digest.update(data)
                write_ttl(data)

            put(triples_document(coll, RESOURCE_FORMATS[0]))  # Turtle
            put(b"\n# Each item's place in the catalogue (Linked Art: a sequence position dimension) and the"
                b" sets it is part of.\n")
            gz.write(coll_text.encode())
            head = frozenset(seen)  # (a membership line the graph above already has is not said twice)
            for item, about in zip(ctx.collection.items, item_membership(ctx.collection, urls=urls), strict=True):
                text = ntriples(about)
                put("".join(line for line in text.splitlines(keepends=True) if line not in head).encode())
                iri = urls.object(item.accession)
                mine, sub, page = f"<{iri}> ", f"<{iri}#", f"<{urls.page(item.accession)}> "
                path = ctx.out / urls.path(urls.rdf_file(item.accession, "nt"))
                chunk: list[str] = [line for line in text.splitlines(keepends=True) if line not in seen]
                said = set(chunk)  # the collection graph's lines about this item: never twice in the dump
                with open(path, encoding="utf-8") as f:
                    for line in f:
                        if line.startswith(mine) or line.startswith(sub) or line.startswith(page):
                            chunk.append(line)
                        elif line not in seen and line not in said:
                            seen.add(line)
                            chunk.append(line)
                count += len(chunk)
                gz.write("".join(chunk).encode())
        os.replace(ttl_tmp, ttl_path)
        os.replace(dump_tmp, dump_path)
    except BaseException as exc:
        ttl_tmp.unlink(missing_ok=True)
        dump_tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.filename is None:
            exc.filename = str(dump_path)
        raise
    # Only lines about minted resources (agents, places, …) make their documents: the others (a page of an item,
    # the collection's members) are left out here rather than parsed for nothing (300,000 lines at 100,000 items).
    shared = {line for line in seen if not line.startswith(objects) and _minted(line, urls)}
    return digest.hexdigest(), count, shared


class _Compressor:
    """Writes to a gzip file in a thread of its own, a megabyte at a time: zlib lets go of the GIL while it
    compresses, so the dump (235 MB of N-Triples at 10,000 items, a second of compression) is compressed while
    the next items' files are read. The same bytes, in the same order, as writing directly."""

    _BATCH = 1 << 20

    def __init__(self, gz: gzip.GzipFile) -> None:
        self._gz = gz
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="dump-gzip")
        self._pending: Future[int] | None = None
        self._buffer: list[bytes] = []
        self._size = 0

    def write(self, data: bytes) -> None:
        self._buffer.append(data)
        self._size += len(data)
        if self._size >= self._BATCH:
            self._send()

    def _send(self) -> None:
        data = b"".join(self._buffer)
        self._buffer, self._size = [], 0
        if self._pending is not None:
            self._pending.result()  # one batch in flight: memory stays at two batches; raises the writer's error
        self._pending = self._pool.submit(self._gz.write, data)

    def __enter__(self) -> _Compressor:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        try:
            if kind is None:
                self._send()
                assert self._pending is not None
                self._pending.result()
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)


def _minted(line: str, urls: UrlScheme) -> bool:
    """Whether an N-Triples line's subject is a resource with a document of its own (:func:`document_iri`)."""
    end = line.find(">")
    return line.startswith("<") and end > 0 and document_iri(line[1:end], urls) is not None


def _write_resources(ctx: BuildContext, shared: list[Triple]) -> None:
    """Write the documents of agents, places, concepts, sections, the exhibition and its set (from the triples
    of the dump that are not an item's own); remove those of resources no longer minted."""
    written = set()
    for rel, data in resource_documents(shared, ctx.urls):
        # Rewritten only when their bytes change: one item's edit rewrites the collection's shared documents,
        # and a file left as it was keeps its time (an upload of a remote OUT, rsync, a web cache skip it).
        if not _same(ctx.out / rel, data):
            _write(ctx.out / rel, data)
        written.add(rel)
    for kind in RESOURCE_KINDS:
        folder = ctx.out / "rdf" / kind
        if not folder.is_dir():
            continue
        remove_stale_temporaries(folder)
        for path in folder.iterdir():
            if path.is_file() and f"rdf/{kind}/{path.name}" not in written:
                path.unlink()


def run(ctx: BuildContext) -> StepResult:
    """Write the ``rdf/`` folder of the build (only the items whose inputs changed since the ledger's record)."""
    c, urls, plan = ctx.collection, ctx.urls, ctx.plan
    rdf_dir = ctx.out / "rdf"
    (rdf_dir / "object").mkdir(parents=True, exist_ok=True)
    for folder in (rdf_dir, rdf_dir / "object"):  # left by a build that was killed
        remove_stale_temporaries(folder)
    slim = dataclasses.replace(c, items=(), agents=(), places=(), concepts=(), root=None)
    todo, current = plan.split("rdf", c.items, ctx.out)
    # Made as the executor takes them (it keeps a few tasks in flight): the items are decoded batch by batch.
    batches = (_Batch(slim, urls, ctx.out, tuple(todo[i : i + _BATCH]), ctx.options.rdf_store)
               for i in range(0, len(todo), _BATCH))

    ctx.progress.start("rdf", len(c.items))
    ctx.progress.advance("rdf", len(current))
    removed = 0
    for record in plan.withdrawn("rdf", (i.accession for i in c.items)):
        if ctx.options.rdf_store:  # sent by the workers, so not deleted by the upload: deleted here
            from heritage_ld.storage import Store

            Store.from_url(ctx.options.rdf_store).remove(sorted(record.files))
        plan.remove_outputs("rdf", record, ctx.out)
        removed += 1
    for results in ctx.cpu(len(todo)).map(_write_batch, batches):
        for *_, made in results:
            for rel, data in (made or {}).items():
                write_atomic(ctx.out / rel, data, durable=False)
        plan.record_many("rdf", ((acc, digest, files, None) for acc, digest, files, _ in results))
        ctx.progress.advance("rdf", len(results))
    epoch = source_date(ctx.options)
    collection_files = ("rdf/collection.ttl", "rdf/dataset.nt.gz",
                        *(f"rdf/dataset.{fmt.extension}" for fmt in RESOURCE_FORMATS))
    known = plan.collection_value("rdf", "triples")
    if known is not None and plan.collection_current("rdf", ctx.out, collection_files, epoch):
        count = int(known)  # nothing the collection-level files are made of changed: they stay as they are
    else:
        coll = sort_triples(collection_triples(c, profile="all", urls=urls, positions=False, members=False))
        collection_sha, count, shared = _write_collection_and_dump(ctx, coll)
        _write_resources(ctx, from_ntriples(sorted(shared)))
        issued = datetime.fromtimestamp(epoch, timezone.utc).date().isoformat() if epoch is not None else None
        desc = dataset_description(c, triples=count, urls=urls, issued=issued)
        for fmt in RESOURCE_FORMATS:
            _write(rdf_dir / f"dataset.{fmt.extension}", triples_document(desc, fmt, main=urls.dataset()))
        plan.record_collection("rdf", epoch, triples=count, collection_sha256=collection_sha)
    ctx.progress.finish("rdf")
    summary = f"{len(c.items)} items x {len(FORMATS)} formats, {count} triples in rdf/dataset.nt.gz"
    summary += f" ({len(todo)} written, {len(current)} unchanged" + (f", {removed} withdrawn)" if removed else ")")
    return StepResult(
        summary=summary,
        paths=("rdf/dataset.nt.gz", "rdf/dataset.ttl", "rdf/collection.ttl"),
        data={"triples": count, "written": len(todo), "unchanged": len(current), "withdrawn": removed},
    )
