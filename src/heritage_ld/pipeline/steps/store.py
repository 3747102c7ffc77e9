"""Build step ``store``: load the RDF into the embedded pyoxigraph store ``OUT/store/`` (one graph per item).

A first build (or ``--force``) bulk-loads everything; later builds replace only the graphs of items whose
N-Triples file changed since the ledger's record (its digest, as the ``rdf`` step recorded it) and drop the
graphs of withdrawn items.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from heritage_ld.pipeline.build import BuildContext, StepResult

__all__ = ["run"]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return ""
    return digest.hexdigest()


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


def run(ctx: BuildContext) -> StepResult:
    """Load ``OUT/rdf`` into ``OUT/store`` for ``heritage-ld serve``'s SPARQL endpoint."""
    from heritage_ld.publish.store import STORE_DIR, load_store

    plan, urls = ctx.plan, ctx.urls
    accessions = [i.accession for i in ctx.collection.items]
    mine = plan.records("store")
    full = plan.ledger is None or plan.force or not (ctx.out / STORE_DIR).is_dir() or not mine
    # What changed is worked out only for an update: a full load takes everything, and its ledger rows are copied
    # from the rdf step's in SQLite (two tables of 100,000 digests held here were a fifth of the step's memory).
    rdf = plan.ledger.file_digests("rdf", ".nt") if plan.ledger is not None and not full else {}
    wanted = {acc: rdf.get(acc, "") for acc in accessions} if not full else {}
    changed = accessions if full else [a for a in accessions
                                       if not wanted[a] or mine.get(a) is None or mine[a].digest != wanted[a]]
    removed = [r.accession for r in plan.withdrawn("store", accessions)]
    del rdf
    graphs, quads = plan.collection_value("store", "graphs"), plan.collection_value("store", "quads")
    if (not full and not changed and not removed and graphs is not None and quads is not None
            and plan.collection_current("store", ctx.out, (STORE_DIR, "rdf/collection.ttl"),
                                        _mtime(ctx.out / "rdf" / "collection.ttl"))):
        return StepResult(f"{quads} quads in {graphs} graphs in store/ (nothing changed)", ("store",),
                          {"graphs": int(graphs), "quads": int(quads)})
    # The collection graph (700,000 quads at 100,000 items) is reloaded only when its file's bytes changed: an
    # edited row rewrites rdf/collection.ttl with the same bytes.
    # The rdf step records the digest of the file as it writes it; hashed here only without that record.
    collection_sha = plan.collection_value("rdf", "collection_sha256") or _sha256(ctx.out / "rdf" / "collection.ttl")
    collection_changed = full or plan.collection_value("store", "collection_sha256") != collection_sha
    ctx.progress.start("store", len(accessions))
    if not full:
        ctx.progress.advance("store", len(accessions) - len(changed))
    try:
        counts = load_store(
            ctx.out, urls, ctx.collection.key, accessions if full else changed,
            advance=lambda: ctx.progress.advance("store"),
            changed=None if full else changed, removed=removed, collection_changed=collection_changed,
            counts=None if graphs is None or quads is None else {"graphs": int(graphs), "quads": int(quads)},
        )
    finally:
        ctx.progress.finish("store")
    if plan.ledger is not None and full:
        plan.ledger.copy_file_digests("rdf", ".nt", "store", accessions, now=plan.now)
    elif plan.ledger is not None:
        with plan.ledger.transaction():
            for acc in removed:
                plan.ledger.forget_output("store", acc)
            for acc in changed:
                if wanted[acc]:
                    plan.ledger.record_output("store", acc, wanted[acc], {}, now=plan.now)
    plan.record_collection("store", _mtime(ctx.out / "rdf" / "collection.ttl"), **counts,
                           collection_sha256=collection_sha)
    how = "loaded in bulk" if full else f"{len(changed)} graphs replaced, {len(removed)} dropped"
    return StepResult(f"{counts['quads']} quads in {counts['graphs']} graphs in store/ ({how})", ("store",), counts)
