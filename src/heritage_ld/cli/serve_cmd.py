"""``heritage-ld serve OUT``: the built site, SPARQL, OAI-PMH and resolvable IRIs on a local web server."""

from __future__ import annotations

from pathlib import Path

import typer

from heritage_ld.cli._app import app, console, handle_errors
from heritage_ld.errors import UsageError


@app.command("serve")
@handle_errors
def serve(
    out: Path = typer.Argument(..., help="A folder written by 'heritage-ld build'."),
    port: int = typer.Option(8000, "--port", "-p", min=0, max=65535, help="TCP port (0 picks a free one)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (0.0.0.0 exposes it to the network)."),
    keep_base_url: bool = typer.Option(
        False, "--keep-base-url", help="Serve files as built, without replacing the base URL by this server's."
    ),
    page_size: int = typer.Option(100, "--oai-page-size", min=1, help="OAI-PMH records per page."),
    timeout: float = typer.Option(10.0, "--sparql-timeout", min=0.1, help="Seconds a SPARQL query may take."),
    max_rows: int = typer.Option(10_000, "--sparql-max-rows", min=1, help="Largest SPARQL result, in rows."),
    bags: bool = typer.Option(
        False, "--bags", help="Also serve OUT/bags/ (the preservation packages, originals included), with folder listings."
    ),
) -> None:
    """Serve OUT: the exhibition site at /, SPARQL at /sparql, OAI-PMH at /oai, every minted IRI (/object/ID,
    /agent/KEY …, /.well-known/void) by content negotiation.

    Only the published trees are served: site/, rdf/ and iiif/ (and bags/ with --bags). The base URL the build
    minted is replaced by this server's origin everywhere (pages, RDF, the dump, OAI-PMH, SPARQL), or nowhere
    with --keep-base-url.

    Stop with Ctrl-C.

    Example: heritage-ld serve build/hanoi-1972 --port 8000
    """
    try:
        import starlette  # noqa: F401
        import uvicorn
    except ImportError:
        raise UsageError("serving needs the optional extra: pip install 'heritage-ld[serve]'") from None

    from heritage_ld.publish.server import make_app

    application = make_app(
        out, rewrite_urls=not keep_base_url, page_size=page_size, sparql_timeout=timeout, max_rows=max_rows,
        serve_bags=bags,
    )
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    console.print(
        f"serving {out} at http://{shown}:{port}/  (SPARQL: /sparql, OAI-PMH: /oai?verb=Identify; Ctrl-C stops)",
        highlight=False,
    )
    uvicorn.run(application, host=host, port=port, log_level="warning", lifespan="off")
