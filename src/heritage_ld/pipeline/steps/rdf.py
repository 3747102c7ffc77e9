"""Build step ``rdf``: per-item files in every format, the collection graph, the gzipped dump, the description.

Writes ``OUT/rdf/object/{seg}.{ttl,jsonld,nt,rdf,nq}`` (in parallel with ``ctx.executor``),
``OUT/rdf/collection.ttl``, ``OUT/rdf/dataset.nt.gz`` (gzip with mtime 0: byte-identical rebuilds) and
``OUT/rdf/dataset.ttl`` (VoID / DCAT, with the dump's triple count).
"""

from __future__ import annotations

import gzip
import os
from datetime import datetime, timezone
from pathlib import Path

from heritage_ld.formats import FORMATS, TURTLE
from heritage_ld.model import Item
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
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def run(ctx: BuildContext) -> StepResult:
    """Write the ``rdf/`` folder of the build."""
    c, urls = ctx.collection, ctx.urls
    rdf_dir = ctx.out / "rdf"
    (rdf_dir / "object").mkdir(parents=True, exist_ok=True)
    positions = {i.accession: n for n, i in enumerate(c.items, 1)}

    def write_item(item: Item) -> tuple[bytes, int, list[Triple]]:
        pos = positions[item.accession]
        for fmt in FORMATS:
            path = ctx.out / urls.path(urls.rdf_file(item.accession, fmt.extension))
            _write(path, item_document(item, c, fmt, urls=urls, position=pos))
        iri = urls.object(item.accession)
        own: list[Triple] = []
        shared: list[Triple] = []
        for t in sort_triples(item_triples(item, c, profile="all", urls=urls, position=pos)):
            (own if t[0] == iri or t[0].startswith(iri + "#") else shared).append(t)
        return canonical_ntriples(own).encode(), len(own), shared

    ctx.progress.start("rdf", len(c.items))
    coll = sort_triples(collection_triples(c, profile="all", urls=urls))
    _write(rdf_dir / "collection.ttl", triples_document(coll, TURTLE))
    count = len(coll)
    # Triples about shared resources (AAT terms, agents …) recur in every item: write each once, so the
    # dump has no duplicates and void:triples is exact. Only those few are remembered, not the item triples.
    seen: set[Triple] = set(coll)
    tmp = rdf_dir / "dataset.nt.gz.tmp"
    with open(tmp, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        gz.write(ntriples(coll).encode())
        for own, n, shared in ctx.executor.map(write_item, c.items):
            new = [t for t in shared if t not in seen]
            seen.update(new)
            gz.write(own + ntriples(new).encode())
            count += n + len(new)
            ctx.progress.advance("rdf")
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
