"""Build step ``site``: the static exhibition site in ``OUT/site/`` (see :mod:`heritage_ld.publish.site`).

Item pages are written again only for items whose inputs changed since the ledger's record; an item page also
depends on its neighbours in its section (the previous/next links), on which of the item's other outputs
exist (links to its manifest, RDF and bag) and on whether the dump exists. The home page, section pages,
sitemap and the snapshot are collection-level and always written. Pages of withdrawn items are removed.
"""

from __future__ import annotations

import threading

from heritage_ld.model import Item
from heritage_ld.pipeline.build import BuildContext, StepResult, source_date

__all__ = ["run"]

#: Ledger rows of pages set aside at a time (one transaction each).
_STAGED = 512


def run(ctx: BuildContext) -> StepResult:
    """Write the site from the collection and what the earlier steps wrote in OUT."""
    from heritage_ld.publish.site import ItemPage, neighbours, write_site

    c, urls, plan, out = ctx.collection, ctx.urls, ctx.plan, ctx.out
    prev_at, next_at = neighbours(c.items)  # an item's page links its neighbours in its section

    def around(n: int) -> tuple[str, str] | None:
        if n < 0:
            return None
        item = c.items[n]
        return item.accession, repr(item.title)
    dump = (out / "rdf" / "dataset.nt.gz").exists()
    # A remote OUT's bags are on the store, not in OUT: the bags step's ledger rows say which are there (read
    # afresh: the plan's cached records predate what the bags step just recorded).
    elsewhere = frozenset(str(r.data["store"]) for r in plan.ledger.outputs("bags").values() if r.data.get("store")) \
        if ctx.options.remote_out and plan.ledger is not None else frozenset()

    def extra(at: int, item: Item) -> tuple[object, ...]:
        links = tuple(urls.path(u) in elsewhere or (out / urls.path(u)).exists() for u in (
            urls.manifest(item.accession), urls.rdf_file(item.accession, "ttl"), urls.bag(item.accession)))
        return (around(prev_at[at]), around(next_at[at])), links, dump

    removed = 0
    for record in plan.withdrawn("site", (i.accession for i in c.items)):
        plan.remove_outputs("site", record, out)
        removed += 1
    todo, current = plan.split("site", c.items, out, extra_at=extra)
    records = plan.records("site")
    known = {i.accession: records[i.accession].data for i in current}
    # The pages are written in a hidden folder and moved into place together: their ledger rows are set aside in
    # the ledger as they come (not held: 100,000 of them) and made the step's own once the site is in place.
    # write_site hands the pages over in catalogue order, which is the order of ``todo``.
    plan.discard_staged("site")
    expected = iter(todo)
    rows: list[tuple[str, str, dict[str, str], dict[str, object]]] = []
    lock = threading.Lock()

    def on_page(page: ItemPage) -> None:
        with lock:
            item, digest = next(expected)
            if item.accession != page.accession:  # never: a change in write_site's order would be a bug
                raise RuntimeError(f"site page of {page.accession!r} came where {item.accession!r} was expected")
            rows.append((page.accession, digest, dict(page.files), page.pictures))
            if len(rows) >= _STAGED:
                plan.stage_many("site", rows)
                rows.clear()

    ctx.progress.start("site", len(c.items))
    ctx.progress.advance("site", len(current))
    epoch = source_date(ctx.options)
    whole = ("site/index.html", "site/sitemap.xml", "site/data/exhibition.json")
    if not todo and not removed and plan.collection_current("site", out, whole, epoch, dump):
        # No item page to write and nothing the home page, section pages, sitemap or snapshot show changed.
        ctx.progress.finish("site")
        return StepResult(f"nothing to write in site/ ({len(current)} item pages unchanged; open site/index.html)",
                          ("site/index.html",), {"paths": [], "written": 0, "unchanged": len(current),
                                                 "withdrawn": 0})
    try:
        paths = write_site(
            c,
            out,
            urls,
            datestamp=epoch,
            mapper=ctx.cpu_here(len(todo)).map,  # pages read and write the working copy
            advance=lambda: ctx.progress.advance("site"),
            only=None if plan.ledger is None or plan.ledger.fresh or plan.force else set(todo.accessions()),
            known=known,
            on_page=on_page,
            elsewhere=elsewhere,
            tiles_elsewhere=bool(ctx.options.tiles_store),
        )
    finally:
        ctx.progress.finish("site")
    plan.stage_many("site", rows)
    plan.promote_staged("site")
    plan.record_collection("site", epoch, dump)
    pages = sum(1 for p in paths if p.endswith(".html"))
    summary = f"{pages} pages written in site/ ({len(todo)} item pages, {len(current)} unchanged"
    summary += f", {removed} withdrawn; open site/index.html)" if removed else "; open site/index.html)"
    return StepResult(summary, ("site/index.html",),
                      {"paths": paths, "written": len(todo), "unchanged": len(current), "withdrawn": removed})
