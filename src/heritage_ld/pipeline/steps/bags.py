"""Build step ``bags``: one BagIt preservation package per item (or one for the collection) under ``OUT/bags/``.

Payload: the item's master and access files under ``data/``, keeping their paths relative to the catalogue.
Tag files in ``metadata/``: the item's RDF (Turtle, JSON-LD) and IIIF manifest as the earlier steps wrote
them in ``OUT`` (read as bytes: the bag layer knows no RDF), plus the PREMIS event log the bag writer keeps.
A rebuild whose payload is unchanged (same paths, sizes and modification times) rewrites only tag files and
tag manifests; ``rehash`` forces a full rewrite.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import overload

from heritage_ld.bags import (
    EVENTS_FILE,
    BagWriteRefused,
    commit_staged,
    payload_unchanged,
    update_bag_metadata,
    validate_bag,
    write_bag,
)
from heritage_ld.bags.describe import CrateSpec, crate_bytes
from heritage_ld.bags.identify import Identification, identify_files
from heritage_ld.bags.manifest import parse_manifest
from heritage_ld.bags.remote import DECLARATION
from heritage_ld.bags.rocrate import CRATE_FILE
from heritage_ld.bags.safe_write import RefusedPath, check_folders
from heritage_ld.bags.store_update import update_store_bag
from heritage_ld.bags.store_writer import remove_store_bag, write_store_bag
from heritage_ld.errors import UsageError
from heritage_ld.model import Collection, Item, UrlScheme, iri_segment
from heritage_ld.pipeline.build import BuildContext, StepResult, source_date
from heritage_ld.pipeline.steps.crate import crate_spec
from heritage_ld.problems import Location, report
from heritage_ld.storage import Store, StoreError
from heritage_ld.storage.fetch import RemoteFile, local_copy

__all__ = ["BUILD_LABELS", "COMMIT_EVERY", "PROFILE_ID", "BagJob", "bag_info", "make_bag", "make_checked_bag", "run"]

#: The bag-info labels :func:`bag_info` may write: on a rebuild, those the catalogue no longer gives are removed.
BUILD_LABELS = ("Source-Organization", "Organization-Address", "Contact-Email", "External-Description",
                "External-Identifier", "Bag-Group-Identifier", "Bag-Count", "BagIt-Profile-Identifier")

#: The BagIt profile our packages follow (``vocab/bagit-profile.json``, bagit-profiles specification 1.3).
PROFILE_ID = "https://example.org/heritage-ld/vocab/bagit-profile.json"


@dataclass(frozen=True, slots=True)
class BagJob:
    """Everything needed to write one bag (picklable, so a process executor can run it)."""

    target: Path
    #: Payload path (relative to ``data/``) -> its source: a path, or a remote catalogue's file
    #: (:class:`~heritage_ld.storage.fetch.RemoteFile`, read where the worker finds it).
    sources: tuple[tuple[str, Path | RemoteFile], ...]
    info: tuple[tuple[str, str], ...]
    tag_sources: tuple[tuple[str, Path], ...]
    date: datetime | None
    events_base: str
    replace: bool
    rehash: bool
    jobs: int
    #: The build's output folder: the folders from it down to ``target`` must be real folders, not links.
    root: Path | None = None
    #: What the bag's RO-Crate says of the item, and its media's formats (by SHA-256).
    crate: CrateSpec | None = None
    #: Payload path (relative to ``data/``) -> SHA-256 of the source, from the ledger's media digests.
    sha256: tuple[tuple[str, str], ...] = ()
    #: Write a new bag into its temporary folder only; the step makes a group of them durable with one sync and
    #: renames them into place (:func:`~heritage_ld.bags.writer.commit_staged`).
    stage: bool = False
    #: The URL of the bag's prefix on object storage: the bag is written straight there
    #: (:func:`~heritage_ld.bags.store_writer.write_store_bag`), ``target`` is not touched.
    store: str | None = None
    #: The tag files' bytes, read by the client just before the job is sent (a bag bound for the store may be
    #: written by a worker on another machine, which has no working copy); ``None``: read from ``tag_sources``.
    tag_bytes: tuple[tuple[str, bytes], ...] | None = None


def _tags(job: BagJob) -> dict[str, bytes]:
    if job.tag_bytes is not None:
        return dict(job.tag_bytes)
    return {name: path.read_bytes() for name, path in job.tag_sources}


@contextlib.contextmanager
def _local_sources(job: BagJob) -> Iterator[dict[str, Path]]:
    """The payload as local files for the time of a ``with`` block (a remote catalogue's file: fetched onto this
    machine for this bag only, :meth:`~heritage_ld.storage.fetch.RemoteFile.local_file`)."""
    with contextlib.ExitStack() as stack:
        yield {rel: stack.enter_context(local_copy(src)) for rel, src in job.sources}


def _size(source: Path | RemoteFile) -> int:
    return source.size if isinstance(source, RemoteFile) else os.stat(source).st_size


def _streamed(source: Path | RemoteFile) -> Path | str:
    """Where :func:`~heritage_ld.bags.store_writer.write_store_bag` reads a source: a local file, else its URL
    (streamed from the store, no local copy)."""
    if isinstance(source, RemoteFile):
        return source.mirrored() or source.url
    return source


class _Sent(Sequence[BagJob]):
    """The bag jobs as they are sent: those bound for the store carry their tag files' bytes, read as each is
    taken (the executor keeps a few in flight, so they are never all in memory)."""

    def __init__(self, jobs: list[BagJob]) -> None:
        self._jobs = jobs

    def __len__(self) -> int:
        return len(self._jobs)

    @overload
    def __getitem__(self, index: int) -> BagJob: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[BagJob]: ...
    def __getitem__(self, index: int | slice) -> BagJob | Sequence[BagJob]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        job = self._jobs[index]
        if job.store is None or job.tag_bytes is not None:
            return job
        return replace(job, tag_bytes=tuple(sorted(_tags(job).items())))


#: New bags made durable and renamed into place together (one ``syncfs`` for the group): a sync per bag made
#: writing 10,000 small bags cost more than everything else in the step.
COMMIT_EVERY = 256

#: Files of one bag streamed to (and read back from) a store at once: each is a request that mostly waits on
#: the network, so a worker keeps several in flight.
STORE_JOBS = 8


def bag_info(collection: Collection, item: Item | None, index: int = 1, count: int = 1) -> list[tuple[str, str]]:
    """The bag-info.txt entries of an item's bag (``item=None``: the collection's bag).

    ``Bag-Count`` (``index of count``) is written for the collection's bag only: an item's bag depends on the
    item alone, so adding or withdrawing another item never rewrites it (the group is ``Bag-Group-Identifier``).
    """
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
    if item is None:
        info.append(("Bag-Count", f"{index} of {count}"))
    info.append(("BagIt-Profile-Identifier", PROFILE_ID))
    return info


def _payload(ctx: BuildContext, items: Sequence[Item], prefix: bool) -> dict[str, Path | RemoteFile]:
    """Payload path -> the file to copy (:meth:`BuildContext.source`). A catalogue may name a file through a
    symbolic link that stays inside its folder (``check`` refuses any other): the bag holds the file it points
    to, under the catalogue's name (the bag writer opens sources without following links, so it is given the
    real path)."""
    out: dict[str, Path | RemoteFile] = {}
    for item in items:
        for media in item.media:
            rel = str(media.path)
            out[f"{iri_segment(item.accession)}/{rel}" if prefix else rel] = ctx.source(media)
    return out


def _tag_sources(out: Path, urls: UrlScheme, items: Sequence[Item], single: bool) -> list[tuple[str, Path]]:
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


def _refuse_links(job: BagJob) -> None:
    """Raise :class:`BagWriteRefused` (B014) when a folder from the output folder down to the bag is a link or
    special file."""
    if job.root is None:
        return
    try:
        check_folders(job.root, job.target)
    except RefusedPath as exc:
        raise BagWriteRefused(job.target, [report("B014", Location(exc.path), path=exc.path,
                                                  kind=exc.reason)]) from None


def make_bag(job: BagJob) -> str:
    """Write or update one bag; returns ``written``, ``updated`` or ``unchanged``.

    An update merges (:func:`~heritage_ld.bags.update_bag_metadata`): the labels the build writes
    (:data:`BUILD_LABELS`) are set or, when the catalogue no longer gives them, removed; labels and tag
    files someone added by hand are kept.

    Raises:
        BagWriteRefused: a folder from the output folder down to the bag, or inside the bag on the way to a
            tag file, is a link or special file (B014); nothing was written.
    """
    with _local_sources(job) as sources:
        return _make_bag(job, sources)


def _make_bag(job: BagJob, sources: dict[str, Path]) -> str:
    tags = _tags(job)
    _refuse_links(job)
    same_payload = job.target.exists() and not job.rehash and payload_unchanged(job.target, sources)
    if same_payload:
        # Only metadata changed: tag files, labels and the RO-Crate (payload the writer made) are merged in,
        # and what the bag gathered since (audit events, labels and tag files added by hand) is kept.
        given = {k.lower() for k, _ in job.info}
        result = update_bag_metadata(job.target, info=job.info, tag_files=tags, date=job.date, within=job.root,
                                     remove_info=[k for k in BUILD_LABELS if k.lower() not in given],
                                     crate=_crate(job))
        return "updated" if result.tag_files else "unchanged"
    if job.target.exists() and not (job.replace or job.rehash):
        raise UsageError(f"{job.target}: its payload changed since it was written; "
                         "rebuild with --replace to rewrite it")
    write_bag(sources, job.target, info=job.info, tag_files=tags, replace=True, jobs=job.jobs, date=job.date,
              events_base=job.events_base, crate=job.crate)
    return "written"


def _stage_bag(job: BagJob) -> tuple[str, Path | None]:
    """:func:`make_bag`, except that a new bag (no bag at the target yet) is left staged: returns the outcome and
    the staged folder (``None`` when the bag is in place)."""
    if not job.stage or job.target.exists() or job.target.is_symlink():
        return make_bag(job), None
    _refuse_links(job)
    tags = _tags(job)
    with _local_sources(job) as sources:
        done = write_bag(sources, job.target, info=job.info, tag_files=tags, jobs=job.jobs, date=job.date,
                         events_base=job.events_base, crate=job.crate, stage=True)
    return "written", done.staged


def make_checked_bag(job: BagJob) -> tuple[str, bool, Path | None]:
    """Write, update or stage one bag (:func:`make_bag`), then say whether it is complete, and where it is staged
    (``None``: it is in place). Completeness, not fixity: a new bag's checksums were computed from the very bytes
    copied, and an updated bag's payload is left alone without a re-hash (fixity is ``heritage-ld bag validate``
    / ``bag audit``)."""
    if job.store is not None:
        return make_store_bag(job), True, None
    outcome, staged = _stage_bag(job)
    return outcome, validate_bag(staged or job.target, completeness_only=True).valid, staged


def make_store_bag(job: BagJob) -> str:
    """Write or update the bag of ``job`` straight on its store (``job.store``); returns ``written``, ``updated``
    or ``unchanged``.

    A complete bag there whose payload is the sources' (its SHA-256 manifest against the ledger's media
    digests, and the sizes) gets only its metadata merged in (:func:`~heritage_ld.bags.store_update.
    update_store_bag`: labels and tag files added by hand, and its event history, are kept); otherwise the bag is
    written anew (:func:`~heritage_ld.bags.store_writer.write_store_bag`: payload streamed from the sources,
    read back and verified, ``bagit.txt`` last). The tag files are read here, in the worker.

    Raises:
        UsageError: the store holds a bag whose payload differs from the sources, and neither ``replace`` nor
            ``rehash`` was asked (as for a bag in a folder).
        StoreError: the store could not be written or read, or what was read back does not match (S002, S004,
            S005): the bag has no ``bagit.txt``.
    """
    assert job.store is not None
    store = Store.from_url(job.store)
    tags = _tags(job)
    # Without the ledger's digests of every source, the payload cannot be compared: the bag is written anew.
    known = _store_payload(store) if job.sha256 and all(sha for _, sha in job.sha256) else None
    if known is not None:
        sources = dict(job.sources)
        wanted = {f"data/{rel}": (sha, _size(sources[rel])) for rel, sha in job.sha256}
        if {k: v for k, v in known.items() if k != CRATE_FILE} == wanted and not job.rehash:
            given = {k.lower() for k, _ in job.info}
            written = update_store_bag(store, info=job.info, tag_files=tags, date=job.date, crate=_crate(job),
                                       remove_info=[k for k in BUILD_LABELS if k.lower() not in given])
            return "updated" if written else "unchanged"
        if not (job.replace or job.rehash):
            raise UsageError(f"{job.store}: its payload changed since it was written; "
                             "rebuild with --replace to rewrite it")
    write_store_bag({rel: _streamed(src) for rel, src in job.sources}, store, info=job.info, tag_files=tags, date=job.date,
                    events_base=job.events_base, crate=job.crate, jobs=STORE_JOBS)
    return "written"


def _store_payload(store: Store) -> dict[str, tuple[str, int]] | None:
    """The payload (path -> (SHA-256, size)) of the complete bag at ``store``, or ``None`` when there is no
    complete bag there."""
    listing = store.listing()
    if DECLARATION not in listing or "manifest-sha256.txt" not in listing:
        return None
    try:
        text = store.read_bytes("manifest-sha256.txt").decode("utf-8")
    except (StoreError, UnicodeDecodeError):
        return None
    manifest = parse_manifest("manifest-sha256.txt", text, version=(1, 0), payload=True)
    if manifest.problems:
        return None  # not a manifest this writer made: the bag is written anew
    out: dict[str, tuple[str, int]] = {}
    for rel, sha in manifest.entries.items():
        if rel not in listing:
            return None
        out[rel] = (sha, int(listing[rel].get("size") or 0))
    return out


def _crate(job: BagJob) -> bytes | None:
    """The RO-Crate metadata file this build would write into the bag (the writer makes the same bytes)."""
    if job.crate is None or not job.sha256:
        return None
    sha = dict(job.sha256)
    files = {f"data/{rel}": (_size(src), sha.get(rel, "")) for rel, src in job.sources}
    formats = {f"data/{rel}": job.crate.formats.get(sha.get(rel, ""), Identification()) for rel, _ in job.sources}
    return crate_bytes(files, formats, job.crate, job.target.name, job.date or datetime.now(tz=timezone.utc))


def _identify(ctx: BuildContext, items: list[Item], media: dict[str, str]) -> dict[str, Identification]:
    """The format of each distinct media content of ``items`` (by SHA-256), each identified once (fido is pure
    Python: in the build's worker processes when there are many)."""
    files: dict[str, Path | RemoteFile] = {}
    for item in items:
        for m in item.media:
            sha = media.get(str(m.path), "")
            if sha and sha not in files:
                files[sha] = ctx.source(m)
    where = ctx.cpu(len(files))
    # threads would run fido one file at a time under the GIL, slower than one thread alone (measured)
    return identify_files(files, jobs=ctx.executor.jobs, mapper=None if where.name in ("threads", "auto") else where.map)


def run(ctx: BuildContext) -> StepResult:
    """Write the bags of ``ctx.collection`` under ``OUT/bags/`` (only items whose inputs changed since the
    ledger's record) and check each bag written is complete. Bags of withdrawn items are kept and reported;
    ``options.prune_bags`` removes them."""
    c, plan = ctx.collection, ctx.plan
    epoch = source_date(ctx.options)
    date = datetime.fromtimestamp(epoch, tz=timezone.utc) if epoch is not None else None
    jobs: list[BagJob] = []
    digests: list[tuple[str, str]] = []
    current: Sequence[Item] = []
    kept: list[str] = []
    pruned: list[str] = []
    unknown = 0
    remote = Store.from_url(ctx.options.remote_out) if ctx.options.remote_out else None

    def on_store(target: Path) -> str | None:
        """The URL of a bag's prefix on the store when bags go straight there (``None``: into OUT)."""
        return remote.url_of(target.relative_to(ctx.out).as_posix()) if remote is not None else None

    if ctx.options.bag_mode == "collection":
        target = ctx.out / "bags" / iri_segment(c.key)
        jobs.append(BagJob(target, tuple(sorted(_payload(ctx, c.items, True).items())),
                           tuple(bag_info(c, None, 1, 1)), tuple(_tag_sources(ctx.out, ctx.urls, c.items, False)),
                           date, f"{ctx.urls.bag(c.key)}/{EVENTS_FILE}", ctx.options.replace,
                           ctx.options.rehash, ctx.executor.jobs, ctx.out, store=on_store(target)))
    else:
        for record in plan.withdrawn("bags", (i.accession for i in c.items)):
            if ctx.options.prune_bags:
                if remote is not None:  # its declaration first: it stops looking like a bag before its files go
                    remove_store_bag(remote.child(ctx.urls.path(ctx.urls.bag(record.accession))))
                plan.remove_outputs("bags", record, ctx.out)
                pruned.append(record.accession)
            else:
                kept.append(record.accession)
        def sources(item: Item) -> tuple[object, ...]:
            # The tag files come from the other steps' outputs in OUT: a bag is redone when one of them changed
            # (size or time), even behind the ledger's back.
            prints = []
            for _, path in _tag_sources(ctx.out, ctx.urls, (item,), True):
                st = path.stat()
                prints.append((path.name, st.st_size, st.st_mtime_ns))
            return tuple(prints)

        todo, current = plan.split("bags", c.items, ctx.out, sources)
        formats = _identify(ctx, [item for item, _ in todo], plan.media)
        unknown = sum(not f.known for f in formats.values())
        for item, digest in todo:
            target = ctx.out / ctx.urls.path(ctx.urls.bag(item.accession))
            payload = _payload(ctx, (item,), False)
            sha = tuple(sorted((rel, plan.media.get(rel, "")) for rel in payload))
            known = plan.ledger.item(item.accession) if plan.ledger is not None else None
            published = known.first_built if known is not None else plan.now
            spec = crate_spec(c, item, ctx.urls, published=published,
                              formats={h: formats[h] for _, h in sha if h in formats})
            jobs.append(BagJob(target, tuple(sorted(payload.items())),
                               tuple(bag_info(c, item)),
                               tuple(_tag_sources(ctx.out, ctx.urls, (item,), True)), date,
                               f"{ctx.urls.bag(item.accession)}/{EVENTS_FILE}", ctx.options.replace,
                               ctx.options.rehash, 1, ctx.out, spec, sha, stage=True, store=on_store(target)))
            digests.append((item.accession, digest))
    ctx.progress.start("bags", len(jobs) + len(current))
    ctx.progress.advance("bags", len(current))
    outcomes: dict[str, int] = {}
    rows = []
    invalid: list[str] = []
    staged: list[tuple[Path, Path]] = []
    waiting: list[tuple[str, str, dict[str, str], dict[str, str] | None]] = []  # recorded once their bags are in place

    def commit() -> None:
        commit_staged(staged)
        staged.clear()
        plan.record_many("bags", waiting)
        waiting.clear()

    # Bags are written where pure-Python work goes (tag files, RO-Crate, PREMIS are Python; in worker processes
    # on a large build), each checked for completeness right after it is written; new bags are staged and put in
    # place in groups of COMMIT_EVERY, one sync for each group.
    try:
        for n, (outcome, complete, folder) in enumerate(ctx.cpu(len(jobs)).map(make_checked_bag, _Sent(jobs))):
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            ctx.progress.advance("bags")
            if not complete:
                invalid.append(str(jobs[n].target))
                if folder is not None:
                    shutil.rmtree(folder, ignore_errors=True)
                continue
            row = None
            if n < len(digests):
                acc, digest = digests[n]
                rel = jobs[n].target.relative_to(ctx.out).as_posix()
                # A bag on the store has no file in OUT for the ledger to look for: its row names none (the
                # worker reported it complete, read back and verified, before this row is written).
                row = (acc, digest, {rel: ""}, None) if remote is None else (acc, digest, {}, {"store": rel})
            if folder is not None:
                staged.append((folder, jobs[n].target))
                if row is not None:
                    waiting.append(row)
                if len(staged) >= COMMIT_EVERY:
                    commit()
            elif row is not None:
                rows.append(row)
        commit()
    finally:
        for folder, _ in staged:  # an error before their group was committed: nothing half-done is left
            shutil.rmtree(folder, ignore_errors=True)
    ctx.progress.finish("bags")
    if invalid:
        raise UsageError(f"bags failed validation after the build: {', '.join(invalid)}")
    plan.record_many("bags", rows)  # recorded only once written and checked
    if current:
        outcomes["unchanged"] = outcomes.get("unchanged", 0) + len(current)
    done = ", ".join(f"{n} {k}" for k, n in sorted(outcomes.items()))
    summary = f"{len(jobs) + len(current)} bags ({done}); {len(jobs)} checked"
    if unknown:
        summary += f"; {unknown} media file(s) of unknown format (B030, recorded as unknown)"
    if kept:
        summary += f"; {len(kept)} bags of withdrawn items kept (--prune-bags removes them)"
    if pruned:
        summary += f"; {len(pruned)} bags of withdrawn items removed"
    if remote is not None:
        summary += f"; written straight to {remote.url}/bags, each read back and verified before its bagit.txt"
    return StepResult(
        summary=summary,
        paths=tuple(str(j.target.relative_to(ctx.out)) for j in jobs),
        data={"validated": len(jobs), **outcomes, "formats_unknown": unknown, "withdrawn_kept": tuple(kept), "pruned": tuple(pruned)},
    )
