"""``heritage-ld build CATALOGUE -o OUT``."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import typer

from heritage_ld.cli._app import (
    JOBS_OPTION,
    MAX_PIXELS_OPTION,
    QUIET_OPTION,
    app,
    console,
    handle_errors,
    progress_reporter,
)
from heritage_ld.errors import UsageError
from heritage_ld.pipeline.build import STEPS
from heritage_ld.pipeline.executor import EXECUTORS


@app.command("build")
@handle_errors
def build_command(
    catalogue: str = typer.Argument(..., help="The catalogue folder, or its URL (s3://bucket/prefix, any fsspec URL)."),
    out: str = typer.Option(..., "--out", "-o", help="The output folder (rdf/, iiif/, bags/, site/ go here), or its "
                            "URL (s3://bucket/prefix: built in a local working copy, then uploaded)."),
    base_url: str = typer.Option(None, "--base-url", help="Public base URL of the output (default: from collection.toml)."),
    only: str = typer.Option(None, "--only", help=f"Comma-separated steps to run: {','.join(STEPS)} (default: all "
                             "but ocfl)."),
    jobs: int = JOBS_OPTION,
    executor: str = typer.Option(
        "auto", "--executor",
        help=f"How to run in parallel: {', '.join(EXECUTORS)} (auto: threads, and worker processes for "
        "pure-Python work when there are 200 items or more to write; dask: a LocalCluster of --jobs worker "
        "processes, or the cluster of --scheduler)."),
    scheduler: str = typer.Option(None, "--scheduler", metavar="ADDRESS",
                                  help="With --executor dask: the address of a running Dask scheduler, as in "
                                       "tcp://HOST:PORT (default: DASK_SCHEDULER_ADDRESS, else a LocalCluster)."),
    tiles: bool = typer.Option(True, "--tiles/--no-tiles", help="Write static IIIF level-0 image tiles."),
    bag_mode: str = typer.Option("item", "--bag-mode", help="item: one bag per item; collection: one bag for all."),
    replace: bool = typer.Option(False, "--replace", help="Replace existing bags in OUT instead of refusing."),
    rehash: bool = typer.Option(False, "--rehash", help="Re-hash unchanged bag payloads when updating bags."),
    force: bool = typer.Option(False, "--force", help="Rebuild every item, whatever the build ledger says."),
    verify: bool = typer.Option(False, "--verify",
                                help="Also check the digests of unchanged items' files (else their presence is enough)."),
    prune_bags: bool = typer.Option(False, "--prune-bags",
                                    help="Remove the bags of items withdrawn from the catalogue (kept by default)."),
    ledger: bool = typer.Option(True, "--ledger/--no-ledger",
                                help="Keep the build ledger OUT/ledger.sqlite3 (incremental rebuilds, OAI datestamps, "
                                     "deleted records, the IIIF change stream)."),
    max_pixels: int = MAX_PIXELS_OPTION,
    cache: str = typer.Option(None, "--cache", help="Local folder of the working copies of a remote catalogue or "
                               "OUT, of a remote OUT's build ledger, and of the copies of remote media this "
                               "machine's tasks fetch while they run (default: $HERITAGE_LD_CACHE, else "
                               "~/.cache/heritage-ld)."),
    break_lock: bool = typer.Option(False, "--break-lock",
                                    help="With a remote OUT: take over OUT/build.lock from a build known to be gone "
                                         "(its machine stopped, its process killed); never while it still runs."),
    quiet: bool = QUIET_OPTION,
) -> None:
    """Build everything for a catalogue into OUT: RDF, IIIF manifests and tiles, bags and the exhibition site.

    OCFL storage of the bags is opt-in: name it, as in --only rdf,iiif,bags,ocfl.

    Example: heritage-ld build examples/hanoi-1972 -o build/hanoi-1972 --jobs 4

    On a Dask cluster: heritage-ld build CATALOGUE -o OUT --executor dask --scheduler tcp://HOST:8786
    """
    from heritage_ld.pipeline import BuildOptions
    from heritage_ld.pipeline.remote import build_catalogue

    steps = [s.strip() for s in only.split(",") if s.strip()] if only else None
    if bag_mode not in ("item", "collection"):
        raise UsageError(f"--bag-mode must be 'item' or 'collection', not {bag_mode!r}")
    options = BuildOptions(base_url=base_url, tiles=tiles, bag_mode=bag_mode, replace=replace, rehash=rehash,
                           prune_bags=prune_bags, max_pixels=max_pixels)
    # A rebuild does not decode again the media files an earlier build of OUT decoded and that have not changed
    # since (their fingerprints are in its ledger); `heritage-ld check` always decodes everything.
    with progress_reporter(quiet) as progress, _task_copies_in(cache):
        report = build_catalogue(catalogue, out, cache=cache, max_pixels=max_pixels, only=steps, options=options,
                                 executor=executor, jobs=jobs, scheduler=scheduler, progress=progress, force=force,
                                 verify=verify, ledger=ledger, break_lock=break_lock)
    for warning in report.warnings:
        console.print(f"warning: {warning}", highlight=False, style="yellow", soft_wrap=True, markup=False)
    if not quiet:
        for name, result in report.results.items():
            console.print(f"{name:>6}: {result.summary} [{result.seconds:.1f} s]", highlight=False, soft_wrap=True,
                          markup=False)
        changes = ", ".join(f"{n} {k}" for k, n in sorted(report.items.items()))
        console.print(f"built {report.count} items into {out} in {report.seconds:.1f} s"
                      + (f" ({changes})" if changes else ""), highlight=False, soft_wrap=True, markup=False)


@contextlib.contextmanager
def _task_copies_in(cache: str | None) -> Iterator[None]:
    """With ``--cache DIR``, the build's tasks on this machine (its threads and the worker processes it starts)
    fetch remote media into DIR as well (:func:`heritage_ld.storage.cache_root` reads ``HERITAGE_LD_CACHE``),
    for the time of the build only; workers on other machines keep their own setting."""
    from heritage_ld.storage import is_url

    if cache is None or is_url(cache):
        yield
        return
    before = os.environ.get("HERITAGE_LD_CACHE")
    os.environ["HERITAGE_LD_CACHE"] = os.path.abspath(cache)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("HERITAGE_LD_CACHE", None)
        else:
            os.environ["HERITAGE_LD_CACHE"] = before

