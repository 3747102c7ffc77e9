"""``heritage-ld publish OUT --graph-store URL``: PUT every graph to a SPARQL 1.1 Graph Store server."""

from __future__ import annotations

from pathlib import Path

import typer

from heritage_ld.cli._app import QUIET_OPTION, app, console, handle_errors, progress_reporter
from heritage_ld.errors import UsageError


@app.command("publish")
@handle_errors
def publish(
    out: Path = typer.Argument(..., help="A folder written by 'heritage-ld build'."),
    graph_store: str = typer.Option(
        ..., "--graph-store", help="Graph Store Protocol URL (Fuseki: .../DATASET/data; Oxigraph: .../store)."
    ),
    user: str = typer.Option(None, "--user", help="User name for HTTP basic authentication."),
    password: str = typer.Option(
        None, "--password", envvar="HERITAGE_LD_GRAPH_STORE_PASSWORD",
        help="Password (or set HERITAGE_LD_GRAPH_STORE_PASSWORD).",
    ),
    retries: int = typer.Option(5, "--retries", min=0, help="Retries per graph on connection errors, 429 and 5xx."),
    quiet: bool = QUIET_OPTION,
) -> None:
    """Send every item's graph (one named graph per item, replaced with PUT) to a Graph Store server."""
    from heritage_ld.publish.graphstore import push_graphs

    if not out.is_dir():
        raise UsageError(f"{out} is not a folder")
    if not graph_store.startswith(("http://", "https://")):
        raise UsageError(f"--graph-store must be an http(s) URL, not {graph_store!r}")
    if password is not None and user is None:
        raise UsageError("--password needs --user")
    auth = (user, password or "") if user is not None else None
    with progress_reporter(quiet) as progress:
        report = push_graphs(
            out, graph_store, auth=auth, retries=retries,
            start=lambda n: progress.start("publish", n), advance=lambda: progress.advance("publish"),
        )
        progress.finish("publish")
    if not quiet:
        console.print(f"sent {report.graphs} graphs ({report.triples} triples) to {graph_store}", highlight=False)
