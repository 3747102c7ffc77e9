"""One HTTP request to a remote store, done carefully: a deadline, bounded retries, no redirects, no leaked secrets.

:func:`send` makes one request and either returns a 2xx answer or raises :class:`PublishError` with a coded
problem (P030–P034) naming the method, the graph, the URL and the HTTP status:

- **a deadline per attempt** (:attr:`RequestPolicy.timeout`): the whole exchange (connect, send, the answer's
  head and body) must finish in time, so a server that trickles one byte every few seconds cannot hang it (a
  per-read timeout, what ``requests`` offers, never fires there);
- **bounded retries with exponential backoff** (:attr:`RequestPolicy.retries`), only after connection errors,
  timeouts, 408, 429 and 5xx answers, and only for requests that may be repeated (``PUT``, ``DELETE``, ``GET``
  and read-only SPARQL queries): a ``Retry-After`` of a few seconds is honoured;
- **no redirects**: a 3xx answer is a failure (P032). A client that follows a 302 turns a ``PUT`` into a
  ``GET`` and reports success for a write that never happened (RFC 9110 §15.4.3);
- **credentials are never printed**: ``user:password@`` in the URL becomes basic authentication and is cut
  from every URL shown; every message is scrubbed of the password and the ``Authorization`` value
  (:meth:`Endpoint.redact`).

>>> e = parse_endpoint("https://alice:s3cret@example.org/store")
>>> e.url, e.auth
('https://example.org/store', ('alice', 's3cret'))
>>> e.redact("HTTP 500: s3cret")
'HTTP 500: ***'
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from heritage_ld.errors import PublishError, UsageError
from heritage_ld.problems import Location, Problem, report

if TYPE_CHECKING:
    import httpx

__all__ = ["Endpoint", "RequestPolicy", "Sent", "parse_endpoint", "send"]

#: Answers worth another attempt (RFC 9110 §15.5.9, RFC 6585 §4, and every 5xx).
_RETRY_STATUS = frozenset({408, 429})
_AUTH_STATUS = frozenset({401, 403, 407})
_USERINFO = re.compile(r"(?<=//)[^/@\s]*@")
#: How much of an error answer is read (only its start is ever shown).
ERROR_BYTES = 64 << 10


@dataclass(frozen=True, slots=True)
class RequestPolicy:
    """How hard to try: seconds per attempt, retries after the first attempt, the first backoff in seconds.

    >>> [RequestPolicy(backoff=0.5).wait(n) for n in (1, 2, 3)]
    [0.5, 1.0, 2.0]
    """

    timeout: float = 60.0
    retries: int = 5
    backoff: float = 0.5
    max_wait: float = 30.0
    #: The most of a 2xx answer that is read (decoded bytes): a graph read back, a SPARQL count. An error
    #: answer is read only as far as its first :data:`ERROR_BYTES` (its start is shown).
    max_answer: int = 256 << 20

    def __post_init__(self) -> None:
        if not self.timeout > 0:
            raise UsageError(f"the timeout (--timeout) must be more than 0 seconds, not {self.timeout:g}")
        if self.retries < 0 or self.backoff < 0:
            raise UsageError("retries (--retries) and backoff cannot be negative")

    def wait(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based): doubled each time, capped."""
        return float(min(self.backoff * 2 ** (attempt - 1), self.max_wait))


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A URL without credentials, the basic-authentication pair to send with it, and what must never be shown."""

    url: str
    auth: tuple[str, str] | None = None

    @property
    def secrets(self) -> tuple[str, ...]:
        """The password, ``user:password`` and its base64 form (the ``Authorization`` header's value)."""
        if self.auth is None:
            return ()
        pair = f"{self.auth[0]}:{self.auth[1]}"
        token = base64.b64encode(pair.encode()).decode()
        return tuple(s for s in (token, pair, self.auth[1]) if s)

    def redact(self, text: str) -> str:
        """``text`` with every secret replaced by ``***`` and ``user:password@`` cut from URLs."""
        text = _USERINFO.sub("", text)
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text

    def same_origin(self, other: str) -> bool:
        """Whether ``other`` has this URL's scheme, host and port (credentials are sent only there)."""
        import httpx

        a, b = httpx.URL(self.url), httpx.URL(other)
        return (a.scheme, a.host, a.port) == (b.scheme, b.host, b.port)


def parse_endpoint(url: str, auth: tuple[str, str] | None = None) -> Endpoint:
    """Check an http(s) URL and move ``user:password@`` out of it into ``auth``.

    Raises:
        UsageError: not an absolute http(s) URL, or credentials both in the URL and in ``auth``.
    """
    import httpx

    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise UsageError(f"the store URL {_USERINFO.sub('', url)!r} is not a valid URL: {exc}") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise UsageError(f"the store URL must be an http(s) URL, not {_USERINFO.sub('', url)!r}")
    if parsed.username or parsed.password:
        if auth is not None:
            raise UsageError("give the credentials either in the store URL or with --user, not both")
        auth = (parsed.username, parsed.password)
        parsed = parsed.copy_with(username=None, password=None)
    return Endpoint(str(parsed), auth)


@dataclass(frozen=True, slots=True)
class Sent:
    """A 2xx answer (or one of the statuses the caller accepted) and how many retries it took."""

    response: httpx.Response
    retries: int


async def send(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    endpoint: Endpoint,
    graph: str,
    policy: RequestPolicy,
    content: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    accept: frozenset[int] = frozenset(),
) -> Sent:
    """Make one request (``url`` under ``endpoint``, about ``graph``) under ``policy``; see the module's docs.

    Args:
        accept: statuses returned as they are instead of failing (a ``GET`` of a missing graph: 404).

    Raises:
        PublishError: P030 no answer, P031 deadline, P032 redirect, P033 error answer, P034 credentials refused,
            P060 an answer larger than ``policy.max_answer``.
    """
    import anyio
    import httpx

    where = Location(endpoint.url)
    auth = httpx.BasicAuth(*endpoint.auth) if endpoint.auth else None
    failure: Problem | None = None
    wait = 0.0
    for attempt in range(1, policy.retries + 2):
        if attempt > 1:
            await anyio.sleep(wait)
        wait = policy.wait(attempt)
        try:
            with anyio.fail_after(policy.timeout):
                r = await _bounded(client, client.build_request(method, url, content=content, headers=headers),
                                   auth, accept, policy.max_answer)
        except _TooLarge:
            raise PublishError([report("P060", where, method=method, graph=graph, limit=policy.max_answer)]) from None
        except (TimeoutError, httpx.TimeoutException):
            failure = report("P031", where, method=method, graph=graph, timeout=f"{policy.timeout:g}",
                             attempts=attempt)
            continue
        except httpx.RequestError as exc:
            failure = report("P030", where, method=method, graph=graph, attempts=attempt,
                             reason=endpoint.redact(str(exc) or type(exc).__name__))
            continue
        status, reason = r.status_code, endpoint.redact(r.reason_phrase)
        if r.is_success or status in accept:
            return Sent(r, attempt - 1)
        if r.is_redirect or 300 <= status < 400:
            target = endpoint.redact(r.headers.get("location", "(no Location header)"))
            raise PublishError([report("P032", where, method=method, graph=graph, status=status, reason=reason,
                                       target=target)])
        if status in _AUTH_STATUS:
            raise PublishError([report("P034", where, method=method, graph=graph, status=status, reason=reason)])
        failure = report("P033", where, method=method, graph=graph, status=status, reason=reason,
                         detail=_detail(r, endpoint), attempts=attempt)
        if status not in _RETRY_STATUS and status < 500:
            break
        wait = max(wait, _retry_after(r, policy))
    assert failure is not None
    raise PublishError([failure])


class _TooLarge(Exception):
    """A 2xx answer longer than the policy's ``max_answer``."""


async def _bounded(client: httpx.AsyncClient, request: httpx.Request, auth: httpx.Auth | None,
                   accept: frozenset[int], limit: int) -> httpx.Response:
    """Send ``request`` and read its answer without holding more than ``limit`` bytes of it (:data:`ERROR_BYTES`
    of an error answer, whose start only is shown): a server that answers with gigabytes (an endless chunked
    body, a huge ``Content-Length``, a gzip bomb: bytes are counted decoded) filled memory within the deadline.
    Returns the answer with the bytes read as its content."""
    import httpx

    r = await client.send(request, auth=auth, follow_redirects=False, stream=True)
    wanted = r.is_success or r.status_code in accept
    cap = limit if wanted else ERROR_BYTES
    body = bytearray()
    try:
        async for chunk in r.aiter_bytes():
            body += chunk
            if len(body) > cap:
                if wanted:
                    raise _TooLarge
                del body[cap:]
                break
    finally:
        await r.aclose()
    headers = [(k, v) for k, v in r.headers.multi_items() if k.lower() not in ("content-encoding", "content-length")]
    return httpx.Response(r.status_code, headers=headers, content=bytes(body), request=request,
                          extensions={"reason_phrase": r.extensions.get("reason_phrase", b"")})


def _detail(r: httpx.Response, endpoint: Endpoint) -> str:
    """The start of a textual answer (``: text``), scrubbed of secrets; empty for other answers."""
    kind = r.headers.get("content-type", "")
    if not kind.startswith(("text/", "application/json", "application/problem", "application/xml")):
        return ""
    text = " ".join(endpoint.redact(r.text).split())[:200]  # scrubbed before it is cut: no half secret
    return f": {text}" if text else ""


def _retry_after(r: httpx.Response, policy: RequestPolicy) -> float:
    """A ``Retry-After`` given in seconds (RFC 9110 §10.2.3), capped; 0 when absent or a date."""
    value = r.headers.get("retry-after", "").strip()
    return min(float(value), policy.max_wait) if value.isdigit() else 0.0
