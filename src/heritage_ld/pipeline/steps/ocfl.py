"""Build step ``ocfl`` (opt-in: ``--only ...,ocfl``): each item's bag as an OCFL 1.1 object in ``OUT/ocfl/``.

The object's id is the item's IRI (OCFL recommends a URI); its content is the bag, file for file (payload,
tag files, manifests), so the OCFL object holds the same fixity and metadata as the bag. Versions are driven
by the build ledger: an item whose bag changed since the ledger's record (new scan, corrected metadata) gets a
new version that keeps the old ones, storing only files with new digests; an unchanged item gets none. An item
withdrawn from the catalogue gets a last version with an empty state (OCFL keeps every earlier version: the
archive forgets nothing), and the ledger forgets it.
"""

from __future__ import annotations

import hashlib
import os
from datetime import datetime, timezone
from pathlib import Path

from heritage_ld._project import project_url
from heritage_ld.errors import UsageError
from heritage_ld.model import Item
from heritage_ld.ocfl import LAYOUT_NAME, add_version, init_storage_root
from heritage_ld.pipeline.build import BuildContext, StepResult

__all__ = ["PROJECT_URL", "bag_files", "run"]

#: Who makes the versions (the OCFL ``user``): this software, by its project address.
PROJECT_URL = project_url()


def bag_files(bag: Path) -> dict[str, Path]:
    """Every regular file of ``bag`` by its path inside the bag (links and special files are not followed)."""
    out: dict[str, Path] = {}
    for dirpath, dirs, names in os.walk(bag):
        dirs.sort()
        for name in sorted(names):
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink():
                out[path.relative_to(bag).as_posix()] = path
    return out


def _fingerprint(bag: Path) -> str:
    """What says a bag changed: its tag manifests (which cover the payload manifests and every tag file)."""
    h = hashlib.sha256()
    for name in sorted(p.name for p in bag.glob("tagmanifest-*.txt")):
        h.update((bag / name).read_bytes())
    return h.hexdigest()


def run(ctx: BuildContext) -> StepResult:
    """Add a version to the OCFL object of each item whose bag changed; record it in the ledger once written."""
    c, plan = ctx.collection, ctx.plan
    if ctx.options.remote_out:
        # The bags of a remote OUT are written straight to the store: there is no bag folder here to version.
        raise UsageError("ocfl: a remote OUT's bags are on the store, not in a local folder; OCFL versions are made "
                         "from a local OUT (build it into a folder, or run the build with bags_to_store=False)")
    root = init_storage_root(ctx.out / "ocfl")
    when = datetime.fromtimestamp(plan.now, tz=timezone.utc) if plan.now else None
    user = ("heritage-ld", PROJECT_URL)

    def bag_of(item: Item) -> Path:
        return ctx.out / ctx.urls.path(ctx.urls.bag(item.accession))

    def extra(item: Item) -> tuple[object, ...]:
        bag = bag_of(item)
        return (_fingerprint(bag),) if bag.is_dir() else ("no bag",)

    todo, current = plan.split("ocfl", c.items, ctx.out, extra)
    counts = {"new version": 0, "unchanged": len(current), "withdrawn": 0}
    rows = []
    ctx.progress.start("ocfl", len(todo))
    for item, digest in todo:
        bag = bag_of(item)
        if not bag.is_dir():
            ctx.progress.advance("ocfl")
            continue
        result = add_version(root, ctx.urls.object(item.accession), bag_files(bag), created=when, user=user,
                             message=f"heritage-ld build: bag of {item.accession}")
        counts["new version" if result.created else "unchanged"] += 1
        rel = result.path.relative_to(ctx.out).as_posix()
        rows.append((item.accession, digest, {f"{rel}/inventory.json": ""}, {"head": result.head}))
        ctx.progress.advance("ocfl")
    ctx.progress.finish("ocfl")
    plan.record_many("ocfl", rows)
    for record in plan.withdrawn("ocfl", (i.accession for i in c.items)):
        add_version(root, ctx.urls.object(record.accession), {}, created=when, user=user,
                    message=f"heritage-ld build: {record.accession} withdrawn from the catalogue")
        if plan.ledger is not None:
            plan.ledger.forget_output("ocfl", record.accession)
        counts["withdrawn"] += 1
    done = ", ".join(f"{n} {k}" for k, n in counts.items() if n)
    return StepResult(summary=f"{len(c.items)} OCFL objects in ocfl/ ({done or 'nothing to do'}; layout "
                              f"{LAYOUT_NAME})",
                      paths=("ocfl",), data=counts)
