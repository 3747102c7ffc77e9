"""``build``: run the emitters over a collection into one output folder, in order, with a pluggable executor.

Steps are registered by name in :data:`STEPS` as ``"module:function"`` strings and imported only when run,
so a build restricted with ``only`` never loads the libraries of the steps it skips. Each step is a function
``run(ctx: BuildContext) -> StepResult``.
"""

from __future__ import annotations

import importlib
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Executor as FuturesExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from heritage_ld.decoding import DEFAULT_MAX_PIXELS
from heritage_ld.errors import StorageError, UsageError
from heritage_ld.ledger import Ledger, LedgerError
from heritage_ld.model import Collection, MediaFile, UrlScheme, iri_scheme, is_absolute_iri
from heritage_ld.pipeline.executor import (
    Executor,
    ProcessExecutor,
    SerialExecutor,
    as_executor,
    make_executor,
)
from heritage_ld.pipeline.incremental import MAX_PIXELS_KEY, Plan
from heritage_ld.pipeline.progress import NullProgress, Progress

if TYPE_CHECKING:
    from heritage_ld.storage.fetch import RemoteFile

__all__ = ["OPT_IN", "STEPS", "BuildContext", "BuildOptions", "BuildReport", "StepResult", "build", "source_date"]

#: The folder of OUT each step writes (named when a failing write does not say which file it was).
STEP_FOLDERS: dict[str, str] = {"rdf": "rdf", "edm": "rdf/edm", "iiif": "iiif", "bags": "bags", "site": "site",
                                "store": "store", "ocfl": "ocfl"}

#: Build steps in the order they run: name -> "module:function".
STEPS: dict[str, str] = {
    "rdf": "heritage_ld.pipeline.steps.rdf:run",
    "edm": "heritage_ld.pipeline.steps.edm:run",
    "iiif": "heritage_ld.pipeline.steps.iiif:run",
    "bags": "heritage_ld.pipeline.steps.bags:run",
    "site": "heritage_ld.pipeline.steps.site:run",
    "store": "heritage_ld.pipeline.steps.store:run",
    "ocfl": "heritage_ld.pipeline.steps.ocfl:run",
}

#: Steps a build runs only when named (``only``): OCFL storage holds a second copy of every bag.
OPT_IN: frozenset[str] = frozenset({"ocfl"})

#: Steps that may send work to the worker processes (:meth:`BuildContext.cpu`): once none of them is left to
#: run, the workers are stopped, so the steps after them (the store: loaded in the build process) do not run
#: beside idle workers holding memory (about 125 MB for two).
CPU_POOL_STEPS: frozenset[str] = frozenset({"rdf", "edm", "bags", "site"})


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """Options of a build that change what is written (not how fast)."""

    base_url: str | None = None
    tiles: bool = True
    bag_mode: str = "item"  # "item": one bag per item; "collection": one bag for everything
    replace: bool = False
    rehash: bool = False
    source_date_epoch: int | None = None
    prune_bags: bool = False  # remove the bags of withdrawn items (kept by default: originals are sacred)
    #: Images with more pixels are refused (problem ``I004``; :mod:`heritage_ld.decoding`).
    max_pixels: int = DEFAULT_MAX_PIXELS
    extra: tuple[tuple[str, Any], ...] = ()
    #: The URL of the output folder on object storage when the build writes into a local working copy of it:
    #: the bags step then writes each bag straight to ``URL/bags/…`` (docs/object-storage.md), not into OUT.
    remote_out: str | None = None
    #: The same URL when the iiif step sends each image's tiles straight to ``URL/iiif/image/…``: the working copy
    #: then keeps only each tile set's ``info.json`` (:func:`heritage_ld.iiif.tiles.write_tiles_to_store`).
    tiles_store: str | None = None
    #: The same URL when the rdf step's workers also send each item's RDF files straight to ``URL/rdf/object/…``
    #: (the working copy keeps them too: the site and the SPARQL store read them there).
    rdf_store: str | None = None

    def digest_options(self, urls: UrlScheme) -> dict[str, Any]:
        """The options that change an item's bytes (part of every item's digest in the ledger)."""
        return {"base_url": urls.base_url, "tiles": self.tiles, "bag_mode": self.bag_mode, "extra": self.extra}


@dataclass(slots=True)
class StepResult:
    """What a step wrote: a one-line summary and the paths (relative to the output folder) worth showing."""

    summary: str
    paths: tuple[str, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0  # set by the build: how long the step took


#: Executors whose tasks run on this machine (a task may read and write the working copy).
_LOCAL_EXECUTORS = frozenset({"serial", "threads", "processes", "auto"})

#: Items from which :meth:`BuildContext.cpu` sends pure-Python work to worker processes (below that, starting
#: the processes, about a second, costs more than it saves).
CPU_POOL_FROM = 200


@dataclass(slots=True)
class BuildContext:
    """Everything a step may use. ``results`` holds the results of the steps already run."""

    collection: Collection
    out: Path
    urls: UrlScheme
    executor: Executor
    progress: Progress
    options: BuildOptions
    plan: Plan = field(default_factory=lambda: Plan(None, 0))
    results: dict[str, StepResult] = field(default_factory=dict)
    cpu_pool: Executor | None = None  # worker processes for pure-Python work, started by the first cpu() that needs it

    def source(self, media: MediaFile) -> Path | RemoteFile:
        """What a task is given to read ``media``: its real path in the catalogue folder (symbolic links that
        stay inside it resolved), or, for a catalogue read from object storage, a
        :class:`~heritage_ld.storage.fetch.RemoteFile` (as the store listed it,
        :mod:`heritage_ld.storage.listing`) that a task reads in ranges or turns into a local file where it runs
        (:func:`~heritage_ld.storage.fetch.local_path`: fetched once per machine)."""
        from heritage_ld.storage.listing import media_source

        return media_source(self.collection.root or Path("."), media.path)

    @property
    def out_on_store(self) -> bool:
        """Whether OUT is a working copy of a folder on object storage (its steps send outputs there)."""
        return bool(self.options.remote_out or self.options.tiles_store or self.options.rdf_store)

    def cpu_here(self, items: int) -> Executor:
        """:meth:`cpu` for work that reads and writes the working copy itself (the site's item pages): when OUT
        is on object storage and the build's executor may run tasks on other machines (``dask``, a caller's
        ``concurrent.futures`` executor), on this machine instead: worker processes, or the build's own process
        for little work. Other machines have no working copy (docs/scaling.md, "What runs where")."""
        if self.executor.name in _LOCAL_EXECUTORS or not self.out_on_store:
            return self.cpu(items)
        jobs = min(self.executor.jobs, os.cpu_count() or 1)
        if jobs < 2 or items < CPU_POOL_FROM:
            return SerialExecutor()
        if self.cpu_pool is None:
            self.cpu_pool = ProcessExecutor(jobs)
        return self.cpu_pool

    def cpu(self, items: int) -> Executor:
        """Where the pure-Python work of ``items`` items (RDF documents, pages, format identification) run.

        Such work holds the GIL, so threads run it on one core: when the build runs on the ``auto`` executor (the
        command line's default) with more than one CPU and there is enough work to pay for starting them (about
        a second), it goes to worker processes (started once per build, with ``forkserver``); otherwise to the
        build's executor (``threads``, ``serial``, ``processes``, ``dask`` or the caller's own run everything
        where they are told to). Tasks must be module-level functions of picklable values.
        """
        if self.executor.name != "auto" or self.executor.jobs < 2 or items < CPU_POOL_FROM:
            return self.executor
        if self.cpu_pool is None:
            self.cpu_pool = ProcessExecutor(self.executor.jobs)
        return self.cpu_pool


@dataclass(slots=True)
class BuildReport:
    """What a build did: each step's result, the time it took, and warnings worth showing (a ledger that had
    to be set aside, for example). ``items`` counts items by what happened to them since the last build
    (``created``, ``updated``, ``restored``, ``unchanged``, ``withdrawn``)."""

    out: Path
    results: dict[str, StepResult]
    seconds: float
    warnings: list[str] = field(default_factory=list)
    items: dict[str, int] = field(default_factory=dict)
    #: How many items the catalogue has.
    count: int = 0


def source_date(options: BuildOptions | None = None) -> int | None:
    """The build timestamp (Unix seconds) from the option or ``SOURCE_DATE_EPOCH``; ``None`` when neither is set."""
    if options is not None and options.source_date_epoch is not None:
        return options.source_date_epoch
    env = os.environ.get("SOURCE_DATE_EPOCH")
    if env:
        try:
            return int(env)
        except ValueError:
            raise UsageError(f"SOURCE_DATE_EPOCH={env!r} is not a whole number of seconds") from None
    return None


def _load(name: str) -> Callable[[BuildContext], StepResult]:
    module, _, func = STEPS[name].partition(":")
    try:
        loaded = importlib.import_module(module)
    except ImportError as exc:  # an optional extra is missing: say which, no traceback
        missing = exc.name or str(exc)
        raise UsageError(
            f"the {name!r} step needs the Python package {missing!r}: pip install 'heritage-ld[all]'"
        ) from exc
    fn: Callable[[BuildContext], StepResult] = getattr(loaded, func)
    return fn


def build(
    collection: Collection,
    out: Path | str,
    *,
    only: Iterable[str] | None = None,
    options: BuildOptions | None = None,
    executor: Executor | FuturesExecutor | str = "threads",
    jobs: int | None = None,
    scheduler: str | None = None,
    progress: Progress | None = None,
    force: bool = False,
    verify: bool = False,
    ledger: bool = True,
) -> BuildReport:
    """Write every artefact of ``collection`` under ``out`` (``rdf/``, ``iiif/``, ``bags/``, ``site/`` …).

    Args:
        collection: the collection, usually from :func:`heritage_ld.read_catalogue`.
        out: the output folder (created if needed).
        only: step names to run (default: all but the opt-in :data:`OPT_IN`, in :data:`STEPS` order).
        options: what to write; ``options.base_url`` overrides the collection's base URL.
        executor: an :class:`Executor`, any :class:`concurrent.futures.Executor` (a pool of one's own, a Dask
            ``Client.get_executor()``: it is the caller's, never shut down here) or an executor's name
            (``serial``, ``threads``, ``processes``, ``dask``). Per-item work runs on it; the ledger and the
            collection-level files are written here (docs/scaling.md).
        jobs: workers for a named executor (default: the CPUs available).
        scheduler: with ``executor="dask"``, the address of an existing Dask scheduler (``tcp://HOST:PORT``;
            default ``DASK_SCHEDULER_ADDRESS``, else a ``LocalCluster`` of ``jobs`` processes is started).
        progress: receives progress (default: none).
        force: rebuild every item, whatever the ledger says.
        verify: also check the digests of the files an unchanged item's outputs are made of (else their
            presence is enough).
        ledger: keep the build ledger ``OUT/ledger.sqlite3`` (what was built from what, and when): a rebuild
            then redoes only what changed, and OAI-PMH datestamps, deleted records and the IIIF change stream
            come from it. Without it every build redoes everything and nothing is dated by history.

    Raises:
        CatalogueError: the collection has errors (:func:`heritage_ld.validate`); nothing was written.
        UsageError: an unknown step name, or ``options.base_url`` not an absolute http(s) URL.
        ExecutionError: the Dask cluster could not be reached, or a task kept failing on it (codes ``X…``).
        StorageError: a file could not be read or written (the disk is full, a permission, an I/O error); the
            step stops, its outputs already in place are kept and it leaves no temporary file behind.
    """
    from heritage_ld.catalogue.validate import require_valid  # (not at import: the CLI starts without it)

    require_valid(collection)  # a model built in Python: refused whole before anything is written
    options = options or BuildOptions()
    wanted = [s for s in STEPS if s not in OPT_IN] if only is None else list(dict.fromkeys(only))
    unknown = [s for s in wanted if s not in STEPS]
    if unknown:
        raise UsageError(f"unknown build step(s) {', '.join(unknown)}; choose from {', '.join(STEPS)}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if options.base_url is not None:
        reason = is_absolute_iri(options.base_url)
        if reason is None and iri_scheme(options.base_url) not in ("http", "https"):
            reason = "the base URL must be http or https"
        if reason:  # it is minted into every IRI and link: javascript: would become a link everywhere
            raise UsageError(f"--base-url {options.base_url!r} is not a usable base URL: {reason}")
    urls = UrlScheme(options.base_url or collection.base_url)
    own = isinstance(executor, str)  # started here (a pool, a Dask LocalCluster): stopped here, even on failure
    ex = make_executor(executor, jobs, scheduler=scheduler) if isinstance(executor, str) else as_executor(executor)
    warnings: list[str] = []
    book: Ledger | None = None
    ctx_made: BuildContext | None = None
    started = time.perf_counter()
    try:
        if ledger:
            try:
                book = Ledger.open(out)
            except LedgerError as exc:
                raise StorageError.of(exc, str(out), doing="opening the build ledger") from None
            if book.reset_reason:
                warnings.append(book.reset_reason)
        epoch = source_date(options)
        # Media are hashed by the build's executor, where its tasks run: a local path, or a remote catalogue's
        # file streamed from the store (no copy) by whichever machine the task lands on.
        try:
            plan = Plan.make(collection, book, options=options.digest_options(urls), mapper=ex.map,
                             force=force, verify=verify, now=epoch)
        except OSError as exc:
            raise StorageError.of(exc, str(out), doing="recording media fingerprints in the build ledger") from exc
        ctx = BuildContext(
            collection=collection,
            out=out,
            urls=urls,
            executor=ex,
            progress=progress or NullProgress(),
            options=options,
            plan=plan,
        )
        ctx_made = ctx
        order = [name for name in STEPS if name in wanted]  # registry order, whatever order the caller named them
        for at, name in enumerate(order):
            if ctx.cpu_pool is not None and not CPU_POOL_STEPS.intersection(order[at:]):
                ctx.cpu_pool.close()
                ctx.cpu_pool = None
            step = _load(name)
            began = time.perf_counter()
            try:
                ctx.results[name] = step(ctx)
                ctx.results[name].seconds = time.perf_counter() - began
            except OSError as exc:
                folder = out / STEP_FOLDERS.get(name, "")
                raise StorageError.of(exc, str(folder), doing=f"in the {name} step") from exc
        try:
            counts = _note_items(collection, plan, options.max_pixels) if book is not None else {}
        except OSError as exc:
            raise StorageError.of(exc, str(out), doing="recording the items in the build ledger") from exc
    finally:
        if ctx_made is not None and ctx_made.cpu_pool is not None:
            ctx_made.cpu_pool.close()
        if own:
            ex.close()
        if book is not None:
            book.close()
    return BuildReport(out=out, results=ctx.results, seconds=time.perf_counter() - started, warnings=warnings,
                       items=counts, count=len(collection.items))


def _note_items(collection: Collection, plan: Plan, max_pixels: int) -> dict[str, int]:
    """Record, after the steps, which items are in the catalogue (and their digests) and which left it, and the
    pixel limit its media files were read with (see :func:`~heritage_ld.pipeline.incremental.trusted_media`)."""
    book = plan.ledger
    assert book is not None
    counts: dict[str, int] = {}
    with book.transaction():
        for item in collection.items:
            sets = (item.section,) if item.section else ()
            what = book.note_item(item.accession, plan.metadata[item.accession], sets, now=plan.now)
            counts[what] = counts.get(what, 0) + 1
        withdrawn = book.withdraw_missing((item.accession for item in collection.items), now=plan.now)
        if withdrawn:
            counts["withdrawn"] = withdrawn
        book.set_meta(MAX_PIXELS_KEY, str(max_pixels))
    return counts
