"""``heritage-ld serve``: the build output folder as a web site, with SPARQL, OAI-PMH and resolvable item IRIs.

A Starlette application served by uvicorn. ``OUT`` is the web root, but only its published trees are served
(``/site/…``, ``/iiif/…``, ``/rdf/…``, and ``/bags/…`` with listings when ``serve_bags``; never the store,
the token key or a temporary file: :mod:`heritage_ld.publish.webroot`); ``/`` redirects to the home page;
every minted IRI (``/object/{id}``, ``/agent/{key}``, ``/place/…``, ``/concept/…``, ``/section/…``,
``/exhibition/…``, ``/set/…``, ``/rdf/dataset`` and ``/.well-known/void``) answers by content negotiation
(Turtle, JSON-LD, N-Triples, RDF/XML from ``OUT/rdf/``, EDM with the EDM profile, else 303 to a page:
:mod:`heritage_ld.publish.resolve`); ``/sparql`` is the read-only SPARQL 1.1 Protocol endpoint over
``OUT/store`` (its Service Description when asked with no query); ``/oai`` is the OAI-PMH 2.0 provider (503,
P040, while the catalogue gives no contact); ``/robots.txt`` and ``/sitemap.xml`` are the site's. Both follow a rebuild of ``OUT`` while the server
runs: a new store or snapshot is picked up at the next request, without a restart.
A bad request gets a 4xx answer, never a 5xx: request bodies are read up to a limit (413 past it), SPARQL
queries pass :mod:`heritage_ld.publish.sparql_guard` first (no ``SERVICE``: the server never makes a network
request), OAI-PMH resumption tokens are signed with a key kept in ``OUT`` (:mod:`heritage_ld.publish.tokens`).

The build mints absolute URLs from the collection's base URL (``https://heritage-ld.example/hanoi-1972``), so
by default the server replaces that base URL by its own origin in every text response (HTML, JSON, RDF, XML,
SPARQL results) and in the gzipped dump and replaces its origin by the base URL in SPARQL queries: viewers then fetch manifests and
tiles from this server. ``rewrite_urls=False`` serves the files byte for byte.

>>> from heritage_ld.publish.negotiation import choose
>>> choose("text/turtle;q=0.9, application/ld+json", list(OBJECT_TYPES))
'application/ld+json'
"""

from __future__ import annotations

import contextlib
import html
import mimetypes
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote

from heritage_ld.errors import UsageError
from heritage_ld.ledger import ledger_path
from heritage_ld.model import UrlScheme
from heritage_ld.problems import Location, report
from heritage_ld.publish.negotiation import choose, is_rewritable, rewrite
from heritage_ld.publish.oai import OaiProvider
from heritage_ld.publish.resolve import RDF_TYPES, RESOURCE_KINDS, resolve, wants_edm
from heritage_ld.publish.snapshot import SNAPSHOT_PATH, read_snapshot
from heritage_ld.publish.sparql import SparqlAnswer, SparqlService
from heritage_ld.publish.sparql_guard import DEFAULT_LIMITS, QueryLimits, Refusal
from heritage_ld.publish.store import STORE_DIR, open_store
from heritage_ld.publish.tokens import load_key
from heritage_ld.publish.webroot import PUBLISHED, Kind, kind_of, served_path

if TYPE_CHECKING:
    from starlette.responses import Response

__all__ = ["OBJECT_TYPES", "make_app", "running"]

#: RDF media types of ``/object/{id}`` (and every other minted IRI) and the file extension each is read from.
OBJECT_TYPES = RDF_TYPES
_TYPES = {
    ".ttl": "text/turtle", ".jsonld": "application/ld+json", ".nt": "application/n-triples",
    ".nq": "application/n-quads", ".rdf": "application/rdf+xml", ".json": "application/json",
    ".js": "text/javascript", ".gz": "application/gzip", ".txt": "text/plain", ".xml": "application/xml",
}
#: Media types by folder under OUT, ahead of the file extension: the IIIF Change Discovery stream is JSON-LD with
#: the discovery profile (spec §4.1; heritage_ld.iiif.changes.MEDIA_TYPE, not imported: that package loads PIL).
_FOLDER_TYPES = {"iiif/activity/": 'application/ld+json;profile="http://iiif.io/api/discovery/1/context.json"'}
#: The largest OAI-PMH request body (a POSTed form), in bytes.
OAI_MAX_BODY = 64 * 1024


def _media_type(path: Path) -> str:
    return _TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def _folder_type(rel: str, accept: str | None) -> str | None:
    """The media type of a JSON file in a folder of :data:`_FOLDER_TYPES`, by content negotiation (a client that
    takes only ``application/json`` gets that, without the profile); ``None`` elsewhere."""
    for folder, media in _FOLDER_TYPES.items():
        if rel.startswith(folder) and rel.endswith(".json"):
            return "application/json" if choose(accept, [media.split(";")[0], "application/json"]) == \
                "application/json" else media
    return None


def make_app(
    out: Path,
    *,
    base_url: str | None = None,
    rewrite_urls: bool = True,
    page_size: int = 100,
    sparql_timeout: float = 10.0,
    max_rows: int = 10_000,
    serve_bags: bool = False,
    query_limits: QueryLimits = DEFAULT_LIMITS,
) -> Any:
    """The ASGI application serving the build output folder ``out``.

    Args:
        out: a folder written by ``heritage-ld build`` (with at least the ``site`` step).
        base_url: the base URL the build minted (default: the one recorded in ``out``).
        rewrite_urls: replace ``base_url`` by the server's origin in text responses.
        page_size: OAI-PMH list page size (records before a resumption token).
        sparql_timeout: seconds a SPARQL query may take.
        max_rows: SPARQL result rows above which the answer is 413.
        serve_bags: also serve ``OUT/bags/``, with a listing of each folder (a bag has no index page).
        query_limits: SPARQL queries larger, more nested or with more operators are refused unread.

    Raises:
        UsageError: ``out`` is not a build output folder.
    """
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import FileResponse, RedirectResponse, Response, StreamingResponse
    from starlette.routing import Route

    out = Path(out)
    if not out.is_dir():
        raise UsageError(f"{out} is not a folder")
    snapshot_file = out / SNAPSHOT_PATH
    token_key = load_key(out)
    ledger_file = ledger_path(out)  # datestamps and deleted records: re-read when a build changed the ledger
    oai_state: dict[str, Any] = {"key": (_stat_key(snapshot_file), _stat_key(ledger_file))}
    oai_state["p"] = OaiProvider(read_snapshot(out), page_size=page_size, token_key=token_key)
    oai_lock = threading.Lock()
    root = out.resolve()
    trees = (*PUBLISHED, "bags") if serve_bags else PUBLISHED
    listed = ("bags",) if serve_bags else ()
    sparql_max_body = 3 * query_limits.max_bytes + 4096  # a form-encoded query may take 3 bytes a byte
    state: dict[str, Any] = {}
    lock = threading.Lock()

    def sparql_service() -> SparqlService:
        # A rebuild replaces OUT/store by renaming a new folder into place: reopen when its inode changes.
        try:
            st = (out / STORE_DIR).stat()  # an incremental build updates it in place: new files, new mtime
            ino: tuple[int, int] | None = (st.st_ino, st.st_mtime_ns)
        except OSError:
            ino = None
        with lock:
            if "s" not in state or state["ino"] != ino:
                if "s" in state:
                    state["s"].close()
                # Each query in a worker process, killed when late (see heritage_ld.publish.sparql_worker).
                state["s"] = SparqlService(open_store(out), timeout=sparql_timeout, max_rows=max_rows,
                                           isolate=out / STORE_DIR, limits=query_limits)
                state["ino"] = ino
            service: SparqlService = state["s"]
            return service

    def oai_provider() -> OaiProvider:
        # A rebuild replaces the snapshot (os.replace): re-read it when its stat changes. While it is missing or
        # unreadable (mid-rebuild, or written by hand), keep answering from the last good snapshot.
        with oai_lock:
            snap = _stat_key(snapshot_file)
            key = (snap, _stat_key(ledger_file))
            if snap is not None and key != oai_state["key"]:
                oai_state["key"] = key  # a bad file is tried once, again only when it changes
                with contextlib.suppress(UsageError):
                    oai_state["p"] = OaiProvider(read_snapshot(out), page_size=page_size, token_key=token_key)
            provider: OaiProvider = oai_state["p"]
            return provider

    def current_base() -> str:
        # The base URL the build minted: given, or the one in the current snapshot (a rebuild may change it).
        return (base_url or oai_provider().snapshot.base_url).rstrip("/")

    def origin(request: Request) -> str:
        return f"{request.url.scheme}://{request.url.netloc}"

    def text_response(request: Request, body: bytes, media: str, status: int = 200,
                      headers: dict[str, str] | None = None) -> Response:
        if rewrite_urls and is_rewritable(media):
            body = rewrite(body, current_base(), origin(request))
        if is_rewritable(media) and "charset" not in media and not media.split(";")[0].endswith(("+json", "/json")):
            media += "; charset=utf-8"
        hdrs = {"Access-Control-Allow-Origin": "*", **(headers or {})}
        return Response(body, status_code=status, media_type=media, headers=hdrs)

    async def home(request: Request) -> Response:
        query = f"?{request.url.query}" if request.url.query else ""  # keeps ?lang=
        return RedirectResponse(f"/site/index.html{query}", status_code=302)

    async def robots(request: Request) -> Response:
        return await static(request, "site/robots.txt")

    async def sitemap(request: Request) -> Response:
        return await static(request, "site/sitemap.xml")

    async def resource(request: Request, kind: str) -> Response:
        # /object/{id}, /agent/{key} … /rdf/dataset, /.well-known/void: see heritage_ld.publish.resolve
        key = request.path_params.get("ident", "")
        edm = wants_edm(request.headers.get("accept-profile"), request.query_params.get("_profile"))
        answer = resolve(out, UrlScheme(current_base()), kind, key, accept=request.headers.get("accept"), edm=edm)
        vary = {"Vary": "Accept, Accept-Profile"}
        if answer.location is not None:
            return RedirectResponse("/" + quote(answer.location, safe="/-._~%"), status_code=303, headers=vary)
        if answer.file is None:
            return _not_found(answer.missing or "not found")
        try:
            body = answer.file.read_bytes()
        except OSError:
            return _not_found("no such resource")
        if answer.profile:
            vary["Content-Profile"] = f"<{answer.profile}>"
        return text_response(request, body, answer.media, headers=vary)

    def kind_route(kind: str) -> Any:
        async def handler(request: Request) -> Response:
            return await resource(request, kind)
        return handler

    async def service_description(request: Request) -> Response:
        # SPARQL 1.1 Service Description §2: the endpoint dereferenced with no query describes itself.
        from heritage_ld.formats import Format
        from heritage_ld.rdf.dataset import service_description as describe
        from heritage_ld.rdf.document import triples_document

        offered = list(OBJECT_TYPES)
        chosen = choose(request.headers.get("accept"), offered) or "text/turtle"
        base = current_base()
        body = triples_document(describe(f"{base}/sparql", UrlScheme(base).dataset()), Format.from_media_type(chosen))
        return text_response(request, body, chosen, headers={"Vary": "Accept"})

    async def oai_endpoint(request: Request) -> Response:
        if request.method == "POST":
            raw = await _read_body(request, OAI_MAX_BODY)
            if raw is None:
                return _too_large("the OAI-PMH request", OAI_MAX_BODY)
            params = parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)
        else:
            params = parse_qs(request.url.query, keep_blank_values=True)
        provider = oai_provider()
        if not provider.has_admin_email:  # OAI-PMH requires one; none is ever invented
            problem = report("P040", Location("collection.toml", None, None, "collection.admin_email"))
            return Response(problem.render() + "\n", status_code=503, media_type="text/plain")
        body = provider.respond(params, endpoint=f"{current_base()}/oai")
        return text_response(request, body, "text/xml")

    async def sparql(request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool

        params = parse_qs(request.url.query, keep_blank_values=True)
        query: str | None = None
        if request.method == "POST":
            ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if ctype == "application/sparql-update":
                return _plain(_READ_ONLY)
            body = await _read_body(request, sparql_max_body)
            if body is None:
                return _too_large("the request body", sparql_max_body)
            raw = body.decode("utf-8", "replace")
            if ctype == "application/sparql-query":
                query = raw
            elif ctype == "application/x-www-form-urlencoded":
                form = parse_qs(raw, keep_blank_values=True)
                params = {**params, **form}
            else:
                return _plain(SparqlAnswer.error(415, f"unsupported content type {ctype!r}"))
        if "update" in params:  # SPARQL 1.1 Protocol §2.2: the update operation is refused
            return _plain(_READ_ONLY)
        if query is None and request.method == "GET" and not params:
            return await service_description(request)
        if query is None:
            queries = params.get("query", [])
            if len(queries) != 1:
                return _plain(SparqlAnswer.error(400, "give exactly one 'query' parameter"))
            query = queries[0]
        if rewrite_urls:
            query = query.replace(origin(request), current_base())
        accept = (params.get("format") or [request.headers.get("accept") or "*/*"])[0]
        answer = await run_in_threadpool(
            sparql_service().answer, query, accept=accept,
            default_graphs=params.get("default-graph-uri", []), named_graphs=params.get("named-graph-uri", []),
        )
        if answer.status != 200:
            return _plain(answer)
        return text_response(request, answer.body, answer.media_type)

    async def static(request: Request, path: str | None = None) -> Response:
        rel = path if path is not None else request.path_params["path"]
        target = served_path(root, rel, trees)  # None: not a published file (see heritage_ld.publish.webroot)
        kind = kind_of(target) if target is not None else Kind.NONE
        if target is not None and kind is Kind.FOLDER and kind_of(target / "info.json") is Kind.FILE:
            # IIIF Image API 3.0 §2.2: the base URI of an image service redirects (303) to its info.json
            return RedirectResponse(quote(request.url.path.rstrip("/"), safe="/-._~") + "/info.json",
                                    status_code=303, headers={"Access-Control-Allow-Origin": "*"})
        if target is not None and kind is Kind.FOLDER:
            if not request.url.path.endswith("/"):
                return RedirectResponse(quote(request.url.path, safe="/-._~") + "/", status_code=301)
            if kind_of(target / "index.html") is Kind.FILE:
                target, kind = target / "index.html", Kind.FILE
            elif rel.split("/")[0] in listed:
                try:
                    return text_response(request, _listing(target, request.url.path), "text/html")
                except OSError:
                    return _not_found()
        if target is None or kind is not Kind.FILE:
            return _not_found()
        folder_type = _folder_type(target.relative_to(root).as_posix(), request.headers.get("accept"))
        media = folder_type or _media_type(target)
        if rewrite_urls and media == "application/gzip" and rel.startswith("rdf/"):
            # the dump: rewritten like every other text, line by line, recompressed as it streams
            return StreamingResponse(_rewrite_gzip(target, current_base(), origin(request)), media_type=media,
                                     headers={"Access-Control-Allow-Origin": "*"})
        if is_rewritable(media):
            try:
                return text_response(request, target.read_bytes(), media,
                                     headers={"Vary": "Accept"} if folder_type else None)
            except OSError:
                return _not_found()
        return FileResponse(target, media_type=media, headers={"Access-Control-Allow-Origin": "*"})

    routes = [
        Route("/", home),
        Route("/robots.txt", robots),
        Route("/sitemap.xml", sitemap),
        Route("/object/{ident:path}", kind_route("object"), methods=["GET", "HEAD"]),
        *(Route(f"/{kind}/{{ident:path}}", kind_route(kind), methods=["GET", "HEAD"]) for kind in RESOURCE_KINDS),
        Route("/rdf/dataset", kind_route("dataset"), methods=["GET", "HEAD"]),
        Route("/.well-known/void", kind_route("dataset"), methods=["GET", "HEAD"]),
        Route("/oai", oai_endpoint, methods=["GET", "POST"]),
        Route("/sparql", sparql, methods=["GET", "POST"]),
        Route("/{path:path}", static, methods=["GET", "HEAD"]),
    ]
    return Starlette(routes=routes)


def _rewrite_gzip(path: Path, old: str, new: str) -> Iterator[bytes]:
    """A gzipped N-Triples file with the base URL ``old`` replaced by ``new``, re-gzipped, in chunks (memory stays
    flat whatever the dump's size: a line never spans two reads)."""
    import gzip
    import zlib

    packer = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # gzip container
    with gzip.open(path, "rb") as f:
        while lines := f.readlines(1 << 20):
            chunk = packer.compress(rewrite(b"".join(lines), old, new))
            if chunk:
                yield chunk
    yield packer.flush()


def _stat_key(path: Path) -> tuple[int, int, int] | None:
    """What changes when a file is rewritten or replaced: ``(st_mtime_ns, st_size, st_ino)``; ``None`` if absent."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size, st.st_ino


def _plain(answer: SparqlAnswer) -> Response:
    from starlette.responses import Response

    return Response(answer.body, status_code=answer.status, media_type=answer.media_type)


_READ_ONLY = SparqlAnswer.refused(Refusal(403, report("P007", Location("update"))))


def _not_found(message: str = "not found") -> Response:
    from starlette.responses import Response

    return Response(message + "\n", status_code=404, media_type="text/plain")


def _too_large(what: str, limit: int) -> Response:
    problem = report("P006", Location("request"), what=what, size=f"more than {limit}", limit=limit)
    return _plain(SparqlAnswer.refused(Refusal(413, problem)))


async def _read_body(request: Any, limit: int) -> bytes | None:
    """The request body, or ``None`` as soon as it is longer than ``limit`` bytes (declared or sent)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _listing(folder: Path, url_path: str) -> bytes:
    """A plain HTML index of a folder (bags have no index page); names are escaped."""
    rows = []
    for child in sorted(folder.iterdir(), key=lambda p: p.name):
        name = child.name + ("/" if child.is_dir() else "")
        rows.append(f'<li><a href="{html.escape(quote(child.name, safe=""))}{"/" if child.is_dir() else ""}">'
                    f"{html.escape(name)}</a></li>")
    title = html.escape(url_path)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>'
            f'<body><h1>{title}</h1><ul><li><a href="../">../</a></li>{"".join(rows)}</ul></body></html>').encode()


@contextlib.contextmanager
def running(app: Any, *, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Run ``app`` with uvicorn in a background thread; yields its origin (``http://127.0.0.1:PORT``).

    ``port=0`` picks a free port. The server is stopped when the block ends.
    """
    import uvicorn

    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="heritage-ld-serve", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise UsageError(f"the server could not start on {host}:{port}")
        time.sleep(0.02)
    bound = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{host}:{bound}"
    finally:
        server.should_exit = True
        thread.join(10)
