"""Build step ``bags``: one BagIt preservation package per item (or one for the collection) under ``OUT/bags/``.

Payload: the item's master and access files under ``data/``, keeping their paths relative to the catalogue.
Tag files in ``metadata/``: the item's RDF (Turtle, JSON-LD) and IIIF manifest as the earlier steps wrote
them in ``OUT`` (read as bytes: the bag layer knows no RDF), plus the PREMIS event log the bag writer keeps.
A rebuild whose payload is unchanged (same paths, sizes and modification times) rewrites only tag files and
tag manifests; ``rehash`` forces a full rewrite.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from heritage_ld.bags import EVENTS_FILE, payload_unchanged, update_bag_metadata, validate_bag, write_bag
from heritage_ld.errors import UsageError
from heritage_ld.model import Collection, Item, UrlScheme, iri_segment
from heritage_ld.pipeline.build import BuildContext, StepResult, source_date

__all__ = ["PROFILE_ID", "BagJob", "bag_info", "make_bag", "run"]

#: The BagIt profile our packages follow (``vocab/bagit-profile.json``, bagit-profiles specification 1.3).
PROFILE_ID = "https://example.org/heritage-ld/vocab/bagit-profile.json"


@dataclass(frozen=True, slots=True)
class BagJob:
    """Everything needed to write one bag (picklable, so a process executor can run it)."""

    target: Path
    sources: tuple[tuple[str, Path], ...]
    info: tuple[tuple[str, str], ...]
    tag_sources: tuple[tuple[str, Path], ...]
    date: datetime | None
    events_base: str
    replace: bool
    rehash: bool
    jobs: int


def bag_info(collection: Collection, item: Item | None, index: int, count: int) -> list[tuple[str, str]]:
    """The bag-info.txt entries of an item's bag (``item=None``: the collection's bag)."""
    info: list[tuple[str, str]] = []
    publisher = collection.publisher
    if publisher is not None:
        info.append(("Source-Organization", publisher.name.best()))
        if publisher.address:
            info.append(("Organization-Address", publisher.address))
        if publisher.email:
            info.append(("Contact-Email", publisher.email))
    subject = item.title if item is not None else collection.title
    info.append(("External-Description", subject.best()))
    info.append(("External-Identifier", item.accession if item is not None else collection.key))
    info.append(("Bag-Group-Identifier", collection.key))
    info.append(("Bag-Count", f"{index} of {count}"))
    info.append(("BagIt-Profile-Identifier", PROFILE_ID))
    return info


def _payload(collection: Collection, items: tuple[Item, ...], prefix: bool) -> dict[str, Path]:
    """Payload path -> the file to copy. A catalogue may name a file through a symbolic link that stays inside
    its folder (``check`` refuses any other): the bag holds the file it points to, under the catalogue's name
    (the bag writer opens sources without following links, so it is given the real path)."""
    root = collection.root or Path(".")
    out: dict[str, Path] = {}
    for item in items:
        for media in item.media:
            rel = str(media.path)
            real = Path(os.path.realpath(media.resolve(root)))
            out[f"{iri_segment(item.accession)}/{rel}" if prefix else rel] = real
    return out


def _tag_sources(out: Path, urls: UrlScheme, items: tuple[Item, ...], single: bool) -> list[tuple[str, Path]]:
    tags: list[tuple[str, Path]] = []
    for item in items:
        seg = iri_segment(item.accession)
        folder = "metadata" if single else f"metadata/{seg}"
        for ext in ("ttl", "jsonld"):
            path = out / urls.path(urls.rdf_file(item.accession, ext))
            if path.is_file():
                tags.append((f"{folder}/{'item' if single else seg}.{ext}", path))
        manifest = out / urls.path(urls.manifest(item.accession))
        if manifest.is_file():
            tags.append((f"{folder}/manifest.json", manifest))
    return tags


def make_bag(job: BagJob) -> str:
    """Write or update one bag; returns ``written``, ``updated`` or ``unchanged``."""
    sources = dict(job.sources)
    tags = {name: path.read_bytes() for name, path in job.tag_sources}
    if job.target.exists() and not job.rehash and payload_unchanged(job.target, sources):
        result = update_bag_metadata(job.target, info=job.info, tag_files=tags, date=job.date)
        return "updated" if result.tag_files else "unchanged"
    if job.target.exists() and not (job.replace or job.rehash):
        raise UsageError(f"{job.target}: its payload changed since it was written; "
                         "rebuild with --replace to rewrite it")
    write_bag(sources, job.target, info=job.info, tag_files=tags, replace=True, jobs=job.jobs, date=job.date,
              events_base=job.events_base)
    return "written"


def run(ctx: BuildContext) -> StepResult:
    """Write the bags of ``ctx.collection`` under ``OUT/bags/`` and check each one is complete."""
    c = ctx.collection
    epoch = source_date(ctx.options)
    date = datetime.fromtimestamp(epoch, tz=timezone.utc) if epoch is not None else None
    jobs: list[BagJob] = []
    if ctx.options.bag_mode == "collection":
        target = ctx.out / "bags" / iri_segment(c.key)
        jobs.append(BagJob(target, tuple(sorted(_payload(c, c.items, True).items())),
                           tuple(bag_info(c, None, 1, 1)), tuple(_tag_sources(ctx.out, ctx.urls, c.items, False)),
                           date, f"{ctx.urls.bag(c.key)}/{EVENTS_FILE}", ctx.options.replace,
                           ctx.options.rehash, ctx.executor.jobs))
    else:
        for index, item in enumerate(c.items, start=1):
            target = ctx.out / ctx.urls.path(ctx.urls.bag(item.accession))
            jobs.append(BagJob(target, tuple(sorted(_payload(c, (item,), False).items())),
                               tuple(bag_info(c, item, index, len(c.items))),
                               tuple(_tag_sources(ctx.out, ctx.urls, (item,), True)), date,
                               f"{ctx.urls.bag(item.accession)}/{EVENTS_FILE}", ctx.options.replace,
                               ctx.options.rehash, 1))
    ctx.progress.start("bags", len(jobs))
    outcomes: dict[str, int] = {}
    for outcome in ctx.executor.map(make_bag, jobs):
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        ctx.progress.advance("bags")
    ctx.progress.finish("bags")
    # Completeness, not fixity: a new bag's checksums were computed from the very bytes copied, and an updated
    # bag's payload is left alone without a re-hash (fixity is `heritage-ld bag validate` / `bag audit`).
    invalid = [str(j.target) for j in jobs if not validate_bag(j.target, completeness_only=True).valid]
    if invalid:
        raise UsageError(f"bags failed validation after the build: {', '.join(invalid)}")
    done = ", ".join(f"{n} {k}" for k, n in sorted(outcomes.items()))
    return StepResult(
        summary=f"{len(jobs)} bags ({done}); {len(jobs)} validated",
        paths=tuple(str(j.target.relative_to(ctx.out)) for j in jobs),
        data={"validated": len(jobs), **outcomes},
    )
