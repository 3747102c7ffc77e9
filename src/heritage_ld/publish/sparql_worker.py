"""The process a SPARQL query runs in, so that a query past its time limit can be stopped: killed.

pyoxigraph has no way to cancel a query, and a query that computes everything before its first row (an
aggregate over a cross product, say) would otherwise run to its end in a thread, holding a core and one of
the endpoint's few slots. :class:`heritage_ld.publish.sparql.SparqlService` in isolated mode starts up to
``concurrency`` of these workers, sends each query to an idle one and kills the one that is late.

Run as ``python -m heritage_ld.publish.sparql_worker STORE TIMEOUT MAX_ROWS PARENT_PID``. It opens the store
read-only, then answers requests on standard input until it closes. A request is a 4-byte big-endian length
and that many bytes of JSON (``query``, ``accept``, ``default_graphs``, ``named_graphs`` and optionally
``limits``, the fields of :class:`heritage_ld.publish.sparql_guard.QueryLimits`); an answer is a 4-byte
length, then the status (2 bytes), the media type's length (2 bytes), the media type and the body. The worker
also ends when its parent goes.

Queries run on a thread with a large stack (:data:`STACK_SIZE`, reserved, not used, until a query needs it):
pyoxigraph recurses once per nesting level, and the endpoint's limits on nesting and operators
(:mod:`heritage_ld.publish.sparql_guard`) keep well inside it. A request the worker cannot read, or a query
that fails in a way the service does not expect, gets a 400 or a 500 answer; the worker stays.
"""

from __future__ import annotations

import json
import os
import struct
import sys
import threading
import time
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from heritage_ld.publish.sparql import SparqlAnswer, SparqlService

__all__ = ["STACK_SIZE", "main", "pack_answer", "read_frame", "unpack_answer", "write_frame"]

#: Stack of the thread queries run on (bytes): 32 times a main thread's usual 8 MiB.
STACK_SIZE = 256 * 1024 * 1024


def write_frame(out: IO[bytes], payload: bytes) -> None:
    """Write one length-prefixed frame and flush."""
    out.write(struct.pack(">I", len(payload)) + payload)
    out.flush()


def read_frame(inp: IO[bytes]) -> bytes | None:
    """Read one length-prefixed frame; ``None`` at the end of the stream."""
    header = inp.read(4)
    if len(header) < 4:
        return None
    (length,) = struct.unpack(">I", header)
    payload = inp.read(length)
    return payload if len(payload) == length else None


def pack_answer(status: int, media_type: str, body: bytes) -> bytes:
    """An answer as one frame's payload: status (2 bytes), media type length (2 bytes), media type, body.

    >>> unpack_answer(pack_answer(200, "text/csv", b"n\\r\\n5\\r\\n"))
    (200, 'text/csv', b'n\\r\\n5\\r\\n')
    """
    media = media_type.encode()
    return struct.pack(">HH", status, len(media)) + media + body


def unpack_answer(payload: bytes) -> tuple[int, str, bytes]:
    """The status, media type and body of a payload made by :func:`pack_answer`."""
    status, length = struct.unpack(">HH", payload[:4])
    return status, payload[4:4 + length].decode(), payload[4 + length:]


def _die_with_parent(parent: int, interval: float = 1.0) -> None:
    """End this process when its parent (pid ``parent``, given by the parent itself: it may be gone before
    this process asks) has gone and it is re-parented, checked every ``interval`` s.

    An idle worker ends anyway when its standard input closes; this covers a worker busy with a long query
    when the server dies without closing it. (``PR_SET_PDEATHSIG`` is no use here: it fires when the thread
    that started the worker ends, and servers answer requests on short-lived threads.)
    """
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def main(argv: list[str]) -> int:
    _die_with_parent(int(argv[3]) if len(argv) > 3 else os.getppid())
    from pyoxigraph import Store

    from heritage_ld.publish.sparql import SparqlService

    store_path, timeout, max_rows = argv[0], float(argv[1]), int(argv[2])
    service = SparqlService(Store.read_only(store_path), timeout=timeout, max_rows=max_rows)
    inp, out = sys.stdin.buffer, sys.stdout.buffer

    def serve() -> None:
        while (request := read_frame(inp)) is not None:
            answer = _answer(service, request, time.monotonic() + timeout)
            write_frame(out, pack_answer(answer.status, answer.media_type, answer.body))

    threading.stack_size(STACK_SIZE)
    runner = threading.Thread(target=serve, name="sparql-worker")
    runner.start()
    runner.join()
    return 0


def _answer(service: SparqlService, request: bytes, deadline: float) -> SparqlAnswer:
    from heritage_ld.publish.sparql import SparqlAnswer
    from heritage_ld.publish.sparql_guard import QueryLimits

    try:
        r = json.loads(request)
        query, accept, default_graphs, named_graphs = r["query"], r["accept"], r["default_graphs"], r["named_graphs"]
        limits = QueryLimits(**r["limits"]) if "limits" in r else None
    except (ValueError, KeyError, TypeError) as exc:
        return SparqlAnswer.error(400, f"the query process could not read the request: {exc}")
    try:
        return service.run_here(query, accept, default_graphs, named_graphs, deadline, limits)
    except Exception as exc:  # a failure of ours: answered, and the worker stays for the next query
        return SparqlAnswer.error(500, f"the query failed: {type(exc).__name__}: {exc}")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
