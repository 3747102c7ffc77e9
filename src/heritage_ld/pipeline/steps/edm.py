"""Build step ``edm``: one EDM record per item, ``OUT/rdf/edm/{seg}.rdf`` (what Europeana harvests).

Incremental like the ``rdf`` step: only the items whose inputs changed since the ledger's record are written
(in parallel with ``ctx.executor``), each recorded once its file is in place; the records of withdrawn items
are removed, and so is the record of an item that can no longer have one (its rights became a statement
Europeana does not accept, say). An item the catalogue does not describe well enough for EDM gets no record;
``heritage-ld check --for edm`` names what is missing (C091-C095).
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from pathlib import Path

from heritage_ld.atomic import remove_stale_temporaries, write_atomic
from heritage_ld.model import Collection, Item, UrlScheme, iri_segment
from heritage_ld.model.aggregation import edm_collection_gaps
from heritage_ld.pipeline.build import BuildContext, StepResult
from heritage_ld.rdf.edm import edm_record, edm_writable

__all__ = ["EDM_FOLDER", "edm_path", "run"]

#: Where the records are, under OUT.
EDM_FOLDER = "rdf/edm"
_BATCH = 32


def edm_path(accession: str) -> str:
    """The path under OUT of an item's EDM record.

    >>> edm_path("HN 1")
    'rdf/edm/HN%201.rdf'
    """
    return f"{EDM_FOLDER}/{iri_segment(accession)}.rdf"


@dataclass(frozen=True, slots=True)
class _Batch:
    collection: Collection  # without items: what a record needs of the collection
    urls: UrlScheme
    out: Path
    tiles: bool
    items: tuple[tuple[Item, str], ...]
    #: Return the records instead of writing them (OUT is a working copy of a store: the worker may run on a
    #: machine that has none; the client writes them).
    send_back: bool = False


def _write_batch(batch: _Batch) -> list[tuple[str, str, dict[str, str], bytes | None]]:
    results: list[tuple[str, str, dict[str, str], bytes | None]] = []
    for item, digest in batch.items:
        data = edm_record(item, batch.collection, urls=batch.urls, tiles=batch.tiles)
        rel = edm_path(item.accession)
        if not batch.send_back:
            write_atomic(batch.out / rel, data, durable=False)
        results.append((item.accession, digest, {rel: hashlib.sha256(data).hexdigest()},
                        data if batch.send_back else None))
    return results


def run(ctx: BuildContext) -> StepResult:
    """Write ``OUT/rdf/edm/`` (only what changed since the ledger's record)."""
    c, plan = ctx.collection, ctx.plan
    folder = ctx.out / EDM_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(folder)
    writable = [i for i in c.items if edm_writable(i, c)]
    keep = {i.accession for i in writable}
    removed = 0
    for record in plan.withdrawn("edm", keep):  # withdrawn, or no longer describable in EDM
        plan.remove_outputs("edm", record, ctx.out)
        removed += 1
    for item in c.items:  # a record left by a build without the ledger
        if item.accession not in keep:
            (ctx.out / edm_path(item.accession)).unlink(missing_ok=True)
    todo, current = plan.split("edm", writable, ctx.out)
    slim = dataclasses.replace(c, items=(), root=None)
    batches = [_Batch(slim, ctx.urls, ctx.out, ctx.options.tiles, tuple(todo[i:i + _BATCH]), ctx.out_on_store)
               for i in range(0, len(todo), _BATCH)]
    ctx.progress.start("edm", len(writable))
    ctx.progress.advance("edm", len(current))
    for results in ctx.cpu(len(todo)).map(_write_batch, batches):
        for _, _, files, data in results:
            if data is not None:
                write_atomic(ctx.out / next(iter(files)), data, durable=False)
        plan.record_many("edm", ((acc, digest, files, None) for acc, digest, files, _ in results))
        ctx.progress.advance("edm", len(results))
    ctx.progress.finish("edm")
    left_out = len(c.items) - len(writable)
    summary = f"{len(writable)} EDM records in {EDM_FOLDER}/ ({len(todo)} written, {len(current)} unchanged"
    summary += (f", {removed} removed)" if removed else ")")
    if edm_collection_gaps(c):
        summary = f"no EDM records: the catalogue names no {'publisher' if c.publisher is None else 'provider'} " \
                  "(see heritage-ld check --for edm)"
    elif left_out:
        summary += f"; {left_out} item(s) without one (see heritage-ld check --for edm)"
    return StepResult(summary=summary, paths=(EDM_FOLDER,),
                      data={"records": len(writable), "written": len(todo), "unchanged": len(current),
                            "removed": removed, "left_out": left_out})
