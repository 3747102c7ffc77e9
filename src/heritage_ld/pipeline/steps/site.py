"""Build step ``site``: the static exhibition site in ``OUT/site/`` (see :mod:`heritage_ld.publish.site`)."""

from __future__ import annotations

from heritage_ld.pipeline.build import BuildContext, StepResult, source_date

__all__ = ["run"]


def run(ctx: BuildContext) -> StepResult:
    """Write the site from the collection and what the earlier steps wrote in OUT."""
    from heritage_ld.publish.site import write_site

    items = len(ctx.collection.items)
    ctx.progress.start("site", items)
    try:
        paths = write_site(
            ctx.collection,
            ctx.out,
            ctx.urls,
            datestamp=source_date(ctx.options),
            mapper=ctx.executor.map,
            advance=lambda: ctx.progress.advance("site"),
        )
    finally:
        ctx.progress.finish("site")
    pages = sum(1 for p in paths if p.endswith(".html"))
    return StepResult(f"{pages} pages in site/ (open site/index.html)", ("site/index.html",), {"paths": paths})
