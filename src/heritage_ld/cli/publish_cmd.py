"""``heritage-ld publish OUT --graph-store URL``: PUT every graph to a SPARQL 1.1 Graph Store server, then verify."""

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
        ..., "--graph-store",
        help="Graph Store Protocol URL (Fuseki: .../DATASET/data; Oxigraph: .../store). A user:password@ in it is "
             "sent as basic authentication and never shown.",
    ),
    user: str = typer.Option(None, "--user", help="User name for HTTP basic authentication."),
    password: str = typer.Option(
        None, "--password", envvar="HERITAGE_LD_GRAPH_STORE_PASSWORD",
        help="Password (or set HERITAGE_LD_GRAPH_STORE_PASSWORD).",
    ),
    retries: int = typer.Option(
        5, "--retries", min=0, help="Retries per request on connection errors, timeouts, 408, 429 and 5xx."
    ),
    timeout: float = typer.Option(
        60.0, "--timeout", help="Seconds one request may take in all (connect, send, whole answer)."
    ),
    sparql: str = typer.Option(
        None, "--sparql", help="The store's SPARQL query endpoint: verify with SPARQL counts, not by reading back."
    ),
    verify: bool = typer.Option(
        True, "--verify/--no-verify", help="Count every graph's triples in the store after the push."
    ),
    everything: bool = typer.Option(
        False, "--all", help="Send every graph, not only those changed since the last push to this store (ledger)."
    ),
    quiet: bool = QUIET_OPTION,
) -> None:
    """Send the build's graphs (one named graph per item, replaced with PUT) to a Graph Store server, then check
    that the store holds every triple sent. With the build ledger only graphs changed since the last push to
    that store are sent, and the graphs of withdrawn items are deleted there (--all sends everything).
    Exit 2 when a graph cannot be sent, 1 when the store lacks data.

    Example: heritage-ld publish build/hanoi-1972 --graph-store http://localhost:7878/store
    """
    from heritage_ld.publish.graphstore import push_graphs
    from heritage_ld.publish.transport import parse_endpoint

    if not out.is_dir():
        raise UsageError(f"{out} is not a folder")
    if password is not None and user is None:
        raise UsageError("--password needs --user")
    auth = (user, password or "") if user is not None else None
    shown = parse_endpoint(graph_store, auth).url  # without user:password@
    with progress_reporter(quiet) as progress:
        report = push_graphs(
            out, graph_store, auth=auth, retries=retries, timeout=timeout, verify=verify, sparql=sparql,
            start=lambda n: progress.start("publish", n), advance=lambda: progress.advance("publish"),
            everything=everything,
        )
        progress.finish("publish")
    if not quiet:
        checked = "verified" if report.verified else "not verified (--no-verify)"
        extra = "".join([f", deleted {report.deleted} graphs of withdrawn items" if report.deleted else "",
                         f", {report.unchanged} unchanged graphs not sent" if report.unchanged else ""])
        console.print(f"sent {report.graphs} graphs ({report.triples} triples) to {shown}, {checked}{extra}",
                      highlight=False, soft_wrap=True)
