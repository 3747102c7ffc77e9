"""Build step ``rdf``: per-item files in every format, the collection graph, the gzipped dump, the description.

Writes ``OUT/rdf/object/{seg}.{ttl,jsonld,nt,rdf,nq}`` (in parallel with ``ctx.executor``),
``OUT/rdf/collection.ttl``, ``OUT/rdf/dataset.nt.gz`` (gzip with mtime 0: byte-identical rebuilds) and
``OUT/rdf/dataset.ttl`` (VoID / DCAT, with the dump's triple count).

Every file is written to a temporary beside it and renamed into place (:mod:`heritage_ld.atomic`): a failure
(a full disk) leaves each file old or new and no temporary; those of an earlier run that was killed are
removed first.
"""

from __future__ import annotations

import dataclasses
import gzip
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from heritage_ld.atomic import remove_stale_temporaries, temporary_path, write_atomic
from heritage_ld.formats import FORMATS, TURTLE
from heritage_ld.model import Collection, Item, UrlScheme
from heritage_ld.pipeline.build import BuildContext, StepResult, source_date
from heritage_ld.rdf import (
    collection_triples,
    dataset_description,
    item_document,
    item_triples,
    triples_document,
)
from heritage_ld.rdf.serialize import canonical_ntriples, ntriples, sort_triples
from heritage_ld.rdf.terms import Triple

__all__ = ["run"]


def _write(path: Path, data: bytes) -> None:
    write_atomic(path, data, durable=False)


#: Items per task: tasks are module-level and carry a slim collection, so every executor (threads,
#: processes, dask) can run them without shipping the whole catalogue each time.
_BATCH = 32


@dataclass(frozen=True, slots=True)
class _Batch:
    collection: Collection  # without items, agents, places, concepts: what an item's graph needs
    urls: UrlScheme
    out: Path
    items: tuple[tuple[int, Item], ...]


def _write_batch(batch: _Batch) -> list[tuple[bytes, int, list[Triple]]]:
    """Write the files of a batch of items; return each item's own N-Triples, count and shared triples."""
    c, urls = batch.collection, batch.urls
    results = []
    for pos, item in batch.items:
        for fmt in FORMATS:
            path = batch.out / urls.path(urls.rdf_file(item.accession, fmt.extension))
            _write(path, item_document(item, c, fmt, urls=urls, position=pos))
        iri = urls.object(item.accession)
        own: list[Triple] = []
        shared: list[Triple] = []
        for t in item_triples(item, c, profile="all", urls=urls, position=pos):
            (own if t[0] == iri or t[0].startswith(iri + "#") else shared).append(t)
        results.append((canonical_ntriples(own).encode(), len(own), sort_triples(shared)))
    return results


def run(ctx: BuildContext) -> StepResult:
    """Write the ``rdf/`` folder of the build."""
    c, urls = ctx.collection, ctx.urls
    rdf_dir = ctx.out / "rdf"
    (rdf_dir / "object").mkdir(parents=True, exist_ok=True)
    for folder in (rdf_dir, rdf_dir / "object"):  # left by a build that was killed
        remove_stale_temporaries(folder)
    slim = dataclasses.replace(c, items=(), agents=(), places=(), concepts=(), root=None)
    numbered = list(enumerate(c.items, 1))
    batches = [
        _Batch(slim, urls, ctx.out, tuple(numbered[i : i + _BATCH])) for i in range(0, len(numbered), _BATCH)
    ]

    ctx.progress.start("rdf", len(c.items))
    coll = sort_triples(collection_triples(c, profile="all", urls=urls))
    _write(rdf_dir / "collection.ttl", triples_document(coll, TURTLE))
    count = len(coll)
    # Triples about shared resources (AAT terms, agents …) recur in every item: write each once, so the
    # dump has no duplicates and void:triples is exact. Only those few are remembered, not the item triples.
    seen: set[Triple] = set(coll)
    tmp = temporary_path(rdf_dir / "dataset.nt.gz")
    try:
        with open(tmp, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
            gz.write(ntriples(coll).encode())
            for results in ctx.executor.map(_write_batch, batches):
                for own, n, shared in results:
                    new = [t for t in shared if t not in seen]
                    seen.update(new)
                    gz.write(own + ntriples(new).encode())
                    count += n + len(new)
                ctx.progress.advance("rdf", len(results))
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.filename is None:
            exc.filename = str(rdf_dir / "dataset.nt.gz")
        raise
    os.replace(tmp, rdf_dir / "dataset.nt.gz")
    epoch = source_date(ctx.options)
    issued = datetime.fromtimestamp(epoch, timezone.utc).date().isoformat() if epoch is not None else None
    desc = dataset_description(c, triples=count, urls=urls, issued=issued)
    _write(rdf_dir / "dataset.ttl", triples_document(desc, TURTLE))
    ctx.progress.finish("rdf")
    return StepResult(
        summary=f"{len(c.items)} items x {len(FORMATS)} formats, {count} triples in rdf/dataset.nt.gz",
        paths=("rdf/dataset.nt.gz", "rdf/dataset.ttl", "rdf/collection.ttl"),
        data={"triples": count},
    )
