"""Misbehaving Graph Store servers on 127.0.0.1 for the ``publish`` tests: real sockets, real HTTP.

Each server is a :class:`http.server.ThreadingHTTPServer` in a thread. Its behaviour is one of:

- ``redirect-302`` / ``-307`` / ``-308``: every PUT is answered with a redirect to ``/elsewhere``;
  a GET there answers 200 (a client that follows a 302 turns the PUT into that GET and "succeeds").
- ``status-500`` / ``-404`` / ``-401`` / ``-400``: every request gets that status; the body echoes (first) the
  request's Authorization header, then the others (as a careless debugging server does): no credential may leak.
- ``blackhole``: PUT answers 204 and keeps nothing; GET of a graph answers 404.
- ``empty``: PUT answers 204 and keeps nothing; GET of a graph answers 200 with an empty N-Triples body.
- ``html``: PUT answers 204 and keeps nothing; GET answers 200 with a web page (not RDF).
- ``trickle``: the answer's bytes come one every ``trickle_every`` seconds (the status line too), so a
  per-read timeout never fires.
- ``close``: the answer's head promises 100 bytes, two come, then the connection is closed.
- ``flaky-N``: the first N PUTs answer 503, then PUT keeps the graph (a small working store).
- ``store``: PUT keeps the graph, GET returns it (a small working store).

``server.requests`` lists ``(method, path, headers)`` of every request received.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class GraphStoreServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, behaviour: str, trickle_every: float = 0.2) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.behaviour = behaviour
        self.trickle_every = trickle_every
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.graphs: dict[str, bytes] = {}
        self.puts = 0
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: GraphStoreServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _answer(self, status: int, body: bytes = b"", content_type: str = "text/plain",
                headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _graph(self) -> str:
        return parse_qs(urlsplit(self.path).query).get("graph", [""])[0]

    def _handle(self, method: str) -> None:
        srv = self.server
        with srv.lock:
            srv.requests.append((method, self.path, dict(self.headers.items())))
        body = self._body()
        kind, _, arg = srv.behaviour.partition("-")
        if kind == "redirect":
            if urlsplit(self.path).path == "/elsewhere":
                self._answer(200, b"ok")
            else:
                self._answer(int(arg), headers={"Location": f"{srv.url}/elsewhere"})
        elif kind == "status":
            first = sorted(self.headers.items(), key=lambda kv: kv[0].lower() != "authorization")
            echo = "".join(f"{k}: {v}\n" for k, v in first).encode()
            self._answer(int(arg), b"request was:\n" + echo)
        elif kind in ("blackhole", "empty"):
            if method == "PUT":
                self._answer(204)
            elif kind == "blackhole":
                self._answer(404, b"no such graph")
            else:
                self._answer(200, b"", "application/n-triples")
        elif kind == "html":
            self._answer(204) if method == "PUT" else self._answer(200, b"<html>Welcome</html>", "text/html")
        elif kind == "trickle":
            self._trickle(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
        elif kind == "close":
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nok")
            self.wfile.flush()
            self.close_connection = True
        elif kind in ("flaky", "store"):
            self._store(method, body, failures=int(arg or 0))

    def _trickle(self, answer: bytes) -> None:
        end = time.monotonic() + 30  # the server gives up on its own; a test never waits for it
        try:
            for byte in answer:
                if time.monotonic() > end:
                    break
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(self.server.trickle_every)
        except OSError:
            pass  # the client hung up: what a deadline does
        self.close_connection = True

    def _store(self, method: str, body: bytes, *, failures: int) -> None:
        srv = self.server
        if method == "PUT":
            with srv.lock:
                srv.puts += 1
                fail = srv.puts <= failures
            if fail:
                self._answer(503, b"busy", headers={"Retry-After": "0"})
                return
            srv.graphs[self._graph()] = body
            self._answer(204)
        elif self._graph() in srv.graphs:
            self._answer(200, srv.graphs[self._graph()], "application/n-triples")
        else:
            self._answer(404, b"no such graph")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_GET(self) -> None:
        self._handle("GET")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def do_POST(self) -> None:
        self._handle("POST")


@contextmanager
def serving(behaviour: str, *, trickle_every: float = 0.2) -> Iterator[GraphStoreServer]:
    """A :class:`GraphStoreServer` running in a thread for the ``with`` block."""
    server = GraphStoreServer(behaviour, trickle_every)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
