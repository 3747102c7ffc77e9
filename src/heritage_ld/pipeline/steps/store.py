"""Build step ``store``: load the RDF into the embedded pyoxigraph store ``OUT/store/`` (one graph per item)."""

from __future__ import annotations

from heritage_ld.pipeline.build import BuildContext, StepResult

__all__ = ["run"]


def run(ctx: BuildContext) -> StepResult:
    """Load ``OUT/rdf`` into ``OUT/store`` for ``heritage-ld serve``'s SPARQL endpoint."""
    from heritage_ld.publish.store import load_store

    accessions = [i.accession for i in ctx.collection.items]
    ctx.progress.start("store", len(accessions))
    try:
        counts = load_store(
            ctx.out, ctx.urls, ctx.collection.key, accessions, advance=lambda: ctx.progress.advance("store")
        )
    finally:
        ctx.progress.finish("store")
    return StepResult(f"{counts['quads']} quads in {counts['graphs']} graphs in store/", ("store",), counts)
