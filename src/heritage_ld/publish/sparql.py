"""A read-only SPARQL 1.1 query service over the embedded pyoxigraph store, with a time and a size limit.

:class:`SparqlService` runs one query and returns a :class:`SparqlAnswer` (status, media type, body); the HTTP
side (SPARQL 1.1 Protocol §2.1, GET and POST) is in :mod:`heritage_ld.publish.server`. Updates are refused
(403): the protocol's ``update`` operation (§2.2) is never run and an update sent as a query is recognised
by its first keyword. Before a query runs, :mod:`heritage_ld.publish.sparql_guard` refuses what would make
the server send a request elsewhere (``SERVICE``) and what is too large or too deeply nested for the store's
parser. Results are SPARQL 1.1 Query Results JSON, XML, CSV or TSV for ``SELECT``/``ASK``, and Turtle, N-Triples, RDF/XML or JSON-LD for ``CONSTRUCT``/``DESCRIBE``. Rows are counted as they are read: past
``max_rows`` the answer is 413, past ``timeout`` seconds it is 503. At most ``concurrency`` queries run at
once. With ``isolate`` (the store's folder; what ``heritage-ld serve`` uses), each query runs in a worker
process (:mod:`heritage_ld.publish.sparql_worker`) that is killed when it is late, so a query that is slow
before its first row stops at the limit too; without it, queries run in threads, and such a query still
runs to its end in its thread (and keeps its slot) after the 503.

>>> SparqlService(None).answer("DROP ALL").status
403
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import io
import json
import os
import select
import struct
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from heritage_ld.publish.negotiation import choose
from heritage_ld.publish.sparql_guard import (
    DEFAULT_LIMITS,
    QueryLimits,
    Refusal,
    graph_refusal,
    is_update,
    refusal,
)
from heritage_ld.publish.sparql_worker import unpack_answer, write_frame

__all__ = ["GRAPH_TYPES", "RESULT_TYPES", "QueryLimits", "SparqlAnswer", "SparqlService", "is_update"]

#: Media types of query results (SPARQL 1.1 Query Results JSON/XML/CSV-TSV), best first.
RESULT_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)
_RESULT_ALIASES = {"application/json": RESULT_TYPES[0], "application/xml": RESULT_TYPES[1],
                   "text/xml": RESULT_TYPES[1], "json": RESULT_TYPES[0], "xml": RESULT_TYPES[1],
                   "csv": RESULT_TYPES[2], "tsv": RESULT_TYPES[3]}
#: Media types of graph results (CONSTRUCT, DESCRIBE), best first.
GRAPH_TYPES = ("text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json")
_GRAPH_ALIASES = {"ttl": "text/turtle", "turtle": "text/turtle", "nt": "application/n-triples",
                  "xml": "application/rdf+xml", "rdf": "application/rdf+xml", "jsonld": "application/ld+json",
                  "json": "application/ld+json", "application/json": "application/ld+json"}

@dataclass(frozen=True, slots=True)
class SparqlAnswer:
    """An HTTP answer: status, media type and body."""

    status: int
    media_type: str
    body: bytes

    @classmethod
    def error(cls, status: int, message: str) -> SparqlAnswer:
        return cls(status, "text/plain; charset=utf-8", (message + "\n").encode())

    @classmethod
    def refused(cls, why: Refusal) -> SparqlAnswer:
        """The answer to a refused request: its status and its problem, rendered with the hint."""
        return cls.error(why.status, why.problem.render())


class _Limit(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class SparqlService:
    """Runs read-only queries on a pyoxigraph store.

    Args:
        store: a ``pyoxigraph.Store`` (opened read-only by the server).
        timeout: seconds a query may take before the answer is 503.
        max_rows: result rows (or triples) above which the answer is 413.
        concurrency: queries that may run at once; more get 503 at once.
        isolate: the store's folder: run each query in a worker process opened on it (killed when late).
        limits: the size, nesting and operator count above which a query is refused unread.
    """

    def __init__(self, store: Any, *, timeout: float = 10.0, max_rows: int = 10_000, concurrency: int = 2,
                 isolate: Path | None = None, limits: QueryLimits = DEFAULT_LIMITS) -> None:
        self.store = store
        self.limits = limits
        self.timeout = timeout
        self.max_rows = max_rows
        self.isolate = isolate
        self._slots = threading.BoundedSemaphore(concurrency)
        self._idle: list[_Worker] = []
        self._idle_lock = threading.Lock()
        self._closed = False
        # Idle workers are killed when the service is closed, collected, or the interpreter exits.
        self._finalizer = weakref.finalize(self, _kill_all, self._idle)

    def close(self) -> None:
        """Stop the worker processes (isolated mode); a query still running gets its answer, then its worker
        stops. Nothing to do in thread mode."""
        with self._idle_lock:
            self._closed = True
            _kill_all(self._idle)

    def answer(
        self,
        query: str,
        *,
        accept: str = "*/*",
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
    ) -> SparqlAnswer:
        """Run ``query`` and serialise its results in the best type ``accept`` allows.

        A query the endpoint refuses (:func:`heritage_ld.publish.sparql_guard.refusal`: ``SERVICE``, an
        update, too large) and a graph name that is not an IRI are answered at once, never run.
        """
        why = (refusal(query, self.limits) or graph_refusal("default-graph-uri", default_graphs)
               or graph_refusal("named-graph-uri", named_graphs))
        if why is not None:
            return SparqlAnswer.refused(why)
        if not self._slots.acquire(blocking=False):
            return SparqlAnswer.error(503, "too many queries at once; try again shortly")
        if self.isolate is not None:
            try:
                return self._answer_in_worker(query, accept, default_graphs, named_graphs)
            finally:
                self._slots.release()
        result: list[SparqlAnswer] = []

        def work() -> None:
            try:
                result.append(self.run_here(query, accept, default_graphs, named_graphs,
                                            time.monotonic() + self.timeout))
            finally:
                self._slots.release()

        worker = threading.Thread(target=work, name="heritage-ld-sparql", daemon=True)
        worker.start()
        worker.join(self.timeout + 0.5)
        if not result:
            return SparqlAnswer.error(503, f"the query took longer than the limit of {self.timeout:g} s")
        return result[0]

    def _answer_in_worker(self, query: str, accept: str, default_graphs: Sequence[str],
                          named_graphs: Sequence[str]) -> SparqlAnswer:
        assert self.isolate is not None
        deadline = time.monotonic() + self.timeout + 0.5  # the worker answers 503 itself at the limit
        with self._idle_lock:
            worker = self._idle.pop() if self._idle else None
        try:
            if worker is None or not worker.alive():
                worker = _Worker(self.isolate, self.timeout, self.max_rows)
            request = {"query": query, "accept": accept, "default_graphs": list(default_graphs),
                       "named_graphs": list(named_graphs), "limits": dataclasses.asdict(self.limits)}
            answer = worker.ask(json.dumps(request).encode(), deadline)
        except OSError as exc:
            if worker is not None:
                worker.kill()
            return SparqlAnswer.error(500, f"the query process failed: {exc}")
        if answer is None:
            worker.kill()
            return SparqlAnswer.error(503, f"the query took longer than the limit of {self.timeout:g} s")
        with self._idle_lock:
            if self._closed:
                worker.kill()
            else:
                self._idle.append(worker)
        return answer

    def run_here(self, query: str, accept: str, default_graphs: Sequence[str], named_graphs: Sequence[str],
                 deadline: float, limits: QueryLimits | None = None) -> SparqlAnswer:
        """Run a query in this thread, checking ``deadline`` (a ``time.monotonic()`` value) as rows come.

        The query is checked again (``limits``, default the service's): this is what a worker process calls.
        """
        from pyoxigraph import NamedNode, QueryBoolean, QuerySolutions

        why = refusal(query, limits or self.limits)
        if why is not None:
            return SparqlAnswer.refused(why)
        try:
            options: dict[str, Any] = {}
            if default_graphs:
                options["default_graph"] = [NamedNode(g) for g in default_graphs]
            else:
                options["use_default_graph_as_union"] = True
            if named_graphs:
                options["named_graphs"] = [NamedNode(g) for g in named_graphs]
            results = self.store.query(query, **options)
            if isinstance(results, (QueryBoolean, bool)):
                media = self._pick(accept, RESULT_TYPES, _RESULT_ALIASES)
                return SparqlAnswer(200, media, _boolean(bool(results), media)) if media else _not_acceptable()
            if isinstance(results, QuerySolutions):
                media = self._pick(accept, RESULT_TYPES, _RESULT_ALIASES)
                if media is None:
                    return _not_acceptable()
                variables = [v.value for v in results.variables]
                rows = self._bounded(results, deadline)
                return SparqlAnswer(200, media, _solutions(variables, rows, media))
            media = self._pick(accept, GRAPH_TYPES, _GRAPH_ALIASES)
            if media is None:
                return _not_acceptable()
            return SparqlAnswer(200, media, _graph(self._bounded(results, deadline), media))
        except SyntaxError as exc:
            return SparqlAnswer.error(400, f"malformed query: {exc}")
        except _Limit as exc:
            return SparqlAnswer.error(exc.status, str(exc))
        except (OSError, ValueError, RuntimeError) as exc:
            return SparqlAnswer.error(400, f"the query failed: {exc}")

    def _bounded(self, rows: Iterable[Any], deadline: float) -> list[Any]:
        out = []
        for row in rows:
            out.append(row)
            if len(out) > self.max_rows:
                raise _Limit(413, f"the result has more than {self.max_rows} rows; add a LIMIT")
            if time.monotonic() > deadline:
                raise _Limit(503, f"the query took longer than the limit of {self.timeout:g} s")
        return out

    @staticmethod
    def _pick(accept: str, offered: Sequence[str], aliases: dict[str, str]) -> str | None:
        if accept in aliases:
            return aliases[accept]
        got = choose(accept, [*offered, *aliases])
        return aliases.get(got, got) if got else None


class _Worker:
    """One query process (:mod:`heritage_ld.publish.sparql_worker`) and its pipes."""

    def __init__(self, store: Path, timeout: float, max_rows: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "heritage_ld.publish.sparql_worker", str(store), repr(timeout), str(max_rows),
             str(os.getpid())],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def alive(self) -> bool:
        return self.process.poll() is None

    def ask(self, request: bytes, deadline: float) -> SparqlAnswer | None:
        """Send a request and wait for its answer until ``deadline``; ``None`` if it is late.

        Raises:
            OSError: the worker died (its pipe closed) before answering.
        """
        assert self.process.stdin is not None and self.process.stdout is not None
        write_frame(self.process.stdin, request)
        fd = self.process.stdout.fileno()
        header = _read_until(fd, 4, deadline)
        if header is None:
            return None
        payload = _read_until(fd, struct.unpack(">I", header)[0], deadline)
        if payload is None:
            return None
        return SparqlAnswer(*unpack_answer(payload))

    def kill(self) -> None:
        if self.alive():
            self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()


def _read_until(fd: int, count: int, deadline: float) -> bytes | None:
    """``count`` bytes from ``fd``, or ``None`` if they have not all come by ``deadline``.

    Raises:
        OSError: the stream ended first.
    """
    chunks: list[bytes] = []
    left = count
    while left:
        wait = deadline - time.monotonic()
        if wait <= 0 or not select.select([fd], [], [], wait)[0]:
            return None
        chunk = os.read(fd, left)
        if not chunk:
            raise OSError("the query process ended without answering")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _kill_all(workers: list[_Worker]) -> None:
    while workers:
        workers.pop().kill()


def _not_acceptable() -> SparqlAnswer:
    return SparqlAnswer.error(406, "none of the accepted media types can carry this result")


# -- SPARQL 1.1 Query Results formats ---------------------------------------------------------------
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_SRX = "http://www.w3.org/2005/sparql-results#"


def _term_json(term: Any) -> dict[str, str]:
    from pyoxigraph import BlankNode, Literal, NamedNode

    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != _XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": str(term)}


def _term_nt(term: Any) -> str:
    return str(term)  # pyoxigraph terms print in N-Triples syntax (SPARQL 1.1 CSV/TSV §3.1: TSV uses it)


def _term_csv(term: Any) -> str:
    from pyoxigraph import BlankNode

    return f"_:{term.value}" if isinstance(term, BlankNode) else str(getattr(term, "value", term))


def _boolean(value: bool, media: str) -> bytes:
    if media == RESULT_TYPES[1]:
        root = etree.Element(f"{{{_SRX}}}sparql", nsmap={None: _SRX})  # type: ignore[dict-item]
        etree.SubElement(root, f"{{{_SRX}}}head")
        etree.SubElement(root, f"{{{_SRX}}}boolean").text = "true" if value else "false"
        return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    if media in (RESULT_TYPES[2], RESULT_TYPES[3]):
        return b"true\r\n" if value else b"false\r\n"
    return json.dumps({"head": {}, "boolean": value}).encode()


def _solutions(variables: list[str], rows: list[Any], media: str) -> bytes:
    if media == RESULT_TYPES[0]:
        bindings = [{v: _term_json(row[v]) for v in variables if row[v] is not None} for row in rows]
        doc = {"head": {"vars": variables}, "results": {"bindings": bindings}}
        return json.dumps(doc, ensure_ascii=False).encode()
    if media == RESULT_TYPES[1]:
        root = etree.Element(f"{{{_SRX}}}sparql", nsmap={None: _SRX})  # type: ignore[dict-item]
        head = etree.SubElement(root, f"{{{_SRX}}}head")
        for v in variables:
            etree.SubElement(head, f"{{{_SRX}}}variable", name=v)
        results = etree.SubElement(root, f"{{{_SRX}}}results")
        for row in rows:
            result = etree.SubElement(results, f"{{{_SRX}}}result")
            for v in variables:
                if row[v] is None:
                    continue
                term = _term_json(row[v])
                binding = etree.SubElement(result, f"{{{_SRX}}}binding", name=v)
                kind = {"uri": "uri", "bnode": "bnode"}.get(term["type"], "literal")
                el = etree.SubElement(binding, f"{{{_SRX}}}{kind}")
                el.text = term["value"]
                if "xml:lang" in term:
                    el.set("{http://www.w3.org/XML/1998/namespace}lang", term["xml:lang"])
                if "datatype" in term:
                    el.set("datatype", term["datatype"])
        return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    buffer = io.StringIO()
    if media == RESULT_TYPES[2]:
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(variables)
        for row in rows:
            writer.writerow([_term_csv(row[v]) if row[v] is not None else "" for v in variables])
    else:
        buffer.write("\t".join(f"?{v}" for v in variables) + "\n")
        for row in rows:
            buffer.write("\t".join(_term_nt(row[v]) if row[v] is not None else "" for v in variables) + "\n")
    return buffer.getvalue().encode()


def _graph(triples: list[Any], media: str) -> bytes:
    from pyoxigraph import RdfFormat, serialize

    fmt = RdfFormat.from_media_type(media)
    if fmt is None:  # pragma: no cover - media comes from GRAPH_TYPES
        raise ValueError(media)
    return bytes(serialize(triples, format=fmt) or b"")
