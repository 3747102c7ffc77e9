"""Build step ``store``: load the RDF into the embedded pyoxigraph store ``OUT/store/`` (one graph per item).

A first build (or ``--force``) bulk-loads everything; later builds replace only the graphs of items whose
N-Triples file changed since the ledger's record (its digest, as the ``rdf`` step recorded it) and drop the
graphs of withdrawn items.
"""

from __future__ import annotations

from heritage_ld.pipeline.build import BuildContext, StepResult

__all__ = ["run"]


def run(ctx: BuildContext) -> StepResult:
    """Load ``OUT/rdf`` into ``OUT/store`` for ``heritage-ld serve``'s SPARQL endpoint."""
    from heritage_ld.publish.store import STORE_DIR, load_store

    plan, urls = ctx.plan, ctx.urls
    accessions = [i.accession for i in ctx.collection.items]
    rdf = plan.records("rdf") if plan.ledger is not None else {}
    if plan.ledger is not None:  # the rdf step of this build may have recorded new digests: read them again
        rdf = plan.ledger.outputs("rdf")
    mine = plan.records("store")
    full = plan.ledger is None or plan.force or not (ctx.out / STORE_DIR).is_dir() or not mine
    wanted: dict[str, str] = {}
    for acc in accessions:
        record = rdf.get(acc)
        wanted[acc] = record.files.get(urls.path(urls.rdf_file(acc, "nt")), "") if record else ""
    changed = [a for a in accessions if full or not wanted[a] or mine.get(a) is None or mine[a].digest != wanted[a]]
    removed = [r.accession for r in plan.withdrawn("store", accessions)]
    ctx.progress.start("store", len(accessions))
    if not full:
        ctx.progress.advance("store", len(accessions) - len(changed))
    try:
        counts = load_store(
            ctx.out, urls, ctx.collection.key, accessions if full else changed,
            advance=lambda: ctx.progress.advance("store"),
            changed=None if full else changed, removed=removed,
        )
    finally:
        ctx.progress.finish("store")
    if plan.ledger is not None:
        with plan.ledger.transaction():
            for acc in removed:
                plan.ledger.forget_output("store", acc)
            for acc in changed:
                if wanted[acc]:
                    plan.ledger.record_output("store", acc, wanted[acc], {}, now=plan.now)
    how = "loaded in bulk" if full else f"{len(changed)} graphs replaced, {len(removed)} dropped"
    return StepResult(f"{counts['quads']} quads in {counts['graphs']} graphs in store/ ({how})", ("store",), counts)
