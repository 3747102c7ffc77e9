"""Build step ``site``: the static exhibition site in ``OUT/site/`` (see :mod:`heritage_ld.publish.site`).

Item pages are written again only for items whose inputs changed since the ledger's record; an item page also
depends on its neighbours in its section (the previous/next links), on which of the item's other outputs
exist (links to its manifest, RDF and bag) and on whether the dump exists. The home page, section pages,
sitemap and the snapshot are collection-level and always written. Pages of withdrawn items are removed.
"""

from __future__ import annotations

import json
import threading

from heritage_ld.model import Item
from heritage_ld.pipeline.build import BuildContext, StepResult, source_date

__all__ = ["run"]


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
    digests = dict((item.accession, digest) for item, digest in todo)
    records = plan.records("site")
    known = {i.accession: records[i.accession].data for i in current}
    # Recorded once the site is in place (its pages are written in a hidden folder first): until then each page's
    # row is kept as small as it goes, the pictures (often alike: none without media) as one shared JSON text.
    rows: list[tuple[str, str, tuple[tuple[str, str], ...], str]] = []
    texts: dict[str, str] = {}
    lock = threading.Lock()

    def on_page(page: ItemPage) -> None:
        text = json.dumps(page.pictures)
        with lock:
            rows.append((page.accession, digests.pop(page.accession), tuple(page.files.items()),
                         texts.setdefault(text, text)))

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
            mapper=ctx.cpu(len(todo)).map,
            advance=lambda: ctx.progress.advance("site"),
            only=None if plan.ledger is None or plan.ledger.fresh or plan.force else set(digests),
            known=known,
            on_page=on_page,
            elsewhere=elsewhere,
        )
    finally:
        ctx.progress.finish("site")
    plan.record_many("site", ((acc, digest, dict(files), json.loads(pictures)) for acc, digest, files, pictures in rows))
    plan.record_collection("site", epoch, dump)
    pages = sum(1 for p in paths if p.endswith(".html"))
    summary = f"{pages} pages written in site/ ({len(todo)} item pages, {len(current)} unchanged"
    summary += f", {removed} withdrawn; open site/index.html)" if removed else "; open site/index.html)"
    return StepResult(summary, ("site/index.html",),
                      {"paths": paths, "written": len(todo), "unchanged": len(current), "withdrawn": removed})
